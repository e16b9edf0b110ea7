package sla_test

import (
	"testing"
	"time"

	"github.com/amends/amends/sla"
)

const (
	major    = sla.MajorOutage
	partial  = sla.PartialOutage
	degraded = sla.DegradedPerformance
)

func at(s string, seconds int64) time.Time { return T(s).Add(time.Duration(seconds) * time.Second) }

func customer(id string, charges int64, res ...sla.Resource) sla.Customer {
	c := sla.Customer{ID: id, Currency: "USD", Resources: res}
	if charges > 0 {
		c.Charges = []sla.Charge{{Component: "c1", AmountMinor: charges}}
	}
	return c
}

func named(inc sla.Incident, acs ...sla.AffectedCustomer) sla.Incident {
	inc.Impacts[0].Customers = acs
	return inc
}

func withGoodwill(inc sla.Incident, days int64, services, comps []string) sla.Incident {
	inc.Goodwill = &sla.Goodwill{Days: days, Services: services, Components: comps}
	return inc
}

// TestEdges runs the spec's edge cases on the base scenario (April 2013, 30
// days). Each case edits the scenario and lists the shown values it expects.
func TestEdges(t *testing.T) {
	hour := func(s string) (time.Time, time.Time) { return T(s), at(s, 3600) }
	h0, h1 := hour("04-10T00:00")
	tests := []struct {
		name string
		edit func(s *sla.Scenario)
		want map[string]string
	}{
		{"1296 s in 30 days is exactly 99.95% and earns nothing", func(s *sla.Scenario) {
			addIncident(s, impact("i", "c1", major, "100", h0, at("04-10T00:00", 1296)))
		}, map[string]string{"c1 downtime": "1296", "c1 uptime": "99.9500", "x S uptime": "99.9500",
			"x S credit_percent": "0", "x S credit": "0", "x total": "0", "S uptime": "99.9750"}},
		{"1297 s earns the first tier", func(s *sla.Scenario) {
			addIncident(s, impact("i", "c1", major, "100", h0, at("04-10T00:00", 1297)))
		}, map[string]string{"x S uptime": "99.9499", "x S credit_percent": "10", "x S credit": "10000", "x total": "10000"}},

		{"DST March in Los Angeles is an hour short", func(s *sla.Scenario) {
			s.Period = sla.MonthPeriod(2013, time.March, "America/Los_Angeles")
			addIncident(s, impact("i", "c1", major, "100", T("03-10T09:50"), at("03-10T09:50", 1296)))
		}, map[string]string{"period seconds": "2674800", "period start": "2013-03-01T00:00:00-08:00",
			"period end": "2013-04-01T00:00:00-07:00", "x S deadline": "2013-06-01T00:00:00-07:00",
			"c1 downtime": "1296", "x S uptime": "99.9515", "x S credit": "0"}},
		{"DST November in Los Angeles is an hour long: 1297 s earns nothing", func(s *sla.Scenario) {
			s.Period, s.AsOf = sla.MonthPeriod(2013, time.November, "America/Los_Angeles"), T("12-05T00:00")
			addIncident(s, impact("i", "c1", major, "100", T("11-03T08:30"), at("11-03T08:30", 1297)))
		}, map[string]string{"period seconds": "2595600", "period start": "2013-11-01T00:00:00-07:00",
			"period end": "2013-12-01T00:00:00-08:00", "x S uptime": "99.9500", "x S credit_percent": "0"}},
		{"DST November in Los Angeles: 1298 s earns the first tier", func(s *sla.Scenario) {
			s.Period, s.AsOf = sla.MonthPeriod(2013, time.November, "America/Los_Angeles"), T("12-05T00:00")
			addIncident(s, impact("i", "c1", major, "100", T("11-03T08:30"), at("11-03T08:30", 1298)))
		}, map[string]string{"x S uptime": "99.9499", "x S credit_percent": "10"}},

		{"ongoing impact cut at as_of", func(s *sla.Scenario) {
			s.AsOf = h1
			addIncident(s, impact("i", "c1", major, "100", h0, time.Time{}))
		}, map[string]string{"c1 downtime": "3600", "x S downtime": "3600"}},
		{"ongoing impact cut at the period's end", func(s *sla.Scenario) {
			addIncident(s, impact("i", "c1", major, "100", T("04-30T23:00"), time.Time{}))
		}, map[string]string{"c1 downtime": "3600", "x S downtime": "3600"}},
		{"ongoing impact that starts after as_of", func(s *sla.Scenario) {
			s.AsOf = T("04-09T00:00")
			addIncident(s, impact("i", "c1", major, "100", h0, time.Time{}))
		}, map[string]string{"c1 downtime": "0", "x S downtime": "0"}},

		{"overlapping impacts count the largest share once", func(s *sla.Scenario) {
			addIncident(s, impact("a", "c1", partial, "10", T("04-10T00:00"), T("04-10T02:00")),
				impact("b", "c1", major, "30", T("04-10T01:00"), T("04-10T03:00")))
		}, map[string]string{"c1 downtime": "2520", "x S downtime": "2520"}},
		{"identical impacts count once", func(s *sla.Scenario) {
			addIncident(s, impact("a", "c1", major, "100", h0, h1), impact("b", "c1", partial, "100", h0, h1))
			s.Incidents[0].Impacts = append(s.Incidents[0].Impacts, s.Incidents[0].Impacts[0])
		}, map[string]string{"c1 downtime": "3600", "x S downtime": "3600"}},

		{"maintenance announced with enough notice excludes its window", func(s *sla.Scenario) {
			s.Policies[0].MaintenanceNoticeHours = 24
			addIncident(s, impact("i", "c1", major, "100", T("04-10T10:00"), T("04-10T12:00")))
			s.Maintenance = []sla.Maintenance{{Components: []string{"c1"}, Start: T("04-10T10:00"), End: T("04-10T11:00"), Announced: T("04-09T10:00")}}
		}, map[string]string{"c1 downtime": "3600", "x S downtime": "3600"}},
		{"maintenance announced too late excludes nothing", func(s *sla.Scenario) {
			s.Policies[0].MaintenanceNoticeHours = 24
			addIncident(s, impact("i", "c1", major, "100", T("04-10T10:00"), T("04-10T12:00")))
			s.Maintenance = []sla.Maintenance{{Components: []string{"c1"}, Start: T("04-10T10:00"), End: T("04-10T11:00"), Announced: T("04-09T10:00:01")}}
		}, map[string]string{"c1 downtime": "7200", "x S downtime": "7200"}},
		{"maintenance with no notice required, announced at its start", func(s *sla.Scenario) {
			addIncident(s, impact("i", "c1", major, "100", T("04-10T10:00"), T("04-10T12:00")))
			s.Maintenance = []sla.Maintenance{{Components: []string{"c1", "c2"}, Start: T("04-10T10:00"), End: T("04-10T11:00"), Announced: T("04-10T10:00")}}
		}, map[string]string{"c1 downtime": "3600", "x S downtime": "3600"}},
		{"maintenance announced after its start", func(s *sla.Scenario) {
			addIncident(s, impact("i", "c1", major, "100", T("04-10T10:00"), T("04-10T12:00")))
			s.Maintenance = []sla.Maintenance{{Components: []string{"c1"}, Start: T("04-10T10:00"), End: T("04-10T11:00"), Announced: T("04-10T10:00:01")}}
		}, map[string]string{"c1 downtime": "7200"}},
		{"maintenance on another component", func(s *sla.Scenario) {
			addIncident(s, impact("i", "c1", major, "100", T("04-10T10:00"), T("04-10T12:00")))
			s.Maintenance = []sla.Maintenance{{Components: []string{"c2"}, Start: T("04-10T09:00"), End: T("04-10T13:00"), Announced: T("04-01T00:00")}}
		}, map[string]string{"c1 downtime": "7200", "x S downtime": "7200"}},

		{"excluded incident: no downtime, goodwill still granted", func(s *sla.Scenario) {
			inc := withGoodwill(impact("i", "c1", major, "100", h0, h1), 10, []string{"S"}, []string{"c1"})
			inc.Excluded = true
			addIncident(s, inc)
		}, map[string]string{"c1 downtime": "0", "x S downtime": "0", "x goodwill i": "33333", "x total": "33333"}},

		{"unlisted fractional (default)", func(s *sla.Scenario) {
			addIncident(s, impact("i", "c1", partial, "10", h0, h1))
		}, map[string]string{"c1 downtime": "360", "x S downtime": "360"}},
		{"unlisted full", func(s *sla.Scenario) {
			s.Policies[0].Unlisted = sla.Full
			addIncident(s, impact("i", "c1", partial, "10", h0, h1))
		}, map[string]string{"c1 downtime": "360", "x S downtime": "3600"}},
		{"unlisted none", func(s *sla.Scenario) {
			s.Policies[0].Unlisted = sla.None
			addIncident(s, impact("i", "c1", partial, "10", h0, h1))
		}, map[string]string{"c1 downtime": "360", "x S downtime": "0"}},

		{"named customer: affected count over its resources", func(s *sla.Scenario) {
			addIncident(s, named(impact("i", "c1", partial, "10", h0, h1), sla.AffectedCustomer{Customer: "x", AffectedResources: i64(3)}))
		}, map[string]string{"c1 downtime": "360", "x S downtime": "1080"}},
		{"named customer with more affected resources than it has", func(s *sla.Scenario) {
			addIncident(s, named(impact("i", "c1", partial, "10", h0, h1), sla.AffectedCustomer{Customer: "x", AffectedResources: i64(50)}))
		}, map[string]string{"x S downtime": "3600"}},
		{"named customer without a count: all its resources", func(s *sla.Scenario) {
			addIncident(s, named(impact("i", "c1", partial, "10", h0, h1), sla.AffectedCustomer{Customer: "x"}))
		}, map[string]string{"x S downtime": "3600"}},
		{"impact naming other customers only", func(s *sla.Scenario) {
			s.Policies[0].Unlisted = sla.Full
			s.Customers = append(s.Customers, customer("y", 0, sla.Resource{Component: "c1", Count: 2}))
			addIncident(s, named(impact("i", "c1", partial, "10", h0, h1), sla.AffectedCustomer{Customer: "y", AffectedResources: i64(1)}))
		}, map[string]string{"x S downtime": "0", "y S downtime": "1800"}},
		{"named and unlisted at once: the larger share", func(s *sla.Scenario) {
			addIncident(s, impact("a", "c1", partial, "50", h0, h1),
				named(impact("b", "c1", partial, "10", h0, T("04-10T02:00")), sla.AffectedCustomer{Customer: "x", AffectedResources: i64(1)}))
		}, map[string]string{"c1 downtime": "2160", "x S downtime": "2160"}},
		{"named share above the unlisted one", func(s *sla.Scenario) {
			addIncident(s, impact("a", "c1", partial, "50", h0, h1),
				named(impact("b", "c1", partial, "10", h0, h1), sla.AffectedCustomer{Customer: "x", AffectedResources: i64(8)}))
		}, map[string]string{"x S downtime": "2880"}},
		{"named impact under noticed maintenance", func(s *sla.Scenario) {
			addIncident(s, named(impact("b", "c1", partial, "10", h0, h1), sla.AffectedCustomer{Customer: "x"}))
			s.Maintenance = []sla.Maintenance{{Components: []string{"c1"}, Start: h0, End: at("04-10T00:00", 600), Announced: T("04-01T00:00")}}
		}, map[string]string{"x S downtime": "3000", "c1 downtime": "300"}},

		{"resources starting mid-period dilute the share", func(s *sla.Scenario) {
			s.Customers[0].Resources = append(s.Customers[0].Resources, sla.Resource{Component: "c2", Count: 10, From: T("04-10T00:30")})
			addIncident(s, impact("i", "c1", major, "100", h0, h1))
		}, map[string]string{"x S downtime": "2700"}},
		{"resources ending mid-period: no share after", func(s *sla.Scenario) {
			s.Customers[0].Resources[0].To = T("04-10T00:30")
			addIncident(s, impact("i", "c1", major, "100", h0, h1))
		}, map[string]string{"x S downtime": "1800", "x S uptime": "99.9305", "x S credit": "10000"}},
		{"resources starting after the impact", func(s *sla.Scenario) {
			s.Customers[0].Resources[0].From = h1
			addIncident(s, impact("i", "c1", major, "100", h0, h1))
		}, map[string]string{"x S downtime": "0", "x S uptime": "100.0000", "x services": "S"}},
		{"several entries in one component add up", func(s *sla.Scenario) {
			s.Customers[0].Resources = []sla.Resource{{Component: "c1", Count: 4}, {Component: "c1", Count: 6, From: T("03-01T00:00")}}
			addIncident(s, named(impact("i", "c1", partial, "10", h0, h1), sla.AffectedCustomer{Customer: "x", AffectedResources: i64(3)}))
		}, map[string]string{"x S downtime": "1080"}},

		{"basis deployed: exactly 99.95% of the deployed seconds", func(s *sla.Scenario) {
			s.Policies[0].Basis = sla.BasisDeployed
			s.Customers[0].Resources[0].From = T("04-16T00:00")
			addIncident(s, impact("i", "c1", major, "100", T("04-20T00:00"), at("04-20T00:00", 648)))
		}, map[string]string{"x S uptime": "99.9500", "x S credit": "0"}},
		{"basis deployed: one second more earns the first tier", func(s *sla.Scenario) {
			s.Policies[0].Basis = sla.BasisDeployed
			s.Customers[0].Resources[0].From = T("04-16T00:00")
			addIncident(s, impact("i", "c1", major, "100", T("04-20T00:00"), at("04-20T00:00", 649)))
		}, map[string]string{"x S uptime": "99.9499", "x S credit": "10000"}},
		{"basis period for the same customer", func(s *sla.Scenario) {
			s.Customers[0].Resources[0].From = T("04-16T00:00")
			addIncident(s, impact("i", "c1", major, "100", T("04-20T00:00"), at("04-20T00:00", 649)))
		}, map[string]string{"x S uptime": "99.9749", "x S credit": "0"}},
		{"basis deployed without resources is 100%", func(s *sla.Scenario) {
			s.Policies[0].Basis = sla.BasisDeployed
			s.Customers[0].Resources = nil
			addIncident(s, impact("i", "c1", major, "100", h0, h1))
		}, map[string]string{"x S uptime": "100.0000", "x S downtime": "0", "x S credit": "0"}},

		{"charges but no resources", func(s *sla.Scenario) {
			s.Customers = append(s.Customers, sla.Customer{ID: "y", Charges: []sla.Charge{{Component: "c2", AmountMinor: 5000}, {Component: "d1", AmountMinor: 7}}},
				sla.Customer{ID: "z", Resources: []sla.Resource{{Component: "d1", Count: 3}}},
				sla.Customer{ID: "w", Resources: []sla.Resource{{Component: "c2", Count: 0}}})
			addIncident(s, impact("i", "c2", major, "100", h0, T("04-12T00:00")))
		}, map[string]string{"y services": "S", "y S downtime": "0", "y S uptime": "100.0000", "y S credit": "0",
			"y S charges": "5000", "z services": "", "w services": "S", "w S uptime": "100.0000", "w S charges": "0"}},

		{"rounding half away from zero", func(s *sla.Scenario) {
			s.Customers = []sla.Customer{customer("a4", 4, sla.Resource{Component: "c1", Count: 1}),
				customer("a5", 5, sla.Resource{Component: "c1", Count: 1}),
				customer("a15", 15, sla.Resource{Component: "c1", Count: 1}),
				customer("a25", 25, sla.Resource{Component: "c1", Count: 1})}
			addIncident(s, withGoodwill(impact("i", "c1", major, "100", h0, T("04-10T02:00")), 15, []string{"S"}, nil))
		}, map[string]string{"a4 S credit": "0", "a5 S credit": "1", "a15 S credit": "2", "a25 S credit": "3",
			"a4 goodwill i": "2", "a5 goodwill i": "3", "a15 goodwill i": "8", "a25 goodwill i": "13", "a25 total": "16"}},
		{"downtime shown with 6 decimals, half away from zero", func(s *sla.Scenario) {
			s.Customers[0].Resources = []sla.Resource{{Component: "c1", Count: 1}, {Component: "c2", Count: 1}}
			addIncident(s, impact("i", "c1", partial, "0.0001", h0, at("04-10T00:00", 1)))
		}, map[string]string{"c1 downtime": "0.000001", "x S downtime": "0.000001", "x S uptime": "99.9999", "c1 uptime": "99.9999"}},
		{"downtime below half a millionth shows 0, uptime still not 100", func(s *sla.Scenario) {
			s.Customers[0].Resources = []sla.Resource{{Component: "c1", Count: 1}, {Component: "c2", Count: 3}}
			addIncident(s, impact("i", "c1", partial, "0.0001", h0, at("04-10T00:00", 1)))
		}, map[string]string{"x S downtime": "0", "x S uptime": "99.9999"}},
		{"fractional seconds are truncated", func(s *sla.Scenario) {
			addIncident(s, impact("i", "c1", major, "100", T("04-10T10:00:00.9"), T("04-10T10:00:10.5")))
		}, map[string]string{"c1 downtime": "10"}},

		{"claim deadline of a month", nil, map[string]string{"x S deadline": "2013-07-01T00:00:00Z"}},
		{"claim deadline with claim_periods 0", func(s *sla.Scenario) { s.Policies[0].ClaimPeriods = i64(0) },
			map[string]string{"x S deadline": "2013-05-01T00:00:00Z"}},
		{"claim deadline of a year", func(s *sla.Scenario) { s.Period = sla.Period{Year: "2013", TimeZone: ""} },
			map[string]string{"x S deadline": "2016-01-01T00:00:00Z", "period seconds": "31536000"}},
		{"claim deadline of a year in Los Angeles", func(s *sla.Scenario) { s.Period = sla.Period{Year: "2013", TimeZone: "America/Los_Angeles"} },
			map[string]string{"x S deadline": "2016-01-01T00:00:00-08:00"}},
		{"claim deadline of a range", func(s *sla.Scenario) { s.Period = sla.Period{Start: T("04-01T00:00"), End: T("04-11T00:00")} },
			map[string]string{"x S deadline": "2013-05-01T00:00:00Z", "period seconds": "864000"}},
		{"claim deadline of a range, one period", func(s *sla.Scenario) {
			s.Period = sla.Period{Start: T("04-01T00:00"), End: T("04-11T00:00")}
			s.Policies[0].ClaimPeriods = i64(1)
		}, map[string]string{"x S deadline": "2013-04-21T00:00:00Z"}},

		{"goodwill eligibility at the window's edges", func(s *sla.Scenario) {
			inc := sla.Incident{ID: "g", Goodwill: &sla.Goodwill{Days: 10, Services: []string{"S"}, Components: []string{"c1"}},
				Impacts: []sla.Impact{
					{Component: "c1", Status: partial, AffectedPercent: P("10"), Start: T("04-10T00:00"), End: T("04-10T02:00")},
					{Component: "c2", Status: partial, AffectedPercent: P("10"), Start: T("04-10T01:00"), End: T("04-10T03:00")}}}
			addIncident(s, inc)
			s.Customers = append(s.Customers,
				customer("e1", 30000, sla.Resource{Component: "c1", Count: 10, To: T("04-10T00:00")}),
				customer("e2", 30000, sla.Resource{Component: "c1", Count: 10, To: T("04-10T00:00:01")}),
				customer("e3", 30000, sla.Resource{Component: "c1", Count: 10, From: T("04-10T03:00")}),
				customer("e4", 30000, sla.Resource{Component: "c1", Count: 10, From: T("04-10T02:59:59")}),
				customer("e5", 30000, sla.Resource{Component: "c2", Count: 10}),
				customer("e6", 30000, sla.Resource{Component: "c1", Count: 0}))
		}, map[string]string{"x goodwill g": "33333", "e1 goodwills": "", "e2 goodwill g": "10000", "e3 goodwills": "",
			"e4 goodwill g": "10000", "e5 goodwills": "", "e6 goodwills": "", "e2 total": "10000"}},
		{"goodwill window of an ongoing incident ends at as_of", func(s *sla.Scenario) {
			s.AsOf = T("04-10T05:00")
			addIncident(s, withGoodwill(impact("g", "c1", partial, "10", h0, time.Time{}), 10, []string{"S"}, []string{"c1"}))
			s.Customers = append(s.Customers,
				customer("e1", 30000, sla.Resource{Component: "c1", Count: 1, From: T("04-10T04:59:59")}),
				customer("e2", 30000, sla.Resource{Component: "c1", Count: 1, From: T("04-10T05:00")}))
		}, map[string]string{"e1 goodwill g": "10000", "e2 goodwills": ""}},
		{"goodwill longer than the period", func(s *sla.Scenario) {
			addIncident(s, withGoodwill(impact("g", "c1", partial, "10", h0, h1), 40, []string{"S"}, []string{"c1"}),
				withGoodwill(impact("h", "c1", partial, "10", h0, h1), 30, []string{"S"}, []string{"c1"}))
		}, map[string]string{"x goodwill g": "100000", "x goodwill h": "100000", "x goodwills": "g,h"}},
		{"goodwill belongs to the period its window starts in", func(s *sla.Scenario) {
			addIncident(s, withGoodwill(impact("g", "c1", partial, "10", T("03-31T23:00"), T("04-01T01:00")), 10, []string{"S"}, []string{"c1"}))
		}, map[string]string{"x goodwills": "", "c1 downtime": "360"}},
		{"goodwill scope: components of the services", func(s *sla.Scenario) {
			s.Customers[0].Charges = append(s.Customers[0].Charges, sla.Charge{Component: "c2", AmountMinor: 50000}, sla.Charge{Component: "d1", AmountMinor: 7000})
			addIncident(s, withGoodwill(impact("g1", "c1", partial, "10", h0, h1), 10, []string{"S"}, []string{"c1"}),
				withGoodwill(impact("g2", "c1", partial, "10", h0, h1), 10, []string{"S"}, nil),
				withGoodwill(impact("g3", "c1", partial, "10", h0, h1), 10, []string{"D"}, []string{"c1", "d1"}),
				withGoodwill(impact("g4", "c1", partial, "10", h0, h1), 10, nil, []string{"c1", "d1"}))
		}, map[string]string{"x goodwill g1": "33333", "x goodwill g2": "50000", "x goodwill g3": "2333", "x goodwill g4": "35667",
			"x S charges": "150000", "x total": "121333"}},
		{"goodwill eligible components: only they make a customer eligible, the credit counts the whole scope", func(s *sla.Scenario) {
			s.Customers[0].Charges = append(s.Customers[0].Charges, sla.Charge{Component: "d1", AmountMinor: 30000})
			s.Customers = append(s.Customers,
				customer("y", 0, sla.Resource{Component: "d1", Count: 1}), // eligible, no charges in scope
				customer("z", 0, sla.Resource{Component: "c2", Count: 1}), // in scope, not eligible
				sla.Customer{ID: "w", Currency: "USD", Resources: []sla.Resource{ // eligible through d1, paid for c1 and d1
					{Component: "c1", Count: 1}, {Component: "d1", Count: 1}},
					Charges: []sla.Charge{{Component: "c1", AmountMinor: 3000}, {Component: "d1", AmountMinor: 6000}}})
			inc := withGoodwill(impact("g", "c1", partial, "10", h0, h1), 10, []string{"S", "D"}, []string{"c1", "c2", "d1"})
			inc.Goodwill.EligibleComponents = []string{"d1"}
			addIncident(s, inc)
		}, map[string]string{"x goodwills": "", "y goodwill g": "0", "z goodwills": "", "w goodwill g": "3000", "w total": "3000"}},

		{"min_credit_minor: a credit not above it is not paid", func(s *sla.Scenario) {
			s.Customers[0].Charges[0].AmountMinor = 1000
			s.Policies[0].MinCreditMinor = 100
			addIncident(s, impact("i", "c1", major, "100", h0, T("04-10T02:00")))
		}, map[string]string{"x S credit_percent": "10", "x S credit": "0", "x total": "0"}},
		{"min_credit_minor: a credit above it is paid", func(s *sla.Scenario) {
			s.Customers[0].Charges[0].AmountMinor = 1000
			s.Policies[0].MinCreditMinor = 99
			addIncident(s, impact("i", "c1", major, "100", h0, T("04-10T02:00")))
		}, map[string]string{"x S credit_percent": "10", "x S credit": "100"}},
		{"cap_percent caps the tier credit", func(s *sla.Scenario) {
			s.Policies[0].CapPercent = pp("50")
			addIncident(s, impact("i", "c1", major, "100", h0, T("04-12T00:00")))
		}, map[string]string{"x S credit_percent": "100", "x S credit": "50000"}},
		{"without a cap the top tier pays everything", func(s *sla.Scenario) {
			addIncident(s, impact("i", "c1", major, "100", h0, T("04-12T00:00")))
		}, map[string]string{"x S credit_percent": "100", "x S credit": "100000", "x S uptime": "93.3333"}},
		{"tiers in any order", func(s *sla.Scenario) {
			tt := s.Policies[0].Tiers
			tt[0], tt[2] = tt[2], tt[0]
			addIncident(s, impact("i", "c1", major, "100", h0, T("04-10T12:00")))
		}, map[string]string{"x S credit_percent": "30", "x S credit": "30000"}},

		{"fleet uptime weighted by stated resources", func(s *sla.Scenario) {
			s.Components[0].Resources, s.Components[1].Resources = i64(1000), i64(3000)
			addIncident(s, impact("i", "c1", major, "100", h0, at("04-10T00:00", 2592)))
		}, map[string]string{"c1 uptime": "99.9000", "S uptime": "99.9750"}},
		{"fleet uptime with equal weights when one component states none", func(s *sla.Scenario) {
			s.Components[0].Resources = i64(1000)
			addIncident(s, impact("i", "c1", major, "100", h0, at("04-10T00:00", 2592)))
		}, map[string]string{"S uptime": "99.9500"}},
		{"fleet uptime with equal weights when stated resources add up to 0", func(s *sla.Scenario) {
			s.Components[0].Resources, s.Components[1].Resources = i64(0), i64(0)
			addIncident(s, impact("i", "c1", major, "100", h0, at("04-10T00:00", 2592)))
		}, map[string]string{"S uptime": "99.9500"}},

		{"degraded performance does not count by default", func(s *sla.Scenario) {
			addIncident(s, impact("i", "c1", degraded, "100", h0, h1))
		}, map[string]string{"c1 downtime": "0", "x S downtime": "0"}},
		{"degraded performance counts when the policy says so", func(s *sla.Scenario) {
			s.Policies[0].Count = []sla.Status{degraded}
			addIncident(s, impact("i", "c1", degraded, "100", h0, h1), impact("j", "c1", major, "100", T("04-11T00:00"), T("04-11T01:00")))
		}, map[string]string{"c1 downtime": "3600", "x S downtime": "3600"}},
		{"a service without a policy uses the defaults", func(s *sla.Scenario) {
			addIncident(s, impact("i", "d1", partial, "50", h0, h1), impact("j", "d1", degraded, "50", T("04-11T00:00"), T("04-11T01:00")))
		}, map[string]string{"d1 downtime": "1800", "D uptime": "99.9305"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := base()
			if tt.edit != nil {
				tt.edit(s)
			}
			got := flatten(evaluate(t, s))
			for k, want := range tt.want {
				v, ok := got[k]
				if !ok {
					t.Errorf("%s: missing", k)
				} else if v != want {
					t.Errorf("%s = %s, want %s", k, v, want)
				}
			}
		})
	}
}
