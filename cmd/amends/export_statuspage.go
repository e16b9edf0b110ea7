package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/amends/amends/report"
	"github.com/amends/amends/web/statuspage"
)

const exportStatuspageUsage = "usage: amends export statuspage [--db FILE] [--url URL] [--name NAME] DIR"

// runExportStatuspage is `amends export statuspage [--db] [--url] [--name]
// DIR`: it writes DIR/summary.json and DIR/incidents.json as Statuspage's
// public API v2 has them, with every incident (not only the latest 50 the
// live API lists), as /api/v2 shows them: imported records under their
// Statuspage ids. `amends import statuspage` reads them back. A database
// that does not exist is an error (exit 1); each file is written whole
// (a temporary file renamed) or not at all.
func runExportStatuspage(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flagSet("export statuspage", stderr)
	dbPath := fs.String("db", "amends.db", "SQLite database file (env AMENDS_DB)")
	base := fs.String("url", "https://status.example.com", "the page's public address, which the documents name")
	name := fs.String("name", "", "the page's name (default: the name of an imported page, else \"Status\")")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, exportStatuspageUsage)
		return 2
	}
	dir := fs.Arg(0)
	if _, err := os.Stat(*dbPath); err != nil {
		fmt.Fprintf(stderr, "amends export: %v\n", err)
		return 1
	}
	st, err := openStores(ctx, *dbPath)
	if err != nil {
		fmt.Fprintf(stderr, "amends export: %v\n", err)
		return 1
	}
	defer st.Close()
	now := time.Now().UTC()
	rec, err := report.New(st.incidents, st.desk).PublicRecord(ctx, now, math.MaxInt32)
	if err != nil {
		fmt.Fprintf(stderr, "amends export: %v\n", err)
		return 1
	}
	site := statuspage.Site{Name: *name, URL: strings.TrimRight(*base, "/")}
	if site.Name == "" {
		site.Name = "Status"
		for _, s := range rec.Services {
			if s.PageRows {
				site.Name = s.Name
			}
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(stderr, "amends export: %v\n", err)
		return 1
	}
	for _, doc := range []struct {
		file  string
		build func(report.PublicRecord, statuspage.Site, time.Time) ([]byte, error)
	}{{"summary.json", statuspage.Summary}, {"incidents.json", statuspage.Incidents}} {
		data, err := doc.build(rec, site, now)
		if err == nil {
			err = writeWhole(filepath.Join(dir, doc.file), data)
		}
		if err != nil {
			fmt.Fprintf(stderr, "amends export: %s: %v\n", doc.file, err)
			return 1
		}
	}
	fmt.Fprintf(stdout, "wrote %s and %s: %d components, %d incidents\n", filepath.Join(dir, "summary.json"),
		filepath.Join(dir, "incidents.json"), len(rec.Components), len(rec.Recent))
	return 0
}

// writeWhole writes data to path through a temporary file in its
// directory, so a reader sees the old file or the new one.
func writeWhole(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	if _, err := f.Write(append(data, '\n')); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), path)
}
