package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/incidents"
)

// A typo in a title, an impact or a published update is corrected through
// the API by support: the incident's JSON, the public page, the feeds and
// the v2 API show the corrected text, the update is marked edited with the
// time, the update as first published stays stored, and the audit log
// keeps the text before and after.
func TestCorrectIncidentAndUpdateAPI(t *testing.T) {
	env := newTestEnv(t)
	support := env.token(auth.Support)
	viewer := env.token(auth.Viewer)
	inc := env.declare("Elevatd erors", change("elb-us-east-1", incidents.PartialOutage, "5"))
	path := fmt.Sprintf("/incidents/%d", inc.ID)
	uid := inc.Updates[0].ID
	upath := fmt.Sprintf("%s/updates/%d", path, uid)

	env.api("PATCH", path, viewer, map[string]any{"title": "Elevated errors"}).expect(t, http.StatusForbidden)
	env.api("PATCH", upath, viewer, map[string]any{"message": "m"}).expect(t, http.StatusForbidden)
	for _, tc := range []struct {
		path  string
		body  any
		code  int
		field string
	}{
		{path, map[string]any{"title": " "}, 422, "title"},
		{path, map[string]any{"title": "Elevated\u202eerrors"}, 422, "title"},
		{path, map[string]any{"title": "Elevated\x1berrors"}, 422, "title"},
		{path, "{\"title\": \"Elevated \xff\"}", 422, "title"},
		{path, map[string]any{"impact": "apocalyptic"}, 422, "impact"},
		{path, map[string]any{}, 422, ""},
		{path, map[string]any{"phase": "resolved"}, 400, "phase"},
		{"/incidents/999", map[string]any{"title": "x"}, 404, ""},
		{upath, map[string]any{"message": ""}, 422, "message"},
		{upath, map[string]any{"message": "Looking\x00"}, 422, "message"},
		{upath, map[string]any{"message": strings.Repeat("m", incidents.MaxMessageLen+1)}, 422, "message"},
		{upath, map[string]any{"message": "x", "at": "2012-12-24T20:00:00Z"}, 400, "at"},
		{fmt.Sprintf("%s/updates/999", path), map[string]any{"message": "x"}, 404, ""},
		{fmt.Sprintf("%s/updates/abc", path), map[string]any{"message": "x"}, 404, ""},
	} {
		before := env.counts()
		r := env.api("PATCH", tc.path, support, tc.body)
		env.assertNothingStored(before)
		if r.status != tc.code {
			t.Errorf("PATCH %s %v: %d, want %d\n%s", tc.path, tc.body, r.status, tc.code, r.body)
			continue
		}
		if e := r.apiError(t); e.Field != tc.field {
			t.Errorf("PATCH %s %v: field %q, want %q", tc.path, tc.body, e.Field, tc.field)
		}
	}

	env.clock.Advance(10 * time.Minute)
	var got incidents.Incident
	env.api("PATCH", path, support, map[string]any{"title": "Elevated errors", "impact": "minor"}).expect(t, http.StatusOK).decode(t, &got)
	if got.Title != "Elevated errors" || got.Impact != incidents.ImpactMinor {
		t.Fatalf("corrected %+v", got)
	}
	env.api("PATCH", upath, support, map[string]any{"message": "We are looking into elevated error rates."}).expect(t, http.StatusOK).decode(t, &got)
	if u := got.Updates[0]; u.Message != "We are looking into elevated error rates." || u.EditedAt == nil || !u.EditedAt.Equal(env.clock.Now()) {
		t.Fatalf("corrected update %+v", u)
	}
	// The same text again writes nothing.
	before := env.counts()
	env.api("PATCH", upath, support, map[string]any{"message": "We are looking into elevated error rates."}).expect(t, http.StatusOK)
	env.api("PATCH", path, support, map[string]any{"title": "Elevated errors"}).expect(t, http.StatusOK)
	env.assertNothingStored(before)

	env.api("GET", path, viewer, nil).expect(t, http.StatusOK).decode(t, &got)
	if got.Title != "Elevated errors" || got.Updates[0].Message != "We are looking into elevated error rates." || got.Updates[0].EditedAt == nil {
		t.Errorf("GET after the corrections: %+v", got)
	}
	var original string
	if err := env.db.QueryRow(`SELECT message FROM incident_updates WHERE id = ?`, uid).Scan(&original); err != nil || original != "We are investigating elevatd erors." {
		t.Errorf("the published update row says %q (%v), want it as published", original, err)
	}
	if _, err := env.db.Exec(`UPDATE incident_update_edits SET message = 'x'`); err == nil {
		t.Error("an edit was changed in place")
	}
	var before1, after1 string
	if err := env.db.QueryRow(`SELECT before_json, after_json FROM audit_log WHERE action = 'incident.update.correct'`).Scan(&before1, &after1); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(before1, "investigating elevatd erors") || !strings.Contains(after1, "elevated error rates") {
		t.Errorf("audit before %s after %s", before1, after1)
	}
	if err := env.db.QueryRow(`SELECT before_json, after_json FROM audit_log WHERE action = 'incident.correct'`).Scan(&before1, &after1); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(before1, "Elevatd erors") || !strings.Contains(after1, `"Elevated errors"`) {
		t.Errorf("audit before %s after %s", before1, after1)
	}

	resp, body := env.publicGet(path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("public page: %d", resp.StatusCode)
	}
	doc := parseHTML(t, body)
	if msg := textOf(doc.Find(testid("update-message"))); msg != "We are looking into elevated error rates." {
		t.Errorf("public message %q", msg)
	}
	if edited := textOf(doc.Find(testid("update-edited"))); !strings.Contains(edited, "edited") || !strings.Contains(edited, "24 Dec 2012, 20:10 UTC") {
		t.Errorf("public edited mark %q", edited)
	}
	for _, p := range []string{"/history.atom", "/api/v2/incidents.json", "/"} {
		_, body := env.publicGet(p)
		if strings.Contains(body, "Elevatd") || (p != "/" && !strings.Contains(body, "elevated error rates")) {
			t.Errorf("%s does not show the corrected text", p)
		}
	}
}

