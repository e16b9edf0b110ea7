package web

import (
	"context"
	"database/sql"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/sqlitedb"
	"github.com/amends/amends/sla"
)

// BenchmarkStatement100k renders one customer's statement page, as its
// private link does, on a desk of 100,000 customers with 3 services each
// (ELB in one of 3 regions, EC2 and EBS in one of 3 zones; 300,000
// resource entries), charged for October, November and December 2012
// (900,000 charges), an outage on every component in each of those months
// and one ELB impact that names customers, and December's credit run
// issued (266,667 ledger entries: the named impact pays only the customers
// it names). The statement shows 3 months of uptime and the customer's
// credits; the figure is ms per render (ms/statement).
func BenchmarkStatement100k(b *testing.B) {
	const customers = 100_000
	env := newTestEnv(b)
	ctx := context.Background()
	env.clock.Advance(time.Date(2013, 1, 10, 0, 0, 0, 0, time.UTC).Sub(env.clock.Now()))
	now := env.clock.Now()
	comps := map[string][]string{
		"ELB": {"elb-us-east-1", "elb-eu-west-1", "elb-us-west-2"},
		"EC2": {"ec2-us-east-1a", "ec2-us-east-1b", "ec2-us-east-1c"},
		"EBS": {"ebs-us-east-1a", "ebs-us-east-1b", "ebs-us-east-1c"},
	}
	services := []string{"ELB", "EC2", "EBS"}
	for i, s := range services {
		if s != "ELB" {
			if _, err := env.incidents.CreateService(ctx, audit.Person("bench"), incidents.Service{ID: s, Name: s, Position: i + 2}, now); err != nil {
				b.Fatal(err)
			}
		}
		for _, c := range comps[s] {
			if c == "elb-us-east-1" || c == "elb-eu-west-1" {
				continue // seeded
			}
			if _, err := env.incidents.CreateComponent(ctx, audit.Person("bench"), incidents.Component{ID: c, Service: s, Name: c, Region: "r"}, now); err != nil {
				b.Fatal(err)
			}
		}
		tiers := []sla.Tier{{Below: sla.MustPercent("99.95"), CreditPercent: sla.MustPercent("10")}, {Below: sla.MustPercent("99"), CreditPercent: sla.MustPercent("25")}}
		if _, err := env.desk.PutPolicy(ctx, audit.Actor{Person: "bench"}, desk.ServicePolicy{Policy: sla.Policy{
			ID: strings.ToLower(s), Service: s, Target: sla.MustPercent("99.95"), Tiers: tiers, Unlisted: sla.Full}}, now); err != nil {
			b.Fatal(err)
		}
	}
	id := func(i int) string { return fmt.Sprintf("c%06d", i) }
	placed := func(i, svc int) string { return comps[services[svc]][(i*7+svc*3)%3] }
	months := []string{"2012-10", "2012-11", "2012-12"}
	at := now.UTC().Format(sqlitedb.TimeFormat)
	err := sqlitedb.InTx(ctx, env.db, func(tx *sql.Tx) error {
		for _, q := range []struct {
			sql  string
			rows int
			args func(i int) []any
		}{
			{`INSERT INTO customers (id, name, external_id, currency, email, created_at, updated_at) VALUES (?, ?, '', 'USD', ?, ?, ?)`, customers,
				func(i int) []any { return []any{id(i), "Customer " + id(i), id(i) + "@example.com", at, at} }},
			{`INSERT INTO customer_resources (customer_id, component_id, count) VALUES (?, ?, ?)`, customers * 3,
				func(i int) []any { return []any{id(i / 3), placed(i/3, i%3), int64(1 + i%5)} }},
			{`INSERT INTO customer_charges (customer_id, component_id, month, amount_minor) VALUES (?, ?, ?, ?)`, customers * 9,
				func(i int) []any {
					return []any{id(i / 9), placed(i/9, i%3), months[i%9/3], int64(10_000 + (i*7919)%90_000)}
				}},
		} {
			stmt, err := tx.PrepareContext(ctx, q.sql)
			if err != nil {
				return err
			}
			for i := range q.rows {
				if _, err := stmt.ExecContext(ctx, q.args(i)...); err != nil {
					stmt.Close()
					return err
				}
			}
			stmt.Close()
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for m, month := range months {
		start, _ := time.Parse("2006-01", month)
		k := 0
		for _, s := range services {
			for _, c := range comps[s] {
				k++
				from := start.Add(time.Duration(24*k+m) * time.Hour)
				change := incidents.ComponentChange{Component: c, Status: incidents.MajorOutage}
				if c == "elb-us-east-1" {
					change.Customers = []incidents.AffectedCustomer{{Customer: id(7)}, {Customer: id(42)}}
				}
				inc, err := env.incidents.CreateIncident(ctx, audit.Person("bench"), incidents.IncidentInput{Title: "Outage " + c, Message: "Down.", StartedAt: &from,
					Components: []incidents.ComponentChange{change}}, now)
				if err != nil {
					b.Fatal(err)
				}
				end := from.Add(time.Duration(k) * time.Hour)
				if _, err := env.incidents.AddUpdate(ctx, audit.Person("bench"), inc.ID, incidents.UpdateInput{Phase: incidents.Resolved, Message: "Up.", At: &end}, now); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	// December's run, issued.
	from, to, _ := desk.MonthWindow("2012-12")
	base, err := incidents.StoredScenario(ctx, env.incidents, sla.Period{Month: "2012-12"}, from, to, now)
	if err != nil {
		b.Fatal(err)
	}
	d, err := env.desk.MonthData(ctx, "2012-12")
	if err != nil {
		b.Fatal(err)
	}
	lines, err := desk.PreviewMonth("2012-12", now, base, d)
	if err != nil {
		b.Fatal(err)
	}
	sam, max := audit.Actor{Person: "sam@example.com"}, audit.Actor{Person: "max@example.com"}
	run, err := desk.NewMonthRun("2012-12", now, lines, sam.Person, now)
	if err != nil {
		b.Fatal(err)
	}
	if run, err = env.desk.CreateRun(ctx, sam, run, lines, now); err != nil {
		b.Fatal(err)
	}
	if _, err := env.desk.RequestRun(ctx, sam, run.ID, now); err != nil {
		b.Fatal(err)
	}
	if run, err = env.desk.ApproveRun(ctx, max, run.ID, now); err != nil || run.Issued.Entries < customers*2 {
		b.Fatalf("issue: %+v %v", run.Issued, err)
	}

	token, err := env.desk.RotateStatementLink(ctx, sam, id(42), now)
	if err != nil {
		b.Fatal(err)
	}
	h := env.server.Handler()
	render := func() string {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/statement/"+token, nil))
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		return rec.Body.String()
	}
	page := render()
	credits, _, err := env.desk.Ledger(ctx, desk.LedgerFilter{Customer: id(42)})
	if err != nil || len(credits) < 2 {
		b.Fatalf("the ledger of %s: %+v %v", id(42), credits, err)
	}
	for _, want := range []string{"Customer " + id(42), "<caption>December 2012</caption>", "<caption>November 2012</caption>",
		"<caption>October 2012</caption>", "uptime ", html.EscapeString(credits[0].Reason)} {
		if !strings.Contains(page, want) {
			b.Fatalf("the statement lacks %q", want)
		}
	}
	b.ResetTimer()
	began := time.Now()
	for b.Loop() {
		render()
	}
	b.ReportMetric(float64(time.Since(began).Milliseconds())/float64(b.N), "ms/statement")
}
