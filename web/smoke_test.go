package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/amends/amends/auth"
)

func TestDeclareIncidentChangesStatusPage(t *testing.T) {
	env := newTestEnv(t)
	b := env.user(auth.Support)
	resp, body := b.get("/")
	if resp.StatusCode != 200 || !strings.Contains(body, "All systems operational") {
		t.Fatalf("status page: %d\n%s", resp.StatusCode, body)
	}
	resp = b.postForm("/admin/incidents", url.Values{
		"title": {"Elevated errors"}, "impact": {"major"}, "phase": {"investigating"},
		"message":              {"We are looking into it."},
		"status.elb-us-east-1": {"partial_outage"}, "percent.elb-us-east-1": {"12.5"},
	})
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Request.URL.Path, "/admin/incidents/") {
		t.Fatalf("declare: %d at %s\n%s", resp.StatusCode, resp.Request.URL, readBody(t, resp))
	}
	_, body = b.get("/")
	if !strings.Contains(body, "Partial outage") || !strings.Contains(body, "12.5%") || !strings.Contains(body, "Elevated errors") {
		t.Fatalf("status page after declaring:\n%s", body)
	}
}
