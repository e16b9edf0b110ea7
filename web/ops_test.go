package web

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/static"
)

func TestHealthz(t *testing.T) {
	env := newTestEnv(t)
	resp, body := env.request(http.MethodGet, "/healthz", nil, nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("healthz: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var v map[string]string
	if err := json.Unmarshal(body, &v); err != nil || v["status"] != "ok" {
		t.Errorf("healthz body %s", body)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("healthz Cache-Control %q", cc)
	}
}

// metricsText fetches /metrics as plain text.
func metricsText(t *testing.T, env *testEnv) string {
	t.Helper()
	resp, body := env.request(http.MethodGet, "/metrics", nil, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("metrics: %d", resp.StatusCode)
	}
	return string(body)
}

func TestMetricsCountRequestsByRoutePattern(t *testing.T) {
	env := newTestEnv(t)
	tok := env.token(auth.Viewer)
	for _, id := range []int64{env.declare("One").ID, env.declare("Two").ID, 987654} {
		env.publicGet(fmt.Sprintf("/incidents/%d", id))
	}
	env.publicGet("/")
	env.publicGet("/no-such-page-31337")
	env.api("GET", "/incidents/123456", tok, nil)
	env.api("GET", "/status", "", nil)

	m := metricsText(t, env)
	for _, want := range []string{
		`amends_http_requests_total{code="200",method="GET",route="/incidents/:id"} 2`,
		`amends_http_requests_total{code="404",method="GET",route="/incidents/:id"} 1`,
		`amends_http_requests_total{code="200",method="GET",route="/"} 1`,
		`amends_http_requests_total{code="404",method="GET",route="/api/v1/incidents/:id"} 1`,
		`amends_http_requests_total{code="401",method="GET",route="/api/v1/status"} 1`,
		`# TYPE amends_http_request_duration_seconds histogram`,
		`amends_page_cache_renders_total`,
		`go_goroutines`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// No raw ids or paths as labels: one series per route.
	for _, raw := range []string{"987654", "123456", "31337"} {
		if strings.Contains(m, raw) {
			t.Errorf("metrics carry the raw path segment %s", raw)
		}
	}
	for _, line := range regexp.MustCompile(`(?m)^amends_http_requests_total\{.*$`).FindAllString(m, -1) {
		route := regexp.MustCompile(`route="([^"]*)"`).FindStringSubmatch(line)
		if route == nil || regexp.MustCompile(`/\d`).MatchString(route[1]) {
			t.Errorf("route label with a raw id: %s", line)
		}
	}
}

// Prometheus scrapes with Accept-Encoding: gzip; the body must then be
// gzip once, not twice.
func TestMetricsGzipForScrapers(t *testing.T) {
	env := newTestEnv(t)
	resp, body := env.request(http.MethodGet, "/metrics", http.Header{"Accept-Encoding": {"gzip"}}, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("metrics: %d", resp.StatusCode)
	}
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(plain, []byte("# HELP")) {
		t.Errorf("the gzip body does not decompress to the metrics text (gzip applied twice?): %.20q", plain)
	}
}

func TestStaticAssets(t *testing.T) {
	env := newTestEnv(t)
	_, page := env.publicGet("/")
	href := parseHTML(t, page).Find(`link[rel="stylesheet"]`).AttrOr("href", "")
	if href != static.URL("amends.css") || !strings.Contains(href, "?v=") {
		t.Fatalf("stylesheet link %q", href)
	}
	want, err := static.FS.ReadFile("amends.css")
	if err != nil {
		t.Fatal(err)
	}
	resp, body := env.request(http.MethodGet, href, nil, nil)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, want) {
		t.Fatalf("GET %s: %d, %d bytes (want %d)", href, resp.StatusCode, len(body), len(want))
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Errorf("Content-Type %q", ct)
	}
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") || !strings.Contains(cc, "immutable") {
		t.Errorf("versioned asset Cache-Control %q", cc)
	}
	resp, _ = env.request(http.MethodGet, "/static/amends.css", nil, nil)
	if cc := resp.Header.Get("Cache-Control"); resp.StatusCode != http.StatusOK || strings.Contains(cc, "immutable") || !strings.Contains(cc, "max-age=") {
		t.Errorf("unversioned asset: %d, Cache-Control %q", resp.StatusCode, cc)
	}
	// gzip when asked, the same bytes inside.
	resp, gz := env.request(http.MethodGet, href, http.Header{"Accept-Encoding": {"gzip"}}, nil)
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := io.ReadAll(zr); !bytes.Equal(got, want) {
			t.Error("the gzip stylesheet decompresses to other bytes")
		}
	} else if len(want) > 1024 {
		t.Errorf("a %d-byte stylesheet is not gzipped", len(want))
	}
	for _, name := range []string{"amends.js", "favicon.svg"} {
		if resp, _ := env.request(http.MethodGet, static.URL(name), nil, nil); resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", name, resp.StatusCode)
		}
	}
	if resp, _ := env.request(http.MethodHead, href, nil, nil); resp.StatusCode != http.StatusOK {
		t.Errorf("HEAD %s: %d", href, resp.StatusCode)
	}
	for _, path := range []string{"/static/", "/static/nope.css", "/static/../go.mod", "/static/%2e%2e/go.mod"} {
		if resp, _ := env.request(http.MethodGet, path, nil, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, resp.StatusCode)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	env := newTestEnv(t)
	b := env.user(auth.Admin)
	check := func(what string, h http.Header) {
		t.Helper()
		csp := h.Get("Content-Security-Policy")
		for _, d := range []string{"default-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"} {
			if !strings.Contains(csp, d) {
				t.Errorf("%s: CSP %q lacks %s", what, csp, d)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP allows unsafe code: %q", what, csp)
		}
		if h.Get("X-Frame-Options") != "DENY" || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" {
			t.Errorf("%s: X-Frame-Options %q, X-Content-Type-Options %q, Referrer-Policy %q", what, h.Get("X-Frame-Options"), h.Get("X-Content-Type-Options"), h.Get("Referrer-Policy"))
		}
	}
	for _, path := range []string{"/", "/history", "/login", "/incidents/999", "/healthz", "/api/v1/status"} {
		resp, _ := env.request(http.MethodGet, path, nil, nil)
		check("GET "+path, resp.Header)
	}
	resp, _ := env.request(http.MethodGet, "/", http.Header{"If-None-Match": {"*"}}, nil)
	check("304 of /", resp.Header)
	for _, path := range []string{"/admin", "/admin/users"} {
		resp, _ := b.get(path)
		check("GET "+path, resp.Header)
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("GET %s: Cache-Control %q, want no-store", path, cc)
		}
	}
	// Pages load no inline script or style the CSP would block.
	_, page := env.publicGet("/")
	doc := parseHTML(t, page)
	if doc.Find("script:not([src])").Length() != 0 || doc.Find("style").Length() != 0 || doc.Find("[style]").Length() != 0 || doc.Find("[onclick]").Length() != 0 {
		t.Error("the status page has inline script or style")
	}
}

