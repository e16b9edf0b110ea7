package report

import (
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
)

// A customer's month in its report is, line for line, what MonthLines
// computes for it, which is what a run of every customer gives it; the
// report names the incidents that counted, the services the customer used
// without a policy, and, once the run is issued, what the ledger paid.
func TestCustomerReportIsTheRunsLines(t *testing.T) {
	f := newFixture(t)
	christmas := f.christmas()
	full := time.Date(2012, 12, 24, 20, 24, 0, 0, time.UTC)
	outage := f.incident("ELB outage", full, full.Add(time.Hour), change("elb-us-east-1", incidents.MajorOutage, ""))
	f.service("EC2", "Elastic Compute Cloud", 2)
	f.component("ec2-us-east-1a", "EC2", "EC2 us-east-1a", "us-east-1", 0)
	f.policy(elbPolicy)
	f.customer("acme", "USD", "elb-us-east-1", 4, "2012-12", 250000)
	f.charge("acme", "ec2-us-east-1a", "2012-12", 5000)
	f.customer("globex", "EUR", "elb-us-east-1", 10, "2012-12", 100000)
	if _, err := f.desk.PutPolicy(f.ctx, sam, desk.ServicePolicy{Customer: "globex", RequiresClaim: true, Policy: sla.Policy{ID: "elb-globex", Service: "ELB",
		Target: sla.MustPercent("99.99"), Tiers: []sla.Tier{{Below: sla.MustPercent("99.99"), CreditPercent: sla.MustPercent("25")}}}}, f.now); err != nil {
		t.Fatal(err)
	}

	every, err := f.r.MonthLines(f.ctx, "2012-12", f.now, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, customer := range []string{"acme", "globex"} {
		rep, err := f.r.CustomerReport(f.ctx, customer, "2012-12", f.now)
		if err != nil {
			t.Fatal(err)
		}
		own, err := f.r.MonthLines(f.ctx, "2012-12", f.now, customer)
		if err != nil {
			t.Fatal(err)
		}
		var lines []desk.RunLine
		for _, sm := range rep.Figures.Services {
			lines = append(lines, sm.Line)
		}
		inRun := slices.DeleteFunc(slices.Clone(every), func(l desk.RunLine) bool { return l.Customer != customer })
		if len(lines) != 1 || !reflect.DeepEqual(lines, own) || !reflect.DeepEqual(lines, inRun) {
			t.Errorf("%s: the report's lines %+v\nMonthLines %+v\nthe run's %+v", customer, lines, own, inRun)
		}
		if rep.Account.ID != customer || rep.Month != "2012-12" || len(rep.Ledger) != 0 || len(rep.Paid) != 0 || len(rep.Services) != 2 || len(rep.Components) != 3 {
			t.Errorf("%s: %+v", customer, rep)
		}
		for _, id := range rep.Figures.Services[0].Incidents {
			if inc, ok := rep.Incidents[id.Incident]; !ok || strconv.FormatInt(inc.ID, 10) != id.Incident {
				t.Errorf("%s: incident %s is not in the report: %+v", customer, id.Incident, rep.Incidents)
			}
		}
	}

	acme, err := f.r.CustomerReport(f.ctx, "acme", "2012-12", f.now)
	if err != nil {
		t.Fatal(err)
	}
	if len(acme.Incidents) != 2 || acme.Incidents[strconv.FormatInt(christmas.ID, 10)].Title != christmas.Title || acme.Incidents[strconv.FormatInt(outage.ID, 10)].Title != outage.Title {
		t.Errorf("incidents %+v", acme.Incidents)
	}
	if !reflect.DeepEqual(acme.Unpolicied, []string{"EC2"}) {
		t.Errorf("unpolicied %v", acme.Unpolicied)
	}
	if acme.Figures.Services[0].Override {
		t.Error("acme has no override")
	}

	f.issue("2012-12")
	acme, err = f.r.CustomerReport(f.ctx, "acme", "2012-12", f.now)
	if err != nil {
		t.Fatal(err)
	}
	if len(acme.Ledger) != 1 || acme.Ledger[0].Customer != "acme" || acme.Paid["ELB"] != acme.Figures.Services[0].Line.PayableMinor || acme.Paid["ELB"] == 0 {
		t.Errorf("after the run: ledger %+v, paid %v", acme.Ledger, acme.Paid)
	}
	if globex, err := f.r.CustomerReport(f.ctx, "globex", "2012-12", f.now); err != nil || len(globex.Paid) != 0 || !globex.Figures.Services[0].Override {
		t.Errorf("globex, which did not claim: %+v %v", globex, err)
	}

	if _, err := f.r.CustomerReport(f.ctx, "nobody", "2012-12", f.now); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("an unknown customer: %v", err)
	}
	if _, err := f.r.CustomerReport(f.ctx, "acme", "2012-13", f.now); errs.FieldOf(err) != "month" {
		t.Errorf("a bad month: %v", err)
	}
}

// A customer's report puts the ledger's entries of its month under the
// services they count under as the SLA dashboard and the service report
// do: goodwill, which names no service, whole under each service its
// incident's grant credited; its total counts each entry once.
func TestCustomerReportCountsGoodwillUnderItsServices(t *testing.T) {
	f := newFixture(t)
	f.creditedDecember()
	rep, err := f.r.CustomerReport(f.ctx, "globex", "2012-12", f.now)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Figures.Services) != 2 {
		t.Fatalf("globex's services %+v", rep.Figures.Services)
	}
	goodwill := 0
	for _, svc := range []string{"ELB", "EC2"} {
		want, n := f.ledgerUnder("globex", svc, december)
		goodwill += n
		if len(want) != 1 || rep.Paid[svc] != want["EUR"] {
			t.Errorf("%s: paid %d, the ledger holds %v", svc, rep.Paid[svc], want)
		}
	}
	// Both incidents' goodwill under ELB, the second's under EC2 too.
	if goodwill != 3 {
		t.Errorf("%d goodwill entries counted", goodwill)
	}
	var sum int64
	for _, e := range rep.Ledger {
		sum += e.AmountMinor
	}
	if len(rep.Ledger) != 4 || rep.PaidMinor != sum || rep.PaidFigures != sum || rep.Paid["ELB"]+rep.Paid["EC2"] <= sum {
		t.Errorf("ledger %+v: paid %d, %d under its services, %v", rep.Ledger, rep.PaidMinor, rep.PaidFigures, rep.Paid)
	}
}
