package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// Sign-in throttling (POST /login). Three counters, each of failed
// attempts only, so a correct password is never refused because of what
// others did unless the account itself is under attack and the browser
// has never signed in to it:
//
//   - per account (the normalized email, known or not): LoginFreeFailures
//     attempts may fail, then the account is locked for a minute, doubling
//     with every further failure up to an hour; a success ends the lock.
//   - per client address: LoginAddressFailures failures an hour are free
//     (a shared NAT or office), then one attempt a minute.
//   - per device: a browser that has signed in to an account gets a signed
//     cookie (deviceCookie) saying so; for that account and from that
//     browser neither of the counters above applies, only a counter of its
//     own with the per-account rule. An attacker who locks an account, or
//     fails from the same address, does not lock out the people who use it.
//
// The counters live in memory: a restart forgets them, and so does the
// device key unless Config.DeviceKey is set.
const (
	deviceCookie     = "amends_device"
	lockFirst        = time.Minute
	lockLongest      = time.Hour
	addressWindow    = time.Hour
	addressSlowEvery = time.Minute
	// throttleEntries bounds each counter map; past it, entries that lock
	// nothing are dropped.
	throttleEntries = 100_000
)

type failureCount struct {
	n      int
	last   time.Time
	locked time.Time // until
}

type addressCount struct {
	level float64 // failures, leaking LoginAddressFailures an hour
	at    time.Time
}

type loginThrottle struct {
	free, perHour int
	key           []byte

	mu        sync.Mutex
	accounts  map[string]*failureCount
	devices   map[string]*failureCount
	addresses map[string]*addressCount
}

func newLoginThrottle(free, perHour int, key []byte) *loginThrottle {
	if len(key) == 0 {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			panic(err) // crypto/rand does not fail on supported systems
		}
	}
	return &loginThrottle{free: free, perHour: perHour, key: key,
		accounts: map[string]*failureCount{}, devices: map[string]*failureCount{}, addresses: map[string]*addressCount{}}
}

// deviceFor returns the id of the device cookie the request carries for
// email, or "" if it carries none that this server signed for that email.
func (t *loginThrottle) deviceFor(c echo.Context, email string) string {
	ck, err := c.Cookie(deviceCookie)
	if err != nil {
		return ""
	}
	id, sig, ok := strings.Cut(ck.Value, ".")
	if !ok || id == "" {
		return ""
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, t.sign(id, email)) {
		return ""
	}
	return id
}

func (t *loginThrottle) sign(id, email string) []byte {
	m := hmac.New(sha256.New, t.key)
	m.Write([]byte(id + "\x00" + email))
	return m.Sum(nil)
}

// newDevice returns a fresh device cookie value for email.
func (t *loginThrottle) newDevice(email string) string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	id := base64.RawURLEncoding.EncodeToString(b)
	return id + "." + base64.RawURLEncoding.EncodeToString(t.sign(id, email))
}

// wait returns how long an attempt on email from address (with device,
// the id deviceFor found, or "") must wait; zero lets it through.
func (t *loginThrottle) wait(email, address, device string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	if device != "" {
		return until(t.devices[device+"\x00"+email], now)
	}
	w := until(t.accounts[email], now)
	if a := t.addresses[address]; a != nil && t.leak(a, now) >= float64(t.perHour) {
		if aw := a.at.Add(addressSlowEvery).Sub(now); aw > w {
			w = aw
		}
	}
	return w
}

func until(f *failureCount, now time.Time) time.Duration {
	if f == nil || !now.Before(f.locked) {
		return 0
	}
	return f.locked.Sub(now)
}

// leak returns a's level at now, having leaked perHour an hour since a.at.
func (t *loginThrottle) leak(a *addressCount, now time.Time) float64 {
	if d := now.Sub(a.at); d > 0 {
		return math.Max(0, a.level-float64(t.perHour)*d.Hours())
	}
	return a.level
}

// fail records a wrong password.
func (t *loginThrottle) fail(email, address, device string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if device != "" {
		t.count(t.devices, device+"\x00"+email, now)
		return
	}
	t.count(t.accounts, email, now)
	a := t.addresses[address]
	if a == nil {
		if len(t.addresses) >= throttleEntries {
			for k, v := range t.addresses {
				if t.leak(v, now) < float64(t.perHour) {
					delete(t.addresses, k)
				}
			}
		}
		a = &addressCount{}
		t.addresses[address] = a
	}
	a.level, a.at = t.leak(a, now)+1, now
}

func (t *loginThrottle) count(m map[string]*failureCount, key string, now time.Time) {
	f := m[key]
	if f == nil {
		if len(m) >= throttleEntries {
			for k, v := range m {
				if !now.Before(v.locked) {
					delete(m, k)
				}
			}
		}
		f = &failureCount{}
		m[key] = f
	}
	if now.Sub(f.last) > 24*time.Hour {
		f.n = 0 // a day without failures starts afresh
	}
	f.n++
	f.last = now
	if over := f.n - t.free + 1; over > 0 { // the free-th failure starts the first lock
		lock := lockLongest
		if over <= 7 { // 1, 2, 4, ... 64 minutes, capped at an hour
			lock = min(lockFirst<<(over-1), lockLongest)
		}
		f.locked = now.Add(lock)
	}
}

// succeed records a correct password: the account's (or device's) count
// starts afresh. The address's count stays: others may still be guessing.
func (t *loginThrottle) succeed(email, device string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.accounts, email)
	if device != "" {
		delete(t.devices, device+"\x00"+email)
	}
}

// retryAfter is d as whole seconds for a Retry-After header, at least 1.
func retryAfter(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}

func (s *Server) setDeviceCookie(c echo.Context, email string) {
	c.SetCookie(&http.Cookie{
		Name: deviceCookie, Value: s.throttle.newDevice(email), Path: "/login", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.secure(c), MaxAge: int((365 * 24 * time.Hour).Seconds()),
	})
}
