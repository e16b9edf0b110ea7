package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/auth"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/sla"
	"github.com/amends/amends/web/api"
)

// tableRows reads a DataTable of the page by test id: its header cells and
// each row's cells, keyed by the row's first cell.
func tableRows(t *testing.T, doc *goquery.Document, id string) ([]string, map[string][]string, [][]string) {
	t.Helper()
	tab := doc.Find(testid(id))
	if tab.Length() != 1 {
		t.Fatalf("%d tables %q", tab.Length(), id)
	}
	var head []string
	tab.Find("thead th").Each(func(_ int, s *goquery.Selection) { head = append(head, textOf(s)) })
	rows := map[string][]string{}
	var all [][]string
	tab.Find("tbody tr").Each(func(_ int, s *goquery.Selection) {
		var cells []string
		s.Children().Each(func(_ int, c *goquery.Selection) { cells = append(cells, textOf(c)) })
		rows[cells[0]] = cells
		all = append(all, cells)
	})
	return head, rows, all
}

// christmasWithPolicy is the December 2012 ELB outage (6.8% for 22 h 6 min)
// under a 99.95% target, looked at on 5 January 2013.
func christmasWithPolicy(t *testing.T) *testEnv {
	env := newTestEnv(t)
	env.clock.Advance(jan5.Add(12 * time.Hour).Sub(env.clock.Now()))
	env.christmasOutage()
	if _, err := env.desk.PutPolicy(context.Background(), audit.Actor{Person: "admin@example.com"}, desk.ServicePolicy{
		Policy: sla.Policy{ID: "elb", Service: "ELB", Target: sla.MustPercent("99.95"),
			Tiers: []sla.Tier{{Below: sla.MustPercent("99.95"), CreditPercent: sla.MustPercent("10")}}},
	}, env.clock.Now()); err != nil {
		t.Fatal(err)
	}
	return env
}

// Viewers and support get 403; managers and admins see the dashboard, its
// CSV and the report.
func TestDashboardRoles(t *testing.T) {
	env := christmasWithPolicy(t)
	for _, path := range []string{"/admin/dashboard", "/admin/dashboard.csv?table=budget", "/admin/reports/sla", "/admin/reports/sla.csv?table=figures"} {
		for role, want := range map[auth.Role]int{auth.Viewer: 403, auth.Support: 403, auth.Manager: 200, auth.Admin: 200} {
			if resp, body := env.user(role).get(path); resp.StatusCode != want {
				t.Errorf("%s as %s: %d, want %d\n%.300s", path, role, resp.StatusCode, want, body)
			}
		}
	}
	if resp, _ := env.browser().get("/admin/dashboard"); resp.Request.URL.Path != "/login" {
		t.Errorf("signed out: ended at %s", resp.Request.URL)
	}
	b := env.user(auth.Manager)
	for _, path := range []string{"/admin/dashboard?month=2013-13", "/admin/dashboard?month=2014-01", "/admin/dashboard.csv?table=nope", "/admin/reports/sla?service=NOPE",
		"/admin/dashboard?month=2012-12&component=nope", "/admin/dashboard.csv?table=budget&month=2012-12&component=nope"} {
		if resp, body := b.get(path); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422", path, resp.StatusCode)
		} else if strings.Contains(path, "component=") && !strings.Contains(body, "component") {
			t.Errorf("%s: the error does not name the component: %.300s", path, body)
		}
	}
}

