package notify_test

import (
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/notify"
)

// TestEmailDoubleOptIn: an e-mail subscriber gets its confirmation link
// and nothing else until it confirms; then it gets what is published,
// until it unsubscribes by its token.
func TestEmailDoubleOptIn(t *testing.T) {
	e := newEnv(t)
	woken := 0
	e.service.OnPublish(func() { woken++ })
	w := e.worker(notify.WorkerOptions{})

	sub, err := e.service.Subscribe(e.ctx, audit.Named("visitor"), notify.SubscribeInput{Email: " ann@example.com "}, known, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	s := sub.Subscriber
	if sub.Existed || s.State != notify.Pending || s.Channel != notify.Email || s.Address != "ann@example.com" || s.Secret != "" || woken != 1 {
		t.Fatalf("subscribe: %+v, woken %d", sub, woken)
	}
	e.publish(e.event("incident.created:1")) // before confirmation
	if woken != 2 {
		t.Errorf("a new event did not wake the worker")
	}
	e.run(w)
	jobs := e.sender.sent()
	if len(jobs) != 1 || jobs[0].Delivery.Kind != notify.KindConfirm || jobs[0].Subscriber.ID != s.ID || jobs[0].Secret == "" {
		t.Fatalf("before confirmation the subscriber got %+v, want only the confirmation", jobs)
	}
	token := jobs[0].Secret

	if _, err := e.service.Confirm(e.ctx, audit.Named("visitor"), "not-the-token", e.clock.Now()); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("a wrong token: %v", err)
	}
	e.clock.Advance(time.Hour)
	got, err := e.service.Confirm(e.ctx, audit.Named("visitor"), token, e.clock.Now())
	if err != nil || got.State != notify.Active || got.ConfirmedAt == nil || !got.ConfirmedAt.Equal(e.clock.Now()) {
		t.Fatalf("confirm: %+v, %v", got, err)
	}
	if got, err := e.service.Confirm(e.ctx, audit.Named("visitor"), token, e.clock.Now().Add(time.Minute)); err != nil || got.State != notify.Active {
		t.Errorf("confirming twice: %+v, %v", got, err)
	}
	if n := e.run(w); n != 0 {
		t.Errorf("confirming sent %d old deliveries", n)
	}

	e.publish(e.event("incident.created:2"))
	e.run(w)
	if jobs := e.sender.sent(); len(jobs) != 1 || jobs[0].Delivery.Kind != notify.KindEvent || jobs[0].Subscriber.ID != s.ID {
		t.Fatalf("after confirmation the subscriber got %+v", jobs)
	}

	woken = 0
	again, err := e.service.Subscribe(e.ctx, audit.Named("visitor"), notify.SubscribeInput{Email: "ann@example.com"}, known, e.clock.Now())
	if err != nil || !again.Existed || again.Subscriber.ID != s.ID || woken != 0 {
		t.Errorf("subscribing a confirmed address: %+v, %v, woken %d", again, err, woken)
	}
	if n := e.run(w); n != 0 {
		t.Errorf("subscribing a confirmed address sent %d", n)
	}

	e.publish(e.event("incident.created:3")) // queued, not yet sent
	ended, err := e.service.Unsubscribe(e.ctx, audit.Named("visitor"), s.UnsubscribeToken, e.clock.Now())
	if err != nil || ended.State != notify.Unsubscribed || ended.EndedAt == nil {
		t.Fatalf("unsubscribe: %+v, %v", ended, err)
	}
	if got, err := e.service.Unsubscribe(e.ctx, audit.Named("visitor"), s.UnsubscribeToken, e.clock.Now().Add(time.Hour)); err != nil || got.State != notify.Unsubscribed || !got.EndedAt.Equal(*ended.EndedAt) {
		t.Errorf("unsubscribing twice: %+v, %v", got, err)
	}
	if got := e.subscriber(s.UnsubscribeToken); got.State != notify.Unsubscribed {
		t.Errorf("the unsubscribe link shows %s", got.State)
	}
	e.publish(e.event("incident.created:4"))
	if n := e.run(w); n != 0 {
		t.Errorf("after unsubscribing %d deliveries were attempted", n)
	}
	for _, bad := range []string{"", "nope", strings.Repeat("x", 101)} {
		if _, err := e.service.Unsubscribe(e.ctx, audit.Named("visitor"), bad, e.clock.Now()); errs.CodeOf(err) != errs.NotFound {
			t.Errorf("unsubscribe with %q: %v", bad, err)
		}
	}
}

// TestConfirmLinkExpires: a link older than ConfirmValidFor is refused;
// subscribing again sends a new link and the old one stops working.
func TestConfirmLinkExpires(t *testing.T) {
	e := newEnv(t)
	w := e.worker(notify.WorkerOptions{})
	if _, err := e.service.Subscribe(e.ctx, audit.Named("visitor"), notify.SubscribeInput{Email: "ann@example.com"}, known, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	e.run(w)
	oldToken := e.sender.sent()[0].Secret
	e.clock.Advance(notify.ConfirmValidFor + time.Second)
	if _, err := e.service.Confirm(e.ctx, audit.Named("visitor"), oldToken, e.clock.Now()); errs.CodeOf(err) != errs.NotFound || !strings.Contains(errs.MessageOf(err), "expired") {
		t.Fatalf("an expired link: %v", err)
	}
	sub, err := e.service.Subscribe(e.ctx, audit.Named("visitor"), notify.SubscribeInput{Email: "ann@example.com"}, known, e.clock.Now())
	if err != nil || sub.Existed || sub.Subscriber.State != notify.Pending {
		t.Fatalf("subscribing again: %+v, %v", sub, err)
	}
	e.run(w)
	jobs := e.sender.sent()
	if len(jobs) != 1 || jobs[0].Delivery.Kind != notify.KindConfirm || jobs[0].Secret == oldToken {
		t.Fatalf("subscribing again sent %+v", jobs)
	}
	if _, err := e.service.Confirm(e.ctx, audit.Named("visitor"), oldToken, e.clock.Now()); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("the replaced link: %v", err)
	}
	if got, err := e.service.Confirm(e.ctx, audit.Named("visitor"), jobs[0].Secret, e.clock.Now()); err != nil || got.State != notify.Active {
		t.Errorf("the new link: %+v, %v", got, err)
	}
}