// The admin page corrects the same way, and refuses bad text beside its
// field without storing anything.
func TestCorrectIncidentAdmin(t *testing.T) {
	env := newTestEnv(t)
	b := env.user(auth.Support)
	viewer := env.user(auth.Viewer)
	inc := env.declare("Elevatd erors", change("elb-us-east-1", incidents.PartialOutage, "5"))
	base := fmt.Sprintf("/admin/incidents/%d", inc.ID)
	if _, body := b.get(base); parseHTML(t, body).Find(testid("correct-link")).Length() != 1 {
		t.Error("no link to the corrections on the incident's admin page")
	}
	if resp, _ := viewer.get(base + "/correct"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a viewer gets the corrections page: %d", resp.StatusCode)
	}
	resp, body := b.get(base + "/correct")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s/correct: %d", base, resp.StatusCode)
	}
	if parseHTML(t, body).Find(testid("delete-incident")).Length() != 0 {
		t.Error("support sees the delete form")
	}

	before := env.counts()
	resp = b.postForm(base+"/correct", url.Values{"title": {"Bad\x1btitle"}, "impact": {"major"}})
	doc := parseHTML(t, readBody(t, resp))
	env.assertNothingStored(before)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(fieldError(doc, "title"), "U+001B") {
		t.Errorf("bad title: %d, error %q", resp.StatusCode, fieldError(doc, "title"))
	}
	b.get("/admin")
	uid := inc.Updates[0].ID
	resp = b.postForm(fmt.Sprintf("%s/updates/%d/correct", base, uid), url.Values{"message": {"  "}})
	doc = parseHTML(t, readBody(t, resp))
	env.assertNothingStored(before)
	if resp.StatusCode != http.StatusUnprocessableEntity || fieldError(doc, "message") == "" {
		t.Errorf("empty message: %d", resp.StatusCode)
	}

	b.get("/admin")
	resp = b.postForm(base+"/correct", url.Values{"title": {"Elevated errors"}, "impact": {"minor"}})
	readBody(t, resp)
	b.get("/admin")
	resp = b.postForm(fmt.Sprintf("%s/updates/%d/correct", base, uid), url.Values{"message": {"Looking into it."}})
	readBody(t, resp)
	if resp.Request.URL.Path != base {
		t.Errorf("after the correction: at %s", resp.Request.URL.Path)
	}
	got, err := env.incidents.Incident(t.Context(), inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "Elevated errors" || got.Impact != incidents.ImpactMinor || got.Updates[0].Message != "Looking into it." || got.Updates[0].EditedAt == nil {
		t.Errorf("after the admin corrections: %+v", got)
	}
}