// A service or region the catalog does not hold is refused like an
// unknown component: a 422 naming the field, on the page and its CSV; a
// known region the chosen service has no component in selects nothing.
func TestDashboardRefusesUnknownServiceAndRegion(t *testing.T) {
	env := christmasWithPolicy(t)
	b := env.user(auth.Manager)
	for query, field := range map[string]string{
		"service=NOPE":                "service",
		"region=mars-1":               "region",
		"service=ELB&region=mars-1":   "region",
		"service=elb":                 "service", // ids are matched exactly
		"service=NOPE&component=nope": "service",
	} {
		for _, path := range []string{"/admin/dashboard?month=2012-12&", "/admin/dashboard.csv?table=budget&month=2012-12&"} {
			resp, body := b.get(path + query)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, field+": there is no "+field) {
				t.Errorf("%s%s: %d, want 422 naming %s\n%.300s", path, query, resp.StatusCode, field, body)
			}
		}
	}
	// EC2, with one component in us-east-1, has none in eu-west-1.
	ctx, now := context.Background(), env.clock.Now()
	if _, err := env.incidents.CreateService(ctx, audit.Person("test"), incidents.Service{ID: "EC2", Name: "EC2", Position: 2}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := env.incidents.CreateComponent(ctx, audit.Person("test"), incidents.Component{ID: "ec2-us-east-1", Service: "EC2", Name: "EC2 us-east-1", Region: "us-east-1"}, now); err != nil {
		t.Fatal(err)
	}
	resp, body := b.get("/admin/dashboard?month=2012-12&service=EC2&region=eu-west-1")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("a known service and region: %d", resp.StatusCode)
	}
	if n := parseHTML(t, body).Find(testid("budget") + " tbody tr").Length(); n != 0 {
		t.Errorf("EC2 in eu-west-1: %d budget rows", n)
	}
}

// The component filter shows that component's row alone (its chart, its
// CSV), lists the components of the chosen service, keeps the other
// filters in its links, and selects nothing outside the chosen service.
func TestDashboardComponentFilter(t *testing.T) {
	env := christmasWithPolicy(t)
	b := env.user(auth.Manager)
	resp, body := b.get("/admin/dashboard?month=2012-12&component=elb-us-east-1")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d\n%.500s", resp.StatusCode, body)
	}
	doc := parseHTML(t, body)
	_, rows, all := tableRows(t, doc, "budget")
	if len(all) != 1 || rows["ELB us-east-1"] == nil || rows["ELB us-east-1"][1] != "99.7980%" {
		t.Errorf("budget rows %v", all)
	}
	if got := doc.Find("#f-component option[selected]").AttrOr("value", ""); got != "elb-us-east-1" {
		t.Errorf("selected component %q", got)
	}
	if doc.Find(".chart").Length() != 1 {
		t.Errorf("%d charts, want the component's", doc.Find(".chart").Length())
	}
	if csv := doc.Find(testid("budget-csv")).AttrOr("href", ""); !strings.Contains(csv, "component=elb-us-east-1") {
		t.Errorf("CSV link %q loses the component", csv)
	}
	if note := textOf(doc.Find(testid("credits-note"))); !strings.Contains(note, "under their service, ELB") {
		t.Errorf("credits note %q", note)
	}
	resp, csv := b.get("/admin/dashboard.csv?table=budget&month=2012-12&component=elb-us-east-1")
	if resp.StatusCode != http.StatusOK || strings.Count(strings.TrimSpace(csv), "\n") != 1 || !strings.Contains(csv, "ELB us-east-1") {
		t.Errorf("CSV %d\n%s", resp.StatusCode, csv)
	}

	// With Service = ELB only ELB's components are offered.
	_, body = b.get("/admin/dashboard?month=2012-12&service=ELB")
	doc = parseHTML(t, body)
	doc.Find("#f-component option").Each(func(_ int, o *goquery.Selection) {
		if v := o.AttrOr("value", ""); v != "" && !strings.HasPrefix(v, "elb-") {
			t.Errorf("Service = ELB offers component %q", v)
		}
	})
	if doc.Find("#f-component option").Length() < 2 {
		t.Error("no components offered")
	}

	// A component of another service than the one chosen selects nothing.
	_, body = b.get("/admin/dashboard?month=2012-12&service=EC2&component=elb-us-east-1")
	doc = parseHTML(t, body)
	if n := doc.Find(testid("budget") + " tbody tr").Length(); n != 0 {
		t.Errorf("EC2 with an ELB component: %d rows", n)
	}
}

