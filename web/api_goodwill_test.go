package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/web/api"
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
	var list api.List[incidents.Incident]
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
	var g desk.GoodwillGrant
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
	var grants api.List[desk.GoodwillGrant]
	env.api("GET", path, viewer, nil).expect(t, http.StatusOK).decode(t, &grants)
	if grants.Total != 1 || grants.Items[0].State != desk.GoodwillApproved || grants.Items[0].ApprovedBy != "zoe@example.com" {
		t.Fatalf("grants %+v", grants)
	}

	pay := func() desk.CreditRun {
		var run desk.CreditRun
		env.api("POST", "/credit-runs", support, map[string]any{"incident": inc}).expect(t, http.StatusCreated).decode(t, &run)
		if run.Kind != desk.RunIncident || run.Period != "2012-12" || run.Lines != 1 || run.Totals[0].PayableMinor != 80645 {
			t.Fatalf("goodwill preview %+v", run)
		}
		p := fmt.Sprintf("/credit-runs/%d", run.ID)
		// A goodwill line names what it credits, and no uptime, tier or
		// claim deadline.
		raw := env.api("GET", p, viewer, nil).expect(t, http.StatusOK)
		var shown api.GoodwillRun
		raw.decode(t, &shown)
		l := shown.Lines[0]
		if len(shown.Lines) != 1 || strings.Join(l.Services, ",") != "ELB" || strings.Join(l.Components, ",") != "elb-us-east-1" || l.Days != 10 ||
			l.ChargesMinor != 250000 || l.PayableMinor != 80645 || l.Claim != desk.ClaimNotRequired {
			t.Fatalf("goodwill lines %+v", shown.Lines)
		}
		for _, field := range []string{"uptime_percent", "credit_percent", "downtime_seconds", "claim_deadline", "policy"} {
			if strings.Contains(string(raw.body), `"`+field+`"`) {
				t.Errorf("a goodwill line has %s: %s", field, raw.body)
			}
		}
		env.api("POST", p+"/request", support, nil).expect(t, http.StatusOK)
		env.api("POST", p+"/approve", support, nil).expect(t, http.StatusForbidden)
		env.api("POST", p+"/approve", max, nil).expect(t, http.StatusOK).decode(t, &run)
		return run
	}
	first := pay()
	var led api.List[desk.LedgerEntry]
	env.api("GET", fmt.Sprintf("/ledger?run=%d", first.ID), viewer, nil).expect(t, http.StatusOK).decode(t, &led)
	if led.Total != 1 || led.Items[0].Kind != desk.EntryGoodwill || led.Items[0].AmountMinor != 80645 || led.Items[0].Incident != fmt.Sprint(inc) {
		t.Fatalf("ledger %+v", led)
	}
	if second := pay(); second.Issued.Entries != 0 {
		t.Fatalf("second run paid %+v", second.Issued)
	}
}

