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
		"nat64.example":      {"2606:4700:4700::1111", "64:ff9b::a9fe:a9fe"},
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
		{"http://[64:ff9b::7f00:1]/hook", "NAT64"},
		{"http://198.18.0.1/hook", "benchmarking"},
		{"http://240.0.0.1/hook", "reserved"},
		{"http://255.255.255.255/hook", "broadcast"},
		{"http://100.64.0.1/hook", "shared"},
		{"http://[2001:db8::1]/hook", "documentation"},
		{"https://nat64.example/hook", "NAT64"},
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

// Every address that is not a globally reachable unicast one is refused,
// with why; public ones of both families pass.
func TestNonPublic(t *testing.T) {
	for _, tc := range []struct{ addr, why string }{
		{"93.184.216.34", ""},
		{"8.8.8.8", ""},
		{"1.1.1.1", ""},
		{"2606:4700:4700::1111", ""},
		{"2a00:1450:4001:80b::200e", ""},
		{"::ffff:93.184.216.34", ""},

		{"127.0.0.1", "loopback"},
		{"127.255.255.254", "loopback"},
		{"::1", "loopback"},
		{"::ffff:127.0.0.1", "loopback"},
		{"10.0.0.1", "private"},
		{"172.16.0.1", "private"},
		{"192.168.1.1", "private"},
		{"::ffff:10.0.0.1", "private"},
		{"::ffff:192.168.0.1", "private"},
		{"fd00::1", "private"},
		{"169.254.169.254", "link-local"},
		{"fe80::1", "link-local"},
		{"fe80::1%eth0", "link-local"},
		{"0.0.0.0", "unspecified"},
		{"0.1.2.3", "unspecified"},
		{"::", "unspecified"},
		{"224.0.0.1", "link-local"},
		{"239.1.2.3", "multicast"},
		{"ff02::1", "link-local"},
		{"ff0e::1", "multicast"},
		{"100.64.0.1", "shared (carrier-grade NAT)"},
		{"100.127.255.254", "shared (carrier-grade NAT)"},
		{"192.0.0.8", "IETF protocol assignment"},
		{"192.0.2.1", "documentation"},
		{"198.51.100.7", "documentation"},
		{"203.0.113.9", "documentation"},
		{"192.88.99.1", "6to4 relay"},
		{"198.18.0.1", "benchmarking"},
		{"198.19.255.255", "benchmarking"},
		{"240.0.0.1", "reserved"},
		{"255.255.255.254", "reserved"},
		{"255.255.255.255", "broadcast"},
		{"::ffff:255.255.255.255", "broadcast"},
		{"64:ff9b::7f00:1", "NAT64"},    // 127.0.0.1 through NAT64
		{"64:ff9b::a00:1", "NAT64"},     // 10.0.0.1
		{"64:ff9b::5db8:d822", "NAT64"}, // even a public one: the gateway is local
		{"64:ff9b:1::1", "NAT64"},
		{"100::1", "discard-only"},
		{"2001:db8::1", "documentation"},
		{"2001::1", "IETF protocol assignment"}, // Teredo
		{"2001:2::1", "IETF protocol assignment"},
		{"2002:7f00:1::1", "6to4"},
		{"3fff::1", "documentation"},
		{"5f00::1", "segment routing"},
		{"fec0::1", "site-local"},
		{"::7f00:1", "reserved"}, // IPv4-compatible 127.0.0.1
		{"::a00:1", "reserved"},
		{"4000::1", "reserved"},
		{"e000::1", "reserved"},
	} {
		a := netip.MustParseAddr(tc.addr)
		if got := NonPublic(a); got != tc.why {
			t.Errorf("NonPublic(%s) = %q, want %q", tc.addr, got, tc.why)
		}
	}
	if got := NonPublic(netip.Addr{}); got != "invalid" {
		t.Errorf("NonPublic(zero) = %q", got)
	}
}
