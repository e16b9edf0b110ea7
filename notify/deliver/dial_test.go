package deliver

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// At dial time the webhook client refuses what a subscription is refused
// for, whatever the host resolves to by then.
func TestDialRefusesNonPublicAddresses(t *testing.T) {
	for _, tc := range []struct{ address, why string }{
		{"93.184.216.34:443", ""},
		{"[2606:4700:4700::1111]:443", ""},
		{"127.0.0.1:8080", "loopback"},
		{"10.0.0.7:80", "private"},
		{"169.254.169.254:80", "link-local"},
		{"[64:ff9b::7f00:1]:443", "NAT64"},
		{"[::ffff:10.0.0.1]:80", "private"},
		{"198.18.0.1:443", "benchmarking"},
		{"240.0.0.1:443", "reserved"},
		{"255.255.255.255:443", "broadcast"},
		{"100.64.0.1:443", "shared"},
		{"[2001:db8::1]:443", "documentation"},
		{"[2002:a00:1::1]:443", "6to4"},
		{"192.0.0.170:443", "IETF protocol assignment"},
		{"203.0.113.5:443", "documentation"},
	} {
		err := publicOnly("tcp", tc.address, nil)
		if tc.why == "" {
			if err != nil {
				t.Errorf("%s refused: %v", tc.address, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("%s: %v, want refused as %s", tc.address, err, tc.why)
		}
	}

	// Through the client: a server on loopback is never reached.
	var reached atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached.Store(true) }))
	defer srv.Close()
	c := NewWebhookClient(false, 5*time.Second)
	resp, err := c.client.Post(srv.URL, "application/json", strings.NewReader("{}"))
	if err == nil {
		resp.Body.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "loopback") || reached.Load() {
		t.Errorf("post to %s: %v (reached %v), want refused as loopback", srv.URL, err, reached.Load())
	}
}
