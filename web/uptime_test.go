package web

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/report"
	"github.com/amends/amends/sla"
)

var jan5 = time.Date(2013, 1, 5, 0, 0, 0, 0, time.UTC)

// christmasOutage stores the December 2012 ELB outage at its worst: 6.8%
// of elb-us-east-1 in partial outage from 20:24 on 24 December to 18:30 on
// the 25th (79,560 s, 5410.08 s of downtime).
func (e *testEnv) christmasOutage() incidents.Incident {
	e.t.Helper()
	ctx := context.Background()
	start := time.Date(2012, 12, 24, 20, 24, 0, 0, time.UTC)
	inc, err := e.incidents.CreateIncident(ctx, audit.Person("ops@example.com"), incidents.IncidentInput{
		Title: "Degraded load balancers", Message: "Investigating.", StartedAt: &start,
		Components: []incidents.ComponentChange{change("elb-us-east-1", incidents.PartialOutage, "6.8")},
	}, e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	end := time.Date(2012, 12, 25, 18, 30, 0, 0, time.UTC)
	if inc, err = e.incidents.AddUpdate(ctx, audit.Person("ops@example.com"), inc.ID, incidents.UpdateInput{
		Phase: incidents.Resolved, Message: "Resolved.", At: &end,
	}, e.clock.Now()); err != nil {
		e.t.Fatal(err)
	}
	return inc
}

// barDays returns the first day of the page's uptime bars, read from its
// legend ("Daily uptime from 7 Oct 2012 to 4 Jan 2013 (UTC days)"): a
// cell's day is the first day plus its place on the bar.
func barDays(t *testing.T, doc *goquery.Document) (from, to time.Time) {
	t.Helper()
	m := regexp.MustCompile(`from (\d+ \w+ \d{4}) to (\d+ \w+ \d{4})`).FindStringSubmatch(textOf(doc.Find(testid("uptime-span"))))
	if m == nil {
		t.Fatalf("legend %q", textOf(doc.Find(testid("uptime-span"))))
	}
	from, err1 := time.Parse("2 Jan 2006", m[1])
	to, err2 := time.Parse("2 Jan 2006", m[2])
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	return from, to
}

// cells returns a component's uptime cells by date, and the dates in the
// bar's order.
func cells(t *testing.T, doc *goquery.Document, component string) (map[string]*goquery.Selection, []string) {
	t.Helper()
	return barCells(t, doc, doc.Find(testid("component-"+component)+` .uptime__bar`))
}

// serviceCells returns the cells of a service's bar by date.
func serviceCells(t *testing.T, doc *goquery.Document, service string) (map[string]*goquery.Selection, []string) {
	t.Helper()
	return barCells(t, doc, doc.Find(testid("service-"+service)+` `+testid("uptime-service")+` ol.uptime__bar`))
}

func barCells(t *testing.T, doc *goquery.Document, bar *goquery.Selection) (map[string]*goquery.Selection, []string) {
	t.Helper()
	if bar.Length() != 1 {
		t.Fatalf("%d bars", bar.Length())
	}
	from, _ := barDays(t, doc)
	byDate := map[string]*goquery.Selection{}
	var order []string
	bar.Children().Each(func(i int, s *goquery.Selection) {
		d := from.AddDate(0, 0, i).Format(time.DateOnly)
		byDate[d] = s
		order = append(order, d)
	})
	return byDate, order
}

func hasClasses(s *goquery.Selection, classes ...string) bool {
	for _, c := range classes {
		if !s.HasClass(c) {
			return false
		}
	}
	return true
}

// As of 00:00 on 5 January 2013 the bars cover 7 October 2012 to
// 4 January 2013, 90 cells per component, and mark 24 and 25 December
// with the day's exact uptime; the 90-day figure is the whole range's
// (summed from the stored days, see the next test but one).
func TestStatusPageUptimeBars(t *testing.T) {
	env := newTestEnv(t)
	env.clock.Advance(jan5.Sub(env.clock.Now()))
	inc := env.christmasOutage()
	doc := env.statusPage()

	for _, id := range []string{"elb-us-east-1", "elb-eu-west-1"} {
		_, order := cells(t, doc, id)
		if len(order) != 90 || order[0] != "2012-10-07" || order[89] != "2013-01-04" {
			t.Fatalf("%s: %d cells from %v", id, len(order), order)
		}
	}
	byDate, _ := cells(t, doc, "elb-us-east-1")
	for date, want := range map[string]struct {
		classes []string
		text    string
	}{
		// 3 h 36 min at 6.8%: 881.28 s.
		"2012-12-24": {[]string{"day--95", "day--incident"}, "24 Dec 2012: 98.9800% uptime, 1 incident"},
		// 18 h 30 min at 6.8%: 4528.8 s.
		"2012-12-25": {[]string{"day--low", "day--incident"}, "25 Dec 2012: 94.7583% uptime, 1 incident"},
	} {
		// The cell is the link to the day's incident; its words are its
		// text and, shown by CSS, its tooltip: with the titles of the
		// day's incidents, each on its own line.
		cell := byDate[date]
		if !hasClasses(cell, want.classes...) || goquery.NodeName(cell) != "a" {
			t.Errorf("%s: <%s class=%q>, want <a> of %v", date, goquery.NodeName(cell), cell.AttrOr("class", ""), want.classes)
		}
		tip := cell.Find(".day__tip")
		if tip.Length() != 1 {
			t.Fatalf("%s: %d tooltips", date, tip.Length())
		}
		if got, wantTip := tip.Text(), want.text+"\n"+inc.Title; got != wantTip {
			t.Errorf("%s: text %q, want %q", date, got, wantTip)
		}
		if href := cell.AttrOr("href", ""); href != fmt.Sprintf("/incidents/%d", inc.ID) {
			t.Errorf("%s: links to %q", date, href)
		}
	}
	// A day on which nothing happened is an empty cell, without a class
	// (the colour of a day without downtime); the bar's sentence tells
	// screen readers how many such days there are.
	for _, id := range []string{"elb-us-east-1", "elb-eu-west-1"} {
		byDate, order := cells(t, doc, id)
		quiet := 0
		for _, d := range order {
			if id == "elb-us-east-1" && (d == "2012-12-24" || d == "2012-12-25") {
				continue
			}
			if c := byDate[d]; goquery.NodeName(c) != "i" || c.AttrOr("class", "") != "" || c.Children().Length() != 0 || c.Text() != "" {
				h, _ := goquery.OuterHtml(c)
				t.Errorf("%s: %s is %s", id, d, h)
			}
			quiet++
		}
		want := "No downtime and no incidents on 88 of the 90 days; the other 2:"
		if id == "elb-eu-west-1" {
			want = "No downtime and no incidents on any of the 90 days."
		}
		if got := textOf(doc.Find(testid("component-"+id) + " " + testid("uptime") + " .sr-only")); got != want {
			t.Errorf("%s: %q, want %q (%d quiet)", id, got, want, quiet)
		}
	}
	// The service's own bar: each day the worst of its components', every
	// day with its words; the service's uptime is its components' average.
	byDate, order := serviceCells(t, doc, "elb")
	if len(order) != 90 {
		t.Fatalf("the service's bar has %d cells", len(order))
	}
	for date, want := range map[string]struct {
		class, text, href string
	}{
		"2012-12-24": {"day--95 day--incident", "24 Dec 2012: 98.9800% uptime at worst (ELB us-east-1), 1 incident\n" + inc.Title, fmt.Sprintf("/incidents/%d", inc.ID)},
		"2012-12-25": {"day--low day--incident", "25 Dec 2012: 94.7583% uptime at worst (ELB us-east-1), 1 incident\n" + inc.Title, fmt.Sprintf("/incidents/%d", inc.ID)},
		"2012-12-26": {"", "26 Dec 2012: 100.0000% uptime, no incidents", ""},
		"2012-10-07": {"", "7 Oct 2012: 100.0000% uptime, no incidents", ""},
	} {
		cell := byDate[date]
		if goquery.NodeName(cell) != "li" || cell.AttrOr("class", "") != want.class || cell.Find(".day__tip").Text() != want.text || cell.Find("a").AttrOr("href", "") != want.href {
			h, _ := goquery.OuterHtml(cell)
			t.Errorf("%s: %s, want class %q, words %q, link %q", date, h, want.class, want.text, want.href)
		}
	}
	if got := textOf(doc.Find(testid("service-elb") + " " + testid("uptime-service-90"))); got != "99.9652% uptime over 90 days across its 2 components" {
		t.Errorf("the service's 90-day uptime %q", got)
	}
	// 5410.08 s of 7,776,000: 99.930425…%.
	if got := textOf(doc.Find(testid("component-elb-us-east-1") + " " + testid("uptime-90"))); got != "99.9304% uptime over 90 days" {
		t.Errorf("90-day uptime %q", got)
	}
	if got := textOf(doc.Find(testid("component-elb-eu-west-1") + " " + testid("uptime-90"))); got != "100.0000% uptime over 90 days" {
		t.Errorf("90-day uptime of an untouched component %q", got)
	}
	if got := textOf(doc.Find(testid("uptime-span"))); !strings.Contains(got, "from 7 Oct 2012 to 4 Jan 2013") {
		t.Errorf("legend %q", got)
	}
	if doc.Find(testid("uptime-link")).AttrOr("href", "") != "/uptime" {
		t.Error("the status page does not link /uptime")
	}
}

// During a day the bars end with today so far, evaluated when read; the
// page changes when an incident is declared.
func TestStatusPageUptimeToday(t *testing.T) {
	env := newTestEnv(t) // 20:00 on 24 December 2012
	env.declare("Load balancers failing", change("elb-us-east-1", incidents.MajorOutage, ""))
	env.clock.Advance(time.Hour)
	doc := env.statusPage()
	byDate, order := cells(t, doc, "elb-us-east-1")
	if len(order) != 90 || order[89] != "2012-12-24" {
		t.Fatalf("%d cells, last %s", len(order), order[len(order)-1])
	}
	// 1 h of 21 h so far: 95.2380…%.
	if got := textOf(byDate["2012-12-24"]); got != "24 Dec 2012 (so far): 95.2380% uptime, 1 incident Load balancers failing" {
		t.Fatalf("today: %q", got)
	}
}

// With Config.AsOf the public page shows that instant: the bars end on 4
// January 2013 and mark Christmas, and an incident declared later (today,
// by the clock) is neither active nor on the bars.
func TestStatusPageAsOf(t *testing.T) {
	env := newTestEnvWith(t, envOptions{config: func(c *Config) { c.AsOf = jan5 }})
	env.clock.Advance(time.Date(2013, 3, 1, 12, 0, 0, 0, time.UTC).Sub(env.clock.Now()))
	env.christmasOutage()
	env.declare("Something today", change("elb-eu-west-1", incidents.MajorOutage, ""))
	doc := env.statusPage()
	byDate, order := cells(t, doc, "elb-us-east-1")
	if len(order) != 90 || order[89] != "2013-01-04" {
		t.Fatalf("%d cells, last %s", len(order), order[len(order)-1])
	}
	for _, d := range []string{"2012-12-24", "2012-12-25"} {
		if !byDate[d].HasClass("day--incident") {
			t.Errorf("%s is not marked", d)
		}
	}
	if doc.Find(testid("active-incidents")).Length() != 0 {
		t.Error("an incident declared after the as-of instant is shown as active")
	}
	if class, _ := componentStatus(doc, "elb-eu-west-1"); class != "operational" {
		t.Errorf("elb-eu-west-1 is %s as of January 2013", class)
	}
	if got := textOf(doc.Find(testid("generated-at"))); !strings.Contains(got, "5 Jan 2013") {
		t.Errorf("as of %q", got)
	}
	// Admin pages keep the real clock.
	_, admin := env.user("support").get("/admin")
	if !strings.Contains(admin, "Something today") {
		t.Error("the admin page lost today's incident")
	}
}

// /uptime: each component's last 12 months, December 2012 at 99.7980% for
// ELB us-east-1; no target without a policy, then met or missed against
// the service's stored policy.
func TestUptimePage(t *testing.T) {
	env := newTestEnv(t)
	env.clock.Advance(jan5.Add(12 * time.Hour).Sub(env.clock.Now()))
	env.christmasOutage()
	// One table per service, components down the side and months across
	// (oldest first); a cell shows two decimals and holds the exact figure
	// in its title. months reads ELB us-east-1's row: month → {text, title}.
	months := func() map[string][]string {
		t.Helper()
		resp, body := env.publicGet("/uptime")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /uptime: %d", resp.StatusCode)
		}
		doc := parseHTML(t, body)
		if n := doc.Find(testid("uptime-service-elb") + " table").Length(); n != 1 {
			t.Fatalf("ELB has %d tables, want 1", n)
		}
		var heads []string
		doc.Find(testid("uptime-table-elb") + " thead th abbr").Each(func(_ int, s *goquery.Selection) {
			heads = append(heads, s.AttrOr("title", ""))
		})
		out := map[string][]string{}
		doc.Find(testid("uptime-elb-us-east-1") + " " + testid("uptime-month")).Each(func(i int, s *goquery.Selection) {
			out[heads[i]] = []string{textOf(s), s.AttrOr("title", "")}
		})
		if len(out) != 12 || len(heads) != 12 {
			t.Fatalf("%d months, %d heads: %v", len(out), len(heads), out)
		}
		if heads[0] != "January 2013" || heads[11] != "February 2012" {
			t.Fatalf("months run %s to %s, want January 2013 (newest first) to February 2012", heads[0], heads[11])
		}
		if h := textOf(doc.Find(testid("uptime-table-elb") + " thead th").Eq(1)); h != "Jan 2013 so far" {
			t.Fatalf("the current month's head is %q", h)
		}
		return out
	}
	got := months()
	if m := got["December 2012"]; m[0] != "99.79%" || m[1] != "99.7980%" {
		t.Fatalf("December 2012 without a target: %v", m)
	}
	if m := got["January 2013"]; m[0] != "100%" || m[1] != "100.0000%" {
		t.Fatalf("January 2013: %v", m)
	}

	if _, err := env.desk.PutPolicy(context.Background(), audit.Actor{Person: "admin@example.com"}, desk.ServicePolicy{
		Policy: sla.Policy{ID: "elb", Service: "ELB", Target: sla.MustPercent("99.95")},
	}, env.clock.Now()); err != nil {
		t.Fatal(err)
	}
	env.passRevisionCheck()
	got = months()
	if m := got["December 2012"]; m[0] != "99.79% (missed)" || m[1] != "99.7980%, missed" {
		t.Fatalf("December 2012 against 99.95: %v", m)
	}
	if m := got["November 2012"]; m[0] != "100% (met)" || m[1] != "100.0000%, met" {
		t.Fatalf("November 2012 against 99.95: %v", m)
	}
}

