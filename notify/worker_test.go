package notify_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/notify"
)

// ceiling is the documented upper bound of the jitter after the
// attempts-th failure: BackoffBase doubling from the first, capped at
// BackoffCap.
func ceiling(attempts int) time.Duration {
	table := []time.Duration{10, 10, 20, 40, 80, 160, 320, 640, 1280, 2560} // seconds, by attempts 0..9
	if attempts < len(table) {
		return table[attempts] * time.Second
	}
	return time.Hour
}

// TestBackoff: one second plus a whole number of seconds from 0 to the
// ceiling, drawn by asking random for ceiling+1.
func TestBackoff(t *testing.T) {
	for _, attempts := range []int{-1, 0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 20, 21, 63, 64, 1000} {
		c := ceiling(max(attempts, 0))
		var asked int64
		lowest := notify.Backoff(attempts, func(n int64) int64 { asked = n; return 0 })
		highest := notify.Backoff(attempts, func(n int64) int64 { return n - 1 })
		if asked != int64(c/time.Second)+1 || lowest != time.Second || highest != time.Second+c {
			t.Errorf("Backoff(%d): random asked for %d, from %v to %v; want %d, from 1s to %v", attempts, asked, lowest, highest, int64(c/time.Second)+1, time.Second+c)
		}
		for range 200 {
			d := notify.Backoff(attempts, rand.Int64N)
			if d < time.Second || d > time.Second+c || d%time.Second != 0 {
				t.Fatalf("Backoff(%d) = %v, outside 1s..%v or not whole seconds", attempts, d, time.Second+c)
			}
		}
	}
}

