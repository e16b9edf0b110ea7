package web

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/sla"
	"github.com/amends/amends/templates"
)

// BenchmarkDashboard builds and renders the SLA dashboard (every service,
// region and component, no cache) for 500 components in 10 services with
// a 99.95% policy each, and 2,000 incidents of an hour or two on one to
// three components each over the 13 months it reads, as the status page's
// history benchmark generates them.
func BenchmarkDashboard(b *testing.B) {
	env := newTestEnv(b)
	ctx := context.Background()
	env.clock.Advance(jan5.Sub(env.clock.Now()))
	now := env.clock.Now()
	var ids []string
	for s := 0; s < 10; s++ {
		svc := fmt.Sprintf("SVC%d", s)
		if _, err := env.incidents.CreateService(ctx, "bench", incidents.Service{ID: svc, Name: "Service " + svc, Position: s + 2}, now); err != nil {
			b.Fatal(err)
		}
		if _, err := env.desk.PutPolicy(ctx, sla.Actor{Person: "bench"}, sla.ServicePolicy{Policy: sla.Policy{
			ID: fmt.Sprintf("p%d", s), Service: svc, Target: sla.MustPercent("99.95")}}, now); err != nil {
			b.Fatal(err)
		}
		for c := 0; c < 50; c++ {
			id := fmt.Sprintf("svc%d-region-%d", s, c)
			if _, err := env.incidents.CreateComponent(ctx, "bench", incidents.Component{ID: id, Service: svc, Name: id, Region: fmt.Sprintf("region-%d", c%5), Position: c}, now); err != nil {
				b.Fatal(err)
			}
			ids = append(ids, id)
		}
	}
	statuses := []incidents.Status{incidents.DegradedPerformance, incidents.PartialOutage, incidents.MajorOutage}
	const n = 2000
	for i := 0; i < n; i++ {
		start := now.Add(-time.Duration(i*395*24/n+1) * time.Hour).Truncate(time.Minute)
		var changes []incidents.ComponentChange
		for k := 0; k <= i%3; k++ {
			changes = append(changes, change(ids[(i*7+k*131)%len(ids)], statuses[(i+k)%3], fmt.Sprintf("%d.5", 1+i%40)))
		}
		inc, err := env.incidents.CreateIncident(ctx, "bench", incidents.IncidentInput{
			Title: fmt.Sprintf("Incident %d", i), Message: "Investigating.", StartedAt: &start, Components: changes,
		}, now)
		if err != nil {
			b.Fatal(err)
		}
		end := start.Add(time.Duration(60+i%60) * time.Minute)
		if _, err := env.incidents.AddUpdate(ctx, "bench", inc.ID, incidents.UpdateInput{Phase: incidents.Resolved, Message: "Resolved.", At: &end}, now); err != nil {
			b.Fatal(err)
		}
	}
	f := dashFilter{month: monthStart(now)}
	render := func() int {
		v, err := env.server.dashboardView(ctx, templates.Page{Title: "SLA dashboard"}, f, now)
		if err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		if err := templates.Dashboard(v).Render(ctx, &buf); err != nil {
			b.Fatal(err)
		}
		if len(v.Budget.Rows) != 10+50+500+5 { // and the seeded ELB: 1 service, 2 regions, 2 components
			b.Fatalf("%d rows", len(v.Budget.Rows))
		}
		return buf.Len()
	}
	b.ReportMetric(float64(render()), "html-bytes")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		render()
	}
}
