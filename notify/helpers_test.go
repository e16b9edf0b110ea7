package notify_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/incidents"
	incsqlite "github.com/amends/amends/incidents/sqlite"
	"github.com/amends/amends/internal/sqlitedb"
	"github.com/amends/amends/notify"
	notifysqlite "github.com/amends/amends/notify/sqlite"
)

// clock is the time the worker, the stores and the tests share.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}
func (c *clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// sender is a notify.Sender that records every job it is given and
// refuses, with a 503, jobs for the addresses that are down.
type sender struct {
	mu   sync.Mutex
	jobs []notify.Job
	down map[string]bool
}

func (s *sender) Send(_ context.Context, job notify.Job) notify.Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jobs = append(s.jobs, job)
	if s.down[job.Subscriber.Address] {
		return notify.Result{Code: 503, Err: errors.New("503 Service Unavailable"), Duration: 40 * time.Millisecond}
	}
	return notify.Result{Code: 204, Duration: 40 * time.Millisecond}
}

func (s *sender) setDown(addr string, down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down == nil {
		s.down = map[string]bool{}
	}
	s.down[addr] = down
}

// sent returns the jobs sent so far and forgets them.
func (s *sender) sent() []notify.Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.jobs
	s.jobs = nil
	return out
}

var known = []string{"elb-us-east-1", "elb-eu-west-1"}

// env is a database file opened as the server opens it, with the
// incidents store (two components) and the notify store on it, the
// Service over the notify store, a recording sender and a clock.
type env struct {
	t         *testing.T
	ctx       context.Context
	db        *sql.DB
	incidents *incsqlite.Store
	store     *notifysqlite.Store
	service   *notify.Service
	sender    *sender
	clock     *clock
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	db, err := sqlitedb.Open(ctx, filepath.Join(t.TempDir(), "amends.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	inc, err := incsqlite.New(db)
	if err != nil {
		t.Fatal(err)
	}
	st, err := notifysqlite.New(db)
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{now: time.Date(2030, 1, 7, 9, 0, 0, 0, time.UTC)}
	inc.Now = clk.Now
	if _, err := inc.CreateService(ctx, audit.Person("test"), incidents.Service{ID: "ELB", Name: "ELB"}, clk.Now()); err != nil {
		t.Fatal(err)
	}
	for _, id := range known {
		if _, err := inc.CreateComponent(ctx, audit.Person("test"), incidents.Component{ID: id, Service: "ELB", Name: id, Region: id[4:]}, clk.Now()); err != nil {
			t.Fatal(err)
		}
	}
	return &env{
		t: t, ctx: ctx, db: db, incidents: inc, store: st, clock: clk, sender: &sender{},
		service: notify.NewService(st, notify.Options{Email: true, AllowPrivateWebhooks: true}),
	}
}

// worker returns a worker over the store with the env's sender and clock;
// opts may set the rest.
func (e *env) worker(opts notify.WorkerOptions) *notify.Worker {
	opts.Now = e.clock.Now
	opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	return notify.NewWorker(e.store, e.sender, opts)
}

// run makes one pass of w and returns how many deliveries it attempted.
func (e *env) run(w *notify.Worker) int {
	e.t.Helper()
	n, err := w.RunOnce(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *env) publish(ev notify.Event) {
	e.t.Helper()
	if err := e.service.Publish(e.ctx, ev, e.clock.Now()); err != nil {
		e.t.Fatal(err)
	}
}

// event is an incident.updated event with key, now.
func (e *env) event(key string, components ...string) notify.Event {
	return notify.Event{
		Type: notify.IncidentUpdated, Key: key, At: e.clock.Now(), Title: "Load balancers degraded",
		Path: "/incidents/1", IncidentID: 1, Components: append([]string{}, components...),
	}
}

// webhook subscribes a webhook URL to components (none: everything) and
// lets a worker pass deliver its challenge, which the sender accepts
// unless the address is down.
func (e *env) webhook(url string, components ...string) notify.Subscriber {
	e.t.Helper()
	sub, err := e.service.Subscribe(e.ctx, audit.Named("visitor"), notify.SubscribeInput{WebhookURL: url, Components: components}, known, e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	e.run(e.worker(notify.WorkerOptions{}))
	e.sender.sent()
	return e.subscriber(sub.Subscriber.UnsubscribeToken)
}

func (e *env) subscriber(token string) notify.Subscriber {
	e.t.Helper()
	s, err := e.service.Subscriber(e.ctx, token)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// deliveries returns the outbox, newest first.
func (e *env) deliveries() []notify.Delivery {
	e.t.Helper()
	list, err := e.store.Deliveries(e.ctx, 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	return list
}

func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.QueryRowContext(e.ctx, query, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}
