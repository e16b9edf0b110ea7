package sqlite_test

import (
	"testing"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/notify"
)

// TestPublishOncePerKey: an event is stored once per key, with one
// delivery for each active subscriber that follows one of its components;
// publishing the key again stores and queues nothing.
func TestPublishOncePerKey(t *testing.T) {
	e := newEnv(t)
	all := e.activeHook("all")
	east := e.activeHook("east", "elb-us-east-1")
	west := e.activeHook("west", "elb-eu-west-1")
	ended := e.activeHook("ended")
	if _, err := e.st.Unsubscribe(e.ctx, audit.Named("visitor"), ended.UnsubscribeToken, e.now); err != nil {
		t.Fatal(err)
	}
	pending := e.pendingHook("pending")

	ev := e.event("incident.created:1", "elb-us-east-1")
	for i, want := range []bool{true, false} {
		again := ev
		if i > 0 {
			again.Title = "Another title"
		}
		added, err := e.st.Publish(e.ctx, again, e.now)
		if err != nil || added != want {
			t.Fatalf("publish %d: added %v, %v; want %v", i+1, added, err, want)
		}
	}
	if n := e.count(`SELECT count(*) FROM notify_events WHERE key = ?`, ev.Key); n != 1 {
		t.Errorf("%d events with key %s, want 1", n, ev.Key)
	}
	if n := e.count(`SELECT count(*) FROM notify_events WHERE key = ? AND payload_json LIKE '%Load balancers degraded%'`, ev.Key); n != 1 {
		t.Errorf("the second publish changed the stored event")
	}
	got := e.eventDeliveries()
	if got[all.ID] != 1 || got[east.ID] != 1 || len(got) != 2 {
		t.Errorf("event deliveries by subscriber %v; want one each for %d (everything) and %d (us-east-1), none for %d (eu-west-1), %d (pending), %d (ended)",
			got, all.ID, east.ID, west.ID, pending.ID, ended.ID)
	}
	for _, d := range e.deliveries() {
		if d.Kind != notify.KindEvent {
			continue
		}
		if d.State != notify.Due || d.Attempts != 0 || !d.NextAt.Equal(e.now) || !d.CreatedAt.Equal(e.now) || d.EventType != notify.IncidentUpdated {
			t.Errorf("queued delivery: %+v", d)
		}
	}

	// An event that names no component reaches the subscribers to
	// everything only.
	e.publish("maintenance.scheduled:1")
	if got := e.eventDeliveries(); got[all.ID] != 2 || got[east.ID] != 1 || len(got) != 2 {
		t.Errorf("after an event without components: %v", got)
	}
}
