package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/web/api"
)

// A ledger filter naming a customer or a run the desk does not keep (or a
// run that is not an id) is a 422 naming its field on the ledger page, its
// CSV and the API alike, not an empty list; a known customer or run that
// selects no entries (a customer never credited, a run only previewed)
// is a 200 on all three.
func TestLedgerFilterRefusesUnknownCustomerAndRun(t *testing.T) {
	env := newTestEnv(t)
	support := env.token(auth.Support)
	env.seedDesk(support, env.personToken("max@example.com", auth.Manager))
	paid := env.payRun(support, env.personToken("zoe@example.com", auth.Manager), map[string]any{"month": "2012-12"})
	var previewed desk.CreditRun
	env.api("POST", "/credit-runs", support, map[string]any{"month": "2012-12"}).expect(t, http.StatusCreated).decode(t, &previewed)
	env.api("POST", "/customers", support, map[string]any{"id": "globex", "name": "Globex", "currency": "USD", "contact_email": "billing@globex.example"}).
		expect(t, http.StatusCreated)
	viewer := env.token(auth.Viewer)
	b := env.user(auth.Viewer)

	for query, field := range map[string]string{
		"customer=nobody":           "customer",
		"customer=ACME":             "customer", // ids are matched exactly
		"run=99999":                 "run",
		"run=abc":                   "run",
		"run=0":                     "run",
		"run=-3":                    "run",
		"run=1.5":                   "run",
		"run=99999999999999999999":  "run",
		"customer=nobody&run=99999": "customer",
		"customer=acme&run=99":      "run",
		"period=2012-13":            "period",
	} {
		for _, path := range []string{"/admin/credits/ledger?", "/admin/credits/ledger.csv?"} {
			if resp, body := b.get(path + query); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, field+": ") {
				t.Errorf("%s%s: %d, want 422 naming %s\n%.300s", path, query, resp.StatusCode, field, textOf(parseHTML(t, body).Find("main")))
			}
		}
		r := env.api("GET", "/ledger?"+query, viewer, nil)
		if r.status != http.StatusUnprocessableEntity || r.apiError(t).Field != field {
			t.Errorf("/api/v1/ledger?%s: %d %s, want 422 on %s", query, r.status, r.body, field)
		}
	}

	for query, want := range map[string]int{
		"customer=acme":                     1,
		fmt.Sprintf("run=%d", paid.ID):      1,
		"customer=globex":                   0,
		fmt.Sprintf("run=%d", previewed.ID): 0,
	} {
		resp, body := b.get("/admin/credits/ledger?" + query)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("ledger?%s: %d", query, resp.StatusCode)
			continue
		}
		if got := parseHTML(t, body).Find(testid("ledger-row")).Length(); got != want {
			t.Errorf("ledger?%s: %d rows, want %d", query, got, want)
		}
		if resp, csv := b.get("/admin/credits/ledger.csv?" + query); resp.StatusCode != http.StatusOK || strings.Count(strings.TrimSpace(csv), "\n") != want {
			t.Errorf("ledger.csv?%s: %d with %d rows, want %d", query, resp.StatusCode, strings.Count(strings.TrimSpace(csv), "\n"), want)
		}
		var list api.List[desk.LedgerEntry]
		env.api("GET", "/ledger?"+query, viewer, nil).expect(t, http.StatusOK).decode(t, &list)
		if list.Total != want {
			t.Errorf("/api/v1/ledger?%s: %d entries, want %d", query, list.Total, want)
		}
	}
}

// The manual credits list filtered by a customer the desk does not keep
// is a 422 naming "customer", not "No manual credits match", which reads
// as "never credited"; a known customer without manual credits is an
// empty list, and one with a credit lists it.
func TestManualCreditsFilterRefusesUnknownCustomer(t *testing.T) {
	env := newTestEnv(t)
	support := env.token(auth.Support)
	env.seedDesk(support, env.personToken("max@example.com", auth.Manager))
	env.api("POST", "/customers", support, map[string]any{"id": "globex", "name": "Globex", "currency": "USD", "contact_email": "billing@globex.example"}).
		expect(t, http.StatusCreated)
	env.api("POST", "/manual-credits", support, map[string]any{"customer": "acme", "amount_minor": 5000, "reason": "Ticket 4."}).expect(t, http.StatusCreated)
	b := env.user(auth.Viewer)

	for _, query := range []string{"customer=nobody", "customer=ACME", "customer=nobody&state=pending"} {
		resp, body := b.get("/admin/credits/manual?" + query)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `customer: unknown customer`) {
			t.Errorf("manual?%s: %d, want 422 naming customer\n%.300s", query, resp.StatusCode, textOf(parseHTML(t, body).Find("main")))
		}
	}
	for query, want := range map[string]string{"customer=globex": "0 manual credits", "customer=acme": "1 manual credit", "": "1 manual credit"} {
		resp, body := b.get("/admin/credits/manual?" + query)
		if resp.StatusCode != http.StatusOK || !strings.Contains(textOf(parseHTML(t, body).Find("main")), want) {
			t.Errorf("manual?%s: %d, want %q\n%.300s", query, resp.StatusCode, want, textOf(parseHTML(t, body).Find("main")))
		}
	}
}
