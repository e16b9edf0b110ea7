package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/incidents"
)

// mustPost posts a form and fails unless it ends, after redirects, on a
// page whose path starts with wantPath.
func mustPost(t *testing.T, b *browser, path string, form url.Values, wantPath string) (*http.Response, string) {
	t.Helper()
	resp := b.postForm(path, form)
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Request.URL.Path, wantPath) {
		t.Fatalf("POST %s: %d at %s\n%s", path, resp.StatusCode, resp.Request.URL, body)
	}
	return resp, body
}

func TestAdminIncidentLifecycle(t *testing.T) {
	env := newTestEnv(t)
	b := env.user(auth.Support)
	resp, body := b.get("/admin/incidents/new")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("new incident form: %d", resp.StatusCode)
	}
	// The form lists every component, grouped by service.
	doc := parseHTML(t, body)
	if doc.Find(`select[name="status.elb-us-east-1"]`).Length() != 1 || doc.Find(`input[name="percent.elb-eu-west-1"]`).Length() != 1 {
		t.Fatal("the form lacks the component rows")
	}
	if got := textOf(doc.Find(".cf-service-name")); got != "Elastic Load Balancing" {
		t.Errorf("component groups %q", got)
	}

	resp, _ = mustPost(t, b, "/admin/incidents", url.Values{
		"title": {"Elevated errors"}, "impact": {"major"}, "phase": {"investigating"},
		"message":              {"We are looking into it."},
		"status.elb-us-east-1": {"partial_outage"}, "percent.elb-us-east-1": {"12.5"},
		"status.elb-eu-west-1": {"operational"}, "percent.elb-eu-west-1": {""},
	}, "/admin/incidents/")
	adminPath := resp.Request.URL.Path
	publicPath := strings.TrimPrefix(adminPath, "/admin")
	list := mustActive(t, env)
	if len(list) != 1 {
		t.Fatalf("%d active incidents", len(list))
	}
	inc := list[0]
	if inc.Impact != incidents.ImpactMajor || len(inc.Updates) != 1 || len(inc.Updates[0].Components) != 1 {
		t.Fatalf("stored incident: %+v", inc)
	}
	if cs := inc.Updates[0].Components[0]; cs.Component != "elb-us-east-1" || cs.Status != incidents.PartialOutage || cs.AffectedPercent.String() != "12.5" {
		t.Errorf("stored change %+v", cs)
	}
	if fmt.Sprintf("/incidents/%d", inc.ID) != publicPath {
		t.Errorf("redirected to %s for incident %d", adminPath, inc.ID)
	}
	doc = env.statusPage()
	if class, _ := componentStatus(doc, "elb-us-east-1"); class != "partial_outage" {
		t.Errorf("elb-us-east-1 is %s", class)
	}
	if got := textOf(doc.Find(testid("component-elb-us-east-1")).Find(testid("component-percent"))); got != "12.5% affected" {
		t.Errorf("percent %q", got)
	}

	// The update form starts from the current state of each component.
	_, body = b.get(adminPath)
	doc = parseHTML(t, body)
	if got := doc.Find(`select[name="status.elb-us-east-1"] option[selected]`).AttrOr("value", ""); got != "partial_outage" {
		t.Errorf("update form preselects %q", got)
	}
	if got := doc.Find(`input[name="percent.elb-us-east-1"]`).AttrOr("value", ""); got != "12.5" {
		t.Errorf("update form percent %q", got)
	}
	// Phases offered go forward only.
	var phases []string
	doc.Find(`select[name="phase"] option`).Each(func(_ int, s *goquery.Selection) { phases = append(phases, s.AttrOr("value", "")) })
	if strings.Join(phases, ",") != "investigating,identified,monitoring,resolved" {
		t.Errorf("phases offered %v", phases)
	}

	env.clock.Advance(10 * time.Minute)
	mustPost(t, b, adminPath+"/updates", url.Values{
		"phase": {"identified"}, "message": {"A configuration change removed load balancer state."},
		"status.elb-us-east-1": {"partial_outage"}, "percent.elb-us-east-1": {"6.8"},
		"status.elb-eu-west-1": {"degraded_performance"}, "percent.elb-eu-west-1": {"1"},
	}, adminPath)
	env.clock.Advance(10 * time.Minute)
	mustPost(t, b, adminPath+"/updates", url.Values{
		"phase": {"monitoring"}, "message": {"Recovering."},
		"status.elb-us-east-1": {"partial_outage"}, "percent.elb-us-east-1": {"6.8"},
		"status.elb-eu-west-1": {"operational"},
	}, adminPath)
	inc, _ = env.incidents.Incident(context.Background(), inc.ID)
	if inc.Phase != incidents.Monitoring || len(inc.Updates) != 3 {
		t.Fatalf("after two updates: phase %s, %d updates", inc.Phase, len(inc.Updates))
	}
	// An unchanged component is not repeated in an update.
	if got := inc.Updates[2].Components; len(got) != 1 || got[0].Component != "elb-eu-west-1" || got[0].Status != incidents.Operational {
		t.Errorf("monitoring update components %+v", got)
	}
	// Only the phases from monitoring on are offered now.
	_, body = b.get(adminPath)
	phases = nil
	parseHTML(t, body).Find(`select[name="phase"] option`).Each(func(_ int, s *goquery.Selection) { phases = append(phases, s.AttrOr("value", "")) })
	if strings.Join(phases, ",") != "monitoring,resolved" {
		t.Errorf("phases offered after monitoring %v", phases)
	}
	if !strings.Contains(body, "Posted by support@example.com") {
		t.Error("the admin timeline does not say who posted")
	}

	env.clock.Advance(10 * time.Minute)
	mustPost(t, b, adminPath+"/updates", url.Values{
		"phase": {"resolved"}, "message": {"All load balancers have recovered."},
		"status.elb-us-east-1": {"partial_outage"}, "percent.elb-us-east-1": {"6.8"},
	}, adminPath)
	doc = env.statusPage()
	if !doc.Find(testid("overall")).HasClass("overall--operational") || doc.Find(testid("incident-card")).Length() != 0 {
		t.Errorf("after resolving: %q, %d active cards", textOf(doc.Find(testid("overall"))), doc.Find(testid("incident-card")).Length())
	}
	for _, id := range []string{"elb-us-east-1", "elb-eu-west-1"} {
		if class, _ := componentStatus(doc, id); class != "operational" {
			t.Errorf("%s is %s after resolving", id, class)
		}
	}
	_, body = b.get(adminPath)
	if !strings.Contains(body, `data-testid="resolved-notice"`) || strings.Contains(body, `data-testid="update-form"`) {
		t.Error("a resolved incident still offers the update form")
	}
	_, body = env.publicGet(publicPath)
	doc = parseHTML(t, body)
	if n := doc.Find(testid("incident-update")).Length(); n != 4 {
		t.Errorf("public timeline has %d updates", n)
	}
	if got := doc.Find(testid("incident-resolved")).Find("time").AttrOr("datetime", ""); got != "2012-12-24T20:30:00Z" {
		t.Errorf("resolved at %q", got)
	}
	if _, body := env.publicGet("/history"); !strings.Contains(body, "Elevated errors") {
		t.Error("the resolved incident is not in the history")
	}
}

