package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/auth"
)

// emptyEnv is a server over a database with no users, and a setup code.
func emptyEnv(t *testing.T) (*testEnv, string) {
	env := newTestEnv(t)
	code, err := env.accounts.NewSetupCode(context.Background(), env.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return env, code
}

func TestSetupCreatesFirstAdminAndSignsIn(t *testing.T) {
	env, code := emptyEnv(t)
	b := env.browser()

	resp, body := b.get("/setup?code=" + url.QueryEscape(code))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /setup: %d", resp.StatusCode)
	}
	doc := parseHTML(t, body)
	if got := doc.Find(`form[data-testid="setup-form"] input[name="code"]`).AttrOr("value", ""); got != code {
		t.Errorf("setup form carries code %q, want the link's", got)
	}

	// A wrong code is refused with a message, and stores nothing.
	before := env.counts()
	resp = b.postForm("/setup", url.Values{"code": {"wrong-code"}, "email": {"Root@Example.com"}, "name": {"Root"}, "password": {testPassword}})
	body = readBody(t, resp)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong code: %d, want 401", resp.StatusCode)
	}
	if alert := textOf(parseHTML(t, body).Find(testid("form-error"))); !strings.Contains(alert, "setup link is wrong") {
		t.Errorf("wrong code: message %q", alert)
	}
	env.assertNothingStored(before)

	// Bad input names the field and keeps the code usable.
	resp = b.postForm("/setup", url.Values{"code": {code}, "email": {"root@example.com"}, "name": {"Root"}, "password": {"short"}})
	body = readBody(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(fieldError(parseHTML(t, body), "password"), "at least 12") {
		t.Errorf("short password: %d, field error %q", resp.StatusCode, fieldError(parseHTML(t, body), "password"))
	}
	env.assertNothingStored(before)

	// The right code creates the admin and signs them in.
	resp = b.postForm("/setup", url.Values{"code": {code}, "email": {"Root@Example.com"}, "name": {"Root"}, "password": {testPassword}})
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/admin" {
		t.Fatalf("setup: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	users, err := env.accounts.Users(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 1 || users[0].Email != "root@example.com" || users[0].Role != auth.Admin {
		t.Fatalf("users after setup: %+v", users)
	}
	if ck := b.cookie(sessionCookie); ck == nil || ck.Value == "" {
		t.Error("no session cookie after setup")
	}
	if resp, body := b.get("/admin/users"); resp.StatusCode != http.StatusOK || !strings.Contains(body, "root@example.com") {
		t.Errorf("the new admin cannot open /admin/users: %d", resp.StatusCode)
	}
	audits, _ := env.auditsAfter(0)
	if last := audits[len(audits)-1]; last.Actor != "setup" || last.Entity != "user" {
		t.Errorf("setup audit row: %+v", last)
	}

	// The code works once; then setup is closed.
	before = env.counts()
	other := env.browser()
	other.get("/login")
	resp = other.postForm("/setup", url.Values{"code": {code}, "email": {"second@example.com"}, "name": {"Second"}, "password": {testPassword}})
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("second use of the code: %d, want 409", resp.StatusCode)
	}
	env.assertNothingStored(before)
	if ck := other.cookie(sessionCookie); ck != nil && ck.Value != "" {
		t.Error("the refused setup signed someone in")
	}
	for _, path := range []string{"/setup", "/setup?code=" + url.QueryEscape(code)} {
		if resp, body := env.browser().get(path); resp.StatusCode != http.StatusConflict || strings.Contains(body, `data-testid="setup-form"`) {
			t.Errorf("GET %s once users exist: %d", path, resp.StatusCode)
		}
	}
}

