package incidents

import (
	"reflect"
	"strings"
	"testing"

	"github.com/amends/amends/sla"
)

// A status that names customers becomes an impact that names them, and a
// change of the named customers alone starts a new span. SLAScenario, for
// component and fleet figures, leaves the names out and gives the same
// figures.
func TestSLAScenarioNamedCustomers(t *testing.T) {
	three := int64(3)
	named := cs("elb-us-east-1", PartialOutage, 68000)
	named.Customers = []AffectedCustomer{{Customer: "streamflix", AffectedResources: &three}, {Customer: "acme"}}
	more := named
	more.Customers = append([]AffectedCustomer{{Customer: "globex"}}, named.Customers...)
	resolved := hours(3)
	inc := Incident{ID: 7, Phase: Resolved, StartedAt: start, ResolvedAt: &resolved, Updates: []Update{
		upd(0, Investigating, cs("elb-us-east-1", PartialOutage, 68000)),
		upd(1, Identified, named),
		upd(1.5, Identified, named), // no change: the span goes on
		upd(2, Monitoring, more),
		{Phase: Resolved, At: resolved, Components: []ComponentStatus{cs("elb-us-east-1", Operational, 0)}},
	}}
	services := []Service{{ID: "ELB", Name: "ELB"}}
	components := []Component{{ID: "elb-us-east-1", Service: "ELB", Name: "ELB us-east-1", Region: "us-east-1"}}
	sc, err := SLAScenarioNamed(sla.Period{Month: "2012-12"}, hours(10), services, components, []Incident{inc}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ims := sc.Incidents[0].Impacts
	if len(ims) != 3 || ims[0].Customers != nil || !ims[1].End.Equal(hours(2)) {
		t.Fatalf("impacts %+v", ims)
	}
	want := []sla.AffectedCustomer{{Customer: "streamflix", AffectedResources: &three}, {Customer: "acme"}}
	if !reflect.DeepEqual(ims[1].Customers, want) || len(ims[2].Customers) != 3 || ims[2].Customers[0].Customer != "globex" {
		t.Fatalf("customers %+v / %+v", ims[1].Customers, ims[2].Customers)
	}
	if _, err := sla.Evaluate(sc); err == nil || !strings.Contains(err.Error(), "streamflix") {
		t.Fatalf("a named scenario without its customers: %v", err)
	}

	figures, err := SLAScenario(sla.Period{Month: "2012-12"}, hours(10), services, components, []Incident{inc}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, im := range figures.Incidents[0].Impacts {
		if im.Customers != nil {
			t.Fatalf("a figures scenario names customers: %+v", im)
		}
	}
	if len(figures.Customers) != 0 {
		t.Fatalf("a figures scenario has customers: %+v", figures.Customers)
	}
	res, err := sla.Evaluate(figures)
	if err != nil {
		t.Fatal(err)
	}
	// The named scenario with its customers (no resources) gives the same
	// component and fleet figures.
	for _, id := range []string{"streamflix", "acme", "globex"} {
		sc.Customers = append(sc.Customers, sla.Customer{ID: id, Currency: "USD"})
	}
	withNames, err := sla.Evaluate(sc)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res.Components, withNames.Components) || !reflect.DeepEqual(res.Services, withNames.Services) ||
		res.Components[0].DowntimeSeconds.IsZero() {
		t.Fatalf("figures %+v %+v, with names %+v %+v", res.Components, res.Services, withNames.Components, withNames.Services)
	}
}
