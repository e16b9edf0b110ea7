package report

import (
	"maps"
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
)

// The service report of December 2012 holds the service's fleet uptime
// and each component's as sla.Evaluate gives them, each downtime and
// budget, and the ledger's credits for the service with their total.
func TestServiceReportIsTheEvaluation(t *testing.T) {
	f := newFixture(t)
	f.christmas()
	f.policy(elbPolicy)
	f.customer("acme", "USD", "elb-us-east-1", 4, "2012-12", 250000)
	f.customer("globex", "USD", "elb-us-east-1", 1, "2012-12", 100000)
	f.issue("2012-12")

	rep, err := f.r.ServiceReport(f.ctx, "", december, f.now)
	if err != nil {
		t.Fatal(err)
	}
	jan1 := december.AddDate(0, 1, 0)
	if rep.Service.ID != "ELB" || !rep.AsOf.Equal(jan1) || !rep.End.Equal(jan1) || rep.Seconds != 2678400 || rep.MonthSeconds != 2678400 {
		t.Fatalf("service %q as of %v, %d of %d s", rep.Service.ID, rep.AsOf, rep.Seconds, rep.MonthSeconds)
	}
	if !rep.HasPolicy || rep.Policy.ID != "elb" || !rep.HasTarget || rep.Target != elbPolicy.Target {
		t.Errorf("policy %+v, target %v", rep.Policy, rep.Target)
	}
	if len(rep.Scopes) != 3 || rep.Scopes[0].Level != LevelService || rep.Scopes[1].Component.ID != "elb-us-east-1" || rep.Scopes[2].Component.ID != "elb-eu-west-1" {
		t.Fatalf("scopes %+v", rep.Scopes)
	}
	res := f.evaluate(december, jan1, jan1, elbPolicy)
	east := rep.Scopes[1]
	sameRatio(t, "us-east-1", east.Uptime, res["elb-us-east-1"].UptimePercent())
	sameRatio(t, "us-east-1's downtime", east.Downtime, res["elb-us-east-1"].DowntimeSeconds)
	sameRatio(t, "eu-west-1", rep.Scopes[2].Uptime, res["elb-eu-west-1"].UptimePercent())
	if east.Downtime.Round(6) != "5410.08" || east.Budget.Allowed.Cmp(big.NewRat(13392, 10)) != 0 || east.Budget.Used.Cmp(east.Downtime.Rat()) != 0 {
		t.Errorf("downtime %s, budget %v", east.Downtime.Round(6), east.Budget)
	}
	// The fleet: half of us-east-1's downtime over the month.
	sameRatio(t, "the fleet's downtime", rep.Scopes[0].Downtime, sla.RatioFromRat(big.NewRat(270504, 100)))

	// 10% of 2,500.00 and of 1,000.00 USD.
	if len(rep.Credits) != 2 || rep.Credits[0].Customer != "acme" || rep.Credits[1].Customer != "globex" {
		t.Fatalf("credits %+v", rep.Credits)
	}
	if len(rep.Totals) != 1 || rep.Totals[0] != (CurrencyAmount{Currency: "USD", Minor: 35000}) {
		t.Errorf("totals %+v", rep.Totals)
	}

	// Another month has none of December's credits; an unknown service is
	// refused.
	if rep, err := f.r.ServiceReport(f.ctx, "ELB", december.AddDate(0, -1, 0), f.now); err != nil || len(rep.Credits) != 0 || rep.Scopes[1].Uptime.CmpPercent(sla.Hundred) != 0 {
		t.Errorf("November: %+v, %v", rep, err)
	}
	if _, err := f.r.ServiceReport(f.ctx, "NOPE", december, f.now); errs.FieldOf(err) != "service" {
		t.Errorf("an unknown service: %v", err)
	}
}

// A service without a policy has no target, and its month so far is
// counted up to now.
func TestServiceReportWithoutPolicySoFar(t *testing.T) {
	f := newFixture(t)
	month := MonthStart(f.now)
	rep, err := f.r.ServiceReport(f.ctx, "ELB", month, f.now)
	if err != nil {
		t.Fatal(err)
	}
	if rep.HasPolicy || rep.HasTarget || !rep.AsOf.Equal(f.now) || rep.Seconds != int64(f.now.Sub(month)/time.Second) || rep.MonthSeconds != 31*86400 {
		t.Errorf("%+v", rep)
	}
}

