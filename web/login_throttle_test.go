package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/auth"
)

// login posts the sign-in form from b, as if from address (with
// BehindProxy set, X-Forwarded-For names the client), without following
// the redirect.
func login(b *browser, address, email, password string) (*http.Response, string) {
	b.env.t.Helper()
	if b.csrf == "" {
		b.get("/login")
	}
	var h http.Header
	if address != "" {
		h = http.Header{"X-Forwarded-For": {address}}
	}
	return b.noFollow().post("/login", url.Values{"email": {email}, "password": {password}, "_csrf": {b.csrf}}, h)
}

// An account takes LoginFreeFailures wrong passwords, then is locked for a
// minute, then two, answering 429 with Retry-After, even to the right
// password from a browser that never signed in to it; a browser that did
// (its device cookie) still signs in with the right password.
func TestLoginLocksAnAccountAfterFreeFailures(t *testing.T) {
	env := newTestEnv(t)
	owner := env.user(auth.Support) // signed in before: holds a device cookie
	attacker := env.browser()
	for i := 0; i < 5; i++ {
		if resp, _ := login(attacker, "", "support@example.com", fmt.Sprintf("guess %d", i)); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("free failure %d: %d, want 401", i+1, resp.StatusCode)
		}
	}
	resp, body := login(attacker, "", "Support@Example.com ", "guess 6")
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "60" || !strings.Contains(body, "Too many failed sign-ins") {
		t.Fatalf("6th attempt: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if resp, _ := login(env.browser(), "", "support@example.com", testPassword); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("right password from a new browser while locked: %d, want 429", resp.StatusCode)
	}
	// The lock ends after a minute; the next failure locks for two.
	env.clock.Advance(61 * time.Second)
	if resp, _ := login(attacker, "", "support@example.com", "guess 7"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("after the lock: %d, want 401", resp.StatusCode)
	}
	if resp, _ := login(attacker, "", "support@example.com", "guess 8"); resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "120" {
		t.Errorf("second lock: %d, Retry-After %q, want 429 for 120 s", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	// Other accounts are not locked.
	env.user(auth.Manager)
	// The owner's browser signs in with the right password all along, from
	// the same address the attacker failed from.
	resp, _ = login(owner, "", "support@example.com", testPassword)
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("owner with the right password while locked: %d, want 303", resp.StatusCode)
	}
	// ... but even the owner's browser gets its own limit for wrong ones.
	for i := 0; i < 5; i++ {
		login(owner, "", "support@example.com", "typo")
	}
	if resp, _ := login(owner, "", "support@example.com", "typo"); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("owner's browser after 6 wrong passwords: %d, want 429", resp.StatusCode)
	}
}

// A device cookie counts only for the account it was signed for and only
// when this server signed it.
func TestDeviceCookieIsSignedPerAccount(t *testing.T) {
	env := newTestEnv(t)
	b := env.user(auth.Support)
	env.user(auth.Manager)
	for i := 0; i < 6; i++ {
		login(env.browser(), "", "manager@example.com", "guess")
	}
	// support's cookie does not open manager's lock.
	if resp, _ := login(b, "", "manager@example.com", testPassword); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("another account's device cookie: %d, want 429", resp.StatusCode)
	}
	forged := env.browser()
	u, _ := url.Parse(env.http.URL + "/login")
	forged.client.Jar.SetCookies(u, []*http.Cookie{{Name: deviceCookie, Value: "abc.def", Path: "/login"}})
	if resp, _ := login(forged, "", "manager@example.com", testPassword); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("a forged device cookie: %d, want 429", resp.StatusCode)
	}
}

// One address that fails a lot (LoginAddressFailures an hour) is slowed to
// one attempt a minute; another address is not, and a browser that
// signed in before signs in from the slowed address too.
func TestLoginAddressLimitSparesOthers(t *testing.T) {
	env := newTestEnvWith(t, envOptions{config: func(c *Config) { c.BehindProxy = true; c.LoginAddressFailures = 10 }})
	env.user(auth.Manager)
	nat := "203.0.113.7"
	colleague := env.browser()
	if resp, _ := login(colleague, nat, "manager@example.com", testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("colleague's first sign-in: %d", resp.StatusCode)
	}
	attacker := env.browser()
	for i := 0; i < 10; i++ {
		if resp, _ := login(attacker, nat, fmt.Sprintf("someone%d@example.com", i), "guess"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d from the address: %d", i+1, resp.StatusCode)
		}
	}
	resp, _ := login(attacker, nat, "someone-else@example.com", "guess")
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "60" {
		t.Errorf("11th failure from the address: %d, Retry-After %q; want 429, 60", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	// Another address signs in, new browser and all.
	if resp, _ := login(env.browser(), "198.51.100.2", "manager@example.com", testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("another address: %d, want 303", resp.StatusCode)
	}
	// The colleague behind the same address, with the right password, is
	// not refused because of the attacker.
	if resp, _ := login(colleague, nat, "manager@example.com", testPassword); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("right password after others failed from the same address: %d, want 303", resp.StatusCode)
	}
	// A minute later the address may try once more.
	env.clock.Advance(time.Minute)
	if resp, _ := login(attacker, nat, "someone@example.com", "guess"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a minute later: %d, want 401", resp.StatusCode)
	}
	if resp, _ := login(attacker, nat, "someone@example.com", "guess"); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("right after: %d, want 429", resp.StatusCode)
	}
}

// Subscribing and unsubscribing have limits of their own: an address
// whose sign-ins failed may still subscribe, and using up the subscribe
// limit leaves sign-in and unsubscribe alone.
func TestSubscribeNotLimitedByLoginFailures(t *testing.T) {
	env := newTestEnvWith(t, envOptions{config: func(c *Config) { c.SubscribeRate = 2; c.LoginAddressFailures = 3 }})
	b := env.browser()
	b.get("/login")
	for i := 0; i < 8; i++ {
		login(b, "", fmt.Sprintf("x%d@example.com", i), "guess")
	}
	if resp, _ := login(b, "", "y@example.com", "guess"); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("sign-in after many failures: %d, want 429", resp.StatusCode)
	}
	var codes []int
	for i := 0; i < 3; i++ {
		resp, _ := b.post("/subscribe", url.Values{"email": {"reader@example.com"}, "_csrf": {b.csrf}}, nil)
		codes = append(codes, resp.StatusCode)
	}
	if codes[0] == http.StatusTooManyRequests || codes[1] == http.StatusTooManyRequests || codes[2] != http.StatusTooManyRequests {
		t.Errorf("subscribe after sign-in failures: %v, want two through, then 429 (its own 2 a minute)", codes)
	}
	if resp, _ := b.post("/unsubscribe/some-token", url.Values{}, nil); resp.StatusCode == http.StatusTooManyRequests {
		t.Errorf("unsubscribe after subscribe was limited: %d", resp.StatusCode)
	}
}
