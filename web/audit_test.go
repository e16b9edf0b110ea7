package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/auth"
)

// Every write made through HTTP leaves audit rows naming who made it: the
// user's email for a browser, "email (token name)" for an API token.
func TestEveryHTTPWriteIsAudited(t *testing.T) {
	env := newTestEnv(t)
	admin := env.user(auth.Admin)
	tok := env.namedToken(auth.Admin, "deploy bot")
	const browserActor = "admin@example.com"
	const tokenActor = "admin@example.com (token deploy bot)"

	type write struct {
		name   string
		do     func() int // returns the status
		entity string
	}
	form := func(path string, v url.Values) func() int {
		return func() int {
			admin.get("/admin")
			resp := admin.noFollow().postForm(path, v)
			return resp.StatusCode
		}
	}
	api := func(method, path string, body any) func() int {
		return func() int { return env.api(method, path, tok, body).status }
	}
	var incID, maintID int64
	latest := func(table string) int64 {
		var id int64
		if err := env.db.QueryRow(`SELECT MAX(id) FROM ` + table).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	newUser := func() int64 { return env.userID("new@example.com") }
	lastToken := func() int64 { return latest("api_tokens") }

	browserWrites := []write{
		{"declare incident", form("/admin/incidents", url.Values{"title": {"Form"}, "message": {"m"}, "status.elb-us-east-1": {"partial_outage"}, "percent.elb-us-east-1": {"12.5"}}), "incident"},
		{"post update", func() int {
			incID = latest("incidents")
			return form(fmt.Sprintf("/admin/incidents/%d/updates", incID), url.Values{"phase": {"resolved"}, "message": {"done"}})()
		}, "incident"},
		{"schedule maintenance", form("/admin/maintenance", url.Values{"title": {"M"}, "message": {"m"}, "starts_at": {"2012-12-25 10:00"}, "ends_at": {"2012-12-25 11:00"}, "components": {"elb-us-east-1"}}), "maintenance"},
		{"start maintenance", func() int {
			maintID = latest("maintenances")
			return form(fmt.Sprintf("/admin/maintenance/%d/advance", maintID), url.Values{"phase": {"in_progress"}})()
		}, "maintenance"},
		{"create service", form("/admin/services", url.Values{"id": {"EC2"}, "name": {"EC2"}}), "service"},
		{"create component", form("/admin/components", url.Values{"id": {"ec2-1"}, "service": {"EC2"}, "name": {"EC2 1"}, "region": {"r"}}), "component"},
		{"create user", form("/admin/users", url.Values{"email": {"new@example.com"}, "name": {"New"}, "role": {"support"}, "password": {testPassword}}), "user"},
		{"change role", func() int {
			return form(fmt.Sprintf("/admin/users/%d/role", newUser()), url.Values{"role": {"viewer"}})()
		}, "user"},
		{"disable user", func() int {
			return form(fmt.Sprintf("/admin/users/%d/disabled", newUser()), url.Values{"disabled": {"true"}})()
		}, "user"},
		{"create token", form("/admin/tokens", url.Values{"name": {"ci"}, "role": {"viewer"}}), "token"},
		{"revoke token", func() int { return form(fmt.Sprintf("/admin/tokens/%d/revoke", lastToken()), url.Values{})() }, "token"},
	}
	apiWrites := []write{
		{"API declare incident", api("POST", "/incidents", map[string]any{"title": "API", "message": "m", "no_components": true}), "incident"},
		{"API post update", func() int {
			return api("POST", fmt.Sprintf("/incidents/%d/updates", latest("incidents")), map[string]any{"phase": "monitoring", "message": "m"})()
		}, "incident"},
		{"API schedule maintenance", api("POST", "/maintenance", map[string]any{"title": "M", "components": []string{"elb-eu-west-1"}, "starts_at": "2012-12-26T10:00:00Z", "ends_at": "2012-12-26T11:00:00Z"}), "maintenance"},
		{"API complete maintenance", func() int {
			return api("POST", fmt.Sprintf("/maintenance/%d/advance", latest("maintenances")), map[string]any{"phase": "completed"})()
		}, "maintenance"},
		{"API create service", api("POST", "/services", map[string]any{"id": "RDS", "name": "RDS"}), "service"},
		{"API update service", api("PUT", "/services/RDS", map[string]any{"name": "Amazon RDS"}), "service"},
		{"API create component", api("POST", "/components", map[string]any{"id": "rds-1", "service": "RDS", "name": "RDS 1", "region": "r"}), "component"},
		{"API update component", api("PUT", "/components/rds-1", map[string]any{"service": "RDS", "name": "RDS one", "region": "r"}), "component"},
	}
	check := func(ws []write, actor string) {
		for _, w := range ws {
			env.clock.Advance(time.Minute)
			last := env.lastAuditID()
			status := w.do()
			if status/100 != 2 && status/100 != 3 {
				t.Errorf("%s: %d", w.name, status)
				continue
			}
			rows, _ := env.auditsAfter(last)
			if len(rows) == 0 {
				t.Errorf("%s: no audit row", w.name)
				continue
			}
			found := false
			for _, r := range rows {
				if r.Actor != actor {
					t.Errorf("%s: audit row %+v names %q, want %q", w.name, r, r.Actor, actor)
				}
				if strings.Contains(r.Entity, w.entity) {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: audit rows %+v, none about a %s", w.name, rows, w.entity)
			}
		}
	}
	check(browserWrites, browserActor)
	check(apiWrites, tokenActor)

	// Reads and refused writes are not audited.
	last := env.lastAuditID()
	admin.get("/admin/users")
	env.api("GET", "/incidents", tok, nil)
	env.api("POST", "/incidents", tok, map[string]any{"title": ""})
	if rows, _ := env.auditsAfter(last); len(rows) != 0 {
		t.Errorf("reads or refused writes were audited: %+v", rows)
	}
	if resp, _ := env.request(http.MethodGet, "/", nil, nil); resp.StatusCode != http.StatusOK {
		t.Fatal("status page")
	}
}
