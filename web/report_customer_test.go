package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/templates"
)

// customerReportDesk is seedDesk (acme, 4 load balancers, a one-hour full
// ELB outage on Christmas Eve) with the Christmas outage itself (6.8% for
// 22 h 6 min, naming nobody) on top, and globex (EUR) with 10 load
// balancers from Christmas Day under its own policy in Los Angeles time
// that requires a claim. It returns the support and the second manager's
// tokens.
func customerReportDesk(t *testing.T) (env *testEnv, support, zoe string) {
	env = newTestEnv(t)
	support = env.token(auth.Support)
	max := env.personToken("max@example.com", auth.Manager)
	zoe = env.personToken("zoe@example.com", auth.Manager)
	env.seedDesk(support, max)
	env.christmasOutage()
	env.api("POST", "/customers", support, map[string]any{"id": "globex", "name": "Globex", "currency": "EUR", "contact_email": "ap@globex.example"}).expect(t, http.StatusCreated)
	env.api("POST", "/customers/globex/resources", support, map[string]any{"component": "elb-us-east-1", "count": 10, "from": "2012-12-25T00:00:00Z"}).expect(t, http.StatusCreated)
	env.api("POST", "/customers/globex/charges", support, map[string]any{"component": "elb-us-east-1", "month": "2012-12", "amount_minor": 100000}).expect(t, http.StatusOK)
	env.api("PUT", "/sla-policies/elb-globex", max, map[string]any{"service": "ELB", "customer": "globex", "timezone": "America/Los_Angeles", "requires_claim": true,
		"target": "99.99", "tiers": []map[string]any{{"below": "99.99", "credit_percent": "25"}}}).expect(t, http.StatusOK)
	return env, support, zoe
}

// summaryRows reads the report's figures and credits tables as the rows
// of its CSV: each service's uptime cells, then its credit cells.
func summaryRows(t *testing.T, doc *goquery.Document) (map[string][]string, [][]string) {
	t.Helper()
	_, _, figures := tableRows(t, doc, "figures")
	_, credits, _ := tableRows(t, doc, "credits")
	rows := map[string][]string{}
	var all [][]string
	for _, f := range figures {
		row := append(f, credits[f[0]][1:]...)
		rows[row[0]] = row
		all = append(all, row)
	}
	if tot, ok := credits["Total"]; ok {
		row := append([]string{"Total", "", "", "", "", "", ""}, tot[1:]...)
		rows["Total"] = row
		all = append(all, row)
	}
	return rows, all
}

// methodText is the report's accounting method for service: the page's
// paragraphs and the service's own.
func methodText(doc *goquery.Document, service string) string {
	return textOf(doc.Find(testid("report-method"))) + " " + textOf(doc.Find(testid("method-"+service)))
}

