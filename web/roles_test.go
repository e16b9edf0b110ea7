package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/auth"
	"github.com/amends/amends/incidents"
)

// roleFixture is a server with an active incident and a scheduled
// maintenance to aim writes at.
type roleFixture struct {
	env   *testEnv
	inc   incidents.Incident
	maint incidents.Maintenance
}

func newRoleFixture(t *testing.T) roleFixture {
	env := newTestEnv(t)
	now := env.clock.Now()
	return roleFixture{
		env:   env,
		inc:   env.declare("Elevated errors", change("elb-us-east-1", incidents.PartialOutage, "5")),
		maint: env.maintenance("Upgrade", now.Add(time.Hour), now.Add(2*time.Hour), "elb-eu-west-1"),
	}
}

type formWrite struct {
	path string
	form url.Values
	min  auth.Role // the lowest role allowed
}

// formWrites is every admin form post, each one valid.
func (f roleFixture) formWrites() []formWrite {
	return []formWrite{
		{"/admin/incidents", url.Values{"title": {"New"}, "impact": {"minor"}, "message": {"m"}, "status.elb-eu-west-1": {"degraded_performance"}}, auth.Support},
		{fmt.Sprintf("/admin/incidents/%d/updates", f.inc.ID), url.Values{"phase": {"identified"}, "message": {"found it"}}, auth.Support},
		{fmt.Sprintf("/admin/incidents/%d/goodwill", f.inc.ID), url.Values{"days": {"10"}, "services": {"ELB"}}, auth.Support},
		{"/admin/maintenance", url.Values{"title": {"M"}, "message": {"m"}, "starts_at": {"2012-12-25 10:00"}, "ends_at": {"2012-12-25 11:00"}, "components": {"elb-us-east-1"}}, auth.Support},
		{fmt.Sprintf("/admin/maintenance/%d/advance", f.maint.ID), url.Values{"phase": {"in_progress"}}, auth.Support},
		{"/admin/services", url.Values{"id": {"EC2"}, "name": {"Elastic Compute Cloud"}}, auth.Admin},
		{"/admin/components", url.Values{"id": {"elb-ap-1"}, "service": {"ELB"}, "name": {"ELB ap-1"}, "region": {"ap-1"}}, auth.Admin},
		{"/admin/users", url.Values{"email": {"new@example.com"}, "name": {"New"}, "role": {"viewer"}, "password": {testPassword}}, auth.Admin},
		{"/admin/users/1/role", url.Values{"role": {"admin"}}, auth.Admin},
		{"/admin/users/1/disabled", url.Values{"disabled": {"false"}}, auth.Admin},
		{"/admin/tokens", url.Values{"name": {"ci"}, "role": {"viewer"}}, auth.Admin},
		{"/admin/policies", url.Values{"id": {"elb"}, "service": {"ELB"}, "target": {"99.95"}, "tiers[0].below": {"99.95"}, "tiers[0].credit_percent": {"10"}}, auth.Manager},
		{"/admin/credits/settings", url.Values{"currency": {"USD"}, "above": {"500.00"}}, auth.Admin},
		{"/admin/incident-templates", templateForm("Role check"), auth.Support},
	}
}

type apiWrite struct {
	method, path string
	body         any
	min          auth.Role
}

func (f roleFixture) apiWrites() []apiWrite {
	return []apiWrite{
		{"POST", "/incidents", map[string]any{"title": "New", "message": "m", "no_components": true}, auth.Support},
		{"POST", fmt.Sprintf("/incidents/%d/updates", f.inc.ID), map[string]any{"phase": "identified", "message": "found it"}, auth.Support},
		{"POST", fmt.Sprintf("/incidents/%d/goodwill", f.inc.ID), map[string]any{"days": 10, "services": []string{"ELB"}}, auth.Support},
		{"POST", "/maintenance", map[string]any{"title": "M", "components": []string{"elb-us-east-1"}, "starts_at": "2012-12-25T10:00:00Z", "ends_at": "2012-12-25T11:00:00Z"}, auth.Support},
		{"POST", fmt.Sprintf("/maintenance/%d/advance", f.maint.ID), map[string]any{"phase": "in_progress"}, auth.Support},
		{"POST", "/services", map[string]any{"id": "EC2", "name": "Elastic Compute Cloud"}, auth.Admin},
		{"PUT", "/services/ELB", map[string]any{"name": "Renamed"}, auth.Admin},
		{"POST", "/components", map[string]any{"id": "elb-ap-1", "service": "ELB", "name": "ELB ap-1", "region": "ap-1"}, auth.Admin},
		{"PUT", "/components/elb-us-east-1", map[string]any{"service": "ELB", "name": "Renamed", "region": "us-east-1"}, auth.Admin},
		{"POST", "/incident-templates", map[string]any{"name": "Role check", "title": "T", "message": "m", "no_components": true}, auth.Support},
	}
}

