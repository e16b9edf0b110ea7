package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/amends/amends/auth"
)

var madeLocation = regexp.MustCompile(`^/admin/credits/manual\?made=(\d+)$`)

// grant posts the manual credit form as b and returns the new credit's id.
func (b *browser) grant(form url.Values) string {
	b.env.t.Helper()
	b.get("/admin/credits/manual")
	form.Set(csrfField, b.csrf)
	resp, body := b.noFollow().post("/admin/credits/manual", form, nil)
	m := madeLocation.FindStringSubmatch(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || m == nil {
		b.env.t.Fatalf("grant: %d to %q\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	return m[1]
}

// manualRowOf is the list row of manual credit id.
func manualRowOf(doc *goquery.Document, id string) *goquery.Selection {
	return doc.Find(testid("manual-row")).FilterFunction(func(_ int, s *goquery.Selection) bool {
		return textOf(s.Find("th")) == id
	})
}

func (e *testEnv) ledgerRowsOfManual(id string) int {
	e.t.Helper()
	var n int
	if err := e.db.QueryRow(`SELECT count(*) FROM ledger_entries WHERE manual_id = ?`, id).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// seedManualDesk stores customers acme (USD) and yen (JPY) and, through
// the settings page as an admin, a USD threshold of 100.00.
func (e *testEnv) seedManualDesk() {
	e.t.Helper()
	tok := e.token(auth.Support)
	e.api("POST", "/customers", tok, map[string]any{"id": "acme", "name": "Acme", "currency": "USD", "contact_email": "billing@acme.example"}).expect(e.t, http.StatusCreated)
	e.api("POST", "/customers", tok, map[string]any{"id": "yen", "name": "Yen Co", "currency": "JPY", "contact_email": "billing@yen.example"}).expect(e.t, http.StatusCreated)
	admin := e.user(auth.Admin)
	admin.get("/admin/credits/settings")
	if st, body := admin.send("/admin/credits/settings", url.Values{"currency": {"usd"}, "above": {"100.00"}}); st != http.StatusSeeOther {
		e.t.Fatalf("threshold: %d\n%s", st, body)
	}
	e.confirmThreshold("USD")
}

// confirmThreshold has a manager whose account no admin made confirm the
// raise of currency's threshold waiting.
func (e *testEnv) confirmThreshold(currency string) {
	e.t.Helper()
	e.api("POST", "/credit-settings/manual-approval-above/"+currency+"/confirm", e.token(auth.Manager), nil).expect(e.t, http.StatusOK)
}

// Support grants manual credits: one within the threshold goes to the
// ledger at once, one above it waits; the requester may not approve it
// (403), another manager approves it once (then 409), and it is in the
// ledger exactly once. A rejected one never reaches the ledger.
func TestAdminManualCredits(t *testing.T) {
	env := newTestEnv(t)
	env.seedManualDesk()
	sup := env.user(auth.Support)
	_, body := sup.get("/admin/credits/manual")
	doc := parseHTML(t, body)
	if doc.Find(testid("manual-form")).Length() != 1 {
		t.Fatal("support gets no manual credit form")
	}
	if got := textOf(doc.Find(".lede")); !strings.Contains(got, "Issued at once up to 100.00 USD") {
		t.Errorf("lede %q", got)
	}

	small := sup.grant(url.Values{"customer": {"acme"}, "amount": {"25.50"}, "service": {"ELB"}, "month": {"2012-12"}, "reason": {"Support ticket 1234: slow console."}})
	if n := env.ledgerRowsOfManual(small); n != 1 {
		t.Fatalf("a credit within the threshold: %d ledger entries", n)
	}
	var amount int64
	var kind, reason string
	if err := env.db.QueryRow(`SELECT amount_minor, kind, reason FROM ledger_entries WHERE manual_id = ?`, small).Scan(&amount, &kind, &reason); err != nil || amount != 2550 || kind != "manual" || reason != "Support ticket 1234: slow console." {
		t.Errorf("ledger entry %d %s %q (%v)", amount, kind, reason, err)
	}
	_, body = sup.get("/admin/credits/manual?made=" + small)
	doc = parseHTML(t, body)
	if got := textOf(doc.Find(testid("flash"))); !strings.Contains(got, "25.50 USD") || !strings.Contains(got, "in the ledger") {
		t.Errorf("flash %q", got)
	}
	if got := textOf(manualRowOf(doc, small)); !strings.Contains(got, "Issued within the threshold") || !strings.Contains(got, "ELB, December 2012") {
		t.Errorf("row %q", got)
	}

	// Above the threshold it waits; the amount is exact minor units.
	big := sup.grant(url.Values{"customer": {"acme"}, "amount": {"1250.05"}, "reason": {"Christmas Eve outage, by hand."}})
	var stored int64
	env.db.QueryRow(`SELECT amount_minor FROM manual_credits WHERE id = ?`, big).Scan(&stored)
	if stored != 125005 || env.ledgerRowsOfManual(big) != 0 {
		t.Fatalf("a credit above the threshold: %d minor units, %d ledger entries", stored, env.ledgerRowsOfManual(big))
	}
	// JPY has no threshold: even 1 yen waits.
	yen := sup.grant(url.Values{"customer": {"yen"}, "amount": {"1"}, "reason": {"Goodwill."}})
	if env.ledgerRowsOfManual(yen) != 0 {
		t.Error("a credit in a currency with no threshold was issued")
	}

	// Support and viewers may not decide.
	for _, b := range []*browser{sup, env.user(auth.Viewer)} {
		b.get("/admin/credits/manual")
		if st, _ := b.send("/admin/credits/manual/"+big+"/approve", nil); st != http.StatusForbidden {
			t.Errorf("approve by a non-manager: %d", st)
		}
	}
	// A manager's own request: no buttons, and 403.
	max := env.loginAs("max@example.com", auth.Manager)
	own := max.grant(url.Values{"customer": {"acme"}, "amount": {"500"}, "reason": {"Escalation 77."}})
	_, body = max.get("/admin/credits/manual")
	doc = parseHTML(t, body)
	if row := manualRowOf(doc, own); row.Find(testid("manual-approve")).Length() != 0 || !strings.Contains(textOf(row), "another manager decides") {
		t.Errorf("own request row %q", textOf(row))
	}
	if manualRowOf(doc, big).Find(testid("manual-approve")).Length() != 1 {
		t.Error("another's pending credit offers no approval")
	}
	if textOf(doc.Find(testid("manual-pending"))) != "3 wait for a manager's approval" {
		t.Errorf("pending %q", textOf(doc.Find(testid("manual-pending"))))
	}
	st, body := max.send("/admin/credits/manual/"+own+"/approve", nil)
	if st != http.StatusForbidden || !strings.Contains(body, "another manager must approve") {
		t.Fatalf("self-approval: %d", st)
	}
	if env.ledgerRowsOfManual(own) != 0 {
		t.Fatal("self-approval wrote the ledger")
	}

	// Another manager approves, once.
	zoe := env.loginAs("zoe@example.com", auth.Manager)
	zoe.get("/admin/credits/manual")
	for _, id := range []string{big, own} {
		resp, _ := zoe.noFollow().post("/admin/credits/manual/"+id+"/approve", url.Values{csrfField: {zoe.csrf}}, nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/credits/manual?decided="+id {
			t.Fatalf("approve %s: %d to %q", id, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	if st, _ := zoe.send("/admin/credits/manual/"+big+"/approve", nil); st != http.StatusConflict {
		t.Errorf("second approval: %d", st)
	}
	if st, _ := max.send("/admin/credits/manual/"+big+"/reject", nil); st != http.StatusConflict {
		t.Errorf("rejecting an issued credit: %d", st)
	}
	if n := env.ledgerRowsOfManual(big); n != 1 {
		t.Fatalf("the approved credit is in the ledger %d times", n)
	}
	_, body = zoe.get("/admin/credits/ledger?customer=acme")
	var found int
	parseHTML(t, body).Find(testid("ledger-amount")).Each(func(_ int, s *goquery.Selection) {
		if textOf(s) == "1,250.05 USD" {
			found++
		}
	})
	if found != 1 {
		t.Errorf("the ledger page shows the approved credit %d times", found)
	}
	_, body = zoe.get("/admin/credits/manual?decided=" + big)
	doc = parseHTML(t, body)
	if got := textOf(manualRowOf(doc, big)); !strings.Contains(got, "Approved by zoe@example.com") || !strings.Contains(got, "Issued") {
		t.Errorf("approved row %q", got)
	}

	// Rejected: final, and never in the ledger.
	if st, _ := zoe.send("/admin/credits/manual/"+yen+"/reject", nil); st != http.StatusSeeOther {
		t.Fatalf("reject: %d", st)
	}
	if st, _ := max.send("/admin/credits/manual/"+yen+"/approve", nil); st != http.StatusConflict {
		t.Errorf("approving a rejected credit: %d", st)
	}
	if env.ledgerRowsOfManual(yen) != 0 {
		t.Error("a rejected credit is in the ledger")
	}
	_, body = zoe.get("/admin/credits/manual?state=rejected")
	doc = parseHTML(t, body)
	if rows := doc.Find(testid("manual-row")); rows.Length() != 1 || !strings.Contains(textOf(rows), "Rejected by zoe@example.com") || !strings.Contains(textOf(rows), "1 JPY") {
		t.Errorf("rejected filter: %q", textOf(rows))
	}
	if resp, _ := zoe.get("/admin/credits/manual?state=approved"); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("unknown state filter: %d", resp.StatusCode)
	}
	if st, _ := zoe.send("/admin/credits/manual/999/approve", nil); st != http.StatusNotFound {
		t.Errorf("unknown credit: %d", st)
	}
}

// Bad input comes back on the form with the error at its field, and
// nothing is stored; viewers may not grant.
func TestAdminManualCreditRefuses(t *testing.T) {
	env := newTestEnv(t)
	env.seedManualDesk()
	sup := env.user(auth.Support)
	good := url.Values{"customer": {"acme"}, "amount": {"25.00"}, "service": {""}, "month": {""}, "reason": {"Ticket 9."}}
	for _, tc := range []struct {
		name, field, msg string
		kv               []string
	}{
		{"no customer", "customer", "is required", []string{"customer", ""}},
		{"unknown customer", "customer", `unknown customer "nobody"`, []string{"customer", "nobody"}},
		{"no amount", "amount", "is required", []string{"amount", ""}},
		{"zero", "amount", "0 is not above 0", []string{"amount", "0.00"}},
		{"negative", "amount", "-5 is below 0", []string{"amount", "-5"}},
		{"too many decimals", "amount", "more than 2 decimals", []string{"amount", "25.001"}},
		{"decimals in yen", "amount", "JPY has no minor unit", []string{"customer", "yen", "amount", "1.5"}},
		{"thousands separator", "amount", "without thousands separators", []string{"amount", "1,000.00"}},
		{"float syntax", "amount", "is not an amount", []string{"amount", "1e3"}},
		{"2^63-1 minor units", "amount", "is too large: the most an amount may be is 10,000,000,000,000.00 USD", []string{"amount", "92233720368547758.07"}},
		{"past 10^15 minor units", "amount", "is too large", []string{"amount", "10000000000000.01"}},
		{"comma and a letter", "amount", `"12,5x" is not an amount such as 1250.50`, []string{"amount", "12,5x"}},
		{"unknown service", "service", `unknown service "S3"`, []string{"service", "S3"}},
		{"bad month", "month", "is not a month", []string{"month", "2012-13"}},
		{"no reason", "reason", "is required", []string{"reason", "   "}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sup.get("/admin/credits/manual")
			before := env.deskCounts()
			st, body := sup.send("/admin/credits/manual", withValues(good, tc.kv...))
			if st != http.StatusUnprocessableEntity {
				t.Fatalf("%d\n%s", st, body)
			}
			doc := parseHTML(t, body)
			if got := formFieldError(doc, "manual-form", tc.field); !strings.Contains(got, tc.msg) {
				t.Errorf("error at %s: %q, want …%s…", tc.field, got, tc.msg)
			}
			// The summary points to the field; it does not repeat its message.
			if got := textOf(doc.Find(testid("form-error"))); !strings.Contains(got, "Please correct the field marked below.") || strings.Contains(got, tc.msg) {
				t.Errorf("summary %q", got)
			}
			if v := doc.Find(testid("manual-form")).Find(`textarea[name="reason"]`).Text(); v != strings.TrimSpace(withValues(good, tc.kv...).Get("reason")) {
				t.Errorf("the reason came back as %q", v)
			}
			env.assertDeskUnchanged(before)
		})
	}
	viewer := env.user(auth.Viewer)
	_, body := viewer.get("/admin/credits/manual")
	if strings.Contains(body, `data-testid="manual-form"`) {
		t.Error("a viewer gets the form")
	}
	before := env.deskCounts()
	if st, _ := viewer.send("/admin/credits/manual", good); st != http.StatusForbidden {
		t.Errorf("viewer grant: %d", st)
	}
	if resp, _ := sup.noFollow().post("/admin/credits/manual", good, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("grant without CSRF: %d", resp.StatusCode)
	}
	env.assertDeskUnchanged(before)
}

// The customer page lists the customer's manual credits and links to the
// form with the customer chosen.
func TestCustomerPageManualCredits(t *testing.T) {
	env := newTestEnv(t)
	env.seedManualDesk()
	sup := env.user(auth.Support)
	_, body := sup.get("/admin/customers/acme")
	doc := parseHTML(t, body)
	if doc.Find(testid("customer-manual-empty")).Length() != 1 {
		t.Error("no empty state")
	}
	link, _ := doc.Find(testid("new-manual-credit")).Attr("href")
	if link != "/admin/credits/manual?customer=acme#new-manual-credit" {
		t.Fatalf("link %q", link)
	}
	_, body = sup.get(strings.TrimSuffix(link, "#new-manual-credit"))
	if v, _ := parseHTML(t, body).Find(testid("manual-form")).Find(`select[name="customer"] option[selected]`).Attr("value"); v != "acme" {
		t.Errorf("the form's customer is %q", v)
	}
	sup.grant(url.Values{"customer": {"acme"}, "amount": {"99.99"}, "reason": {"Ticket 5."}})
	sup.grant(url.Values{"customer": {"yen"}, "amount": {"300"}, "reason": {"Ticket 6."}})
	_, body = env.user(auth.Viewer).get("/admin/customers/acme")
	doc = parseHTML(t, body)
	rows := doc.Find(testid("manual-row"))
	if rows.Length() != 1 || !strings.Contains(textOf(rows), "99.99 USD") || !strings.Contains(textOf(rows), "Issued") {
		t.Errorf("customer's manual credits %q", textOf(rows))
	}
	if doc.Find(testid("new-manual-credit")).Length() != 0 || doc.Find(testid("manual-approve")).Length() != 0 {
		t.Error("a viewer is offered to grant or decide")
	}
}

// The thresholds: everyone reads, only admins set them, in major units;
// bad input names its field and stores nothing.
func TestAdminCreditSettings(t *testing.T) {
	env := newTestEnv(t)
	env.seedManualDesk()
	admin := env.user(auth.Admin)
	_, body := admin.get("/admin/credits/settings?set=USD")
	doc := parseHTML(t, body)
	if row := doc.Find(testid("threshold-row")); row.Length() != 1 || textOf(row.Find("th")) != "USD" || textOf(row.Find("td")) != "100.00 USD" {
		t.Errorf("thresholds %q", textOf(row))
	}
	if got := textOf(doc.Find(testid("thresholds-unset"))); !strings.Contains(got, "JPY") || strings.Contains(got, "USD") {
		t.Errorf("unset %q", got)
	}
	if !strings.Contains(textOf(doc.Find(testid("flash"))), "up to 100.00 USD") {
		t.Error("no notice after setting")
	}
	// The credit desk's own navigation marks the page, the admin bar its section.
	if cur, _ := doc.Find(testid("credits-nav") + ` a[aria-current="page"]`).Attr("href"); cur != "/admin/credits/settings" {
		t.Errorf("credits nav marks %q", cur)
	}
	if cur, _ := doc.Find(testid("admin-nav") + ` a[aria-current="page"]`).Attr("href"); cur != "/admin/credits" {
		t.Errorf("admin nav marks %q", cur)
	}
	for _, tc := range []struct{ currency, above, field, msg string }{
		{"usd1", "5", "currency", "not an ISO 4217 currency code"},
		{"", "5", "currency", "is required"},
		{"JPY", "10.5", "above", "JPY has no minor unit"},
		{"USD", "-1", "above", "below 0"},
		{"USD", "", "above", "is required"},
	} {
		before := env.deskCounts()
		st, body := admin.send("/admin/credits/settings", url.Values{"currency": {tc.currency}, "above": {tc.above}})
		if st != http.StatusUnprocessableEntity || !strings.Contains(formFieldError(parseHTML(t, body), "threshold-form", tc.field), tc.msg) {
			t.Errorf("%q %q: %d, error at %s %q", tc.currency, tc.above, st, tc.field, formFieldError(parseHTML(t, body), "threshold-form", tc.field))
		}
		env.assertDeskUnchanged(before)
	}
	if st, _ := admin.send("/admin/credits/settings", url.Values{"currency": {"JPY"}, "above": {"5000"}}); st != http.StatusSeeOther {
		t.Fatalf("JPY: %d", st)
	}
	// A first threshold is a raise: it waits for another admin or manager.
	_, body = admin.get("/admin/credits/settings?requested=JPY")
	doc = parseHTML(t, body)
	if got := textOf(doc.Find(testid("flash"))); !strings.Contains(got, "The raise of the JPY threshold to 5,000 JPY waits for another admin or manager") {
		t.Errorf("flash %q", got)
	}
	if raise := doc.Find(testid("threshold-raise")); raise.Length() != 1 || raise.Find(testid("threshold-confirm")).Length() != 0 {
		t.Errorf("the requester sees the raise %q with a confirm button, or not at all", textOf(raise))
	}
	if st, body := admin.send("/admin/credits/settings/JPY/confirm", nil); st != http.StatusForbidden || !strings.Contains(body, "you requested the raise of the JPY threshold") {
		t.Errorf("the requester confirms: %d", st)
	}
	if n := env.count("manual_credit_thresholds WHERE currency = 'JPY'"); n != 0 {
		t.Fatal("a raise took effect before a second person confirmed it")
	}
	confirmer := env.user(auth.Manager)
	_, body = confirmer.get("/admin/credits/settings")
	if parseHTML(t, body).Find(testid("threshold-confirm")).Length() != 1 {
		t.Error("a manager gets no confirm button")
	}
	if st, _ := confirmer.send("/admin/credits/settings/JPY/confirm", nil); st != http.StatusSeeOther {
		t.Fatalf("confirm: %d", st)
	}
	var above int64
	if err := env.db.QueryRow(`SELECT above_minor FROM manual_credit_thresholds WHERE currency = 'JPY'`).Scan(&above); err != nil || above != 5000 {
		t.Errorf("JPY threshold %d (%v)", above, err)
	}
	for _, role := range []auth.Role{auth.Viewer, auth.Support, auth.Manager} {
		b := env.user(role)
		_, body := b.get("/admin/credits/settings")
		if strings.Contains(body, `data-testid="threshold-form"`) || !strings.Contains(body, "5,000 JPY") {
			t.Errorf("%s reads the settings with a form, or without the thresholds", role)
		}
		before := env.deskCounts()
		if st, _ := b.send("/admin/credits/settings", url.Values{"currency": {"USD"}, "above": {"1000000"}}); st != http.StatusForbidden {
			t.Errorf("%s sets a threshold: %d", role, st)
		}
		env.assertDeskUnchanged(before)
	}
}

// The customer page lists the newest of the customer's ledger entries and
// says how many there are in all.
func TestCustomerPageListsTheNewestLedgerEntries(t *testing.T) {
	env := newTestEnv(t)
	env.seedManualDesk()
	sup := env.user(auth.Support)
	for i := range customerLedgerRows + 5 {
		sup.grant(url.Values{"customer": {"acme"}, "amount": {"1"}, "reason": {fmt.Sprintf("Ticket %d.", i+1)}})
	}
	_, body := env.user(auth.Viewer).get("/admin/customers/acme")
	doc := parseHTML(t, body)
	if got, want := textOf(doc.Find(testid("customer-ledger-shown"))), fmt.Sprintf("The newest %d of %d entries.", customerLedgerRows, customerLedgerRows+5); got != want {
		t.Errorf("%q, want %q", got, want)
	}
	page := textOf(doc.Find("#ledger-heading").Parent())
	if !strings.Contains(page, fmt.Sprintf("Ticket %d.", customerLedgerRows+5)) || strings.Contains(page, "Ticket 5.") {
		t.Errorf("the ledger listed is not the newest: %q", page)
	}
}
