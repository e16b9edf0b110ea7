package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/incidents"
)

// templateForm is a valid template form: ELB in us-east-1 partly down.
func templateForm(name string) url.Values {
	return url.Values{
		"name": {name}, "title": {"Load balancers failing in us-east-1"}, "impact": {""},
		"message":              {"We are looking into errors from load balancers."},
		"status.elb-us-east-1": {"partial_outage"}, "percent.elb-us-east-1": {"6.8"},
		"status.elb-eu-west-1": {""},
	}
}

func (e *testEnv) onlyTemplate() incidents.Template {
	e.t.Helper()
	list, err := e.incidents.Templates(context.Background())
	if err != nil || len(list) != 1 {
		e.t.Fatalf("templates: %v, %d stored, want 1", err, len(list))
	}
	return list[0]
}

// Support creates a template from the form (rows as on the declare form),
// changes it and deletes it; the list shows it; each write has its audit
// entry.
func TestIncidentTemplatePages(t *testing.T) {
	env := newTestEnv(t)
	b := env.user(auth.Support)
	resp, body := b.get("/admin/incident-templates")
	if resp.StatusCode != http.StatusOK || parseHTML(t, body).Find(testid("templates-empty")).Length() != 1 {
		t.Fatalf("empty list: %d", resp.StatusCode)
	}
	if cur := parseHTML(t, body).Find(`a[aria-current="page"]`).AttrOr("href", ""); cur != "/admin/incidents" {
		t.Errorf("the navigation marks %q as the current section, want /admin/incidents", cur)
	}
	_, body = b.get("/admin/incidents")
	if parseHTML(t, body).Find(testid("templates-link")).AttrOr("href", "") != "/admin/incident-templates" {
		t.Error("the incidents page does not link to the templates")
	}
	_, body = b.get("/admin/incident-templates/new")
	doc := parseHTML(t, body)
	if doc.Find(`select[name="service_status.ELB"]`).Length() != 1 || doc.Find(`select[name="status.elb-us-east-1"]`).Length() != 1 {
		t.Error("the new template form lacks the component rows")
	}
	if doc.Find(`textarea[name^="customers."]`).Length() != 0 {
		t.Error("the template form offers customers")
	}
	if doc.Find(testid("template-form")+` input[name="_csrf"]`).AttrOr("value", "") == "" {
		t.Error("the template form has no CSRF field")
	}

	mark := env.lastAuditID()
	_, body = mustPost(t, b, "/admin/incident-templates", templateForm("ELB, one region"), "/admin/incident-templates/")
	tp := env.onlyTemplate()
	if tp.Name != "ELB, one region" || tp.Impact != incidents.ImpactMajor || len(tp.Components) != 1 ||
		tp.Components[0].Component != "elb-us-east-1" || tp.Components[0].Status != incidents.PartialOutage || tp.Components[0].AffectedPercent.String() != "6.8" {
		t.Fatalf("stored %+v", tp)
	}
	doc = parseHTML(t, body)
	if v := doc.Find(`select[name="status.elb-us-east-1"] option[selected]`).AttrOr("value", ""); v != "partial_outage" {
		t.Errorf("the edit form shows the component at %q", v)
	}
	if v := doc.Find(`input[name="percent.elb-us-east-1"]`).AttrOr("value", ""); v != "6.8" {
		t.Errorf("the edit form shows the share %q", v)
	}

	// A whole service set at once, and an impact of its own.
	f := templateForm("ELB, everywhere")
	f.Set("impact", "critical")
	f.Set("status.elb-us-east-1", "")
	f.Set("service_status.ELB", "major_outage")
	f.Set("percent.elb-us-east-1", "")
	mustPost(t, b, "/admin/incident-templates/"+itoa(tp.ID), f, "/admin/incident-templates/")
	ed, err := env.incidents.Template(context.Background(), tp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ed.Name != "ELB, everywhere" || ed.Impact != incidents.ImpactCritical || len(ed.Components) != 2 || ed.Components[1].Status != incidents.MajorOutage {
		t.Errorf("edited %+v", ed)
	}
	_, body = b.get("/admin/incident-templates")
	row := parseHTML(t, body).Find(testid("template-row"))
	if row.Length() != 1 || !strings.Contains(textOf(row), "ELB, everywhere") || !strings.Contains(textOf(row), "Major outage, 100%") {
		t.Errorf("list row %q", textOf(row))
	}
	if href := row.Find(testid("declare-from-template")).AttrOr("href", ""); href != "/admin/incidents/new?template="+itoa(tp.ID) {
		t.Errorf("declare link %q", href)
	}

	mustPost(t, b, "/admin/incident-templates/"+itoa(tp.ID)+"/delete", url.Values{}, "/admin/incident-templates")
	if list, _ := env.incidents.Templates(context.Background()); len(list) != 0 {
		t.Errorf("%d templates after delete", len(list))
	}
	audits, _ := env.auditsAfter(mark)
	var actions []string
	for _, a := range audits {
		if a.Entity == "incident_template" && a.EntityID == itoa(tp.ID) {
			actions = append(actions, a.Action)
		}
	}
	if strings.Join(actions, " ") != "incident_template.create incident_template.update incident_template.delete" {
		t.Errorf("audit entries %v", actions)
	}
	if resp, _ := b.get("/admin/incident-templates/" + itoa(tp.ID)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("deleted template's page: %d", resp.StatusCode)
	}
}

// A bad template form is a 422 naming the field, shows what was typed,
// and changes nothing.
func TestIncidentTemplateFormErrors(t *testing.T) {
	env := newTestEnv(t)
	b := env.user(auth.Support)
	mustPost(t, b, "/admin/incident-templates", templateForm("Taken"), "/admin/incident-templates/")
	taken := env.onlyTemplate()
	mustPost(t, b, "/admin/incident-templates", templateForm("Second"), "/admin/incident-templates/")
	stored, err := env.incidents.Template(context.Background(), taken.ID+1)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		edit  func(url.Values)
		field string
	}{
		{"no name", func(f url.Values) { f.Set("name", "") }, "name"},
		{"name taken", func(f url.Values) { f.Set("name", "taken") }, "name"},
		{"escape in title", func(f url.Values) { f.Set("title", "bad \x1b title") }, "title"},
		{"no message", func(f url.Values) { f.Set("message", " ") }, "message"},
		{"bad impact", func(f url.Values) { f.Set("impact", "apocalyptic") }, "impact"},
		{"share on operational", func(f url.Values) {
			f.Set("status.elb-us-east-1", "operational")
			f.Set("percent.elb-us-east-1", "12.5")
		}, "percent.elb-us-east-1"},
		{"share above 100", func(f url.Values) { f.Set("percent.elb-us-east-1", "120") }, "percent.elb-us-east-1"},
		{"unknown component", func(f url.Values) { f.Set("status.nope", "major_outage") }, "status.nope"},
		{"nothing affected", func(f url.Values) { f.Set("status.elb-us-east-1", ""); f.Set("percent.elb-us-east-1", "") }, "components"},
		{"customers", func(f url.Values) { f.Set("customers.elb-us-east-1", "acme") }, "customers.elb-us-east-1"},
	} {
		for _, path := range []string{"/admin/incident-templates", "/admin/incident-templates/" + itoa(stored.ID)} {
			f := templateForm("Fresh")
			if path != "/admin/incident-templates" {
				f.Set("name", "Other")
			}
			tc.edit(f)
			before := env.counts()
			resp := b.postForm(path, f)
			body := readBody(t, resp)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("%s at %s: %d, want 422", tc.name, path, resp.StatusCode)
				continue
			}
			doc := parseHTML(t, body)
			if !strings.Contains(textOf(doc.Find(testid("form-error"))), "correct") {
				t.Errorf("%s at %s: no error summary", tc.name, path)
			}
			switch tc.field {
			case "status.nope", "components", "customers.elb-us-east-1":
				if !strings.Contains(body, map[string]string{"status.nope": "unknown component", "components": "at least one component",
					"customers.elb-us-east-1": "names no customers"}[tc.field]) {
					t.Errorf("%s at %s: no word of what is wrong", tc.name, path)
				}
			default:
				if fieldError(doc, tc.field) == "" {
					t.Errorf("%s at %s: no error on %s", tc.name, path, tc.field)
				}
			}
			if tc.field == "customers.elb-us-east-1" && !strings.Contains(textOf(doc.Find(testid("component-field-elb-us-east-1"))), "names no customers") {
				t.Errorf("%s at %s: the row does not show the error", tc.name, path)
			}
			if tc.name == "escape in title" {
				// what was typed is shown again
				if v := doc.Find(`input[name="name"]`).AttrOr("value", ""); v == "" {
					t.Errorf("%s: the name typed is gone", tc.name)
				}
			}
			env.assertNothingStored(before)
		}
	}
	if got, _ := env.incidents.Template(context.Background(), stored.ID); got.Name != "Second" || got.Title != stored.Title {
		t.Errorf("the stored template changed: %+v", got)
	}
}

