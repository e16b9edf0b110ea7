package demo

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/report"
)

// On the demo data, a 10-day ELB grant on the Christmas Eve 2012 ELB
// incident that names no components is scoped to the component the
// incident's updates marked non-operational (ELB us-east-1), so its run
// pays exactly the customers with a load balancer there during the
// incident, and none of those with load balancers only in other regions;
// the approver's count of eligible customers says as much.
func TestDemoELBGoodwillScope(t *testing.T) {
	ctx := context.Background()
	st, err := openStores(ctx, filepath.Join(t.TempDir(), "amends.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2013, 1, 10, 12, 0, 0, 0, time.UTC)
	if ok, err := Load(ctx, st.incidents, st.desk, now); err != nil || !ok {
		t.Fatalf("Load: %v, %v", ok, err)
	}
	list, _, err := st.incidents.ResolvedIncidents(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var incID int64
	for _, inc := range list {
		if inc.Title == "Degraded load balancers and ELB API errors in us-east-1" {
			incID = inc.ID
		}
	}
	if incID == 0 {
		t.Fatal("no Christmas Eve ELB incident in the demo")
	}

	from, to := utc("2012-12-24T20:24:00Z"), utc("2012-12-25T20:05:00Z")
	want := map[string]bool{}
	elsewhere := 0
	for _, c := range demoCustomers() {
		if !c.from.Before(to) || (!c.to.IsZero() && !c.to.After(from)) {
			continue
		}
		east, other := c.resources["elb-us-east-1"] > 0, false
		for comp, n := range c.resources {
			other = other || (n > 0 && comp != "elb-us-east-1" && len(comp) > 4 && comp[:4] == "elb-")
		}
		if east {
			want[c.id] = true
		} else if other {
			elsewhere++
		}
	}
	if len(want) == 0 || elsewhere == 0 {
		t.Fatalf("the demo has %d customers with ELB in us-east-1 and %d with ELB only elsewhere", len(want), elsewhere)
	}

	reports := report.New(st.incidents, st.desk)
	g, err := reports.CheckGoodwill(ctx, incID, desk.GoodwillGrant{Days: 10, Services: []string{"ELB"}}, false, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Components) != 1 || g.Components[0] != "elb-us-east-1" {
		t.Fatalf("default scope %v, want [elb-us-east-1]", g.Components)
	}
	if g, err = st.desk.RequestGoodwill(ctx, demoSupport, g, now); err != nil {
		t.Fatal(err)
	}
	counts, err := reports.GoodwillEligibility(ctx, g, now)
	if err != nil || len(counts) != 1 || counts[0].Component != "elb-us-east-1" || counts[0].Customers != len(want) {
		t.Fatalf("eligibility %+v %v, want %d customers in elb-us-east-1", counts, err, len(want))
	}
	if _, err := st.desk.ApproveGoodwill(ctx, demoManager, g.ID, now); err != nil {
		t.Fatal(err)
	}
	run, err := reports.PreviewGoodwillRun(ctx, demoSupport, incID, now)
	if err != nil {
		t.Fatal(err)
	}
	lines, _, err := st.desk.RunLines(ctx, run.ID, desk.AllLines, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, l := range lines {
		got[l.Customer] = true
		if !want[l.Customer] {
			t.Errorf("%s is paid goodwill without a load balancer in us-east-1", l.Customer)
		}
	}
	if len(got) != len(want) {
		t.Errorf("goodwill pays %d customers, want the %d with ELB in us-east-1", len(got), len(want))
	}
}
