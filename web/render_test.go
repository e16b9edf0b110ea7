package web

import (
	"bytes"
	"context"
	"net/http"
	"testing"
)

// TestRenderPublicIsTheLivePage: RenderPublic gives the bytes a reader of
// the live site gets, for a page, a feed and the Statuspage JSON, and a
// page that does not exist answers 404 as it does live.
func TestRenderPublicIsTheLivePage(t *testing.T) {
	env := newTestEnvWith(t, envOptions{config: func(c *Config) { c.BaseURL = "https://status.example.com" }})
	inc := env.declare("Elevated errors")
	for _, target := range []string{"/", "/incidents/" + itoa(inc.ID), "/history.atom", "/api/v2/summary.json"} {
		status, header, body, err := env.server.RenderPublic(context.Background(), target)
		if err != nil || status != http.StatusOK {
			t.Fatalf("%s: %d %v", target, status, err)
		}
		resp, live := env.request(http.MethodGet, target, nil, nil)
		if !bytes.Equal(body, live) || header.Get("Content-Type") != resp.Header.Get("Content-Type") {
			t.Errorf("%s: RenderPublic gave %d bytes of %s, the live site %d of %s", target, len(body), header.Get("Content-Type"), len(live), resp.Header.Get("Content-Type"))
		}
	}
	if status, _, _, err := env.server.RenderPublic(context.Background(), "/incidents/999"); err != nil || status != http.StatusNotFound {
		t.Errorf("/incidents/999: %d %v, want 404", status, err)
	}
}
