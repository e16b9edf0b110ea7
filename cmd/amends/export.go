package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/amends/amends/notify"
	"github.com/amends/amends/web"
	"github.com/amends/amends/web/mirror"
)

// runExport is `amends export --db DB [--base-url URL] DIR`: the whole
// public site as static files in DIR, rendered as `amends serve` renders
// it, swapped in at once (web/mirror); `amends export statuspage ...`
// writes the page as Statuspage's documents instead (runExportStatuspage).
func runExport(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "statuspage" {
		return runExportStatuspage(ctx, args[1:], stdout, stderr)
	}
	fs := flagSet("export", stderr)
	dbPath := fs.String("db", "amends.db", "SQLite database file (env AMENDS_DB)")
	siteName := fs.String("site-name", "Amends Cloud", "name shown on every page, as serve's --site-name (env AMENDS_SITE_NAME)")
	baseURL := fs.String("base-url", "", "public URL of the live site: the feeds and /api/v2 name it, and links to sign-in and subscribing point there (env AMENDS_BASE_URL)")
	asOfText := fs.String("as-of", "", "for demos: the public pages as of this RFC 3339 instant, as serve's --as-of (env AMENDS_AS_OF)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: amends export [--db amends.db] [--base-url URL] DIR")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 || fs.Arg(0) == "" {
		fs.Usage()
		return 2
	}
	dir := fs.Arg(0)
	base, err := checkBaseURL(*baseURL)
	if err != nil {
		fmt.Fprintf(stderr, "amends export: %v\n", err)
		return 2
	}
	asOf, err := parseAsOf(*asOfText)
	if err != nil {
		fmt.Fprintf(stderr, "amends export: %v\n", err)
		return 2
	}
	if _, err := os.Stat(*dbPath); err != nil {
		fmt.Fprintf(stderr, "amends export: --db: %v\n", err)
		return 2
	}
	st, err := openStores(ctx, *dbPath)
	if err != nil {
		fmt.Fprintf(stderr, "amends export: %v\n", err)
		return 1
	}
	defer st.Close()
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if err := backfillUptime(ctx, st, asOf, log); err != nil {
		fmt.Fprintf(stderr, "amends export: daily uptime: %v\n", err)
		return 1
	}
	srv := web.New(exportConfig(*siteName, base, asOf, log, st), st.incidents, st.accounts, st.desk, st)
	res, err := mirror.Export(ctx, srv, dir, mirror.Options{BaseURL: base})
	if err != nil {
		fmt.Fprintf(stderr, "amends export: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "Exported %d files (%s) to %s in %s.\n", res.Files, byteSize(res.Bytes), dir, res.Took.Round(time.Millisecond))
	if base == "" {
		fmt.Fprintln(stdout, "Without --base-url the feeds and /api/v2 name no public address, and sign-in links stay root-relative.")
	}
	return 0
}

// exportConfig is the web configuration of a server that renders a mirror:
// the status page offers subscribing only when base names the live site
// that takes subscriptions.
func exportConfig(siteName, base string, asOf time.Time, log *slog.Logger, st *stores) web.Config {
	cfg := web.Config{SiteName: siteName, BaseURL: base, Logger: log, AsOf: asOf}
	if base != "" {
		cfg.Notify = notify.NewService(st.notify, notify.Options{Resolver: net.DefaultResolver})
	}
	return cfg
}

// checkBaseURL returns u without a trailing slash when it is empty or an
// absolute http or https URL with no query or fragment.
func checkBaseURL(u string) (string, error) {
	if u == "" {
		return "", nil
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || p.RawQuery != "" || p.Fragment != "" || p.User != nil {
		return "", fmt.Errorf("--base-url: %q is not an http or https URL such as https://status.example.com", u)
	}
	return strings.TrimRight(u, "/"), nil
}

// parseAsOf reads an --as-of instant: RFC 3339, not in the future.
func parseAsOf(text string) (time.Time, error) {
	if text == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, text)
	if err != nil {
		return time.Time{}, fmt.Errorf("--as-of: %q is not an RFC 3339 instant", text)
	}
	if t.After(time.Now()) {
		return time.Time{}, fmt.Errorf("--as-of: %s is in the future", text)
	}
	return t, nil
}

// byteSize writes n bytes for a person: "1.2 MB".
func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// checkExportDir refuses, as a usage error, an --export-dir that an export
// could never write: one whose parent directory is missing, or a path that
// exists and is not the symbolic link an export makes.
func checkExportDir(dir string) error {
	if dir == "" {
		return nil
	}
	if st, err := os.Stat(filepath.Dir(filepath.Clean(dir))); err != nil {
		return fmt.Errorf("--export-dir: %v", err)
	} else if !st.IsDir() {
		return fmt.Errorf("--export-dir: %s is not a directory", filepath.Dir(dir))
	}
	if st, err := os.Lstat(dir); err == nil && st.Mode()&os.ModeSymlink == 0 {
		return fmt.Errorf("--export-dir: %s exists and is not a symbolic link: the mirror replaces it with a link to each new version, so remove it or choose another path", dir)
	}
	return nil
}

// startMirror keeps the static mirror in dir current while serve runs
// (web/mirror.Watcher) and returns the function that stops it.
func startMirror(ctx context.Context, srv *web.Server, st *stores, dir, base string, log *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	first := true
	w := &mirror.Watcher{Renderer: srv, Revision: st, Dir: dir, Options: mirror.Options{BaseURL: base}, Logger: log, Wake: srv.Changed(),
		Exported: func(r mirror.Result) {
			if first {
				first = false
				log.Info("static mirror written", "dir", dir, "files", r.Files, "took", r.Took.Round(time.Millisecond))
			}
		}}
	done := make(chan struct{})
	go func() { defer close(done); w.Run(ctx) }()
	return func() { cancel(); <-done }
}