func TestLoginSetsSafeCookieWithNewSessionEachTime(t *testing.T) {
	env := newTestEnv(t)
	env.user(auth.Support)

	login := func(b *browser) *http.Cookie {
		t.Helper()
		b.get("/login")
		resp, _ := b.noFollow().post("/login", url.Values{"email": {"support@example.com"}, "password": {testPassword}, "_csrf": {b.csrf}}, nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin" {
			t.Fatalf("login: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		for _, c := range resp.Cookies() {
			if c.Name == sessionCookie {
				return c
			}
		}
		t.Fatal("login set no session cookie")
		return nil
	}
	b := env.browser()
	first := login(b)
	if !first.HttpOnly || first.SameSite != http.SameSiteLaxMode || first.Path != "/" || first.Secure {
		t.Errorf("session cookie: HttpOnly %v, SameSite %v, Path %q, Secure %v", first.HttpOnly, first.SameSite, first.Path, first.Secure)
	}
	if first.MaxAge <= 0 || len(first.Value) < 32 {
		t.Errorf("session cookie: MaxAge %d, value %q", first.MaxAge, first.Value)
	}
	// A second login, in the same browser, gets a new id, and the old one
	// stops working (an id planted before login is worth nothing).
	second := login(b)
	if second.Value == first.Value {
		t.Error("a second login kept the session id")
	}
	if third := login(env.browser()); third.Value == first.Value || third.Value == second.Value {
		t.Error("another browser's login got an id already in use")
	}
	if resp := getWithSession(t, env, "/admin", first.Value); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the replaced session still opens /admin: %d", resp.StatusCode)
	}
	if resp := getWithSession(t, env, "/admin", second.Value); resp.StatusCode != http.StatusOK {
		t.Errorf("the current session does not open /admin: %d", resp.StatusCode)
	}
}

func TestSessionCookieSecureWhenConfigured(t *testing.T) {
	env := newTestEnvWith(t, envOptions{config: func(c *Config) { c.SecureCookies = true }})
	env.user(auth.Viewer)
	resp, _ := env.request(http.MethodGet, "/login", nil, nil)
	for _, c := range resp.Cookies() {
		if !c.Secure || !c.HttpOnly {
			t.Errorf("cookie %s: Secure %v HttpOnly %v", c.Name, c.Secure, c.HttpOnly)
		}
	}
	if len(resp.Cookies()) == 0 {
		t.Error("the login page set no CSRF cookie")
	}
}

// getWithSession GETs path with only the given session cookie.
func getWithSession(t *testing.T, env *testEnv, path, session string) *http.Response {
	t.Helper()
	resp, _ := env.request(http.MethodGet, path, http.Header{"Cookie": {sessionCookie + "=" + session}}, nil)
	return resp
}

func TestLoginWrongPassword(t *testing.T) {
	env := newTestEnv(t)
	env.user(auth.Support)
	for _, tc := range []struct{ email, password string }{
		{"support@example.com", "not the password"},
		{"nobody@example.com", testPassword},
		{"", ""},
	} {
		b := env.browser()
		b.get("/login")
		resp, body := b.noFollow().post("/login", url.Values{"email": {tc.email}, "password": {tc.password}, "_csrf": {b.csrf}}, nil)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", tc.email, resp.StatusCode)
		}
		doc := parseHTML(t, body)
		if msg := textOf(doc.Find(testid("form-error"))); !strings.Contains(msg, "Wrong email or password") {
			t.Errorf("%s: message %q", tc.email, msg)
		}
		if got := doc.Find(`input[name="email"]`).AttrOr("value", ""); got != tc.email {
			t.Errorf("the form lost the email: %q", got)
		}
		for _, c := range resp.Cookies() {
			if c.Name == sessionCookie && c.Value != "" {
				t.Errorf("%s: a failed login set a session", tc.email)
			}
		}
	}
}

func TestLoginDisabledUserRefused(t *testing.T) {
	env := newTestEnv(t)
	b := env.user(auth.Support)
	if _, err := env.accounts.SetDisabled(context.Background(), audit.Person("test"), env.userID("support@example.com"), true, env.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if resp, _ := b.noFollow().get("/admin"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a disabled user's session still works: %d", resp.StatusCode)
	}
	nb := env.browser()
	nb.get("/login")
	if resp, _ := nb.post("/login", url.Values{"email": {"support@example.com"}, "password": {testPassword}, "_csrf": {nb.csrf}}, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a disabled user can sign in: %d", resp.StatusCode)
	}
}

func TestLogoutEndsSession(t *testing.T) {
	env := newTestEnv(t)
	b := env.user(auth.Admin)
	old := b.cookie(sessionCookie).Value
	b.get("/admin")
	resp := b.postForm("/logout", url.Values{})
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/" {
		t.Errorf("logout: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	if ck := b.cookie(sessionCookie); ck != nil && ck.Value != "" {
		t.Error("logout left the session cookie")
	}
	if resp := getWithSession(t, env, "/admin", old); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the old session cookie still opens /admin: %d", resp.StatusCode)
	}
	// A replayed cookie cannot write either.
	before := env.counts()
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(env.http.URL)
	jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: old, Path: "/"}})
	replay := &browser{env: env, client: &http.Client{Jar: jar}}
	replay.get("/login")
	if resp := replay.postForm("/admin/incidents", url.Values{"title": {"x"}, "message": {"y"}}); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a write with the old cookie: %d, want 401", resp.StatusCode)
	}
	env.assertNothingStored(before)
}

