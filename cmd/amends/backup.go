package main

import (
	"context"
	"fmt"
	"io"

	"github.com/amends/amends/internal/sqlitedb"
)

// runBackup is `amends backup --db DB OUT`: a consistent copy of the
// database, safe to take while `amends serve` writes to it.
func runBackup(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flagSet("backup", stderr)
	dbPath := fs.String("db", "amends.db", "SQLite database file to copy (env AMENDS_DB)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: amends backup [--db amends.db] OUT")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 || fs.Arg(0) == "" {
		fs.Usage()
		return 2
	}
	out := fs.Arg(0)
	db, err := sqlitedb.OpenExisting(ctx, *dbPath)
	if err != nil {
		fmt.Fprintf(stderr, "amends backup: %v\n", err)
		return 1
	}
	defer db.Close()
	if err := sqlitedb.Backup(ctx, db, out); err != nil {
		fmt.Fprintf(stderr, "amends backup: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "Backed up %s to %s.\n", *dbPath, out)
	return 0
}
