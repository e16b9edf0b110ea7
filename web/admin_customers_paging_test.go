package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/auth"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/sla"
)

// seedLongCustomer stores customer "big" (USD) with resources resource
// entries (the i-th, from 1, counting i) and charges charges (two
// components, month after month from January 2000; the i-th of a
// component's is i minor units), and, under an ELB policy, claims claims
// (ELB, one a month from January 2001).
func (e *testEnv) seedLongCustomer(resources, charges, claims int) {
	e.t.Helper()
	ctx, now, by := context.Background(), e.clock.Now(), audit.Person("test")
	if _, err := e.desk.Account(ctx, "big"); err != nil {
		if _, err := e.desk.CreateAccount(ctx, by, desk.Account{ID: "big", Name: "Big Cloud Co", Currency: "USD", Email: "billing@big.example"}, now); err != nil {
			e.t.Fatal(err)
		}
	}
	var rs []desk.AccountResource
	for i := range resources {
		rs = append(rs, desk.AccountResource{Customer: "big", Component: "elb-us-east-1", Count: int64(i + 1)})
	}
	var cs []desk.AccountCharge
	for i := range charges {
		comp := []string{"elb-us-east-1", "elb-eu-west-1"}[i%2]
		cs = append(cs, desk.AccountCharge{Customer: "big", Component: comp, Month: fmt.Sprintf("%04d-%02d", 2000+i/2/12, i/2%12+1), AmountMinor: int64(i/2 + 1), Currency: "USD"})
	}
	if len(rs) > 0 {
		if err := e.desk.ImportAccountData(ctx, by, rs, nil, now); err != nil {
			e.t.Fatal(err)
		}
	}
	if len(cs) > 0 {
		if err := e.desk.ImportAccountData(ctx, by, nil, cs, now); err != nil {
			e.t.Fatal(err)
		}
	}
	if claims == 0 {
		return
	}
	if _, err := e.desk.PutPolicy(ctx, by, desk.ServicePolicy{Policy: sla.Policy{ID: "elb", Service: "ELB", Target: sla.MustPercent("99.95"),
		Tiers: []sla.Tier{{Below: sla.MustPercent("99.95"), CreditPercent: sla.MustPercent("10")}}}}, now); err != nil {
		e.t.Fatal(err)
	}
	for i := range claims {
		month := fmt.Sprintf("%04d-%02d", 2001+i/12, i%12+1)
		if _, err := e.desk.RecordClaim(ctx, by, desk.Claim{Customer: "big", Service: "ELB", Month: month, ClaimedAt: now}, now); err != nil {
			e.t.Fatal(err)
		}
	}
}

// pagedRows is one paged list of a page: its rows, what it says it shows,
// and its previous and next links.
type pagedRows struct {
	rows       *goquery.Selection
	showing    string
	prev, next string
	nav        *goquery.Selection
}

func pagedList(doc *goquery.Document, table, row, showing, label string) pagedRows {
	nav := doc.Find(`nav[aria-label="` + label + `"]`)
	return pagedRows{rows: doc.Find(testid(table)).Find(testid(row)), showing: textOf(doc.Find(testid(showing))),
		prev: nav.Find(`a[rel="prev"]`).AttrOr("href", ""), next: nav.Find(`a[rel="next"]`).AttrOr("href", ""), nav: nav}
}

