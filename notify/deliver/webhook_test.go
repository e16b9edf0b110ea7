package deliver_test

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/incidents"
	incsqlite "github.com/amends/amends/incidents/sqlite"
	"github.com/amends/amends/internal/sqlitedb"
	"github.com/amends/amends/notify"
	"github.com/amends/amends/notify/deliver"
	notifysqlite "github.com/amends/amends/notify/sqlite"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// env is a real database with two components, the notify store and
// service over it, and a sender that may reach 127.0.0.1.
type env struct {
	t         *testing.T
	incidents *incsqlite.Store
	store     *notifysqlite.Store
	service   *notify.Service
	sender    *deliver.Sender
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
	clk := &clock{now: time.Date(2012, 12, 24, 20, 0, 0, 0, time.UTC)}
	inc.Now = clk.Now
	if _, err := inc.CreateService(ctx, audit.Person("test"), incidents.Service{ID: "ELB", Name: "ELB"}, clk.Now()); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"elb-us-east-1", "elb-eu-west-1"} {
		if _, err := inc.CreateComponent(ctx, audit.Person("test"), incidents.Component{ID: id, Service: "ELB", Name: id, Region: id[4:]}, clk.Now()); err != nil {
			t.Fatal(err)
		}
	}
	return &env{
		t: t, incidents: inc, store: st, clock: clk,
		service: notify.NewService(st, notify.Options{AllowPrivateWebhooks: true}),
		sender:  deliver.New(deliver.Config{SiteName: "Test Cloud", BaseURL: "https://status.example.com", Webhooks: deliver.NewWebhookClient(true, 5*time.Second), Now: clk.Now}),
	}
}

