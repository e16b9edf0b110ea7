package notify_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/notify"
)

func change(id string, st incidents.Status) []incidents.ComponentChange {
	return []incidents.ComponentChange{{Component: id, Status: st}}
}

// events counts the stored events.
func (e *env) events() int { return e.count(`SELECT count(*) FROM notify_events`) }

func (e *env) hasEvent(key string) bool {
	return e.count(`SELECT count(*) FROM notify_events WHERE key = ?`, key) == 1
}

// TestRelay: the worker's relay publishes the event of every incident
// update recorded in the last day under the handlers' keys: where the
// handler published, nothing more happens; where its publish was lost,
// the event is created and told once; backfilled history and updates
// recorded more than a day before the pass are not told.
func TestRelay(t *testing.T) {
	e := newEnv(t)
	e.webhook("https://hooks.example.com/a")
	w := e.worker(notify.WorkerOptions{Incidents: e.incidents})

	inc, err := e.incidents.CreateIncident(e.ctx, audit.Person("support"), incidents.IncidentInput{Title: "Load balancers degraded", Message: "Investigating",
		Components: change("elb-us-east-1", incidents.PartialOutage)}, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	e.publish(notify.ForNewIncident(inc)) // as the handler does
	if n := e.run(w); n != 1 || e.events() != 1 {
		t.Fatalf("a pass after the handler's publish attempted %d and left %d events, want 1 and 1", n, e.events())
	}
	e.sender.sent()

	// The process died between writing an update and publishing it.
	e.clock.Advance(time.Minute)
	inc, err = e.incidents.AddUpdate(e.ctx, audit.Person("support"), inc.ID, incidents.UpdateInput{Phase: incidents.Identified, Message: "Found it"}, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	key := fmt.Sprintf("incident.updated:%d:%d", inc.ID, inc.Latest().ID)
	e.run(w)
	jobs := e.sender.sent()
	if len(jobs) != 1 || jobs[0].Event.Type != notify.IncidentUpdated || jobs[0].Event.Phase != "identified" || jobs[0].Event.Message != "Found it" || !e.hasEvent(key) {
		t.Fatalf("the relay of a lost update sent %+v; event %s stored: %v", jobs, key, e.hasEvent(key))
	}
	for range 3 {
		e.clock.Advance(5 * time.Second)
		if n := e.run(w); n != 0 {
			t.Fatalf("a later pass attempted %d", n)
		}
	}
	e.publish(notify.ForUpdate(inc)) // the handler's publish, late: the same key
	if n := e.run(w); n != 0 || e.events() != 2 {
		t.Fatalf("after the late publish: attempted %d, %d events", n, e.events())
	}

	// History recorded today about last month.
	old := e.clock.Now().Add(-30 * 24 * time.Hour)
	oldEnd := old.Add(time.Hour)
	hist, err := e.incidents.CreateIncident(e.ctx, audit.Person("import"), incidents.IncidentInput{Title: "Last month", Message: "x", StartedAt: &old,
		Components: change("elb-eu-west-1", incidents.MajorOutage)}, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.incidents.AddUpdate(e.ctx, audit.Person("import"), hist.ID, incidents.UpdateInput{Phase: incidents.Resolved, Message: "Fixed", At: &oldEnd}, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if n := e.run(w); n != 0 || e.events() != 2 {
		t.Errorf("backfilled history: attempted %d, %d events", n, e.events())
	}

	// A lost update that no pass saw for more than a day.
	if _, err := e.incidents.AddUpdate(e.ctx, audit.Person("support"), inc.ID, incidents.UpdateInput{Phase: incidents.Resolved, Message: "Fixed"}, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(24*time.Hour + time.Second)
	if n := e.run(w); n != 0 || e.events() != 2 {
		t.Errorf("an update recorded more than a day before the pass: attempted %d, %d events", n, e.events())
	}
}

// TestRelayLateRecordedResolution: an incident recorded with backfilled
// instants a few hours old (news, not history) whose publishes were lost,
// and no pass until 23 hours later: both updates were recorded in the
// last day, so both events are told, although the incident was resolved
// before that day began.
func TestRelayLateRecordedResolution(t *testing.T) {
	e := newEnv(t)
	e.webhook("https://hooks.example.com/a")
	now := e.clock.Now()
	started, resolved := now.Add(-3*time.Hour), now.Add(-2*time.Hour)
	inc, err := e.incidents.CreateIncident(e.ctx, audit.Person("support"), incidents.IncidentInput{Title: "Overnight outage", Message: "Down", StartedAt: &started,
		Components: change("elb-us-east-1", incidents.MajorOutage)}, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.incidents.AddUpdate(e.ctx, audit.Person("support"), inc.ID, incidents.UpdateInput{Phase: incidents.Resolved, Message: "Fixed", At: &resolved}, now); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(23 * time.Hour)
	e.run(e.worker(notify.WorkerOptions{Incidents: e.incidents}))
	got := map[notify.EventType]int{}
	for _, j := range e.sender.sent() {
		got[j.Delivery.EventType]++
	}
	if got[notify.IncidentCreated] != 1 || got[notify.IncidentResolved] != 1 || len(got) != 2 {
		t.Errorf("the relay told %v, want incident.created and incident.resolved once each", got)
	}
}
