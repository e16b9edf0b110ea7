package web

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/incidents"
)

// answer is a response as a client reads it, with the request's log line.
type answer struct {
	status int
	header http.Header
	body   string
	log    map[string]any
}

// viaEcho serves req through the echo handler, as fastadapt does.
func viaEcho(t *testing.T, env *testEnv, logged *syncBuffer, req *http.Request) answer {
	t.Helper()
	rec := httptest.NewRecorder()
	env.server.Handler().ServeHTTP(rec, req)
	res := rec.Result()
	b, _ := io.ReadAll(res.Body)
	return answer{res.StatusCode, res.Header, string(b), lastLine(t, logged)}
}

// viaFastHit serves req through fastHit alone and says whether it
// answered; when it did not, the response must be untouched.
func viaFastHit(t *testing.T, env *testEnv, logged *syncBuffer, req *http.Request) (answer, bool) {
	t.Helper()
	var raw bytes.Buffer
	if err := req.Write(&raw); err != nil {
		t.Fatal(err)
	}
	var fr fasthttp.Request
	if err := fr.Read(bufio.NewReader(&raw)); err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(req.RemoteAddr)
	var ctx fasthttp.RequestCtx
	ctx.Init(&fr, &net.TCPAddr{IP: net.ParseIP(host), Port: atoi(t, port)}, nil)
	if !env.server.fastHit(&ctx) {
		if ctx.Response.StatusCode() != http.StatusOK || len(ctx.Response.Body()) != 0 || ctx.Response.Header.Len() > 1 {
			t.Errorf("%s %s: fastHit declined after writing %q", req.Method, req.URL, ctx.Response.String())
		}
		return answer{}, false
	}
	ctx.Response.SkipBody = req.Method == http.MethodHead
	var out bytes.Buffer
	bw := bufio.NewWriter(&out)
	if err := ctx.Response.Write(bw); err != nil {
		t.Fatal(err)
	}
	bw.Flush()
	res, err := http.ReadResponse(bufio.NewReader(&out), req)
	if err != nil {
		t.Fatalf("%s: %v", out.String(), err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Header.Del("Date") // the server's, as net/http's is
	return answer{res.StatusCode, res.Header, string(b), lastLine(t, logged)}, true
}

func atoi(t *testing.T, s string) int {
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

func lastLine(t *testing.T, logged *syncBuffer) map[string]any {
	l := logged.lines(t)
	return l[len(l)-1]
}

// A status page request that fastHit answers gets, byte for byte, the
// status, headers and body the echo handler gives it, and the same log
// line (but its latency) and count: for each encoding, HEAD, a matching
// ETag, a query, a client's request id, HTTPS and a client address behind
// a proxy.
func TestFastHitAnswersAsEchoDoes(t *testing.T) {
	for _, behindProxy := range []bool{false, true} {
		t.Run(fmt.Sprintf("behind proxy %v", behindProxy), func(t *testing.T) {
			var logged syncBuffer
			env := newTestEnvWith(t, envOptions{demo: true, config: func(c *Config) {
				c.Logger = slog.New(slog.NewJSONHandler(&logged, nil))
				c.BehindProxy = behindProxy
			}})
			first := httptest.NewRequest(http.MethodGet, "/", nil)
			viaEcho(t, env, &logged, first) // renders the page into the cache
			gzETag := env.server.pages.current(context.Background(), "/").etagGzip

			cases := []struct {
				method, target string
				header         http.Header
				remote         string // 192.0.2.10, a public address, when empty
			}{
				{"GET", "/", http.Header{"Accept-Encoding": {"gzip, deflate, br"}}, ""},
				{"GET", "/", nil, ""},
				{"GET", "/?utm_source=x", http.Header{"Accept-Encoding": {"gzip"}}, ""},
				{"HEAD", "/", http.Header{"Accept-Encoding": {"gzip"}}, ""},
				{"HEAD", "/", nil, ""},
				{"GET", "/", http.Header{"Accept-Encoding": {"gzip"}, "If-None-Match": {gzETag}}, ""},
				{"GET", "/", http.Header{"Accept-Encoding": {"gzip"}, "If-None-Match": {`"other", W/` + gzETag}}, ""},
				{"GET", "/", http.Header{"Accept-Encoding": {"gzip;q=0"}, "If-None-Match": {gzETag}}, ""},
				{"GET", "/", http.Header{"X-Request-Id": {"client-chose-this"}}, ""},
				// echo trusts a scheme header from a private address only.
				{"GET", "/", http.Header{"X-Forwarded-Proto": {"https"}}, ""},
				{"GET", "/", http.Header{"X-Forwarded-Proto": {"https"}}, "10.0.0.7:5000"},
				{"GET", "/", http.Header{"X-Forwarded-Ssl": {"on"}}, "10.0.0.7:5000"},
				{"GET", "/", http.Header{"X-Forwarded-For": {"203.0.113.9, 10.0.0.2"}, "X-Real-Ip": {"198.51.100.4"}}, ""},
				{"GET", "/", http.Header{"X-Forwarded-For": {"203.0.113.9", "10.0.0.2"}}, "127.0.0.1:5000"},
			}
			hits, hsts := 0, 0
			for _, tc := range cases {
				mk := func() *http.Request {
					r := httptest.NewRequest(tc.method, tc.target, nil)
					r.RemoteAddr = "192.0.2.10:40123"
					if tc.remote != "" {
						r.RemoteAddr = tc.remote
					}
					maps.Copy(r.Header, tc.header)
					return r
				}
				fast, ok := viaFastHit(t, env, &logged, mk())
				if !ok {
					t.Errorf("%s %s %v: fastHit declined a current page", tc.method, tc.target, tc.header)
					continue
				}
				hits++
				if fast.header.Get("Strict-Transport-Security") != "" {
					hsts++
				}
				slow := viaEcho(t, env, &logged, mk())
				name := fmt.Sprintf("%s %s %v", tc.method, tc.target, tc.header)
				if fast.status != slow.status || fast.body != slow.body {
					t.Errorf("%s: fastHit %d with %d bytes, echo %d with %d bytes", name, fast.status, len(fast.body), slow.status, len(slow.body))
				}
				if tc.header.Get("X-Request-Id") == "" {
					fast.header.Del("X-Request-Id")
					slow.header.Del("X-Request-Id")
					delete(fast.log, "request_id")
					delete(slow.log, "request_id")
				}
				for _, l := range []map[string]any{fast.log, slow.log} {
					delete(l, "time")
					delete(l, "latency")
				}
				if !equalHeaders(fast.header, slow.header) {
					t.Errorf("%s: headers\nfastHit %v\necho    %v", name, fast.header, slow.header)
				}
				if !maps.Equal(fast.log, slow.log) {
					t.Errorf("%s: log line\nfastHit %v\necho    %v", name, fast.log, slow.log)
				}
			}
			if hits != len(cases) || hsts != 2 {
				t.Fatalf("fastHit answered %d of %d, %d with HSTS (want 2)", hits, len(cases), hsts)
			}
			// Every request counted once under "/", by method and code:
			// the first, then each case once each way (12 GETs, of
			// which 2 are answered 304, and 2 HEADs).
			got := counts(t, env)
			want := map[string]float64{"/ GET 200": 1 + 2*10, "/ GET 304": 2 * 2, "/ HEAD 200": 2 * 2}
			if !maps.Equal(got, want) {
				t.Errorf("counted %v, want %v", got, want)
			}
		})
	}
}

func equalHeaders(a, b http.Header) bool {
	return maps.EqualFunc(a, b, func(x, y []string) bool { return slices.Equal(x, y) })
}

func counts(t *testing.T, env *testEnv) map[string]float64 {
	t.Helper()
	families, err := env.server.registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		if f.GetName() != "amends_http_requests_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			l := map[string]string{}
			for _, p := range m.GetLabel() {
				l[p.GetName()] = p.GetValue()
			}
			out[l["route"]+" "+l["method"]+" "+l["code"]] = m.GetCounter().GetValue()
		}
	}
	return out
}

// fastHit leaves to echo every request but GET or HEAD of the status
// page, and the status page itself when its copy is not current: never
// cached yet, after a write, or past its own time.
func TestFastHitDeclinesWhatItMustNotAnswer(t *testing.T) {
	var logged syncBuffer
	env := newTestEnvWith(t, envOptions{config: func(c *Config) {
		c.Logger = slog.New(slog.NewJSONHandler(&logged, nil))
	}})
	req := func(method, target string) *http.Request {
		r := httptest.NewRequest(method, target, nil)
		r.RemoteAddr = "192.0.2.10:40123"
		return r
	}
	if _, ok := viaFastHit(t, env, &logged, req("GET", "/")); ok {
		t.Fatal("fastHit answered a page never rendered")
	}
	viaEcho(t, env, &logged, req("GET", "/"))
	if _, ok := viaFastHit(t, env, &logged, req("GET", "/")); !ok {
		t.Fatal("fastHit declined the rendered page")
	}
	for _, r := range []*http.Request{req("POST", "/"), req("PUT", "/"), req("OPTIONS", "/"), req("GET", "/history"), req("GET", "/x"),
		req("GET", "//"), req("GET", "/static/amends.css"), req("GET", "/api/v2/summary.json"), req("GET", "/%2F")} {
		if _, ok := viaFastHit(t, env, &logged, r); ok {
			t.Errorf("fastHit answered %s %s", r.Method, r.URL)
		}
	}

	// A write: the page shows it at once, rendered through echo.
	before := viaEcho(t, env, &logged, req("GET", "/"))
	if _, err := env.incidents.CreateIncident(context.Background(), audit.Person("test"), incidents.IncidentInput{
		Title: "Elevated errors in us-east-1", Message: "Investigating.",
		Components: []incidents.ComponentChange{{Component: "elb-us-east-1", Status: incidents.MajorOutage}},
	}, env.clock.Now()); err != nil {
		t.Fatal(err)
	}
	env.server.pages.invalidate()
	if _, ok := viaFastHit(t, env, &logged, req("GET", "/")); ok {
		t.Error("fastHit answered with the copy from before the write")
	}
	after := viaEcho(t, env, &logged, req("GET", "/"))
	if !strings.Contains(after.body, "Elevated errors in us-east-1") || after.body == before.body {
		t.Error("the page after the write does not show the incident")
	}
	if got, ok := viaFastHit(t, env, &logged, req("GET", "/")); !ok || got.body != after.body {
		t.Error("fastHit does not answer with the page rendered after the write")
	}

	// Past the page's own time (at most a minute).
	env.clock.Advance(2 * time.Minute)
	if _, ok := viaFastHit(t, env, &logged, req("GET", "/")); ok {
		t.Error("fastHit answered with a copy past its time")
	}
}

// Through a real fasthttp server, the status page is answered by fastHit
// and the rest by echo through fastadapt, on one keep-alive connection.
func TestFastHTTPServesEveryRoute(t *testing.T) {
	env := newTestEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &fasthttp.Server{Handler: env.server.FastHTTP(), StreamRequestBody: true, NoDefaultServerHeader: true, NoDefaultContentType: true}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Shutdown() })
	base := "http://" + ln.Addr().String()
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tc := range []struct {
		method, path string
		status       int
		contains     string
	}{
		{"GET", "/", 200, "Elastic Load Balancing"},
		{"GET", "/", 200, "Elastic Load Balancing"},
		{"HEAD", "/", 200, ""},
		{"GET", "/history", 200, "History"},
		{"GET", "/api/v2/summary.json", 200, `"components"`},
		{"GET", "/login", 200, "Sign in"},
		{"GET", "/admin", 303, ""},
		{"POST", "/login", 403, ""},
		{"GET", "/no-such-page", 404, ""},
	} {
		req, _ := http.NewRequest(tc.method, base+tc.path, nil)
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tc.status || !strings.Contains(string(b), tc.contains) {
			t.Errorf("%s %s: %d, want %d with %q", tc.method, tc.path, res.StatusCode, tc.status, tc.contains)
		}
		if res.Header.Get("X-Request-Id") == "" || res.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("%s %s: no request id or security headers: %v", tc.method, tc.path, res.Header)
		}
	}
}

