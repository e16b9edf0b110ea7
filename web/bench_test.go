package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/sla"
)

// benchEnv is a status page with 4 services of 6 components each and an
// active incident, the size of a real provider's front page.
func benchEnv(b *testing.B) *testEnv {
	env := newTestEnv(b)
	ctx := context.Background()
	now := env.clock.Now()
	for s := 0; s < 4; s++ {
		svc := fmt.Sprintf("SVC%d", s)
		if _, err := env.incidents.CreateService(ctx, audit.Person("bench"), incidents.Service{ID: svc, Name: "Service " + svc, Position: s + 2}, now); err != nil {
			b.Fatal(err)
		}
		for c := 0; c < 6; c++ {
			id := fmt.Sprintf("svc%d-region-%d", s, c)
			if _, err := env.incidents.CreateComponent(ctx, audit.Person("bench"), incidents.Component{ID: id, Service: svc, Name: id, Region: fmt.Sprintf("region-%d", c)}, now); err != nil {
				b.Fatal(err)
			}
		}
	}
	p, _ := sla.ParsePercent("6.8")
	if _, err := env.incidents.CreateIncident(ctx, audit.Person("bench"), incidents.IncidentInput{
		Title: "Degraded load balancers", Message: "We are investigating.",
		Components: []incidents.ComponentChange{{Component: "elb-us-east-1", Status: incidents.PartialOutage, AffectedPercent: &p}},
	}, now); err != nil {
		b.Fatal(err)
	}
	return env
}

func benchRequest(b *testing.B, h http.Handler, gzip bool) {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	if gzip {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d", rec.Code)
			}
		}
	})
}

// BenchmarkStatusPageCached is the outage-day path: the page is in memory.
func BenchmarkStatusPageCached(b *testing.B) {
	env := benchEnv(b)
	benchRequest(b, env.server.Handler(), true)
}

// BenchmarkStatusPageRender renders the page from SQLite on every request,
// as after each write: the cost the cache saves.
func BenchmarkStatusPageRender(b *testing.B) {
	env := benchEnv(b)
	h := env.server.Handler()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		env.clock.Advance(2 * time.Minute) // every cached page has expired
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