// The 90-day uptime under each bar is summed from the stored days; it must
// be exactly what one sla evaluation of the whole range gives, whatever
// the history: overlapping incidents on several days, statuses that do not
// count, an excluded incident, maintenance, an incident still active, and
// incidents written after the days were first stored.
func TestStatusPageUptime90IsTheRangeEvaluation(t *testing.T) {
	env := newTestEnv(t)
	env.clock.Advance(jan5.Add(13*time.Hour + 29*time.Minute + 17*time.Second).Sub(env.clock.Now()))
	ctx := context.Background()
	now := env.clock.Now()
	from, to := report.BarWindow(now)
	rnd := rand.New(rand.NewPCG(90, 1))
	statuses := []incidents.Status{incidents.DegradedPerformance, incidents.PartialOutage, incidents.MajorOutage}
	comps := []string{"elb-us-east-1", "elb-eu-west-1"}
	record := func(n int) {
		for i := 0; i < n; i++ {
			start := from.Add(time.Duration(rnd.Int64N(int64(to.Sub(from)))) - 6*time.Hour).Truncate(time.Second)
			end := start.Add(time.Duration(1+rnd.Int64N(50*3600)) * time.Second)
			p := fmt.Sprintf("%d.%04d", rnd.IntN(100), rnd.IntN(10000))
			inc, err := env.incidents.CreateIncident(ctx, audit.Person("ops@example.com"), incidents.IncidentInput{
				Title: fmt.Sprintf("Incident %d", i), Message: "Investigating.", StartedAt: &start,
				Components: []incidents.ComponentChange{change(comps[rnd.IntN(2)], statuses[rnd.IntN(3)], p)},
			}, now)
			if err != nil {
				t.Fatal(err)
			}
			mid := start.Add(end.Sub(start) / 2)
			if _, err := env.incidents.AddUpdate(ctx, audit.Person("ops@example.com"), inc.ID, incidents.UpdateInput{
				Phase: incidents.Identified, Message: "Found.", At: &mid,
				Components: []incidents.ComponentChange{change(comps[rnd.IntN(2)], statuses[rnd.IntN(3)], "")},
			}, now); err != nil {
				t.Fatal(err)
			}
			if end.After(now) {
				continue // still active
			}
			if _, err := env.incidents.AddUpdate(ctx, audit.Person("ops@example.com"), inc.ID, incidents.UpdateInput{Phase: incidents.Resolved, Message: "Resolved.", At: &end}, now); err != nil {
				t.Fatal(err)
			}
			if i%7 == 0 {
				if _, err := env.incidents.SetExcluded(ctx, audit.Person("ops@example.com"), inc.ID, true, now); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	record(25)
	env.statusPage() // stores the days that are over
	record(25)
	mstart := from.Add(40*incidents.Day + 3*time.Hour)
	if _, err := env.incidents.CreateMaintenance(ctx, audit.Person("ops@example.com"), incidents.MaintenanceInput{
		Title: "Upgrade", Message: "Planned.", Components: comps[:1], StartsAt: mstart, EndsAt: mstart.Add(30 * time.Hour), AnnouncedAt: &from,
	}, now); err != nil {
		t.Fatal(err)
	}

	services, _ := env.incidents.Services(ctx)
	components, _ := env.incidents.Components(ctx)
	incs, _ := env.incidents.IncidentsBetween(ctx, from, to)
	maints, _ := env.incidents.MaintenancesBetween(ctx, from, to)
	sc, err := incidents.SLAScenario(sla.Period{Start: from, End: to}, now, services, components, incs, maints)
	if err != nil {
		t.Fatal(err)
	}
	res, err := sla.Evaluate(sc)
	if err != nil {
		t.Fatal(err)
	}
	want := sla.ResultsByID(res.Components)
	bars, err := env.server.reports.UptimeBars(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	env.passRevisionCheck()
	doc := env.statusPage()
	for _, c := range comps {
		got := bars.Uptime[c]
		if got.UptimePercent().Cmp(want[c].UptimePercent()) != 0 || got.Seconds != want[c].Seconds {
			t.Errorf("%s: %s%% over %d s from the days, %s%% over %d s evaluated", c,
				got.UptimePercent().Rat().RatString(), got.Seconds, want[c].UptimePercent().Rat().RatString(), want[c].Seconds)
		}
		if want[c].DowntimeSeconds.IsZero() {
			t.Errorf("%s: no downtime, the comparison shows nothing", c)
		}
		page := textOf(doc.Find(testid("component-"+c) + " " + testid("uptime-90")))
		if page != uptimeText(want[c])+" uptime over 90 days" {
			t.Errorf("%s: the page says %q, the evaluation %s", c, page, uptimeText(want[c]))
		}
	}
	// The service's figure is its components' fleet uptime (the average:
	// neither states its resources) from the same evaluation.
	fleet := sla.FleetUptime([]sla.Component{{ID: comps[0]}, {ID: comps[1]}}, want)
	if got := textOf(doc.Find(testid("service-elb") + " " + testid("uptime-service-90"))); got != fleet.Truncate(4)+"% uptime over 90 days across its 2 components" {
		t.Errorf("the service's figure %q, the evaluation's %s%%", got, fleet.Truncate(4))
	}
	// Each day of the service's bar has the worst colour of its
	// components' cells that day, and is marked when either is.
	rank := map[string]int{"": 0, "day--999": 1, "day--99": 2, "day--95": 3, "day--low": 4}
	colour := func(c *goquery.Selection) (int, bool) {
		r := 0
		for _, class := range strings.Fields(c.AttrOr("class", "")) {
			if n, ok := rank[class]; ok && n > r {
				r = n
			}
		}
		return r, c.HasClass("day--incident")
	}
	svc, order := serviceCells(t, doc, "elb")
	a, _ := cells(t, doc, comps[0])
	b, _ := cells(t, doc, comps[1])
	worse := 0
	for _, d := range order {
		ra, ia := colour(a[d])
		rb, ib := colour(b[d])
		rs, is := colour(svc[d])
		if rs != max(ra, rb) || is != (ia || ib) {
			t.Errorf("%s: the service's cell is %q, its components' %q and %q", d, svc[d].AttrOr("class", ""), a[d].AttrOr("class", ""), b[d].AttrOr("class", ""))
		}
		if ra != rb && ra > 0 && rb > 0 {
			worse++
		}
	}
	if worse == 0 {
		t.Error("no day on which both components lost uptime, unequally: the comparison shows little")
	}
}