// Error answers: JSON to the API and to JSON clients, a page to browsers,
// and no internals in either.
func TestErrorResponses(t *testing.T) {
	env := newTestEnv(t)
	resp, body := env.request(http.MethodGet, "/incidents/999", http.Header{"Accept": {"application/json"}}, nil)
	var eb errorBody
	if resp.StatusCode != http.StatusNotFound || json.Unmarshal(body, &eb) != nil || eb.Error.Message == "" {
		t.Errorf("JSON client 404: %d %s", resp.StatusCode, body)
	}
	resp, body = env.request(http.MethodGet, "/incidents/999", http.Header{"Accept": {"text/html,application/json"}}, nil)
	if resp.StatusCode != http.StatusNotFound || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !bytes.Contains(body, []byte("Page not found")) {
		t.Errorf("browser 404: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	tok := env.token(auth.Viewer)
	r := env.api("GET", "/nope", tok, nil)
	if r.status != http.StatusNotFound || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Errorf("unknown API path: %d %s %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	r.apiError(t)
	if r := env.api("GET", "/nope", "", nil); r.status != http.StatusUnauthorized {
		t.Errorf("unknown API path without token: %d", r.status)
	}
}

// A request no route takes is 404 (unknown path) or 405 (known path, other
// method), whatever its method: not a 403 about a missing form token.
func TestUnmatchedRoutes(t *testing.T) {
	env := newTestEnv(t)
	for _, tc := range []struct {
		method, path string
		want         int
	}{
		{http.MethodGet, "/nope", http.StatusNotFound},
		{http.MethodPost, "/nope", http.StatusNotFound},
		{http.MethodPost, "/", http.StatusMethodNotAllowed},
		{http.MethodDelete, "/", http.StatusMethodNotAllowed},
		{http.MethodPut, "/history", http.StatusMethodNotAllowed},
		{http.MethodPost, "/incidents/1", http.StatusMethodNotAllowed},
		// Under /admin the visitor is checked before routing answers, so an
		// unknown method there is refused like any unauthenticated write
		// and reveals nothing about which routes exist.
		{http.MethodDelete, "/admin/users/1/role", http.StatusForbidden},
	} {
		resp, _ := env.request(tc.method, tc.path, nil, nil)
		if resp.StatusCode != tc.want {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.path, resp.StatusCode, tc.want)
		}
	}
}
