package web

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"
)

// syncBuffer is a bytes.Buffer that the server's goroutines may share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) lines(t *testing.T) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(s.b.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

// Every request, whatever becomes of it, gets its id back, the security
// headers, one log line with its status and a count under its route
// pattern; a handler that panics answers 500 (logged with its stack) and
// the server goes on.
func TestEveryRequestIsAnsweredLoggedAndCounted(t *testing.T) {
	var logged syncBuffer
	env := newTestEnvWith(t, envOptions{config: func(c *Config) {
		c.Logger = slog.New(slog.NewJSONHandler(&logged, nil))
	}})
	env.server.echo.GET("/boom/:n", func(c echo.Context) error { panic("boom " + c.Param("n")) })

	get := func(path, id string) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, env.http.URL+path, nil)
		if id != "" {
			req.Header.Set("X-Request-ID", id)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	for _, tc := range []struct {
		path, id string
		status   int
		route    string
	}{
		{"/", "client-id-1", 200, "/"},
		{"/boom/7", "", 500, "/boom/:n"},
		{"/no-such-page", "", 404, "unmatched"},
		{"/", "", 200, "/"},
	} {
		res := get(tc.path, tc.id)
		if res.StatusCode != tc.status {
			t.Errorf("GET %s: %d, want %d", tc.path, res.StatusCode, tc.status)
		}
		id := res.Header.Get("X-Request-ID")
		if id == "" || (tc.id != "" && id != tc.id) {
			t.Errorf("GET %s: request id %q, want %q or a new one", tc.path, id, tc.id)
		}
		for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"} {
			if res.Header.Get(h) == "" {
				t.Errorf("GET %s: no %s", tc.path, h)
			}
		}
	}

	var requests, panics int
	for _, l := range logged.lines(t) {
		switch l["msg"] {
		case "request":
			requests++
		case "panic":
			panics++
			if l["panic"] != "boom 7" || !strings.Contains(l["stack"].(string), "requestpath") {
				t.Errorf("panic line %v", l)
			}
		}
		if l["msg"] == "request" && l["uri"] == "/boom/7" && l["status"] != float64(500) {
			t.Errorf("the panic's request logged with status %v", l["status"])
		}
	}
	if requests != 4 || panics != 1 {
		t.Errorf("%d request lines and %d panic lines, want 4 and 1", requests, panics)
	}

	families, err := env.server.registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	counted := map[string]float64{}
	for _, f := range families {
		if f.GetName() != "amends_http_requests_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			counted[labels["route"]+" "+labels["method"]+" "+labels["code"]] = m.GetCounter().GetValue()
		}
	}
	want := map[string]float64{"/ GET 200": 2, "/boom/:n GET 500": 1, "unmatched GET 404": 1}
	if !maps.Equal(counted, want) {
		t.Errorf("requests counted %v, want %v", counted, want)
	}
}
