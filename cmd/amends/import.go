package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
)

// importActor is who the audit log names for an import unless --actor says.
const importActor = "statuspage import"

// maxImportSize bounds the file an import reads: a Statuspage
// incidents.json of 50 long incidents is well under a megabyte.
const maxImportSize = 64 << 20

// runImport is `amends import statuspage [--db] [--actor] FILE|-`: it
// records a Statuspage incidents.json or summary.json (see
// incidents.ParseStatuspage for the mapping). The whole file is checked
// before the database is opened; a file that is not JSON or has a bad
// element is refused (exit 2) naming the element, and records nothing. The
// records are written in one transaction, so a failure midway (exit 1)
// records nothing either. Running it again skips what it imported.
func runImport(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "statuspage" {
		fmt.Fprintln(stderr, "usage: amends import statuspage [--db FILE] [--actor NAME] FILE|-")
		return 2
	}
	fs := flagSet("import statuspage", stderr)
	dbPath := fs.String("db", "amends.db", "SQLite database file, created if missing (env AMENDS_DB)")
	actor := fs.String("actor", importActor, "who the audit log names for the imported records")
	if code, ok := parseFlags(fs, args[1:]); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: amends import statuspage [--db FILE] [--actor NAME] FILE|-")
		return 2
	}
	file := fs.Arg(0)
	data, err := readImport(file, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "amends import: %v\n", err)
		return 2
	}
	now := time.Now()
	doc, err := incidents.ParseStatuspage(data, *actor, now)
	if err != nil {
		fmt.Fprintf(stderr, "amends import: %s: %v\nNothing was imported.\n", file, err)
		return 2
	}
	st, err := openStores(ctx, *dbPath)
	if err != nil {
		fmt.Fprintf(stderr, "amends import: %v\n", err)
		return 1
	}
	defer st.Close()
	res, err := st.incidents.Import(ctx, audit.Named(*actor), doc.Batch, now)
	if err != nil {
		fmt.Fprintf(stderr, "amends import: %s: %v\nNothing was imported.\n", file, err)
		switch errs.CodeOf(err) {
		case errs.Invalid, errs.Malformed:
			return 2
		}
		return 1
	}
	fmt.Fprintf(stdout, "imported %d incidents, %d updates, %d components; skipped %d already imported\n",
		res.Incidents, res.Updates, res.Components, res.Skipped)
	if res.Services > 0 {
		fmt.Fprintf(stdout, "created %d services for the page's component groups\n", res.Services)
	}
	if doc.Maintenances > 0 {
		fmt.Fprintf(stdout, "left out %d scheduled maintenances: the import records incidents only\n", doc.Maintenances)
	}
	if doc.PhasesHeld > 0 {
		fmt.Fprintf(stdout, "kept %d updates at the phase already reached: Amends phases only move forward\n", doc.PhasesHeld)
	}
	return 0
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
