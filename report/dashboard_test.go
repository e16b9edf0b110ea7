package report

import (
	"math/big"
	"testing"
	"time"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/sla"
)

// The dashboard's figures for December 2012 are sla.Evaluate's on the
// same stored history: each component's uptime, the service's as the
// average of its components', each month of the history, the error
// budget, burn rates and projection of a month that is over, the credits
// the ledger paid, and the incidents that started in each month.
func TestDashboardIsTheEvaluation(t *testing.T) {
	f := newFixture(t)
	f.christmas()
	nov := time.Date(2012, 11, 10, 10, 0, 0, 0, time.UTC)
	f.incident("November outage", nov, nov.Add(time.Hour), change("elb-eu-west-1", incidents.MajorOutage, ""))
	f.policy(elbPolicy)
	f.customer("acme", "USD", "elb-us-east-1", 4, "2012-12", 250000)
	f.issue("2012-12")

	d, err := f.r.Dashboard(f.ctx, DashboardFilter{Month: december}, f.now)
	if err != nil {
		t.Fatal(err)
	}
	jan1 := december.AddDate(0, 1, 0)
	if !d.AsOf.Equal(jan1) || len(d.Months) != 12 || !d.Months[0].Equal(december.AddDate(0, -11, 0)) || !d.Months[11].Equal(december) {
		t.Fatalf("as of %v, months %v", d.AsOf, d.Months)
	}
	var levels []string
	for _, s := range d.Scopes {
		levels = append(levels, string(s.Level)+":"+s.Region+":"+s.Component.ID)
	}
	want := []string{"service::", "region:us-east-1:", "component:us-east-1:elb-us-east-1", "region:eu-west-1:", "component:eu-west-1:elb-eu-west-1"}
	if len(levels) != len(want) {
		t.Fatalf("scopes %v, want %v", levels, want)
	}
	for i := range want {
		if levels[i] != want[i] {
			t.Fatalf("scopes %v, want %v", levels, want)
		}
	}

	month := f.evaluate(december, jan1, jan1, elbPolicy)
	november := f.evaluate(december.AddDate(0, -1, 0), december, jan1, elbPolicy)
	east, west := d.Scopes[2], d.Scopes[4]
	sameRatio(t, "us-east-1 in December", east.Uptime, month["elb-us-east-1"].UptimePercent())
	sameRatio(t, "eu-west-1 in December", west.Uptime, month["elb-eu-west-1"].UptimePercent())
	sameRatio(t, "eu-west-1 in November", west.History[10], november["elb-eu-west-1"].UptimePercent())
	sameRatio(t, "us-east-1, December's history", east.History[11], east.Uptime)
	sameRatio(t, "the region of us-east-1", d.Scopes[1].Uptime, east.Uptime)
	avg := new(big.Rat).Add(east.Uptime.Rat(), west.Uptime.Rat())
	sameRatio(t, "ELB", d.Scopes[0].Uptime, sla.RatioFromRat(avg.Quo(avg, big.NewRat(2, 1))))
	if east.Uptime.Truncate(4) != "99.7980" || west.History[10].Truncate(4) != "99.8611" {
		t.Errorf("us-east-1 %s%% in December, eu-west-1 %s%% in November", east.Uptime.Truncate(4), west.History[10].Truncate(4))
	}

	// 0.05% of December's 2,678,400 s is 1339.2 s; us-east-1 used 5410.08.
	if !east.HasTarget || east.Target != elbPolicy.Target || east.Budget.Allowed.Cmp(big.NewRat(13392, 10)) != 0 || east.Budget.Used.Cmp(big.NewRat(541008, 100)) != 0 {
		t.Errorf("budget %v of %v, target %v", east.Budget.Used, east.Budget.Allowed, east.Target)
	}
	if !d.Finished || east.Projected != (sla.Ratio{}) {
		t.Errorf("a month that is over: finished %v, projection %v", d.Finished, east.Projected)
	}
	if len(east.Burn) != len(sla.BurnWindows) {
		t.Fatalf("%d burn windows", len(east.Burn))
	}
	for _, b := range east.Burn {
		if b.Long == nil || b.Long.Sign() != 0 || b.Short == nil || b.Short.Sign() != 0 || b.Burning {
			t.Errorf("the %v window at the month's end: %v, %v", b.Window.Long, b.Long, b.Short)
		}
	}

	if len(d.Credits) != 1 {
		t.Fatalf("credits %+v", d.Credits)
	}
	if c := d.Credits[0]; !c.Month.Equal(december) || c.Currency != "USD" || c.Minor != 25000 || c.Entries != 1 || c.Customers != 1 {
		t.Errorf("credits %+v", c)
	}
	if len(d.Costly) != 0 {
		t.Errorf("a tier credit was put on an incident: %+v", d.Costly)
	}

	if len(d.Incidents) != 2 {
		t.Fatalf("incident months %+v", d.Incidents)
	}
	dec, novs := d.Incidents[0], d.Incidents[1]
	christmas := 22*time.Hour + 6*time.Minute
	if !dec.Month.Equal(december) || dec.Incidents != 1 || dec.Open != 0 || dec.Updated != 1 || dec.MedianFirstUpdate != christmas ||
		dec.MedianRecover != christmas || dec.LongestRecover != christmas {
		t.Errorf("December %+v", dec)
	}
	if !novs.Month.Equal(december.AddDate(0, -1, 0)) || novs.Incidents != 1 || novs.MedianRecover != time.Hour {
		t.Errorf("November %+v", novs)
	}

	// One region: its service, itself and its component, and only the
	// incidents on it.
	d, err = f.r.Dashboard(f.ctx, DashboardFilter{Month: december, Region: "us-east-1"}, f.now)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Scopes) != 3 || len(d.Incidents) != 1 {
		t.Fatalf("%d scopes, incidents %+v", len(d.Scopes), d.Incidents)
	}
	sameRatio(t, "ELB in us-east-1", d.Scopes[0].Uptime, month["elb-us-east-1"].UptimePercent())
}