// POST /api/v1/goodwill/:id/withdraw: the requester or a manager
// withdraws a pending grant with a reason (others 403, no reason 422,
// twice or once approved 409); it stays in the list, withdrawn, and the
// incident takes a new grant.
func TestWithdrawGoodwillAPI(t *testing.T) {
	env := newTestEnv(t)
	support := env.token(auth.Support)
	kim := env.personToken("kim@example.com", auth.Support)
	max := env.personToken("max@example.com", auth.Manager)
	zoe := env.personToken("zoe@example.com", auth.Manager)
	viewer := env.token(auth.Viewer)
	env.seedDesk(support, max)
	inc := env.resolvedIncidentID(viewer)
	path := fmt.Sprintf("/incidents/%d/goodwill", inc)
	grant := map[string]any{"days": 10, "services": []string{"ELB"}}
	var g desk.GoodwillGrant
	env.api("POST", path, support, grant).expect(t, http.StatusCreated).decode(t, &g)
	withdraw := fmt.Sprintf("/goodwill/%d/withdraw", g.ID)

	before := env.counts()
	env.api("POST", withdraw, viewer, map[string]any{"reason": "no"}).expect(t, http.StatusForbidden)
	if e := env.api("POST", withdraw, kim, map[string]any{"reason": "no"}).expect(t, http.StatusForbidden).apiError(t); !strings.Contains(e.Message, "or a manager may withdraw it") {
		t.Errorf("another support user: %+v", e)
	}
	if e := env.api("POST", withdraw, support, map[string]any{}).expect(t, http.StatusUnprocessableEntity).apiError(t); e.Field != "reason" {
		t.Errorf("no reason: %+v", e)
	}
	env.api("POST", withdraw, support, map[string]any{"reason": "x", "why": "y"}).expect(t, http.StatusBadRequest)
	env.api("POST", "/goodwill/99/withdraw", support, map[string]any{"reason": "x"}).expect(t, http.StatusNotFound)
	env.assertNothingStored(before)

	env.api("POST", withdraw, support, map[string]any{"reason": "Wrong service."}).expect(t, http.StatusOK).decode(t, &g)
	if g.State != desk.GoodwillWithdrawn || g.WithdrawnBy != "support@example.com" || g.WithdrawReason != "Wrong service." || g.WithdrawnAt == nil {
		t.Fatalf("withdrawn %+v", g)
	}
	env.api("POST", withdraw, max, map[string]any{"reason": "again"}).expect(t, http.StatusConflict)

	// A manager withdraws someone else's; the third is approved and stays.
	env.api("POST", path, support, grant).expect(t, http.StatusCreated).decode(t, &g)
	env.api("POST", fmt.Sprintf("/goodwill/%d/withdraw", g.ID), max, map[string]any{"reason": "Duplicate."}).expect(t, http.StatusOK)
	env.api("POST", path, support, grant).expect(t, http.StatusCreated).decode(t, &g)
	env.api("POST", fmt.Sprintf("/goodwill/%d/approve", g.ID), zoe, nil).expect(t, http.StatusOK)
	if e := env.api("POST", fmt.Sprintf("/goodwill/%d/withdraw", g.ID), support, map[string]any{"reason": "late"}).expect(t, http.StatusConflict).apiError(t); !strings.Contains(e.Message, "already approved") {
		t.Errorf("approved: %+v", e)
	}
	var grants api.List[desk.GoodwillGrant]
	env.api("GET", path, viewer, nil).expect(t, http.StatusOK).decode(t, &grants)
	if grants.Total != 3 || grants.Items[0].State != desk.GoodwillWithdrawn || grants.Items[1].WithdrawnBy != "max@example.com" || grants.Items[2].State != desk.GoodwillApproved {
		t.Fatalf("grants %+v", grants.Items)
	}
}

// POST /api/v1/incidents/:id/goodwill without "components" scopes the
// grant to the components the incident affected (ELB us-east-1, not
// eu-west-1); "all_components" widens it to every component of its
// services, deliberately, and may not come with components.
func TestGoodwillAPIScope(t *testing.T) {
	env := newTestEnv(t)
	support := env.token(auth.Support)
	max := env.personToken("max@example.com", auth.Manager)
	env.seedDesk(support, max)
	inc := env.resolvedIncidentID(support)
	path := fmt.Sprintf("/incidents/%d/goodwill", inc)

	before := env.counts()
	if e := env.api("POST", path, support, map[string]any{"days": 10, "services": []string{"ELB"}, "components": []string{"elb-eu-west-1"}, "all_components": true}).
		expect(t, http.StatusUnprocessableEntity).apiError(t); e.Field != "components" {
		t.Errorf("components with all_components: %+v", e)
	}
	env.assertNothingStored(before)

	var g desk.GoodwillGrant
	env.api("POST", path, support, map[string]any{"days": 10, "services": []string{"ELB"}}).expect(t, http.StatusCreated).decode(t, &g)
	if strings.Join(g.Components, ",") != "elb-us-east-1" {
		t.Fatalf("default scope %v, want the affected elb-us-east-1", g.Components)
	}
	env.api("POST", fmt.Sprintf("/goodwill/%d/withdraw", g.ID), support, map[string]any{"reason": "widen it"}).expect(t, http.StatusOK)

	env.api("POST", path, support, map[string]any{"days": 10, "services": []string{"ELB"}, "all_components": true}).expect(t, http.StatusCreated).decode(t, &g)
	if len(g.Components) != 0 {
		t.Fatalf("widened scope %v, want every component (none listed)", g.Components)
	}
}
