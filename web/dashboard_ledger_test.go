package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/web/api"
)

// demoAsOf is when the tests that load the demo data look at it: December
// 2012 is over everywhere.
var demoAsOf = time.Date(2013, 1, 10, 12, 0, 0, 0, time.UTC)

// payRun previews body's run as support, requests it, and has manager
// approve it.
func (e *testEnv) payRun(support, manager string, body map[string]any) desk.CreditRun {
	e.t.Helper()
	var run desk.CreditRun
	e.api("POST", "/credit-runs", support, body).expect(e.t, http.StatusCreated).decode(e.t, &run)
	e.api("POST", fmt.Sprintf("/credit-runs/%d/request", run.ID), support, nil).expect(e.t, http.StatusOK)
	e.api("POST", fmt.Sprintf("/credit-runs/%d/approve", run.ID), manager, nil).expect(e.t, http.StatusOK).decode(e.t, &run)
	return run
}

// shownRows is the rows of table id, none when the page shows no table.
func shownRows(t *testing.T, doc *goquery.Document, id string) [][]string {
	t.Helper()
	if doc.Find(testid(id)).Length() == 0 {
		return nil
	}
	_, _, all := tableRows(t, doc, id)
	return all
}

// On the demo, after December 2012's and April 2011's runs, a 10-day ELB
// grant on the Christmas Eve incident (no components: the ones it hit),
// the demo's April 2011 grant, and a manual ELB credit, each requested by
// support and approved by another manager, the dashboard's credits by
// month and its costliest incidents equal, under every month, service,
// region and component, the ledger's entries summed directly from the
// table: a tier or manual entry counts for its service (whatever the
// region or component), a goodwill entry for the services, the components
// and the regions of the components its incident's grant credited; a
// component outside the chosen service or region selects nothing. Each
// service's SLA report of a month lists and totals what the dashboard
// credits that month with that service chosen, and a customer's report
// pays its month's entries under its services by the same rule.
func TestDashboardCreditsEqualTheLedgerUnderEveryFilter(t *testing.T) {
	env := newTestEnvWith(t, envOptions{demo: true})
	support := env.token(auth.Support)
	manager := env.personToken("zoe@example.com", auth.Manager)
	ctx := context.Background()

	env.payRun(support, manager, map[string]any{"month": "2012-12"})
	env.payRun(support, manager, map[string]any{"month": "2011-04"})
	var resolved api.List[incidents.Incident]
	env.api("GET", "/incidents?state=resolved", support, nil).expect(t, http.StatusOK).decode(t, &resolved)
	var elb, ebs int64
	for _, inc := range resolved.Items {
		switch inc.StartedAt.Format("2006-01-02") {
		case "2012-12-24":
			elb = inc.ID
		case "2011-04-21":
			ebs = inc.ID
		}
	}
	if elb == 0 || ebs == 0 {
		t.Fatalf("demo incidents: %+v", resolved.Items)
	}
	var g desk.GoodwillGrant
	env.api("POST", fmt.Sprintf("/incidents/%d/goodwill", elb), support, map[string]any{"days": 10, "services": []string{"ELB"}, "reason": "Christmas Eve"}).
		expect(t, http.StatusCreated).decode(t, &g)
	env.api("POST", fmt.Sprintf("/goodwill/%d/approve", g.ID), manager, nil).expect(t, http.StatusOK)
	env.payRun(support, manager, map[string]any{"incident": elb})
	env.payRun(support, manager, map[string]any{"incident": ebs})
	var m desk.ManualCredit
	env.api("POST", "/manual-credits", support, map[string]any{"customer": "streamflix", "amount_minor": 12345, "service": "ELB", "month": "2012-12", "reason": "Ticket 7."}).
		expect(t, http.StatusCreated).decode(t, &m)
	if m.State == desk.ManualPending {
		env.api("POST", fmt.Sprintf("/manual-credits/%d/approve", m.ID), manager, nil).expect(t, http.StatusOK)
	}

	// What each incident's approved grant credited, and where components are.
	comps, err := env.incidents.Components(ctx)
	if err != nil {
		t.Fatal(err)
	}
	region, serviceOf := map[string]string{}, map[string]string{}
	for _, c := range comps {
		region[c.ID], serviceOf[c.ID] = c.Region, c.Service
	}
	grants, err := env.desk.GoodwillGrants(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	credited := map[string]desk.GoodwillGrant{}
	for _, g := range grants {
		if g.State == desk.GoodwillApproved {
			credited[g.Incident] = g
		}
	}

	type entry struct {
		customer, currency, kind, service, period, incident, created string
		minor                                                        int64
	}
	// The ledger as the desk stores it, rows and blocks, page by page.
	var ledger []entry
	kinds := map[string]bool{}
	for f := (desk.LedgerFilter{Limit: 1000}); ; {
		list, total, err := env.desk.Ledger(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, le := range list {
			e := entry{customer: le.Customer, currency: le.Currency, kind: string(le.CreditKind), service: le.Service, period: le.Period,
				incident: le.Incident, created: le.CreatedAt.UTC().Format(time.RFC3339), minor: le.AmountMinor}
			ledger = append(ledger, e)
			kinds[e.kind] = true
		}
		if f.Offset += len(list); len(list) == 0 || f.Offset >= total {
			break
		}
	}
	if !kinds["tier"] || !kinds["goodwill"] || !kinds["manual"] {
		t.Fatalf("the ledger lacks a kind: %v", kinds)
	}
	// Every entry stored, rows and blocks, was read (desk/sqlite's own
	// tests check each entry read against what was written).
	if n := env.count("ledger"); n != len(ledger) {
		t.Fatalf("read %d ledger entries, %d stored", len(ledger), n)
	}

	selected := func(e entry, service, reg, comp string) bool {
		if comp != "" {
			if (service != "" && serviceOf[comp] != service) || (reg != "" && region[comp] != reg) {
				return false
			}
			if e.kind != "goodwill" || e.service != "" {
				return e.service == serviceOf[comp]
			}
			g, ok := credited[e.incident]
			return ok && slices.Contains(g.Components, comp)
		}
		if e.kind != "goodwill" || e.service != "" {
			return service == "" || e.service == service
		}
		g, ok := credited[e.incident]
		if !ok || (service != "" && !slices.Contains(g.Services, service)) {
			return false
		}
		if reg == "" {
			return true
		}
		for _, c := range g.Components {
			if region[c] == reg {
				return true
			}
		}
		return false
	}
	monthOf := func(e entry) time.Time {
		if m, err := time.Parse("2006-01", e.period); err == nil {
			return m
		}
		at, _ := time.Parse(time.RFC3339, e.created)
		return time.Date(at.Year(), at.Month(), 1, 0, 0, 0, 0, time.UTC)
	}

	// Every month × service × region, and every component alone, within
	// its service, and under a service or region it is not in.
	type selection struct{ service, region, component string }
	var selections []selection
	for _, service := range []string{"", "ELB", "EC2", "EBS", "RDS"} {
		for _, reg := range []string{"", "us-east-1", "us-west-2", "eu-west-1"} {
			selections = append(selections, selection{service, reg, ""})
		}
	}
	for _, c := range comps {
		other := "EC2"
		if c.Service == other {
			other = "ELB"
		}
		selections = append(selections, selection{"", "", c.ID}, selection{c.Service, "", c.ID}, selection{other, "", c.ID})
		if c.Region != "" {
			selections = append(selections, selection{c.Service, c.Region, c.ID})
		}
	}
	b := env.user(auth.Manager)
	var checked, withGoodwill, componentsWithGoodwill int
	for _, month := range []string{"2012-12", "2011-04"} {
		end, _ := time.Parse("2006-01", month)
		from := end.AddDate(0, -11, 0)
		for _, sel := range selections {
			service, reg, comp := sel.service, sel.region, sel.component
			{
				q := url.Values{"month": {month}, "service": {service}, "region": {reg}, "component": {comp}}
				// The ledger, summed directly.
				type sum struct {
					minor     int64
					entries   int
					customers map[string]bool
				}
				byMonth, byIncident := map[string]*sum{}, map[string]*sum{}
				add := func(m map[string]*sum, k string, e entry) {
					if m[k] == nil {
						m[k] = &sum{customers: map[string]bool{}}
					}
					m[k].minor += e.minor
					m[k].entries++
					m[k].customers[e.customer] = true
				}
				goodwill := false
				for _, e := range ledger {
					mo := monthOf(e)
					if mo.Before(from) || mo.After(end) || !selected(e, service, reg, comp) {
						continue
					}
					add(byMonth, mo.Format("January 2006")+"|"+e.currency, e)
					if e.incident != "" {
						add(byIncident, e.incident+"|"+e.currency, e)
					}
					goodwill = goodwill || e.kind == "goodwill"
				}
				var want []string
				for k, s := range byMonth {
					cur := k[strings.Index(k, "|")+1:]
					want = append(want, fmt.Sprintf("%s|%s|%d|%d", k, desk.FormatMoney(s.minor, cur), s.entries, len(s.customers)))
				}
				var wantCostly []string
				for k, s := range byIncident {
					id, cur, _ := strings.Cut(k, "|")
					title := "Incident " + id
					if n, err := strconv.ParseInt(id, 10, 64); err == nil {
						if inc, err := env.incidents.Incident(ctx, n); err == nil {
							title = inc.Title
						}
					}
					wantCostly = append(wantCostly, fmt.Sprintf("%s|%s|%s|%d", title, cur, desk.FormatMoney(s.minor, cur), len(s.customers)))
				}

				_, body := b.get("/admin/dashboard?" + q.Encode())
				doc := parseHTML(t, body)
				all := shownRows(t, doc, "credits")
				var got []string
				for _, r := range all {
					got = append(got, strings.Join(r, "|"))
				}
				costly := shownRows(t, doc, "costly")
				var gotCostly []string
				for _, r := range costly {
					gotCostly = append(gotCostly, strings.Join([]string{r[0], r[2], r[3], r[4]}, "|"))
				}
				sort.Strings(want)
				sort.Strings(got)
				sort.Strings(wantCostly)
				sort.Strings(gotCostly)
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Errorf("%s: credits\n%s\nthe ledger\n%s", q.Encode(), strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
				if strings.Join(gotCostly, "\n") != strings.Join(wantCostly, "\n") {
					t.Errorf("%s: costliest incidents\n%s\nthe ledger\n%s", q.Encode(), strings.Join(gotCostly, "\n"), strings.Join(wantCostly, "\n"))
				}
				checked++
				if goodwill {
					withGoodwill++
					if comp != "" {
						componentsWithGoodwill++
					}
				}
			}
		}
	}
	t.Logf("%d selections, %d with goodwill (%d of them of one component)", checked, withGoodwill, componentsWithGoodwill)
	if withGoodwill < 6 || componentsWithGoodwill < 4 {
		t.Errorf("only %d of %d selections hold goodwill, %d of one component", withGoodwill, checked, componentsWithGoodwill)
	}

	// December 2012 with Service = ELB holds the Christmas Eve goodwill and
	// ranks its incident.
	_, body := b.get("/admin/dashboard?month=2012-12&service=ELB")
	if doc := parseHTML(t, body); strings.Contains(textOf(doc.Find(testid("costly-note"))), "No ledger entry") {
		t.Error("December 2012, ELB: no incident ranked")
	}

	// Each service's SLA report of a month lists the entries the dashboard
	// credits in that month with that service chosen, and totals them
	// alike per currency: goodwill under each service its grant credited.
	for _, month := range []string{"2012-12", "2011-04"} {
		m, _ := time.Parse("2006-01", month)
		for _, service := range []string{"ELB", "EC2", "EBS", "RDS"} {
			q := url.Values{"month": {month}, "service": {service}}.Encode()
			_, body := b.get("/admin/dashboard?" + q)
			var want []string
			entries := 0
			for _, r := range shownRows(t, parseHTML(t, body), "credits") {
				if r[0] == m.Format("January 2006") {
					want = append(want, r[1]+"|"+r[2])
					n, _ := strconv.Atoi(r[3])
					entries += n
				}
			}
			_, body = b.get("/admin/reports/sla?" + q)
			var got []string
			listed := 0
			for _, r := range shownRows(t, parseHTML(t, body), "credits") {
				if r[0] == "Total" {
					got = append(got, r[2]+"|"+r[3])
				} else {
					listed++
				}
			}
			sort.Strings(want)
			sort.Strings(got)
			if strings.Join(got, ", ") != strings.Join(want, ", ") || listed != entries {
				t.Errorf("%s: the report lists %d entries totalling %v, the dashboard credits %d totalling %v", q, listed, got, entries, want)
			}
		}
	}

	// A customer's report puts its month's entries under each service as
	// the dashboard does, and totals them once each.
	paid, goodwillELB := map[string]int64{}, false
	for _, e := range ledger {
		if e.customer != "streamflix" || e.period != "2012-12" {
			continue
		}
		any := false
		for _, svc := range []string{"EBS", "EC2", "ELB"} {
			if selected(e, svc, "", "") {
				paid[svc] += e.minor
				any = true
				goodwillELB = goodwillELB || (svc == "ELB" && e.kind == "goodwill")
			}
		}
		if any {
			paid["Total"] += e.minor
		}
	}
	_, body = b.get("/admin/reports/sla/customer?customer=streamflix&month=2012-12")
	for _, r := range shownRows(t, parseHTML(t, body), "credits") {
		key := map[string]string{"Block Storage (EBS)": "EBS", "Compute (EC2)": "EC2", "Elastic Load Balancing": "ELB", "Total": "Total"}[r[0]]
		want := "none"
		if n, ok := paid[key]; ok {
			want = desk.FormatMoney(n, "USD")
		}
		if key == "" || r[6] != want {
			t.Errorf("streamflix, December 2012: %q paid %q, the ledger holds %s", r[0], r[6], want)
		}
	}
	if !goodwillELB {
		t.Error("streamflix has no ELB goodwill in December 2012")
	}
}
