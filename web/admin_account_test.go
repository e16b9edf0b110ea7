package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/amends/amends/auth"
)

// A signed-in user changes their own password on /admin/account: a wrong
// current password or a weak new one is a 422 naming the field and changes
// nothing; a good one keeps this session, ends their others, and is
// audited; the form needs its CSRF token.
func TestChangeOwnPassword(t *testing.T) {
	env := newTestEnv(t)
	here := env.user(auth.Viewer)
	elsewhere := env.user(auth.Viewer)
	admin := env.user(auth.Admin)

	resp, body := here.get("/admin/account")
	doc := parseHTML(t, body)
	if resp.StatusCode != http.StatusOK || doc.Find(`form[action="/admin/account/password"] input[name="_csrf"]`).Length() != 1 {
		t.Fatalf("account page: %d", resp.StatusCode)
	}
	if doc.Find(`[data-testid="site-header"] a[href="/admin/account"]`).Length() != 1 {
		t.Error("the admin bar has no link to the account page")
	}
	before := env.lastAuditID()

	for _, tc := range []struct {
		current, next, field, message string
	}{
		{"not my password", "violet kettle under ninety", "current_password", "is not your current password"},
		{testPassword, "passwordpassword", "new_password", "is one of the 100,000 most common passwords"},
		{testPassword, "zzzzzzzzzzzzzz", "new_password", "must not be one character repeated"},
		{testPassword, "viewer@example.com", "new_password", "must not be the account's email address"},
		{testPassword, "short", "new_password", "must be at least 12 characters"},
		{testPassword, testPassword, "new_password", "must differ from the current password"},
	} {
		resp := here.postForm("/admin/account/password", url.Values{"current_password": {tc.current}, "new_password": {tc.next}})
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%q → %q: %d, want 422", tc.current, tc.next, resp.StatusCode)
			continue
		}
		if got := fieldError(parseHTML(t, body), tc.field); !strings.Contains(got, tc.message) {
			t.Errorf("%q → %q: error on %s %q, want %q", tc.current, tc.next, tc.field, got, tc.message)
		}
	}
	if rows, _ := env.auditsAfter(before); len(rows) != 0 {
		t.Errorf("refused changes were audited: %+v", rows)
	}
	// Without the CSRF token: refused.
	if resp, _ := here.post("/admin/account/password", url.Values{"current_password": {testPassword}, "new_password": {"violet kettle under ninety"}}, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("without CSRF: %d, want 403", resp.StatusCode)
	}

	resp = here.postForm("/admin/account/password", url.Values{"current_password": {testPassword}, "new_password": {"violet kettle under ninety"}})
	body = readBody(t, resp)
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/admin/account" || !strings.Contains(body, "Password changed") {
		t.Fatalf("change: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	if resp, _ := here.noFollow().get("/admin"); resp.StatusCode != http.StatusOK {
		t.Errorf("this session after the change: %d, want 200", resp.StatusCode)
	}
	if resp, _ := elsewhere.noFollow().get("/admin"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the user's other session after the change: %d, want a redirect to sign in", resp.StatusCode)
	}
	if resp, _ := admin.noFollow().get("/admin"); resp.StatusCode != http.StatusOK {
		t.Errorf("another user's session after the change: %d, want 200", resp.StatusCode)
	}
	rows, _ := env.auditsAfter(before)
	if len(rows) != 1 || rows[0].Action != "user.password" {
		t.Errorf("audit: %+v", rows)
	}
	if resp, _ := login(env.browser(), "", "viewer@example.com", testPassword); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("old password after the change: %d", resp.StatusCode)
	}
	if resp, _ := login(env.browser(), "", "viewer@example.com", "violet kettle under ninety"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("new password: %d", resp.StatusCode)
	}
}

// Every place that sets a password refuses a common one, naming the field.
func TestCommonPasswordRefusedOnUsersPage(t *testing.T) {
	env := newTestEnv(t)
	admin := env.user(auth.Admin)
	admin.get("/admin/users")
	resp := admin.postForm("/admin/users", url.Values{"email": {"new@example.com"}, "name": {"New"}, "role": {"viewer"}, "password": {"passwordpassword"}})
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("users page, common password: %d", resp.StatusCode)
	}
	if got := fieldError(parseHTML(t, body), "password"); !strings.Contains(got, "most common passwords") {
		t.Errorf("users page error on password: %q", got)
	}
	users, err := env.accounts.Users(t.Context())
	if err != nil || len(users) != 2 {
		t.Errorf("users after the refusal: %d (%v), want the 2 there were", len(users), err)
	}
}
