package web

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/web/api"
)

// ledgerPaidText sums, through the API, the ledger entries whose run is
// run, by currency, as the runs list writes them, with a zero in each of
// currencies it holds no entry in.
func (e *testEnv) ledgerPaidText(token string, run int64, currencies ...string) string {
	e.t.Helper()
	sums := map[string]int64{}
	for _, cur := range currencies {
		sums[cur] = 0
	}
	for offset := 0; ; {
		var page api.List[desk.LedgerEntry]
		e.api("GET", fmt.Sprintf("/ledger?run=%d&offset=%d", run, offset), token, nil).expect(e.t, http.StatusOK).decode(e.t, &page)
		for _, le := range page.Items {
			if le.RunID != run {
				e.t.Fatalf("the ledger filtered by run %d holds entry %d of run %d", run, le.ID, le.RunID)
			}
			sums[le.Currency] += le.AmountMinor
		}
		offset += len(page.Items)
		if len(page.Items) == 0 || offset >= page.Total {
			break
		}
	}
	var parts []string
	for _, cur := range slices.Sorted(maps.Keys(sums)) {
		parts = append(parts, desk.FormatMoney(sums[cur], cur))
	}
	return strings.Join(parts, ", ")
}

// runListRow is the row of run id in the runs list.
func runListRow(doc *goquery.Document, id int64) *goquery.Selection {
	return doc.Find(testid("run-row")).FilterFunction(func(_ int, s *goquery.Selection) bool {
		return textOf(s.Find("th")) == fmt.Sprintf("Run %d", id)
	})
}

// The runs list shows what each run paid into the ledger, apart from
// what its lines owed at preview: December issued twice pays once, so
// the first run shows the sum of its ledger entries in each currency and
// the second, owing the same, shows 0 paid; a run only previewed, and a
// rejected one, show "Not issued" beside what they owe.
func TestRunsListShowsWhatEachRunPaid(t *testing.T) {
	env := newTestEnv(t)
	support := env.token(auth.Support)
	max := env.personToken("max@example.com", auth.Manager)
	zoe := env.personToken("zoe@example.com", auth.Manager)
	env.seedDesk(support, max)
	// Globex pays in euros: 2 of its load balancers were in the outage.
	env.api("POST", "/customers", support, map[string]any{"id": "globex", "name": "Globex", "currency": "EUR", "contact_email": "billing@globex.example"}).expect(t, http.StatusCreated)
	env.api("POST", "/customers/globex/resources", support, map[string]any{"component": "elb-us-east-1", "count": 2, "from": "2012-01-01T00:00:00Z"}).expect(t, http.StatusCreated)
	env.api("POST", "/customers/globex/charges", support, map[string]any{"component": "elb-us-east-1", "month": "2012-12", "amount_minor": 100000}).expect(t, http.StatusOK)

	first := env.payRun(support, zoe, map[string]any{"month": "2012-12"})
	second := env.payRun(support, zoe, map[string]any{"month": "2012-12"})
	var previewed, rejected desk.CreditRun
	env.api("POST", "/credit-runs", support, map[string]any{"month": "2012-12"}).expect(t, http.StatusCreated).decode(t, &previewed)
	env.api("POST", "/credit-runs", support, map[string]any{"month": "2012-12"}).expect(t, http.StatusCreated).decode(t, &rejected)
	env.api("POST", fmt.Sprintf("/credit-runs/%d/reject", rejected.ID), max, map[string]any{"reason": "a duplicate"}).expect(t, http.StatusOK)

	const owed = "100.00 EUR, 250.00 USD"
	viewer := env.token(auth.Viewer)
	want := map[int64]string{
		first.ID:     env.ledgerPaidText(viewer, first.ID, "EUR", "USD"),
		second.ID:    env.ledgerPaidText(viewer, second.ID, "EUR", "USD"),
		previewed.ID: "Not issued",
		rejected.ID:  "Not issued",
	}
	if want[first.ID] != owed || want[second.ID] != "0.00 EUR, 0.00 USD" {
		t.Fatalf("the ledger holds %q of the first run and %q of the second, want %q and nothing", want[first.ID], want[second.ID], owed)
	}
	_, body := env.user(auth.Viewer).get("/admin/credits")
	doc := parseHTML(t, body)
	for id, paid := range want {
		row := runListRow(doc, id)
		if row.Length() != 1 {
			t.Fatalf("run %d: %d rows in the list", id, row.Length())
		}
		if got := textOf(row.Find(testid("run-paid"))); got != paid {
			t.Errorf("run %d paid %q, want %q (the ledger's)", id, got, paid)
		}
		if got := textOf(row.Find(testid("run-owed"))); got != owed {
			t.Errorf("run %d owed %q at preview, want %q", id, got, owed)
		}
	}
	head := textOf(doc.Find(testid("runs-table") + " thead"))
	if !strings.Contains(head, "Owed at preview") || !strings.Contains(head, "Paid") || strings.Contains(head, "Payable") {
		t.Errorf("the runs list's columns: %q", head)
	}
}
