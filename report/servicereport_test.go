package report

import (
	"math/big"
	"testing"
	"time"

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