// The customer page lists a long customer's resources, charges and claims
// 100 at a time, each list paged by its own query parameter with plain
// previous and next links that keep the other lists' pages, and says which
// rows it shows.
func TestCustomerPageListsAPageOfEachList(t *testing.T) {
	env := newTestEnv(t)
	env.seedLongCustomer(250, 250, 130)
	b := env.user(auth.Support)

	resp, page := b.get("/admin/customers/big")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("customer page: %d", resp.StatusCode)
	}
	doc := parseHTML(t, page)
	for _, tc := range []struct {
		list                  pagedRows
		name                  string
		rows                  int
		showing, prev, next   string
		firstCell, firstValue string
	}{
		{pagedList(doc, "resources-table", "resource-row", "resources-showing", "Resource pages"), "resources", 100,
			"Showing 1–100 of 250", "", "/admin/customers/big?resources_page=2#resources-heading", "td.num", "1"},
		{pagedList(doc, "charges-table", "charge-row", "charges-showing", "Charge pages"), "charges", 100,
			"Showing 1–100 of 250", "", "/admin/customers/big?charges_page=2#charges-heading", "th", "2000-01"},
		{pagedList(doc, "claims-table", "claim-row", "claims-showing", "Claim pages"), "claims", 100,
			"Showing 1–100 of 130", "", "/admin/customers/big?claims_page=2#claims-heading", "td", "2001-01"},
	} {
		l := tc.list
		if l.rows.Length() != tc.rows || l.showing != tc.showing || l.prev != tc.prev || l.next != tc.next {
			t.Errorf("%s: %d rows, %q, prev %q, next %q; want %d, %q, %q, %q", tc.name, l.rows.Length(), l.showing, l.prev, l.next, tc.rows, tc.showing, tc.prev, tc.next)
		}
		if got := textOf(l.rows.First().Find(tc.firstCell).First()); got != tc.firstValue {
			t.Errorf("%s: the first row says %q, want %q", tc.name, got, tc.firstValue)
		}
		if l.nav.Length() != 1 || !strings.Contains(textOf(l.nav), "Page 1 of") {
			t.Errorf("%s: pages nav %q", tc.name, textOf(l.nav))
		}
	}

	// The last page of resources with the second of charges: the links
	// of each keep the other's page.
	resp, page = b.get("/admin/customers/big?resources_page=3&charges_page=2")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("page 3: %d", resp.StatusCode)
	}
	doc = parseHTML(t, page)
	res := pagedList(doc, "resources-table", "resource-row", "resources-showing", "Resource pages")
	if res.rows.Length() != 50 || res.showing != "Showing 201–250 of 250" || res.next != "" ||
		res.prev != "/admin/customers/big?charges_page=2&resources_page=2#resources-heading" {
		t.Errorf("resources page 3: %d rows, %q, prev %q, next %q", res.rows.Length(), res.showing, res.prev, res.next)
	}
	if first, last := textOf(res.rows.First().Find("td.num")), textOf(res.rows.Last().Find("td.num")); first != "201" || last != "250" {
		t.Errorf("resources page 3 runs from %s to %s, want 201 to 250", first, last)
	}
	ch := pagedList(doc, "charges-table", "charge-row", "charges-showing", "Charge pages")
	if ch.rows.Length() != 100 || ch.showing != "Showing 101–200 of 250" ||
		ch.prev != "/admin/customers/big?charges_page=1&resources_page=3#charges-heading" ||
		ch.next != "/admin/customers/big?charges_page=3&resources_page=3#charges-heading" {
		t.Errorf("charges page 2: %d rows, %q, prev %q, next %q", ch.rows.Length(), ch.showing, ch.prev, ch.next)
	}
	if cl := pagedList(doc, "claims-table", "claim-row", "claims-showing", "Claim pages"); cl.rows.Length() != 100 || cl.showing != "Showing 1–100 of 130" {
		t.Errorf("claims stay on page 1: %d rows, %q", cl.rows.Length(), cl.showing)
	}
	// Every month charged is still offered as an SLA report, newest first.
	if links := doc.Find(testid("customer-report-link")); links.Length() != 125 || !strings.Contains(textOf(links.First()), "May 2010") {
		t.Errorf("%d report links, the first %q", links.Length(), textOf(links.First()))
	}
}

// A page number that is not one (0, -1, abc, 1e2, 1.5, over 100000) is a
// 422 naming its parameter, a page past the last a 404 naming it; neither
// changes anything.
func TestCustomerPageRefusesBadPageNumbers(t *testing.T) {
	env := newTestEnv(t)
	env.seedLongCustomer(250, 3, 0)
	b := env.user(auth.Support)
	before, lastAudit := env.counts(), env.lastAuditID()
	for _, param := range []string{"resources_page", "charges_page", "claims_page"} {
		for _, value := range []string{"0", "-1", "abc", "1e2", "1.5", "100001", "%20"} {
			resp, page := b.get("/admin/customers/big?" + param + "=" + value)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, param+": ") || !strings.Contains(page, "is not a page number") {
				t.Errorf("%s=%s: %d, want 422 naming %s", param, value, resp.StatusCode, param)
			}
		}
	}
	for path, param := range map[string]string{
		"/admin/customers/big?resources_page=4":               "resources_page",
		"/admin/customers/big?charges_page=2":                 "charges_page",
		"/admin/customers/big?claims_page=2":                  "claims_page",
		"/admin/customers/big?resources_page=3&claims_page=9": "claims_page",
	} {
		resp, page := b.get(path)
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(page, param+"=") || !strings.Contains(page, "there is no page") {
			t.Errorf("%s: %d, want 404 naming %s", path, resp.StatusCode, param)
		}
	}
	if resp, _ := b.get("/admin/customers/big?resources_page=3&charges_page=1&claims_page=1"); resp.StatusCode != http.StatusOK {
		t.Errorf("the last page of each: %d", resp.StatusCode)
	}
	if resp, _ := b.get("/admin/customers/nobody?resources_page=2"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown customer: %d", resp.StatusCode)
	}
	env.assertNothingStored(before)
	if rows, _ := env.auditsAfter(lastAudit); len(rows) != 0 {
		t.Errorf("reading pages audited %v", rows)
	}
}

