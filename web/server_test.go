package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"database/sql"

	"github.com/amends/amends/audit"
	auditsqlite "github.com/amends/amends/audit/sqlite"
	"github.com/amends/amends/auth"
	authsqlite "github.com/amends/amends/auth/sqlite"
	desksqlite "github.com/amends/amends/desk/sqlite"
	"github.com/amends/amends/incidents"
	incsqlite "github.com/amends/amends/incidents/sqlite"
	"github.com/amends/amends/internal/demo"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
)

// testEnv is a real server over a real SQLite file in a temp folder.
type testEnv struct {
	t         testing.TB
	db        *sql.DB
	incidents *incsqlite.Store
	accounts  *authsqlite.Store
	desk      *desksqlite.Store
	server    *Server
	http      *httptest.Server
	clock     *testClock
}

type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

type dbRevision struct{ db *sql.DB }

func (r dbRevision) Revision(ctx context.Context) (int64, error) { return sqlitedb.Revision(ctx, r.db) }

func init() {
	// Production argon2 cost is the point in production, not in tests.
	auth.PasswordParams = auth.Argon2Params{Memory: 64, Time: 1, Threads: 1}
}

func newTestEnv(t testing.TB) *testEnv { return newTestEnvWith(t, envOptions{}) }

// envOptions changes how newTestEnvWith builds the server.
type envOptions struct {
	// config adjusts the server's Config after the test defaults are set.
	config func(*Config)
	// wrapStore wraps the incidents store the server gets; the env keeps
	// the real one for direct writes.
	wrapStore func(incidents.Store) incidents.Store
	// wrapRevision wraps the revisioner the server gets.
	wrapRevision func(Revisioner) Revisioner
	// demo loads the demo data (internal/demo) instead of the test
	// catalog, as of start, or of demoAsOf when start is zero, and sets the
	// clock to that instant.
	demo  bool
	start time.Time
}

func newTestEnvWith(t testing.TB, opts envOptions) *testEnv {
	t.Helper()
	ctx := context.Background()
	db, err := sqlitedb.Open(ctx, filepath.Join(t.TempDir(), "amends.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	inc, err := incsqlite.New(db)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := authsqlite.New(db)
	if err != nil {
		t.Fatal(err)
	}
	desk, err := desksqlite.New(db)
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{now: time.Date(2012, 12, 24, 20, 0, 0, 0, time.UTC)}
	if !opts.start.IsZero() {
		clock.now = opts.start
	}
	cfg := Config{SiteName: "Test Cloud", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: clock.Now, LoginRate: 1000, SubscribeRate: 1000, Audit: auditsqlite.New(db)}
	if opts.config != nil {
		opts.config(&cfg)
	}
	var store incidents.Store = inc
	if opts.wrapStore != nil {
		store = opts.wrapStore(inc)
	}
	var rev Revisioner = dbRevision{db}
	if opts.wrapRevision != nil {
		rev = opts.wrapRevision(rev)
	}
	srv := New(cfg, store, acc, desk, rev)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	env := &testEnv{t: t, db: db, incidents: inc, accounts: acc, desk: desk, server: srv, http: hs, clock: clock}
	if opts.demo {
		if opts.start.IsZero() {
			clock.now = demoAsOf
		}
		if ok, err := demo.Load(ctx, inc, desk, clock.now); err != nil || !ok {
			t.Fatalf("demo: %v %v", ok, err)
		}
		return env
	}
	env.seedCatalog()
	return env
}

// seedCatalog adds one service with two components.
func (e *testEnv) seedCatalog() {
	e.t.Helper()
	ctx := context.Background()
	now := e.clock.Now()
	if _, err := e.incidents.CreateService(ctx, audit.Person("test"), incidents.Service{ID: "ELB", Name: "Elastic Load Balancing", Position: 1}, now); err != nil {
		e.t.Fatal(err)
	}
	for i, id := range []string{"elb-us-east-1", "elb-eu-west-1"} {
		c := incidents.Component{ID: id, Service: "ELB", Name: "ELB " + strings.TrimPrefix(id, "elb-"), Region: strings.TrimPrefix(id, "elb-"), Position: i}
		if _, err := e.incidents.CreateComponent(ctx, audit.Person("test"), c, now); err != nil {
			e.t.Fatal(err)
		}
	}
}

// user creates a user with role and returns a browser signed in as them.
func (e *testEnv) user(role auth.Role) *browser {
	e.t.Helper()
	ctx := context.Background()
	email := string(role) + "@example.com"
	pw := "correct horse battery staple"
	n, err := e.accounts.UserCount(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	if n == 0 {
		code, err := e.accounts.NewSetupCode(ctx, e.clock.Now())
		if err != nil {
			e.t.Fatal(err)
		}
		if _, err := e.accounts.CreateFirstAdmin(ctx, code, auth.NewUser{Email: "first-admin@example.com", Name: "First Admin", Role: auth.Admin, Password: pw}, e.clock.Now()); err != nil {
			e.t.Fatal(err)
		}
	}
	// A second call for the same role signs in the same user again.
	if _, err := e.accounts.CreateUser(ctx, audit.Person("test"), auth.NewUser{Email: email, Name: "Test " + string(role), Role: role, Password: pw}, e.clock.Now()); err != nil && errs.CodeOf(err) != errs.Conflict {
		e.t.Fatal(err)
	}
	b := e.browser()
	resp := b.postForm("/login", url.Values{"email": {email}, "password": {pw}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Request.URL.Path, "/admin") {
		e.t.Fatalf("login as %s: status %d at %s", role, resp.StatusCode, resp.Request.URL)
	}
	return b
}

// token creates an API token with role (and a user with that role).
func (e *testEnv) token(role auth.Role) string {
	e.t.Helper()
	e.user(role)
	users, err := e.accounts.Users(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	for _, u := range users {
		if u.Email == string(role)+"@example.com" {
			raw, _, err := e.accounts.CreateToken(context.Background(), audit.Person("test"), u.ID, "test token", role, e.clock.Now())
			if err != nil {
				e.t.Fatal(err)
			}
			return raw
		}
	}
	e.t.Fatal("token owner not found")
	return ""
}

// browser is an HTTP client with cookies that fills in the CSRF token of the
// last page it loaded, as a person submitting a form would.
type browser struct {
	env    *testEnv
	client *http.Client
	csrf   string
}

func (e *testEnv) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{env: e, client: &http.Client{Jar: jar}}
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func (b *browser) get(path string) (*http.Response, string) {
	b.env.t.Helper()
	resp, err := b.client.Get(b.env.http.URL + path)
	if err != nil {
		b.env.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if m := csrfInput.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return resp, string(body)
}

// postForm loads a page first if no CSRF token is known, then posts.
func (b *browser) postForm(path string, form url.Values) *http.Response {
	b.env.t.Helper()
	if b.csrf == "" {
		b.get("/login")
	}
	if form.Get("_csrf") == "" {
		form.Set("_csrf", b.csrf)
	}
	resp, err := b.client.PostForm(b.env.http.URL+path, form)
	if err != nil {
		b.env.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if m := csrfInput.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	resp.Body = io.NopCloser(strings.NewReader(string(body)))
	return resp
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