// TestWebhookChallenge: a webhook subscriber is pending, and gets no
// events, until its challenge is accepted; a failed challenge is retried.
func TestWebhookChallenge(t *testing.T) {
	e := newEnv(t)
	const url = "https://hooks.example.com/a"
	e.sender.setDown(url, true)
	sub, err := e.service.Subscribe(e.ctx, audit.Named("visitor"), notify.SubscribeInput{WebhookURL: url, Components: []string{"elb-us-east-1"}}, known, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if s := sub.Subscriber; s.State != notify.Pending || s.Channel != notify.Webhook || !strings.HasPrefix(s.Secret, "whsec_") || len(s.Components) != 1 {
		t.Fatalf("subscribe: %+v", s)
	}
	w := e.worker(notify.WorkerOptions{})
	e.run(w)
	if jobs := e.sender.sent(); len(jobs) != 1 || jobs[0].Delivery.Kind != notify.KindChallenge || jobs[0].Secret == "" {
		t.Fatalf("first pass sent %+v, want the challenge", jobs)
	}
	e.publish(e.event("incident.created:1", "elb-us-east-1"))
	e.sender.setDown(url, false)
	e.clock.Advance(time.Second + ceiling(1))
	e.run(w)
	if jobs := e.sender.sent(); len(jobs) != 1 || jobs[0].Delivery.Kind != notify.KindChallenge {
		t.Fatalf("the retry sent %+v, want only the challenge (the event came while pending)", jobs)
	}
	if s := e.subscriber(sub.Subscriber.UnsubscribeToken); s.State != notify.Active {
		t.Fatalf("after its challenge was accepted the subscriber is %s", s.State)
	}
	e.publish(e.event("incident.created:2", "elb-us-east-1"))
	e.publish(e.event("incident.created:3", "elb-eu-west-1"))
	e.run(w)
	if jobs := e.sender.sent(); len(jobs) != 1 || jobs[0].Delivery.Kind != notify.KindEvent {
		t.Errorf("once active it got %+v, want the one event about its component", jobs)
	}
}

// TestRemove: an admin ends a subscriber once; it gets nothing after.
func TestRemove(t *testing.T) {
	e := newEnv(t)
	s := e.webhook("https://hooks.example.com/a")
	got, err := e.service.Remove(e.ctx, audit.Person("admin"), s.ID, e.clock.Now())
	if err != nil || got.State != notify.Removed {
		t.Fatalf("remove: %+v, %v", got, err)
	}
	if _, err := e.service.Remove(e.ctx, audit.Person("admin"), s.ID, e.clock.Now()); errs.CodeOf(err) != errs.Conflict {
		t.Errorf("removing twice: %v", err)
	}
	if _, err := e.service.Remove(e.ctx, audit.Person("admin"), 999, e.clock.Now()); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("removing an unknown subscriber: %v", err)
	}
	e.publish(e.event("incident.created:1"))
	if n := e.run(e.worker(notify.WorkerOptions{})); n != 0 {
		t.Errorf("a removed subscriber got %d deliveries", n)
	}
	list, err := e.service.Subscribers(e.ctx)
	if err != nil || len(list) != 1 || list[0].State != notify.Removed {
		t.Errorf("subscribers: %+v, %v", list, err)
	}
}

// TestSubscribeAndPublishRefuse: what the Service refuses before the
// store sees it.
func TestSubscribeAndPublishRefuse(t *testing.T) {
	e := newEnv(t)
	noMail := notify.NewService(e.store, notify.Options{AllowPrivateWebhooks: true})
	if _, err := noMail.Subscribe(e.ctx, audit.Named("visitor"), notify.SubscribeInput{Email: "ann@example.com"}, known, e.clock.Now()); errs.FieldOf(err) != "email" {
		t.Errorf("e-mail without SMTP: %v", err)
	}
	for _, tc := range []struct {
		in    notify.SubscribeInput
		field string
	}{
		{notify.SubscribeInput{}, "email"},
		{notify.SubscribeInput{Email: "ann@example.com", WebhookURL: "https://hooks.example.com/"}, "webhook_url"},
		{notify.SubscribeInput{Email: "ann"}, "email"},
		{notify.SubscribeInput{Email: "ann@example.com", Components: []string{"nope"}}, "components[0]"},
	} {
		if _, err := e.service.Subscribe(e.ctx, audit.Named("visitor"), tc.in, known, e.clock.Now()); errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != tc.field {
			t.Errorf("subscribe %+v: %v, want invalid on %s", tc.in, err, tc.field)
		}
	}
	bad := e.event("incident.created:1")
	bad.Type = "incident.exploded"
	noKey := e.event("")
	for _, ev := range []notify.Event{bad, noKey} {
		if err := e.service.Publish(e.ctx, ev, e.clock.Now()); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("publish %s %q: %v", ev.Type, ev.Key, err)
		}
	}
	if n := e.count(`SELECT count(*) FROM notify_subscribers`) + e.events(); n != 0 {
		t.Errorf("refused requests stored %d rows", n)
	}
}