var adminPages = []string{"/admin", "/admin/incidents", "/admin/incidents/1", "/admin/maintenance", "/admin/services",
	"/admin/policies", "/admin/credits/manual", "/admin/credits/settings"}

func TestViewerReadsButCannotWrite(t *testing.T) {
	f := newRoleFixture(t)
	env := f.env
	b := env.user(auth.Viewer)
	tok := env.namedToken(auth.Viewer, "dashboard")
	for _, path := range adminPages {
		resp, body := b.get(path)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("viewer GET %s: %d", path, resp.StatusCode)
		}
		if strings.Contains(body, `data-testid="update-form"`) || strings.Contains(body, `data-testid="maintenance-form"`) {
			t.Errorf("viewer GET %s shows a write form", path)
		}
	}
	for _, path := range []string{"/admin/users", "/admin/incidents/new"} {
		if resp, _ := b.get(path); resp.StatusCode != http.StatusForbidden {
			t.Errorf("viewer GET %s: %d, want 403", path, resp.StatusCode)
		}
	}
	b.get("/admin")
	before := env.counts()
	for _, w := range f.formWrites() {
		resp := b.postForm(w.path, w.form)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("viewer POST %s: %d, want 403", w.path, resp.StatusCode)
		}
		if body := readBody(t, resp); !strings.Contains(body, "needs the") {
			t.Errorf("viewer POST %s: the page does not say which role is needed", w.path)
		}
	}
	for _, w := range f.apiWrites() {
		r := env.api(w.method, w.path, tok, w.body)
		if r.status != http.StatusForbidden {
			t.Errorf("viewer token %s %s: %d, want 403", w.method, w.path, r.status)
			continue
		}
		if msg := r.apiError(t).Message; !strings.Contains(msg, string(w.min)) {
			t.Errorf("viewer token %s %s: message %q does not name the role", w.method, w.path, msg)
		}
	}
	env.assertNothingStored(before)
	// And the reads of the API work.
	for _, path := range []string{"/status", "/incidents", "/incidents/1", "/services", "/components", "/maintenance", "/maintenance/1"} {
		env.api("GET", path, tok, nil).expect(t, http.StatusOK)
	}
}

func TestSupportManagesIncidentsNotCatalogOrUsers(t *testing.T) {
	f := newRoleFixture(t)
	env := f.env
	b := env.user(auth.Support)
	for _, path := range append(adminPages, "/admin/incidents/new") {
		if resp, _ := b.get(path); resp.StatusCode != http.StatusOK {
			t.Errorf("support GET %s: %d", path, resp.StatusCode)
		}
	}
	if resp, _ := b.get("/admin/users"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("support GET /admin/users: %d", resp.StatusCode)
	}
	b.get("/admin")
	for _, w := range f.formWrites() {
		before := env.counts()
		resp := b.noFollow().postForm(w.path, w.form)
		if w.min == auth.Support {
			if resp.StatusCode != http.StatusSeeOther {
				t.Errorf("support POST %s: %d, want 303\n%s", w.path, resp.StatusCode, readBody(t, resp))
			}
			continue
		}
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("support POST %s: %d, want 403", w.path, resp.StatusCode)
		}
		env.assertNothingStored(before)
	}
	// API, on a fresh fixture so that the writes are valid again.
	f = newRoleFixture(t)
	env = f.env
	tok := env.namedToken(auth.Support, "pager")
	for _, w := range f.apiWrites() {
		before := env.counts()
		r := env.api(w.method, w.path, tok, w.body)
		if w.min == auth.Support {
			if r.status/100 != 2 {
				t.Errorf("support token %s %s: %d\n%s", w.method, w.path, r.status, r.body)
			}
			continue
		}
		if r.status != http.StatusForbidden {
			t.Errorf("support token %s %s: %d, want 403", w.method, w.path, r.status)
		}
		env.assertNothingStored(before)
	}
}

