package desk_test

import (
	"testing"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
)

// customerBase is the spec's example with a second ELB incident on
// 28 December (20% of the load balancers in major outage for 2 hours,
// naming nobody), one the next day that names only globex, and EC2 in
// us-east-1 with no incident.
func customerBase() *sla.Scenario {
	s := exampleBase()
	s.Components = append(s.Components, sla.Component{ID: "ec2-us-east-1", Service: "EC2", Region: "us-east-1"})
	s.Incidents = append(s.Incidents,
		sla.Incident{ID: "2", Impacts: []sla.Impact{{Component: "elb-us-east-1", Status: sla.MajorOutage, AffectedPercent: P("20"),
			Start: time.Date(2012, 12, 28, 10, 0, 0, 0, time.UTC), End: time.Date(2012, 12, 28, 12, 0, 0, 0, time.UTC)}}},
		sla.Incident{ID: "3", Impacts: []sla.Impact{{Component: "elb-us-east-1", Status: sla.MajorOutage, AffectedPercent: P("50"),
			Start: time.Date(2012, 12, 29, 10, 0, 0, 0, time.UTC), End: time.Date(2012, 12, 29, 12, 0, 0, 0, time.UTC),
			Customers: []sla.AffectedCustomer{{Customer: "globex"}}}}},
	)
	return s
}

// Every customer's month equals its lines in a run of everyone: under the
// default, under an override in another time zone, with a resource that
// starts mid-month; and the incidents that counted for it are those that
// gave it downtime, each with its downtime alone.
func TestEvaluateCustomerMonthEqualsPreview(t *testing.T) {
	own := elbPolicy(true)
	own.ID, own.Customer, own.TimeZone = "elb-globex", "globex", "America/Los_Angeles"
	ec2 := desk.ServicePolicy{Policy: sla.Policy{ID: "ec2", Service: "EC2", Target: P("99.99"),
		Tiers: []sla.Tier{{Below: P("99.99"), CreditPercent: P("10")}}}}
	d := exampleData(elbPolicy(false), own, ec2)
	mid := time.Date(2012, 12, 27, 0, 0, 0, 0, time.UTC)
	d.Accounts = append(d.Accounts, desk.Account{ID: "late", Name: "Late", Currency: "USD", Email: "x@late.example"})
	d.Resources = append(d.Resources,
		desk.AccountResource{Customer: "late", Component: "elb-us-east-1", Count: 2, From: &mid},
		desk.AccountResource{Customer: "acme", Component: "ec2-us-east-1", Count: 3})
	d.Charges = append(d.Charges, desk.AccountCharge{Customer: "late", Component: "elb-us-east-1", Month: "2012-12", AmountMinor: 5000, Currency: "USD"})

	lines, err := desk.PreviewMonth("2012-12", deskNow, customerBase(), d)
	if err != nil {
		t.Fatal(err)
	}
	byCustomer := map[string][]desk.RunLine{}
	for _, l := range lines {
		byCustomer[l.Customer] = append(byCustomer[l.Customer], l)
	}
	for _, id := range []string{"acme", "globex", "late", "idle"} {
		m, err := desk.EvaluateCustomerMonth("2012-12", deskNow, customerBase(), d, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Services) != len(byCustomer[id]) {
			t.Fatalf("%s: %d services, the run has %d lines", id, len(m.Services), len(byCustomer[id]))
		}
		for i, s := range m.Services {
			if s.Line != byCustomer[id][i] {
				t.Errorf("%s: line\n%+v\nthe run's\n%+v", id, s.Line, byCustomer[id][i])
			}
			if s.Uptime.Truncate(4) != s.Line.Uptime || s.Downtime.Round(6) != s.Line.Downtime {
				t.Errorf("%s %s: exact %s%% %s s, line %s%% %s s", id, s.Line.Service, s.Uptime.Truncate(4), s.Downtime.Round(6), s.Line.Uptime, s.Line.Downtime)
			}
		}
	}

	acme, _ := desk.EvaluateCustomerMonth("2012-12", deskNow, customerBase(), d, "acme")
	if len(acme.Services) != 2 || acme.Currency != "USD" {
		t.Fatalf("acme: %+v", acme)
	}
	e, elb := acme.Services[0], acme.Services[1]
	if e.Line.Service != "EC2" || len(e.Incidents) != 0 || len(e.Resources) != 1 || e.Line.Uptime != "100.0000" {
		t.Errorf("acme EC2: %+v", e)
	}
	// Incident 1 names acme with 1 of 4 (19890 s); incident 2 names
	// nobody, so 20% of 7200 s (1440 s) under "fractional"; incident 3
	// names only globex.
	if elb.Policy.ID != "elb" || elb.Override || elb.Period.Seconds != 2678400 || elb.Seconds != 2678400 {
		t.Errorf("acme ELB terms: %+v", elb)
	}
	if len(elb.Incidents) != 2 || elb.Incidents[0].Incident != "1" || elb.Incidents[0].Downtime.Round(6) != "19890" ||
		elb.Incidents[1].Incident != "2" || elb.Incidents[1].Downtime.Round(6) != "1440" || elb.Downtime.Round(6) != "21330" {
		t.Errorf("acme ELB incidents %+v, downtime %s", elb.Incidents, elb.Downtime.Round(6))
	}
	if len(elb.Incidents[0].Impacts) != 1 || elb.Incidents[0].Impacts[0].Customers[0].Customer != "acme" {
		t.Errorf("impacts %+v", elb.Incidents[0].Impacts)
	}

	globex, _ := desk.EvaluateCustomerMonth("2012-12", deskNow, customerBase(), d, "globex")
	g := globex.Services[0]
	start := time.Date(2012, 12, 1, 8, 0, 0, 0, time.UTC)
	if !g.Override || g.Policy.ID != "elb-globex" || !g.Period.Start.Equal(start) || g.Line.Claim != desk.ClaimMissing {
		t.Errorf("globex under its override in Los Angeles: %+v", g)
	}
	// All 10 of globex's for 2 h (7200 s), and 20% for 2 h (1440 s).
	if len(g.Incidents) != 2 || g.Incidents[0].Incident != "2" || g.Incidents[1].Incident != "3" || g.Incidents[1].Downtime.Round(6) != "7200" {
		t.Errorf("globex incidents %+v", g.Incidents)
	}

	late, _ := desk.EvaluateCustomerMonth("2012-12", deskNow, customerBase(), d, "late")
	l := late.Services[0]
	if len(l.Resources) != 1 || !l.Resources[0].From.Equal(mid) || len(l.Incidents) != 1 || l.Incidents[0].Incident != "2" {
		t.Errorf("late: %+v", l)
	}
	idle, _ := desk.EvaluateCustomerMonth("2012-12", deskNow, customerBase(), d, "idle")
	if len(idle.Services) != 0 {
		t.Errorf("idle: %+v", idle)
	}
	_, err = desk.EvaluateCustomerMonth("2012-13", deskNow, customerBase(), d, "acme")
	wantCode(t, err, errs.Invalid, "month")
}
