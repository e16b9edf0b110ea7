package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/notify"
	"github.com/amends/amends/notify/deliver"
	notifysqlite "github.com/amends/amends/notify/sqlite"
)

// mailEnv is the test server with the local mail spool, and the worker
// that serve runs, telling managers what waits for them.
type mailEnv struct {
	*testEnv
	spool  *notifysqlite.Spool
	worker *notify.Worker
}

func newMailEnv(t *testing.T) *mailEnv {
	var spool *notifysqlite.Spool
	e := newTestEnvWith(t, envOptions{config: func(c *Config) { c.MailSpool = spoolHolder{&spool}; c.MailSpooled = true }})
	st, err := notifysqlite.New(e.db)
	if err != nil {
		t.Fatal(err)
	}
	spool = st.Spool(e.clock.Now)
	sender := deliver.New(deliver.Config{SiteName: "Test Cloud", BaseURL: "https://status.example.com", From: "status@localhost", Mailer: spool, Now: e.clock.Now})
	w := notify.NewWorker(st, sender, notify.WorkerOptions{Now: e.clock.Now, Messages: e.server.ApprovalMessages, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return &mailEnv{testEnv: e, spool: spool, worker: w}
}

// mailed runs the worker once and returns the spool's messages by
// recipient, each as its subject and text.
func (e *mailEnv) mailed() map[string][]string {
	e.t.Helper()
	if _, err := e.worker.RunOnce(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	list, _, err := e.spool.Messages(context.Background(), 0, 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string][]string{}
	for _, m := range list {
		read, err := deliver.ReadMessage(m.Message)
		if err != nil {
			e.t.Fatal(err)
		}
		out[m.To] = append(out[m.To], read.Subject+"\n"+read.Text)
	}
	return out
}

// A request that waits for a second person is e-mailed, through the
// outbox, to each manager and admin who may approve it, once: not to its
// requester, not to an account made after the request, and never again
// however often the worker passes; without SMTP it is in /admin/outbox.
// Runs, goodwill grants, manual credits, threshold raises and notice
// batches are each told.
func TestApprovalsWaitingAreMailedOnce(t *testing.T) {
	e := newMailEnv(t)
	support := e.token(auth.Support)
	zoe := e.personToken("zoe@example.com", auth.Manager)
	e.seedDesk(support, zoe)
	admin := e.token(auth.Admin)
	e.personToken("off@example.com", auth.Viewer)
	e.clock.Advance(time.Minute)

	var run desk.CreditRun
	e.api("POST", "/credit-runs", support, map[string]any{"month": "2012-12"}).expect(t, http.StatusCreated).decode(t, &run)
	e.api("POST", fmt.Sprintf("/credit-runs/%d/request", run.ID), support, nil).expect(t, http.StatusOK)
	e.clock.Advance(time.Minute)
	e.personToken("late@example.com", auth.Manager) // made after the request: may not approve it

	got := e.mailed()
	subject := fmt.Sprintf("[Test Cloud] Waiting for you: Credit run %d: December 2012 tier credits, 1 line", run.ID)
	for _, to := range []string{"zoe@example.com", "admin@example.com", "first-admin@example.com"} {
		if len(got[to]) != 1 || !strings.HasPrefix(got[to][0], subject+"\n") {
			t.Errorf("%s was sent %q, want one %q", to, got[to], subject)
			continue
		}
		text := got[to][0]
		for _, want := range []string{"Its lines owe 250.00 USD; what approving it pays, after what the ledger already holds, is on the page below.", "Requested by support@example.com", fmt.Sprintf("https://status.example.com/admin/credits/runs/%d/approve", run.ID)} {
			if !strings.Contains(text, want) {
				t.Errorf("%s's message lacks %q:\n%s", to, want, text)
			}
		}
	}
	for _, to := range []string{"support@example.com", "late@example.com", "off@example.com", "viewer@example.com"} {
		if len(got[to]) != 0 {
			t.Errorf("%s was told: %q", to, got[to])
		}
	}
	for to := range got {
		if to != "zoe@example.com" && to != "admin@example.com" && to != "first-admin@example.com" {
			t.Errorf("%s, not a manager or admin who may approve, was told", to)
		}
	}
	// Every pass offers it again; nobody is told twice.
	e.clock.Advance(time.Hour)
	if again := e.mailed(); len(again["zoe@example.com"]) != 1 || len(again["admin@example.com"]) != 1 {
		t.Errorf("after more passes: %v", again)
	}

	// In the outbox, for support and above, with the link to decide.
	b := e.loginAs("ops@example.com", auth.Support)
	_, body := b.get("/admin/outbox")
	doc := parseHTML(t, body)
	found := false
	doc.Find(testid("outbox-message")).Each(func(_ int, m *goquery.Selection) {
		if strings.Contains(textOf(m), "zoe@example.com") && strings.Contains(textOf(m), "Waiting for you: Credit run") {
			found = true
		}
	})
	if !found {
		t.Errorf("the outbox does not show zoe's message:\n%.2000s", textOf(doc.Find("main")))
	}

	// A goodwill grant asked for by zoe (so she is not told, the admin
	// is), a threshold raise by the admin (so zoe and the later manager
	// are told, the admin is not).
	inc := e.resolvedIncidentID(support)
	var g desk.GoodwillGrant
	e.api("POST", fmt.Sprintf("/incidents/%d/goodwill", inc), zoe, map[string]any{"days": 10, "services": []string{"ELB"}, "reason": "Christmas Eve"}).
		expect(t, http.StatusCreated).decode(t, &g)
	e.api("PUT", "/credit-settings/manual-approval-above/USD", admin, map[string]any{"above_minor": 1000}).expect(t, http.StatusOK)
	var m desk.ManualCredit
	e.api("POST", "/manual-credits", support, map[string]any{"customer": "acme", "amount_minor": 5000, "reason": "Ticket 4."}).
		expect(t, http.StatusCreated).decode(t, &m)
	if m.State != desk.ManualPending {
		t.Fatalf("manual credit %+v", m)
	}
	e.clock.Advance(time.Minute)
	got = e.mailed()
	has := func(to, what string) bool {
		for _, m := range got[to] {
			if strings.Contains(m, what) {
				return true
			}
		}
		return false
	}
	grant := fmt.Sprintf("Waiting for you: Goodwill grant %d", g.ID)
	if !has("admin@example.com", grant) || has("zoe@example.com", grant) {
		t.Errorf("the grant: admin %q, zoe %q", got["admin@example.com"], got["zoe@example.com"])
	}
	raise := "Waiting for you: Raise of the USD manual-credit threshold"
	if !has("zoe@example.com", raise) || has("admin@example.com", raise) || !has("late@example.com", raise) {
		t.Errorf("the raise: zoe %q, admin %q, late %q", got["zoe@example.com"], got["admin@example.com"], got["late@example.com"])
	}
	manual := fmt.Sprintf("Waiting for you: Manual credit %d for acme", m.ID)
	if !has("zoe@example.com", manual) || !has("admin@example.com", manual) || has("support@example.com", manual) {
		t.Errorf("the manual credit: zoe %q, admin %q", got["zoe@example.com"], got["admin@example.com"])
	}
	if len(got["zoe@example.com"]) != 3 || len(got["admin@example.com"]) != 3 {
		t.Errorf("zoe %d messages, admin %d: %v", len(got["zoe@example.com"]), len(got["admin@example.com"]), got)
	}
}