// The report's figures for each customer equal the line a credit run
// previews for it; its CSV has the table's columns and rows; after the run
// is issued the ledger column and table show what was paid.
func TestCustomerReportEqualsRunPreview(t *testing.T) {
	env, support, zoe := customerReportDesk(t)
	var run desk.CreditRun
	env.api("POST", "/credit-runs", support, map[string]any{"month": "2012-12"}).expect(t, http.StatusCreated).decode(t, &run)
	var preview apiRun
	env.api("GET", fmt.Sprintf("/credit-runs/%d", run.ID), support, nil).expect(t, http.StatusOK).decode(t, &preview)
	if len(preview.Lines) != 2 {
		t.Fatalf("preview lines %+v", preview.Lines)
	}
	b := env.user(auth.Support)
	head := []string{"Service", "Policy", "Downtime (s)", "Downtime (min)", "Uptime", "Target", "Result", "Credit tier", "Charges", "Credit", "Claim", "Payable", "Paid in the ledger"}
	for _, l := range preview.Lines {
		resp, body := b.get("/admin/reports/sla/customer?customer=" + l.Customer + "&month=2012-12")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d\n%.500s", l.Customer, resp.StatusCode, body)
		}
		doc := parseHTML(t, body)
		rows, all := summaryRows(t, doc)
		row := rows["Elastic Load Balancing"]
		want := []string{l.Downtime, l.Uptime + "%", l.CreditPercent.String() + "%", desk.FormatMoney(l.ChargesMinor, l.Currency),
			desk.FormatMoney(l.CreditMinor, l.Currency), claimLabels[l.Claim], desk.FormatMoney(l.PayableMinor, l.Currency)}
		if len(row) != len(head) {
			t.Fatalf("%s: row %v", l.Customer, row)
		}
		got := []string{row[2], row[4], row[7], row[8], row[9], row[10], row[11]}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s: report %v\n the run's line %v", l.Customer, got, want)
		}
		if !strings.HasPrefix(row[1], l.Policy+" (") || row[12] != "none" {
			t.Errorf("%s: policy %q, paid %q", l.Customer, row[1], row[12])
		}
		if got := textOf(doc.Find(testid("reason-ELB"))); got != "Credit: "+l.Reason+"." {
			t.Errorf("%s: reason %q, the run's %q", l.Customer, got, l.Reason)
		}
		checkCSV(t, b, doc.Find(testid("services-csv")).AttrOr("href", ""), head, all)
	}

	// acme: 3600 s from the full hour, and 6.8% of the rest of the 22 h
	// 6 min (75960 s) that the Christmas outage adds: 8765.28 s in all;
	// each incident alone: 3600 s (60 min) and 6.8% of 79560 s (90.17 min).
	resp, body := b.get("/admin/reports/sla/customer?customer=acme&month=2012-12")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("acme, December 2012: %d", resp.StatusCode)
	}
	doc := parseHTML(t, body)
	rows, _ := summaryRows(t, doc)
	if got := rows["Elastic Load Balancing"]; strings.Join(got[:8], "|") != "Elastic Load Balancing|elb (default)|8765.28|146.09|99.6727%|99.95%|Missed|10%" {
		t.Errorf("acme: %v", got)
	}
	_, inc, all := tableRows(t, doc, "incidents-ELB")
	if len(all) != 4 || inc["ELB outage"][4] != "60.00" || inc["Degraded load balancers"][4] != "90.17" {
		t.Errorf("incidents %v", all)
	}
	if got := inc["ELB outage"]; doc.Find(testid("incidents-ELB")+` a[href^="/admin/incidents/"]`).Length() != 2 || got[1] != "24 Dec 2012, 20:24–21:24 UTC" {
		t.Errorf("incident links or end: %v", got)
	}
	if got := all[3]; got[1] != "24 Dec 2012, 20:24 UTC – 25 Dec 2012, 18:30 UTC" || got[2] != "partial outage" || !strings.Contains(got[3], "names no customer: 6.8%") {
		t.Errorf("the Christmas impact: %v", got)
	}
	method := methodText(doc, "ELB")
	for _, s := range []string{"calendar month in the policy's time zone, UTC: from 1 December 2012 00:00 UTC to 1 January 2013 00:00 UTC (2678400 seconds)",
		"Statuses that count as downtime: partial outage and major outage", "Not counted: degraded performance",
		"names no customer counts the share of the component it affected", "no second is counted twice", "Maintenance windows",
		"The month is over", "Target: 99.95%", "below 99.95%: 10% of the month's charges", "paid without a claim (it is claimable until 1 Mar 2013, 00:00 UTC)"} {
		if !strings.Contains(method, s) {
			t.Errorf("acme's method lacks %q:\n%s", s, method)
		}
	}
	if got := textOf(doc.Find(testid("policy-ELB"))); !strings.Contains(got, "the service's default") {
		t.Errorf("policy %q", got)
	}

	// globex: under its override, from Christmas Day (part of the month),
	// in Los Angeles time, with a claim required and none recorded.
	_, body = b.get("/admin/reports/sla/customer?customer=globex&month=2012-12")
	doc = parseHTML(t, body)
	rows, _ = summaryRows(t, doc)
	if got := rows["Elastic Load Balancing"]; got[1] != "elb-globex (override)" || got[5] != "99.99%" || got[10] != "not claimed" || got[11] != "0.00 EUR" {
		t.Errorf("globex: %v", got)
	}
	_, res, _ := tableRows(t, doc, "resources-ELB")
	if got := res["ELB us-east-1"]; len(got) != 5 || got[1] != "10" || got[4] != "part: from 25 Dec 2012, 00:00 UTC" {
		t.Errorf("globex resources %v", res)
	}
	_, inc, all = tableRows(t, doc, "incidents-ELB")
	if len(all) != 2 || inc["Degraded load balancers"] == nil {
		t.Errorf("globex incidents (only the Christmas outage reaches past midnight): %v", all)
	}
	method = methodText(doc, "ELB")
	for _, s := range []string{"America/Los_Angeles: from 1 December 2012 00:00 PST to 1 January 2013 00:00 PST (2678400 seconds)",
		"is paid only if the customer claims it before 1 Mar 2013, 08:00 UTC", "Target: 99.99%"} {
		if !strings.Contains(method, s) {
			t.Errorf("globex's method lacks %q:\n%s", s, method)
		}
	}
	if got := textOf(doc.Find(testid("policy-ELB"))); !strings.Contains(got, "own policy, which overrides") {
		t.Errorf("policy %q", got)
	}
	// Nothing issued yet: the ledger section says so, with no CSV of an empty table.
	if doc.Find(testid("ledger-empty")).Length() != 1 || doc.Find(testid("ledger-csv")).Length() != 0 {
		t.Errorf("an empty ledger: %d notices, %d CSV links", doc.Find(testid("ledger-empty")).Length(), doc.Find(testid("ledger-csv")).Length())
	}

	// Issued: the ledger pays acme 250.00 USD by the run.
	env.api("POST", fmt.Sprintf("/credit-runs/%d/request", run.ID), support, nil).expect(t, http.StatusOK)
	env.api("POST", fmt.Sprintf("/credit-runs/%d/approve", run.ID), zoe, nil).expect(t, http.StatusOK)
	resp, body = b.get("/admin/reports/sla/customer?customer=acme&month=2012-12")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("after the run: %d", resp.StatusCode)
	}
	doc = parseHTML(t, body)
	rows, _ = summaryRows(t, doc)
	if got := rows["Elastic Load Balancing"]; got[12] != "250.00 USD" {
		t.Errorf("paid %v", got)
	}
	lhead, led, lall := tableRows(t, doc, "ledger")
	if len(lall) != 2 || led["Total"][4] != "250.00 USD" || lall[0][1] != "tier" || lall[0][6] != fmt.Sprintf("run %d", run.ID) {
		t.Errorf("ledger %v", lall)
	}
	if doc.Find(testid("ledger")+` a[href="`+runPath(run.ID)+`"]`).Length() != 1 {
		t.Error("no link to the run")
	}
	checkCSV(t, b, doc.Find(testid("ledger-csv")).AttrOr("href", ""), lhead, lall)

	// The service report links its customers to their reports.
	_, body = env.user(auth.Manager).get("/admin/reports/sla?service=ELB&month=2012-12")
	if parseHTML(t, body).Find(testid("credits")+` a[href="/admin/reports/sla/customer?customer=acme&month=2012-12"]`).Length() != 1 {
		t.Error("the service report does not link acme's report")
	}
}