// Viewers neither see nor write templates; support and above do.
func TestIncidentTemplateRoles(t *testing.T) {
	env := newTestEnv(t)
	s := env.user(auth.Support)
	mustPost(t, s, "/admin/incident-templates", templateForm("T"), "/admin/incident-templates/")
	id := itoa(env.onlyTemplate().ID)
	v := env.user(auth.Viewer)
	managers := []*browser{env.user(auth.Manager), env.user(auth.Admin)}
	for _, path := range []string{"/admin/incident-templates", "/admin/incident-templates/new", "/admin/incident-templates/" + id} {
		if resp, _ := v.get(path); resp.StatusCode != http.StatusForbidden {
			t.Errorf("viewer GET %s: %d, want 403", path, resp.StatusCode)
		}
	}
	before := env.counts()
	for _, path := range []string{"/admin/incident-templates", "/admin/incident-templates/" + id, "/admin/incident-templates/" + id + "/delete"} {
		if resp := v.postForm(path, templateForm("V")); resp.StatusCode != http.StatusForbidden {
			t.Errorf("viewer POST %s: %d, want 403", path, resp.StatusCode)
		}
	}
	env.assertNothingStored(before)
	for i, m := range managers {
		if resp, _ := m.get("/admin/incident-templates/" + id); resp.StatusCode != http.StatusOK {
			t.Errorf("manager or admin %d: %d", i, resp.StatusCode)
		}
	}
	// Without a CSRF token, a post is refused and changes nothing.
	resp, _ := s.post("/admin/incident-templates/"+id+"/delete", url.Values{}, nil)
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("delete without CSRF: %d, want 403", resp.StatusCode)
	}
	env.assertNothingStored(before)
}

