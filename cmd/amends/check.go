package main

import (
	"context"
	"fmt"
	"io"

	authsqlite "github.com/amends/amends/auth/sqlite"
	desksqlite "github.com/amends/amends/desk/sqlite"
	incsqlite "github.com/amends/amends/incidents/sqlite"
	"github.com/amends/amends/internal/sqlitedb"
	notifysqlite "github.com/amends/amends/notify/sqlite"
)

// embeddedLevels returns, for every migration set, the newest migration
// this binary embeds.
func embeddedLevels() (map[string]int, error) {
	want := map[string]int{}
	for set, latest := range map[string]func() (int, error){
		sqlitedb.CoreSet:          sqlitedb.LatestCore,
		incsqlite.MigrationSet:    incsqlite.LatestMigration,
		authsqlite.MigrationSet:   authsqlite.LatestMigration,
		desksqlite.MigrationSet:   desksqlite.LatestMigration,
		notifysqlite.MigrationSet: notifysqlite.LatestMigration,
	} {
		v, err := latest()
		if err != nil {
			return nil, fmt.Errorf("the %s migrations this binary embeds: %w", set, err)
		}
		want[set] = v
	}
	return want, nil
}

// runCheck is `amends check --db DB`: whether the file is sound and at the
// binary's schema, as after a restore. It changes nothing.
func runCheck(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flagSet("check", stderr)
	dbPath := fs.String("db", "amends.db", "SQLite database file to check (env AMENDS_DB)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 0 {
		fmt.Fprintln(stderr, "usage: amends check [--db amends.db]")
		return 2
	}
	want, err := embeddedLevels()
	if err != nil {
		fmt.Fprintf(stderr, "amends check: %v\n", err)
		return 1
	}
	db, err := sqlitedb.OpenExisting(ctx, *dbPath)
	if err != nil {
		fmt.Fprintf(stderr, "amends check: %v\n", err)
		return 1
	}
	defer db.Close()
	r, err := sqlitedb.Check(ctx, db, want)
	if err != nil {
		fmt.Fprintf(stderr, "amends check: %s: %v\n", *dbPath, err)
		return 1
	}
	printReport(stdout, r)
	if !r.OK() {
		fmt.Fprintf(stderr, "amends check: %s has problems (above)\n", *dbPath)
		return 1
	}
	fmt.Fprintf(stdout, "%s is sound and at this binary's schema.\n", *dbPath)
	return 0
}

func printReport(w io.Writer, r sqlitedb.Report) {
	for _, line := range r.Integrity {
		fmt.Fprintf(w, "integrity_check: %s\n", line)
	}
	if len(r.ForeignKeys) == 0 {
		fmt.Fprintln(w, "foreign_key_check: ok")
	}
	for _, v := range r.ForeignKeys {
		fmt.Fprintf(w, "foreign_key_check: %s row %d refers to a missing %s row\n", v.Table, v.RowID, v.Parent)
	}
	for _, l := range r.Levels {
		var verdict string
		switch {
		case l.OK():
			verdict = "ok"
		case l.Want == 0:
			verdict = "a set this binary does not know: use the amends that wrote this database"
		case l.Have < l.Want:
			verdict = "older than this binary: amends serve migrates it when it starts"
		default:
			verdict = "newer than this binary: use a newer amends"
		}
		fmt.Fprintf(w, "migrations %-10s %d of %d: %s\n", l.Set, l.Have, l.Want, verdict)
	}
}
