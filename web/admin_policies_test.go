package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/desk"
)

// deskTables are the credit desk's tables that a refused desk form must
// leave as they were (env.counts covers the audit log and the rest).
var deskTables = []string{"sla_policies", "manual_credits", "manual_credit_thresholds", "ledger_entries", "ledger_blocks"}

// deskCounts is env.counts with the desk's tables.
func (e *testEnv) deskCounts() rowCounts {
	e.t.Helper()
	c := e.counts()
	for _, t := range deskTables {
		c[t] = e.count(t)
	}
	return c
}

// assertDeskUnchanged is assertNothingStored with the desk's tables.
func (e *testEnv) assertDeskUnchanged(before rowCounts) {
	e.t.Helper()
	e.assertNothingStored(before)
	for _, t := range deskTables {
		if n := e.count(t); n != before[t] {
			e.t.Errorf("%s: %d rows, had %d: the refused form stored something", t, n, before[t])
		}
	}
}

// storedPolicy reads policy id as the JSON API gives it.
func (e *testEnv) storedPolicy(id string) desk.ServicePolicy {
	e.t.Helper()
	p, err := e.desk.Policy(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// policyForm is a complete, valid policy form: every field of the spec's
// policy, tiers in rows 0 and 2 with rows 1 and 3 left empty.
func policyForm(id string) url.Values {
	return url.Values{
		"id": {id}, "service": {"ELB"}, "customer": {""}, "target": {"99.95"},
		"tiers[0].below": {"99.95"}, "tiers[0].credit_percent": {"10"},
		"tiers[1].below": {""}, "tiers[1].credit_percent": {""},
		"tiers[2].below": {"99.0"}, "tiers[2].credit_percent": {"30"},
		"tiers[3].below": {""}, "tiers[3].credit_percent": {""},
		"count":                    {"degraded_performance", "partial_outage", "major_outage"},
		"maintenance_notice_hours": {"24"}, "unlisted": {"full"}, "basis": {"deployed"}, "timezone": {"America/Los_Angeles"},
		"cap_percent": {"50"}, "min_credit_minor": {"100"}, "requires_claim": {"true"}, "claim_periods": {"3"},
	}
}

func withValues(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

// A manager stores a policy with every field through the form, exactly as
// the API would; the list and the policy's page show it with who changed
// it and when; editing replaces it and is recorded.
func TestAdminPolicyForm(t *testing.T) {
	env := newTestEnv(t)
	env.api("POST", "/customers", env.token(auth.Support), map[string]any{"id": "acme", "name": "Acme", "currency": "USD", "contact_email": "billing@acme.example"}).expect(t, http.StatusCreated)
	max := env.loginAs("max@example.com", auth.Manager)
	_, body := max.get("/admin/policies")
	doc := parseHTML(t, body)
	if doc.Find(testid("policy-form")).Length() != 1 {
		t.Fatal("a manager gets no policy form")
	}
	if n := doc.Find(testid("policy-form")).Find(`input[name^="tiers["][name$="].below"]`).Length(); n != 4 {
		t.Errorf("%d tier rows, want 4", n)
	}
	if st, body := max.send("/admin/policies", policyForm("elb")); st != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", st, body)
	}
	got, _ := json.Marshal(env.storedPolicy("elb"))
	want := `{"id":"elb","service":"ELB","target":"99.95","tiers":[{"below":"99.95","credit_percent":"10"},{"below":"99","credit_percent":"30"}],` +
		`"count":["degraded_performance","partial_outage","major_outage"],"maintenance_notice_hours":24,"unlisted":"full","claim_periods":3,` +
		`"cap_percent":"50","min_credit_minor":100,"basis":"deployed","timezone":"America/Los_Angeles","requires_claim":true}`
	if string(got) != want {
		t.Errorf("stored\n%s\nwant\n%s", got, want)
	}
	// The API reads the same policy.
	var api map[string]any
	env.api("GET", "/sla-policies/elb", env.token(auth.Viewer), nil).expect(t, http.StatusOK).decode(t, &api)
	if api["timezone"] != "America/Los_Angeles" || api["requires_claim"] != true {
		t.Errorf("API %v", api)
	}

	viewer := env.user(auth.Viewer)
	_, body = viewer.get("/admin/policies")
	doc = parseHTML(t, body)
	row := textOf(doc.Find(testid("policy-row")))
	for _, w := range []string{"elb", "Every customer (default)", "99.95%", "below 99.95%: 10% · below 99%: 30%", "claimed within 3 months", "max@example.com"} {
		if !strings.Contains(row, w) {
			t.Errorf("list row %q lacks %q", row, w)
		}
	}
	if doc.Find(testid("policy-form")).Length() != 0 {
		t.Error("a viewer gets the policy form")
	}
	_, body = viewer.get("/admin/policies/elb")
	doc = parseHTML(t, body)
	settings := textOf(doc.Find(testid("policy-settings")))
	for _, w := range []string{"Degraded performance, Partial outage, Major outage", "24 hours", "All of each customer's resources there", "Only the seconds the customer had resources", "America/Los_Angeles",
		"50% of the month's charges", "100 in the smallest unit of the customer's currency (1.00 USD, 100 JPY)", "Required", "The end of the 3rd month after the credited month"} {
		if !strings.Contains(settings, w) {
			t.Errorf("settings %q lack %q", settings, w)
		}
	}
	for _, internal := range []string{"min_credit_minor", "maintenance_notice_hours", "(full)", "(deployed)", "minor units"} {
		if strings.Contains(settings, internal) {
			t.Errorf("settings %q show the internal name %q", settings, internal)
		}
	}
	if got := textOf(doc.Find(testid("policy-history"))); !strings.Contains(got, "Created by max@example.com") {
		t.Errorf("history %q", got)
	}

	// The edit form holds the stored values; saving a change replaces the
	// policy and adds to its history.
	_, body = max.get("/admin/policies/elb")
	doc = parseHTML(t, body)
	form := doc.Find(testid("policy-form"))
	for name, want := range map[string]string{"target": "99.95", "tiers[1].below": "99", "tiers[1].credit_percent": "30", "tiers[2].below": "",
		"timezone": "America/Los_Angeles", "cap_percent": "50", "claim_periods": "3", "maintenance_notice_hours": "24"} {
		if v, _ := form.Find(`[name="` + name + `"]`).Attr("value"); v != want {
			t.Errorf("edit form %s = %q, want %q", name, v, want)
		}
	}
	if form.Find(`[name="id"]`).Length() != 0 {
		t.Error("the edit form lets the id change")
	}
	if v, _ := form.Find(`select[name="unlisted"] option[selected]`).Attr("value"); v != "full" {
		t.Errorf("unlisted selected %q", v)
	}
	if form.Find(`input[name="requires_claim"][checked]`).Length() != 1 || form.Find(`input[name="count"][checked]`).Length() != 3 {
		t.Error("checkboxes do not show the stored policy")
	}
	edit := url.Values{"service": {"ELB"}, "target": {"99.9"}, "tiers[0].below": {"99.9"}, "tiers[0].credit_percent": {"10"},
		"count": {"partial_outage", "major_outage"}, "unlisted": {"fractional"}, "basis": {"period"}}
	if st, body := max.send("/admin/policies/elb", edit); st != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", st, body)
	}
	got, _ = json.Marshal(env.storedPolicy("elb"))
	if want := `{"id":"elb","service":"ELB","target":"99.9","tiers":[{"below":"99.9","credit_percent":"10"}],"requires_claim":false}`; string(got) != want {
		t.Errorf("after the edit\n%s\nwant (defaults left out)\n%s", got, want)
	}
	_, body = max.get("/admin/policies/elb?saved=1")
	doc = parseHTML(t, body)
	if got := textOf(doc.Find(testid("policy-history"))); !strings.HasPrefix(got, "Changed by max@example.com") || !strings.Contains(got, "Created by") {
		t.Errorf("history after the edit %q", got)
	}
	if textOf(doc.Find(testid("flash"))) != "Policy saved." {
		t.Error("no notice after saving")
	}

	// An override for acme shows under ELB, named for the customer.
	override := withValues(policyForm("elb-acme"), "customer", "acme")
	if st, body := max.send("/admin/policies", override); st != http.StatusSeeOther {
		t.Fatalf("override: %d\n%s", st, body)
	}
	_, body = viewer.get("/admin/policies")
	rows := parseHTML(t, body).Find(testid("policy-row"))
	if rows.Length() != 2 || !strings.Contains(textOf(rows.Eq(1)), "Acme") {
		t.Errorf("rows %q", textOf(rows))
	}
	// The customer page links to a new override preset for it.
	_, body = max.get("/admin/policies?customer=acme")
	if v, _ := parseHTML(t, body).Find(`select[name="customer"] option[selected]`).Attr("value"); v != "acme" {
		t.Errorf("preset customer %q", v)
	}
}

// Bad input comes back on the form with the error at the input it names,
// and nothing is stored.
func TestAdminPolicyFormRefuses(t *testing.T) {
	env := newTestEnv(t)
	max := env.loginAs("max@example.com", auth.Manager)
	max.get("/admin/policies")
	if st, body := max.send("/admin/policies", policyForm("elb")); st != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", st, body)
	}
	stored, _ := json.Marshal(env.storedPolicy("elb"))
	for _, tc := range []struct {
		name   string
		path   string
		form   url.Values
		status int
		field  string
		msg    string
	}{
		// tiers[1] of the policy is form row 2: the error is shown there,
		// and the row it clashes with is named as labelled.
		{"credit does not grow", "/admin/policies", withValues(policyForm("p2"), "tiers[0].below", "", "tiers[0].credit_percent", "",
			"tiers[1].below", "99.95", "tiers[1].credit_percent", "10", "tiers[2].credit_percent", "5"),
			422, "tiers[2].credit_percent", "5 does not grow as below falls: tier 2 has below 99.95 and credit_percent 10"},
		{"half a tier row", "/admin/policies", withValues(policyForm("p2"), "tiers[1].below", "98"), 422, "tiers[1].credit_percent", "is required"},
		{"tier above 100", "/admin/policies", withValues(policyForm("p2"), "tiers[3].below", "120", "tiers[3].credit_percent", "90"), 422, "tiers[3].below", "120 is above 100"},
		{"target", "/admin/policies", withValues(policyForm("p2"), "target", "99.99999"), 422, "target", "more than 4 decimals"},
		{"no target", "/admin/policies", withValues(policyForm("p2"), "target", ""), 422, "target", "is required"},
		{"time zone", "/admin/policies", withValues(policyForm("p2"), "timezone", "Mars/Olympus"), 422, "timezone", "not a known IANA time zone"},
		{"notice", "/admin/policies", withValues(policyForm("p2"), "maintenance_notice_hours", "-1"), 422, "maintenance_notice_hours", "below 0"},
		{"claim periods", "/admin/policies", withValues(policyForm("p2"), "claim_periods", "two"), 422, "claim_periods", "not a whole number"},
		{"cap", "/admin/policies", withValues(policyForm("p2"), "cap_percent", "101"), 422, "cap_percent", "above 100"},
		{"minimum", "/admin/policies", withValues(policyForm("p2"), "min_credit_minor", "-5"), 422, "min_credit_minor", "below 0"},
		{"status", "/admin/policies", withValues(policyForm("p2"), "count", "down"), 422, "count", "not a known status"},
		{"unlisted", "/admin/policies", withValues(policyForm("p2"), "unlisted", "some"), 422, "unlisted", "not fractional, full or none"},
		{"basis", "/admin/policies", withValues(policyForm("p2"), "basis", "calendar"), 422, "basis", "not period or deployed"},
		{"unknown service", "/admin/policies", withValues(policyForm("p2"), "service", "S3"), 422, "service", `unknown service "S3"`},
		{"unknown customer", "/admin/policies", withValues(policyForm("p2"), "customer", "nobody"), 422, "customer", `unknown customer "nobody"`},
		{"bad id", "/admin/policies", policyForm("no spaces"), 422, "id", "must be 1 to 64 letters"},
		{"id taken", "/admin/policies", policyForm("elb"), 409, "id", `policy "elb" already exists`},
		// A create never replaces: other content under a taken id is the
		// same conflict, and the stored policy stays as it was.
		{"id taken, other content", "/admin/policies", withValues(policyForm("elb"), "target", "99.5", "timezone", "UTC", "cap_percent", "20"),
			409, "id", `policy "elb" already exists: change it on its own page`},
		{"second default", "/admin/policies", policyForm("elb-2"), 409, "customer", "already has a default policy"},
		{"edit: credit does not grow", "/admin/policies/elb", withValues(policyForm(""), "tiers[2].credit_percent", "5"), 422, "tiers[2].credit_percent", "does not grow"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := env.deskCounts()
			st, body := max.send(tc.path, tc.form)
			if st != tc.status {
				t.Fatalf("%d, want %d\n%s", st, tc.status, body)
			}
			doc := parseHTML(t, body)
			if got := formFieldError(doc, "policy-form", tc.field); !strings.Contains(got, tc.msg) {
				t.Errorf("error at %s: %q, want …%s…", tc.field, got, tc.msg)
			}
			if n := doc.Find(testid("field-error")).Length(); n != 1 {
				t.Errorf("%d field errors shown", n)
			}
			// What was typed comes back.
			if v, _ := doc.Find(testid("policy-form")).Find(`[name="tiers[2].below"]`).Attr("value"); v != tc.form.Get("tiers[2].below") {
				t.Errorf("tiers[2].below came back as %q", v)
			}
			env.assertDeskUnchanged(before)
		})
	}
	if got, _ := json.Marshal(env.storedPolicy("elb")); !strings.Contains(string(got), `"credit_percent":"30"`) || string(got) != string(stored) {
		t.Errorf("a refused create or edit changed the policy: %s, was %s", got, stored)
	}
}

