package report

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/desk"
	desksqlite "github.com/amends/amends/desk/sqlite"
	"github.com/amends/amends/incidents"
	incsqlite "github.com/amends/amends/incidents/sqlite"
	"github.com/amends/amends/internal/sqlitedb"
	"github.com/amends/amends/sla"
)

// fixture is Reports over real SQLite stores in a temporary directory,
// with the catalog of one service (ELB) of two components, looked at on
// 5 January 2013 at noon unless a test moves now.
type fixture struct {
	t    testing.TB
	ctx  context.Context
	inc  *incsqlite.Store
	desk *desksqlite.Store
	r    *Reports
	now  time.Time
}

var (
	jan5     = time.Date(2013, 1, 5, 12, 0, 0, 0, time.UTC)
	december = time.Date(2012, 12, 1, 0, 0, 0, 0, time.UTC)
	sam      = audit.Actor{Person: "sam@example.com"}
	approver = audit.Actor{Person: "max@example.com"}
)

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := sqlitedb.Open(ctx, filepath.Join(t.TempDir(), "amends.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	inc, err := incsqlite.New(db)
	if err != nil {
		t.Fatal(err)
	}
	d, err := desksqlite.New(db)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, ctx: ctx, inc: inc, desk: d, r: New(inc, d), now: jan5}
	f.service("ELB", "Elastic Load Balancing", 1)
	f.component("elb-us-east-1", "ELB", "ELB us-east-1", "us-east-1", 0)
	f.component("elb-eu-west-1", "ELB", "ELB eu-west-1", "eu-west-1", 1)
	return f
}

func (f *fixture) service(id, name string, position int) {
	f.t.Helper()
	if _, err := f.inc.CreateService(f.ctx, audit.Person("test"), incidents.Service{ID: id, Name: name, Position: position}, f.now); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) component(id, service, name, region string, position int) {
	f.t.Helper()
	if _, err := f.inc.CreateComponent(f.ctx, audit.Person("test"), incidents.Component{ID: id, Service: service, Name: name, Region: region, Position: position}, f.now); err != nil {
		f.t.Fatal(err)
	}
}

// change sets component to st, with percent affected ("" for the default).
func change(component string, st incidents.Status, percent string) incidents.ComponentChange {
	ch := incidents.ComponentChange{Component: component, Status: st}
	if percent != "" {
		p, err := sla.ParsePercent(percent)
		if err != nil {
			panic(err)
		}
		ch.AffectedPercent = &p
	}
	return ch
}

// incident stores an incident that started at start and was resolved at
// end (still open when end is zero).
func (f *fixture) incident(title string, start, end time.Time, changes ...incidents.ComponentChange) incidents.Incident {
	f.t.Helper()
	inc, err := f.inc.CreateIncident(f.ctx, audit.Person("ops@example.com"), incidents.IncidentInput{
		Title: title, Message: "Investigating.", StartedAt: &start, Components: changes,
	}, f.now)
	if err != nil {
		f.t.Fatal(err)
	}
	if end.IsZero() {
		return inc
	}
	if inc, err = f.inc.AddUpdate(f.ctx, audit.Person("ops@example.com"), inc.ID, incidents.UpdateInput{Phase: incidents.Resolved, Message: "Resolved.", At: &end}, f.now); err != nil {
		f.t.Fatal(err)
	}
	return inc
}

// christmas stores the December 2012 ELB outage: 6.8% of elb-us-east-1 in
// partial outage from 20:24 on 24 December to 18:30 on the 25th (79,560 s,
// 5410.08 s of downtime).
func (f *fixture) christmas() incidents.Incident {
	return f.incident("Degraded load balancers", time.Date(2012, 12, 24, 20, 24, 0, 0, time.UTC), time.Date(2012, 12, 25, 18, 30, 0, 0, time.UTC),
		change("elb-us-east-1", incidents.PartialOutage, "6.8"))
}

// elbPolicy is ELB's default policy: 99.95%, 10% below it.
var elbPolicy = sla.Policy{ID: "elb", Service: "ELB", Target: sla.MustPercent("99.95"),
	Tiers: []sla.Tier{{Below: sla.MustPercent("99.95"), CreditPercent: sla.MustPercent("10")}}}

func (f *fixture) policy(p sla.Policy) {
	f.t.Helper()
	if _, err := f.desk.PutPolicy(f.ctx, sam, desk.ServicePolicy{Policy: p}, f.now); err != nil {
		f.t.Fatal(err)
	}
}

// customer stores customer id (in currency) with count resources on
// component since 2012 and a charge of chargeMinor for month there.
func (f *fixture) customer(id, currency, component string, count int64, month string, chargeMinor int64) {
	f.t.Helper()
	if _, err := f.desk.CreateAccount(f.ctx, sam, desk.Account{ID: id, Name: "Customer " + id, Currency: currency, Email: id + "@example.com"}, f.now); err != nil {
		f.t.Fatal(err)
	}
	from := time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := f.desk.AddResource(f.ctx, sam, desk.AccountResource{Customer: id, Component: component, Count: count, From: &from}, f.now); err != nil {
		f.t.Fatal(err)
	}
	f.charge(id, component, month, chargeMinor)
}

func (f *fixture) charge(customer, component, month string, minor int64) {
	f.t.Helper()
	if _, err := f.desk.PutCharge(f.ctx, sam, desk.AccountCharge{Customer: customer, Component: component, Month: month, AmountMinor: minor}, f.now); err != nil {
		f.t.Fatal(err)
	}
}

// issue previews month's run, has sam request it and max (approver) approve it.
func (f *fixture) issue(month string) desk.CreditRun {
	f.t.Helper()
	run, err := f.r.PreviewRun(f.ctx, sam, month, f.now)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.desk.RequestRun(f.ctx, sam, run.ID, f.now); err != nil {
		f.t.Fatal(err)
	}
	if run, err = f.desk.ApproveRun(f.ctx, approver, run.ID, f.now); err != nil {
		f.t.Fatal(err)
	}
	return run
}

// evaluate is the reference the reports are held to: one sla.Evaluate of
// [from, to) as of asOf over every stored incident and maintenance that
// overlaps it, under policies.
func (f *fixture) evaluate(from, to, asOf time.Time, policies ...sla.Policy) map[string]sla.ComponentResult {
	f.t.Helper()
	services, err := f.inc.Services(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	components, err := f.inc.Components(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	incs, err := f.inc.IncidentsBetween(f.ctx, from, to)
	if err != nil {
		f.t.Fatal(err)
	}
	maints, err := f.inc.MaintenancesBetween(f.ctx, from, to)
	if err != nil {
		f.t.Fatal(err)
	}
	sc, err := incidents.SLAScenario(sla.Period{Start: from, End: to}, asOf, services, components, incs, maints)
	if err != nil {
		f.t.Fatal(err)
	}
	sc.Policies = policies
	res, err := sla.Evaluate(sc)
	if err != nil {
		f.t.Fatal(err)
	}
	return sla.ResultsByID(res.Components)
}

// sameRatio fails unless got and want are the same exact number.
func sameRatio(t testing.TB, what string, got, want sla.Ratio) {
	t.Helper()
	if got.Cmp(want) != 0 {
		t.Errorf("%s: %s, want %s", what, got.Rat().RatString(), want.Rat().RatString())
	}
}
