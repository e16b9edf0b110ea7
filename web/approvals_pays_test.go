package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/web/api"
)

// waitingRow is the row of the admin home's list testid ("waiting-row" or
// "yours-row") whose request starts with what.
func waitingRow(t *testing.T, doc *goquery.Document, testID, what string) *goquery.Selection {
	t.Helper()
	row := doc.Find(testid(testID)).FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.HasPrefix(textOf(s.Find("th")), what)
	})
	if row.Length() != 1 {
		t.Fatalf("%d rows %q under %s in:\n%s", row.Length(), what, testID, textOf(doc.Find(testid("waiting-for-you"))))
	}
	return row
}

// ledgerTotal is how many entries the ledger holds and what they sum to
// in USD, read through the API.
func (e *testEnv) ledgerTotal(token string) (int, int64) {
	e.t.Helper()
	var n int
	var sum int64
	for offset := 0; ; {
		var page api.List[desk.LedgerEntry]
		e.api("GET", fmt.Sprintf("/ledger?offset=%d", offset), token, nil).expect(e.t, http.StatusOK).decode(e.t, &page)
		for _, le := range page.Items {
			if le.Currency != "USD" {
				e.t.Fatalf("entry %d in %s", le.ID, le.Currency)
			}
			sum += le.AmountMinor
		}
		n += len(page.Items)
		offset += len(page.Items)
		if len(page.Items) == 0 || offset >= page.Total {
			return n, sum
		}
	}
}

