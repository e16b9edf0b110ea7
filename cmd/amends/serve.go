package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/auth"
	"github.com/amends/amends/internal/demo"
	"github.com/amends/amends/notify"
	"github.com/amends/amends/notify/deliver"
	"github.com/amends/amends/web"
)

// runServe is `amends serve`: it opens (creating and migrating) the
// database, optionally loads the demo data, and when there are no users
// creates the first admin from --admin-email or else prints the one-time
// first-admin link; then it serves until SIGINT or SIGTERM, lets in-flight
// requests finish and closes the database.
func runServe(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flagSet("serve", stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (env AMENDS_ADDR)")
	dbPath := fs.String("db", "amends.db", "SQLite database file, created if missing (env AMENDS_DB)")
	withDemo := fs.Bool("demo", false, "load the demo data into an empty database first (env AMENDS_DEMO)")
	siteName := fs.String("site-name", "Amends Cloud", "name shown on every page (env AMENDS_SITE_NAME)")
	baseURL := fs.String("base-url", "", "public URL of the site, for printed links (env AMENDS_BASE_URL)")
	secure := fs.Bool("secure-cookies", false, "mark cookies Secure; set when served over HTTPS (env AMENDS_SECURE_COOKIES)")
	behindProxy := fs.Bool("behind-proxy", false, "trust X-Forwarded-For from a reverse proxy on a loopback or private address (env AMENDS_BEHIND_PROXY)")
	logFormat := fs.String("log-format", "text", "request log format: text or json (env AMENDS_LOG_FORMAT)")
	var mailCfg smtpFlags
	fs.StringVar(&mailCfg.addr, "smtp-addr", "", "SMTP server host:port for e-mail subscriptions; without one, e-mail goes to the local mail spool shown in admin's Outbox (env AMENDS_SMTP_ADDR)")
	fs.StringVar(&mailCfg.from, "smtp-from", "", "From address of status e-mail (env AMENDS_SMTP_FROM)")
	fs.StringVar(&mailCfg.user, "smtp-user", "", "SMTP user name; STARTTLS is used whenever the server offers it (env AMENDS_SMTP_USER)")
	fs.StringVar(&mailCfg.passwordFile, "smtp-password-file", "", "file holding the SMTP password (or env AMENDS_SMTP_PASSWORD)")
	allowPrivate := fs.Bool("allow-private-webhooks", false, "let webhooks point to loopback, link-local and private addresses (env AMENDS_ALLOW_PRIVATE_WEBHOOKS)")
	var admin adminFlags
	fs.StringVar(&admin.email, "admin-email", "", "on a database with no users, create the first admin with this email at start-up; ignored once users exist (env AMENDS_ADMIN_EMAIL)")
	fs.StringVar(&admin.passwordFile, "admin-password-file", "", "file holding that first admin's password (env AMENDS_ADMIN_PASSWORD_FILE)")
	fs.StringVar(&admin.name, "admin-name", "Admin", "that first admin's name (env AMENDS_ADMIN_NAME)")
	exportDir := fs.String("export-dir", "", "keep a static mirror of the public site in this directory, as amends export writes it, within a second of each change (env AMENDS_EXPORT_DIR)")
	asOfText := fs.String("as-of", "", "for demos: show the public status and uptime pages as of this RFC 3339 instant (e.g. 2013-01-05T00:00:00Z), from today's records, leaving out incidents and maintenance declared later; admin pages, writes, the API and the audit log keep the real clock (env AMENDS_AS_OF)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	// The log is buffered and written out every 100 ms and at the end
	// (logOut.Close), so that a request's line costs no system call.
	// Messages written to stderr go through it too, so they stay in order.
	logOut := newLogWriter(stderr, 100*time.Millisecond)
	defer logOut.Close()
	stderr = logOut
	var handler slog.Handler
	switch *logFormat {
	case "text":
		handler = slog.NewTextHandler(logOut, nil)
	case "json":
		handler = slog.NewJSONHandler(logOut, nil)
	default:
		fmt.Fprintf(stderr, "amends serve: --log-format: %q is not text or json\n", *logFormat)
		return 2
	}
	log := slog.New(handler)
	var asOf time.Time
	if *asOfText != "" {
		var err error
		if asOf, err = time.Parse(time.RFC3339, *asOfText); err != nil {
			fmt.Fprintf(stderr, "amends serve: --as-of: %q is not an RFC 3339 instant\n", *asOfText)
			return 2
		}
		if asOf.After(time.Now()) {
			fmt.Fprintf(stderr, "amends serve: --as-of: %s is in the future\n", *asOfText)
			return 2
		}
	}
	if err := checkExportDir(*exportDir); err != nil {
		fmt.Fprintf(stderr, "amends serve: %v\n", err)
		return 2
	}
	mailer, err := mailCfg.mailer()
	if err != nil {
		fmt.Fprintf(stderr, "amends serve: %v\n", err)
		return 2
	}

	firstAdmin, err := admin.user()
	if err != nil {
		fmt.Fprintf(stderr, "amends serve: %v\n", err)
		return 2
	}

	st, err := openStores(ctx, *dbPath)
	if err != nil {
		fmt.Fprintf(stderr, "amends serve: %v\n", err)
		return 1
	}
	defer st.Close()

	if *withDemo {
		loaded, err := demo.Load(ctx, st.incidents, st.desk, time.Now())
		if err != nil {
			fmt.Fprintf(stderr, "amends serve: demo data: %v\n", err)
			return 1
		}
		if loaded {
			fmt.Fprintf(stdout, "Loaded the demo data into %s.\n", *dbPath)
		}
	}
	if err := backfillUptime(ctx, st, asOf, log); err != nil {
		fmt.Fprintf(stderr, "amends serve: daily uptime: %v\n", err)
		return 1
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
	} else if n == 0 && firstAdmin != nil {
		u, err := st.accounts.CreateInitialAdmin(ctx, audit.Named("startup"), *firstAdmin, time.Now())
		if err != nil {
			fmt.Fprintf(stderr, "amends serve: the first admin from --admin-email: %v\n", err)
			return exitCode(err)
		}
		fmt.Fprintf(stdout, "Created the first admin %s from --admin-email (AMENDS_ADMIN_EMAIL).\n", u.Email)
	} else if n > 0 && firstAdmin != nil {
		log.Info("ignoring --admin-email (AMENDS_ADMIN_EMAIL): the database already has users", "users", n)
	} else if n == 0 {
		code, err := st.accounts.NewSetupCode(ctx, time.Now())
		if err != nil {
			fmt.Fprintf(stderr, "amends serve: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "No users yet. Open this link within 24 hours to create the first admin (it works once):\n\n    %s/setup?code=%s\n\n", base, url.QueryEscape(code))
	}

	// Without an SMTP server, e-mail goes to the local mail spool, which
	// admin's Outbox shows: the double opt-in works out of the box.
	spool := st.notify.Spool(nil)
	var mail deliver.Mailer = spool
	from := mailCfg.from
	if mailer != nil {
		mail = mailer
	} else if from == "" {
		from = "status@localhost"
	}
	notifier := notify.NewService(st.notify, notify.Options{
		Resolver: net.DefaultResolver, AllowPrivateWebhooks: *allowPrivate, Email: true,
	})
	srv := web.New(web.Config{SiteName: *siteName, SecureCookies: *secure, BehindProxy: *behindProxy, BaseURL: base, Logger: log, Notify: notifier, AsOf: asOf, Audit: st.audit, MailSpool: spool, MailSpooled: mailer == nil}, st.incidents, st.accounts, st.desk, st)
	// The worker also tells each manager who may approve a request that it
	// waits (srv.ApprovalMessages), once per request.
	worker := notify.NewWorker(st.notify, deliver.New(deliver.Config{
		SiteName: *siteName, BaseURL: base, From: from, Mailer: mail,
		Webhooks: deliver.NewWebhookClient(*allowPrivate, 20*time.Second),
	}), notify.WorkerOptions{Maintenances: st.incidents, Incidents: st.incidents, Messages: srv.ApprovalMessages, Notices: st.desk, Logger: log})
	notifier.OnPublish(worker.Wake)
	workerCtx, stopWorker := context.WithCancel(context.WithoutCancel(ctx))
	workerDone := make(chan struct{})
	go func() { defer close(workerDone); worker.Run(workerCtx) }()
	defer func() { stopWorker(); <-workerDone }()

	if *exportDir != "" {
		stopMirror := startMirror(ctx, srv, st, *exportDir, base, log)
		defer stopMirror()
	}
	httpSrv := newHTTPServer(srv.FastHTTP(), srv.FastHTTPError, log)
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
	if err := httpSrv.ShutdownWithContext(shutdownCtx); err != nil {
		fmt.Fprintf(stderr, "amends serve: shutdown: %v\n", err)
		return 1
	}
	if err := <-served; err != nil {
		fmt.Fprintf(stderr, "amends serve: %v\n", err)
		return 1
	}
	stopWorker()
	<-workerDone
	log.Info("stopped")
	return 0
}

// adminFlags are the --admin-* flags: the first admin created at start-up,
// for containers that cannot open a setup link.
type adminFlags struct {
	email, passwordFile, name string
}

// user returns the first admin the flags describe, nil when --admin-email
// is not set; the password comes from --admin-password-file, which is then
// required, without its trailing newline.
func (f adminFlags) user() (*auth.NewUser, error) {
	if f.email == "" {
		if f.passwordFile != "" {
			return nil, fmt.Errorf("--admin-password-file needs --admin-email (AMENDS_ADMIN_EMAIL)")
		}
		return nil, nil
	}
	if f.passwordFile == "" {
		return nil, fmt.Errorf("--admin-email needs --admin-password-file (AMENDS_ADMIN_PASSWORD_FILE)")
	}
	b, err := os.ReadFile(f.passwordFile)
	if err != nil {
		return nil, fmt.Errorf("--admin-password-file: %w", err)
	}
	return &auth.NewUser{Email: f.email, Name: f.name, Role: auth.Admin, Password: strings.TrimRight(string(b), "\r\n")}, nil
}

// smtpFlags are the --smtp-* flags.
type smtpFlags struct {
	addr, from, user, passwordFile string
}

// mailer returns the SMTP mailer the flags describe, nil when no server
// is set. The password comes from --smtp-password-file, else from
// AMENDS_SMTP_PASSWORD.
func (f smtpFlags) mailer() (*deliver.SMTP, error) {
	if f.addr == "" {
		return nil, nil
	}
	if _, _, err := net.SplitHostPort(f.addr); err != nil {
		return nil, fmt.Errorf("--smtp-addr: %q is not host:port", f.addr)
	}
	if _, err := notify.CheckEmail("--smtp-from", f.from); err != nil {
		return nil, err
	}
	m := &deliver.SMTP{Addr: f.addr, User: f.user, Password: os.Getenv("AMENDS_SMTP_PASSWORD")}
	if f.passwordFile != "" {
		b, err := os.ReadFile(f.passwordFile)
		if err != nil {
			return nil, fmt.Errorf("--smtp-password-file: %w", err)
		}
		m.Password = strings.TrimRight(string(b), "\r\n")
	}
	return m, nil
}

// backfillUptime computes the days of daily uptime that the public pages
// show and that are not stored yet: the last 12 months and a few days (the
// months of /uptime and the 90 days of the bars), before now and, with
// --as-of, before that instant too.
func backfillUptime(ctx context.Context, st *stores, asOf time.Time, log *slog.Logger) error {
	began := time.Now()
	total := 0
	for _, end := range []time.Time{began, asOf} {
		if end.IsZero() {
			continue
		}
		n, err := st.incidents.Backfill(ctx, end.AddDate(-1, -1, 0), end)
		if err != nil {
			return err
		}
		total += n
	}
	log.Info("daily uptime ready", "days_computed", total, "took", time.Since(began).Round(time.Millisecond))
	return nil
}