// Viewers and support read the policies; only managers and admins write
// them, and a refused write stores nothing.
func TestAdminPolicyRoles(t *testing.T) {
	env := newTestEnv(t)
	max := env.loginAs("max@example.com", auth.Manager)
	max.get("/admin/policies")
	if st, _ := max.send("/admin/policies", policyForm("elb")); st != http.StatusSeeOther {
		t.Fatalf("create: %d", st)
	}
	for _, role := range []auth.Role{auth.Viewer, auth.Support} {
		b := env.user(role)
		for _, p := range []string{"/admin/policies", "/admin/policies/elb"} {
			resp, body := b.get(p)
			if resp.StatusCode != http.StatusOK || strings.Contains(body, `data-testid="policy-form"`) {
				t.Errorf("%s GET %s: %d, or a form", role, p, resp.StatusCode)
			}
		}
		before := env.deskCounts()
		for _, p := range []string{"/admin/policies", "/admin/policies/elb"} {
			if st, body := b.send(p, withValues(policyForm("other"), "target", "90")); st != http.StatusForbidden || !strings.Contains(body, "needs the") {
				t.Errorf("%s POST %s: %d", role, p, st)
			}
			if resp, _ := max.noFollow().post(p, policyForm("x"), nil); resp.StatusCode != http.StatusForbidden {
				t.Errorf("POST %s without CSRF: %d", p, resp.StatusCode)
			}
		}
		env.assertDeskUnchanged(before)
	}
	if resp, _ := max.get("/admin/policies/nope"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown policy: %d", resp.StatusCode)
	}
	if st, _ := max.send("/admin/policies/nope", policyForm("")); st != http.StatusNotFound {
		t.Errorf("edit of an unknown policy: %d", st)
	}
	admin := env.user(auth.Admin)
	admin.get("/admin/policies/elb")
	if st, _ := admin.send("/admin/policies/elb", withValues(policyForm(""), "target", "99.9")); st != http.StatusSeeOther {
		t.Errorf("admin edit: %d", st)
	}
}
