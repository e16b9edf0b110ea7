package web

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/report"
	"github.com/amends/amends/sla"
	"github.com/amends/amends/templates"
)

// The scale the status page and the dashboard must stay fast at: five
// years of history, 500 components (10 services of 50) and 10,000
// incidents. The benchmarks of both pages build it with scaleHistory.
const (
	scaleYears      = 5
	scaleServices   = 10
	scalePerService = 50
	scaleIncidents  = 10000
)

// scaleNow is when the generated history ends: mid-afternoon, so that the
// status page also evaluates a day in progress, with one incident active.
var scaleNow = time.Date(2013, 1, 5, 14, 0, 0, 0, time.UTC)

// scaleHistory fills env (a newTestEnv, whose clock it sets to scaleNow)
// with the scale history: 10 services of 50 components (5 regions of 10
// zones each), each service with a 99.95% policy; 10,000 incidents spread
// over 5 years on 1 to 3 components each, most lasting minutes to hours
// and a few days, with 2 to 4 updates that change status and share on the
// way, the last one still active; a 2-hour maintenance on 5 components
// every month and one scheduled next week; and the daily uptime of every
// day stored. Incidents are recorded with Store.Import in batches of
// 1,000 (one transaction each), and the days with Store.Backfill, as
// "amends serve" does for the last 13 months when it starts. It returns
// the IDs of the generated components.
func scaleHistory(tb testing.TB, env *testEnv) []string {
	tb.Helper()
	ctx := context.Background()
	env.clock.Advance(scaleNow.Sub(env.clock.Now()))
	now := env.clock.Now()
	first := now.AddDate(-scaleYears, 0, 0)
	rnd := rand.New(rand.NewPCG(6, 2013))

	var batch incidents.ImportBatch
	var ids []string
	for s := 0; s < scaleServices; s++ {
		svc := fmt.Sprintf("SVC%d", s)
		batch.Services = append(batch.Services, incidents.Service{ID: svc, Name: "Service " + svc, Description: "Generated service " + svc + ".", Position: s + 2})
		for c := 0; c < scalePerService; c++ {
			region := fmt.Sprintf("region-%d", c%5)
			zone := fmt.Sprintf("%s%c", region, 'a'+c/5)
			id := fmt.Sprintf("svc%d-%s", s, zone)
			batch.Components = append(batch.Components, incidents.Component{ID: id, Service: svc, Name: "Service " + svc + " " + zone, Region: region, Zone: zone, Position: c})
			ids = append(ids, id)
		}
	}
	if _, err := env.incidents.Import(ctx, audit.Person("bench"), batch, now); err != nil {
		tb.Fatal(err)
	}
	components := map[string]incidents.Component{}
	for _, c := range batch.Components {
		components[c.ID] = c
	}
	for s := 0; s < scaleServices; s++ {
		if _, err := env.desk.PutPolicy(ctx, audit.Actor{Person: "bench"}, desk.ServicePolicy{Policy: sla.Policy{
			ID: fmt.Sprintf("p%d", s), Service: fmt.Sprintf("SVC%d", s), Target: sla.MustPercent("99.95")}}, now); err != nil {
			tb.Fatal(err)
		}
	}

	span := now.Sub(first)
	starts := make([]time.Time, scaleIncidents)
	for i := range starts {
		starts[i] = first.Add(time.Duration(rnd.Int64N(int64(span)))).Truncate(time.Minute)
	}
	slices.SortFunc(starts, func(a, b time.Time) int { return a.Compare(b) })
	starts[len(starts)-1] = now.Add(-40 * time.Minute) // the active one
	statuses := []incidents.Status{incidents.DegradedPerformance, incidents.PartialOutage, incidents.MajorOutage}
	verbs := []string{"Elevated error rates", "Increased latency", "Connectivity issues", "Degraded performance", "Unavailable instances"}
	batch = incidents.ImportBatch{}
	flush := func() {
		if len(batch.Incidents) == 0 {
			return
		}
		if _, err := env.incidents.Import(ctx, audit.Person("bench"), batch, now); err != nil {
			tb.Fatal(err)
		}
		batch.Incidents = batch.Incidents[:0]
	}
	for i, start := range starts {
		// Three in four incidents last 10 minutes to 2 hours, one in five
		// 2 to 12 hours, one in twenty 12 hours to 3 days.
		var d time.Duration
		switch r := rnd.IntN(20); {
		case r == 0:
			d = 12*time.Hour + time.Duration(rnd.Int64N(int64(60*time.Hour)))
		case r < 5:
			d = 2*time.Hour + time.Duration(rnd.Int64N(int64(10*time.Hour)))
		default:
			d = 10*time.Minute + time.Duration(rnd.Int64N(int64(110*time.Minute)))
		}
		end := start.Add(d).Truncate(time.Minute)
		n := 1 + rnd.IntN(3)
		var hit []incidents.ComponentStatus
		for len(hit) < n {
			c := ids[rnd.IntN(len(ids))]
			if !slices.ContainsFunc(hit, func(cs incidents.ComponentStatus) bool { return cs.Component == c }) {
				hit = append(hit, incidents.ComponentStatus{Component: c, Status: statuses[rnd.IntN(3)], AffectedPercent: scalePercent(rnd)})
			}
		}
		c := components[hit[0].Component]
		inc := incidents.Incident{
			Title:  fmt.Sprintf("%s for Service %s in %s", verbs[rnd.IntN(len(verbs))], c.Service, c.Zone),
			Impact: scaleImpact(hit), StartedAt: start, CreatedAt: start, UpdatedAt: end,
			Updates: []incidents.Update{{Phase: incidents.Investigating, Message: "We are investigating.", At: start, CreatedAt: start, Author: "bench", Components: hit}},
		}
		if rnd.IntN(2) == 0 {
			// Identified a third of the way in, with the first component
			// recovering in part.
			at := start.Add(end.Sub(start) / 3).Truncate(time.Minute)
			less := hit[0]
			less.Status, less.AffectedPercent = incidents.DegradedPerformance, scalePercent(rnd)
			inc.Updates = append(inc.Updates, incidents.Update{Phase: incidents.Identified, Message: "We have found the cause.", At: at, CreatedAt: at, Author: "bench",
				Components: []incidents.ComponentStatus{less}})
		}
		if i == len(starts)-1 {
			inc.Phase, inc.UpdatedAt = inc.Latest().Phase, inc.Latest().At
		} else {
			if rnd.IntN(3) == 0 {
				at := start.Add(end.Sub(start) * 2 / 3).Truncate(time.Minute)
				inc.Updates = append(inc.Updates, incidents.Update{Phase: incidents.Monitoring, Message: "A fix is in place; we are watching.", At: at, CreatedAt: at, Author: "bench"})
			}
			inc.Updates = append(inc.Updates, incidents.Update{Phase: incidents.Resolved, Message: "Resolved.", At: end, CreatedAt: end, Author: "bench"})
			inc.Phase, inc.ResolvedAt = incidents.Resolved, &end
		}
		batch.Incidents = append(batch.Incidents, incidents.ImportedIncident{Source: fmt.Sprintf("bench:%d", i), Incident: inc})
		if len(batch.Incidents) == 1000 {
			flush()
		}
	}
	flush()

	for m := first; m.Before(now); m = m.AddDate(0, 1, 0) {
		starts := m.AddDate(0, 0, 14).Add(2 * time.Hour)
		announced := starts.AddDate(0, 0, -7)
		comps := make([]string, 5)
		for k := range comps {
			comps[k] = ids[rnd.IntN(len(ids))]
		}
		slices.Sort(comps)
		comps = slices.Compact(comps)
		if _, err := env.incidents.CreateMaintenance(ctx, audit.Person("bench"), incidents.MaintenanceInput{
			Title: "Network upgrade", Message: "Planned upgrade of network equipment.", Components: comps,
			StartsAt: starts, EndsAt: starts.Add(2 * time.Hour), AnnouncedAt: &announced,
		}, now); err != nil {
			tb.Fatal(err)
		}
	}
	next := now.AddDate(0, 0, 7)
	if _, err := env.incidents.CreateMaintenance(ctx, audit.Person("bench"), incidents.MaintenanceInput{
		Title: "Storage upgrade", Message: "Planned upgrade of storage.", Components: ids[:3], StartsAt: next, EndsAt: next.Add(2 * time.Hour),
	}, now); err != nil {
		tb.Fatal(err)
	}
	if _, err := env.incidents.Backfill(ctx, first, now); err != nil {
		tb.Fatal(err)
	}
	return ids
}

