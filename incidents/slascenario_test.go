package incidents

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/sla"
)

// bridgeFixture is the December 2012 ELB outage at its worst: 6.8% of the
// region's load balancers in partial outage for 22 h 6 min, after an hour
// of degraded performance (which the default policy does not count), with
// an excluded incident, an ongoing one, and a maintenance window.
func bridgeFixture() ([]Service, []Component, []Incident, []Maintenance) {
	services := []Service{{ID: "ELB", Name: "Elastic Load Balancing"}, {ID: "EC2", Name: "Compute"}}
	components := []Component{
		{ID: "elb-us-east-1", Service: "ELB", Name: "ELB us-east-1", Region: "us-east-1", Resources: 40000},
		{ID: "ec2-us-east-1a", Service: "EC2", Name: "EC2 us-east-1a", Region: "us-east-1", Zone: "us-east-1a"},
	}
	resolved := start.Add(time.Hour + 22*time.Hour + 6*time.Minute)
	elb := Incident{
		ID: 1, Title: "Degraded load balancers", Phase: Resolved, StartedAt: start, ResolvedAt: &resolved,
		Updates: []Update{
			upd(0, Investigating, cs("elb-us-east-1", DegradedPerformance, 10000)),
			upd(1, Identified, cs("elb-us-east-1", PartialOutage, 68000)),
			{Phase: Resolved, At: resolved, Components: []ComponentStatus{cs("elb-us-east-1", Operational, 0)}},
		},
	}
	excluded := Incident{
		ID: 2, Phase: Resolved, StartedAt: hours(30), ResolvedAt: end(31), Excluded: true,
		Updates: []Update{
			upd(30, Investigating, cs("ec2-us-east-1a", MajorOutage, sla.Hundred)),
			upd(31, Resolved, cs("ec2-us-east-1a", Operational, 0)),
		},
	}
	ongoing := Incident{
		ID: 3, Phase: Investigating, StartedAt: hours(40),
		Updates: []Update{upd(40, Investigating, cs("ec2-us-east-1a", UnderMaintenance, sla.Hundred), cs("elb-us-east-1", MajorOutage, 250000))},
	}
	maint := Maintenance{ID: 9, Components: []string{"ec2-us-east-1a"}, StartsAt: hours(50), EndsAt: hours(52), AnnouncedAt: hours(-48)}
	return services, components, []Incident{elb, excluded, ongoing}, []Maintenance{maint}
}

