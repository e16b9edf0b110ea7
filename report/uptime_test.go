package report

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
)

// The 90-day uptime of each bar is summed from the stored days; it is
// exactly what one sla evaluation of the whole range gives, whatever the
// history: overlapping incidents on several days, statuses that do not
// count, excluded incidents, maintenance, an incident still active, and
// incidents written after the days were first stored.
func TestUptimeBarsRangeIsTheEvaluation(t *testing.T) {
	f := newFixture(t)
	f.now = jan5.Add(85*time.Minute + 17*time.Second)
	from, to := BarWindow(f.now)
	if days := to.Sub(from); days <= 89*incidents.Day || days > 90*incidents.Day || !from.Equal(incidents.UTCDay(from)) {
		t.Fatalf("the window %v to %v", from, to)
	}
	rnd := rand.New(rand.NewPCG(90, 2))
	statuses := []incidents.Status{incidents.DegradedPerformance, incidents.PartialOutage, incidents.MajorOutage}
	comps := []string{"elb-us-east-1", "elb-eu-west-1"}
	titles := map[int64]string{}
	record := func(n int) {
		for i := range n {
			start := from.Add(time.Duration(rnd.Int64N(int64(to.Sub(from)))) - 6*time.Hour).Truncate(time.Second)
			end := start.Add(time.Duration(1+rnd.Int64N(50*3600)) * time.Second)
			p := fmt.Sprintf("%d.%04d", rnd.IntN(100), rnd.IntN(10000))
			title := fmt.Sprintf("Incident %d", len(titles))
			inc, err := f.inc.CreateIncident(f.ctx, audit.Person("ops@example.com"), incidents.IncidentInput{
				Title: title, Message: "Investigating.", StartedAt: &start,
				Components: []incidents.ComponentChange{change(comps[rnd.IntN(2)], statuses[rnd.IntN(3)], p)},
			}, f.now)
			if err != nil {
				t.Fatal(err)
			}
			titles[inc.ID] = title
			mid := start.Add(end.Sub(start) / 2)
			if _, err := f.inc.AddUpdate(f.ctx, audit.Person("ops@example.com"), inc.ID, incidents.UpdateInput{
				Phase: incidents.Identified, Message: "Found.", At: &mid,
				Components: []incidents.ComponentChange{change(comps[rnd.IntN(2)], statuses[rnd.IntN(3)], "")},
			}, f.now); err != nil {
				t.Fatal(err)
			}
			if end.After(f.now) {
				continue // still active
			}
			if _, err := f.inc.AddUpdate(f.ctx, audit.Person("ops@example.com"), inc.ID, incidents.UpdateInput{Phase: incidents.Resolved, Message: "Resolved.", At: &end}, f.now); err != nil {
				t.Fatal(err)
			}
			if i%7 == 0 {
				if _, err := f.inc.SetExcluded(f.ctx, audit.Person("ops@example.com"), inc.ID, true, f.now); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	record(20)
	if _, err := f.r.UptimeBars(f.ctx, f.now); err != nil { // stores the days that are over
		t.Fatal(err)
	}
	record(20)
	mstart := from.Add(40*incidents.Day + 3*time.Hour)
	if _, err := f.inc.CreateMaintenance(f.ctx, audit.Person("ops@example.com"), incidents.MaintenanceInput{
		Title: "Upgrade", Message: "Planned.", Components: comps[:1], StartsAt: mstart, EndsAt: mstart.Add(30 * time.Hour), AnnouncedAt: &from,
	}, f.now); err != nil {
		t.Fatal(err)
	}

	bars, err := f.r.UptimeBars(f.ctx, f.now)
	if err != nil {
		t.Fatal(err)
	}
	want := f.evaluate(from, to, f.now)
	if !bars.From.Equal(from) || !bars.To.Equal(to) || len(bars.Days.Days) != BarDays || bars.Quiet.Seconds != want[comps[0]].Seconds || !bars.Quiet.DowntimeSeconds.IsZero() {
		t.Fatalf("from %v to %v, %d days, quiet %+v", bars.From, bars.To, len(bars.Days.Days), bars.Quiet)
	}
	for _, c := range comps {
		got, ok := bars.Uptime[c]
		if !ok || want[c].DowntimeSeconds.IsZero() {
			t.Fatalf("%s: no downtime, the comparison shows nothing", c)
		}
		if got.UptimePercent().Cmp(want[c].UptimePercent()) != 0 || got.Seconds != want[c].Seconds {
			t.Errorf("%s: %s%% over %d s from the days, %s%% over %d s evaluated", c,
				got.UptimePercent().Rat().RatString(), got.Seconds, want[c].UptimePercent().Rat().RatString(), want[c].Seconds)
		}
		for _, d := range bars.Days.Events[c] {
			for _, id := range d.Incidents {
				if bars.Titles[id] != titles[id] {
					t.Errorf("incident %d: title %q, want %q", id, bars.Titles[id], titles[id])
				}
			}
		}
	}
}

// A group's bar (a service's, on the status page) shows each day the worst
// of its components' days, with every incident any of them had, and the
// group's 90-day uptime is the average of its components' (none states
// its resources), each as one sla evaluation of the range gives it.
func TestUptimeBarsGroupIsTheWorstComponent(t *testing.T) {
	f := newFixture(t)
	f.now = jan5.Add(7*time.Hour + 3*time.Second)
	from, to := BarWindow(f.now)
	rnd := rand.New(rand.NewPCG(90, 3))
	statuses := []incidents.Status{incidents.DegradedPerformance, incidents.PartialOutage, incidents.MajorOutage}
	comps := []string{"elb-us-east-1", "elb-eu-west-1"}
	for i := range 30 {
		start := from.Add(time.Duration(rnd.Int64N(int64(to.Sub(from))))).Truncate(time.Second)
		end := start.Add(time.Duration(1+rnd.Int64N(30*3600)) * time.Second)
		var hit []incidents.ComponentChange
		for _, c := range comps {
			if len(hit) == 0 || rnd.IntN(3) == 0 {
				hit = append(hit, change(c, statuses[rnd.IntN(3)], fmt.Sprintf("%d.%02d", rnd.IntN(100), rnd.IntN(100))))
			}
		}
		if i%2 == 1 {
			hit[0].Component = comps[1] // the second component alone, or first and listed twice
			if len(hit) > 1 {
				hit = hit[1:]
			}
		}
		inc, err := f.inc.CreateIncident(f.ctx, audit.Person("ops@example.com"), incidents.IncidentInput{
			Title: fmt.Sprintf("Incident %d", i), Message: "Investigating.", StartedAt: &start, Components: hit,
		}, f.now)
		if err != nil {
			t.Fatal(err)
		}
		if end.After(f.now) {
			continue
		}
		if _, err := f.inc.AddUpdate(f.ctx, audit.Person("ops@example.com"), inc.ID, incidents.UpdateInput{Phase: incidents.Resolved, Message: "Resolved.", At: &end}, f.now); err != nil {
			t.Fatal(err)
		}
	}
	bars, err := f.r.UptimeBars(f.ctx, f.now)
	if err != nil {
		t.Fatal(err)
	}
	group, err := bars.GroupDays(comps)
	if err != nil {
		t.Fatal(err)
	}
	if len(group) != BarDays {
		t.Fatalf("%d days", len(group))
	}
	a, b := bars.Days.Of(comps[0]), bars.Days.Of(comps[1])
	lost, shared := 0, 0
	for i, g := range group {
		worst, worstID := a[i], comps[0]
		if b[i].Uptime() < a[i].Uptime() {
			worst, worstID = b[i], comps[1]
		}
		if g.Uptime() != worst.Uptime() || !g.Day.Equal(a[i].Day) || g.Seconds != a[i].Seconds {
			t.Errorf("%s: the group has %s%%, its worst component %s%%", incidents.DayKey(a[i].Day), g.UptimePercent, worst.UptimePercent)
		}
		if worst.Uptime() < sla.Hundred {
			lost++
			if g.Worst != worstID && a[i].Uptime() != b[i].Uptime() {
				t.Errorf("%s: worst %q, want %q", incidents.DayKey(a[i].Day), g.Worst, worstID)
			}
		} else if g.Worst != "" {
			t.Errorf("%s: worst %q on a day without downtime", incidents.DayKey(a[i].Day), g.Worst)
		}
		want := map[int64]bool{}
		for _, id := range append(append([]int64{}, a[i].Incidents...), b[i].Incidents...) {
			want[id] = true
		}
		if len(a[i].Incidents) > 0 && len(b[i].Incidents) > 0 {
			shared++
		}
		if len(g.Incidents) != len(want) {
			t.Errorf("%s: incidents %v, want those of %v and %v", incidents.DayKey(a[i].Day), g.Incidents, a[i].Incidents, b[i].Incidents)
		}
		for j, id := range g.Incidents {
			if !want[id] || j > 0 && g.Incidents[j-1] >= id {
				t.Errorf("%s: incidents %v, want those of %v and %v in order", incidents.DayKey(a[i].Day), g.Incidents, a[i].Incidents, b[i].Incidents)
				break
			}
		}
	}
	if lost < 10 || shared < 3 {
		t.Fatalf("%d days with downtime, %d with incidents on both: the comparison shows little", lost, shared)
	}

	want := f.evaluate(from, to, f.now)
	components, err := f.inc.Components(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	avg := new(big.Rat).Add(want[comps[0]].UptimePercent().Rat(), want[comps[1]].UptimePercent().Rat())
	avg.Quo(avg, big.NewRat(2, 1))
	if got := bars.GroupUptime(components); got.Rat().Cmp(avg) != 0 {
		t.Errorf("the group's uptime %s, the average of its components' %s", got.Rat().RatString(), avg.RatString())
	}
	if got := bars.GroupUptime(components[:1]); got.Cmp(want[components[0].ID].UptimePercent()) != 0 {
		t.Errorf("a group of one: %s, its component's %s", got, want[components[0].ID].UptimePercent())
	}
}

// The monthly uptime of "/uptime" is one sla evaluation per month, the
// current one so far, under the service's policy, with its target.
func TestMonthlyUptimeIsTheEvaluation(t *testing.T) {
	f := newFixture(t)
	f.christmas()
	f.incident("January outage", jan5.Add(-3*time.Hour), jan5.Add(-2*time.Hour), change("elb-eu-west-1", incidents.MajorOutage, ""))
	// Degraded performance counts under this policy.
	policy := elbPolicy
	policy.Count = []sla.Status{sla.DegradedPerformance, sla.PartialOutage, sla.MajorOutage}
	f.policy(policy)
	f.incident("Slow", jan5.Add(-time.Hour), time.Time{}, change("elb-us-east-1", incidents.DegradedPerformance, "50"))

	u, err := f.r.MonthlyUptime(f.ctx, f.now)
	if err != nil {
		t.Fatal(err)
	}
	jan := MonthStart(f.now)
	if len(u.Months) != UptimeMonths || !u.Months[UptimeMonths-1].Equal(jan) || !u.Months[0].Equal(jan.AddDate(0, -11, 0)) {
		t.Fatalf("months %v", u.Months)
	}
	if len(u.Services) != 1 || len(u.Components) != 2 || u.Targets["ELB"] != policy.Target {
		t.Fatalf("catalog %+v, targets %v", u.Services, u.Targets)
	}
	dec := f.evaluate(december, jan, f.now, policy)
	soFar := f.evaluate(jan, f.now, f.now, policy)
	for _, c := range []string{"elb-us-east-1", "elb-eu-west-1"} {
		if len(u.Uptime[c]) != UptimeMonths {
			t.Fatalf("%s: %d months", c, len(u.Uptime[c]))
		}
		sameRatio(t, c+" in December", u.Uptime[c][10], dec[c].UptimePercent())
		sameRatio(t, c+" in January so far", u.Uptime[c][11], soFar[c].UptimePercent())
		sameRatio(t, c+" in November", u.Uptime[c][9], sla.NewRatio(100, 1))
	}
	if u.Uptime["elb-us-east-1"][11].CmpPercent(sla.Hundred) >= 0 {
		t.Error("the degraded hour did not count under the policy")
	}
}

// A year's monthly uptime is the same evaluation per month as the last 12
// months': all of a past year, the current year so far; the years run
// from the first incident's to now's, newest first, and any other is
// NotFound.
func TestYearUptime(t *testing.T) {
	f := newFixture(t)
	if years, err := f.r.UptimeYears(f.ctx, f.now); err != nil || !slices.Equal(years, []int{2013}) {
		t.Fatalf("nothing recorded: %v %v", years, err)
	}
	f.christmas()
	f.incident("2011", time.Date(2011, 4, 21, 8, 0, 0, 0, time.UTC), time.Date(2011, 4, 21, 9, 0, 0, 0, time.UTC), change("elb-eu-west-1", incidents.MajorOutage, ""))
	years, err := f.r.UptimeYears(f.ctx, f.now)
	if err != nil || !slices.Equal(years, []int{2013, 2012, 2011}) {
		t.Fatalf("years %v %v", years, err)
	}
	last, err := f.r.MonthlyUptime(f.ctx, f.now)
	if err != nil {
		t.Fatal(err)
	}
	y, err := f.r.YearUptime(f.ctx, 2012, f.now)
	if err != nil || len(y.Months) != 12 || !y.Months[0].Equal(time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC)) || !y.Months[11].Equal(december) {
		t.Fatalf("2012: %v %v", y, err)
	}
	for _, c := range []string{"elb-us-east-1", "elb-eu-west-1"} {
		sameRatio(t, c+" in December 2012", y.Uptime[c][11], last.Uptime[c][10])
	}
	if y, err = f.r.YearUptime(f.ctx, 2013, f.now); err != nil || len(y.Months) != 1 {
		t.Fatalf("2013 so far: %v %v", y, err)
	}
	sameRatio(t, "January 2013 so far", y.Uptime["elb-us-east-1"][0], last.Uptime["elb-us-east-1"][11])
	if y, err = f.r.YearUptime(f.ctx, 2011, f.now); err != nil {
		t.Fatal(err)
	}
	// One hour of April's 720.
	sameRatio(t, "April 2011", y.Uptime["elb-eu-west-1"][3], sla.NewRatio(71_900, 720))
	for _, year := range []int{2010, 2014, 0} {
		if _, err := f.r.YearUptime(f.ctx, year, f.now); errs.CodeOf(err) != errs.NotFound {
			t.Errorf("%d: %v, want NotFound", year, err)
		}
	}
}