// goodwill has sam request a grant of days of services' usage in
// components on inc, checked as the incident page checks it, and max
// (approver) approve it.
func (f *fixture) goodwill(inc incidents.Incident, days int64, services, components []string) desk.GoodwillGrant {
	f.t.Helper()
	g, err := f.r.CheckGoodwill(f.ctx, inc.ID, desk.GoodwillGrant{Days: days, Services: services, Components: components, Reason: "Sorry."}, false, f.now)
	if err != nil {
		f.t.Fatal(err)
	}
	if g, err = f.desk.RequestGoodwill(f.ctx, sam, g, f.now); err != nil {
		f.t.Fatal(err)
	}
	if g, err = f.desk.ApproveGoodwill(f.ctx, approver, g.ID, f.now); err != nil {
		f.t.Fatal(err)
	}
	return g
}

// payGoodwill previews inc's goodwill run, has sam request it and max
// (approver) approve it.
func (f *fixture) payGoodwill(inc incidents.Incident) desk.CreditRun {
	f.t.Helper()
	run, err := f.r.PreviewGoodwillRun(f.ctx, sam, inc.ID, f.now)
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

func (f *fixture) resource(customer, component string, count int64) {
	f.t.Helper()
	from := time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := f.desk.AddResource(f.ctx, sam, desk.AccountResource{Customer: customer, Component: component, Count: count, From: &from}, f.now); err != nil {
		f.t.Fatal(err)
	}
}

// ec2Policy is EC2's default policy: 99.95%, 10% below it.
var ec2Policy = sla.Policy{ID: "ec2", Service: "EC2", Target: sla.MustPercent("99.95"),
	Tiers: []sla.Tier{{Below: sla.MustPercent("99.95"), CreditPercent: sla.MustPercent("10")}}}

// creditedDecember stores December 2012 with ELB and EC2 under policies,
// its tier credits paid, goodwill paid for the Christmas Eve ELB incident
// (elb-us-east-1) and for an incident on elb-eu-west-1 and ec2-us-east-1
// whose grant spans both services, a manual ELB credit of December and
// one of ELB written in January with no month: customers acme (USD, ELB),
// globex (EUR, ELB and EC2) and initech (USD, EC2 and ELB eu-west-1).
func (f *fixture) creditedDecember() {
	f.t.Helper()
	f.service("EC2", "Elastic Compute Cloud", 2)
	f.component("ec2-us-east-1", "EC2", "EC2 us-east-1", "us-east-1", 2)
	f.policy(elbPolicy)
	f.policy(ec2Policy)
	christmas := f.christmas()
	dec10 := time.Date(2012, 12, 10, 10, 0, 0, 0, time.UTC)
	network := f.incident("Network degraded", dec10, dec10.Add(4*time.Hour),
		change("elb-eu-west-1", incidents.PartialOutage, "50"), change("ec2-us-east-1", incidents.MajorOutage, ""))
	f.customer("acme", "USD", "elb-us-east-1", 4, "2012-12", 250000)
	f.customer("globex", "EUR", "elb-us-east-1", 1, "2012-12", 100000)
	f.resource("globex", "ec2-us-east-1", 2)
	f.charge("globex", "ec2-us-east-1", "2012-12", 300000)
	f.customer("initech", "USD", "ec2-us-east-1", 3, "2012-12", 500000)
	f.resource("initech", "elb-eu-west-1", 1)
	f.charge("initech", "elb-eu-west-1", "2012-12", 40000)
	f.issue("2012-12")
	f.goodwill(christmas, 10, []string{"ELB"}, nil) // the component it hit
	f.goodwill(network, 5, []string{"ELB", "EC2"}, []string{"elb-eu-west-1", "ec2-us-east-1"})
	f.payGoodwill(christmas)
	f.payGoodwill(network)
	for _, m := range []desk.ManualCredit{
		{Customer: "acme", AmountMinor: 1234, Service: "ELB", Month: "2012-12", Reason: "Ticket 7."},
		{Customer: "globex", AmountMinor: 4321, Service: "ELB", Reason: "Ticket 8."},
	} {
		m, err := f.desk.CreateManualCredit(f.ctx, sam, m, f.now)
		if err != nil {
			f.t.Fatal(err)
		}
		if m.State == desk.ManualPending {
			if _, err := f.desk.ApproveManualCredit(f.ctx, approver, m.ID, f.now); err != nil {
				f.t.Fatal(err)
			}
		}
	}
}

// ledgerUnder sums, per currency, the ledger's entries (of customer, ""
// for all) that credit month (their period, else the month they were
// written in) and count under service: those that name it, and goodwill
// whose incident's approved grant names it. It also says how many of
// them are goodwill.
func (f *fixture) ledgerUnder(customer, service string, month time.Time) (map[string]int64, int) {
	f.t.Helper()
	grants, err := f.desk.GoodwillGrants(f.ctx, "")
	if err != nil {
		f.t.Fatal(err)
	}
	credited := map[string][]string{}
	for _, g := range grants {
		if g.State == desk.GoodwillApproved {
			credited[g.Incident] = g.Services
		}
	}
	sums, goodwill := map[string]int64{}, 0
	for lf := (desk.LedgerFilter{Customer: customer, Limit: 2}); ; {
		page, total, err := f.desk.Ledger(f.ctx, lf)
		if err != nil {
			f.t.Fatal(err)
		}
		for _, e := range page {
			m, err := time.Parse("2006-01", e.Period)
			if err != nil {
				m = time.Date(e.CreatedAt.Year(), e.CreatedAt.Month(), 1, 0, 0, 0, 0, time.UTC)
			}
			if !m.Equal(month) {
				continue
			}
			if e.Service == service {
				sums[e.Currency] += e.AmountMinor
			} else if e.CreditKind == desk.EntryGoodwill && e.Service == "" && slices.Contains(credited[e.Incident], service) {
				sums[e.Currency] += e.AmountMinor
				goodwill++
			}
		}
		if lf.Offset += len(page); len(page) == 0 || lf.Offset >= total {
			break
		}
	}
	return sums, goodwill
}

// Goodwill names no service on its ledger entry: the service report counts
// it, whole, under each service its incident's grant credited, as the SLA
// dashboard does, and counts an entry in the month the dashboard does. So
// for every service and month the report's totals are the dashboard's
// credits of that month with that service chosen, and the ledger's entries
// that count there summed directly.
func TestServiceReportCountsGoodwillAsTheDashboard(t *testing.T) {
	f := newFixture(t)
	f.creditedDecember()
	january := december.AddDate(0, 1, 0)
	goodwill := 0
	for _, service := range []string{"ELB", "EC2"} {
		for _, month := range []time.Time{december, january} {
			what := service + " " + month.Format("2006-01")
			rep, err := f.r.ServiceReport(f.ctx, service, month, f.now)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int64{}
			for _, x := range rep.Totals {
				got[x.Currency] = x.Minor
			}
			var listed int64
			for _, e := range rep.Credits {
				listed += e.AmountMinor
			}
			d, err := f.r.Dashboard(f.ctx, DashboardFilter{Month: month, Service: service}, f.now)
			if err != nil {
				t.Fatal(err)
			}
			dash := map[string]int64{}
			for _, c := range d.Credits {
				if c.Month.Equal(month) {
					dash[c.Currency] = c.Minor
				}
			}
			want, n := f.ledgerUnder("", service, month)
			goodwill += n
			if !maps.Equal(got, want) || !maps.Equal(dash, want) {
				t.Errorf("%s: the report's totals %v, the dashboard's %v, the ledger's %v", what, got, dash, want)
			}
			var sum int64
			for _, v := range want {
				sum += v
			}
			if listed != sum || (len(want) == 0) != (what == "EC2 2013-01") {
				t.Errorf("%s: the report lists %d in %d entries, the ledger holds %v", what, listed, len(rep.Credits), want)
			}
		}
	}
	// ELB's December holds both incidents' goodwill (acme's and globex's
	// of the first, globex's and initech's of the second), EC2's the
	// second's.
	if goodwill != 6 {
		t.Errorf("only %d goodwill entries counted", goodwill)
	}
}