// The first-admin setup form has a limit of its own per address
// (LoginRate a minute), which sign-in failures do not use up.
func TestSetupRateLimited(t *testing.T) {
	env := newTestEnvWith(t, envOptions{config: func(c *Config) { c.LoginRate = 3 }})
	b := env.browser()
	b.get("/login")
	var codes []int
	for i := 0; i < 4; i++ {
		resp, body := b.post("/setup", url.Values{"code": {"guess " + string(rune('a'+i))}, "_csrf": {b.csrf}}, nil)
		codes = append(codes, resp.StatusCode)
		if resp.StatusCode == http.StatusTooManyRequests && (resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "Too many")) {
			t.Errorf("429 without Retry-After or message")
		}
	}
	if codes[3] != http.StatusTooManyRequests || slices.Contains(codes[:3], http.StatusTooManyRequests) {
		t.Errorf("setup answers %v, want the 4th refused with 429 (3 a minute)", codes)
	}
	// Sign-in is not limited by setup attempts.
	if resp, _ := b.post("/login", url.Values{"email": {"nobody@example.com"}, "password": {"guess"}, "_csrf": {b.csrf}}, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("login after setup was limited: %d, want 401", resp.StatusCode)
	}
	// Pages are not limited.
	if resp, _ := b.get("/login"); resp.StatusCode != http.StatusOK {
		t.Errorf("GET /login while limited: %d", resp.StatusCode)
	}
}

