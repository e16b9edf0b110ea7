package web

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/auth"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/web/api"
)

// personToken creates a user with email and role and returns a token of theirs.
func (e *testEnv) personToken(email string, role auth.Role) string {
	e.t.Helper()
	e.user(auth.Viewer) // makes sure the first admin exists
	ctx := context.Background()
	u, err := e.accounts.CreateUser(ctx, audit.Person("test"), auth.NewUser{Email: email, Name: "Test " + email, Role: role, Password: testPassword}, e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	raw, _, err := e.accounts.CreateToken(ctx, audit.Person("test"), u.ID, "test token", role, e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	return raw
}

// apiRun is the API's answer for a credit run, as report_customer_test.go
// decodes it.
type apiRun = api.Run

var elbPolicyJSON = map[string]any{"service": "ELB", "target": "99.95",
	"tiers": []map[string]any{{"below": "99.95", "credit_percent": "10"}, {"below": "99.0", "credit_percent": 30}}}

// seedDesk stores, through the API, customer acme (USD) with 4 load
// balancers and a December charge of 2,500.00, the ELB policy, and a one-hour
// full ELB outage on Christmas Eve; the clock is then in January.
func (e *testEnv) seedDesk(support, manager string) {
	e.t.Helper()
	e.clock.Advance(12 * 24 * time.Hour) // 2013-01-05T20:00Z
	e.backfill("ELB outage", time.Date(2012, 12, 24, 20, 24, 0, 0, time.UTC), change("elb-us-east-1", incidents.MajorOutage, ""))
	e.api("POST", "/customers", support, map[string]any{"id": "acme", "name": "Acme", "currency": "USD", "contact_email": "billing@acme.example"}).expect(e.t, http.StatusCreated)
	e.api("POST", "/customers/acme/resources", support, map[string]any{"component": "elb-us-east-1", "count": 4, "from": "2012-01-01T00:00:00Z"}).expect(e.t, http.StatusCreated)
	e.api("POST", "/customers/acme/charges", support, map[string]any{"component": "elb-us-east-1", "month": "2012-12", "amount_minor": 250000}).expect(e.t, http.StatusOK)
	e.api("PUT", "/sla-policies/elb", manager, elbPolicyJSON).expect(e.t, http.StatusOK)
}

// A support user previews and requests; the requesting manager may not
// approve (403); another manager approves once (then 409); the ledger
// holds the credit, and a second run pays nothing.
func TestCreditRunAPI(t *testing.T) {
	env := newTestEnv(t)
	support := env.token(auth.Support)
	max := env.personToken("max@example.com", auth.Manager)
	zoe := env.personToken("zoe@example.com", auth.Manager)
	viewer := env.token(auth.Viewer)
	env.seedDesk(support, max)

	var run desk.CreditRun
	env.api("POST", "/credit-runs", support, map[string]any{"month": "2012-12"}).expect(t, http.StatusCreated).decode(t, &run)
	if run.State != desk.RunPreviewed || run.Lines != 1 || run.Totals[0].PayableMinor != 25000 {
		t.Fatalf("preview %+v", run)
	}
	var got api.Run
	env.api("GET", fmt.Sprintf("/credit-runs/%d", run.ID), viewer, nil).expect(t, http.StatusOK).decode(t, &got)
	if len(got.Lines) != 1 || got.Lines[0].Uptime != "99.8655" || got.Lines[0].Reason != "uptime 99.8655% below 99.95%: 10% of 2,500.00 USD" {
		t.Fatalf("lines %+v", got.Lines)
	}
	path := fmt.Sprintf("/credit-runs/%d", run.ID)
	env.api("POST", path+"/approve", max, nil).expect(t, http.StatusConflict) // not requested yet
	env.api("POST", path+"/approve", support, nil).expect(t, http.StatusForbidden)
	env.api("POST", path+"/request", max, nil).expect(t, http.StatusOK)
	self := max
	selfAgain := env.namedTokenFor("max@example.com", auth.Manager, "second token")
	for _, tok := range []string{self, selfAgain} {
		if e := env.api("POST", path+"/approve", tok, nil).expect(t, http.StatusForbidden).apiError(t); e.Message == "" {
			t.Error("no message")
		}
	}
	var issued desk.CreditRun
	env.api("POST", path+"/approve", zoe, nil).expect(t, http.StatusOK).decode(t, &issued)
	if issued.State != desk.RunIssued || issued.ApprovedBy != "zoe@example.com" || issued.Issued.Entries != 1 {
		t.Fatalf("approved %+v", issued)
	}
	env.api("POST", path+"/approve", zoe, nil).expect(t, http.StatusConflict)

	var led api.List[desk.LedgerEntry]
	env.api("GET", "/ledger?customer=acme&period=2012-12", viewer, nil).expect(t, http.StatusOK).decode(t, &led)
	if led.Total != 1 || led.Items[0].AmountMinor != 25000 || led.Items[0].RunID != run.ID {
		t.Fatalf("ledger %+v", led)
	}

	var second desk.CreditRun
	env.api("POST", "/credit-runs", support, map[string]any{"month": "2012-12"}).expect(t, http.StatusCreated).decode(t, &second)
	env.api("POST", fmt.Sprintf("/credit-runs/%d/request", second.ID), support, nil).expect(t, http.StatusOK)
	env.api("POST", fmt.Sprintf("/credit-runs/%d/approve", second.ID), max, nil).expect(t, http.StatusOK).decode(t, &second)
	if second.Issued.Entries != 0 {
		t.Errorf("second run wrote %+v", second.Issued)
	}
	env.api("GET", "/ledger?period=2012-12", viewer, nil).expect(t, http.StatusOK).decode(t, &led)
	if led.Total != 1 {
		t.Errorf("ledger holds %d entries after a second run", led.Total)
	}
	// Manual credits: above the (absent) threshold they wait for another manager.
	var m desk.ManualCredit
	env.api("POST", "/manual-credits", max, map[string]any{"customer": "acme", "amount_minor": 5000, "reason": "goodwill for the call"}).
		expect(t, http.StatusCreated).decode(t, &m)
	if m.State != desk.ManualPending {
		t.Fatalf("manual %+v", m)
	}
	env.api("POST", fmt.Sprintf("/manual-credits/%d/approve", m.ID), max, nil).expect(t, http.StatusForbidden)
	env.api("POST", fmt.Sprintf("/manual-credits/%d/approve", m.ID), zoe, nil).expect(t, http.StatusOK).decode(t, &m)
	env.api("POST", fmt.Sprintf("/manual-credits/%d/approve", m.ID), zoe, nil).expect(t, http.StatusConflict)
	if m.State != desk.ManualIssued || m.EntryID == 0 {
		t.Errorf("approved manual %+v", m)
	}
}

// namedTokenFor creates another token for the existing user email.
func (e *testEnv) namedTokenFor(email string, role auth.Role, name string) string {
	e.t.Helper()
	raw, _, err := e.accounts.CreateToken(context.Background(), audit.Person("test"), e.userID(email), name, role, e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	return raw
}

// Bad input is refused with the field named and nothing stored; viewers
// cannot write.
func TestCreditDeskAPIBadInput(t *testing.T) {
	env := newTestEnv(t)
	support := env.token(auth.Support)
	manager := env.token(auth.Manager)
	viewer := env.token(auth.Viewer)
	admin := env.token(auth.Admin)
	env.seedDesk(support, manager)
	desk := []string{"customers", "customer_resources", "customer_charges", "sla_policies", "sla_claims", "credit_runs", "ledger_entries", "ledger_blocks", "manual_credits", "audit_log"}
	counts := func() map[string]int {
		out := map[string]int{}
		for _, tb := range desk {
			out[tb] = env.count(tb)
		}
		return out
	}
	for _, tc := range []struct {
		name, method, path, token string
		body                      any
		status                    int
		field                     string
	}{
		{"charge in another currency", "POST", "/customers/acme/charges", support,
			map[string]any{"component": "elb-us-east-1", "month": "2012-12", "amount_minor": 100, "currency": "EUR"}, 422, "currency"},
		{"charge on an unknown component", "POST", "/customers/acme/charges", support,
			map[string]any{"component": "nope", "month": "2012-12", "amount_minor": 100}, 422, "component"},
		{"negative charge", "POST", "/customers/acme/charges", support,
			map[string]any{"component": "elb-us-east-1", "month": "2012-12", "amount_minor": -1}, 422, "amount_minor"},
		{"charge month", "POST", "/customers/acme/charges", support,
			map[string]any{"component": "elb-us-east-1", "month": "12/2012", "amount_minor": 1}, 422, "month"},
		{"customer currency", "POST", "/customers", support,
			map[string]any{"id": "initech", "name": "Initech", "currency": "dollars", "contact_email": "a@initech.example"}, 422, "currency"},
		{"customer email", "POST", "/customers", support,
			map[string]any{"id": "initech", "name": "Initech", "currency": "USD", "contact_email": "nope"}, 422, "contact_email"},
		{"customer twice", "POST", "/customers", support,
			map[string]any{"id": "acme", "name": "Acme", "currency": "USD", "contact_email": "a@acme.example"}, 409, ""},
		{"unknown field", "POST", "/customers", support, map[string]any{"id": "x", "colour": "red"}, 400, "colour"},
		{"resource count", "POST", "/customers/acme/resources", support, map[string]any{"component": "elb-us-east-1", "count": -2}, 422, "count"},
		{"resource dates", "POST", "/customers/acme/resources", support,
			map[string]any{"component": "elb-us-east-1", "count": 2, "from": "2013-01-01T00:00:00Z", "to": "2012-01-01T00:00:00Z"}, 422, "to"},
		{"resource time", "POST", "/customers/acme/resources", support, map[string]any{"component": "elb-us-east-1", "count": 2, "from": "yesterday"}, 422, "from"},
		{"policy tiers", "PUT", "/sla-policies/bad", manager, map[string]any{"service": "ELB", "target": "99.95",
			"tiers": []map[string]any{{"below": "99", "credit_percent": "10"}, {"below": "98", "credit_percent": "5"}}}, 422, "tiers[1].credit_percent"},
		{"policy service", "PUT", "/sla-policies/bad", manager, map[string]any{"service": "NOPE", "target": "99.95", "tiers": []any{}}, 422, "service"},
		{"second default", "PUT", "/sla-policies/elb-2", manager, elbPolicyJSON, 409, ""},
		{"policy by support", "PUT", "/sla-policies/elb", support, elbPolicyJSON, 403, ""},
		{"claim without policy", "POST", "/customers/acme/claims", support, map[string]any{"service": "EC2", "month": "2012-12"}, 422, "service"},
		{"claim month", "POST", "/customers/acme/claims", support, map[string]any{"service": "ELB", "month": "2012"}, 422, "month"},
		{"month not over", "POST", "/credit-runs", support, map[string]any{"month": "2013-01"}, 422, "month"},
		{"month bad", "POST", "/credit-runs", support, map[string]any{"month": "last"}, 422, "month"},
		{"manual without reason", "POST", "/manual-credits", support, map[string]any{"customer": "acme", "amount_minor": 1}, 422, "reason"},
		{"manual credit of 2^63-1", "POST", "/manual-credits", support, map[string]any{"customer": "acme", "amount_minor": int64(9223372036854775807), "reason": "x"}, 422, "amount_minor"},
		{"manual credit past 10^15", "POST", "/manual-credits", support, map[string]any{"customer": "acme", "amount_minor": int64(1_000_000_000_000_001), "reason": "x"}, 422, "amount_minor"},
		{"charge past 10^15", "POST", "/customers/acme/charges", support,
			map[string]any{"component": "elb-us-east-1", "month": "2012-12", "amount_minor": int64(1_000_000_000_000_001)}, 422, "amount_minor"},
		{"resource count past 10^9", "POST", "/customers/acme/resources", support, map[string]any{"component": "elb-us-east-1", "count": 1_000_000_001}, 422, "count"},
		{"threshold past 10^15", "PUT", "/credit-settings/manual-approval-above/USD", admin, map[string]any{"above_minor": int64(1_000_000_000_000_001)}, 422, "above_minor"},
		{"service position past 10^6", "POST", "/services", admin, map[string]any{"id": "S3", "name": "S3", "position": 1_000_001}, 422, "position"},
		{"component resources past 10^9", "POST", "/components", admin,
			map[string]any{"id": "elb-x", "service": "ELB", "name": "x", "region": "x", "resources": 1_000_000_001}, 422, "resources"},
		{"component position past 10^6", "POST", "/components", admin,
			map[string]any{"id": "elb-x", "service": "ELB", "name": "x", "region": "x", "position": -1_000_001}, 422, "position"},
		{"manual unknown customer", "POST", "/manual-credits", support, map[string]any{"customer": "nobody", "amount_minor": 1, "reason": "x"}, 422, "customer"},
		{"ledger period", "GET", "/ledger?period=2012", viewer, nil, 422, "period"},
		{"viewer creates a customer", "POST", "/customers", viewer, map[string]any{"id": "v", "name": "V", "currency": "USD", "contact_email": "v@v.example"}, 403, ""},
		{"viewer charges", "POST", "/customers/acme/charges", viewer, map[string]any{"component": "elb-us-east-1", "month": "2012-12", "amount_minor": 1}, 403, ""},
		{"viewer previews", "POST", "/credit-runs", viewer, map[string]any{"month": "2012-12"}, 403, ""},
		{"viewer manual credit", "POST", "/manual-credits", viewer, map[string]any{"customer": "acme", "amount_minor": 1, "reason": "x"}, 403, ""},
		{"support approves", "POST", "/credit-runs/1/approve", support, nil, 403, ""},
		{"unknown customer", "GET", "/customers/nobody/charges", viewer, nil, 404, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := counts()
			r := env.api(tc.method, tc.path, tc.token, tc.body).expect(t, tc.status)
			if e := r.apiError(t); e.Field != tc.field {
				t.Errorf("field %q, want %q (%s)", e.Field, tc.field, e.Message)
			}
			if after := counts(); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Errorf("stored something: %v → %v", before, after)
			}
		})
	}
}
