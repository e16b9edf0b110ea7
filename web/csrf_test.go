package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/amends/amends/auth"
)

func TestCSRF(t *testing.T) {
	env := newTestEnv(t)
	b := env.user(auth.Support)
	b.get("/admin/incidents/new")
	if len(b.csrf) != 43 {
		t.Fatalf("the form's CSRF token is %q", b.csrf)
	}
	if ck := b.cookie(csrfCookie); ck == nil || ck.Value != b.csrf {
		t.Fatal("the form's token is not the CSRF cookie's")
	}
	form := func() url.Values {
		return url.Values{"title": {"Forged"}, "impact": {"minor"}, "message": {"From another site."}, "status.elb-us-east-1": {"major_outage"}}
	}
	withToken := func(tok string) url.Values {
		f := form()
		f.Set(csrfField, tok)
		return f
	}
	otherToken := env.user(auth.Admin).csrf
	before := env.counts()
	cases := []struct {
		name   string
		form   url.Values
		header http.Header
	}{
		{"no token", form(), nil},
		{"empty token", withToken(""), nil},
		{"wrong token", withToken(strings.Repeat("A", 43)), nil},
		{"token of another browser", withToken(otherToken), nil},
		{"wrong header token", form(), http.Header{csrfHeader: {"nope"}}},
		{"cross-site, right token", withToken(b.csrf), http.Header{"Sec-Fetch-Site": {"cross-site"}}},
		{"same-site subdomain, right token", withToken(b.csrf), http.Header{"Sec-Fetch-Site": {"same-site"}}},
		{"foreign Origin, right token", withToken(b.csrf), http.Header{"Origin": {"https://evil.example"}}},
	}
	for _, tc := range cases {
		resp, body := b.noFollow().post("/admin/incidents", tc.form, tc.header)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", tc.name, resp.StatusCode)
		}
		if !strings.Contains(body, "Not allowed") {
			t.Errorf("%s: not the error page", tc.name)
		}
	}
	env.assertNothingStored(before)

	// The right token works, in the form or in the header, and from the
	// same origin as a browser says it.
	for _, tc := range []struct {
		name   string
		form   url.Values
		header http.Header
	}{
		{"form token", withToken(b.csrf), nil},
		{"header token", form(), http.Header{csrfHeader: {b.csrf}}},
		{"same-origin browser", withToken(b.csrf), http.Header{"Sec-Fetch-Site": {"same-origin"}, "Origin": {env.http.URL}}},
	} {
		resp, _ := b.noFollow().post("/admin/incidents", tc.form, tc.header)
		if resp.StatusCode != http.StatusSeeOther {
			t.Errorf("%s: %d, want 303", tc.name, resp.StatusCode)
		}
	}
	if n := env.count("incidents") - before["incidents"]; n != 3 {
		t.Errorf("%d incidents stored, want 3", n)
	}
}

// The login form has its token too: a site cannot sign a visitor in as
// someone else.
func TestCSRFOnLoginAndLogout(t *testing.T) {
	env := newTestEnv(t)
	env.user(auth.Support)
	b := env.browser()
	if resp, _ := b.post("/login", url.Values{"email": {"support@example.com"}, "password": {testPassword}}, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("login without token: %d", resp.StatusCode)
	}
	if ck := b.cookie(sessionCookie); ck != nil && ck.Value != "" {
		t.Error("a login without token signed in")
	}
	s := env.user(auth.Support)
	if resp, _ := s.post("/logout", url.Values{}, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("logout without token: %d", resp.StatusCode)
	}
	if resp, _ := s.get("/admin"); resp.StatusCode != http.StatusOK {
		t.Errorf("a forged logout ended the session: %d", resp.StatusCode)
	}
}
