package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/auth"
	authsqlite "github.com/amends/amends/auth/sqlite"
	"github.com/amends/amends/desk"
	desksqlite "github.com/amends/amends/desk/sqlite"
	incsqlite "github.com/amends/amends/incidents/sqlite"
	"github.com/amends/amends/internal/sqlitedb"
	"github.com/amends/amends/notify"
	"github.com/amends/amends/notify/deliver"
	notifysqlite "github.com/amends/amends/notify/sqlite"
	"github.com/amends/amends/web/api"
)

// reopen is e's server started again: the same database file opened anew,
// new stores, a new server; e's clock.
func (e *testEnv) reopen(cfg func(*Config)) *testEnv {
	e.t.Helper()
	var seq int
	var name, path string
	if err := e.db.QueryRow(`PRAGMA database_list`).Scan(&seq, &name, &path); err != nil {
		e.t.Fatal(err)
	}
	ctx := context.Background()
	db, err := sqlitedb.Open(ctx, path)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { db.Close() })
	inc, err := incsqlite.New(db)
	if err != nil {
		e.t.Fatal(err)
	}
	acc, err := authsqlite.New(db)
	if err != nil {
		e.t.Fatal(err)
	}
	d, err := desksqlite.New(db)
	if err != nil {
		e.t.Fatal(err)
	}
	c := Config{SiteName: "Test Cloud", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: e.clock.Now, LoginRate: 1000, SubscribeRate: 1000}
	if cfg != nil {
		cfg(&c)
	}
	srv := New(c, inc, acc, d, dbRevision{db})
	hs := httptest.NewServer(srv.Handler())
	e.t.Cleanup(hs.Close)
	return &testEnv{t: e.t, db: db, incidents: inc, accounts: acc, desk: d, server: srv, http: hs, clock: e.clock}
}

