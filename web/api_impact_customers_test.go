package web

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/web/api"
)

// An update's component change may name the customers it hit: unknown
// customers and bad counts are refused with the field named and nothing
// stored; named customers are stored, shown in the API, and a month's run
// counts the impact for them alone, at their affected share.
func TestImpactNamesCustomersAPI(t *testing.T) {
	env := newTestEnv(t)
	support := env.token(auth.Support)
	max := env.personToken("max@example.com", auth.Manager)
	env.seedDesk(support, max)
	env.api("POST", "/customers", support, map[string]any{"id": "globex", "name": "Globex", "currency": "USD", "contact_email": "ap@globex.example"}).expect(t, http.StatusCreated)
	env.api("POST", "/customers/globex/resources", support, map[string]any{"component": "elb-us-east-1", "count": 10}).expect(t, http.StatusCreated)

	named := func(customers ...map[string]any) map[string]any {
		return map[string]any{"title": "Load balancers degraded", "message": "Investigating.", "started_at": "2012-12-26T00:00:00Z",
			"components": []map[string]any{{"component": "elb-us-east-1", "status": "major_outage", "customers": customers}}}
	}
	for _, tc := range []struct {
		body  map[string]any
		field string
		msg   string
	}{
		{named(map[string]any{"customer": "x"}), "components[0].customers[0].customer", `unknown customer "x"`},
		{named(map[string]any{"customer": "acme", "affected_resources": -1}), "components[0].customers[0].affected_resources", "-1 is below 0"},
		{named(map[string]any{"customer": "acme"}, map[string]any{"customer": "acme"}), "components[0].customers[1].customer", `"acme" appears twice`},
	} {
		before := env.counts()
		e := env.api("POST", "/incidents", support, tc.body).expect(t, http.StatusUnprocessableEntity).apiError(t)
		if e.Field != tc.field || e.Message != tc.msg {
			t.Errorf("error %+v, want %s: %s", e, tc.field, tc.msg)
		}
		env.assertNothingStored(before)
	}

	var inc incidents.Incident
	env.api("POST", "/incidents", support, named(map[string]any{"customer": "acme", "affected_resources": 2})).expect(t, http.StatusCreated).decode(t, &inc)
	env.api("POST", fmt.Sprintf("/incidents/%d/updates", inc.ID), support, map[string]any{"phase": "resolved", "message": "Fixed.", "at": "2012-12-26T10:00:00Z"}).
		expect(t, http.StatusCreated).decode(t, &inc)
	var got incidents.Incident
	env.api("GET", fmt.Sprintf("/incidents/%d", inc.ID), support, nil).expect(t, http.StatusOK).decode(t, &got)
	cs := got.Updates[0].Components[0]
	if len(cs.Customers) != 1 || cs.Customers[0].Customer != "acme" || cs.Customers[0].AffectedResources == nil || *cs.Customers[0].AffectedResources != 2 {
		t.Fatalf("stored customers %+v", cs)
	}

	var run desk.CreditRun
	env.api("POST", "/credit-runs", support, map[string]any{"month": "2012-12"}).expect(t, http.StatusCreated).decode(t, &run)
	var lines api.Run
	env.api("GET", fmt.Sprintf("/credit-runs/%d", run.ID), support, nil).expect(t, http.StatusOK).decode(t, &lines)
	down := map[string]string{}
	for _, l := range lines.Lines {
		down[l.Customer] = l.Downtime
	}
	// acme: the unnamed hour on Christmas Eve in full, then 10 h at 2 of 4
	// load balancers; globex: the unnamed hour only.
	if down["acme"] != "21600" || down["globex"] != "3600" {
		t.Fatalf("downtime %v", down)
	}
}