// The admin home's lists of what waits say, for each request, what
// approving it would pay now, the figure the run's page and its
// confirmation step show (desk.Store.Outstanding), with what a run's
// lines owe labelled apart; and every figure there is what approving then
// writes to the ledger. December's first run pays 250.00 USD, the sum of
// the entries its approval writes; a second December run, whose lines
// still owe 250.00 USD, pays 0.00 USD, and approving it adds nothing to
// the ledger; a pending manual credit pays its amount; a goodwill grant
// pays nothing itself, and its goodwill run pays what its approval
// writes, a second goodwill run of the incident nothing.
func TestApprovalsListShowsWhatApprovingPays(t *testing.T) {
	env := newTestEnv(t)
	support := env.token(auth.Support)
	max := env.personToken("max@example.com", auth.Manager)
	env.seedDesk(support, max)
	mgr := env.browser()
	if resp := mgr.postForm("/login", url.Values{"email": {"max@example.com"}, "password": {testPassword}}); resp.StatusCode != http.StatusOK {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	approver := env.personToken("zoe@example.com", auth.Manager)
	viewer := env.token(auth.Viewer)
	sup := env.user(auth.Support)
	env.clock.Advance(time.Minute)

	// home returns what the manager's "Waiting for you" and support's
	// "Waiting for a manager" say a request pays, and its note.
	home := func(what string) (pays, note string) {
		t.Helper()
		_, body := mgr.get("/admin")
		doc := parseHTML(t, body)
		if head := textOf(doc.Find(testid("waiting-for-you") + " thead")); !strings.Contains(head, "Pays if approved") || strings.Contains(head, "Amount") {
			t.Errorf("the list's columns: %q", head)
		}
		row := waitingRow(t, doc, "waiting-row", what)
		pays, note = textOf(row.Find(testid("approval-pays"))), textOf(row.Find(testid("approval-pays-note")))
		_, body = sup.get("/admin")
		own := waitingRow(t, parseHTML(t, body), "yours-row", what)
		if got := textOf(own.Find(testid("approval-pays"))); got != pays {
			t.Errorf("%s: support's own list says it pays %q, the manager's %q", what, got, pays)
		}
		return pays, note
	}
	// approveRun approves run id and returns what the ledger gained.
	approveRun := func(id int64) (int, int64) {
		t.Helper()
		n0, sum0 := env.ledgerTotal(viewer)
		env.api("POST", fmt.Sprintf("/credit-runs/%d/approve", id), approver, nil).expect(t, http.StatusOK)
		n1, sum1 := env.ledgerTotal(viewer)
		return n1 - n0, sum1 - sum0
	}
	request := func(body map[string]any) desk.CreditRun {
		t.Helper()
		var run desk.CreditRun
		env.api("POST", "/credit-runs", support, body).expect(t, http.StatusCreated).decode(t, &run)
		env.api("POST", fmt.Sprintf("/credit-runs/%d/request", run.ID), support, nil).expect(t, http.StatusOK)
		return run
	}

	// December's first run: it pays what its lines owe.
	first := request(map[string]any{"month": "2012-12"})
	what := fmt.Sprintf("Credit run %d: December 2012 tier credits", first.ID)
	pays, note := home(what)
	if pays != "250.00 USD" || note != "Its lines owe 250.00 USD" {
		t.Errorf("first run: pays %q, note %q", pays, note)
	}
	if n, sum := approveRun(first.ID); n != 1 || desk.FormatMoney(sum, "USD") != pays {
		t.Errorf("approving the first run wrote %d entries of %s in all, the list said it pays %s", n, desk.FormatMoney(sum, "USD"), pays)
	}

	// A second December run owes the same and pays nothing.
	second := request(map[string]any{"month": "2012-12"})
	pays, note = home(fmt.Sprintf("Credit run %d: December 2012 tier credits", second.ID))
	if pays != "0.00 USD" || note != "Its lines owe 250.00 USD" {
		t.Errorf("second run: pays %q, note %q, want 0.00 USD and its lines' 250.00 USD labelled", pays, note)
	}
	// The run's page and its confirmation step say the same.
	_, body := mgr.get(fmt.Sprintf("/admin/credits/runs/%d/approve", second.ID))
	if got := textOf(parseHTML(t, body).Find(testid("confirm-outstanding"))); !strings.Contains(got, "pays nothing") {
		t.Errorf("the confirmation step says %q", got)
	}
	if n, sum := approveRun(second.ID); n != 0 || sum != 0 {
		t.Errorf("approving the second run wrote %d entries of %s in all; the list said it pays 0.00 USD", n, desk.FormatMoney(sum, "USD"))
	}

	// A manual credit above the threshold waits and pays its amount.
	var m desk.ManualCredit
	env.api("POST", "/manual-credits", support, map[string]any{"customer": "acme", "amount_minor": 5000, "reason": "Ticket 4."}).
		expect(t, http.StatusCreated).decode(t, &m)
	pays, note = home(fmt.Sprintf("Manual credit %d for acme", m.ID))
	if pays != "50.00 USD" || note != "" {
		t.Errorf("manual credit: pays %q, note %q", pays, note)
	}
	n0, sum0 := env.ledgerTotal(viewer)
	env.api("POST", fmt.Sprintf("/manual-credits/%d/approve", m.ID), approver, nil).expect(t, http.StatusOK)
	if n1, sum1 := env.ledgerTotal(viewer); n1-n0 != 1 || desk.FormatMoney(sum1-sum0, "USD") != pays {
		t.Errorf("approving the manual credit wrote %d entries of %s", n1-n0, desk.FormatMoney(sum1-sum0, "USD"))
	}

	// A goodwill grant pays nothing itself; its goodwill run pays what its
	// approval writes, and a second one nothing.
	inc := env.resolvedIncidentID(support)
	var g desk.GoodwillGrant
	env.api("POST", fmt.Sprintf("/incidents/%d/goodwill", inc), support, map[string]any{"days": 10, "services": []string{"ELB"}, "reason": "Christmas Eve"}).
		expect(t, http.StatusCreated).decode(t, &g)
	pays, note = home(fmt.Sprintf("Goodwill grant %d on incident %d", g.ID, inc))
	if pays != "Nothing" || note != "Its goodwill run pays, approved apart" {
		t.Errorf("goodwill grant: pays %q, note %q", pays, note)
	}
	n0, sum0 = env.ledgerTotal(viewer)
	env.api("POST", fmt.Sprintf("/goodwill/%d/approve", g.ID), approver, nil).expect(t, http.StatusOK)
	if n1, sum1 := env.ledgerTotal(viewer); n1 != n0 || sum1 != sum0 {
		t.Errorf("approving the grant wrote %d entries", n1-n0)
	}
	gw := request(map[string]any{"incident": inc})
	pays, _ = home(fmt.Sprintf("Credit run %d: goodwill of incident %d", gw.ID, inc))
	owed := totalsText(gw.Totals)
	if owed == "" || owed == "0.00 USD" || pays != owed {
		t.Errorf("goodwill run: pays %q, its lines owe %q", pays, owed)
	}
	if n, sum := approveRun(gw.ID); n == 0 || desk.FormatMoney(sum, "USD") != pays {
		t.Errorf("approving the goodwill run wrote %d entries of %s in all, the list said it pays %s", n, desk.FormatMoney(sum, "USD"), pays)
	}
	again := request(map[string]any{"incident": inc})
	if pays, note = home(fmt.Sprintf("Credit run %d: goodwill of incident %d", again.ID, inc)); pays != "0.00 USD" || note != "Its lines owe "+owed {
		t.Errorf("second goodwill run: pays %q, note %q", pays, note)
	}
	if n, sum := approveRun(again.ID); n != 0 || sum != 0 {
		t.Errorf("approving the second goodwill run wrote %d entries of %s", n, desk.FormatMoney(sum, "USD"))
	}
}
