package web

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/sla"
	"github.com/amends/amends/web/auth"
)

// A goodwill grant is requested, approved by another manager (403 for the
// requester, 409 twice), and an incident run pays it once, as goodwill
// ledger entries, with no claim.
func TestGoodwillAPI(t *testing.T) {
	env := newTestEnv(t)
	support := env.token(auth.Support)
	max := env.personToken("max@example.com", auth.Manager)
	zoe := env.personToken("zoe@example.com", auth.Manager)
	viewer := env.token(auth.Viewer)
	env.seedDesk(support, max)
	var list apiList[incidents.Incident]
	env.api("GET", "/incidents?state=resolved", viewer, nil).expect(t, http.StatusOK).decode(t, &list)
	inc := list.Items[0].ID
	path := fmt.Sprintf("/incidents/%d/goodwill", inc)

	for _, tc := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"days": 0, "services": []string{"ELB"}}, "days"},
		{map[string]any{"days": 10, "services": []string{"S3"}}, "services[0]"},
		{map[string]any{"days": 10, "services": []string{"ELB"}, "components": []string{"nope"}}, "components[0]"},
		{map[string]any{"days": 10, "services": []string{"ELB"}, "eligible_components": []string{"nope"}}, "eligible_components[0]"},
		{map[string]any{"days": 10, "services": []string{"ELB"}, "components": []string{"elb-us-east-1"}, "eligible_components": []string{"elb-eu-west-1"}}, "eligible_components[0]"},
	} {
		before := env.counts()
		if e := env.api("POST", path, support, tc.body).expect(t, http.StatusUnprocessableEntity).apiError(t); e.Field != tc.field {
			t.Errorf("error %+v, want field %s", e, tc.field)
		}
		env.assertNothingStored(before)
	}
	env.api("POST", "/incidents/999/goodwill", support, map[string]any{"days": 10, "services": []string{"ELB"}}).expect(t, http.StatusNotFound)
	env.api("POST", path, viewer, map[string]any{"days": 10, "services": []string{"ELB"}}).expect(t, http.StatusForbidden)

	// Not approved yet: an incident run has nothing to pay.
	var g sla.GoodwillGrant
	env.api("POST", path, max, map[string]any{"days": 10, "services": []string{"ELB"}, "components": []string{"elb-us-east-1"}, "reason": "Christmas Eve"}).
		expect(t, http.StatusCreated).decode(t, &g)
	env.api("POST", path, support, map[string]any{"days": 3, "services": []string{"ELB"}}).expect(t, http.StatusConflict)
	if e := env.api("POST", "/credit-runs", support, map[string]any{"incident": inc}).expect(t, http.StatusUnprocessableEntity).apiError(t); e.Field != "incident" {
		t.Fatalf("run before approval %+v", e)
	}
	approve := fmt.Sprintf("/goodwill/%d/approve", g.ID)
	env.api("POST", approve, support, nil).expect(t, http.StatusForbidden) // not a manager
	env.api("POST", approve, max, nil).expect(t, http.StatusForbidden)     // the requester
	env.api("POST", approve, zoe, nil).expect(t, http.StatusOK).decode(t, &g)
	env.api("POST", approve, zoe, nil).expect(t, http.StatusConflict)
	var grants apiList[sla.GoodwillGrant]
	env.api("GET", path, viewer, nil).expect(t, http.StatusOK).decode(t, &grants)
	if grants.Total != 1 || grants.Items[0].State != sla.GoodwillApproved || grants.Items[0].ApprovedBy != "zoe@example.com" {
		t.Fatalf("grants %+v", grants)
	}

	pay := func() sla.CreditRun {
		var run sla.CreditRun
		env.api("POST", "/credit-runs", support, map[string]any{"incident": inc}).expect(t, http.StatusCreated).decode(t, &run)
		if run.Kind != sla.RunIncident || run.Period != "2012-12" || run.Lines != 1 || run.Totals[0].PayableMinor != 80645 {
			t.Fatalf("goodwill preview %+v", run)
		}
		p := fmt.Sprintf("/credit-runs/%d", run.ID)
		env.api("POST", p+"/request", support, nil).expect(t, http.StatusOK)
		env.api("POST", p+"/approve", support, nil).expect(t, http.StatusForbidden)
		env.api("POST", p+"/approve", max, nil).expect(t, http.StatusOK).decode(t, &run)
		return run
	}
	first := pay()
	var led apiList[sla.LedgerEntry]
	env.api("GET", fmt.Sprintf("/ledger?run=%d", first.ID), viewer, nil).expect(t, http.StatusOK).decode(t, &led)
	if led.Total != 1 || led.Items[0].Kind != sla.EntryGoodwill || led.Items[0].AmountMinor != 80645 || led.Items[0].Incident != fmt.Sprint(inc) {
		t.Fatalf("ledger %+v", led)
	}
	if second := pay(); second.Issued.Entries != 0 {
		t.Fatalf("second run paid %+v", second.Issued)
	}
}
