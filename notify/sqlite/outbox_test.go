package sqlite_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amends/amends/notify"
)

// TestClaimTakesDueDeliveries: a claim takes the deliveries whose NextAt
// has come, oldest first, leases them, and carries what sending needs; a
// delivery not yet due and one already claimed are left alone.
func TestClaimTakesDueDeliveries(t *testing.T) {
	e := newEnv(t)
	sub := e.activeHook("ops")
	var events []int64 // ids, by minute
	for i, key := range []string{"incident.updated:1:1", "incident.updated:1:2", "incident.updated:1:3"} {
		e.now = t0.Add(time.Duration(i) * time.Minute)
		e.publish(key, "elb-us-east-1")
		events = append(events, int64(e.count(`SELECT id FROM notify_events WHERE key = ?`, key)))
	}

	jobs := e.claim(t0.Add(time.Minute), 10)
	if len(jobs) != 2 {
		t.Fatalf("claim at +1m took %d deliveries, want the 2 due", len(jobs))
	}
	claims := map[string]bool{}
	for i, j := range jobs {
		d := j.Delivery
		if j.Event == nil || j.Event.ID != events[i] {
			t.Fatalf("job %d carries event %+v, want event %d (oldest first)", i, j.Event, events[i])
		}
		if d.Kind != notify.KindEvent || d.State != notify.Sending || d.Attempts != 0 || d.EventID != j.Event.ID || d.EventType != notify.IncidentUpdated {
			t.Errorf("job %d delivery: %+v", i, d)
		}
		if j.Subscriber.ID != sub.ID || j.Subscriber.Address != sub.Address || j.Subscriber.Secret != sub.Secret {
			t.Errorf("job %d subscriber: %+v", i, j.Subscriber)
		}
		if j.Event.Title != "Load balancers degraded" || len(j.Event.Components) != 1 || !j.Event.At.Equal(t0.Add(time.Duration(i)*time.Minute)) {
			t.Errorf("job %d event payload: %+v", i, j.Event)
		}
		if j.Claim == "" || claims[j.Claim] {
			t.Errorf("job %d claim %q is empty or not unique", i, j.Claim)
		}
		claims[j.Claim] = true
		if got := e.delivery(d.ID).State; got != notify.Sending {
			t.Errorf("delivery %s is %s after the claim", d.ID, got)
		}
	}
	if again := e.claim(t0.Add(time.Minute), 10); len(again) != 0 {
		t.Errorf("a second claim took claimed deliveries: %v", ids(again))
	}
	if last := e.claim(t0.Add(2*time.Minute), 10); len(last) != 1 || last[0].Event.ID != events[2] {
		t.Errorf("claim at +2m: %v, want only the delivery of event %d", ids(last), events[2])
	}
}

// TestClaimBatchIsBounded: a claim takes at most limit deliveries, and
// the next claim takes the rest.
func TestClaimBatchIsBounded(t *testing.T) {
	e := newEnv(t)
	e.activeHook("ops")
	for _, key := range []string{"a", "b", "c", "d", "e"} {
		e.publish("incident.created:" + key)
	}
	seen := map[string]bool{}
	for i, want := range []int{2, 2, 1, 0} {
		jobs := e.claim(e.now, 2)
		if len(jobs) != want {
			t.Fatalf("claim %d took %d, want %d", i, len(jobs), want)
		}
		for _, id := range ids(jobs) {
			if seen[id] {
				t.Fatalf("delivery %s claimed twice", id)
			}
			seen[id] = true
		}
	}
}