// TestWorkerRetriesThenGivesUp: a webhook that keeps failing gets the same
// delivery again and again, each time after a backoff within the
// documented bounds and not before, until GiveUpAfter since the delivery
// was queued; then it is failed and never sent again. The log has every
// attempt.
func TestWorkerRetriesThenGivesUp(t *testing.T) {
	e := newEnv(t)
	sub := e.webhook("https://hooks.example.com/a")
	e.sender.setDown(sub.Address, true)
	e.publish(e.event("incident.updated:1:2"))
	queued := e.clock.Now()

	var mu sync.Mutex
	var asked []int64
	rnd := rand.New(rand.NewPCG(1, 2))
	w := e.worker(notify.WorkerOptions{Random: func(n int64) int64 {
		mu.Lock()
		defer mu.Unlock()
		asked = append(asked, n)
		return rnd.Int64N(n)
	}})

	var at []time.Time // of each attempt
	var d notify.Delivery
	for k := 1; ; k++ {
		if k > 1000 {
			t.Fatal("the delivery was never given up")
		}
		if n := e.run(w); n != 1 {
			t.Fatalf("attempt %d: the pass attempted %d deliveries", k, n)
		}
		jobs := e.sender.sent()
		if len(jobs) != 1 || (d.ID != "" && jobs[0].Delivery.ID != d.ID) {
			t.Fatalf("attempt %d sent %+v, want the same delivery %q", k, jobs, d.ID)
		}
		d = delivery(e, jobs[0].Delivery.ID)
		at = append(at, e.clock.Now())
		if d.Attempts != k || d.LastError != "503 Service Unavailable" {
			t.Fatalf("after attempt %d: %+v", k, d)
		}
		if d.State == notify.Failed {
			break
		}
		if d.State != notify.Due {
			t.Fatalf("after failed attempt %d the delivery is %s", k, d.State)
		}
		wait, c := d.NextAt.Sub(e.clock.Now()), ceiling(k)
		if wait < time.Second || wait > time.Second+c || wait%time.Second != 0 {
			t.Fatalf("after attempt %d the next is in %v, want whole seconds in 1s..%v", k, wait, time.Second+c)
		}
		if got := asked[len(asked)-1]; got != int64(c/time.Second)+1 {
			t.Fatalf("after attempt %d the jitter was drawn from %d values, want %d", k, got, int64(c/time.Second)+1)
		}
		e.clock.Set(d.NextAt.Add(-time.Second))
		if n := e.run(w); n != 0 {
			t.Fatalf("a pass a second before the retry attempted %d", n)
		}
		e.clock.Set(d.NextAt)
	}

	n := len(at)
	if n < 3 || at[n-1].Sub(queued) < notify.GiveUpAfter || at[n-2].Sub(queued) >= notify.GiveUpAfter {
		t.Errorf("gave up after %d attempts, the last two %v and %v after queueing; want the first attempt at or after %v to be the last",
			n, at[n-2].Sub(queued), at[n-1].Sub(queued), notify.GiveUpAfter)
	}
	if d.FinishedAt == nil || !d.FinishedAt.Equal(at[n-1]) {
		t.Errorf("failed delivery: %+v", d)
	}
	log, err := e.service.Log(e.ctx, notify.LogFilter{SubscriberID: sub.ID, Kind: notify.KindEvent, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != n {
		t.Fatalf("log has %d attempts, want %d", len(log), n)
	}
	for i, a := range log { // newest first
		if a.Number != n-i || !a.At.Equal(at[n-1-i]) || a.OK || a.Code != 503 || a.State != notify.Failed || a.DeliveryID != d.ID {
			t.Errorf("log line %d: %+v", i, a)
		}
	}
	e.sender.setDown(sub.Address, false)
	e.clock.Advance(7 * 24 * time.Hour)
	if n := e.run(w); n != 0 {
		t.Errorf("a failed delivery was attempted again")
	}
}

func delivery(e *env, id string) notify.Delivery {
	e.t.Helper()
	for _, d := range e.deliveries() {
		if d.ID == id {
			return d
		}
	}
	e.t.Fatalf("no delivery %s", id)
	return notify.Delivery{}
}

// TestWorkerRetryThenSuccess: a failed send is tried again after its
// backoff and, once accepted, is sent and done.
func TestWorkerRetryThenSuccess(t *testing.T) {
	e := newEnv(t)
	sub := e.webhook("https://hooks.example.com/a")
	e.sender.setDown(sub.Address, true)
	e.publish(e.event("incident.updated:1:2"))
	w := e.worker(notify.WorkerOptions{})
	e.run(w)
	first := e.sender.sent()[0].Delivery
	e.sender.setDown(sub.Address, false)
	e.clock.Advance(time.Second + ceiling(1))
	if n := e.run(w); n != 1 {
		t.Fatalf("the retry pass attempted %d", n)
	}
	if jobs := e.sender.sent(); len(jobs) != 1 || jobs[0].Delivery.ID != first.ID || jobs[0].Delivery.Attempts != 1 {
		t.Fatalf("retry sent %+v", jobs)
	}
	if d := delivery(e, first.ID); d.State != notify.Sent || d.Attempts != 2 || d.LastError != "" {
		t.Errorf("after the retry succeeded: %+v", d)
	}
}

// TestWorkerSendsOnce: an accepted delivery is marked sent and not sent
// again, however many passes follow and however long after its lease.
func TestWorkerSendsOnce(t *testing.T) {
	e := newEnv(t)
	sub := e.webhook("https://hooks.example.com/a")
	if sub.State != notify.Active {
		t.Fatalf("subscriber after its challenge: %s", sub.State)
	}
	e.publish(e.event("incident.updated:1:2", "elb-us-east-1"))
	w := e.worker(notify.WorkerOptions{})
	if n := e.run(w); n != 1 {
		t.Fatalf("the pass attempted %d", n)
	}
	jobs := e.sender.sent()
	if len(jobs) != 1 || jobs[0].Delivery.Kind != notify.KindEvent || jobs[0].Subscriber.ID != sub.ID || jobs[0].Event == nil || jobs[0].Event.Title != "Load balancers degraded" {
		t.Fatalf("sent %+v", jobs)
	}
	for range 5 {
		e.clock.Advance(time.Hour)
		if n := e.run(w); n != 0 {
			t.Fatalf("a later pass attempted %d", n)
		}
	}
	if d := delivery(e, jobs[0].Delivery.ID); d.State != notify.Sent || d.Attempts != 1 {
		t.Errorf("delivery: %+v", d)
	}
	if log, _ := e.service.Log(e.ctx, notify.LogFilter{Kind: notify.KindEvent}); len(log) != 1 || !log[0].OK || log[0].Code != 204 || log[0].Duration != 40*time.Millisecond {
		t.Errorf("log: %+v", log)
	}
}

// TestWorkersInParallel: two workers draining one outbox at once, with
// small batches and concurrent sends, send every delivery exactly once.
func TestWorkersInParallel(t *testing.T) {
	e := newEnv(t)
	for _, url := range []string{"https://a.example.com/", "https://b.example.com/", "https://c.example.com/"} {
		e.webhook(url)
	}
	for i := range 30 {
		e.publish(e.event("incident.created:" + string(rune('A'+i))))
	}
	opts := notify.WorkerOptions{Batch: 4, Concurrency: 3}
	workers := []*notify.Worker{e.worker(opts), e.worker(opts)}
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := w.RunOnce(e.ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	e.run(workers[0]) // whatever one pass left (a pass has a bounded number of batches)
	got := map[string]int{}
	for _, j := range e.sender.sent() {
		got[j.Delivery.ID]++
	}
	for id, n := range got {
		if n != 1 {
			t.Errorf("delivery %s sent %d times", id, n)
		}
	}
	if len(got) != 90 {
		t.Errorf("%d deliveries sent, want 90", len(got))
	}
}

// TestWorkerTellsMaintenanceEdges: the worker publishes
// maintenance.started and maintenance.completed when the clock crosses a
// window's start and end, once each.
func TestWorkerTellsMaintenanceEdges(t *testing.T) {
	e := newEnv(t)
	e.webhook("https://hooks.example.com/a")
	now := e.clock.Now()
	m, err := e.incidents.CreateMaintenance(e.ctx, audit.Person("support"), incidents.MaintenanceInput{Title: "Control plane patch", Components: []string{"elb-eu-west-1"},
		StartsAt: now.Add(time.Hour), EndsAt: now.Add(2 * time.Hour)}, now)
	if err != nil {
		t.Fatal(err)
	}
	e.publish(notify.ForNewMaintenance(m))
	w := e.worker(notify.WorkerOptions{Maintenances: e.incidents})
	for _, step := range []struct {
		advance time.Duration
		want    notify.EventType // "" for nothing
	}{
		{0, notify.MaintenanceScheduled},
		{59 * time.Minute, ""},
		{time.Minute, notify.MaintenanceStarted},
		{time.Second, ""},
		{time.Hour, notify.MaintenanceCompleted},
		{time.Hour, ""},
	} {
		e.clock.Advance(step.advance)
		e.run(w)
		jobs := e.sender.sent()
		switch {
		case step.want == "" && len(jobs) != 0:
			t.Errorf("at %v sent %s", e.clock.Now().Sub(now), jobs[0].Delivery.EventType)
		case step.want != "" && (len(jobs) != 1 || jobs[0].Delivery.EventType != step.want || jobs[0].Event.MaintenanceID != m.ID):
			t.Errorf("at %v sent %+v, want %s", e.clock.Now().Sub(now), jobs, step.want)
		}
	}
}

// TestWorkerQueuesMessagesOnce: the messages its source offers are sent
// once each, however many passes offer them again, to their own address;
// a new one is sent on the pass that first offers it; a source that fails
// holds up no delivery, and its message goes out once it answers again.
func TestWorkerQueuesMessagesOnce(t *testing.T) {
	e := newEnv(t)
	sub := e.webhook("https://hooks.example.com/a")
	offered := []notify.Message{{Key: "approval:credit_run:1:0:zoe@example.com", To: "zoe@example.com", Subject: "Waiting for you: Credit run 1", Heading: "Credit run 1"}}
	var failing bool
	w := e.worker(notify.WorkerOptions{Messages: func(context.Context, time.Time) ([]notify.Message, error) {
		if failing {
			return nil, errors.New("database is locked")
		}
		return offered, nil
	}})
	if n := e.run(w); n != 1 {
		t.Fatalf("the first pass attempted %d", n)
	}
	jobs := e.sender.sent()
	if len(jobs) != 1 || jobs[0].Delivery.Kind != notify.KindMessage || jobs[0].Message == nil || jobs[0].Subscriber.Address != "zoe@example.com" {
		t.Fatalf("sent %+v", jobs)
	}
	for range 3 {
		e.clock.Advance(time.Minute)
		if n := e.run(w); n != 0 {
			t.Fatalf("a later pass attempted %d", n)
		}
	}
	// The source fails: an event still goes out; the new message waits.
	failing = true
	offered = append(offered, notify.Message{Key: "approval:goodwill_grant:2:0:zoe@example.com", To: "zoe@example.com", Subject: "Waiting for you: Goodwill grant 2"})
	e.publish(e.event("incident.updated:1:2", "elb-us-east-1"))
	if n := e.run(w); n != 1 {
		t.Fatalf("the pass with a failing source attempted %d", n)
	}
	if jobs := e.sender.sent(); len(jobs) != 1 || jobs[0].Subscriber.ID != sub.ID {
		t.Fatalf("with a failing source, sent %+v", jobs)
	}
	failing = false
	if n := e.run(w); n != 1 {
		t.Fatalf("the pass after the source answers attempted %d", n)
	}
	if jobs := e.sender.sent(); len(jobs) != 1 || jobs[0].Message == nil || jobs[0].Message.Subject != "Waiting for you: Goodwill grant 2" {
		t.Fatalf("then sent %+v", jobs)
	}
}