func TestAdminBackfilledIncident(t *testing.T) {
	env := newTestEnv(t)
	b := env.user(auth.Support)
	resp, _ := mustPost(t, b, "/admin/incidents", url.Values{
		"title": {"Earlier today"}, "impact": {"minor"}, "phase": {"investigating"}, "message": {"Recorded after the fact."},
		"started_at":           {"2012-12-24 12:24"},
		"status.elb-eu-west-1": {"degraded_performance"}, "percent.elb-eu-west-1": {"3.25"},
	}, "/admin/incidents/")
	adminPath := resp.Request.URL.Path
	mustPost(t, b, adminPath+"/updates", url.Values{"phase": {"resolved"}, "message": {"Fixed."}, "at": {"2012-12-24T14:00:00+01:00"}}, adminPath)

	inc := mustResolved(t, env)[0]
	if want := time.Date(2012, 12, 24, 12, 24, 0, 0, time.UTC); !inc.StartedAt.Equal(want) || !inc.Updates[0].At.Equal(want) {
		t.Errorf("started %s, first update %s; want %s", inc.StartedAt, inc.Updates[0].At, want)
	}
	if want := time.Date(2012, 12, 24, 13, 0, 0, 0, time.UTC); inc.ResolvedAt == nil || !inc.ResolvedAt.Equal(want) {
		t.Errorf("resolved %v, want %s", inc.ResolvedAt, want)
	}
	if want := time.Date(2012, 12, 24, 20, 0, 0, 0, time.UTC); !inc.CreatedAt.Equal(want) {
		t.Errorf("created %s, want the time of writing %s", inc.CreatedAt, want)
	}
	_, body := env.publicGet(strings.TrimPrefix(adminPath, "/admin"))
	if !strings.Contains(body, `datetime="2012-12-24T12:24:00Z"`) || !strings.Contains(body, "24 Dec 2012, 12:24 UTC") || !strings.Contains(body, "36 min") {
		t.Error("the public page does not show the backfilled instants")
	}
}

