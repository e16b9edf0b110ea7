package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amends/amends/auth"
)

func init() {
	auth.PasswordParams = auth.Argon2Params{Memory: 64, Time: 1, Threads: 1}
}

// syncBuffer is a bytes.Buffer safe to write from the server goroutine
// while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var (
	servingLine = regexp.MustCompile(`serving .* on (http://\S+)`)
	setupLink   = regexp.MustCompile(`(http://\S+/setup\?code=\S+)`)
	csrfValue   = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
)

// TestServeEndToEnd runs the whole program as a new user would: serve with
// demo data on a fresh database, open the printed link, become admin,
// declare an incident with 12.5% of a component in partial outage, see the
// status page change, and stop with a clean shutdown.
func TestServeEndToEnd(t *testing.T) {
	base, link, stop := startServe(t)

	web := newWebClient(t, base)
	get, post := web.get, web.post

	home := get("/")
	if !strings.Contains(home, "Elastic Load Balancing") {
		t.Fatalf("demo status page lacks the ELB service:\n%s", home)
	}
	if history := get("/history"); !strings.Contains(history, "December 2012") {
		t.Fatalf("history lacks December 2012:\n%s", history)
	}

	web.becomeFirstAdmin(link)

	form := get("/admin/incidents/new")
	resp := post("/admin/incidents", form, url.Values{
		"title": {"Elevated error rates for load balancers in eu-west-1"}, "impact": {"major"},
		"phase": {"investigating"}, "message": {"We are investigating."}, "no_components": {"1"},
	})
	if !strings.HasPrefix(resp.Request.URL.Path, "/admin/incidents/") {
		t.Fatalf("declare ended at %s (%d)", resp.Request.URL, resp.StatusCode)
	}
	incidentPage := get(resp.Request.URL.Path)
	resp = post(resp.Request.URL.Path+"/updates", incidentPage, url.Values{
		"phase": {"identified"}, "message": {"One load balancer host group is failing health checks."},
		"status.elb-eu-west-1": {"partial_outage"}, "percent.elb-eu-west-1": {"12.5"},
	})
	if resp.StatusCode != 200 {
		t.Fatalf("update: %d", resp.StatusCode)
	}
	home = get("/")
	if !strings.Contains(home, "12.5%") || !strings.Contains(home, "Partial outage") {
		t.Fatalf("status page did not change after the update:\n%s", home)
	}

	if code := stop(); code != 0 {
		t.Fatalf("serve exited %d after SIGTERM", code)
	}
}

// webClient is a browser-like client of a running server: cookies, and the
// CSRF token of the page a form is posted from.
type webClient struct {
	t      *testing.T
	base   string
	client *http.Client
}

func newWebClient(t *testing.T, base string) *webClient {
	jar, _ := cookiejar.New(nil)
	return &webClient{t: t, base: base, client: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
}

// get fetches path (or a full URL) and fails the test unless it is 200.
func (w *webClient) get(path string) string {
	w.t.Helper()
	if strings.HasPrefix(path, "/") {
		path = w.base + path
	}
	resp, err := w.client.Get(path)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		w.t.Fatalf("GET %s: %d\n%s", path, resp.StatusCode, b)
	}
	return string(b)
}

// post submits form to path with the CSRF token found in page.
func (w *webClient) post(path, page string, form url.Values) *http.Response {
	w.t.Helper()
	m := csrfValue.FindStringSubmatch(page)
	if m == nil {
		w.t.Fatalf("no CSRF token on the page before POST %s", path)
	}
	form.Set("_csrf", m[1])
	resp, err := w.client.PostForm(w.base+path, form)
	if err != nil {
		w.t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// becomeFirstAdmin opens the printed first-admin link and creates the admin.
func (w *webClient) becomeFirstAdmin(link string) {
	w.t.Helper()
	setup := w.get(link)
	resp := w.post("/setup", setup, url.Values{
		"code": {regexp.MustCompile(`code=(\S+)`).FindStringSubmatch(link)[1]}, "email": {"ana@example.com"},
		"name": {"Ana"}, "password": {"a long enough password"},
	})
	if resp.Request.URL.Path != "/admin" {
		w.t.Fatalf("setup ended at %s (%d), want /admin", resp.Request.URL, resp.StatusCode)
	}
}

// startServe runs `amends serve --demo` on a free port over a new database
// and returns its base URL, the printed first-admin link, and a stop
// function that cancels it (as SIGTERM does) and returns its exit code.
func startServe(t *testing.T) (base, link string, stop func() int) {
	t.Helper()
	return startServeOn(t, filepath.Join(t.TempDir(), "amends.db"))
}

// startServeOn is startServe over the database file db, which the test may
// also open with other commands while the server runs.
func startServeOn(t *testing.T, db string) (base, link string, stop func() int) {
	t.Helper()
	base, stdout, _, stop := startServeArgs(t, db)
	link = setupLink.FindString(stdout.String())
	if link == "" {
		t.Fatalf("no first-admin link printed:\n%s", stdout.String())
	}
	return base, link, stop
}

// startServeArgs runs `amends serve --demo` with the extra args over the
// database file db and returns its base URL, its standard output and
// error as they grow, and the stop function of startServe.
func startServeArgs(t *testing.T, db string, args ...string) (base string, stdout, stderr *syncBuffer, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr = &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--demo"}, args...), strings.NewReader(""), stdout, stderr)
	}()
	stopped := false
	stop = func() int {
		if stopped {
			return 0
		}
		stopped = true
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Logf("serve stderr:\n%s", stderr.String())
			}
			return code
		case <-time.After(30 * time.Second):
			t.Fatal("serve did not stop")
			return -1
		}
	}
	t.Cleanup(func() { stop() })
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := servingLine.FindStringSubmatch(stdout.String()); m != nil {
			base = m[1]
			break
		}
		select {
		case code := <-done:
			stopped = true
			t.Fatalf("serve exited %d early\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
		default:
		}
	}
	if base == "" {
		t.Fatalf("serve did not start\nstdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	}
	return base, stdout, stderr, stop
}

func TestCLIExitCodes(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "amends.db")
	cases := []struct {
		name  string
		args  []string
		stdin string
		want  int
		say   string
	}{
		{"no command", nil, "", 2, "usage"},
		{"unknown command", []string{"frobnicate"}, "", 2, "unknown command"},
		{"bad flag", []string{"serve", "--no-such-flag"}, "", 2, "no-such-flag"},
		{"demo loads", []string{"demo", "--db", db}, "", 0, "Loaded"},
		{"demo twice", []string{"demo", "--db", db}, "", 1, "already has services"},
		{"first user not an admin", []string{"user", "add", "--db", db, "--email", "a@example.com", "--name", "A", "--role", "support"}, "a long enough password\n", 2, "must be an admin"},
		{"common password", []string{"user", "add", "--db", db, "--email", "a@example.com", "--name", "A", "--role", "admin"}, "passwordpassword\n", 2, "password: is one of the 100,000 most common passwords"},
		{"token for unknown user", []string{"token", "create", "--db", db, "--user", "nobody@example.com", "--name", "x"}, "", 2, "--user"},
		{"bad log format", []string{"serve", "--db", db, "--log-format", "xml"}, "", 2, "--log-format"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			got := run(ctx, tc.args, strings.NewReader(tc.stdin), &out, &errOut)
			if got != tc.want || !strings.Contains(out.String()+errOut.String(), tc.say) {
				t.Fatalf("exit %d (want %d)\nstdout: %s\nstderr: %s", got, tc.want, out.String(), errOut.String())
			}
		})
	}
}