// December 2012, filtered to ELB in us-east-1: under 99.95% with the
// budget it burned; the 12-month table, the chart, the CSVs.
func TestDashboardDecember2012(t *testing.T) {
	env := christmasWithPolicy(t)
	b := env.user(auth.Manager)
	resp, body := b.get("/admin/dashboard?month=2012-12&service=ELB&region=us-east-1")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d\n%s", resp.StatusCode, body)
	}
	doc := parseHTML(t, body)
	head, rows, all := tableRows(t, doc, "budget")
	if len(head) != 7 || head[6] != "Budget left (min)" {
		t.Fatalf("head %v", head)
	}
	// 5410.08 s of downtime in 2,678,400 s; the budget is 1339.2 s.
	want := []string{"ELB us-east-1", "99.7980%", "99.95%", "Missed", "22.32", "90.17", "-67.85"}
	if got := rows["ELB us-east-1"]; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("component row\n got %v\nwant %v", got, want)
	}
	// The burn rates are a table of their own, at the month's end all 0.
	burnHead, burn, _ := tableRows(t, doc, "burn")
	if strings.Join(burnHead, "|") != "Scope|Last 1 h|Last 6 h|Last 1 d|Last 3 d" {
		t.Errorf("burn head %v", burnHead)
	}
	if got := burn["ELB us-east-1"]; strings.Join(got, "|") != "ELB us-east-1|0.00|0.00|0.00|0.00" {
		t.Errorf("burn row %v", got)
	}
	// Number columns have right-aligned headers, text columns do not.
	ths := doc.Find(testid("budget") + " thead th")
	if !ths.Eq(1).HasClass("num") || ths.Eq(3).HasClass("num") || ths.Eq(0).HasClass("num") {
		t.Error("budget headers: Uptime should be a number column, Result and Scope text")
	}
	if got := rows["Elastic Load Balancing, us-east-1"]; len(got) < 7 || got[1] != "99.7980%" || got[6] != "-67.85" {
		t.Errorf("region row %v", got)
	}
	if len(all) != 3 { // the service (only us-east-1), the region, the component
		t.Errorf("%d rows: %v", len(all), all)
	}
	if doc.Find(testid("budget")+" tbody tr").Eq(0).HasClass("data-row--service") == false {
		t.Error("the first row is not the service's")
	}

	_, hist, _ := tableRows(t, doc, "history")
	// Two decimals, truncated, with met or missed in words for screen
	// readers (a symbol on screen) and the exact figure in the title.
	h := hist["ELB us-east-1"]
	if len(h) != 13 || h[12] != "99.79% (missed)" || h[11] != "100% (met)" {
		t.Errorf("history %v", h)
	}
	dec := doc.Find(testid("history") + " tbody tr").Last().Find("td").Last()
	if dec.AttrOr("title", "") != "99.7980%, missed" || !dec.HasClass("missed") || dec.Find(".cell-mark--missed").Length() != 1 {
		t.Errorf("December cell: title %q, class %q", dec.AttrOr("title", ""), dec.AttrOr("class", ""))
	}

	svg := doc.Find(testid("chart-0") + " svg")
	if svg.Length() != 1 || svg.AttrOr("role", "") != "img" || !strings.Contains(textOf(svg.Find("title").First()), "Monthly uptime of Elastic Load Balancing") {
		t.Fatalf("chart: %d svg, role %q", svg.Length(), svg.AttrOr("role", ""))
	}
	if svg.Find("desc").Length() != 1 || svg.Find("rect").Length() != 12 || svg.Find("line.chart__target").Length() != 1 {
		t.Errorf("chart has %d desc, %d bars", svg.Find("desc").Length(), svg.Find("rect").Length())
	}
	if svg.Find("rect.chart__bar--missed").Length() != 1 {
		t.Errorf("%d missed bars, want 1", svg.Find("rect.chart__bar--missed").Length())
	}
	_, ct, _ := tableRows(t, doc, "chart-0-table")
	if got := ct["December 2012"]; strings.Join(got, "|") != "December 2012|99.7980%|99.95%|Missed" {
		t.Errorf("chart table %v", got)
	}
	if doc.Find(testid("chart-0")+" details "+testid("chart-0-table")).Length() != 1 {
		t.Error("the chart's table is not in its <details>")
	}

	// Every table's CSV has the table's header and rows.
	for _, id := range []string{"budget", "burn", "history", "incidents", "chart-0-table"} {
		head, _, all := tableRows(t, doc, id)
		link := doc.Find(testid(id + "-csv"))
		if id == "chart-0-table" {
			link = doc.Find(`a[href*="table=chart-0-table"]`)
			if link.Length() == 0 {
				// The chart table's CSV is reachable by the same URL scheme.
				checkCSV(t, b, "/admin/dashboard.csv?table=chart-0-table&month=2012-12&service=ELB&region=us-east-1", head, all)
				continue
			}
		}
		href, ok := link.Attr("href")
		if !ok {
			t.Errorf("%s: no CSV link", id)
			continue
		}
		checkCSV(t, b, href, head, all)
	}

	// Incidents: one in December, resolved by its first update after the
	// opening one, 22 h 6 min after it started.
	_, inc, _ := tableRows(t, doc, "incidents")
	if got := inc["December 2012"]; len(got) != 6 || got[1] != "1" || got[4] != "22 h 6 min" {
		t.Errorf("incidents %v", got)
	}
	// The months without incidents are left out, and the page says so.
	if len(inc) != 1 || !strings.Contains(textOf(doc.Find(testid("incidents-note"))), "No incidents in the other months") {
		t.Errorf("incident months %v, note %q", inc, textOf(doc.Find(testid("incidents-note"))))
	}
	if got := textOf(doc.Find(testid("costly-note"))); !strings.Contains(got, "No ledger entry") {
		t.Errorf("costly note %q", got)
	}
}

