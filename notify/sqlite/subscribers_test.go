package sqlite_test

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/amends/amends/audit"
	auditsqlite "github.com/amends/amends/audit/sqlite"

	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/notify"
)

func (e *env) actions(id int64) []string {
	e.t.Helper()
	list, _, err := auditsqlite.New(e.db).Entries(e.ctx, audit.Filter{Entity: "subscriber", EntityID: strconv.FormatInt(id, 10)})
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for i := len(list) - 1; i >= 0; i-- {
		out = append(out, list[i].Action)
	}
	return out
}

// TestConfirmEmail: a confirmation link works for ConfirmValidFor and
// activates its subscriber; after that it is not found; confirming an
// active subscriber again returns it.
func TestConfirmEmail(t *testing.T) {
	e := newEnv(t)
	ann, annToken := e.pendingEmail("ann@example.com")
	bob, bobToken := e.pendingEmail("bob@example.com")

	if _, err := e.st.ConfirmEmail(e.ctx, audit.Named("visitor"), notify.HashToken("not a token"), t0); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("an unknown token: %v, want not found", err)
	}
	at := t0.Add(notify.ConfirmValidFor)
	got, err := e.st.ConfirmEmail(e.ctx, audit.Named("visitor"), notify.HashToken(annToken), at)
	if err != nil || got.ID != ann.ID || got.State != notify.Active || got.ConfirmedAt == nil || !got.ConfirmedAt.Equal(at) {
		t.Fatalf("confirming at the last second: %+v, %v", got, err)
	}
	if got, err := e.st.ConfirmEmail(e.ctx, audit.Named("visitor"), notify.HashToken(annToken), at.Add(time.Hour)); err != nil || got.State != notify.Active || !got.ConfirmedAt.Equal(at) {
		t.Errorf("confirming again: %+v, %v", got, err)
	}
	if _, err := e.st.ConfirmEmail(e.ctx, audit.Named("visitor"), notify.HashToken(bobToken), at.Add(time.Second)); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("an expired link: %v, want not found", err)
	}
	if got, _ := e.st.SubscriberByToken(e.ctx, bob.UnsubscribeToken); got.State != notify.Pending {
		t.Errorf("after an expired link the subscriber is %s", got.State)
	}
	if got := e.actions(ann.ID); len(got) != 2 || got[0] != "subscriber.subscribe" || got[1] != "subscriber.confirm" {
		t.Errorf("audit of ann: %v", got)
	}
}

// TestSubscribeAgain: subscribing a pending address again replaces its
// link and cancels the old confirmation; subscribing an active one
// changes nothing; an address that has ended can subscribe anew.
func TestSubscribeAgain(t *testing.T) {
	e := newEnv(t)
	first, oldToken := e.pendingEmail("ann@example.com")
	oldDelivery := e.deliveries()[0]

	e.now = t0.Add(time.Hour)
	second, newToken := e.pendingEmail("ann@example.com")
	if second.ID != first.ID || !second.CreatedAt.Equal(first.CreatedAt) || second.UnsubscribeToken == first.UnsubscribeToken {
		t.Errorf("subscribing a pending address again: %+v, was %+v", second, first)
	}
	if d := e.delivery(oldDelivery.ID); d.State != notify.Cancelled {
		t.Errorf("the first confirmation is %s, want cancelled", d.State)
	}
	if _, err := e.st.ConfirmEmail(e.ctx, audit.Named("visitor"), notify.HashToken(oldToken), e.now); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("the replaced link: %v, want not found", err)
	}
	if _, err := e.st.SubscriberByToken(e.ctx, first.UnsubscribeToken); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("the replaced unsubscribe token: %v, want not found", err)
	}
	if _, err := e.st.ConfirmEmail(e.ctx, audit.Named("visitor"), notify.HashToken(newToken), e.now); err != nil {
		t.Fatal(err)
	}

	n := len(e.deliveries())
	s := notify.Subscriber{Channel: notify.Email, Address: "ann@example.com", State: notify.Pending, CreatedAt: e.now, UnsubscribeToken: notify.NewToken()}
	d := notify.Delivery{ID: notify.NewDeliveryID(), Kind: notify.KindConfirm, State: notify.Due, NextAt: e.now, CreatedAt: e.now}
	got, existed, err := e.st.AddSubscriber(e.ctx, audit.Named("visitor"), s, notify.HashToken("t"), d, "t", e.now)
	if err != nil || !existed || got.ID != first.ID || got.State != notify.Active || got.UnsubscribeToken != second.UnsubscribeToken {
		t.Errorf("subscribing an active address: existed %v, %+v, %v", existed, got, err)
	}
	if len(e.deliveries()) != n {
		t.Errorf("subscribing an active address queued a delivery")
	}
	if got := e.actions(first.ID); len(got) != 3 || got[1] != "subscriber.resubscribe" {
		t.Errorf("audit: %v", got)
	}

	if _, err := e.st.Unsubscribe(e.ctx, audit.Named("visitor"), second.UnsubscribeToken, e.now); err != nil {
		t.Fatal(err)
	}
	third, _ := e.pendingEmail("ann@example.com")
	if third.ID == first.ID {
		t.Errorf("an ended address subscribed again reuses subscriber %d", first.ID)
	}
}