// sendNotices runs one pass of a notify worker over e's database that
// e-mails into the local mail spool, as `amends serve` does without SMTP,
// and posts to customers' webhooks, and returns how many messages it
// attempted.
func (e *testEnv) sendNotices() int {
	e.t.Helper()
	ns, err := notifysqlite.New(e.db)
	if err != nil {
		e.t.Fatal(err)
	}
	// Webhooks may reach the loopback test servers that stand for
	// customers' webhooks (AllowPrivateWebhooks, as --allow-private-webhooks).
	sender := deliver.New(deliver.Config{SiteName: "Test Cloud", BaseURL: e.http.URL, From: "status@localhost", Mailer: ns.Spool(e.clock.Now), Now: e.clock.Now,
		Webhooks: deliver.NewWebhookClient(true, 5*time.Second)})
	w := notify.NewWorker(ns, sender, notify.WorkerOptions{Now: e.clock.Now, Notices: e.desk, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	n, err := w.RunOnce(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// A batch requested by support and approved by another manager puts one
// e-mail per customer contact in the local mail spool (admin's Outbox),
// each under its delivery id; the batch counts them sent; after a restart
// a second approval is refused and the worker sends nothing again.
func TestApprovedNoticesReachTheOutboxOnce(t *testing.T) {
	var spool *notifysqlite.Spool
	withSpool := func(c *Config) { c.MailSpool = spoolHolder{&spool}; c.MailSpooled = true }
	env := newTestEnvWith(t, envOptions{demo: true, start: demoNow, config: withSpool})
	ns, err := notifysqlite.New(env.db)
	if err != nil {
		t.Fatal(err)
	}
	spool = ns.Spool(env.clock.Now)
	support := env.token(auth.Support)
	zoe := env.personToken("zoe@example.com", auth.Manager)
	elb := env.demoIncident("Degraded load balancers")

	var b api.NoticeBatch
	env.api("POST", fmt.Sprintf("/incidents/%d/notices/request", elb.ID), support, nil).expect(t, http.StatusCreated).decode(t, &b)
	if env.sendNotices() != 0 {
		t.Fatal("a requested batch was sent before approval")
	}
	batch := fmt.Sprintf("/notices/%d", b.ID)
	env.api("POST", batch+"/approve", zoe, nil).expect(t, http.StatusOK).decode(t, &b)
	if n := env.sendNotices(); n != len(b.Messages) || n < 5 {
		t.Fatalf("sent %d of %d messages", n, len(b.Messages))
	}

	mails, total, err := spool.Messages(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if total != len(b.Messages) {
		t.Fatalf("%d e-mails in the spool for %d messages", total, len(b.Messages))
	}
	want := map[string]desk.NoticeMessage{}
	for _, m := range b.Messages {
		want[m.DeliveryID] = m
	}
	accounts, err := env.desk.Accounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	name := map[string]string{}
	for _, a := range accounts {
		name[a.ID] = a.Name
	}
	// others is the names of the customers in this batch other than id.
	others := func(id string) []string {
		var out []string
		for _, m := range b.Messages {
			if m.Customer != id {
				out = append(out, name[m.Customer])
			}
		}
		return out
	}
	for _, raw := range mails {
		got, err := deliver.ReadMessage(raw.Message)
		if err != nil {
			t.Fatal(err)
		}
		var id string
		for _, h := range got.Headers {
			if h.Name == "X-Amends-Delivery" {
				id = h.Value
			}
		}
		m, ok := want[id]
		if !ok || !strings.Contains(string(raw.Message), "Message-ID: <"+id+"@amends>") {
			t.Fatalf("an e-mail under unknown delivery id %q", id)
		}
		delete(want, id)
		if raw.To != m.Contact || got.Subject != m.Subject || !strings.Contains(got.Text, "/statement/") || !strings.Contains(got.HTML, "/statement/") {
			t.Errorf("%s's e-mail: to %q, subject %q", m.Customer, raw.To, got.Subject)
		}
		// Its statement link is the customer's own page; nothing of another
		// customer in the same incident is in its e-mail or on that page.
		link := sentStatement.FindString(got.Text)
		resp, page := env.publicGet(link)
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Status and credits of "+name[m.Customer]) {
			t.Errorf("%s's link %q: %d", m.Customer, link, resp.StatusCode)
		}
		for _, other := range others(m.Customer) {
			if strings.Contains(got.Subject+got.Text+got.HTML, other) || strings.Contains(page, other) {
				t.Errorf("%s's e-mail or statement names %s", m.Customer, other)
			}
		}
	}
	var got api.NoticeBatch
	env.api("GET", batch, support, nil).expect(t, http.StatusOK).decode(t, &got)
	for _, c := range got.Customers {
		if c.Sent != 1 || c.Pending != 0 || c.Failed != 0 {
			t.Errorf("customer %+v", c)
		}
	}
	_, body := env.user(auth.Support).get("/admin/outbox")
	if n := parseHTML(t, body).Find(testid("outbox-message")).Length(); n != len(b.Messages) {
		t.Errorf("the Outbox shows %d messages", n)
	}
	_, body = env.user(auth.Support).get("/admin" + batch)
	doc := parseHTML(t, body)
	if row := textOf(doc.Find(testid("batch-customer")).First()); !strings.HasSuffix(row, "1000") {
		t.Errorf("batch page row %q, want sent 1", row)
	}
	if !strings.Contains(textOf(doc.Find(testid("batch-sending"))), "Outbox") {
		t.Error("the batch page does not say the messages go to the Outbox")
	}

	// Restarted: the same file, a new server and a new worker.
	again := env.reopen(withSpool)
	again.api("POST", batch+"/approve", zoe, nil).expect(t, http.StatusConflict)
	if n := again.sendNotices(); n != 0 {
		t.Errorf("the restarted worker sent %d messages again", n)
	}
	if _, total2, err := spool.Messages(context.Background(), 0, 1); err != nil || total2 != total {
		t.Errorf("%d e-mails after the restart, %d before (%v)", total2, total, err)
	}
}