func checkCSV(t *testing.T, b *browser, href string, head []string, rows [][]string) {
	t.Helper()
	resp, body := b.get(href)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("%s: %d %s", href, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", href, err)
	}
	if len(recs) != len(rows)+1 || strings.Join(recs[0], "|") != strings.Join(head, "|") {
		t.Fatalf("%s: %d records, head %v; want %d, %v", href, len(recs), recs[0], len(rows)+1, head)
	}
	for i, r := range rows {
		if strings.Join(recs[i+1], "|") != strings.Join(r, "|") {
			t.Errorf("%s row %d: csv %v, table %v", href, i, recs[i+1], r)
		}
	}
}

// The month so far: the default month is the one holding now, and the
// month filter lists December 2012, and every month back to the oldest
// incident's (March 2010).
func TestDashboardCurrentMonth(t *testing.T) {
	env := christmasWithPolicy(t)
	env.backfill("Long ago", time.Date(2010, 3, 9, 10, 0, 0, 0, time.UTC), change("elb-us-east-1", incidents.MajorOutage, "1"))
	// An outage now: 50% of elb-eu-west-1 for the last 2 hours burns fast.
	start := env.clock.Now().Add(-2 * time.Hour)
	env.backfillOpen(start, change("elb-eu-west-1", incidents.MajorOutage, "50"))
	resp, body := env.user(auth.Admin).get("/admin/dashboard")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	doc := parseHTML(t, body)
	if doc.Find(`#f-month option[value="2012-12"]`).Length() != 1 || doc.Find(`#f-month option[selected]`).AttrOr("value", "") != "2013-01" {
		t.Errorf("month options: selected %q", doc.Find(`#f-month option[selected]`).AttrOr("value", ""))
	}
	if n, last := doc.Find(`#f-month option`).Length(), doc.Find(`#f-month option`).Last().AttrOr("value", ""); n != 35 || last != "2010-03" {
		t.Errorf("%d month options down to %s, want 35 down to 2010-03", n, last)
	}
	_, rows, _ := tableRows(t, doc, "burn")
	got := rows["ELB eu-west-1"]
	// 2 h at 50% (3600 s of downtime) in the last 1 h, 6 h, 1 d and 3 d
	// windows, against 0.05% allowed: 1 h is at 0.5/0.0005 = 1000, 6 h at
	// (3600/21600)/0.0005 = 333.33, 1 d at 83.33, 3 d at 27.78.
	want := []string{"1000.00 (page)", "333.33 (page)", "83.33 (ticket)", "27.78 (ticket)"}
	if len(got) != 5 || strings.Join(got[1:], "|") != strings.Join(want, "|") {
		t.Errorf("burn rates %v, want %v", got, want)
	}
	_, rows, _ = tableRows(t, doc, "budget")
	if got := rows["ELB eu-west-1"]; len(got) != 8 || !strings.HasSuffix(got[7], "(misses)") {
		t.Errorf("projection %v", got)
	}
}

