package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/amends/amends/auth"
)

// An incident says what it affects: a component set to a status other than
// operational, or none with "no_components" (the API) or the ticked box
// (the form). Leaving every component as it was is a 422 that stores
// nothing, and one that affects none puts "Incident in progress" on /.
func TestIncidentMustSayWhatItAffects(t *testing.T) {
	env := newTestEnv(t)
	tok := env.token(auth.Support)
	b := env.user(auth.Support)
	for _, tc := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"nothing named", map[string]any{"title": "t", "message": "m"}, "components"},
		{"empty components", map[string]any{"title": "t", "message": "m", "components": []any{}}, "components"},
		{"only operational", map[string]any{"title": "t", "message": "m", "components": []map[string]any{{"component": "elb-us-east-1", "status": "operational"}}}, "components"},
		{"the flag and an affected component", map[string]any{"title": "t", "message": "m", "no_components": true,
			"components": []map[string]any{{"component": "elb-us-east-1", "status": "major_outage"}}}, "no_components"},
		{"the flag not a bool", map[string]any{"title": "t", "message": "m", "no_components": "yes"}, "no_components"},
	} {
		before := env.counts()
		r := env.api("POST", "/incidents", tok, tc.body)
		env.assertNothingStored(before)
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422\n%s", tc.name, r.status, r.body)
			continue
		}
		if e := r.apiError(t); e.Field != tc.field {
			t.Errorf("%s: field %q (%s), want %q", tc.name, e.Field, e.Message, tc.field)
		}
	}

	b.get("/admin/incidents/new")
	before := env.counts()
	resp := b.postForm("/admin/incidents", url.Values{"title": {"Slow sign-in"}, "message": {"Looking."}})
	doc := parseHTML(t, readBody(t, resp))
	env.assertNothingStored(before)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(textOf(doc.Find(testid("no-components"))), "affects none") {
		t.Errorf("form without components: %d %q", resp.StatusCode, textOf(doc.Find(testid("no-components"))))
	}

	env.api("POST", "/incidents", tok, map[string]any{"title": "Slow sign-in", "message": "Looking.", "components": []any{}, "no_components": true}).
		expect(t, http.StatusCreated)
	b.get("/admin/incidents/new")
	resp = b.postForm("/admin/incidents", url.Values{"title": {"Reports of errors"}, "message": {"Looking."}, "no_components": {"1"}})
	readBody(t, resp)
	if !strings.HasPrefix(resp.Request.URL.Path, "/admin/incidents/") || resp.StatusCode != http.StatusOK {
		t.Errorf("form with the box ticked: %d at %s", resp.StatusCode, resp.Request.URL.Path)
	}
	overall := env.statusPage().Find(testid("overall"))
	if text := textOf(overall); !strings.Contains(text, "Incident in progress") || strings.Contains(text, "All systems operational") || !overall.HasClass("overall--incident_in_progress") {
		t.Errorf("/ with an incident that affects no component: %q", text)
	}
	if _, body := b.get("/admin"); strings.Contains(body, "All systems operational") {
		t.Error("the admin overview says all systems operational during an incident")
	}
}