// scalePercent is an affected share as status pages state them: whole
// numbers, and now and then two decimals.
func scalePercent(rnd *rand.Rand) sla.Percent {
	if rnd.IntN(5) == 0 {
		return sla.Hundred
	}
	if rnd.IntN(3) == 0 {
		return sla.Percent(1+rnd.IntN(9999)) * sla.PercentUnit / 100
	}
	return sla.Percent(1+rnd.IntN(99)) * sla.PercentUnit
}

// scaleImpact is the impact an incident's worst status suggests.
func scaleImpact(hit []incidents.ComponentStatus) incidents.Impact {
	worst := incidents.DegradedPerformance
	for _, cs := range hit {
		if cs.Status.Severity() > worst.Severity() {
			worst = cs.Status
		}
	}
	switch worst {
	case incidents.MajorOutage:
		return incidents.ImpactMajor
	case incidents.PartialOutage:
		return incidents.ImpactMinor
	}
	return incidents.ImpactNone
}

// BenchmarkStatusPageRender500 renders the status page at scale (502
// components with the test's own ELB, 90 days each) from SQLite on every
// request, as after each write: the current state, the stored days, the
// 90-day uptimes, the HTML, its gzip form and its ETag. It reports the
// page's size as html-bytes and as gzip-bytes (what a browser that accepts
// gzip downloads).
func BenchmarkStatusPageRender500(b *testing.B) {
	env := newTestEnv(b)
	start := time.Now()
	scaleHistory(b, env)
	b.Logf("history built in %v", time.Since(start).Round(time.Millisecond))
	h := env.server.Handler()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("status %d", rec.Code)
	}
	// 502 components and 11 services, each with a bar of 90 days.
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		b.Fatal(err)
	}
	bars := doc.Find(".uptime__bar")
	if bars.Length() != 502+11 {
		b.Fatalf("%d bars", bars.Length())
	}
	b.Logf("%d of 11 services folded", doc.Find("details:not([open])").Length())
	bars.Each(func(_ int, s *goquery.Selection) {
		if n := s.Children().Length(); n != 90 {
			b.Fatalf("a bar of %d cells", n)
		}
	})
	size := rec.Body.Len()
	gz := httptest.NewRequest(http.MethodGet, "/", nil)
	gz.Header.Set("Accept-Encoding", "gzip")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, gz)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Encoding") != "gzip" {
		b.Fatalf("gzip: status %d, encoding %q", rec.Code, rec.Header().Get("Content-Encoding"))
	}
	gzSize := rec.Body.Len()
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		env.clock.Advance(2 * time.Minute) // every cached page has expired
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
	reportCPU(b, cpu0)
	b.ReportMetric(float64(size), "html-bytes")
	b.ReportMetric(float64(gzSize), "gzip-bytes")
}

