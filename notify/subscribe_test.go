package notify

import (
	"context"
	"errors"
	"net/netip"
	"testing"

	"github.com/amends/amends/internal/errs"
)

// mapResolver answers from a fixed table: a stand-in for DNS, not for the
// rules under test.
type mapResolver map[string][]string

func (m mapResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	list, ok := m[host]
	if !ok {
		return nil, errors.New("no such host")
	}
	var out []netip.Addr
	for _, a := range list {
		out = append(out, netip.MustParseAddr(a))
	}
	return out, nil
}

func TestCheckWebhookURL(t *testing.T) {
	res := mapResolver{
		"hooks.example.com":  {"93.184.216.34"},
		"sneaky.example.com": {"93.184.216.34", "10.0.0.7"},
		"metadata.example":   {"169.254.169.254"},
	}
	refused := []struct{ url, why string }{
		{"", "must not be empty"},
		{"ftp://hooks.example.com/x", "must start with https:// or http://"},
		{"javascript:alert(1)", "must start with https:// or http://"},
		{"https:///path", "must name a host"},
		{"https://user:pw@hooks.example.com/", "must not contain a user name or password"},
		{"http://127.0.0.1:8080/hook", "loopback"},
		{"http://localhost.example/hook", "does not resolve"},
		{"http://10.1.2.3/hook", "private"},
		{"http://192.168.1.1/hook", "private"},
		{"http://169.254.169.254/latest/meta-data", "link-local"},
		{"http://[::1]/hook", "loopback"},
		{"http://[fe80::1]/hook", "link-local"},
		{"http://[fd00::1]/hook", "private"},
		{"http://[::ffff:127.0.0.1]/hook", "loopback"},
		{"http://0.0.0.0/hook", "unspecified"},
		{"https://sneaky.example.com/hook", "private"},
		{"https://metadata.example/hook", "link-local"},
	}
	for _, tc := range refused {
		_, err := CheckWebhookURL(context.Background(), "webhook_url", tc.url, res, false)
		if errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != "webhook_url" {
			t.Errorf("%q: got %v, want an invalid webhook_url", tc.url, err)
			continue
		}
		if !contains(errs.MessageOf(err), tc.why) {
			t.Errorf("%q: message %q does not say %q", tc.url, errs.MessageOf(err), tc.why)
		}
	}
	for _, u := range []string{"https://hooks.example.com/amends", "http://93.184.216.34:8080/x"} {
		if _, err := CheckWebhookURL(context.Background(), "webhook_url", u, res, false); err != nil {
			t.Errorf("%q refused: %v", u, err)
		}
	}
	// The setting lets private addresses through, but never other schemes.
	for _, u := range []string{"http://127.0.0.1:8080/hook", "http://10.1.2.3/hook", "http://169.254.1.1/", "http://[::1]:9/"} {
		if _, err := CheckWebhookURL(context.Background(), "webhook_url", u, nil, true); err != nil {
			t.Errorf("%q refused with private addresses allowed: %v", u, err)
		}
	}
	if _, err := CheckWebhookURL(context.Background(), "webhook_url", "ftp://127.0.0.1/", nil, true); errs.FieldOf(err) != "webhook_url" {
		t.Errorf("ftp with private allowed: %v", err)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestBackoff(t *testing.T) {
	max := func(n int64) int64 { return n - 1 }
	min := func(int64) int64 { return 0 }
	for attempts, want := range map[int]int{1: 11, 2: 21, 3: 41, 9: 2561, 10: 3601, 40: 3601} {
		if got := Backoff(attempts, max); got.Seconds() != float64(want) {
			t.Errorf("Backoff(%d) at most %v, want %ds", attempts, got, want)
		}
		if got := Backoff(attempts, min); got.Seconds() != 1 {
			t.Errorf("Backoff(%d) at least %v, want 1s", attempts, got)
		}
	}
}

func TestCheckEmail(t *testing.T) {
	for _, bad := range []string{"", "alice", "Alice <alice@example.com>", "alice@localhost", "a@b@example.com"} {
		if _, err := CheckEmail("email", bad); errs.FieldOf(err) != "email" {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if got, err := CheckEmail("email", " alice@example.com "); err != nil || got != "alice@example.com" {
		t.Errorf("got %q, %v", got, err)
	}
}
