package sqlite_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/notify"
)

// TestLogFilters: the delivery log, newest first, narrowed by outcome,
// kind, event type and subscriber, with what each line says about its
// delivery and subscriber.
func TestLogFilters(t *testing.T) {
	e := newEnv(t)
	a := e.activeHook("a") // log: challenge ok
	b := e.activeHook("b") // log: challenge ok
	e.publish("incident.created:1")
	ev := e.event("maintenance.scheduled:1")
	ev.Type = notify.MaintenanceScheduled
	if _, err := e.st.Publish(e.ctx, ev, e.now); err != nil {
		t.Fatal(err)
	}
	e.now = t0.Add(time.Second)
	for _, j := range e.claim(t0, 10) {
		if j.Subscriber.ID == b.ID && j.Delivery.EventType == notify.MaintenanceScheduled {
			next := e.now.Add(time.Minute)
			e.finish(j, errors.New("503 Service Unavailable"), &next)
		} else {
			e.finish(j, nil, nil)
		}
	}

	cases := []struct {
		name string
		f    notify.LogFilter
		want int
	}{
		{"everything", notify.LogFilter{}, 6},
		{"ok", notify.LogFilter{Outcome: "ok"}, 5},
		{"failed", notify.LogFilter{Outcome: "failed"}, 1},
		{"challenges", notify.LogFilter{Kind: notify.KindChallenge}, 2},
		{"events", notify.LogFilter{Kind: notify.KindEvent}, 4},
		{"one event type", notify.LogFilter{EventType: notify.MaintenanceScheduled}, 2},
		{"one subscriber", notify.LogFilter{SubscriberID: a.ID}, 3},
		{"failed for b", notify.LogFilter{Outcome: "failed", SubscriberID: b.ID, EventType: notify.MaintenanceScheduled}, 1},
		{"limit", notify.LogFilter{Limit: 4}, 4},
	}
	for _, tc := range cases {
		got, err := e.st.Log(e.ctx, tc.f)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(got) != tc.want {
			t.Errorf("%s: %d lines, want %d", tc.name, len(got), tc.want)
		}
		for i := 1; i < len(got); i++ {
			if got[i].ID >= got[i-1].ID {
				t.Errorf("%s: not newest first", tc.name)
			}
		}
	}

	failed, _ := e.st.Log(e.ctx, notify.LogFilter{Outcome: "failed"})
	f := failed[0]
	if f.OK || f.Code != 503 || f.Error != "503 Service Unavailable" || f.Kind != notify.KindEvent || f.EventType != notify.MaintenanceScheduled ||
		f.SubscriberID != b.ID || f.Channel != notify.Webhook || f.Address != b.Address || f.State != notify.Due || f.Number != 1 || !f.At.Equal(e.now) {
		t.Errorf("failed line: %+v", f)
	}
	if _, err := e.st.Log(e.ctx, notify.LogFilter{Outcome: "maybe"}); errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != "outcome" {
		t.Errorf("an unknown outcome: %v, want invalid on outcome", err)
	}
}

// TestErrorsSayWhere: a storage failure names the method and its key and
// stays internal; a domain error is returned as it is.
func TestErrorsSayWhere(t *testing.T) {
	e := newEnv(t)
	if _, err := e.st.RemoveSubscriber(e.ctx, audit.Person("admin"), 7, e.now); err == nil || err.Error() != "no such subscriber" {
		t.Errorf("a domain error: %v", err)
	}
	e.db.Close()
	_, err := e.st.Publish(e.ctx, e.event("incident.created:12"), e.now)
	if err == nil || !strings.HasPrefix(err.Error(), "notify/sqlite: Publish incident.created:12: ") || errs.CodeOf(err) != errs.Internal {
		t.Errorf("publish on a closed database: %v", err)
	}
	_, err = e.st.Claim(e.ctx, e.now, lease, 1)
	if err == nil || !strings.HasPrefix(err.Error(), "notify/sqlite: Claim 2030-01-07T09:00:00Z: ") {
		t.Errorf("claim on a closed database: %v", err)
	}
	err = e.st.Finish(e.ctx, notify.Job{Delivery: notify.Delivery{ID: "dlv_1"}}, notify.Result{}, nil, e.now)
	if err == nil || !strings.HasPrefix(err.Error(), "notify/sqlite: Finish dlv_1: ") {
		t.Errorf("finish on a closed database: %v", err)
	}
}