// TestConcurrentClaimersNeverShare: workers in two processes (two
// connections pools over one file), three each, claiming at the same
// time, never get the same delivery, and between them get every one.
func TestConcurrentClaimersNeverShare(t *testing.T) {
	e := newEnv(t)
	for _, name := range []string{"a", "b", "c"} {
		e.activeHook(name)
	}
	for i := range 20 {
		e.publish("incident.created:" + string(rune('A'+i)))
	}
	_, other := e.open()
	stores := []notify.Store{e.st, other}

	var mu sync.Mutex
	got := map[string]int{}
	var wg sync.WaitGroup
	errc := make(chan error, 6)
	for w := range 6 {
		st := stores[w%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 60 { // bounded, so that a claim that never runs dry fails the test
				jobs, err := st.Claim(e.ctx, e.now, lease, 4)
				if err != nil {
					errc <- err
					return
				}
				if len(jobs) == 0 {
					return
				}
				mu.Lock()
				for _, id := range ids(jobs) {
					got[id]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	for id, n := range got {
		if n != 1 {
			t.Errorf("delivery %s claimed %d times", id, n)
		}
	}
	if len(got) != 60 {
		t.Errorf("claimed %d deliveries, want all 60", len(got))
	}
}

// TestLeaseRunsOut: a worker that claimed a delivery and died holds it
// until its lease ends; then the delivery is claimable again, the lost
// attempt counts and is logged, and the dead worker's late finish changes
// nothing.
func TestLeaseRunsOut(t *testing.T) {
	e := newEnv(t)
	e.activeHook("ops")
	e.publish("incident.created:1")
	dead := e.claim(t0, 10)
	if len(dead) != 1 {
		t.Fatalf("first claim took %d", len(dead))
	}
	id := dead[0].Delivery.ID

	if jobs := e.claim(t0.Add(lease-time.Second), 10); len(jobs) != 0 {
		t.Fatalf("claimed %v while its lease still ran", ids(jobs))
	}
	if got := e.attempts(id); len(got) != 0 {
		t.Fatalf("log before the lease ran out: %+v", got)
	}

	e.now = t0.Add(lease)
	jobs := e.claim(e.now, 10)
	if len(jobs) != 1 || jobs[0].Delivery.ID != id {
		t.Fatalf("claim when the lease ran out: %v, want %s", ids(jobs), id)
	}
	again := jobs[0]
	if again.Claim == dead[0].Claim || again.Delivery.Attempts != 1 || again.Delivery.State != notify.Sending {
		t.Errorf("reclaimed job: claim changed %v, %+v", again.Claim != dead[0].Claim, again.Delivery)
	}
	log := e.attempts(id)
	if len(log) != 1 || log[0].OK || log[0].Number != 1 || log[0].Code != 0 || !strings.Contains(log[0].Error, "lease ran out") || !log[0].At.Equal(e.now) {
		t.Fatalf("log after the lease ran out: %+v", log)
	}

	// The dead worker wakes up and reports success: logged, but the
	// delivery belongs to the new claim.
	e.now = e.now.Add(5 * time.Second)
	e.finish(dead[0], nil, nil)
	if d := e.delivery(id); d.State != notify.Sending || d.Attempts != 1 {
		t.Errorf("a stale finish moved the delivery: %+v", d)
	}
	if n := len(e.attempts(id)); n != 2 {
		t.Errorf("the stale finish left %d log lines, want 2", n)
	}

	e.finish(again, nil, nil)
	d := e.delivery(id)
	if d.State != notify.Sent || d.Attempts != 2 || d.FinishedAt == nil || !d.FinishedAt.Equal(e.now) {
		t.Errorf("after the new claim's finish: %+v", d)
	}
	if jobs := e.claim(e.now.Add(24*time.Hour), 10); len(jobs) != 0 {
		t.Errorf("a sent delivery was claimed again: %v", ids(jobs))
	}
}

// TestFinishFailedThenGivenUp: a failed attempt makes the delivery due
// again at next, not before, with its error kept; a failure with no next
// ends it as failed. Every attempt is in the log.
func TestFinishFailedThenGivenUp(t *testing.T) {
	e := newEnv(t)
	e.activeHook("ops")
	e.publish("incident.created:1")
	job := e.claim(t0, 10)[0]
	id := job.Delivery.ID

	e.now = t0.Add(time.Second)
	next := t0.Add(30 * time.Second)
	e.finish(job, errors.New("503 Service Unavailable"), &next)
	d := e.delivery(id)
	if d.State != notify.Due || d.Attempts != 1 || !d.NextAt.Equal(next) || d.LastError != "503 Service Unavailable" || d.FinishedAt != nil {
		t.Fatalf("after a failed attempt: %+v", d)
	}
	if jobs := e.claim(next.Add(-time.Second), 10); len(jobs) != 0 {
		t.Fatalf("claimed %v before its next attempt", ids(jobs))
	}
	jobs := e.claim(next, 10)
	if len(jobs) != 1 || jobs[0].Delivery.ID != id || jobs[0].Delivery.Attempts != 1 {
		t.Fatalf("claim at next: %+v", jobs)
	}

	e.now = next.Add(time.Second)
	long := strings.Repeat("x", 600)
	e.finish(jobs[0], errors.New(long), nil)
	d = e.delivery(id)
	if d.State != notify.Failed || d.Attempts != 2 || d.FinishedAt == nil || !d.FinishedAt.Equal(e.now) {
		t.Fatalf("after giving up: %+v", d)
	}
	if d.LastError != long[:500]+"…" {
		t.Errorf("a 600-byte error is kept as %d bytes, want the first 500 and an ellipsis", len(d.LastError))
	}
	if jobs := e.claim(e.now.Add(100*time.Hour), 10); len(jobs) != 0 {
		t.Errorf("a failed delivery was claimed again: %v", ids(jobs))
	}

	log := e.attempts(id)
	if len(log) != 2 {
		t.Fatalf("log has %d attempts, want 2: %+v", len(log), log)
	}
	for i, want := range []struct {
		number int
		at     time.Time
	}{{2, next.Add(time.Second)}, {1, t0.Add(time.Second)}} {
		a := log[i]
		if a.Number != want.number || !a.At.Equal(want.at) || a.OK || a.Code != 503 || a.Duration != 120*time.Millisecond || a.State != notify.Failed {
			t.Errorf("log line %d: %+v", i, a)
		}
	}
}

// TestFinishSent: an accepted delivery is sent, is never claimed again
// and forgets its secret (here a confirmation token).
func TestFinishSent(t *testing.T) {
	e := newEnv(t)
	_, token := e.pendingEmail("ann@example.com")
	jobs := e.claim(t0, 10)
	if len(jobs) != 1 || jobs[0].Delivery.Kind != notify.KindConfirm || jobs[0].Secret != token || jobs[0].Event != nil {
		t.Fatalf("claimed confirmation: %+v", jobs)
	}
	e.now = t0.Add(3 * time.Second)
	e.finish(jobs[0], nil, nil)
	d := e.delivery(jobs[0].Delivery.ID)
	if d.State != notify.Sent || d.Attempts != 1 || d.FinishedAt == nil || !d.FinishedAt.Equal(e.now) || d.LastError != "" {
		t.Errorf("after success: %+v", d)
	}
	if n := e.count(`SELECT count(*) FROM notify_deliveries WHERE secret <> ''`); n != 0 {
		t.Errorf("%d done deliveries still hold their secret", n)
	}
	if jobs := e.claim(t0.Add(time.Hour), 10); len(jobs) != 0 {
		t.Errorf("a sent delivery was claimed again: %v", ids(jobs))
	}
	log := e.attempts(d.ID)
	if len(log) != 1 || !log[0].OK || log[0].Number != 1 || log[0].Code != 204 || log[0].Kind != notify.KindConfirm || log[0].State != notify.Sent {
		t.Errorf("log: %+v", log)
	}
}

// TestChallengeAnswerActivates: an accepted challenge makes its webhook
// subscriber active (audited as the notifier's doing); a failed one
// leaves it pending.
func TestChallengeAnswerActivates(t *testing.T) {
	e := newEnv(t)
	ok := e.pendingHook("ok")
	bad := e.pendingHook("bad")
	e.now = t0.Add(2 * time.Second)
	for _, j := range e.claim(t0, 10) {
		if j.Subscriber.ID == ok.ID {
			e.finish(j, nil, nil)
		} else {
			next := e.now.Add(10 * time.Second)
			e.finish(j, errors.New("no answer"), &next)
		}
	}
	got, err := e.st.SubscriberByToken(e.ctx, ok.UnsubscribeToken)
	if err != nil || got.State != notify.Active || got.ConfirmedAt == nil || !got.ConfirmedAt.Equal(e.now) {
		t.Errorf("subscriber whose challenge was answered: %+v, %v", got, err)
	}
	if got, _ := e.st.SubscriberByToken(e.ctx, bad.UnsubscribeToken); got.State != notify.Pending || got.ConfirmedAt != nil {
		t.Errorf("subscriber whose challenge failed: %+v", got)
	}
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action = 'subscriber.confirm' AND entity_id = ? AND actor LIKE 'amends notifier%'`, ok.ID); n != 1 {
		t.Errorf("%d audit entries for the challenge confirmation, want 1", n)
	}
}