// In the month so far, the burn windows end now: 2 hours at 50% on a
// component burn its 0.05% budget 1000 times too fast over the last hour.
func TestDashboardBurnsNow(t *testing.T) {
	f := newFixture(t)
	f.policy(elbPolicy)
	f.incident("Open outage", f.now.Add(-2*time.Hour), time.Time{}, change("elb-eu-west-1", incidents.MajorOutage, "50"))
	d, err := f.r.Dashboard(f.ctx, DashboardFilter{Month: MonthStart(f.now)}, f.now)
	if err != nil {
		t.Fatal(err)
	}
	if !d.AsOf.Equal(f.now) {
		t.Fatalf("as of %v", d.AsOf)
	}
	west := d.Scopes[4]
	if west.Component.ID != "elb-eu-west-1" {
		t.Fatalf("scope %+v", west.Scope)
	}
	wantLong := []*big.Rat{big.NewRat(1000, 1), big.NewRat(1000, 3), big.NewRat(250, 3), big.NewRat(250, 9)}
	for i, b := range west.Burn {
		if b.Long.Cmp(wantLong[i]) != 0 || !b.Burning {
			t.Errorf("%v window: %v (burning %v), want %v", b.Window.Long, b.Long.FloatString(4), b.Burning, wantLong[i].FloatString(4))
		}
	}
	if west.Projected.CmpPercent(west.Target) >= 0 {
		t.Errorf("projected %s%% meets the target", west.Projected.Truncate(4))
	}
	if d.Incidents[0].Open != 1 || d.Incidents[0].MedianRecover != 0 {
		t.Errorf("incidents %+v", d.Incidents)
	}
}

// The months a report offers go back to the oldest resolved incident's,
// at least 12 and at most ten years, and to the one selected.
func TestReportMonths(t *testing.T) {
	f := newFixture(t)
	current := MonthStart(f.now)
	if got := f.r.ReportMonths(f.ctx, f.now, current); len(got) != 12 || !got[0].Equal(current) || !got[11].Equal(current.AddDate(0, -11, 0)) {
		t.Errorf("without incidents: %v", got)
	}
	old := time.Date(2010, 3, 9, 10, 0, 0, 0, time.UTC)
	f.incident("Long ago", old, old.Add(time.Hour), change("elb-us-east-1", incidents.MajorOutage, ""))
	got := f.r.ReportMonths(f.ctx, f.now, current)
	if len(got) != 35 || !got[34].Equal(MonthStart(old)) {
		t.Errorf("back to March 2010: %d months down to %v", len(got), got[len(got)-1])
	}
	selected := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	if got := f.r.ReportMonths(f.ctx, f.now, selected); !got[len(got)-1].Equal(selected) {
		t.Errorf("selected: down to %v", got[len(got)-1])
	}
	// At midnight the month that just ended is the current one.
	if got := f.r.ReportMonths(f.ctx, current, current); !got[0].Equal(current.AddDate(0, -1, 0)) {
		t.Errorf("at midnight: %v", got[0])
	}
}
