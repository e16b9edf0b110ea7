package report

import (
	"reflect"
	"testing"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/sla"
)

// The dashboard of the month under way keeps its finished months between
// renders, and each render is what a fresh evaluation gives: after every
// kind of write that changes a finished month's figures (a backfilled
// incident, a backfilled resolution, a deletion, a corrected incident, a
// policy, a maintenance, a component) the next render shows the new figure
// and equals the dashboard of a Reports that keeps nothing; a write to the
// month under way leaves the finished months kept, and the render still
// equals the fresh one.
func TestDashboardKeepsFinishedMonthsOnlyWhileTheyHold(t *testing.T) {
	f := newFixture(t)
	christmas := f.christmas()
	f.policy(elbPolicy)
	f.customer("acme", "USD", "elb-us-east-1", 4, "2012-12", 250000)
	nov := time.Date(2012, 11, 10, 10, 0, 0, 0, time.UTC)
	november := f.incident("November outage", nov, nov.Add(time.Hour), change("elb-eu-west-1", incidents.MajorOutage, ""))
	// Open since October: read again by every render, until it is
	// resolved in November (below) and no longer reaches January.
	oct := time.Date(2012, 10, 30, 22, 0, 0, 0, time.UTC)
	october := f.incident("Open since October", oct, time.Time{}, change("elb-us-east-1", incidents.PartialOutage, "20"))
	dec := time.Date(2012, 12, 30, 22, 0, 0, 0, time.UTC)
	openDec := f.incident("Open since December", dec, time.Time{}, change("elb-eu-west-1", incidents.PartialOutage, "5"))
	filter := DashboardFilter{Month: MonthStart(f.now)}

	// render returns the dashboard of f.r and checks it against one of a
	// Reports that keeps nothing.
	render := func(what string) *Dashboard {
		t.Helper()
		d, err := f.r.Dashboard(f.ctx, filter, f.now)
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := New(f.inc, f.desk).Dashboard(f.ctx, filter, f.now)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(d, fresh) {
			t.Fatalf("%s: the dashboard differs from a fresh one:\n%+v\n%+v", what, d.Scopes, fresh.Scopes)
		}
		return d
	}
	kept := func() *keptMonths {
		f.r.dash.mu.Lock()
		defer f.r.dash.mu.Unlock()
		return f.r.dash.last
	}
	// westIn is eu-west-1's uptime in month m (months before January).
	westIn := func(d *Dashboard, m int) sla.Ratio { return d.Scopes[4].History[11-m] }
	eastIn := func(d *Dashboard, m int) sla.Ratio { return d.Scopes[2].History[11-m] }

	started := func(d *Dashboard) (n int) {
		for _, m := range d.Incidents {
			n += m.Incidents
		}
		return n
	}

	d := render("first")
	first := kept()
	if first == nil {
		t.Fatal("nothing kept")
	}
	render("again")
	if kept() != first {
		t.Fatal("a render with nothing written read the finished months again")
	}
	// A month that is over is not kept.
	if _, err := f.r.Dashboard(f.ctx, DashboardFilter{Month: december}, f.now); err != nil {
		t.Fatal(err)
	}
	if kept() != first {
		t.Fatal("the dashboard of December changed what is kept")
	}

	// A write to January keeps them.
	jan := f.now.Add(-time.Hour)
	f.incident("January outage", jan, time.Time{}, change("elb-eu-west-1", incidents.MajorOutage, ""))
	render("after an incident declared in January")
	if _, err := f.inc.AddUpdate(f.ctx, audit.Person("ops@example.com"), openDec.ID, incidents.UpdateInput{Phase: incidents.Resolved, Message: "Fixed.",
		Components: []incidents.ComponentChange{change("elb-eu-west-1", incidents.Operational, "")}}, f.now); err != nil {
		t.Fatal(err)
	}
	render("after the resolution in January of the incident open since December")
	if kept() != first {
		t.Fatal("a write to January threw the finished months away")
	}

	steps := []struct {
		what  string
		write func()
		moved func(before, after *Dashboard) bool
	}{
		{"an incident backfilled into September", func() {
			sep := time.Date(2012, 9, 3, 8, 0, 0, 0, time.UTC)
			f.incident("September outage", sep, sep.Add(2*time.Hour), change("elb-eu-west-1", incidents.MajorOutage, ""))
		}, func(b, a *Dashboard) bool { return westIn(a, 4).Cmp(westIn(b, 4)) < 0 }},
		{"the October incident resolved in November", func() {
			at := time.Date(2012, 11, 2, 6, 0, 0, 0, time.UTC)
			if _, err := f.inc.AddUpdate(f.ctx, audit.Person("ops@example.com"), october.ID, incidents.UpdateInput{Phase: incidents.Resolved, Message: "Resolved.", At: &at}, f.now); err != nil {
				t.Fatal(err)
			}
		}, func(b, a *Dashboard) bool { return eastIn(a, 2).Cmp(eastIn(b, 2)) > 0 }},
		{"the November incident deleted", func() {
			if _, err := f.inc.DeleteIncident(f.ctx, audit.Person("ops@example.com"), november.ID, f.now); err != nil {
				t.Fatal(err)
			}
		}, func(b, a *Dashboard) bool { return westIn(a, 2).Cmp(westIn(b, 2)) > 0 }},
		{"an August incident that counts under no policy yet", func() {
			aug := time.Date(2012, 8, 3, 8, 0, 0, 0, time.UTC)
			f.incident("August slowness", aug, aug.Add(2*time.Hour), change("elb-us-east-1", incidents.DegradedPerformance, ""))
		}, func(b, a *Dashboard) bool { return started(a) == started(b)+1 }},
		{"a policy that counts degraded performance", func() {
			p := elbPolicy
			p.Count = []sla.Status{sla.DegradedPerformance, sla.PartialOutage, sla.MajorOutage}
			f.policy(p)
		}, func(b, a *Dashboard) bool { return eastIn(a, 5).Cmp(eastIn(b, 5)) < 0 }},
		{"a maintenance in July, announced a day before", func() {
			jul := time.Date(2012, 7, 3, 8, 0, 0, 0, time.UTC)
			ann := jul.Add(-24 * time.Hour)
			if _, err := f.inc.CreateMaintenance(f.ctx, audit.Person("ops@example.com"), incidents.MaintenanceInput{Title: "July work", Components: []string{"elb-us-east-1"},
				StartsAt: jul, EndsAt: jul.Add(2 * time.Hour), AnnouncedAt: &ann}, f.now); err != nil {
				t.Fatal(err)
			}
		}, nil},
		{"a component added", func() {
			f.component("elb-ap-1", "ELB", "ELB ap-1", "ap-1", 2)
		}, func(b, a *Dashboard) bool { return len(a.Scopes) == len(b.Scopes)+2 }},
	}
	before := d
	for _, s := range steps {
		old := kept()
		s.write()
		after := render(s.what)
		if kept() == old {
			t.Errorf("%s: the finished months were kept", s.what)
		}
		if s.moved != nil && !s.moved(before, after) {
			t.Errorf("%s: the figure did not change", s.what)
		}
		before = after
	}

	// Writes that change no finished figure but may: each render still
	// equals a fresh one.
	old := kept()
	if _, err := f.inc.CorrectUpdate(f.ctx, audit.Person("ops@example.com"), christmas.ID, christmas.Updates[0].ID, "Corrected.", f.now); err != nil {
		t.Fatal(err)
	}
	render("after a correction")
	if kept() != old {
		t.Error("a corrected message threw the finished months away")
	}
	f.issue("2012-12")
	if d := render("after a credit run"); len(d.Credits) == 0 {
		t.Error("the credits issued are not on the dashboard")
	}
}