// backfillOpen stores an incident that started at start and is still open.
func (e *testEnv) backfillOpen(start time.Time, changes ...incidents.ComponentChange) incidents.Incident {
	e.t.Helper()
	inc, err := e.incidents.CreateIncident(context.Background(), audit.Person("ops@example.com"), incidents.IncidentInput{
		Title: "Open outage", Message: "Investigating.", StartedAt: &start, Components: changes,
	}, e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	return inc
}

// Credits paid by month come from the ledger; the SLA report states the
// method, the figures and the credits, and prints.
func TestDashboardCreditsAndReport(t *testing.T) {
	env := newTestEnv(t)
	support := env.token(auth.Support)
	max := env.personToken("max@example.com", auth.Manager)
	zoe := env.personToken("zoe@example.com", auth.Manager)
	env.seedDesk(support, max)
	var run desk.CreditRun
	env.api("POST", "/credit-runs", support, map[string]any{"month": "2012-12"}).expect(t, http.StatusCreated).decode(t, &run)
	env.api("POST", fmt.Sprintf("/credit-runs/%d/request", run.ID), support, nil).expect(t, http.StatusOK)
	env.api("POST", fmt.Sprintf("/credit-runs/%d/approve", run.ID), zoe, nil).expect(t, http.StatusOK)

	b := env.user(auth.Manager)
	_, body := b.get("/admin/dashboard?month=2012-12")
	doc := parseHTML(t, body)
	_, credits, _ := tableRows(t, doc, "credits")
	if got := credits["December 2012"]; strings.Join(got, "|") != "December 2012|USD|250.00 USD|1|1" {
		t.Errorf("credits %v", got)
	}
	_, rows, _ := tableRows(t, doc, "budget")
	if got := rows["ELB us-east-1"]; len(got) != 7 || got[1] != "99.8655%" || got[5] != "60.00" || got[6] != "-37.68" {
		t.Errorf("budget %v", got)
	}

	resp, body := b.get("/admin/reports/sla?service=ELB&month=2012-12")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("report: %d", resp.StatusCode)
	}
	doc = parseHTML(t, body)
	method := textOf(doc.Find(testid("report-method")))
	for _, s := range []string{"Statuses that count as downtime: partial outage and major outage", "Not counted: degraded performance",
		"Affected percentages weigh the time", "Maintenance", "2678400 seconds", "Target: 99.95%", "below 99.95%: 10% of the month's charges"} {
		if !strings.Contains(method, s) {
			t.Errorf("method lacks %q:\n%s", s, method)
		}
	}
	head, fig, all := tableRows(t, doc, "figures")
	if got := fig["ELB us-east-1"]; strings.Join(got, "|") != "ELB us-east-1|2678400|3600|99.8655%|99.95%|Missed|22.32|60.00|-37.68" {
		t.Errorf("figures %v", got)
	}
	checkCSV(t, b, doc.Find(testid("figures-csv")).AttrOr("href", ""), head, all)
	head, cr, all := tableRows(t, doc, "credits")
	if got := cr["acme"]; len(got) != 6 || got[3] != "250.00 USD" || got[1] != "tier" {
		t.Errorf("report credits %v", got)
	}
	checkCSV(t, b, doc.Find(testid("credits-csv")).AttrOr("href", ""), head, all)
	if !strings.Contains(body, "/static/") || doc.Find("form.no-print").Length() != 1 {
		t.Error("the report's filters are not hidden in print")
	}
}