// BenchmarkStatusPageRenderAfterWrite500 is the first GET / after a write
// at scale: each operation declares an incident on one of the 500
// components, or resolves the one declared before (through the store,
// which recomputes the stored days it touches; not timed), then times the
// request that finds the data revision moved and renders the page.
func BenchmarkStatusPageRenderAfterWrite500(b *testing.B) {
	env := newTestEnv(b)
	ids := scaleHistory(b, env)
	write := scaleWriter(b, env, ids)
	h := env.server.Handler()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	var cpu time.Duration // of the requests alone
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		open := write()
		env.passRevisionCheck()
		cpu0 := cpuTime()
		b.StartTimer()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		b.StopTimer()
		cpu += cpuTime() - cpu0
		// Declared, it is an active incident; resolved, one of the past
		// incidents listed after the components.
		body := rec.Body.Bytes()
		at := bytes.Index(body, []byte("Bench incident"))
		past := bytes.Index(body, []byte(`id="past-heading"`))
		listedActive := at >= 0 && (past < 0 || at < past)
		listedPast := past >= 0 && at > past
		if rec.Code != http.StatusOK || listedActive != open || listedPast != !open {
			b.Logf("at %d, past incidents at %d", at, past)
			b.Fatalf("status %d, or the write is not on the page", rec.Code)
		}
		b.StartTimer()
	}
	if cpu > 0 && b.N > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkDashboard builds and renders the SLA dashboard at scale (every
// service, region and component) for the current month again and again,
// with nothing written in between: the 13 months it reads out of the 5
// years stored, of which the 11 finished ones are those the renders before
// kept (report's dashKept). BenchmarkDashboardAfterWrite is the render
// after a write.
func BenchmarkDashboard(b *testing.B) {
	env := newTestEnv(b)
	start := time.Now()
	scaleHistory(b, env)
	b.Logf("history built in %v", time.Since(start).Round(time.Millisecond))
	render := dashboardRender(b, env)
	size := render()
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		render()
	}
	reportCPU(b, cpu0)
	b.ReportMetric(float64(size), "html-bytes")
}