func (e *env) worker() *notify.Worker {
	return notify.NewWorker(e.store, e.sender, notify.WorkerOptions{
		Now: e.clock.Now, Maintenances: e.incidents, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
}

func (e *env) run(w *notify.Worker) int {
	e.t.Helper()
	n, err := w.RunOnce(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *env) publish(ev notify.Event) {
	e.t.Helper()
	if err := e.service.Publish(context.Background(), ev, e.clock.Now()); err != nil {
		e.t.Fatal(err)
	}
}

// receiver is a webhook endpoint: it answers challenges, can be down
// (503), checks every signature, and counts deliveries by id.
type receiver struct {
	t      *testing.T
	clock  *clock
	mu     sync.Mutex
	secret string
	down   bool
	got    map[string]deliver.WebhookBody // by delivery id, accepted only
	dups   int
	bad    int
	tried  int
	server *httptest.Server
}

func newReceiver(t *testing.T, clk *clock) *receiver {
	r := &receiver{t: t, clock: clk, got: map[string]deliver.WebhookBody{}}
	r.server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.server.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	var b deliver.WebhookBody
	if err := json.Unmarshal(body, &b); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if b.Type == "challenge" {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"challenge": b.Challenge})
		return
	}
	r.tried++
	if r.down {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		return
	}
	if !verify(r.secret, req.Header.Get("Amends-Signature"), body, r.clock.Now(), 5*time.Minute) {
		r.bad++
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	id := req.Header.Get("Amends-Delivery")
	if id != b.ID || req.Header.Get("Amends-Event") != b.Type {
		r.bad++
	}
	if _, seen := r.got[id]; seen {
		r.dups++
	}
	r.got[id] = b
	w.WriteHeader(http.StatusNoContent)
}

func (r *receiver) setDown(down bool) { r.mu.Lock(); r.down = down; r.mu.Unlock() }

func (e *env) subscribeWebhook(r *receiver, components ...string) notify.Subscriber {
	e.t.Helper()
	sub, err := e.service.Subscribe(context.Background(), audit.Named("visitor 127.0.0.1"), notify.SubscribeInput{WebhookURL: r.server.URL + "/hook", Components: components},
		[]string{"elb-us-east-1", "elb-eu-west-1"}, e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	r.mu.Lock()
	r.secret = sub.Subscriber.Secret
	r.mu.Unlock()
	return sub.Subscriber
}

func (e *env) state(id int64) notify.State {
	e.t.Helper()
	list, err := e.store.Subscribers(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	for _, s := range list {
		if s.ID == id {
			return s.State
		}
	}
	e.t.Fatalf("no subscriber %d", id)
	return ""
}

func change(id string, st incidents.Status) incidents.ComponentChange {
	return incidents.ComponentChange{Component: id, Status: st}
}

// TestWebhookOutageAndRestart: a receiver confirms by challenge, is down
// (503) for a minute while events happen (two of them by the clock), a
// worker is replaced mid-way and another dies holding a claim; when the
// receiver is back it gets every event exactly once by delivery id, each
// correctly signed, and the log shows the failed attempts.
func TestWebhookOutageAndRestart(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	r := newReceiver(t, e.clock)
	w := e.worker()

	sub := e.subscribeWebhook(r)
	if sub.State != notify.Pending || sub.Secret == "" {
		t.Fatalf("new webhook subscriber: %+v", sub)
	}
	// Nothing goes to a webhook before it answers its challenge.
	inc, err := e.incidents.CreateIncident(ctx, audit.Person("support"), incidents.IncidentInput{Title: "Before confirmation", Message: "x",
		Components: []incidents.ComponentChange{change("elb-us-east-1", incidents.DegradedPerformance)}}, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	e.publish(notify.ForNewIncident(inc))
	if n := e.run(w); n != 1 {
		t.Fatalf("first pass sent %d deliveries, want the challenge only", n)
	}
	if got := e.state(sub.ID); got != notify.Active {
		t.Fatalf("after the challenge the subscriber is %s", got)
	}

	r.setDown(true)
	want := map[notify.EventType]bool{}
	inc, err = e.incidents.CreateIncident(ctx, audit.Person("support"), incidents.IncidentInput{Title: "Load balancers degraded", Message: "Investigating",
		Components: []incidents.ComponentChange{change("elb-us-east-1", incidents.PartialOutage)}}, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	e.publish(notify.ForNewIncident(inc))
	want[notify.IncidentCreated] = true
	m, err := e.incidents.CreateMaintenance(ctx, audit.Person("support"), incidents.MaintenanceInput{Title: "Control plane patch", Message: "m",
		Components: []string{"elb-eu-west-1"}, StartsAt: e.clock.Now().Add(15 * time.Second), EndsAt: e.clock.Now().Add(45 * time.Second)}, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	e.publish(notify.ForNewMaintenance(m))
	want[notify.MaintenanceScheduled] = true

	// A minute of outage, a pass every 10 s; half-way the worker is
	// stopped and a new one starts over the same database.
	for i := range 6 {
		if i == 3 {
			w = e.worker()
			inc, err = e.incidents.AddUpdate(ctx, audit.Person("support"), inc.ID, incidents.UpdateInput{Phase: incidents.Identified, Message: "Found it"}, e.clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			e.publish(notify.ForUpdate(inc))
			want[notify.IncidentUpdated] = true
		}
		e.run(w)
		e.clock.Advance(10 * time.Second)
	}
	want[notify.MaintenanceStarted], want[notify.MaintenanceCompleted] = true, true

	// A worker that dies holding a claim: its delivery comes back after
	// the lease.
	if jobs, err := e.store.Claim(ctx, e.clock.Now().Add(time.Hour), 2*time.Minute, 1); err != nil || len(jobs) != 1 {
		t.Fatalf("claim by a doomed worker: %v, %d jobs", err, len(jobs))
	}

	r.setDown(false)
	inc, err = e.incidents.AddUpdate(ctx, audit.Person("support"), inc.ID, incidents.UpdateInput{Phase: incidents.Resolved, Message: "Fixed"}, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	e.publish(notify.ForUpdate(inc))
	e.publish(notify.ForUpdate(inc)) // the same update twice is one event
	want[notify.IncidentResolved] = true
	pub := e.clock.Now()
	e.publish(notify.ForExplanation(inc, incidents.Revision{IncidentID: inc.ID, Number: 1, Title: "What happened", PublishedAt: &pub}))
	want[notify.ExplanationPublished] = true

	// Time passes in passes of 5 minutes, up to three hours: past the
	// backoff cap and the lease.
	for range 36 {
		e.clock.Advance(5 * time.Minute)
		e.run(w)
	}

	r.mu.Lock()
	defer r.mu.Unlock()
	if r.bad != 0 || r.dups != 0 {
		t.Errorf("%d bad signatures or headers, %d duplicate deliveries", r.bad, r.dups)
	}
	byType := map[string]int{}
	for _, b := range r.got {
		byType[b.Type]++
		if b.Data == nil || b.Data.Title == "" || b.UnsubscribeURL == "" {
			t.Errorf("delivery %s has no data: %+v", b.ID, b)
		}
	}
	for typ := range want {
		if byType[string(typ)] != 1 {
			t.Errorf("%s received %d times, want once", typ, byType[string(typ)])
		}
	}
	if len(r.got) != len(want) {
		t.Errorf("received %d events, want %d: %v", len(r.got), len(want), byType)
	}
	if r.tried <= len(want) {
		t.Errorf("only %d requests: the outage caused no retries", r.tried)
	}

	ds, err := e.store.Deliveries(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.State != notify.Sent {
			t.Errorf("delivery %s (%s %s) is %s: %s", d.ID, d.Kind, d.EventType, d.State, d.LastError)
		}
	}
	failed, err := e.store.Log(ctx, notify.LogFilter{Outcome: "failed"})
	if err != nil {
		t.Fatal(err)
	}
	codes := map[int]int{}
	lease := 0
	for _, a := range failed {
		codes[a.Code]++
		if a.Code == 0 && contains(a.Error, "lease ran out") {
			lease++
		}
	}
	if codes[503] == 0 || lease != 1 {
		t.Errorf("failed attempts by code %v, %d lease expiries; want 503s and one lease expiry", codes, lease)
	}
}

func contains(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && (s[:len(sub)] == sub || contains(s[1:], sub)))
}

// TestChosenComponents: a subscriber to one component gets only events
// that name it; a subscriber to everything gets all.
func TestChosenComponents(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	east, all := newReceiver(t, e.clock), newReceiver(t, e.clock)
	w := e.worker()
	e.subscribeWebhook(east, "elb-us-east-1")
	e.subscribeWebhook(all)
	e.run(w)

	for _, comp := range []string{"elb-eu-west-1", "elb-us-east-1", "elb-eu-west-1"} {
		inc, err := e.incidents.CreateIncident(ctx, audit.Person("support"), incidents.IncidentInput{Title: "Trouble in " + comp, Message: "x",
			Components: []incidents.ComponentChange{change(comp, incidents.MajorOutage)}}, e.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		e.publish(notify.ForNewIncident(inc))
	}
	m, err := e.incidents.CreateMaintenance(ctx, audit.Person("support"), incidents.MaintenanceInput{Title: "East patch", Components: []string{"elb-us-east-1"},
		StartsAt: e.clock.Now().Add(time.Hour), EndsAt: e.clock.Now().Add(2 * time.Hour)}, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	e.publish(notify.ForNewMaintenance(m))
	e.run(w)

	titles := func(r *receiver) map[string]bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		out := map[string]bool{}
		for _, b := range r.got {
			out[b.Data.Title] = true
		}
		return out
	}
	if got := titles(east); len(got) != 2 || !got["Trouble in elb-us-east-1"] || !got["East patch"] {
		t.Errorf("the us-east-1 subscriber got %v", got)
	}
	if got := titles(all); len(got) != 3 {
		t.Errorf("the subscriber to everything got %v", got)
	}
	all.mu.Lock()
	n := len(all.got)
	all.mu.Unlock()
	if n != 4 {
		t.Errorf("the subscriber to everything got %d events, want 4", n)
	}
}

// TestRelayAfterCrash: incident writes whose events never reached the
// outbox (the process died between the commit and the publish) are still
// told, once each, by the worker's relay; events the handlers did publish
// are not told twice; backfilled history is not told at all.
func TestRelayAfterCrash(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	r := newReceiver(t, e.clock)
	w := notify.NewWorker(e.store, e.sender, notify.WorkerOptions{
		Now: e.clock.Now, Maintenances: e.incidents, Incidents: e.incidents, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	e.subscribeWebhook(r)
	e.run(w) // the challenge

	// Published by the handler, as usual.
	inc, err := e.incidents.CreateIncident(ctx, audit.Person("support"), incidents.IncidentInput{Title: "Told at once", Message: "x",
		Components: []incidents.ComponentChange{change("elb-us-east-1", incidents.PartialOutage)}}, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	e.publish(notify.ForNewIncident(inc))
	// Written, then the process died before publishing: an update and a
	// resolution.
	e.clock.Advance(time.Minute)
	if _, err := e.incidents.AddUpdate(ctx, audit.Person("support"), inc.ID, incidents.UpdateInput{Phase: incidents.Identified, Message: "Found it"}, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	if _, err := e.incidents.AddUpdate(ctx, audit.Person("support"), inc.ID, incidents.UpdateInput{Phase: incidents.Resolved, Message: "Fixed"}, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	// History recorded today about last month: not news.
	old := e.clock.Now().Add(-30 * 24 * time.Hour)
	oldEnd := old.Add(time.Hour)
	hist, err := e.incidents.CreateIncident(ctx, audit.Person("import"), incidents.IncidentInput{Title: "Last month", Message: "x", StartedAt: &old,
		Components: []incidents.ComponentChange{change("elb-eu-west-1", incidents.MajorOutage)}}, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.incidents.AddUpdate(ctx, audit.Person("import"), hist.ID, incidents.UpdateInput{Phase: incidents.Resolved, Message: "Fixed", At: &oldEnd}, e.clock.Now()); err != nil {
		t.Fatal(err)
	}

	for range 3 { // a few passes: the relay must not repeat itself
		e.run(w)
		e.clock.Advance(5 * time.Second)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var types []string
	for _, b := range r.got {
		types = append(types, b.Type+" "+b.Data.Title)
	}
	if len(r.got) != 3 || r.dups != 0 || r.bad != 0 {
		t.Fatalf("got %d deliveries (%d duplicates, %d bad), want created, updated, resolved once each: %v", len(r.got), r.dups, r.bad, types)
	}
	seen := map[string]bool{}
	for _, b := range r.got {
		if b.Data.Title != "Told at once" {
			t.Errorf("history was told: %s %s", b.Type, b.Data.Title)
		}
		seen[b.Type] = true
	}
	for _, want := range []string{"incident.created", "incident.updated", "incident.resolved"} {
		if !seen[want] {
			t.Errorf("no %s delivered: %v", want, types)
		}
	}
}

// verify checks an Amends-Signature header against body and secret, and
// that its time is within tolerance of now, as a receiver checks it.
func verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) bool {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sig == "" {
		return false
	}
	at := time.Unix(unix, 0)
	if d := now.Sub(at); d > tolerance || d < -tolerance {
		return false
	}
	want := deliver.Sign(secret, at, body)
	return hmac.Equal([]byte(want), []byte("t="+ts+",v1="+sig))
}