func TestSLAScenario(t *testing.T) {
	services, components, incs, maints := bridgeFixture()
	asOf := hours(41)
	period := sla.MonthPeriod(2012, time.December, "")
	sc, err := SLAScenario(period, asOf, services, components, incs, maints)
	if err != nil {
		t.Fatal(err)
	}
	fleet := int64(40000)
	resolved := *incs[0].ResolvedAt
	want := &sla.Scenario{
		Period: period,
		AsOf:   asOf,
		Components: []sla.Component{
			{ID: "elb-us-east-1", Service: "ELB", Region: "us-east-1", Resources: &fleet},
			{ID: "ec2-us-east-1a", Service: "EC2", Region: "us-east-1", Zone: "us-east-1a"},
		},
		Incidents: []sla.Incident{
			{ID: "1", Impacts: []sla.Impact{
				{Component: "elb-us-east-1", Status: sla.DegradedPerformance, AffectedPercent: sla.MustPercent("1"), Start: start, End: hours(1)},
				{Component: "elb-us-east-1", Status: sla.PartialOutage, AffectedPercent: sla.MustPercent("6.8"), Start: hours(1), End: resolved},
			}},
			{ID: "2", Excluded: true, Impacts: []sla.Impact{
				{Component: "ec2-us-east-1a", Status: sla.MajorOutage, AffectedPercent: sla.MustPercent("100"), Start: hours(30), End: hours(31)},
			}},
			// The under_maintenance span is not an impact; the ongoing one has no end.
			{ID: "3", Impacts: []sla.Impact{
				{Component: "elb-us-east-1", Status: sla.MajorOutage, AffectedPercent: sla.MustPercent("25"), Start: hours(40)},
			}},
		},
		Maintenance: []sla.Maintenance{{ID: "9", Components: []string{"ec2-us-east-1a"}, Start: hours(50), End: hours(52), Announced: hours(-48)}},
	}
	if !reflect.DeepEqual(sc, want) {
		t.Fatalf("scenario:\n got %+v\nwant %+v", sc, want)
	}

	// The hand-computed figures: 22 h 6 min = 79560 s at 6.8% is 5410.08 s,
	// plus the ongoing 25% major outage for the hour up to as_of: 900 s. Of
	// the 2678400 s of December that leaves 100 × (1 − 6310.08/2678400) =
	// 99.76440...%. The degraded hour and the excluded incident count
	// nothing.
	res, err := sla.Evaluate(sc)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][2]string{}
	for _, c := range res.Components {
		got[c.ID] = [2]string{c.DowntimeSeconds.Round(6), c.UptimePercent().Truncate(4)}
	}
	if w := [2]string{"6310.08", "99.7644"}; got["elb-us-east-1"] != w {
		t.Errorf("elb-us-east-1: %v, want %v", got["elb-us-east-1"], w)
	}
	if w := [2]string{"0", "100.0000"}; got["ec2-us-east-1a"] != w {
		t.Errorf("ec2-us-east-1a: %v, want %v", got["ec2-us-east-1a"], w)
	}

	// Without the ongoing incident, exactly the spec's example figure.
	sc, err = SLAScenario(period, asOf, services, components, incs[:2], nil)
	if err != nil {
		t.Fatal(err)
	}
	if res, err = sla.Evaluate(sc); err != nil {
		t.Fatal(err)
	}
	if d := res.Components[0].DowntimeSeconds.Round(6); d != "5410.08" {
		t.Errorf("downtime %s, want 5410.08", d)
	}
	if u := res.Components[0].UptimePercent().Truncate(4); u != "99.7980" {
		t.Errorf("uptime %s, want 99.7980", u)
	}
}

func TestSLAScenarioUnknownNames(t *testing.T) {
	services, components, incs, maints := bridgeFixture()
	period := sla.MonthPeriod(2012, time.December, "")
	_, err := SLAScenario(period, now, services[:1], components, incs, maints)
	wantErr(t, "unknown service", err, "invalid", `components[1].service: unknown service "EC2"`)
	_, err = SLAScenario(period, now, services, components[:1], incs[1:2], nil)
	wantErr(t, "unknown component", err, "invalid", `incidents[0].components: unknown component "ec2-us-east-1a"`)
	_, err = SLAScenario(period, now, services, components[:1], nil, maints)
	wantErr(t, "unknown maintenance component", err, "invalid", `maintenances[0].components[0]: unknown component "ec2-us-east-1a"`)
}

