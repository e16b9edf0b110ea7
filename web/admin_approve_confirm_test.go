package web

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/web/api"
)

// Approving a goodwill grant goes through a confirmation step that shows
// what its run will pay per currency and to how many customers, the same
// figures the goodwill run then previews; its requester, support and an
// account made after the request are refused with the page saying why
// (403, no button); once approved the step answers 409. "Waiting for you"
// links to the step.
func TestConfirmApproveGoodwill(t *testing.T) {
	env := newDemoEnv(t)
	support := env.token(auth.Support)
	max := env.personToken("max@example.com", auth.Manager)
	zoeTok := env.personToken("zoe@example.com", auth.Manager)
	zoe := env.browser()
	if resp := zoe.postForm("/login", url.Values{"email": {"zoe@example.com"}, "password": {testPassword}}); resp.StatusCode != http.StatusOK {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	elb := env.demoIncident("Degraded load balancers")
	var g desk.GoodwillGrant
	env.api("POST", fmt.Sprintf("/incidents/%d/goodwill", elb.ID), max, map[string]any{"days": 10, "services": []string{"ELB"}, "reason": "Christmas Eve"}).
		expect(t, http.StatusCreated).decode(t, &g)
	path := fmt.Sprintf("/admin/goodwill/%d/approve", g.ID)

	_, body := zoe.get("/admin")
	found := false
	parseHTML(t, body).Find(testid("waiting-row") + " a").Each(func(_ int, a *goquery.Selection) {
		found = found || a.AttrOr("href", "") == path
	})
	if !found {
		t.Errorf("no waiting row links %s", path)
	}

	resp, body := zoe.get(path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d\n%.500s", path, resp.StatusCode, body)
	}
	doc := parseHTML(t, body)
	if doc.Find(testid("approve-form")).Length() != 1 || doc.Find(testid("confirm-refused")).Length() != 0 {
		t.Fatal("zoe may approve, yet has no button")
	}
	var shown []string
	doc.Find(testid("confirm-totals") + " tbody tr").Each(func(_ int, tr *goquery.Selection) {
		shown = append(shown, textOf(tr.Find("th"))+" "+textOf(tr.Find("td")))
	})
	customers := textOf(doc.Find(testid("confirm-customers")))
	if facts := textOf(doc.Find(testid("confirm-facts"))); !strings.Contains(facts, "10 days") || !strings.Contains(facts, "Eligible per component") {
		t.Errorf("facts %q", facts)
	}

	// Who may not approve it is told why, with no button.
	env.clock.Advance(time.Minute)
	for who, want := range map[string]string{max: "you requested", env.personToken("late@example.com", auth.Manager): "after"} {
		b := env.browser()
		email := "max@example.com"
		if who != max {
			email = "late@example.com"
		}
		b.postForm("/login", url.Values{"email": {email}, "password": {testPassword}})
		resp, body := b.get(path)
		doc := parseHTML(t, body)
		if resp.StatusCode != http.StatusForbidden || doc.Find(testid("approve-form")).Length() != 0 || !strings.Contains(textOf(doc.Find(testid("confirm-refused"))), want) {
			t.Errorf("%s: %d, refused %q", email, resp.StatusCode, textOf(doc.Find(testid("confirm-refused"))))
		}
	}
	if resp, _ := env.user(auth.Support).get(path); resp.StatusCode != http.StatusForbidden {
		t.Errorf("support: %d", resp.StatusCode)
	}

	// Zoe approves through the step; the goodwill run previews what it said.
	if st, _ := zoe.send(path, nil); st != http.StatusSeeOther {
		t.Fatalf("approve: %d", st)
	}
	if resp, _ := zoe.get(path); resp.StatusCode != http.StatusConflict {
		t.Errorf("the step after the approval: %d", resp.StatusCode)
	}
	var run desk.CreditRun
	env.api("POST", "/credit-runs", support, map[string]any{"incident": elb.ID}).expect(t, http.StatusCreated).decode(t, &run)
	var want []string
	for _, tot := range run.Totals {
		if tot.PayableMinor != 0 || len(run.Totals) == 1 {
			want = append(want, tot.Currency+" "+desk.FormatMoney(tot.PayableMinor, tot.Currency))
		}
	}
	var full api.Run
	env.api("GET", fmt.Sprintf("/credit-runs/%d", run.ID), zoeTok, nil).expect(t, http.StatusOK).decode(t, &full)
	paid := map[string]bool{}
	for _, l := range full.Lines {
		if l.PayableMinor > 0 {
			paid[l.Customer] = true
		}
	}
	sort.Strings(want)
	sort.Strings(shown)
	if len(shown) == 0 || strings.Join(shown, "|") != strings.Join(want, "|") {
		t.Errorf("the step showed %q, the run pays %q", shown, want)
	}
	if wantCustomers := fmt.Sprintf("%d customers would be paid.", len(paid)); customers != wantCustomers || len(paid) < 2 {
		t.Errorf("the step said %q, the run pays %d customers", customers, len(paid))
	}
}

// Approving a manual credit goes through a confirmation step with its
// amount and customer; its requester is refused (403, no button); the
// step's button issues it; once decided the step answers 409.
func TestConfirmApproveManualCredit(t *testing.T) {
	env := newTestEnv(t)
	support := env.token(auth.Support)
	env.seedDesk(support, env.personToken("max@example.com", auth.Manager))
	zoe := env.loginAs("zoe@example.com", auth.Manager)
	var m desk.ManualCredit
	env.api("POST", "/manual-credits", support, map[string]any{"customer": "acme", "amount_minor": 5000, "service": "ELB", "month": "2012-12", "reason": "Ticket 4."}).
		expect(t, http.StatusCreated).decode(t, &m)
	if m.State != desk.ManualPending {
		t.Fatalf("manual credit %+v", m)
	}
	path := fmt.Sprintf("/admin/credits/manual/%d/approve", m.ID)

	_, body := zoe.get("/admin/credits/manual?state=pending")
	if href := parseHTML(t, body).Find(testid("manual-approve")).AttrOr("href", ""); href != path {
		t.Errorf("the list's Approve goes to %q, want %q", href, path)
	}
	resp, body := zoe.get(path)
	doc := parseHTML(t, body)
	if resp.StatusCode != http.StatusOK || doc.Find(testid("approve-form")).Length() != 1 {
		t.Fatalf("%s: %d\n%.500s", path, resp.StatusCode, body)
	}
	if got := textOf(doc.Find(testid("confirm-totals")+" tbody th")) + " " + textOf(doc.Find(testid("confirm-totals")+" tbody td")); got != "USD 50.00 USD" {
		t.Errorf("totals %q", got)
	}
	if got := textOf(doc.Find(testid("confirm-customers"))); got != "1 customer would be paid: Acme (acme)." {
		t.Errorf("customers %q", got)
	}
	if got := textOf(doc.Find(testid("confirm-facts"))); !strings.Contains(got, "ELB December 2012") || !strings.Contains(got, "Ticket 4.") {
		t.Errorf("facts %q", got)
	}
	sup := env.user(auth.Support)
	if resp, _ := sup.get(path); resp.StatusCode != http.StatusForbidden {
		t.Errorf("support: %d", resp.StatusCode)
	}
	// A manager's own request.
	var own desk.ManualCredit
	env.api("POST", "/manual-credits", env.personToken("ann@example.com", auth.Manager), map[string]any{"customer": "acme", "amount_minor": 7000, "reason": "Ticket 5."}).
		expect(t, http.StatusCreated).decode(t, &own)
	ann := env.browser()
	ann.postForm("/login", url.Values{"email": {"ann@example.com"}, "password": {testPassword}})
	resp, body = ann.get(fmt.Sprintf("/admin/credits/manual/%d/approve", own.ID))
	doc = parseHTML(t, body)
	if resp.StatusCode != http.StatusForbidden || doc.Find(testid("approve-form")).Length() != 0 || doc.Find(testid("confirm-refused")).Length() != 1 {
		t.Errorf("the requester: %d", resp.StatusCode)
	}

	if st, _ := zoe.send(path, nil); st != http.StatusSeeOther {
		t.Fatalf("approve: %d", st)
	}
	var got desk.ManualCredit
	env.api("GET", fmt.Sprintf("/manual-credits/%d", m.ID), support, nil).expect(t, http.StatusOK).decode(t, &got)
	if got.State != desk.ManualIssued || got.DecidedBy != "zoe@example.com" {
		t.Errorf("after the step: %+v", got)
	}
	if resp, _ := zoe.get(path); resp.StatusCode != http.StatusConflict {
		t.Errorf("the step after the approval: %d", resp.StatusCode)
	}
}
