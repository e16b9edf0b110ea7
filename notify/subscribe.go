package notify

import (
	"context"
	"fmt"
	"net/mail"
	"net/netip"
	"net/url"
	"strings"

	"github.com/amends/amends/internal/errs"
)

// SubscribeInput is what a visitor asks for: an e-mail address or a
// webhook URL (exactly one), and the components to follow (none for
// everything).
type SubscribeInput struct {
	Email      string   `json:"email"`
	WebhookURL string   `json:"webhook_url"`
	Components []string `json:"components"`
	// IncidentID, when not 0, subscribes to that one incident only (the
	// caller checks that it exists and is not resolved); Components are
	// then ignored.
	IncidentID int64 `json:"incident_id,omitempty"`
}

// Resolver looks up the addresses of a host name; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// MaxAddressLen limits e-mail addresses and webhook URLs, in bytes.
const MaxAddressLen = 2000

// CheckEmail returns the address in its plain form (no display name), or
// an errs.Invalid on field.
func CheckEmail(field, raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", errs.Invalidf(field, "must not be empty")
	}
	if len(raw) > 254 {
		return "", errs.Invalidf(field, "is too long")
	}
	a, err := mail.ParseAddress(raw)
	if err != nil || a.Name != "" || a.Address != raw || !strings.Contains(a.Address[strings.LastIndexByte(a.Address, '@')+1:], ".") {
		return "", errs.Invalidf(field, "is not an e-mail address such as name@example.com")
	}
	return a.Address, nil
}

// CheckWebhookURL returns the URL in its parsed, normal form, or an
// errs.Invalid on field: it must be absolute http or https with a host, no
// user information, and unless allowPrivate every address its host has
// (an IP literal, or all that resolver finds) must be public (see
// NonPublic): not loopback, link-local, private, unspecified, multicast,
// NAT64, documentation, benchmarking, reserved, broadcast or any other
// special-purpose address.
func CheckWebhookURL(ctx context.Context, field, raw string, resolver Resolver, allowPrivate bool) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", errs.Invalidf(field, "must not be empty")
	}
	if len(raw) > MaxAddressLen {
		return "", errs.Invalidf(field, "is too long")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", errs.Invalidf(field, "is not a URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", errs.Invalidf(field, "must start with https:// or http://")
	}
	if u.Host == "" || u.Hostname() == "" {
		return "", errs.Invalidf(field, "must name a host")
	}
	if u.User != nil {
		return "", errs.Invalidf(field, "must not contain a user name or password")
	}
	u.Fragment = ""
	if allowPrivate {
		return u.String(), nil
	}
	host := u.Hostname()
	var addrs []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{ip}
	} else {
		if resolver == nil {
			return "", errs.Invalidf(field, "cannot be checked: no resolver")
		}
		addrs, err = resolver.LookupNetIP(ctx, "ip", host)
		if err != nil || len(addrs) == 0 {
			return "", errs.Invalidf(field, "host %q does not resolve", host)
		}
	}
	for _, a := range addrs {
		if why := NonPublic(a); why != "" {
			return "", errs.Invalidf(field, "points to a %s address (%s); webhooks must reach a public address", why, a)
		}
	}
	return u.String(), nil
}

// NonPublic says why a is not a public address ("loopback", "private",
// "link-local", "NAT64", "documentation", ...), or "" if it is public: a
// global unicast address outside every range of the IANA IPv4 and IPv6
// special-purpose address registries that is not globally reachable, and
// outside the ranges that tunnel to an embedded IPv4 address (NAT64, 6to4,
// Teredo), which could be a private one. An IPv4-mapped IPv6 address is
// judged as its IPv4 address. CheckWebhookURL checks every address a
// webhook's host has with it when it subscribes, and the webhook client
// again every address it dials.
func NonPublic(a netip.Addr) string {
	a = a.Unmap()
	switch {
	case !a.IsValid():
		return "invalid"
	case a.IsLoopback():
		return "loopback"
	case a.IsLinkLocalUnicast(), a.IsLinkLocalMulticast():
		return "link-local"
	case a.IsPrivate():
		return "private"
	case a.IsUnspecified():
		return "unspecified"
	case a.IsMulticast(), a.IsInterfaceLocalMulticast():
		return "multicast"
	}
	a = a.WithZone("")
	for _, r := range specialRanges {
		if r.prefix.Contains(a) {
			return r.why
		}
	}
	if !a.IsGlobalUnicast() {
		return "not global unicast"
	}
	return ""
}

type specialRange struct {
	prefix netip.Prefix
	why    string
}

// specialRanges are the special-purpose ranges NonPublic refuses beyond
// what netip.Addr's own properties tell: those of the IANA registries that
// are not globally reachable, and the ones that reach an embedded IPv4
// address.
var specialRanges = []specialRange{
	{netip.MustParsePrefix("0.0.0.0/8"), "unspecified"},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared (carrier-grade NAT)"},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignment"},
	{netip.MustParsePrefix("192.0.2.0/24"), "documentation"},
	{netip.MustParsePrefix("192.88.99.0/24"), "6to4 relay"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
	{netip.MustParsePrefix("198.51.100.0/24"), "documentation"},
	{netip.MustParsePrefix("203.0.113.0/24"), "documentation"},
	{netip.MustParsePrefix("255.255.255.255/32"), "broadcast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"},
	{netip.MustParsePrefix("64:ff9b::/96"), "NAT64"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "NAT64"},
	{netip.MustParsePrefix("100::/64"), "discard-only"},
	{netip.MustParsePrefix("2001:db8::/32"), "documentation"},
	{netip.MustParsePrefix("2001::/23"), "IETF protocol assignment"}, // Teredo, ORCHID, benchmarking, ...
	{netip.MustParsePrefix("2002::/16"), "6to4"},
	{netip.MustParsePrefix("3fff::/20"), "documentation"},
	{netip.MustParsePrefix("5f00::/16"), "segment routing"},
	{netip.MustParsePrefix("fec0::/10"), "site-local"},
	// The rest of IPv6 outside 2000::/3 is not allocated for unicast
	// (IPv4-compatible addresses among it).
	{netip.MustParsePrefix("::/3"), "reserved"},
	{netip.MustParsePrefix("4000::/2"), "reserved"},
	{netip.MustParsePrefix("8000::/1"), "reserved"},
}

// CheckComponents returns the chosen components, or an errs.Invalid on
// "components[i]" for one that is not in known or appears twice.
func CheckComponents(chosen, known []string) ([]string, error) {
	ok := map[string]bool{}
	for _, k := range known {
		ok[k] = true
	}
	seen := map[string]bool{}
	out := []string{}
	for i, c := range chosen {
		c = strings.TrimSpace(c)
		field := fmt.Sprintf("components[%d]", i)
		if !ok[c] {
			return nil, errs.Invalidf(field, "unknown component %q", c)
		}
		if seen[c] {
			return nil, errs.Invalidf(field, "appears twice")
		}
		seen[c] = true
		out = append(out, c)
	}
	return out, nil
}