func mustResolved(t *testing.T, env *testEnv) []incidents.Incident {
	t.Helper()
	list, _, err := env.incidents.ResolvedIncidents(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) == 0 {
		t.Fatal("no resolved incident")
	}
	return list
}

func TestAdminMaintenance(t *testing.T) {
	env := newTestEnv(t)
	b := env.user(auth.Support)
	mustPost(t, b, "/admin/maintenance", url.Values{
		"title": {"Load balancer software upgrade"}, "message": {"Brief connection resets are possible."},
		"starts_at": {"2012-12-25 02:00"}, "ends_at": {"2012-12-25 04:00"},
		"components": {"elb-us-east-1", "elb-eu-west-1"},
	}, "/admin/maintenance")
	list, err := env.incidents.Maintenances(context.Background(), env.clock.Now())
	if err != nil || len(list) != 1 {
		t.Fatalf("maintenances: %v, %v", list, err)
	}
	m := list[0]
	if m.Author != "support@example.com" || len(m.Components) != 2 || !m.StartsAt.Equal(time.Date(2012, 12, 25, 2, 0, 0, 0, time.UTC)) {
		t.Errorf("stored maintenance %+v", m)
	}
	doc := env.statusPage()
	if card := textOf(doc.Find(testid("maintenance-card"))); !strings.Contains(card, "Load balancer software upgrade") || !strings.Contains(card, "Scheduled") {
		t.Errorf("status page maintenance card %q", card)
	}
	if !doc.Find(testid("overall")).HasClass("overall--operational") {
		t.Error("scheduled maintenance changed the banner before it started")
	}

	// Start now.
	_, body := b.get("/admin/maintenance")
	action := fmt.Sprintf("/admin/maintenance/%d/advance", m.ID)
	if !strings.Contains(body, `action="`+action+`"`) {
		t.Fatalf("the maintenance page has no form posting to %s", action)
	}
	mustPost(t, b, action, url.Values{"phase": {"in_progress"}}, "/admin/maintenance")
	doc = env.statusPage()
	if !doc.Find(testid("overall")).HasClass("overall--under_maintenance") {
		t.Errorf("after starting: banner %q", textOf(doc.Find(testid("overall"))))
	}
	if class, _ := componentStatus(doc, "elb-eu-west-1"); class != "under_maintenance" {
		t.Errorf("elb-eu-west-1 is %s", class)
	}
	if card := textOf(doc.Find(testid("maintenance-card"))); !strings.Contains(card, "In progress") {
		t.Errorf("card after starting %q", card)
	}

	// Complete now.
	env.clock.Advance(5 * time.Minute)
	mustPost(t, b, action, url.Values{"phase": {"completed"}}, "/admin/maintenance")
	doc = env.statusPage()
	if !doc.Find(testid("overall")).HasClass("overall--operational") || doc.Find(testid("maintenance-card")).Length() != 0 {
		t.Errorf("after completing: banner %q, %d cards", textOf(doc.Find(testid("overall"))), doc.Find(testid("maintenance-card")).Length())
	}
	_, body = b.get("/admin/maintenance")
	if past := textOf(parseHTML(t, body).Find(testid("maintenance-past"))); !strings.Contains(past, "Load balancer software upgrade") {
		t.Errorf("past maintenance %q", past)
	}
	// A completed window cannot move again.
	before := env.counts()
	if resp := b.postForm(action, url.Values{"phase": {"completed"}}); resp.StatusCode != http.StatusConflict {
		t.Errorf("completing twice: %d, want 409", resp.StatusCode)
	}
	if resp := b.postForm(action, url.Values{"phase": {"scheduled"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("advancing to scheduled: %d, want 422", resp.StatusCode)
	}
	if resp := b.postForm("/admin/maintenance/999/advance", url.Values{"phase": {"completed"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown maintenance: %d, want 404", resp.StatusCode)
	}
	env.assertNothingStored(before)
}

func TestAdminServicesAndComponents(t *testing.T) {
	env := newTestEnv(t)
	b := env.user(auth.Admin)
	mustPost(t, b, "/admin/services", url.Values{"id": {"EC2"}, "name": {"Elastic Compute Cloud"}, "description": {"Virtual servers"}, "position": {"2"}}, "/admin/services")
	mustPost(t, b, "/admin/components", url.Values{
		"id": {"ec2-us-east-1a"}, "service": {"EC2"}, "name": {"EC2 us-east-1a"}, "region": {"us-east-1"},
		"zone": {"us-east-1a"}, "resources": {"12000"}, "group": {"US East"}, "position": {"1"},
	}, "/admin/services")
	comp, err := env.incidents.Component(context.Background(), "ec2-us-east-1a")
	if err != nil {
		t.Fatal(err)
	}
	if comp.Service != "EC2" || comp.Zone != "us-east-1a" || comp.Resources != 12000 || comp.Group != "US East" || comp.Position != 1 {
		t.Errorf("stored component %+v", comp)
	}
	_, body := b.get("/admin/services")
	if !strings.Contains(body, "Elastic Compute Cloud") || !strings.Contains(body, "EC2 us-east-1a") {
		t.Error("/admin/services does not list the new service and component")
	}
	doc := env.statusPage()
	if sec := doc.Find(testid("service-ec2")); !strings.Contains(textOf(sec), "EC2 us-east-1a") {
		t.Errorf("status page EC2 section %q", textOf(sec))
	}
	// The new component can be marked in an incident at once.
	_, body = b.get("/admin/incidents/new")
	if !strings.Contains(body, `name="status.ec2-us-east-1a"`) {
		t.Error("the incident form lacks the new component")
	}

	// Duplicates and unknown services are refused beside their field.
	before := env.counts()
	for _, tc := range []struct {
		path, field string
		form        url.Values
		status      int
	}{
		{"/admin/services", "id", url.Values{"id": {"EC2"}, "name": {"Again"}}, http.StatusConflict},
		{"/admin/services", "id", url.Values{"id": {"no spaces"}, "name": {"Bad"}}, http.StatusUnprocessableEntity},
		{"/admin/services", "position", url.Values{"id": {"S3"}, "name": {"S3"}, "position": {"first"}}, http.StatusUnprocessableEntity},
		{"/admin/components", "service", url.Values{"id": {"x-1"}, "service": {"NOPE"}, "name": {"X"}, "region": {"x"}}, http.StatusUnprocessableEntity},
		{"/admin/components", "resources", url.Values{"id": {"x-1"}, "service": {"EC2"}, "name": {"X"}, "region": {"x"}, "resources": {"lots"}}, http.StatusUnprocessableEntity},
		{"/admin/components", "id", url.Values{"id": {"UPPER"}, "service": {"EC2"}, "name": {"X"}, "region": {"x"}}, http.StatusUnprocessableEntity},
	} {
		resp := b.postForm(tc.path, tc.form)
		body := readBody(t, resp)
		if resp.StatusCode != tc.status {
			t.Errorf("%s %v: %d, want %d", tc.path, tc.form, resp.StatusCode, tc.status)
			continue
		}
		if tc.status == http.StatusUnprocessableEntity {
			// Both forms share field names; the error shows on one of them.
			doc := parseHTML(t, body)
			found := false
			doc.Find(`[name="` + tc.field + `"]`).Each(func(_ int, s *goquery.Selection) {
				if s.Closest(".field").Find(testid("field-error")).Length() > 0 {
					found = true
				}
			})
			if !found {
				t.Errorf("%s %v: no error beside %q", tc.path, tc.form, tc.field)
			}
		}
	}
	env.assertNothingStored(before)
}

func TestAdminUsers(t *testing.T) {
	env := newTestEnv(t)
	admin := env.user(auth.Admin)
	mustPost(t, admin, "/admin/users", url.Values{"email": {"Ann@Example.com"}, "name": {"Ann"}, "role": {"support"}, "password": {testPassword}}, "/admin/users")
	id := env.userID("ann@example.com")

	ann := env.browser()
	ann.get("/login")
	mustPost(t, ann, "/login", url.Values{"email": {"ann@example.com"}, "password": {testPassword}}, "/admin")
	if resp, _ := ann.get("/admin/incidents/new"); resp.StatusCode != http.StatusOK {
		t.Errorf("new support user: %d", resp.StatusCode)
	}

	// Change role: viewer. Her session follows at once.
	mustPost(t, admin, fmt.Sprintf("/admin/users/%d/role", id), url.Values{"role": {"viewer"}}, "/admin/users")
	if resp, _ := ann.get("/admin/incidents/new"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("after demotion to viewer: %d, want 403", resp.StatusCode)
	}

	// Disable: her session ends and she cannot sign in.
	mustPost(t, admin, fmt.Sprintf("/admin/users/%d/disabled", id), url.Values{"disabled": {"true"}}, "/admin/users")
	if resp, _ := ann.noFollow().get("/admin"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a disabled user's session still works: %d", resp.StatusCode)
	}
	ann.get("/login")
	if resp := ann.postForm("/login", url.Values{"email": {"ann@example.com"}, "password": {testPassword}}); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a disabled user signs in: %d", resp.StatusCode)
	}
	u, _ := env.accounts.User(context.Background(), id)
	if !u.Disabled || u.Role != auth.Viewer {
		t.Errorf("stored user %+v", u)
	}

	// Bad input names the field; the last admin cannot be removed.
	before := env.counts()
	for _, tc := range []struct {
		path   string
		form   url.Values
		status int
		field  string
	}{
		{"/admin/users", url.Values{"email": {"ANN@example.com"}, "name": {"Ann 2"}, "role": {"viewer"}, "password": {testPassword}}, http.StatusConflict, "email"},
		{"/admin/users", url.Values{"email": {"not-an-email"}, "name": {"X"}, "role": {"viewer"}, "password": {testPassword}}, http.StatusUnprocessableEntity, "email"},
		{"/admin/users", url.Values{"email": {"x@example.com"}, "name": {"X"}, "role": {"root"}, "password": {testPassword}}, http.StatusUnprocessableEntity, "role"},
		{"/admin/users", url.Values{"email": {"x@example.com"}, "name": {"X"}, "role": {"viewer"}, "password": {"short"}}, http.StatusUnprocessableEntity, "password"},
		{fmt.Sprintf("/admin/users/%d/role", id), url.Values{"role": {"owner"}}, http.StatusUnprocessableEntity, ""},
		{"/admin/users/999/role", url.Values{"role": {"viewer"}}, http.StatusNotFound, ""},
		{"/admin/users/999/disabled", url.Values{"disabled": {"true"}}, http.StatusNotFound, ""},
	} {
		resp := admin.postForm(tc.path, tc.form)
		body := readBody(t, resp)
		if resp.StatusCode != tc.status {
			t.Errorf("%s %v: %d, want %d", tc.path, tc.form, resp.StatusCode, tc.status)
			continue
		}
		if tc.field != "" && formFieldError(parseHTML(t, body), "user-form", tc.field) == "" {
			t.Errorf("%s %v: no error beside %q", tc.path, tc.form, tc.field)
		}
	}
	env.assertNothingStored(before)
}

// Each user's row preselects the user's role, so that saving the row as the
// browser shows it keeps the role.
func TestUsersPageShowsEachUsersRole(t *testing.T) {
	env := newTestEnv(t)
	env.user(auth.Viewer)
	env.user(auth.Support)
	admin := env.user(auth.Admin)
	_, body := admin.get("/admin/users")
	rows := parseHTML(t, body).Find(testid("user-row"))
	if rows.Length() != 4 {
		t.Fatalf("%d user rows", rows.Length())
	}
	rows.Each(func(_ int, row *goquery.Selection) {
		email := textOf(row.Find(".table__sub"))
		want := strings.TrimSuffix(email, "@example.com")
		if want == "first-admin" {
			want = "admin"
		}
		selected := row.Find(testid("role-form")).Find("option[selected]")
		if selected.Length() != 1 || selected.AttrOr("value", "") != want {
			// With nothing selected the browser shows, and submits, the
			// first option: "viewer".
			t.Errorf("%s: role select preselects %q, want %q", email, selected.AttrOr("value", ""), want)
		}
	})
}

func TestAdminTokens(t *testing.T) {
	env := newTestEnv(t)
	admin := env.user(auth.Admin)
	_, body := mustPost(t, admin, "/admin/tokens", url.Values{"name": {"deploy pipeline"}, "role": {"support"}}, "/admin/tokens")
	doc := parseHTML(t, body)
	secret := textOf(doc.Find(testid("new-token")))
	if !strings.HasPrefix(secret, auth.TokenPrefix) || len(secret) < 30 {
		t.Fatalf("new token %q", secret)
	}
	// It works, with its role.
	env.api("POST", "/incidents", secret, map[string]any{"title": "From CI", "message": "m", "no_components": true}).expect(t, http.StatusCreated)
	env.api("POST", "/services", secret, map[string]any{"id": "X", "name": "X"}).expect(t, http.StatusForbidden)

	// It is shown once: the users page lists it by prefix only.
	_, body = admin.get("/admin/users")
	if strings.Contains(body, secret) {
		t.Error("the users page shows the token's secret again")
	}
	rows := parseHTML(t, body).Find(testid("token-row"))
	if rows.Length() != 1 || !strings.Contains(textOf(rows), "deploy pipeline") || !strings.Contains(textOf(rows), "Support") {
		t.Fatalf("token rows %q", textOf(rows))
	}
	action := rows.Find(testid("revoke-form")).AttrOr("action", "")
	if !strings.HasPrefix(action, "/admin/tokens/") {
		t.Fatalf("revoke form action %q", action)
	}
	var stored int
	if err := env.db.QueryRow(`SELECT COUNT(*) FROM api_tokens WHERE secret_hash = ?`, secret).Scan(&stored); err != nil || stored != 0 {
		t.Errorf("the raw secret is stored: %d, %v", stored, err)
	}

	// Bad input.
	before := env.counts()
	for _, tc := range []struct {
		form  url.Values
		field string
	}{
		{url.Values{"name": {""}, "role": {"viewer"}}, "name"},
		{url.Values{"name": {"x"}, "role": {"god"}}, "role"},
	} {
		resp := admin.postForm("/admin/tokens", tc.form)
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("token %v: %d", tc.form, resp.StatusCode)
		}
		if formFieldError(parseHTML(t, body), "token-form", tc.field) == "" {
			t.Errorf("token %v: no error beside %q", tc.form, tc.field)
		}
	}
	env.assertNothingStored(before)

	// Revoke: the token stops working; revoking twice is a conflict.
	mustPost(t, admin, action, url.Values{}, "/admin/users")
	env.api("GET", "/status", secret, nil).expect(t, http.StatusUnauthorized)
	_, body = admin.get("/admin/users")
	if !strings.Contains(textOf(parseHTML(t, body).Find(testid("token-row"))), "Revoked") {
		t.Error("the users page does not show the token revoked")
	}
	if resp := admin.postForm(action, url.Values{}); resp.StatusCode != http.StatusConflict {
		t.Errorf("revoking twice: %d, want 409", resp.StatusCode)
	}
	if resp := admin.postForm("/admin/tokens/999/revoke", url.Values{}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("revoking an unknown token: %d, want 404", resp.StatusCode)
	}
}