func TestAdminCanDoEverything(t *testing.T) {
	f := newRoleFixture(t)
	b := f.env.user(auth.Admin)
	b.get("/admin")
	for _, path := range append(adminPages, "/admin/incidents/new", "/admin/users") {
		if resp, _ := b.get(path); resp.StatusCode != http.StatusOK {
			t.Errorf("admin GET %s: %d", path, resp.StatusCode)
		}
	}
	for _, w := range f.formWrites() {
		resp := b.noFollow().postForm(w.path, w.form)
		// Creating a token shows its secret on the page: 200, not a redirect.
		if resp.StatusCode != http.StatusSeeOther && !(w.path == "/admin/tokens" && resp.StatusCode == http.StatusOK) {
			t.Errorf("admin POST %s: %d\n%s", w.path, resp.StatusCode, readBody(t, resp))
		}
	}
	f = newRoleFixture(t)
	tok := f.env.namedToken(auth.Admin, "automation")
	for _, w := range f.apiWrites() {
		if r := f.env.api(w.method, w.path, tok, w.body); r.status/100 != 2 {
			t.Errorf("admin token %s %s: %d\n%s", w.method, w.path, r.status, r.body)
		}
	}
}

// A token acts with the lower of its own role and its owner's current one.
func TestTokenRoleIsCappedByOwner(t *testing.T) {
	env := newTestEnv(t)
	tok := env.namedToken(auth.Admin, "viewer-only")
	id := env.userID("admin@example.com")
	raw, _, err := env.accounts.CreateToken(context.Background(), audit.Person("test"), id, "read", auth.Viewer, env.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if r := env.api("POST", "/incidents", raw, map[string]any{"title": "x", "message": "y", "no_components": true}); r.status != http.StatusForbidden {
		t.Errorf("viewer token of an admin writes: %d", r.status)
	}
	if _, err := env.accounts.SetRole(context.Background(), audit.Person("test"), id, auth.Support, env.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if r := env.api("POST", "/services", tok, map[string]any{"id": "EC2", "name": "EC2"}); r.status != http.StatusForbidden {
		t.Errorf("admin token of a demoted owner creates a service: %d", r.status)
	}
	env.api("POST", "/incidents", tok, map[string]any{"title": "x", "message": "y", "no_components": true}).expect(t, http.StatusCreated)
}

func TestAPITokenRequired(t *testing.T) {
	env := newTestEnv(t)
	tok := env.namedToken(auth.Support, "soon revoked")
	session := env.user(auth.Admin).cookie(sessionCookie).Value
	before := env.counts()
	for _, tc := range []struct{ name, header string }{
		{"missing", ""},
		{"empty bearer", "Bearer "},
		{"basic", "Basic dXNlcjpwYXNz"},
		{"lower-case scheme and no token", "bearer"},
		{"unknown", "Bearer amd_notarealtokenatallnotarealtokenatall"},
		{"not a token", "Bearer hello"},
		{"session cookie value", "Bearer " + session},
	} {
		for _, req := range []struct{ method, path string }{{"GET", "/status"}, {"POST", "/incidents"}} {
			h := http.Header{"Content-Type": {"application/json"}}
			if tc.header != "" {
				h.Set("Authorization", tc.header)
			}
			resp, body := env.request(req.method, "/api/v1"+req.path, h, strings.NewReader(`{"title":"x","message":"y"}`))
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s: %s %s: %d, want 401", tc.name, req.method, req.path, resp.StatusCode)
			}
			if !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("%s: WWW-Authenticate %q", tc.name, resp.Header.Get("WWW-Authenticate"))
			}
			(apiResult{status: resp.StatusCode, body: body}).apiError(t)
		}
	}
	env.assertNothingStored(before)
	// A revoked token stops working at once.
	env.api("GET", "/status", tok, nil).expect(t, http.StatusOK)
	toks, _ := env.accounts.Tokens(context.Background(), 0)
	if err := env.accounts.RevokeToken(context.Background(), audit.Person("test"), toks[len(toks)-1].ID, env.clock.Now()); err != nil {
		t.Fatal(err)
	}
	before = env.counts()
	r := env.api("POST", "/incidents", tok, map[string]any{"title": "x", "message": "y", "no_components": true})
	if r.status != http.StatusUnauthorized || !strings.Contains(r.header.Get("WWW-Authenticate"), "invalid_token") {
		t.Errorf("revoked token: %d, WWW-Authenticate %q", r.status, r.header.Get("WWW-Authenticate"))
	}
	env.assertNothingStored(before)
	// So does the token of a disabled user.
	tok2 := env.namedToken(auth.Viewer, "of someone leaving")
	env.api("GET", "/status", tok2, nil).expect(t, http.StatusOK)
	if _, err := env.accounts.SetDisabled(context.Background(), audit.Person("test"), env.userID("viewer@example.com"), true, env.clock.Now()); err != nil {
		t.Fatal(err)
	}
	env.api("GET", "/status", tok2, nil).expect(t, http.StatusUnauthorized)
	// A browser session is not an API credential.
	b := env.user(auth.Admin)
	resp, _ := b.get("/api/v1/status")
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("session cookie on the API: %d", resp.StatusCode)
	}
}
