package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/web/api"
)

// Support requests a credit run, a goodwill grant and a manual credit,
// and an admin a threshold raise: a manager's /admin lists them under
// "Waiting for you" with their counts and the admin navigation shows how
// many; support sees its own under "Waiting for a manager" and no
// "Waiting for you"; the admin sees the three support asked for, not its
// own raise. Once another manager approves the run (through the
// confirmation step), it leaves every list, and the customer's ledger
// holds the credit.
func TestApprovalsWaitingWhereManagersLook(t *testing.T) {
	env := newTestEnv(t)
	support := env.token(auth.Support)
	env.seedDesk(support, env.personToken("zoe@example.com", auth.Manager))
	zoe := env.browser()
	if resp := zoe.postForm("/login", url.Values{"email": {"zoe@example.com"}, "password": {testPassword}}); resp.StatusCode != http.StatusOK {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	adminTok := env.token(auth.Admin)
	env.clock.Advance(time.Minute)

	var run desk.CreditRun
	env.api("POST", "/credit-runs", support, map[string]any{"month": "2012-12"}).expect(t, http.StatusCreated).decode(t, &run)
	env.api("POST", fmt.Sprintf("/credit-runs/%d/request", run.ID), support, nil).expect(t, http.StatusOK)
	inc := env.resolvedIncidentID(support)
	env.api("POST", fmt.Sprintf("/incidents/%d/goodwill", inc), support, map[string]any{"days": 10, "services": []string{"ELB"}, "reason": "Christmas Eve"}).
		expect(t, http.StatusCreated)
	var m desk.ManualCredit
	env.api("POST", "/manual-credits", support, map[string]any{"customer": "acme", "amount_minor": 5000, "reason": "Ticket 4."}).
		expect(t, http.StatusCreated).decode(t, &m)
	if m.State != desk.ManualPending {
		t.Fatalf("manual credit %+v", m)
	}
	env.api("PUT", "/credit-settings/manual-approval-above/USD", adminTok, map[string]any{"above_minor": 10000}).expect(t, http.StatusOK)

	_, body := zoe.get("/admin")
	doc := parseHTML(t, body)
	if got := textOf(doc.Find(testid("waiting-counts"))); got != "1 credit run, 1 goodwill grant, 1 manual credit, 1 threshold raise wait for you to decide." {
		t.Errorf("counts %q", got)
	}
	if n := doc.Find(testid("waiting-row")).Length(); n != 4 {
		t.Errorf("%d rows waiting for the manager", n)
	}
	if got := textOf(doc.Find(testid("nav-waiting"))); got != "Waiting 4 for you" {
		t.Errorf("navigation %q", got)
	}
	if doc.Find(testid("waiting-for-manager")).Length() != 0 {
		t.Error("the manager asked for nothing, yet has requests waiting")
	}
	runRow := doc.Find(testid("waiting-row")).First()
	if got := textOf(runRow); !strings.Contains(got, "Credit run 1: December 2012 tier credits, 1 line") || !strings.Contains(got, "250.00 USD") {
		t.Errorf("run row %q", got)
	}
	if href := runRow.Find("a").AttrOr("href", ""); href != "/admin/credits/runs/1/approve" {
		t.Errorf("run row links %q", href)
	}
	// The navigation shows the count on every admin page.
	_, body = zoe.get("/admin/customers")
	if got := textOf(parseHTML(t, body).Find(testid("nav-waiting"))); got != "Waiting 4 for you" {
		t.Errorf("navigation on the customers page %q", got)
	}

	sup := env.user(auth.Support)
	_, body = sup.get("/admin")
	doc = parseHTML(t, body)
	if doc.Find(testid("waiting-for-you")).Length() != 0 || doc.Find(testid("nav-waiting")).Length() != 0 {
		t.Error("support is asked to decide")
	}
	if n := doc.Find(testid("yours-row")).Length(); n != 3 || !strings.Contains(textOf(doc.Find(testid("waiting-for-manager"))), "Waiting for a manager") {
		t.Errorf("support's own requests: %d rows", n)
	}

	admin := env.user(auth.Admin)
	_, body = admin.get("/admin")
	doc = parseHTML(t, body)
	if n := doc.Find(testid("waiting-row")).Length(); n != 3 || doc.Find(testid("yours-row")).Length() != 1 {
		t.Errorf("admin: %d waiting, %d own", n, doc.Find(testid("yours-row")).Length())
	}

	// Zoe approves the run through the confirmation step.
	confirm := "/admin/credits/runs/1/approve"
	zoe.get(confirm)
	if st, _ := zoe.send(confirm, nil); st != http.StatusSeeOther {
		t.Fatalf("approve: %d", st)
	}
	_, body = zoe.get("/admin")
	if got := textOf(parseHTML(t, body).Find(testid("nav-waiting"))); got != "Waiting 3 for you" {
		t.Errorf("navigation after the approval %q", got)
	}
	_, body = sup.get("/admin")
	if n := parseHTML(t, body).Find(testid("yours-row")).Length(); n != 2 {
		t.Errorf("support's requests after the approval: %d", n)
	}
	var led api.List[desk.LedgerEntry]
	env.api("GET", "/ledger?customer=acme", env.token(auth.Viewer), nil).expect(t, http.StatusOK).decode(t, &led)
	if led.Total != 1 || led.Items[0].AmountMinor != 25000 {
		t.Fatalf("ledger %+v", led.Items)
	}
}

// A requested batch of personal notices waits for a manager like money
// does: it is listed under "Waiting for you" with its customers and
// messages, linked to the batch, and counted in the navigation; its
// requester sees it under "Waiting for a manager"; once approved it
// leaves both.
func TestNoticeBatchWaitsForAManager(t *testing.T) {
	env := newDemoEnv(t)
	support := env.token(auth.Support)
	zoeTok := env.personToken("zoe@example.com", auth.Manager)
	zoe := env.browser()
	if resp := zoe.postForm("/login", url.Values{"email": {"zoe@example.com"}, "password": {testPassword}}); resp.StatusCode != http.StatusOK {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	elb := env.demoIncident("Degraded load balancers")
	var b api.NoticeBatch
	env.api("POST", fmt.Sprintf("/incidents/%d/notices/request", elb.ID), support, nil).expect(t, http.StatusCreated).decode(t, &b)
	customers := map[string]bool{}
	for _, m := range b.Messages {
		customers[m.Customer] = true
	}

	_, body := zoe.get("/admin")
	doc := parseHTML(t, body)
	if got := textOf(doc.Find(testid("waiting-counts"))); got != "1 batch of personal notices waits for you to decide." {
		t.Errorf("counts %q", got)
	}
	row := doc.Find(testid("waiting-row"))
	want := fmt.Sprintf("Personal notices %d on incident %d: %d customers, %d messages", b.ID, elb.ID, len(customers), len(b.Messages))
	if row.Length() != 1 || !strings.Contains(textOf(row), want) {
		t.Errorf("row %q, want %q", textOf(row), want)
	}
	if href := row.Find("a").AttrOr("href", ""); href != fmt.Sprintf("/admin/notices/%d", b.ID) {
		t.Errorf("row links %q", href)
	}
	if got := textOf(doc.Find(testid("nav-waiting"))); got != "Waiting 1 for you" {
		t.Errorf("navigation %q", got)
	}
	_, body = env.user(auth.Support).get("/admin")
	if got := textOf(parseHTML(t, body).Find(testid("waiting-for-manager"))); !strings.Contains(got, want) {
		t.Errorf("the requester's list %q", got)
	}
	// Zoe is to be told by e-mail; its requester is not.
	msgs, err := env.server.ApprovalMessages(context.Background(), env.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	var told []string
	for _, m := range msgs {
		if strings.Contains(m.Subject, want) {
			told = append(told, m.To)
			if m.Path != fmt.Sprintf("/admin/notices/%d", b.ID) {
				t.Errorf("the message links %q", m.Path)
			}
		}
	}
	if !slices.Contains(told, "zoe@example.com") || slices.Contains(told, "support@example.com") {
		t.Errorf("told %v", told)
	}

	env.api("POST", fmt.Sprintf("/notices/%d/approve", b.ID), env.personToken("max@example.com", auth.Manager), nil).expect(t, http.StatusForbidden) // made after the request
	env.api("POST", fmt.Sprintf("/notices/%d/approve", b.ID), zoeTok, nil).expect(t, http.StatusOK)
	_, body = zoe.get("/admin")
	doc = parseHTML(t, body)
	if doc.Find(testid("waiting-row")).Length() != 0 || doc.Find(testid("nav-waiting")).Length() != 0 {
		t.Errorf("the approved batch still waits: %q", textOf(doc.Find(testid("waiting-for-you"))))
	}
}
