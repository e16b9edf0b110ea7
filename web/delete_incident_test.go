package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
)

// dayUptime is the stored uptime of component on the UTC day of t.
func (e *testEnv) dayUptime(component string, t time.Time) string {
	e.t.Helper()
	day := t.UTC().Truncate(24 * time.Hour)
	u, err := e.incidents.DailyUptime(e.t.Context(), day, day.Add(24*time.Hour))
	if err != nil {
		e.t.Fatal(err)
	}
	return u.Of(component)[0].UptimePercent
}

// An admin deletes an incident declared by mistake: it is gone from every
// public page, feed and API, the uptime of the day it touched is computed
// again, the audit log keeps it, and nothing of it changes again.
func TestDeleteIncident(t *testing.T) {
	env := newTestEnv(t)
	admin := env.token(auth.Admin)
	support := env.token(auth.Support)
	viewer := env.token(auth.Viewer)
	past := time.Date(2012, 12, 1, 10, 0, 0, 0, time.UTC)
	mistake := env.backfill("Test incident declared by mistake", past, change("elb-us-east-1", incidents.MajorOutage, ""))
	kept := env.backfill("Real outage", past.Add(-48*time.Hour), change("elb-us-east-1", incidents.MajorOutage, ""))
	active := env.declare("Active mistake", change("elb-eu-west-1", incidents.PartialOutage, "5"))
	if got := env.dayUptime("elb-us-east-1", past); got != "95.8333" {
		t.Fatalf("uptime of the day before the delete: %s", got)
	}
	path := fmt.Sprintf("/incidents/%d", mistake.ID)
	for _, tok := range []string{support, viewer, ""} {
		before := env.counts()
		if r := env.api("DELETE", path, tok, nil); r.status != http.StatusForbidden && r.status != http.StatusUnauthorized {
			t.Errorf("DELETE by a non-admin: %d", r.status)
		}
		env.assertNothingStored(before)
	}
	env.api("DELETE", "/incidents/999", admin, nil).expect(t, http.StatusNotFound)

	var gone incidents.Incident
	env.api("DELETE", path, admin, nil).expect(t, http.StatusOK).decode(t, &gone)
	if gone.ID != mistake.ID || gone.Title != mistake.Title {
		t.Errorf("DELETE answered %+v", gone)
	}
	env.api("DELETE", fmt.Sprintf("/incidents/%d", active.ID), admin, nil).expect(t, http.StatusOK)

	if got := env.dayUptime("elb-us-east-1", past); got != "100.0000" {
		t.Errorf("uptime of the day after the delete: %s, want 100.0000", got)
	}
	if resp, _ := env.publicGet(path); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET %s after the delete: %d", path, resp.StatusCode)
	}
	for _, p := range []string{"/", "/history", "/history?page=1", "/history.atom", "/history.rss", "/api/v2/incidents.json", "/api/v2/summary.json", "/api/v2/incidents/unresolved.json", "/uptime"} {
		resp, body := env.publicGet(p)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", p, resp.StatusCode)
		}
		if strings.Contains(body, "mistake") {
			t.Errorf("GET %s still shows a deleted incident", p)
		}
	}
	if _, body := env.publicGet("/history"); !strings.Contains(body, kept.Title) {
		t.Error("/history lost the incident that was kept")
	}
	if doc := env.statusPage(); !strings.Contains(textOf(doc.Find(testid("overall"))), "All systems operational") {
		t.Errorf("/ after deleting the only active incident: %q", textOf(doc.Find(testid("overall"))))
	}
	var list struct {
		Items []incidents.Incident `json:"items"`
		Total int                  `json:"total"`
	}
	env.api("GET", "/incidents?state=resolved", viewer, nil).expect(t, http.StatusOK).decode(t, &list)
	if list.Total != 1 || len(list.Items) != 1 || list.Items[0].ID != kept.ID {
		t.Errorf("resolved list after the delete: %+v", list)
	}
	env.api("GET", "/incidents", viewer, nil).expect(t, http.StatusOK).decode(t, &list)
	if list.Total != 0 {
		t.Errorf("active list after the delete: %+v", list)
	}
	before := env.counts()
	env.api("GET", path, viewer, nil).expect(t, http.StatusNotFound)
	env.api("DELETE", path, admin, nil).expect(t, http.StatusNotFound)
	env.api("PATCH", path, support, map[string]any{"title": "x"}).expect(t, http.StatusNotFound)
	env.api("PATCH", fmt.Sprintf("%s/updates/%d", path, mistake.Updates[0].ID), support, map[string]any{"message": "x"}).expect(t, http.StatusNotFound)
	env.api("POST", fmt.Sprintf("/incidents/%d/updates", active.ID), support, map[string]any{"message": "x"}).expect(t, http.StatusNotFound)
	env.assertNothingStored(before)
	if _, err := env.db.Exec(`UPDATE incidents SET deleted_at = NULL WHERE id = ?`, mistake.ID); err == nil {
		t.Error("a deleted incident was brought back in place")
	}
	if _, err := env.db.Exec(`INSERT INTO incident_updates (incident_id, phase, message, at, created_at, author) VALUES (?, 'investigating', 'x', '2012-12-24T20:00:00Z', '2012-12-24T20:00:00Z', 'x')`, active.ID); err == nil {
		t.Error("a deleted incident took an update")
	}
	var before1 string
	if err := env.db.QueryRow(`SELECT before_json FROM audit_log WHERE action = 'incident.delete' AND entity_id = ?`, fmt.Sprint(mistake.ID)).Scan(&before1); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(before1, mistake.Title) || !strings.Contains(before1, "Investigating.") {
		t.Errorf("audit of the delete: %s", before1)
	}
}

