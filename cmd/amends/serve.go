package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/amends/amends/web"
)

// runServe is `amends serve`: it opens (creating and migrating) the
// database, optionally loads the demo data, prints the first-admin link
// when there are no users, and serves until SIGINT or SIGTERM, then lets
// in-flight requests finish and closes the database.
func runServe(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flagSet("serve", stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (env AMENDS_ADDR)")
	dbPath := fs.String("db", "amends.db", "SQLite database file, created if missing (env AMENDS_DB)")
	demo := fs.Bool("demo", false, "load the demo data into an empty database first (env AMENDS_DEMO)")
	siteName := fs.String("site-name", "Amends Cloud", "name shown on every page (env AMENDS_SITE_NAME)")
	baseURL := fs.String("base-url", "", "public URL of the site, for printed links (env AMENDS_BASE_URL)")
	secure := fs.Bool("secure-cookies", false, "mark cookies Secure; set when served over HTTPS (env AMENDS_SECURE_COOKIES)")
	behindProxy := fs.Bool("behind-proxy", false, "trust X-Forwarded-For from a reverse proxy on a loopback or private address (env AMENDS_BEHIND_PROXY)")
	logFormat := fs.String("log-format", "text", "request log format: text or json (env AMENDS_LOG_FORMAT)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	var handler slog.Handler
	switch *logFormat {
	case "text":
		handler = slog.NewTextHandler(stderr, nil)
	case "json":
		handler = slog.NewJSONHandler(stderr, nil)
	default:
		fmt.Fprintf(stderr, "amends serve: --log-format: %q is not text or json\n", *logFormat)
		return 2
	}
	log := slog.New(handler)

	st, err := openStores(ctx, *dbPath)
	if err != nil {
		fmt.Fprintf(stderr, "amends serve: %v\n", err)
		return 1
	}
	defer st.Close()

	if *demo {
		loaded, err := loadDemo(ctx, st.incidents, time.Now())
		if err != nil {
			fmt.Fprintf(stderr, "amends serve: demo data: %v\n", err)
			return 1
		}
		if loaded {
			fmt.Fprintf(stdout, "Loaded the demo data into %s.\n", *dbPath)
		}
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "amends serve: %v\n", err)
		return 1
	}
	base := strings.TrimSuffix(*baseURL, "/")
	if base == "" {
		base = "http://" + ln.Addr().String()
	}
	if n, err := st.accounts.UserCount(ctx); err != nil {
		fmt.Fprintf(stderr, "amends serve: %v\n", err)
		return 1
	} else if n == 0 {
		code, err := st.accounts.NewSetupCode(ctx, time.Now())
		if err != nil {
			fmt.Fprintf(stderr, "amends serve: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "No users yet. Open this link within 24 hours to create the first admin (it works once):\n\n    %s/setup?code=%s\n\n", base, url.QueryEscape(code))
	}

	srv := web.New(web.Config{SiteName: *siteName, SecureCookies: *secure, BehindProxy: *behindProxy, BaseURL: base, Logger: log}, st.incidents, st.accounts, st)
	httpSrv := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	fmt.Fprintf(stdout, "Amends is serving %s on %s\n", *dbPath, base)
	served := make(chan error, 1)
	go func() { served <- httpSrv.Serve(ln) }()

	select {
	case err := <-served:
		fmt.Fprintf(stderr, "amends serve: %v\n", err)
		return 1
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := httpSrv.Shutdown(shutdownCtx); err != nil {
		fmt.Fprintf(stderr, "amends serve: shutdown: %v\n", err)
		return 1
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "amends serve: %v\n", err)
		return 1
	}
	log.Info("stopped")
	return 0
}
