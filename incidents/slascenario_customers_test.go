package incidents

import (
	"reflect"
	"testing"

	"github.com/amends/amends/sla"
)

// A status that names customers becomes an impact that names them, and a
// change of the named customers alone starts a new span.
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
	sc, err := SLAScenario(sla.Period{Month: "2012-12"}, hours(10), services, components, []Incident{inc}, nil)
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
}
