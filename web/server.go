// Package web is the Amends HTTP server: public status pages served from
// memory, the admin pages behind login, and the JSON API behind bearer
// tokens. Handlers bind, validate, call the domain stores and render; the
// rules live in the domain packages.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/report"
)

// Config is what the server needs to know about where it runs.
type Config struct {
	// SiteName is shown in every page header and title.
	SiteName string
	// SecureCookies marks session and CSRF cookies Secure. Set it when the
	// server is reached over TLS (directly or behind a proxy).
	SecureCookies bool
	// BaseURL is the public address ("https://status.example.com"), used for
	// absolute links such as the first-admin link. Optional.
	BaseURL string
	// Logger gets the request log and 5xx errors. Defaults to slog.Default().
	Logger *slog.Logger
	// Now is the clock. Defaults to time.Now; tests set it.
	Now func() time.Time
	// AsOf, when set, is the instant the public status and uptime pages
	// describe (a demo of the past, such as January 2013): their uptime
	// bars, monthly uptime, "As of" line, and which incidents and
	// maintenance they show (those declared or announced later are left
	// out). It reads today's records of that past. Everything else (admin
	// pages, writes, the audit log, the API, the page cache's expiry) uses
	// Now.
	AsOf time.Time
	// LoginRate is how many first-admin setup attempts (POST /setup) one
	// address may make per minute, with the same number as a burst.
	// Defaults to 10. Sign-in has its own throttle (LoginFreeFailures,
	// LoginAddressFailures; web/login_throttle.go).
	LoginRate int
	// LoginFreeFailures is how many wrong passwords an account (or a
	// browser that signed in to it before) may take before it is locked,
	// for a minute, doubling with each further failure up to an hour.
	// Defaults to 5.
	LoginFreeFailures int
	// LoginAddressFailures is how many wrong passwords one address may send
	// an hour before it may try only once a minute. Defaults to 100.
	LoginAddressFailures int
	// SubscribeRate is how many subscribe, and separately unsubscribe
	// and statement claim, posts one address may make per minute.
	// Defaults to 10.
	SubscribeRate int
	// DeviceKey signs the cookie that tells a browser which signed in
	// before (web/login_throttle.go). Optional: a random key by default,
	// so a restart forgets which browsers did.
	DeviceKey []byte
	// BehindProxy says requests arrive through a reverse proxy on a
	// loopback or private address, whose X-Forwarded-For names the client.
	// Otherwise the client is the connection's peer and forwarding headers
	// are ignored, so nobody can dodge the login rate limit by forging them.
	BehindProxy bool
	// Notify takes subscriptions and is told about every incident,
	// maintenance and explanation the server writes. Optional: without it
	// the subscription pages answer 404.
	Notify Notifier
	// Audit reads the audit log for the admin page that browses it.
	// Optional: without it that page answers 404.
	Audit AuditLog
	// MailSpool is the local mail spool that admin's Outbox shows.
	// Optional: without it that page answers 404.
	MailSpool MailSpool
	// MailSpooled says e-mail goes to MailSpool (no SMTP server is set
	// up); otherwise it is sent, and the spool holds only older messages.
	MailSpooled bool
}

// Revisioner tells whether stored data changed: every write raises the
// revision, in this process or another that shares the database.
type Revisioner interface {
	Revision(ctx context.Context) (int64, error)
}

// Server is the Amends HTTP server. Build it with New; serve Handler().
type Server struct {
	cfg       Config
	echo      *echo.Echo
	incidents incidents.Store
	accounts  auth.Store
	desk      desk.Store
	reports   *report.Reports
	revision  Revisioner
	pages     *pageCache
	metrics   *metrics
	registry  *prometheus.Registry
	log       *slog.Logger
	throttle  *loginThrottle
	ids       *requestIDs
	security  []header // the security headers of every response
	// security and a cached page's Vary and Cache-Control, for fastHit.
	fastHeaders [][2][]byte
}

// New builds the server over its stores. The stores are interfaces so that
// the server does not know how they keep their data.
func New(cfg Config, inc incidents.Store, accounts auth.Store, deskStore desk.Store, rev Revisioner) *Server {
	if cfg.SiteName == "" {
		cfg.SiteName = "Amends"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.LoginRate <= 0 {
		cfg.LoginRate = 10
	}
	if cfg.LoginFreeFailures <= 0 {
		cfg.LoginFreeFailures = 5
	}
	if cfg.LoginAddressFailures <= 0 {
		cfg.LoginAddressFailures = 100
	}
	if cfg.SubscribeRate <= 0 {
		cfg.SubscribeRate = 10
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s := &Server{
		cfg:       cfg,
		echo:      echo.New(),
		incidents: inc,
		accounts:  accounts,
		desk:      deskStore,
		reports:   report.New(inc, deskStore),
		revision:  rev,
		registry:  reg,
		metrics:   newMetrics(reg),
		log:       cfg.Logger,
		throttle:  newLoginThrottle(cfg.LoginFreeFailures, cfg.LoginAddressFailures, cfg.DeviceKey),
		ids:       newRequestIDs(),
		security:  securityHeaders(),
	}
	s.fastHeaders = fastHeadersOf(s.security)
	s.pages = newPageCache(rev, cfg.Now, s.metrics)
	s.echo.HideBanner = true
	s.echo.HidePort = true
	s.echo.HTTPErrorHandler = s.handleError
	s.echo.IPExtractor = echo.ExtractIPDirect()
	if cfg.BehindProxy {
		s.echo.IPExtractor = echo.ExtractIPFromXFFHeader()
	}
	s.routes()
	return s
}

// Handler returns the server's http.Handler.
func (s *Server) Handler() http.Handler { return s.echo }

// now returns the current instant, truncated to the second as stored.
func (s *Server) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Second) }