// The declare form offers the templates; choosing one (a plain GET) fills
// in title, impact, message and component rows, which the responder may
// change before declaring.
func TestDeclareFromTemplate(t *testing.T) {
	env := newTestEnv(t)
	b := env.user(auth.Support)
	_, body := b.get("/admin/incidents/new")
	if parseHTML(t, body).Find(testid("no-templates")).Length() != 1 {
		t.Error("without templates, the declare form does not say so")
	}
	f := templateForm("ELB, one region")
	f.Set("impact", "critical")
	mustPost(t, b, "/admin/incident-templates", f, "/admin/incident-templates/")
	tp := env.onlyTemplate()

	_, body = b.get("/admin/incidents/new")
	doc := parseHTML(t, body)
	chooser := doc.Find(testid("template-chooser") + ` form[method="get"][action="/admin/incidents/new"]`)
	if chooser.Find(`select[name="template"] option[value="`+itoa(tp.ID)+`"]`).Length() != 1 {
		t.Fatal("the declare form does not offer the template")
	}
	if doc.Find(`input[name="title"]`).AttrOr("value", "") != "" {
		t.Error("the form is filled before a template is chosen")
	}

	resp, body := b.get("/admin/incidents/new?template=" + itoa(tp.ID))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("from template: %d", resp.StatusCode)
	}
	doc = parseHTML(t, body)
	form := doc.Find(testid("incident-form"))
	checks := map[string]string{
		"title":  form.Find(`input[name="title"]`).AttrOr("value", ""),
		"impact": form.Find(`select[name="impact"] option[selected]`).AttrOr("value", ""),
		"msg":    strings.TrimSpace(form.Find(`textarea[name="message"]`).Text()),
		"status": form.Find(`select[name="status.elb-us-east-1"] option[selected]`).AttrOr("value", ""),
		"pct":    form.Find(`input[name="percent.elb-us-east-1"]`).AttrOr("value", ""),
		"other":  form.Find(`select[name="status.elb-eu-west-1"] option[selected]`).AttrOr("value", "x"),
	}
	want := map[string]string{"title": tp.Title, "impact": "critical", "msg": tp.Message, "status": "partial_outage", "pct": "6.8", "other": ""}
	for k := range want {
		if checks[k] != want[k] {
			t.Errorf("%s: %q, want %q", k, checks[k], want[k])
		}
	}
	if !form.Find(testid("service-group-elb")).Is("[open]") {
		t.Error("the template's service group is folded")
	}
	if !strings.Contains(textOf(doc.Find(testid("from-template"))), "ELB, one region") {
		t.Error("the form does not say which template it holds")
	}

	// The responder changes the share and the title, and declares.
	mustPost(t, b, "/admin/incidents", url.Values{
		"title": {checks["title"] + " and eu-west-1"}, "impact": {checks["impact"]}, "phase": {"investigating"}, "message": {checks["msg"]},
		"status.elb-us-east-1": {"partial_outage"}, "percent.elb-us-east-1": {"10"}, "status.elb-eu-west-1": {""},
	}, "/admin/incidents/")
	inc := env.latestIncident()
	if inc.Title != tp.Title+" and eu-west-1" || inc.Impact != incidents.ImpactCritical || inc.Updates[0].Message != tp.Message {
		t.Errorf("declared %q %s %q", inc.Title, inc.Impact, inc.Updates[0].Message)
	}
	if st := inc.ComponentStates(); len(st) != 1 || st[0].AffectedPercent.String() != "10" {
		t.Errorf("declared states %+v", st)
	}
	if got, _ := env.incidents.Template(context.Background(), tp.ID); got.Components[0].AffectedPercent.String() != "6.8" {
		t.Error("declaring changed the template")
	}

	for path, want := range map[string]int{
		"/admin/incidents/new?template=abc":  http.StatusUnprocessableEntity,
		"/admin/incidents/new?template=9999": http.StatusNotFound,
	} {
		if resp, _ := b.get(path); resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
	}
}

