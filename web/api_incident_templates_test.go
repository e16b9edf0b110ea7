package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/incidents"
)

// The API keeps incident templates as the admin pages do: support and
// above list, read, create, replace and delete them, every write audited;
// bad input is a 422 naming the field and stores nothing.
func TestAPIIncidentTemplates(t *testing.T) {
	env := newTestEnv(t)
	tok := env.token(auth.Support)
	mark := env.lastAuditID()
	body := map[string]any{
		"name": "ELB, one region", "title": "Load balancers failing", "message": "Looking into it.",
		"components": []map[string]any{{"component": "elb-us-east-1", "status": "partial_outage", "affected_percent": 6.8}},
	}
	res := env.api(http.MethodPost, "/incident-templates", tok, body).expect(t, http.StatusCreated)
	var tp incidents.Template
	res.decode(t, &tp)
	if tp.ID == 0 || tp.Impact != incidents.ImpactMajor || res.header.Get("Location") != "/api/v1/incident-templates/"+itoa(tp.ID) ||
		len(tp.Components) != 1 || tp.Components[0].AffectedPercent.String() != "6.8" {
		t.Fatalf("created %+v, Location %q", tp, res.header.Get("Location"))
	}
	var list struct {
		Items []incidents.Template `json:"items"`
		Total int                  `json:"total"`
	}
	env.api(http.MethodGet, "/incident-templates", tok, nil).expect(t, http.StatusOK).decode(t, &list)
	if list.Total != 1 || list.Items[0].Name != "ELB, one region" {
		t.Errorf("list %+v", list)
	}

	body["impact"] = "critical"
	body["components"] = []map[string]any{{"component": "elb-eu-west-1", "status": "major_outage", "affected_percent": "12.5"}}
	var ed incidents.Template
	env.api(http.MethodPut, "/incident-templates/"+itoa(tp.ID), tok, body).expect(t, http.StatusOK).decode(t, &ed)
	var got incidents.Template
	env.api(http.MethodGet, "/incident-templates/"+itoa(tp.ID), tok, nil).expect(t, http.StatusOK).decode(t, &got)
	if got.Impact != incidents.ImpactCritical || len(got.Components) != 1 || got.Components[0].Component != "elb-eu-west-1" || got.Components[0].AffectedPercent.String() != "12.5" {
		t.Errorf("after PUT %+v", got)
	}

	// Bad input: a 422 naming the field, nothing stored.
	before := env.counts()
	for _, tc := range []struct {
		body  string
		field string
	}{
		{`{"name":"","title":"T","message":"M","no_components":true}`, "name"},
		{`{"name":"elb, ONE region","title":"T","message":"M","no_components":true}`, "name"},
		{`{"name":"N","title":"T\u0007","message":"M","no_components":true}`, "title"},
		{`{"name":"N","title":"T","message":"M","impact":"x","no_components":true}`, "impact"},
		{`{"name":"N","title":"T","message":"M"}`, "components"},
		{`{"name":"N","title":"T","message":"M","components":[{"component":"nope","status":"major_outage"}]}`, "components[0].component"},
		{`{"name":"N","title":"T","message":"M","components":[{"component":"elb-us-east-1","status":"major_outage","affected_percent":"1e3"}]}`, "components[0].affected_percent"},
		{`{"name":"N","title":"T","message":"M","components":[{"component":"elb-us-east-1","status":"operational","affected_percent":"0"}]}`, "components[0].status"},
	} {
		for _, req := range []struct{ method, path string }{{http.MethodPost, "/incident-templates"}, {http.MethodPut, "/incident-templates/" + itoa(tp.ID)}} {
			if req.method == http.MethodPut && tc.field == "name" && strings.Contains(tc.body, "ONE") {
				continue // its own name, in another case, is an edit
			}
			r := env.api(req.method, req.path, tok, tc.body)
			if r.status != http.StatusUnprocessableEntity || r.apiError(t).Field != tc.field {
				t.Errorf("%s %s %s: %d %s, want 422 on %s", req.method, req.path, tc.body, r.status, r.body, tc.field)
			}
		}
	}
	if r := env.api(http.MethodPost, "/incident-templates", tok, `{"name":"N","surprise":1}`); r.status != http.StatusBadRequest {
		t.Errorf("unknown field: %d", r.status)
	}
	env.assertNothingStored(before)

	// Roles: a viewer is refused everything, and changes nothing.
	viewer := env.token(auth.Viewer)
	before = env.counts()
	for _, req := range []struct {
		method, path string
		body         any
	}{
		{http.MethodGet, "/incident-templates", nil},
		{http.MethodGet, "/incident-templates/" + itoa(tp.ID), nil},
		{http.MethodPost, "/incident-templates", body},
		{http.MethodPut, "/incident-templates/" + itoa(tp.ID), body},
		{http.MethodDelete, "/incident-templates/" + itoa(tp.ID), nil},
	} {
		if r := env.api(req.method, req.path, viewer, req.body); r.status != http.StatusForbidden {
			t.Errorf("viewer %s %s: %d, want 403", req.method, req.path, r.status)
		}
	}
	env.assertNothingStored(before)

	// An incident declared from the template takes what the request
	// leaves out.
	var inc incidents.Incident
	env.api(http.MethodPost, "/incidents", tok, map[string]any{"template": tp.ID, "title": "Load balancers failing in eu-west-1"}).
		expect(t, http.StatusCreated).decode(t, &inc)
	st := inc.ComponentStates()
	if inc.Title != "Load balancers failing in eu-west-1" || inc.Impact != incidents.ImpactCritical || inc.Updates[0].Message != "Looking into it." ||
		len(st) != 1 || st[0].Component != "elb-eu-west-1" || st[0].AffectedPercent.String() != "12.5" {
		t.Errorf("declared from the template: %+v", inc)
	}
	before = env.counts()
	if r := env.api(http.MethodPost, "/incidents", tok, map[string]any{"template": 9999}); r.status != http.StatusUnprocessableEntity || r.apiError(t).Field != "template" {
		t.Errorf("unknown template: %d %s", r.status, r.body)
	}
	env.assertNothingStored(before)

	env.api(http.MethodDelete, "/incident-templates/"+itoa(tp.ID), tok, nil).expect(t, http.StatusOK)
	env.api(http.MethodGet, "/incident-templates/"+itoa(tp.ID), tok, nil).expect(t, http.StatusNotFound)
	env.api(http.MethodDelete, "/incident-templates/"+itoa(tp.ID), tok, nil).expect(t, http.StatusNotFound)

	audits, _ := env.auditsAfter(mark)
	var actions []string
	for _, a := range audits {
		if a.Entity == "incident_template" {
			actions = append(actions, a.Action)
		}
	}
	if strings.Join(actions, " ") != "incident_template.create incident_template.update incident_template.delete" {
		t.Errorf("audit entries %v", actions)
	}
}
