package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
)

// importActor is who the audit log names for an import unless --actor says.
const importActor = "statuspage import"

// maxImportSize bounds a document an import reads: a Statuspage
// incidents.json of 50 long incidents is well under a megabyte.
const maxImportSize = 64 << 20

const importUsage = "usage: amends import statuspage [--db FILE] [--actor NAME] [--dry-run] [--timeout D] FILE|-|URL [FILE...]"

// runImport is `amends import statuspage [--db] [--actor] [--dry-run]
// [--timeout] FILE|-|URL [FILE...]`: it records Statuspage documents of
// one page (a summary.json and an incidents.json, in that order), or reads
// both from a live page's address (https://status.example.com: its
// /api/v2/summary.json and /api/v2/incidents.json); see
// incidents.ParseStatuspageDocs for the mapping and docs/import.md for the
// normalisation rules, which the report counts. Every document is checked
// whole before the database is opened; one that is not JSON or has a bad
// element is refused (exit 2) naming the element, and nothing is recorded.
// The records are written in one transaction, so a failure midway (exit 1)
// records nothing either. With --dry-run it prints the report and writes
// nothing. Running it again updates what it imported from the newer
// documents.
func runImport(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "statuspage" {
		fmt.Fprintln(stderr, importUsage)
		return 2
	}
	fs := flagSet("import statuspage", stderr)
	dbPath := fs.String("db", "amends.db", "SQLite database file, created if missing (env AMENDS_DB)")
	actor := fs.String("actor", importActor, "who the audit log names for the imported records")
	dryRun := fs.Bool("dry-run", false, "check and report, write nothing")
	timeout := fs.Duration("timeout", 30*time.Second, "how long reading a live page may take in all")
	if code, ok := parseFlags(fs, args[1:]); !ok {
		return code
	}
	if fs.NArg() < 1 || *timeout <= 0 {
		fmt.Fprintln(stderr, importUsage)
		return 2
	}
	var docs [][]byte
	var names []string
	if src := fs.Arg(0); fs.NArg() == 1 && isPageURL(src) {
		fetchCtx, cancel := context.WithTimeout(ctx, *timeout)
		defer cancel()
		for _, doc := range []string{"summary.json", "incidents.json"} {
			u := strings.TrimRight(src, "/") + "/api/v2/" + doc
			data, err := fetchImport(fetchCtx, u)
			if err != nil {
				fmt.Fprintf(stderr, "amends import: %v\nNothing was imported.\n", err)
				return 1
			}
			docs, names = append(docs, data), append(names, u)
		}
	} else {
		for _, file := range fs.Args() {
			data, err := readImport(file, stdin)
			if err != nil {
				fmt.Fprintf(stderr, "amends import: %v\n", err)
				return 2
			}
			docs, names = append(docs, data), append(names, file)
		}
	}
	now := time.Now()
	doc, err := incidents.ParseStatuspageDocs(*actor, now, docs...)
	if err != nil {
		fmt.Fprintf(stderr, "amends import: %s: %v\nNothing was imported.\n", strings.Join(names, ", "), docError(err, names))
		return 2
	}
	printImportReport(stdout, doc)
	if *dryRun {
		fmt.Fprintf(stdout, "dry run: %d incidents, %d components, %d services read; nothing was written\n",
			len(doc.Batch.Incidents), len(doc.Batch.Components), len(doc.Batch.Services))
		return 0
	}
	st, err := openStores(ctx, *dbPath)
	if err != nil {
		fmt.Fprintf(stderr, "amends import: %v\n", err)
		return 1
	}
	defer st.Close()
	res, err := st.incidents.Import(ctx, audit.Named(*actor), doc.Batch, now)
	if err != nil {
		fmt.Fprintf(stderr, "amends import: %s: %v\nNothing was imported.\n", strings.Join(names, ", "), err)
		switch errs.CodeOf(err) {
		case errs.Invalid, errs.Malformed:
			return 2
		}
		return 1
	}
	fmt.Fprintf(stdout, "imported %d incidents, %d updates, %d components; skipped %d already imported and unchanged\n",
		res.Incidents, res.Updates, res.Components, res.Skipped)
	if res.Changed > 0 {
		fmt.Fprintf(stdout, "updated %d incidents imported before: %d updates added, %d corrected\n", res.Changed, res.UpdatesAdded, res.Corrected)
	}
	if res.Services > 0 {
		fmt.Fprintf(stdout, "created %d services for the page's component groups\n", res.Services)
	}
	return 0
}

// printImportReport prints what a parse normalised, rule by rule, with
// the first incidents each rule applied to.
func printImportReport(w io.Writer, doc incidents.StatuspageImport) {
	fmt.Fprintf(w, "read %s: %d incidents\n", doc.Kind, len(doc.Batch.Incidents))
	if doc.Maintenances > 0 {
		fmt.Fprintf(w, "left out %d scheduled maintenances: the import records incidents only\n", doc.Maintenances)
	}
	if len(doc.Notes) == 0 {
		fmt.Fprintln(w, "normalised: nothing; every incident is recorded as given")
		return
	}
	fmt.Fprintln(w, "normalised (see docs/import.md):")
	for _, n := range doc.Notes {
		ids := strings.Join(n.Incidents, ", ")
		if n.Count > len(n.Incidents) {
			ids += ", …"
		}
		fmt.Fprintf(w, "  %-28s %4d incidents (%s): %s\n", n.Rule, n.Count, ids, n.Text)
	}
}

// docError names the document of an error about one of several.
func docError(err error, names []string) error {
	if len(names) < 2 {
		return err
	}
	field := errs.FieldOf(err)
	var k int
	if _, scanErr := fmt.Sscanf(field, "docs[%d]", &k); scanErr == nil && k < len(names) {
		return fmt.Errorf("%s: %w", names[k], err)
	}
	return err
}

// isPageURL reports whether src is a page's address rather than a file.
func isPageURL(src string) bool {
	u, err := url.Parse(src)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// fetchImport reads one document of a live page, at most maxImportSize
// bytes: an address that does not answer, or answers other than 200, is
// an error naming it.
func fetchImport(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", u, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("%s: no answer within the --timeout", u)
		}
		return nil, fmt.Errorf("%s is unreachable: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s answered %s, not the Statuspage document", u, resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxImportSize+1))
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("%s: no answer within the --timeout", u)
		}
		return nil, fmt.Errorf("%s: %w", u, err)
	}
	if len(data) > maxImportSize {
		return nil, fmt.Errorf("%s is larger than %d MiB", u, maxImportSize>>20)
	}
	return data, nil
}

// readImport reads file ("-": stdin), at most maxImportSize bytes.
func readImport(file string, stdin io.Reader) ([]byte, error) {
	var r io.Reader = stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxImportSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxImportSize {
		return nil, fmt.Errorf("%s is larger than %d MiB", file, maxImportSize>>20)
	}
	return data, nil
}