// A request the server cannot read (a header over its buffer, a malformed
// request line) is answered with its status, the security headers and a
// request id, logged and counted like any other.
func TestFastHTTPErrorAnswersLikeEveryResponse(t *testing.T) {
	var logged syncBuffer
	env := newTestEnvWith(t, envOptions{config: func(c *Config) {
		c.Logger = slog.New(slog.NewJSONHandler(&logged, nil))
	}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &fasthttp.Server{Handler: env.server.FastHTTP(), ErrorHandler: env.server.FastHTTPError, ReadBufferSize: 4096,
		StreamRequestBody: true, NoDefaultServerHeader: true, NoDefaultContentType: true}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Shutdown() })
	for _, tc := range []struct {
		request string
		status  int
	}{
		{"GET /history HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 8<<10) + "\r\n\r\n", 431},
		{"GET /history HTTP/1.1\r\nHost: x\r\nContent-Length: nine\r\n\r\n", 400},
	} {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(c, tc.request); err != nil {
			t.Fatal(err)
		}
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		c.Close()
		if res.StatusCode != tc.status || !strings.HasPrefix(string(b), strconv.Itoa(tc.status)+" ") {
			t.Errorf("%.30q: %d %q, want %d", tc.request, res.StatusCode, b, tc.status)
		}
		id := res.Header.Get("X-Request-Id")
		if id == "" || res.Header.Get("Content-Security-Policy") == "" || res.Header.Get("X-Content-Type-Options") != "nosniff" ||
			res.Header.Get("Cache-Control") != "no-store" || res.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
			t.Errorf("%.30q: headers %v", tc.request, res.Header)
		}
		l := lastLine(t, &logged)
		if l["status"] != float64(tc.status) || l["request_id"] != id || l["route"] != "unmatched" {
			t.Errorf("%.30q: logged %v", tc.request, l)
		}
	}
	if n := counts(t, env)["unmatched GET 431"]; n != 1 {
		t.Errorf("431s counted: %v", n)
	}
}