// "Save as template" on the declare form stores nothing and declares
// nothing: it opens the new template form holding what was typed, which
// then saves as any template.
func TestDeclareFormSaveAsTemplate(t *testing.T) {
	env := newTestEnv(t)
	b := env.user(auth.Support)
	b.get("/admin/incidents/new")
	before := env.counts()
	resp := b.postForm("/admin/incidents", url.Values{
		"save_template": {"1"}, "title": {"Load balancers failing"}, "impact": {"major"}, "phase": {"investigating"},
		"message":              {"Looking into it."},
		"status.elb-us-east-1": {"partial_outage"}, "percent.elb-us-east-1": {"6.8"}, "customers.elb-us-east-1": {"acme"},
		"status.elb-eu-west-1": {""},
	})
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("save as template: %d\n%s", resp.StatusCode, body)
	}
	env.assertNothingStored(before)
	doc := parseHTML(t, body)
	f := doc.Find(testid("template-form"))
	if f.AttrOr("action", "") != "/admin/incident-templates" || f.Find(`input[name="title"]`).AttrOr("value", "") != "Load balancers failing" ||
		f.Find(`select[name="impact"] option[selected]`).AttrOr("value", "") != "major" ||
		f.Find(`select[name="status.elb-us-east-1"] option[selected]`).AttrOr("value", "") != "partial_outage" ||
		f.Find(`input[name="percent.elb-us-east-1"]`).AttrOr("value", "") != "6.8" || f.Find(`input[name="name"]`).AttrOr("value", "x") != "" {
		t.Fatalf("the template form does not hold what was typed:\n%s", textOf(f))
	}
	if !strings.Contains(body, "customers you named are not kept") {
		t.Error("the form does not say the customers are left out")
	}
	mustPost(t, b, "/admin/incident-templates", url.Values{
		"name": {"From the declare form"}, "title": {"Load balancers failing"}, "impact": {"major"}, "message": {"Looking into it."},
		"status.elb-us-east-1": {"partial_outage"}, "percent.elb-us-east-1": {"6.8"}, "status.elb-eu-west-1": {""},
	}, "/admin/incident-templates/")
	if tp := env.onlyTemplate(); tp.Title != "Load balancers failing" || len(tp.Components) != 1 {
		t.Errorf("stored %+v", tp)
	}
}