func TestAdminNeedsLogin(t *testing.T) {
	env := newTestEnv(t)
	env.declare("Something")
	for path, next := range map[string]string{
		"/admin":                  "/admin",
		"/admin/incidents?page=2": "/admin/incidents?page=2",
		"/admin/maintenance":      "/admin/maintenance",
		"/admin/users":            "/admin/users",
		"/admin/incidents/new":    "/admin/incidents/new",
		"/admin/incidents/1":      "/admin/incidents/1",
		"/admin/services?x=a&y=b": "/admin/services?x=a&y=b",
	} {
		resp, _ := env.request(http.MethodGet, path, nil, nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next="+url.QueryEscape(next) {
			t.Errorf("GET %s: %d to %q", path, resp.StatusCode, resp.Header.Get("Location"))
		}
		if cc := resp.Header.Get("Cache-Control"); strings.Contains(cc, "public") {
			t.Errorf("GET %s: Cache-Control %q", path, cc)
		}
	}

	// The login page keeps next, and signing in goes there.
	env.user(auth.Support)
	b := env.browser()
	_, body := b.get("/login?next=" + url.QueryEscape("/admin/maintenance"))
	if got := parseHTML(t, body).Find(`input[name="next"]`).AttrOr("value", ""); got != "/admin/maintenance" {
		t.Errorf("login form next %q", got)
	}
	resp := b.postForm("/login", url.Values{"email": {"support@example.com"}, "password": {testPassword}, "next": {"/admin/maintenance"}})
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/admin/maintenance" {
		t.Errorf("after login: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	// A signed-in visitor of /login goes on.
	if resp, _ := b.noFollow().get("/login?next=/admin/services"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/services" {
		t.Errorf("signed-in GET /login: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// Unauthenticated writes change nothing: 403 without a CSRF token (the
// token check comes first), 401 with one.
func TestAdminWritesNeedLogin(t *testing.T) {
	env := newTestEnv(t)
	inc := env.declare("Something", change("elb-us-east-1", "degraded_performance", ""))
	env.user(auth.Admin) // a user exists, so ids below are real
	writes := map[string]url.Values{
		"/admin/incidents": {"title": {"x"}, "message": {"y"}},
		"/admin/incidents/" + itoa(inc.ID) + "/updates": {"phase": {"resolved"}, "message": {"y"}},
		"/admin/maintenance":                            {"title": {"x"}, "message": {"y"}, "starts_at": {"2012-12-25 10:00"}, "ends_at": {"2012-12-25 11:00"}, "components": {"elb-us-east-1"}},
		"/admin/maintenance/1/advance":                  {"phase": {"completed"}},
		"/admin/services":                               {"id": {"EC2"}, "name": {"EC2"}},
		"/admin/components":                             {"id": {"x"}, "service": {"ELB"}, "name": {"x"}, "region": {"x"}},
		"/admin/users":                                  {"email": {"evil@example.com"}, "name": {"Evil"}, "role": {"admin"}, "password": {testPassword}},
		"/admin/users/1/role":                           {"role": {"viewer"}},
		"/admin/users/1/disabled":                       {"disabled": {"true"}},
		"/admin/tokens":                                 {"name": {"x"}, "role": {"admin"}},
		"/admin/tokens/1/revoke":                        {},
	}
	before := env.counts()
	for path, form := range writes {
		anon := env.browser()
		if resp, _ := anon.post(path, form, nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s without session or token: %d, want 403", path, resp.StatusCode)
		}
		anon.get("/login")
		resp := anon.postForm(path, form)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("POST %s without session: %d, want 401", path, resp.StatusCode)
		}
		if resp.Request.URL.Path != path {
			t.Errorf("POST %s ended at %s", path, resp.Request.URL)
		}
	}
	env.assertNothingStored(before)
	users, _ := env.accounts.Users(context.Background())
	for _, u := range users {
		if u.Disabled || u.Role != auth.Admin && u.Email == "first-admin@example.com" {
			t.Errorf("user changed: %+v", u)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// The post-login redirect stays on this site, whatever next says.
func TestLoginNextStaysOnSite(t *testing.T) {
	env := newTestEnv(t)
	env.user(auth.Viewer)
	hostile := []string{
		"//evil.example",
		"//evil.example/admin",
		"https://evil.example/",
		"http:evil.example",
		"/\\evil.example",
		"\\\\evil.example",
		"/\t/evil.example",
		"/\n/evil.example",
		" //evil.example",
		"javascript:alert(1)",
		"evil.example",
	}
	for _, next := range hostile {
		loc := loginRedirect(t, env, "viewer@example.com", next)
		if !staysOnSite(loc) {
			t.Errorf("next %q: redirected to %q, which a browser reads as another site", next, loc)
		}
	}
	if loc := loginRedirect(t, env, "viewer@example.com", "/admin/incidents?page=2"); loc != "/admin/incidents?page=2" {
		t.Errorf("a local next was not kept: %q", loc)
	}
}

// staysOnSite reports whether a browser, resolving location against this
// site as the WHATWG URL standard says, stays on it: it drops tabs and
// newlines, trims spaces and reads "\" as "/".
func staysOnSite(location string) bool {
	l := strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(location)
	l = strings.TrimSpace(l)
	return strings.HasPrefix(l, "/") && !strings.HasPrefix(l, "//")
}

// loginRedirect signs in with next and returns the raw Location header.
// It uses the transport directly, since Go's client refuses some of the
// Location values a browser follows.
func loginRedirect(t *testing.T, env *testEnv, email, next string) string {
	t.Helper()
	b := env.browser()
	b.get("/login")
	form := url.Values{"email": {email}, "password": {testPassword}, "next": {next}, "_csrf": {b.csrf}}
	req, _ := http.NewRequest(http.MethodPost, env.http.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	u, _ := url.Parse(env.http.URL)
	for _, c := range b.client.Jar.Cookies(u) {
		req.AddCookie(c)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login with next %q: %d", next, resp.StatusCode)
	}
	return resp.Header.Get("Location")
}

// The sign-in limit per client address cannot be dodged with a header:
// without a configured proxy, X-Forwarded-For and X-Real-IP are the
// client's own words. Each guess names another account, so only the
// address counter can refuse.
func TestLoginRateLimitIgnoresForwardedHeaders(t *testing.T) {
	env := newTestEnvWith(t, envOptions{config: func(c *Config) { c.LoginAddressFailures = 3 }})
	b := env.browser()
	b.get("/login")
	var codes []int
	for i := 0; i < 6; i++ {
		h := http.Header{
			"X-Forwarded-For": {fmt.Sprintf("203.0.113.%d", i)},
			"X-Real-Ip":       {fmt.Sprintf("198.51.100.%d", i)},
		}
		resp, _ := b.post("/login", url.Values{"email": {fmt.Sprintf("root%d@example.com", i)}, "password": {fmt.Sprintf("guess %d", i)}, "_csrf": {b.csrf}}, h)
		codes = append(codes, resp.StatusCode)
	}
	limited := 0
	for _, c := range codes {
		if c == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited != 3 {
		t.Errorf("6 guesses from one client, each with a new X-Forwarded-For: %v; want the last 3 refused with 429", codes)
	}
}