// The dashboard's credits equal the ledger's entries under a filter,
// goodwill included: an ELB goodwill entry names no service, yet counts
// for ELB and for the region of the component its grant credited (not for
// another region), and its incident is ranked among the costliest.
func TestDashboardCreditsReconcileWithGoodwill(t *testing.T) {
	env := newTestEnv(t)
	support := env.token(auth.Support)
	max := env.personToken("max@example.com", auth.Manager)
	zoe := env.personToken("zoe@example.com", auth.Manager)
	env.seedDesk(support, max)
	pay := func(body map[string]any) {
		var run desk.CreditRun
		env.api("POST", "/credit-runs", support, body).expect(t, http.StatusCreated).decode(t, &run)
		env.api("POST", fmt.Sprintf("/credit-runs/%d/request", run.ID), support, nil).expect(t, http.StatusOK)
		env.api("POST", fmt.Sprintf("/credit-runs/%d/approve", run.ID), zoe, nil).expect(t, http.StatusOK)
	}
	pay(map[string]any{"month": "2012-12"})
	inc := env.resolvedIncidentID(support)
	var g desk.GoodwillGrant
	env.api("POST", fmt.Sprintf("/incidents/%d/goodwill", inc), support, map[string]any{"days": 10, "services": []string{"ELB"}}).
		expect(t, http.StatusCreated).decode(t, &g)
	env.api("POST", fmt.Sprintf("/goodwill/%d/approve", g.ID), zoe, nil).expect(t, http.StatusOK)
	pay(map[string]any{"incident": inc})

	var led api.List[desk.LedgerEntry]
	env.api("GET", "/ledger", support, nil).expect(t, http.StatusOK).decode(t, &led)
	var sum int64
	for _, e := range led.Items {
		sum += e.AmountMinor
	}
	if led.Total != 2 || sum != 25000+80645 {
		t.Fatalf("ledger %+v", led.Items)
	}

	b := env.user(auth.Manager)
	for _, tc := range []struct{ query, want string }{
		{"", "December 2012|USD|1,056.45 USD|2|1"},
		{"&service=ELB", "December 2012|USD|1,056.45 USD|2|1"},
		{"&service=ELB&region=us-east-1", "December 2012|USD|1,056.45 USD|2|1"},
		{"&region=us-east-1", "December 2012|USD|1,056.45 USD|2|1"},
		// The tier entry names no region; the goodwill credited us-east-1 only.
		{"&service=ELB&region=eu-west-1", "December 2012|USD|250.00 USD|1|1"},
	} {
		_, body := b.get("/admin/dashboard?month=2012-12" + tc.query)
		doc := parseHTML(t, body)
		_, credits, _ := tableRows(t, doc, "credits")
		if got := strings.Join(credits["December 2012"], "|"); got != tc.want {
			t.Errorf("%s: credits %q, want %q", tc.query, got, tc.want)
		}
		named := !strings.Contains(textOf(doc.Find(testid("costly-note"))), "No ledger entry")
		if want := tc.want != "December 2012|USD|250.00 USD|1|1"; named != want {
			t.Errorf("%s: an entry names an incident: %v, want %v", tc.query, named, want)
		}
	}

	// The ELB report of December lists the goodwill with the tier credit,
	// and its total is the dashboard's, in the page and in its CSV.
	_, body := b.get("/admin/reports/sla?service=ELB&month=2012-12")
	doc := parseHTML(t, body)
	head, _, all := tableRows(t, doc, "credits")
	var kinds, totals []string
	for _, r := range all {
		if r[0] == "Total" {
			totals = append(totals, strings.Join(r, "|"))
		} else {
			kinds = append(kinds, r[1]+" "+r[3])
		}
	}
	if strings.Join(kinds, ", ") != "tier 250.00 USD, goodwill 806.45 USD" || strings.Join(totals, ", ") != "Total||USD|1,056.45 USD||" {
		t.Errorf("the ELB report's credits %v, totals %v", kinds, totals)
	}
	checkCSV(t, b, doc.Find(testid("credits-csv")).AttrOr("href", ""), head, all)
	if method := textOf(doc.Find(testid("report-method"))); !strings.Contains(method, "goodwill whose incident's grant credited it") {
		t.Errorf("the method does not say what the credits table counts:\n%s", method)
	}
}
