package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/auth"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/web/api"
)

// Every refused input answers 4xx, says which field is wrong (beside it in
// a form, in "field" in the API) and stores nothing: no incident, update,
// component status, maintenance or audit row.

type badForm struct {
	name   string
	path   string // "{id}" is the active incident, "{resolved}" the resolved one
	form   url.Values
	status int
	field  string // the control the error shows beside; "" for a page-level error
	says   string // a piece of the message
}

func TestBadFormInput(t *testing.T) {
	env := newTestEnv(t)
	b := env.user(auth.Support)
	env.clock.Advance(time.Hour) // 21:00 UTC
	start := env.clock.Now().Add(-30 * time.Minute)
	active, err := env.incidents.CreateIncident(t.Context(), audit.Person("ops@example.com"), incidents.IncidentInput{
		Title: "Active", Phase: incidents.Identified, Message: "m", StartedAt: &start,
		Components: []incidents.ComponentChange{change("elb-us-east-1", incidents.PartialOutage, "5")},
	}, env.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	resolved := env.backfill("Resolved", time.Date(2012, 12, 1, 0, 0, 0, 0, time.UTC))

	incident := func(kv ...string) url.Values {
		v := url.Values{"title": {"Elevated errors"}, "impact": {"major"}, "phase": {"investigating"}, "message": {"Looking."}}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	update := func(kv ...string) url.Values {
		v := url.Values{"phase": {"identified"}, "message": {"More."}, "status.elb-us-east-1": {"partial_outage"}, "percent.elb-us-east-1": {"5"}}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	maint := func(kv ...string) url.Values {
		v := url.Values{"title": {"Upgrade"}, "message": {"m"}, "starts_at": {"2012-12-25 10:00"}, "ends_at": {"2012-12-25 11:00"}, "components": {"elb-us-east-1"}}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	partial := func(percent string) url.Values {
		return incident("status.elb-us-east-1", "partial_outage", "percent.elb-us-east-1", percent)
	}
	cases := []badForm{
		{"unknown status", "/admin/incidents", incident("status.elb-us-east-1", "on_fire"), 422, "status.elb-us-east-1", "on_fire"},
		{"percent 120", "/admin/incidents", partial("120"), 422, "percent.elb-us-east-1", "120 is above 100"},
		{"percent -1", "/admin/incidents", partial("-1"), 422, "percent.elb-us-east-1", "-1 is below 0"},
		{"percent 6.12345", "/admin/incidents", partial("6.12345"), 422, "percent.elb-us-east-1", "more than 4 decimals"},
		{"percent abc", "/admin/incidents", partial("abc"), 422, "percent.elb-us-east-1", "not a number"},
		{"percent 100.0001", "/admin/incidents", partial("100.0001"), 422, "percent.elb-us-east-1", "above 100"},
		{"percent 9e2", "/admin/incidents", partial("9e2"), 422, "percent.elb-us-east-1", "9e2 is above 100"},
		{"percent .5", "/admin/incidents", partial(".5"), 422, "percent.elb-us-east-1", `".5" is not a number`},
		{"percent on an operational component", "/admin/incidents", incident("status.elb-us-east-1", "operational", "percent.elb-us-east-1", "12.5"), 422, "percent.elb-us-east-1", "12.5% given for an operational component"},
		{"percent on a component left operational", "/admin/incidents", incident("percent.elb-us-east-1", "12.5"), 422, "percent.elb-us-east-1", "operational"},
		{"percent not a number on an operational component", "/admin/incidents", incident("percent.elb-us-east-1", "abc"), 422, "percent.elb-us-east-1", "not a number"},
		{"empty title", "/admin/incidents", incident("title", "   "), 422, "title", ""},
		{"title with NUL", "/admin/incidents", incident("title", "Elevated\x00errors"), 422, "title", "control character U+0000"},
		{"title with ESC", "/admin/incidents", incident("title", "Elevated \x1b[31merrors"), 422, "title", "control character U+001B"},
		{"title with BEL", "/admin/incidents", incident("title", "Elevated\aerrors"), 422, "title", "control character U+0007"},
		{"title with a C1 control", "/admin/incidents", incident("title", "Elevated\u0085errors"), 422, "title", "control character U+0085"},
		{"title with a right-to-left override", "/admin/incidents", incident("title", "Elevated \u202esrorre"), 422, "title", "bidirectional control U+202E"},
		{"title with a tab", "/admin/incidents", incident("title", "Elevated\terrors"), 422, "title", "control character U+0009"},
		{"title not UTF-8", "/admin/incidents", incident("title", "Elevated \xff errors"), 422, "title", "UTF-8"},
		{"message with ESC", "/admin/incidents", incident("message", "Looking\x1b."), 422, "message", "control character U+001B"},
		{"message not UTF-8", "/admin/incidents", incident("message", "Looking \xc3"), 422, "message", "UTF-8"},
		{"start in year 0", "/admin/incidents", incident("started_at", "0000-01-01 00:00"), 422, "started_at", "before 1990-01-01"},
		{"start in 1677", "/admin/incidents", incident("started_at", "1677-09-21 00:12"), 422, "started_at", "before 1990-01-01"},
		{"title over 200 characters", "/admin/incidents", incident("title", strings.Repeat("é", 201)), 422, "title", "200"},
		{"empty message", "/admin/incidents", incident("message", ""), 422, "message", ""},
		{"message over the limit", "/admin/incidents", incident("message", strings.Repeat("x", incidents.MaxMessageLen+1)), 422, "message", "20000"},
		{"unknown impact", "/admin/incidents", incident("impact", "apocalyptic"), 422, "impact", "apocalyptic"},
		{"unknown phase", "/admin/incidents", incident("phase", "panicking"), 422, "phase", "panicking"},
		{"start not a time", "/admin/incidents", incident("started_at", "yesterday"), 422, "started_at", "yesterday"},
		{"start in the future", "/admin/incidents", incident("started_at", "2012-12-25 09:00"), 422, "started_at", "future"},

		{"update: phase going back", "/admin/incidents/{id}/updates", update("phase", "investigating"), 422, "phase", "back"},
		{"update: resolution before the start", "/admin/incidents/{id}/updates", update("phase", "resolved", "at", "2012-12-24 20:00"), 422, "at", "before"},
		{"update: before the previous update", "/admin/incidents/{id}/updates", update("at", "2012-12-24 20:29"), 422, "at", "before"},
		{"update: at not a time", "/admin/incidents/{id}/updates", update("at", "soon"), 422, "at", "soon"},
		{"update: percent 120", "/admin/incidents/{id}/updates", update("percent.elb-us-east-1", "120"), 422, "percent.elb-us-east-1", "above 100"},
		{"update: percent on an operational component", "/admin/incidents/{id}/updates", update("status.elb-eu-west-1", "operational", "percent.elb-eu-west-1", "12.5"), 422, "percent.elb-eu-west-1", "operational"},
		{"update: percent changed on a component going back to operational", "/admin/incidents/{id}/updates", update("status.elb-us-east-1", "operational", "percent.elb-us-east-1", "7"), 422, "percent.elb-us-east-1", "operational"},
		{"update: empty message", "/admin/incidents/{id}/updates", update("message", " "), 422, "message", ""},
		{"update: message over the limit", "/admin/incidents/{id}/updates", update("message", strings.Repeat("x", incidents.MaxMessageLen+1)), 422, "message", ""},
		{"update on a resolved incident", "/admin/incidents/{resolved}/updates", update(), 409, "", "resolved"},
		{"update on an unknown incident", "/admin/incidents/999/updates", update(), 404, "", ""},
		{"update on a non-numeric id", "/admin/incidents/abc/updates", update(), 404, "", ""},

		{"maintenance ends before it starts", "/admin/maintenance", maint("ends_at", "2012-12-25 09:00"), 422, "ends_at", "after"},
		{"maintenance ends as it starts", "/admin/maintenance", maint("ends_at", "2012-12-25 10:00"), 422, "ends_at", "after"},
		{"maintenance without start", "/admin/maintenance", maint("starts_at", ""), 422, "starts_at", "required"},
		{"maintenance start not a time", "/admin/maintenance", maint("starts_at", "tomorrow"), 422, "starts_at", "tomorrow"},
		{"maintenance without components", "/admin/maintenance", maint("components", ""), 422, "components", ""},
		{"maintenance unknown component", "/admin/maintenance", maint("components", "elb-mars-1"), 422, "components", ""},
		{"maintenance empty title", "/admin/maintenance", maint("title", ""), 422, "title", ""},
		{"maintenance title with a right-to-left override", "/admin/maintenance", maint("title", "Upgrade \u202e"), 422, "title", "U+202E"},
		{"maintenance from year 0", "/admin/maintenance", maint("starts_at", "0000-01-01 00:00"), 422, "starts_at", "before 1990-01-01"},
		{"maintenance until 9999", "/admin/maintenance", maint("ends_at", "9999-12-31 23:59"), 422, "ends_at", "more than 10 years from now"},
		{"update: at in 1989", "/admin/incidents/{id}/updates", update("at", "1989-12-31 23:59"), 422, "at", "before 1990-01-01"},
		{"update: message with NUL", "/admin/incidents/{id}/updates", update("message", "More\x00."), 422, "message", "U+0000"},
		{"maintenance title over 200", "/admin/maintenance", maint("title", strings.Repeat("t", 201)), 422, "title", "200"},
	}
	for _, tc := range cases {
		path := strings.NewReplacer("{id}", fmt.Sprint(active.ID), "{resolved}", fmt.Sprint(resolved.ID)).Replace(tc.path)
		b.get("/admin") // a fresh token, as a person reloading would have
		before := env.counts()
		resp := b.postForm(path, tc.form)
		body := readBody(t, resp)
		if changed := env.changedTables(before); changed != "" {
			t.Errorf("%s: stored rows in %s", tc.name, changed)
		}
		if resp.StatusCode != tc.status {
			t.Errorf("%s: %d, want %d", tc.name, resp.StatusCode, tc.status)
			continue
		}
		if resp.Request.URL.Path != path {
			t.Errorf("%s: redirected to %s", tc.name, resp.Request.URL)
		}
		doc := parseHTML(t, body)
		var msg string
		if tc.field != "" {
			msg = fieldError(doc, tc.field)
			if msg == "" {
				t.Errorf("%s: no error beside %q\n%s", tc.name, tc.field, textOf(doc.Find("main")))
				continue
			}
			// The form keeps what was typed (but for a NUL, which HTML
			// itself reads as U+FFFD).
			if ctl := doc.Find(`[name="` + tc.field + `"]`).First(); ctl.Is("input[type=text]") && ctl.AttrOr("value", "") != strings.TrimSpace(tc.form.Get(tc.field)) && !strings.ContainsRune(tc.form.Get(tc.field), 0) {
				t.Errorf("%s: the form lost the value of %s: %q", tc.name, tc.field, ctl.AttrOr("value", ""))
			}
		} else {
			msg = textOf(doc.Find("main"))
		}
		if !strings.Contains(msg, tc.says) {
			t.Errorf("%s: message %q does not say %q", tc.name, msg, tc.says)
		}
	}
}

// A form body over the server's limit is refused before it is read.
func TestFormBodyTooLarge(t *testing.T) {
	env := newTestEnv(t)
	b := env.user(auth.Support)
	before := env.counts()
	resp := b.postForm("/admin/incidents", url.Values{"title": {"Big"}, "message": {strings.Repeat("x", 3<<20)}})
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("3 MB form: %d, want 413", resp.StatusCode)
	}
	// The page that says so still knows who is signed in.
	if page := readBody(t, resp); !strings.Contains(page, "Sign out") || strings.Contains(page, ">Sign in<") {
		t.Errorf("the 413 page does not show the signed-in user")
	}
	env.assertNothingStored(before)
}

type badJSON struct {
	name   string
	method string
	path   string
	body   any
	status int
	field  string
	says   string
}

func TestBadAPIInput(t *testing.T) {
	env := newTestEnv(t)
	tok := env.token(auth.Admin)
	env.clock.Advance(time.Hour) // 21:00 UTC
	start := env.clock.Now().Add(-30 * time.Minute)
	active, err := env.incidents.CreateIncident(t.Context(), audit.Person("ops@example.com"), incidents.IncidentInput{
		Title: "Active", Phase: incidents.Identified, Message: "m", StartedAt: &start,
		Components: []incidents.ComponentChange{change("elb-us-east-1", incidents.PartialOutage, "5")},
	}, env.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	resolved := env.backfill("Resolved", time.Date(2012, 12, 1, 0, 0, 0, 0, time.UTC))
	m := env.maintenance("Done", start.Add(-time.Hour), start, "elb-eu-west-1")
	env.api("POST", "/customers", tok, map[string]any{"id": "globex", "name": "Globex", "currency": "USD", "contact_email": "billing@globex.example"}).expect(t, http.StatusCreated)

	incident := func(kv ...any) map[string]any {
		v := map[string]any{"title": "Elevated errors", "message": "Looking."}
		for i := 0; i < len(kv); i += 2 {
			v[kv[i].(string)] = kv[i+1]
		}
		return v
	}
	comp := func(id, status string, percent any) []map[string]any {
		c := map[string]any{"component": id, "status": status}
		if percent != nil {
			c["affected_percent"] = percent
		}
		return []map[string]any{c}
	}
	maint := func(kv ...any) map[string]any {
		v := map[string]any{"title": "Upgrade", "components": []string{"elb-us-east-1"}, "starts_at": "2012-12-25T10:00:00Z", "ends_at": "2012-12-25T11:00:00Z"}
		for i := 0; i < len(kv); i += 2 {
			v[kv[i].(string)] = kv[i+1]
		}
		return v
	}
	updates := fmt.Sprintf("/incidents/%d/updates", active.ID)
	pctField := "components[0].affected_percent"
	cases := []badJSON{
		{"unknown component", "POST", "/incidents", incident("components", comp("elb-mars-1", "major_outage", nil)), 422, "components[0].component", "elb-mars-1"},
		{"unknown status", "POST", "/incidents", incident("components", comp("elb-us-east-1", "on_fire", nil)), 422, "components[0].status", "on_fire"},
		{"percent 120", "POST", "/incidents", incident("components", comp("elb-us-east-1", "partial_outage", 120)), 422, pctField, "above 100"},
		{"percent -1", "POST", "/incidents", incident("components", comp("elb-us-east-1", "partial_outage", -1)), 422, pctField, "below 0"},
		{"percent 6.12345", "POST", "/incidents", incident("components", comp("elb-us-east-1", "partial_outage", 6.12345)), 422, pctField, "4 decimals"},
		{"percent \"6.12345\"", "POST", "/incidents", incident("components", comp("elb-us-east-1", "partial_outage", "6.12345")), 422, pctField, "4 decimals"},
		{"percent \"abc\"", "POST", "/incidents", incident("components", comp("elb-us-east-1", "partial_outage", "abc")), 422, pctField, "not a number"},
		{"percent true", "POST", "/incidents", incident("components", comp("elb-us-east-1", "partial_outage", true)), 422, pctField, ""},
		{"percent 9e2", "POST", "/incidents", incident("components", comp("elb-us-east-1", "partial_outage", json.Number("9e2"))), 422, pctField, "9e2 is above 100"},
		{"percent \"1e400\"", "POST", "/incidents", incident("components", comp("elb-us-east-1", "partial_outage", "1e400")), 422, pctField, "1e400 is above 100"},
		{"percent 1e-400", "POST", "/incidents", incident("components", comp("elb-us-east-1", "partial_outage", json.Number("1e-400"))), 422, pctField, "1e-400 has more than 4 decimals"},
		{"percent \".5\"", "POST", "/incidents", incident("components", comp("elb-us-east-1", "partial_outage", ".5")), 422, pctField, `".5" is not a number`},
		{"percent \"+5\"", "POST", "/incidents", incident("components", comp("elb-us-east-1", "partial_outage", "+5")), 422, pctField, `"+5" is not a number`},
		{"percent \"\"", "POST", "/incidents", incident("components", comp("elb-us-east-1", "partial_outage", "")), 422, pctField, `"" is not a number`},
		{"percent on an operational component", "POST", "/incidents", incident("components", comp("elb-us-east-1", "operational", 5)), 422, pctField, ""},
		{"percent 1E+3", "POST", "/incidents", incident("components", comp("elb-us-east-1", "partial_outage", json.Number("1E+3"))), 422, pctField, "1E+3 is above 100"},
		{"percent \"1e+3\"", "POST", "/incidents", incident("components", comp("elb-us-east-1", "partial_outage", "1e+3")), 422, pctField, "above 100"},
		{"percent 100.01e0", "POST", "/incidents", incident("components", comp("elb-us-east-1", "partial_outage", json.Number("100.01e0"))), 422, pctField, "above 100"},
		{"percent -1e0", "POST", "/incidents", incident("components", comp("elb-us-east-1", "partial_outage", json.Number("-1e0"))), 422, pctField, "below 0"},
		{"percent -0.5", "POST", "/incidents", incident("components", comp("elb-us-east-1", "partial_outage", json.Number("-0.5"))), 422, pctField, "below 0"},
		{"percent 1e-5", "POST", "/incidents", incident("components", comp("elb-us-east-1", "partial_outage", json.Number("1e-5"))), 422, pctField, "more than 4 decimals"},
		{"percent 12.34567e0", "POST", "/incidents", incident("components", comp("elb-us-east-1", "partial_outage", json.Number("12.34567e0"))), 422, pctField, "more than 4 decimals"},
		{"percent 1e999999999999", "POST", "/incidents", incident("components", comp("elb-us-east-1", "partial_outage", json.Number("1e999999999999"))), 422, pctField, "above 100"},
		{"percent 1E2 on an operational component", "POST", "/incidents", incident("components", comp("elb-us-east-1", "operational", json.Number("1E2"))), 422, pctField, "operational"},
		{"percent null-like \"NaN\"", "POST", "/incidents", incident("components", comp("elb-us-east-1", "partial_outage", "NaN")), 422, pctField, "not a number"},
		{"percent \"Infinity\"", "POST", "/incidents", incident("components", comp("elb-us-east-1", "partial_outage", "Infinity")), 422, pctField, "not a number"},
		{"percent \"0x10\"", "POST", "/incidents", incident("components", comp("elb-us-east-1", "partial_outage", "0x10")), 422, pctField, "not a number"},
		{"no component affected, nothing said", "POST", "/incidents", map[string]any{"title": "t", "message": "m"}, 422, "components", "no_components"},
		{"no_components with an affected component", "POST", "/incidents", incident("no_components", true, "components", comp("elb-us-east-1", "major_outage", nil)), 422, "no_components", "components[0]"},
		{"title with a lone high surrogate", "POST", "/incidents", `{"title": "Elevated \ud800 errors", "message": "m"}`, 422, "title", "lone surrogate \\ud800"},
		{"title with a lone low surrogate", "POST", "/incidents", `{"title": "Elevated \udc00", "message": "m"}`, 422, "title", "lone surrogate"},
		{"title with a reversed pair", "POST", "/incidents", `{"title": "x\ude00\ud83d", "message": "m"}`, 422, "title", "lone surrogate"},
		{"message with a lone surrogate", "POST", "/incidents", `{"title": "t", "message": "Looking \uD800."}`, 422, "message", "lone surrogate"},
		{"component with a lone surrogate", "POST", "/incidents", `{"title": "t", "message": "m", "components": [{"component": "elb\ud800", "status": "major_outage"}]}`, 422, "components[0].component", "lone surrogate"},
		{"title with an escaped NUL", "POST", "/incidents", `{"title": "Elevated\u0000errors", "message": "m"}`, 422, "title", "U+0000"},
		{"title with an escaped C1 control", "POST", "/incidents", `{"title": "Elevated\u0085errors", "message": "m"}`, 422, "title", "U+0085"},
		{"title with an escaped left-to-right override", "POST", "/incidents", `{"title": "Elevated\u202derrors", "message": "m"}`, 422, "title", "U+202D"},
		{"component twice", "POST", "/incidents", incident("components", append(comp("elb-us-east-1", "partial_outage", nil), comp("elb-us-east-1", "major_outage", nil)...)), 422, "components[1].component", "twice"},
		{"empty title", "POST", "/incidents", incident("title", " "), 422, "title", ""},
		{"title with NUL", "POST", "/incidents", incident("title", "Elevated\x00errors"), 422, "title", "control character U+0000"},
		{"title with ESC", "POST", "/incidents", incident("title", "\x1b[2JElevated errors"), 422, "title", "control character U+001B"},
		{"title with BEL", "POST", "/incidents", incident("title", "Elevated errors\a"), 422, "title", "control character U+0007"},
		{"title with a C1 control", "POST", "/incidents", incident("title", "Elevated\u009berrors"), 422, "title", "control character U+009B"},
		{"title with a right-to-left override", "POST", "/incidents", incident("title", "Elevated \u202esrorre"), 422, "title", "bidirectional control U+202E"},
		{"title with a bidi isolate", "POST", "/incidents", incident("title", "Elevated \u2067errors"), 422, "title", "bidirectional control U+2067"},
		{"title with a newline", "POST", "/incidents", incident("title", "Elevated\nerrors"), 422, "title", "U+000A"},
		{"message with ESC", "POST", "/incidents", incident("message", "Looking\x1b."), 422, "message", "U+001B"},
		{"title not UTF-8", "POST", "/incidents", "{\"title\": \"Elevated \xff errors\", \"message\": \"m\"}", 422, "title", "not valid UTF-8"},
		{"message not UTF-8", "POST", "/incidents", "{\"title\": \"t\", \"message\": \"Looking \xc3\"}", 422, "message", "not valid UTF-8"},
		{"component not UTF-8", "POST", "/incidents", "{\"title\": \"t\", \"message\": \"m\", \"components\": [{\"component\": \"elb-us-east-1\", \"status\": \"operational\"}, {\"component\": \"elb\xfe\", \"status\": \"major_outage\"}]}", 422, "components[1].component", "not valid UTF-8"},
		{"start in year 0", "POST", "/incidents", incident("started_at", "0000-01-01T00:00:00Z"), 422, "started_at", "before 1990-01-01"},
		{"start in 1677", "POST", "/incidents", incident("started_at", "1677-09-21T00:12:44Z"), 422, "started_at", "before 1990-01-01"},
		{"title over 200", "POST", "/incidents", incident("title", strings.Repeat("t", 201)), 422, "title", "200"},
		{"message over the limit", "POST", "/incidents", incident("message", strings.Repeat("m", incidents.MaxMessageLen+1)), 422, "message", ""},
		{"unknown impact", "POST", "/incidents", incident("impact", "apocalyptic"), 422, "impact", ""},
		{"start in the future", "POST", "/incidents", incident("started_at", "2013-01-01T00:00:00Z"), 422, "started_at", "future"},
		{"unknown field", "POST", "/incidents", incident("severity", "high"), 400, "severity", "not a known field"},
		{"malformed JSON", "POST", "/incidents", `{"title": x}`, 400, "", "not valid JSON"},
		{"truncated JSON", "POST", "/incidents", `{"title": "x",`, 400, "", ""},
		{"not an object", "POST", "/incidents", `["title"]`, 422, "", ""},
		{"two values", "POST", "/incidents", `{"title":"a","message":"b"} {}`, 400, "", "one JSON value"},
		{"empty body", "POST", "/incidents", "", 400, "", "empty"},
		{"wrong type: title", "POST", "/incidents", incident("title", 5), 422, "title", "string"},
		{"wrong type: components", "POST", "/incidents", incident("components", "elb-us-east-1"), 422, "components", ""},
		{"wrong type: excluded", "POST", "/incidents", incident("excluded", "yes"), 422, "excluded", "bool"},
		{"body over the limit", "POST", "/incidents", incident("message", strings.Repeat("m", api.MaxBody)), 413, "", "larger"},

		{"update: phase going back", "POST", updates, map[string]any{"phase": "investigating", "message": "m"}, 422, "phase", "back"},
		{"update: resolution before the start", "POST", updates, map[string]any{"phase": "resolved", "message": "m", "at": "2012-12-24T20:00:00Z"}, 422, "at", "before"},
		{"update: at in the future", "POST", updates, map[string]any{"message": "m", "at": "2012-12-25T20:00:00Z"}, 422, "at", "future"},
		{"update: resolving with a component not operational", "POST", updates, map[string]any{"phase": "resolved", "message": "m", "components": comp("elb-us-east-1", "partial_outage", nil)}, 422, "components[0].status", "operational"},
		{"update: percent 120", "POST", updates, map[string]any{"message": "m", "components": comp("elb-us-east-1", "partial_outage", "120")}, 422, pctField, "above 100"},
		{"update: unknown component", "POST", updates, map[string]any{"message": "m", "components": comp("elb-mars-1", "partial_outage", nil)}, 422, "components[0].component", ""},
		{"update: percent on an operational component", "POST", updates, map[string]any{"message": "m", "components": comp("elb-eu-west-1", "operational", "12.5")}, 422, pctField, "operational"},
		{"update: empty message", "POST", updates, map[string]any{"message": ""}, 422, "message", ""},
		{"update: at in 1989", "POST", updates, map[string]any{"message": "m", "at": "1989-12-31T23:59:59Z"}, 422, "at", "before 1990-01-01"},
		{"update: message with BEL", "POST", updates, map[string]any{"message": "m\a"}, 422, "message", "U+0007"},
		{"update: message not UTF-8", "POST", updates, "{\"message\": \"m\x80\"}", 422, "message", "not valid UTF-8"},
		{"update: unknown field", "POST", updates, map[string]any{"message": "m", "author": "someone else"}, 400, "author", ""},
		{"update on a resolved incident", "POST", fmt.Sprintf("/incidents/%d/updates", resolved.ID), map[string]any{"message": "m"}, 409, "", "resolved"},
		{"update on an unknown incident", "POST", "/incidents/999/updates", map[string]any{"message": "m"}, 404, "", ""},
		{"get an unknown incident", "GET", "/incidents/999", nil, 404, "", ""},
		{"get a non-numeric incident", "GET", "/incidents/abc", nil, 404, "", ""},
		{"list with an unknown state", "GET", "/incidents?state=open", nil, 422, "state", "open"},
		{"list with a bad page", "GET", "/incidents?state=resolved&page=abc", nil, 422, "page", ""},

		{"maintenance ends before it starts", "POST", "/maintenance", maint("ends_at", "2012-12-25T09:00:00Z"), 422, "ends_at", "after"},
		{"maintenance without components", "POST", "/maintenance", maint("components", []string{}), 422, "components", ""},
		{"maintenance unknown component", "POST", "/maintenance", maint("components", []string{"elb-us-east-1", "elb-mars-1"}), 422, "components[1]", ""},
		{"maintenance unknown field", "POST", "/maintenance", maint("phase", "completed"), 400, "phase", ""},
		{"maintenance from year 0", "POST", "/maintenance", maint("starts_at", "0000-01-01T00:00:00Z"), 422, "starts_at", "before 1990-01-01"},
		{"maintenance until 9999", "POST", "/maintenance", maint("ends_at", "9999-12-31T23:59:59Z"), 422, "ends_at", "more than 10 years from now"},
		{"maintenance title with ESC", "POST", "/maintenance", maint("title", "Upgrade\x1b"), 422, "title", "U+001B"},
		{"advance an unknown maintenance", "POST", "/maintenance/999/advance", map[string]any{"phase": "completed"}, 404, "", ""},
		{"advance to an unknown phase", "POST", fmt.Sprintf("/maintenance/%d/advance", m.ID), map[string]any{"phase": "done"}, 422, "phase", ""},
		{"advance a completed maintenance", "POST", fmt.Sprintf("/maintenance/%d/advance", m.ID), map[string]any{"phase": "completed"}, 409, "", ""},

		{"service with a bad id", "POST", "/services", map[string]any{"id": "has space", "name": "X"}, 422, "id", ""},
		{"service id taken", "POST", "/services", map[string]any{"id": "ELB", "name": "X"}, 409, "", ""},
		{"update an unknown service", "PUT", "/services/NOPE", map[string]any{"name": "X"}, 404, "", ""},
		{"component of an unknown service", "POST", "/components", map[string]any{"id": "x-1", "service": "NOPE", "name": "X", "region": "x"}, 422, "service", ""},
		{"component id taken", "POST", "/components", map[string]any{"id": "elb-us-east-1", "service": "ELB", "name": "X", "region": "x"}, 409, "", ""},
		{"update an unknown component", "PUT", "/components/nope", map[string]any{"service": "ELB", "name": "X", "region": "x"}, 404, "", ""},
		{"service name with a right-to-left override", "POST", "/services", map[string]any{"id": "X1", "name": "Load \u202eBalancing"}, 422, "name", "U+202E"},
		{"service name not UTF-8", "POST", "/services", "{\"id\": \"X1\", \"name\": \"Load\xff\"}", 422, "name", "not valid UTF-8"},
		{"component name with NUL", "POST", "/components", map[string]any{"id": "x-1", "service": "ELB", "name": "X\x00", "region": "x"}, 422, "name", "U+0000"},
		{"component region with a C1 control", "POST", "/components", map[string]any{"id": "x-1", "service": "ELB", "name": "X", "region": "x\u0090"}, 422, "region", "U+0090"},

		{"customer name with ESC", "POST", "/customers", map[string]any{"id": "acme", "name": "Acme\x1b[0m", "currency": "USD", "contact_email": "a@acme.example"}, 422, "name", "U+001B"},
		{"customer name with a right-to-left override", "POST", "/customers", map[string]any{"id": "acme", "name": "\u202eemcA", "currency": "USD", "contact_email": "a@acme.example"}, 422, "name", "U+202E"},
		{"customer name not UTF-8", "POST", "/customers", "{\"id\": \"acme\", \"name\": \"Acme\xff\", \"currency\": \"USD\", \"contact_email\": \"a@acme.example\"}", 422, "name", "not valid UTF-8"},
		{"resource from year 1", "POST", "/customers/globex/resources", map[string]any{"component": "elb-us-east-1", "count": 1, "from": "0001-01-01T00:00:00Z"}, 422, "from", "before 1990-01-01"},
		{"resource until 9999", "POST", "/customers/globex/resources", map[string]any{"component": "elb-us-east-1", "count": 1, "to": "9999-01-01T00:00:00Z"}, 422, "to", "more than 10 years from now"},
		{"charge for month 0001-01", "POST", "/customers/globex/charges", map[string]any{"component": "elb-us-east-1", "month": "0001-01", "amount_minor": 100}, 422, "month", "before 1990-01"},
		{"credit run for month 0001-01", "POST", "/credit-runs", map[string]any{"month": "0001-01"}, 422, "month", "before 1990-01"},
		{"credit run for month 1989-12", "POST", "/credit-runs", map[string]any{"month": "1989-12"}, 422, "month", "before 1990-01"},
		{"credit run for month 9999-12", "POST", "/credit-runs", map[string]any{"month": "9999-12"}, 422, "month", ""},
		{"credit run for month 2012-13", "POST", "/credit-runs", map[string]any{"month": "2012-13"}, 422, "month", ""},
		{"credit run for month 0000-00", "POST", "/credit-runs", map[string]any{"month": "0000-00"}, 422, "month", ""},
		{"charge for month 9999-12", "POST", "/customers/globex/charges", map[string]any{"component": "elb-us-east-1", "month": "9999-12", "amount_minor": 100}, 422, "month", "more than 10 years"},
		{"maintenance announced in 1989", "POST", "/maintenance", maint("announced_at", "1989-12-31T23:59:59Z"), 422, "announced_at", "before 1990-01-01"},
		{"incident correction: title with ESC", "PATCH", fmt.Sprintf("/incidents/%d", active.ID), map[string]any{"title": "x\x1b"}, 422, "title", "U+001B"},
		{"incident correction: title with a lone surrogate", "PATCH", fmt.Sprintf("/incidents/%d", active.ID), `{"title": "x\ud800"}`, 422, "title", "lone surrogate"},
		{"update correction: message with BEL", "PATCH", fmt.Sprintf("/incidents/%d/updates/%d", active.ID, active.Updates[0].ID), map[string]any{"message": "m\a"}, 422, "message", "U+0007"},
		{"template name with a right-to-left override", "POST", "/incident-templates", map[string]any{"name": "\u202eX", "title": "T", "message": "m", "no_components": true}, 422, "name", "U+202E"},
		{"template title not UTF-8", "POST", "/incident-templates", "{\"name\": \"N\", \"title\": \"T\xff\", \"message\": \"m\", \"no_components\": true}", 422, "title", "not valid UTF-8"},
		{"template message with ESC", "POST", "/incident-templates", map[string]any{"name": "N", "title": "T", "message": "m\x1b", "no_components": true}, 422, "message", "U+001B"},
		{"template percent 1e3", "POST", "/incident-templates", map[string]any{"name": "N", "title": "T", "message": "m", "components": comp("elb-us-east-1", "partial_outage", "1e3")}, 422, pctField, "above 100"},
		{"template percent on operational", "POST", "/incident-templates", map[string]any{"name": "N", "title": "T", "message": "m", "components": comp("elb-us-east-1", "operational", 5)}, 422, "components[0].status", "operational"},
		{"incident from an unknown template", "POST", "/incidents", map[string]any{"template": 42}, 422, "template", "no incident template"},
		{"component wrong type: resources", "POST", "/components", map[string]any{"id": "x-1", "service": "ELB", "name": "X", "region": "x", "resources": "many"}, 422, "resources", ""},
	}
	for _, tc := range cases {
		before := env.counts()
		r := env.api(tc.method, tc.path, tok, tc.body)
		if changed := env.changedTables(before); changed != "" {
			t.Errorf("%s: stored rows in %s", tc.name, changed)
		}
		if r.status != tc.status {
			t.Errorf("%s: %d, want %d\n%.300s", tc.name, r.status, tc.status, r.body)
			continue
		}
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s: Content-Type %q", tc.name, ct)
		}
		e := r.apiError(t)
		if e.Field != tc.field {
			t.Errorf("%s: field %q, want %q (%s)", tc.name, e.Field, tc.field, e.Message)
		}
		if !strings.Contains(e.Message, tc.says) {
			t.Errorf("%s: message %q does not say %q", tc.name, e.Message, tc.says)
		}
	}
}

// The form has a row for each known component; a post naming another one
// (a stale form, a typo in a script) must be refused, not dropped.
func TestFormUnknownComponentRefused(t *testing.T) {
	env := newTestEnv(t)
	b := env.user(auth.Support)
	inc := env.declare("Active", change("elb-us-east-1", incidents.PartialOutage, "5"))
	for _, tc := range []struct {
		path string
		form url.Values
	}{
		{"/admin/incidents", url.Values{"title": {"Mars"}, "message": {"m"}, "status.elb-mars-1": {"major_outage"}, "percent.elb-mars-1": {"50"}}},
		{fmt.Sprintf("/admin/incidents/%d/updates", inc.ID), url.Values{"message": {"m"}, "status.elb-mars-1": {"major_outage"}}},
	} {
		b.get("/admin")
		before := env.counts()
		resp := b.postForm(tc.path, tc.form)
		body := readBody(t, resp)
		if changed := env.changedTables(before); changed != "" {
			t.Errorf("POST %s naming component elb-mars-1: stored rows in %s", tc.path, changed)
		}
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(textOf(parseHTML(t, body).Find("main")), "elb-mars-1") {
			t.Errorf("POST %s naming component elb-mars-1: %d, want 422 naming it", tc.path, resp.StatusCode)
		}
	}
}

// An instant that is not an RFC 3339 string is a 422 naming its field,
// like every other wrong value, not a 400 about the body.
func TestAPIBadInstantNamesField(t *testing.T) {
	env := newTestEnv(t)
	tok := env.token(auth.Support)
	inc := env.declare("Active")
	maint := map[string]any{"title": "Upgrade", "components": []string{"elb-us-east-1"}, "starts_at": "2012-12-25T10:00:00Z", "ends_at": "2012-12-25T11:00:00Z"}
	with := func(m map[string]any, k string, v any) map[string]any {
		out := map[string]any{}
		for kk, vv := range m {
			out[kk] = vv
		}
		out[k] = v
		return out
	}
	for _, tc := range []struct {
		path, field string
		body        map[string]any
	}{
		{"/incidents", "started_at", map[string]any{"title": "t", "message": "m", "started_at": "yesterday"}},
		{"/incidents", "started_at", map[string]any{"title": "t", "message": "m", "started_at": 1356380640}},
		{"/incidents", "started_at", map[string]any{"title": "t", "message": "m", "started_at": "2012-12-24 20:24"}},
		{fmt.Sprintf("/incidents/%d/updates", inc.ID), "at", map[string]any{"message": "m", "at": "soon"}},
		{"/maintenance", "starts_at", with(maint, "starts_at", "tomorrow")},
		{"/maintenance", "ends_at", with(maint, "ends_at", false)},
	} {
		before := env.counts()
		r := env.api("POST", tc.path, tok, tc.body)
		env.assertNothingStored(before)
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("POST %s with %s=%v: %d, want 422\n%s", tc.path, tc.field, tc.body[tc.field], r.status, r.body)
			continue
		}
		if e := r.apiError(t); e.Field != tc.field {
			t.Errorf("POST %s with %s=%v: field %q", tc.path, tc.field, tc.body[tc.field], e.Field)
		}
	}
}

// A component going back to operational keeps its old share in the form's
// box; that is not a share given for an operational component, and the
// update goes through.
func TestFormBackToOperationalWithTheShownShare(t *testing.T) {
	env := newTestEnv(t)
	b := env.user(auth.Support)
	inc := env.declare("Active", change("elb-us-east-1", incidents.PartialOutage, "5"))
	b.get("/admin")
	resp := b.postForm(fmt.Sprintf("/admin/incidents/%d/updates", inc.ID), url.Values{"message": {"Recovered."},
		"status.elb-us-east-1": {"operational"}, "percent.elb-us-east-1": {"5"}})
	if body := readBody(t, resp); resp.StatusCode != http.StatusOK || resp.Request.URL.Path != fmt.Sprintf("/admin/incidents/%d", inc.ID) {
		t.Fatalf("%d at %s\n%s", resp.StatusCode, resp.Request.URL, textOf(parseHTML(t, body).Find("main")))
	}
	got, err := env.incidents.Incident(t.Context(), inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.ComponentStates()) != 0 {
		t.Errorf("still affected: %+v", got.ComponentStates())
	}
}

// A person's name with a control character, a bidirectional override or
// bytes that are not UTF-8 is refused beside the name field, and no user
// is stored.
func TestBadUserNameRefused(t *testing.T) {
	env := newTestEnv(t)
	admin := env.user(auth.Admin)
	for _, name := range []string{"Ann\x1b[31m", "Ann\x00", "\u202enA", "An\u0085n", "Ann\xff"} {
		admin.get("/admin/users")
		before := env.counts()
		resp := admin.postForm("/admin/users", url.Values{"email": {"ann@example.com"}, "name": {name}, "role": {"support"}, "password": {testPassword}})
		body := readBody(t, resp)
		if changed := env.changedTables(before); changed != "" {
			t.Errorf("name %q: stored rows in %s", name, changed)
		}
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("name %q: %d, want 422", name, resp.StatusCode)
			continue
		}
		if msg := fieldError(parseHTML(t, body), "name"); msg == "" {
			t.Errorf("name %q: no error beside the name", name)
		}
	}
}