func TestDraftExplanation(t *testing.T) {
	services, components, incs, _ := bridgeFixture()
	inc := incs[0]
	inc.Updates[0].Message = "Elevated API errors.\n\nWe are looking."
	sc, err := SLAScenario(IncidentMonth(inc), now, services, components, incs[:1], nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := sla.Evaluate(sc)
	if err != nil {
		t.Fatal(err)
	}
	title, body := DraftExplanation(inc, services, components, res, nil, now)
	if title != "Degraded load balancers" {
		t.Errorf("title %q", title)
	}
	for _, want := range []string{
		"## What happened\n\n- **24 Dec 2012, 20:24 UTC** · Investigating: Elevated API errors. We are looking.\n",
		"- **24 Dec 2012, 21:24 UTC** · Identified: \n",
		"## Impact\n\nThe incident lasted 23 h 6 min, from 24 Dec 2012, 20:24 UTC to 25 Dec 2012, 19:30 UTC.\n",
		"| ELB us-east-1 | Partial outage | 6.8% | 23 h 6 min |\n",
		"Uptime in December 2012 (UTC)",
		"| ELB us-east-1 | 99.7980% | 5410.08 s (1 h 30 min) |\n",
		"Downtime counted is not the outage's length: each second counts by the share of the component's resources affected then",
		"Fleet uptime of Elastic Load Balancing in December 2012: 99.7980%.\n",
		"## Why it happened\n\n" + GuideWhy + "\n",
		"## What we are changing\n\n" + GuideChanges + "\n",
		"## Our apology\n\n" + GuideApology,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("draft lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "EC2") || strings.Contains(body, "Compute") {
		t.Errorf("draft names a component the incident did not affect:\n%s", body)
	}
	// Without figures the uptime table is left out, not invented.
	_, body = DraftExplanation(inc, services, components, nil, nil, now)
	if strings.Contains(body, "Uptime in") || strings.Contains(body, "Customers:") {
		t.Errorf("draft without figures has an uptime table or customers:\n%s", body)
	}

	// With the credit desk's figures: customers affected and credits offered,
	// per currency, in a fixed order.
	credits := &DraftCredits{Customers: 40, CustomersHit: 3, CreditMinor: map[string]int64{"USD": 2534567, "EUR": 1200, "JPY": 0}}
	_, body = DraftExplanation(inc, services, components, res, credits, now)
	if want := "Customers: 3 of the 40 customers with resources in the affected services lost uptime under their SLA that month. The service credits this comes to: 12.00 EUR, 25,345.67 USD, applied through the month's credit run.\n"; !strings.Contains(body, want) {
		t.Errorf("draft lacks %q:\n%s", want, body)
	}
	_, body = DraftExplanation(inc, services, components, res, &DraftCredits{Customers: 2, CreditMinor: map[string]int64{}}, now)
	if want := "Customers: 0 of the 2 customers with resources in the affected services lost uptime under their SLA that month. Their uptime stayed above every credit tier, so no service credit is due.\n"; !strings.Contains(body, want) {
		t.Errorf("draft lacks %q:\n%s", want, body)
	}
}

// An SLAHistory's scenario of a selection is SLAScenario of the selected
// incidents and maintenance, whichever are selected.
func TestSLAHistoryScenarioIsSLAScenarioOfTheSelection(t *testing.T) {
	services, components, incs, maints := bridgeFixture()
	h, err := NewSLAHistory(services, components, incs, maints)
	if err != nil {
		t.Fatal(err)
	}
	period := sla.MonthPeriod(2012, time.December, "")
	for mask := range 1 << (len(incs) + len(maints)) {
		var selInc []Incident
		var selMaint []Maintenance
		for i, inc := range incs {
			if mask&(1<<i) != 0 {
				selInc = append(selInc, inc)
			}
		}
		for i, m := range maints {
			if mask&(1<<(len(incs)+i)) != 0 {
				selMaint = append(selMaint, m)
			}
		}
		want, err := SLAScenario(period, hours(41), services, components, selInc, selMaint)
		if err != nil {
			t.Fatal(err)
		}
		got, err := h.Scenario(period, hours(41), func(i int) bool { return mask&(1<<i) != 0 }, func(i int) bool { return mask&(1<<(len(incs)+i)) != 0 })
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("selection %b:\n got %+v\nwant %+v", mask, got, want)
		}
	}
	// Its errors are SLAScenario's, from the scenarios that hold what
	// is wrong.
	h, err = NewSLAHistory(services, components[:1], incs, maints)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Scenario(period, hours(41), func(i int) bool { return i == 0 }, func(int) bool { return false }); err != nil {
		t.Fatalf("incident 1 names only elb-us-east-1: %v", err)
	}
	_, want := SLAScenario(period, hours(41), services, components[:1], incs, maints)
	if _, err := h.Scenario(period, hours(41), func(int) bool { return true }, func(int) bool { return true }); err == nil || err.Error() != want.Error() {
		t.Fatalf("unknown component: %v, want %v", err, want)
	}
}