// Support, managers and admins read the report and its CSV; viewers get
// 403; the customer page links it for those who may read it.
func TestCustomerReportRoles(t *testing.T) {
	env, _, _ := customerReportDesk(t)
	for _, path := range []string{"/admin/reports/sla/customer?customer=acme&month=2012-12", "/admin/reports/sla/customer.csv?customer=acme&month=2012-12&table=services"} {
		for role, want := range map[auth.Role]int{auth.Viewer: 403, auth.Support: 200, auth.Manager: 200, auth.Admin: 200} {
			if resp, body := env.user(role).get(path); resp.StatusCode != want {
				t.Errorf("%s as %s: %d, want %d\n%.300s", path, role, resp.StatusCode, want, body)
			}
		}
	}
	if resp, _ := env.browser().get("/admin/reports/sla/customer?customer=acme"); resp.Request.URL.Path != "/login" {
		t.Errorf("signed out: ended at %s", resp.Request.URL)
	}
	_, body := env.user(auth.Support).get("/admin/customers/acme")
	doc := parseHTML(t, body)
	link := doc.Find(testid("customer-report-link"))
	if link.Length() != 1 || link.AttrOr("href", "") != "/admin/reports/sla/customer?customer=acme&month=2012-12" || textOf(link) != "SLA report, December 2012" {
		t.Errorf("customer page link: %d %q %q", link.Length(), link.AttrOr("href", ""), textOf(link))
	}
	if doc.Find(testid("customer-report-form")+` input[name="customer"][value="acme"]`).Length() != 1 ||
		doc.Find(`#customer-report-month option[selected]`).AttrOr("value", "") != "2012-12" {
		t.Error("the customer page's report form")
	}
	_, body = env.user(auth.Viewer).get("/admin/customers/acme")
	if parseHTML(t, body).Find(testid("customer-reports")).Length() != 0 {
		t.Error("a viewer is shown the report links")
	}
}

