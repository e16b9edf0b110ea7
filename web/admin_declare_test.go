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

// The declare form groups components by service, each service folded
// until something in it is set, and a service's first row sets every
// component left at "As the service" (on the server, without script); a
// component row with its own status keeps it.
func TestDeclareFormSetsAWholeService(t *testing.T) {
	env := newTestEnv(t)
	b := env.user(auth.Support)
	_, body := b.get("/admin/incidents/new")
	doc := parseHTML(t, body)
	group := doc.Find(testid("service-group-elb"))
	if group.Length() != 1 || group.Is("[open]") {
		t.Fatalf("the ELB group: %d, open %v; want one, folded", group.Length(), group.Is("[open]"))
	}
	if group.Find(`select[name="service_status.ELB"]`).Length() != 1 || group.Find(`input[name="service_percent.ELB"]`).Length() != 1 {
		t.Error("the group has no whole-service row")
	}
	if v := group.Find(`select[name="status.elb-us-east-1"] option[selected]`).AttrOr("value", "x"); v != "" {
		t.Errorf("a new row starts at %q, want \"\" (As the service)", v)
	}

	mustPost(t, b, "/admin/incidents", url.Values{
		"title": {"Load balancers failing"}, "impact": {"major"}, "phase": {"investigating"},
		"message":            {"Looking into it."},
		"service_status.ELB": {"major_outage"}, "service_percent.ELB": {"6.8"},
		"status.elb-us-east-1": {""}, "percent.elb-us-east-1": {""},
		"status.elb-eu-west-1": {"degraded_performance"}, "percent.elb-eu-west-1": {"1"},
	}, "/admin/incidents/")
	inc := env.latestIncident()
	got := map[string]string{}
	for _, cs := range inc.ComponentStates() {
		got[cs.Component] = string(cs.Status) + " " + cs.AffectedPercent.String()
	}
	if got["elb-us-east-1"] != "major_outage 6.8" || got["elb-eu-west-1"] != "degraded_performance 1" {
		t.Errorf("component states %v", got)
	}

	// The update form has the same rows; its group is open, since
	// components are set.
	_, body = b.get("/admin/incidents/" + itoa(inc.ID))
	if g := parseHTML(t, body).Find(testid("service-group-elb")); !g.Is("[open]") || !strings.Contains(textOf(g.Find(".cf-summary")), "2 of 2") {
		t.Errorf("update form's ELB group: open %v, summary %q", g.Is("[open]"), textOf(g.Find(".cf-summary")))
	}
}

// A share on a whole service left operational, or an unknown service, is
// a 422 naming the field; the group opens to show it; nothing is stored.
func TestDeclareFormWholeServiceErrors(t *testing.T) {
	env := newTestEnv(t)
	b := env.user(auth.Support)
	b.get("/admin/incidents/new")
	before := env.counts()
	for _, tc := range []struct {
		form  url.Values
		field string
	}{
		{url.Values{"service_status.ELB": {"operational"}, "service_percent.ELB": {"12.5"}}, "service_percent.ELB"},
		{url.Values{"service_status.ELB": {"major_outage"}, "service_percent.ELB": {"120"}}, "service_percent.ELB"},
		{url.Values{"service_status.NOPE": {"major_outage"}}, "service_status.NOPE"},
	} {
		f := url.Values{"title": {"X"}, "impact": {"minor"}, "phase": {"investigating"}, "message": {"Y"}, "status.elb-us-east-1": {""}}
		for k, v := range tc.form {
			f[k] = v
		}
		resp := b.postForm("/admin/incidents", f)
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%v: %d, want 422", tc.form, resp.StatusCode)
			continue
		}
		doc := parseHTML(t, body)
		if tc.field == "service_percent.ELB" {
			if msg := fieldError(doc, tc.field); msg == "" {
				t.Errorf("%v: no error on %s", tc.form, tc.field)
			}
			if !doc.Find(testid("service-group-elb")).Is("[open]") {
				t.Errorf("%v: the group with the error is folded", tc.form)
			}
		} else if !strings.Contains(body, "unknown service") {
			t.Errorf("%v: no word of the unknown service", tc.form)
		}
	}
	env.assertNothingStored(before)
}

// latestIncident is the incident declared last.
func (e *testEnv) latestIncident() incidents.Incident {
	e.t.Helper()
	list, err := e.incidents.ActiveIncidents(context.Background())
	if err != nil || len(list) == 0 {
		e.t.Fatalf("active incidents: %v", err)
	}
	return list[0] // newest first
}

// The Preview button shows the first update as the public page would
// (escaped plain text in paragraphs, each component's status and share),
// keeps what was typed, and stores nothing.
func TestDeclareFormPreview(t *testing.T) {
	env := newTestEnv(t)
	b := env.user(auth.Support)
	b.get("/admin/incidents/new")
	before := env.counts()
	resp := b.postForm("/admin/incidents", url.Values{
		"preview": {"1"}, "title": {"Load balancers failing"}, "impact": {"major"}, "phase": {"identified"},
		"message":            {"First paragraph <b>bold?</b>\n\nSecond paragraph."},
		"service_status.ELB": {"partial_outage"}, "service_percent.ELB": {"6.8"},
	})
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("preview: %d", resp.StatusCode)
	}
	doc := parseHTML(t, body)
	pv := doc.Find(testid("preview"))
	if pv.Length() != 1 {
		t.Fatal("no preview")
	}
	if n := pv.Find(`[data-testid="update-message"] p`).Length(); n != 2 {
		t.Errorf("preview paragraphs: %d, want 2", n)
	}
	if pv.Find("b").Length() != 0 || !strings.Contains(textOf(pv), "<b>bold?</b>") {
		t.Error("the message is not shown as escaped text")
	}
	if got := textOf(pv.Find(testid("update-phase"))); got != "Identified" {
		t.Errorf("preview phase %q", got)
	}
	if n := pv.Find(testid("update-change")).Length(); n != 2 || !strings.Contains(textOf(pv), "6.8% affected") {
		t.Errorf("preview changes: %d, %q", n, textOf(pv.Find(".changes")))
	}
	if v := doc.Find(`input[name="title"]`).AttrOr("value", ""); v != "Load balancers failing" {
		t.Errorf("title kept as %q", v)
	}
	env.assertNothingStored(before)
}