// However long a customer's lists grow, its page stays the same size: ten
// times the resources and charges add only the digits of the counts.
func TestCustomerPageSizeIsBounded(t *testing.T) {
	env := newTestEnv(t)
	b := env.user(auth.Support)
	size := func() int {
		t.Helper()
		resp, page := b.get("/admin/customers/big")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("customer page: %d", resp.StatusCode)
		}
		return len(page)
	}
	env.seedLongCustomer(250, 250, 0)
	small := size()
	env.seedLongCustomer(2250, 0, 0) // 2,500 resources in all
	var more []desk.AccountCharge
	for i := range 2250 { // 2,500 charges in all, of 25 more components (the store does not check them)
		more = append(more, desk.AccountCharge{Customer: "big", Component: fmt.Sprintf("vm-%02d", i%25), Month: fmt.Sprintf("%04d-%02d", 2003+i/25/12, i/25%12+1), AmountMinor: 1, Currency: "USD"})
	}
	if err := env.desk.ImportAccountData(context.Background(), audit.Person("test"), nil, more, env.clock.Now()); err != nil {
		t.Fatal(err)
	}
	large := size()
	t.Logf("page of a customer with 250 resources and charges: %d bytes; with 2,500: %d bytes", small, large)
	if large > small+2000 {
		t.Errorf("the page grew from %d to %d bytes", small, large)
	}
}

// The statement lists the customer's resources 100 at a time too, paged by
// ?resources_page=, and refuses bad page numbers the same way.
func TestStatementListsAPageOfResources(t *testing.T) {
	env := newTestEnv(t)
	env.seedLongCustomer(250, 0, 0)
	token, err := env.desk.RotateStatementLink(context.Background(), audit.Person("test"), "big", env.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	path := "/statement/" + token
	resp, page := env.publicGet(path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("statement: %d", resp.StatusCode)
	}
	doc := parseHTML(t, page)
	res := pagedList(doc, "resources-table", "resource-row", "resources-showing", "Pages of your resources")
	if res.rows.Length() != 100 || res.showing != "Showing 1–100 of 250" || res.prev != "" || res.next != path+"?resources_page=2#st-resources-heading" {
		t.Errorf("statement page 1: %d rows, %q, prev %q, next %q", res.rows.Length(), res.showing, res.prev, res.next)
	}
	_, page = env.publicGet(path + "?resources_page=3")
	res = pagedList(parseHTML(t, page), "resources-table", "resource-row", "resources-showing", "Pages of your resources")
	if res.rows.Length() != 50 || res.showing != "Showing 201–250 of 250" || res.next != "" || res.prev != path+"?resources_page=2#st-resources-heading" {
		t.Errorf("statement page 3: %d rows, %q, prev %q, next %q", res.rows.Length(), res.showing, res.prev, res.next)
	}
	_, page = env.publicGet(path + "?resources_page=2")
	small := len(page)
	before := env.counts()
	for value, want := range map[string]int{"0": 422, "-1": 422, "abc": 422, "1e2": 422, "4": 404} {
		resp, page := env.publicGet(path + "?resources_page=" + value)
		if resp.StatusCode != want || !strings.Contains(page, "resources_page") {
			t.Errorf("resources_page=%s: %d, want %d naming resources_page", value, resp.StatusCode, want)
		}
	}
	env.assertNothingStored(before)
	env.seedLongCustomer(2250, 0, 0)
	_, page = env.publicGet(path + "?resources_page=2")
	if len(page) > small+2000 {
		t.Errorf("the statement grew from %d to %d bytes with ten times the resources", small, len(page))
	}
}