// BenchmarkDashboardAfterWrite is the SLA dashboard at scale rendered
// right after a write to the month under way, as during an outage: each
// operation declares an incident on one of the 500 components, or
// resolves the one declared before (not timed), then times the render.
func BenchmarkDashboardAfterWrite(b *testing.B) {
	env := newTestEnv(b)
	ids := scaleHistory(b, env)
	write := scaleWriter(b, env, ids)
	render := dashboardRender(b, env)
	render()
	var cpu time.Duration // of the renders alone
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		write()
		cpu0 := cpuTime()
		b.StartTimer()
		render()
		b.StopTimer()
		cpu += cpuTime() - cpu0
		b.StartTimer()
	}
	if cpu > 0 && b.N > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// scaleWriter returns the write of the benchmarks that render after one:
// each call declares an incident on the next of ids, or resolves the one
// it declared before, through the store, and says whether one is open.
func scaleWriter(b *testing.B, env *testEnv, ids []string) func() (open bool) {
	ctx := context.Background()
	var inc *incidents.Incident
	i := 0
	return func() bool {
		now := env.clock.Now()
		if inc == nil {
			in, err := env.incidents.CreateIncident(ctx, audit.Person("bench"), incidents.IncidentInput{
				Title: "Bench incident", Message: "Investigating.",
				Components: []incidents.ComponentChange{change(ids[i%len(ids)], incidents.PartialOutage, "10")},
			}, now)
			if err != nil {
				b.Fatal(err)
			}
			inc = &in
		} else {
			if _, err := env.incidents.AddUpdate(ctx, audit.Person("bench"), inc.ID, incidents.UpdateInput{Phase: incidents.Resolved, Message: "Resolved."}, now); err != nil {
				b.Fatal(err)
			}
			inc = nil
		}
		i++
		return inc != nil
	}
}

// dashboardRender returns a function that builds and renders the SLA
// dashboard of the scale history for the current month and returns the
// size of its HTML.
func dashboardRender(b *testing.B, env *testEnv) func() int {
	ctx := context.Background()
	now := env.clock.Now()
	f := dashFilter{month: report.MonthStart(now)}
	return func() int {
		v, err := env.server.dashboardView(ctx, templates.Page{Title: "SLA dashboard"}, f, now)
		if err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		if err := templates.Dashboard(v).Render(ctx, &buf); err != nil {
			b.Fatal(err)
		}
		// 10 services, 50 service regions, 500 components, and the
		// test's ELB: 1 service, 2 regions, 2 components.
		if len(v.Budget.Rows) != 10+50+500+5 {
			b.Fatalf("%d rows", len(v.Budget.Rows))
		}
		return buf.Len()
	}
}

// reportCPU reports the CPU time (user and system, all threads) per
// operation since cpu0: the work done, apart from waiting for a busy
// machine. It exceeds ns/op where an operation uses both cores.
func reportCPU(b *testing.B, cpu0 time.Duration) {
	if cpu := cpuTime(); cpu > 0 && b.N > 0 {
		b.ReportMetric(float64((cpu-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}
