package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/internal/sqlitedb"
	"github.com/amends/amends/notify"
	"github.com/amends/amends/notify/sqlite"
)

// t0 is when every test starts; instants are whole UTC seconds, as the
// notify.Service and notify.Worker pass them.
var t0 = time.Date(2030, 1, 7, 9, 0, 0, 0, time.UTC)

const lease = 2 * time.Minute

// env is a database file of its own, opened as the server opens it, and
// the notify store on it.
type env struct {
	t    *testing.T
	ctx  context.Context
	path string
	db   *sql.DB
	st   *sqlite.Store
	now  time.Time
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), path: filepath.Join(t.TempDir(), "amends.db"), now: t0}
	e.db, e.st = e.open()
	return e
}

// open opens the database file again, as a second process would.
func (e *env) open() (*sql.DB, *sqlite.Store) {
	e.t.Helper()
	db, err := sqlitedb.Open(e.ctx, e.path)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { db.Close() })
	st, err := sqlite.New(db)
	if err != nil {
		e.t.Fatal(err)
	}
	return db, st
}

// pendingHook adds a webhook subscriber to components (none: everything)
// with its challenge queued.
func (e *env) pendingHook(name string, components ...string) notify.Subscriber {
	e.t.Helper()
	s := notify.Subscriber{
		Channel: notify.Webhook, Address: "https://" + name + ".example.com/hook", Components: append([]string{}, components...),
		State: notify.Pending, CreatedAt: e.now, UnsubscribeToken: notify.NewToken(), Secret: "whsec_" + name,
	}
	first := notify.Delivery{ID: notify.NewDeliveryID(), Kind: notify.KindChallenge, State: notify.Due, NextAt: e.now, CreatedAt: e.now}
	out, existed, err := e.st.AddSubscriber(e.ctx, audit.Named("visitor"), s, "", first, "challenge-"+name, e.now)
	if err != nil || existed {
		e.t.Fatalf("adding %s: existed %v, %v", name, existed, err)
	}
	return out
}

// activeHook adds a webhook subscriber and answers its challenge; no other
// delivery may be due.
func (e *env) activeHook(name string, components ...string) notify.Subscriber {
	e.t.Helper()
	s := e.pendingHook(name, components...)
	jobs := e.claim(e.now, 10)
	if len(jobs) != 1 || jobs[0].Delivery.Kind != notify.KindChallenge || jobs[0].Subscriber.ID != s.ID || jobs[0].Secret != "challenge-"+name {
		e.t.Fatalf("claiming the challenge of %s: %+v", name, jobs)
	}
	e.finish(jobs[0], nil, nil)
	s, err := e.st.SubscriberByToken(e.ctx, s.UnsubscribeToken)
	if err != nil || s.State != notify.Active {
		e.t.Fatalf("%s after its challenge: %+v, %v", name, s, err)
	}
	return s
}

// pendingEmail adds an e-mail subscriber and returns it with the token of
// its confirmation link.
func (e *env) pendingEmail(addr string) (notify.Subscriber, string) {
	e.t.Helper()
	token := notify.NewToken()
	s := notify.Subscriber{Channel: notify.Email, Address: addr, Components: []string{}, State: notify.Pending, CreatedAt: e.now, UnsubscribeToken: notify.NewToken()}
	first := notify.Delivery{ID: notify.NewDeliveryID(), Kind: notify.KindConfirm, State: notify.Due, NextAt: e.now, CreatedAt: e.now}
	out, existed, err := e.st.AddSubscriber(e.ctx, audit.Named("visitor"), s, notify.HashToken(token), first, token, e.now)
	if err != nil || existed {
		e.t.Fatalf("adding %s: existed %v, %v", addr, existed, err)
	}
	return out, token
}

func (e *env) event(key string, components ...string) notify.Event {
	return notify.Event{
		Type: notify.IncidentUpdated, Key: key, At: e.now, Title: "Load balancers degraded", Phase: "identified",
		Message: "Found it", Path: "/incidents/1", IncidentID: 1, Components: append([]string{}, components...),
	}
}

// publish publishes a new event at e.now.
func (e *env) publish(key string, components ...string) notify.Event {
	e.t.Helper()
	ev := e.event(key, components...)
	added, err := e.st.Publish(e.ctx, ev, e.now)
	if err != nil || !added {
		e.t.Fatalf("publishing %s: added %v, %v", key, added, err)
	}
	return ev
}

func (e *env) claim(now time.Time, limit int) []notify.Job {
	e.t.Helper()
	jobs, err := e.st.Claim(e.ctx, now, lease, limit)
	if err != nil {
		e.t.Fatal(err)
	}
	return jobs
}

// finish records an attempt of job at e.now: accepted if sendErr is nil,
// otherwise failed and due again at next (nil: given up).
func (e *env) finish(job notify.Job, sendErr error, next *time.Time) {
	e.t.Helper()
	r := notify.Result{Code: 204, Err: sendErr, Duration: 120 * time.Millisecond}
	if sendErr != nil {
		r.Code = 503
	}
	if err := e.st.Finish(e.ctx, job, r, next, e.now); err != nil {
		e.t.Fatal(err)
	}
}

// delivery returns the delivery with id as the outbox holds it now.
func (e *env) delivery(id string) notify.Delivery {
	e.t.Helper()
	for _, d := range e.deliveries() {
		if d.ID == id {
			return d
		}
	}
	e.t.Fatalf("no delivery %s", id)
	return notify.Delivery{}
}

func (e *env) deliveries() []notify.Delivery {
	e.t.Helper()
	list, err := e.st.Deliveries(e.ctx, 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	return list
}

// eventDeliveries counts the event deliveries queued for each subscriber.
func (e *env) eventDeliveries() map[int64]int {
	e.t.Helper()
	out := map[int64]int{}
	for _, d := range e.deliveries() {
		if d.Kind == notify.KindEvent {
			out[d.SubscriberID]++
		}
	}
	return out
}

// attempts returns the log lines of delivery id, newest first.
func (e *env) attempts(id string) []notify.Attempt {
	e.t.Helper()
	all, err := e.st.Log(e.ctx, notify.LogFilter{Limit: 1000})
	if err != nil {
		e.t.Fatal(err)
	}
	var out []notify.Attempt
	for _, a := range all {
		if a.DeliveryID == id {
			out = append(out, a)
		}
	}
	return out
}

func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.QueryRowContext(e.ctx, query, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func ids(jobs []notify.Job) []string {
	var out []string
	for _, j := range jobs {
		out = append(out, j.Delivery.ID)
	}
	return out
}