// TestEndCancelsDeliveries: unsubscribing cancels what is queued for the
// subscriber, including a delivery in flight; a second unsubscribe
// changes nothing, a removal of an ended subscriber is a conflict, and an
// ended subscriber gets no new events.
func TestEndCancelsDeliveries(t *testing.T) {
	e := newEnv(t)
	sub := e.activeHook("ops")
	e.publish("incident.created:1")
	e.publish("incident.created:2")
	inFlight := e.claim(e.now, 1)[0]

	e.now = t0.Add(time.Minute)
	got, err := e.st.Unsubscribe(e.ctx, audit.Named("visitor"), sub.UnsubscribeToken, e.now)
	if err != nil || got.State != notify.Unsubscribed || got.EndedAt == nil || !got.EndedAt.Equal(e.now) {
		t.Fatalf("unsubscribe: %+v, %v", got, err)
	}
	for _, d := range e.deliveries() {
		if d.Kind == notify.KindEvent && (d.State != notify.Cancelled || d.FinishedAt == nil || !d.FinishedAt.Equal(e.now)) {
			t.Errorf("after unsubscribing: %+v", d)
		}
	}
	if jobs := e.claim(e.now.Add(time.Hour), 10); len(jobs) != 0 {
		t.Errorf("claimed after unsubscribing: %v", ids(jobs))
	}
	e.finish(inFlight, nil, nil)
	if d := e.delivery(inFlight.Delivery.ID); d.State != notify.Cancelled {
		t.Errorf("the in-flight delivery is %s after its finish, want cancelled", d.State)
	}

	got, err = e.st.Unsubscribe(e.ctx, audit.Named("visitor"), sub.UnsubscribeToken, e.now.Add(time.Hour))
	if err != nil || got.State != notify.Unsubscribed || !got.EndedAt.Equal(e.now) {
		t.Errorf("unsubscribing twice: %+v, %v", got, err)
	}
	if _, err := e.st.RemoveSubscriber(e.ctx, audit.Person("admin"), sub.ID, e.now); errs.CodeOf(err) != errs.Conflict {
		t.Errorf("removing an ended subscriber: %v, want conflict", err)
	}
	e.publish("incident.created:3")
	if got := e.eventDeliveries(); got[sub.ID] != 2 {
		t.Errorf("an ended subscriber was queued a new event: %v", got)
	}
	if got := e.actions(sub.ID); len(got) != 3 || got[2] != "subscriber.unsubscribe" {
		t.Errorf("audit: %v (one unsubscribe, however many calls)", got)
	}

	other := e.activeHook("other")
	got, err = e.st.RemoveSubscriber(e.ctx, audit.Person("admin"), other.ID, e.now)
	if err != nil || got.State != notify.Removed || got.EndedAt == nil {
		t.Errorf("removal: %+v, %v", got, err)
	}
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"unknown unsubscribe token", second(e.st.Unsubscribe(e.ctx, audit.Named("visitor"), "nope", e.now))},
		{"unknown subscriber id", second(e.st.RemoveSubscriber(e.ctx, audit.Person("admin"), 999, e.now))},
		{"unknown token lookup", second(e.st.SubscriberByToken(e.ctx, "nope"))},
	} {
		var de *errs.Error
		if !errors.As(tc.err, &de) || de.Code != errs.NotFound {
			t.Errorf("%s: %v, want a not-found domain error", tc.name, tc.err)
		}
	}
}

func second[T any](_ T, err error) error { return err }

// TestSubscribers: every subscriber, newest first, with its components.
func TestSubscribers(t *testing.T) {
	e := newEnv(t)
	a := e.activeHook("a", "elb-us-east-1", "elb-eu-west-1")
	e.now = t0.Add(time.Minute)
	b := e.pendingHook("b")
	list, err := e.st.Subscribers(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != b.ID || list[1].ID != a.ID {
		t.Fatalf("subscribers: %+v", list)
	}
	if c := list[1].Components; len(c) != 2 || c[0] != "elb-eu-west-1" || c[1] != "elb-us-east-1" {
		t.Errorf("components of a: %v", c)
	}
	if c := list[0].Components; c == nil || len(c) != 0 {
		t.Errorf("components of b (everything): %#v, want empty", c)
	}
}