// Bad input names the field and changes nothing; an unknown customer is
// the 404 page; the month not yet over is shown so far.
func TestCustomerReportBadInputAndSoFar(t *testing.T) {
	env, _, _ := customerReportDesk(t)
	b := env.user(auth.Support)
	before := env.counts()
	for path, want := range map[string]struct {
		status int
		text   string
	}{
		"/admin/reports/sla/customer?customer=nobody&month=2012-12":                  {404, "Page not found"},
		"/admin/reports/sla/customer?customer=acme&month=2012-13":                    {422, "month: "},
		"/admin/reports/sla/customer?customer=acme&month=December":                   {422, "month: "},
		"/admin/reports/sla/customer?customer=acme&month=2013-02":                    {422, "month: 2013-02 has not begun"},
		"/admin/reports/sla/customer?month=2012-12":                                  {422, "customer: is required"},
		"/admin/reports/sla/customer.csv?customer=acme&month=2012-12&table=nope":     {422, "table: "},
		"/admin/reports/sla/customer.csv?customer=nobody&month=2012-12&table=ledger": {404, ""},
	} {
		resp, body := b.get(path)
		if resp.StatusCode != want.status || !strings.Contains(textOf(parseHTML(t, body).Selection), want.text) {
			t.Errorf("%s: %d, want %d with %q\n%.400s", path, resp.StatusCode, want.status, want.text, body)
		}
	}
	env.assertNothingStored(before)

	// The clock is on 5 January 2013: January is counted so far.
	resp, body := b.get("/admin/reports/sla/customer?customer=acme")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("current month: %d", resp.StatusCode)
	}
	doc := parseHTML(t, body)
	if h := textOf(doc.Find("h1")); h != "SLA report: Acme, January 2013 (so far)" {
		t.Errorf("heading %q", h)
	}
	rows, _ := summaryRows(t, doc)
	if got := rows["Elastic Load Balancing"]; len(got) != 13 || got[4] != "100.0000%" || got[8] != "0.00 USD" {
		t.Errorf("January so far: %v", got)
	}
	if m := methodText(doc, "ELB"); !strings.Contains(m, "This month is not over: downtime is counted up to 5 January 2013 20:00 UTC against the whole month") {
		t.Errorf("method:\n%s", m)
	}
	if doc.Find(`#cr-month option[selected]`).AttrOr("value", "") != "2013-01" {
		t.Error("the month filter does not show January")
	}
}

// The paragraphs every service shares are stated once for the page; each
// service keeps its own.
func TestCommonMethod(t *testing.T) {
	services := []templates.CustomerReportService{
		{ID: "ELB", Method: []string{"period", "statuses", "target 99.95"}},
		{ID: "EC2", Method: []string{"period", "statuses", "target 99.99"}},
	}
	common := commonMethod(services)
	if strings.Join(common, "|") != "period|statuses" || strings.Join(services[0].Method, "|") != "target 99.95" || strings.Join(services[1].Method, "|") != "target 99.99" {
		t.Errorf("common %v, ELB %v, EC2 %v", common, services[0].Method, services[1].Method)
	}
	one := []templates.CustomerReportService{{ID: "ELB", Method: []string{"a", "b"}}}
	if got := commonMethod(one); len(got) != 2 || len(one[0].Method) != 0 {
		t.Errorf("one service: %v, left %v", got, one[0].Method)
	}
}