// An incident the credit desk paid or is about to pay for is not deleted:
// 409 naming the grant or the run, and nothing changes.
func TestDeleteIncidentRefusedOncePaid(t *testing.T) {
	env := newTestEnv(t)
	admin := env.token(auth.Admin)
	support := env.token(auth.Support)
	max := env.personToken("max@example.com", auth.Manager)
	zoe := env.personToken("zoe@example.com", auth.Manager)
	env.seedDesk(support, max)
	var list struct {
		Items []incidents.Incident `json:"items"`
	}
	env.api("GET", "/incidents?state=resolved", support, nil).expect(t, http.StatusOK).decode(t, &list)
	inc := list.Items[0].ID
	path := fmt.Sprintf("/incidents/%d", inc)

	var g desk.GoodwillGrant
	env.api("POST", path+"/goodwill", support, map[string]any{"days": 10, "services": []string{"ELB"}}).expect(t, http.StatusCreated).decode(t, &g)
	before := env.counts()
	if e := env.api("DELETE", path, admin, nil).expect(t, http.StatusConflict).apiError(t); !strings.Contains(e.Message, fmt.Sprintf("goodwill grant %d", g.ID)) {
		t.Errorf("with a pending grant: %q", e.Message)
	}
	env.assertNothingStored(before)
	env.api("POST", fmt.Sprintf("/goodwill/%d/withdraw", g.ID), support, map[string]any{"reason": "declared by mistake"}).expect(t, http.StatusOK)

	var run desk.CreditRun
	env.api("POST", "/credit-runs", support, map[string]any{"month": "2012-12"}).expect(t, http.StatusCreated).decode(t, &run)
	// A previewed run pays nothing; a requested one is about to.
	env.api("POST", fmt.Sprintf("/credit-runs/%d/request", run.ID), support, nil).expect(t, http.StatusOK)
	before = env.counts()
	if e := env.api("DELETE", path, admin, nil).expect(t, http.StatusConflict).apiError(t); !strings.Contains(e.Message, fmt.Sprintf("credit run %d", run.ID)) {
		t.Errorf("with a requested run: %q", e.Message)
	}
	env.assertNothingStored(before)
	env.api("POST", fmt.Sprintf("/credit-runs/%d/approve", run.ID), zoe, nil).expect(t, http.StatusOK)
	before = env.counts()
	if e := env.api("DELETE", path, admin, nil).expect(t, http.StatusConflict).apiError(t); !strings.Contains(e.Message, fmt.Sprintf("credit run %d", run.ID)) {
		t.Errorf("with an issued run: %q", e.Message)
	}
	env.assertNothingStored(before)

	// The admin page says the same beside its delete form.
	b := env.user(auth.Admin)
	b.get("/admin")
	resp := b.postForm(fmt.Sprintf("/admin/incidents/%d/delete", inc), url.Values{"confirm": {"delete"}})
	doc := parseHTML(t, readBody(t, resp))
	if resp.StatusCode != http.StatusConflict || !strings.Contains(textOf(doc.Find(testid("delete-error"))), fmt.Sprintf("credit run %d", run.ID)) {
		t.Errorf("admin delete of a paid incident: %d %q", resp.StatusCode, textOf(doc.Find(testid("delete-error"))))
	}
	env.assertNothingStored(before)
}

// The admin page deletes after a ticked confirmation, for admins only.
func TestDeleteIncidentAdmin(t *testing.T) {
	env := newTestEnv(t)
	inc := env.declare("Declared by mistake", change("elb-us-east-1", incidents.PartialOutage, "5"))
	del := fmt.Sprintf("/admin/incidents/%d/delete", inc.ID)
	sup := env.user(auth.Support)
	b := env.user(auth.Admin)
	sup.get("/admin")
	before := env.counts()
	if resp := sup.postForm(del, url.Values{"confirm": {"delete"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("support deletes: %d", resp.StatusCode)
	}
	_, body := b.get(fmt.Sprintf("/admin/incidents/%d/correct", inc.ID))
	if parseHTML(t, body).Find(testid("delete-incident-form")).Length() != 1 {
		t.Error("no delete form for an admin")
	}
	resp := b.postForm(del, url.Values{})
	doc := parseHTML(t, readBody(t, resp))
	if resp.StatusCode != http.StatusUnprocessableEntity || textOf(doc.Find(testid("delete-error"))) == "" {
		t.Errorf("delete without confirmation: %d", resp.StatusCode)
	}
	env.assertNothingStored(before)
	b.get("/admin")
	resp = b.postForm(del, url.Values{"confirm": {"delete"}})
	readBody(t, resp)
	if resp.Request.URL.Path != "/admin/incidents" {
		t.Errorf("after the delete: at %s (%d)", resp.Request.URL.Path, resp.StatusCode)
	}
	if r, _ := env.publicGet(fmt.Sprintf("/incidents/%d", inc.ID)); r.StatusCode != http.StatusNotFound {
		t.Errorf("public page after the admin delete: %d", r.StatusCode)
	}
	if _, body := b.get("/admin/incidents"); strings.Contains(body, "Declared by mistake") {
		t.Error("the admin list still shows the deleted incident")
	}
}
