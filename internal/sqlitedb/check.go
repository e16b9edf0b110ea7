package sqlitedb

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
)

// Level is one migration set's level: the newest version a database has
// applied (Have) and the newest the binary embeds (Want).
type Level struct {
	Set        string
	Have, Want int
}

// OK reports whether the database is at the binary's level.
func (l Level) OK() bool { return l.Have == l.Want }

// ForeignKeyViolation is one row of PRAGMA foreign_key_check: a row of
// Table (RowID, 0 for a table without rowids) whose reference into Parent
// finds nothing.
type ForeignKeyViolation struct {
	Table  string
	RowID  int64
	Parent string
}

// Report is what Check found.
type Report struct {
	// Integrity is what PRAGMA integrity_check said: just "ok" when the
	// file is sound, else one line per problem.
	Integrity   []string
	ForeignKeys []ForeignKeyViolation
	// Levels has every set the binary knows, then any set the database
	// has that the binary does not (Want 0), by name.
	Levels []Level
}

// OK reports whether everything Check looked at is right.
func (r Report) OK() bool {
	if len(r.Integrity) != 1 || r.Integrity[0] != "ok" || len(r.ForeignKeys) > 0 {
		return false
	}
	for _, l := range r.Levels {
		if !l.OK() {
			return false
		}
	}
	return true
}

// Check runs PRAGMA integrity_check and PRAGMA foreign_key_check on db and
// compares the level of every migration set with want (set name to the
// newest version the binary embeds, as Latest returns). It changes nothing.
// The error is for a database it could not read at all, such as a file
// that is not SQLite.
func Check(ctx context.Context, db *sql.DB, want map[string]int) (Report, error) {
	var r Report
	rows, err := db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return r, fmt.Errorf("integrity check: %w", err)
	}
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return r, fmt.Errorf("integrity check: %w", err)
		}
		r.Integrity = append(r.Integrity, line)
	}
	if err := rows.Close(); err != nil {
		return r, fmt.Errorf("integrity check: %w", err)
	}

	rows, err = db.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return r, fmt.Errorf("foreign key check: %w", err)
	}
	for rows.Next() {
		var v ForeignKeyViolation
		var rowID sql.NullInt64
		var fkid int
		if err := rows.Scan(&v.Table, &rowID, &v.Parent, &fkid); err != nil {
			rows.Close()
			return r, fmt.Errorf("foreign key check: %w", err)
		}
		v.RowID = rowID.Int64
		r.ForeignKeys = append(r.ForeignKeys, v)
	}
	if err := rows.Close(); err != nil {
		return r, fmt.Errorf("foreign key check: %w", err)
	}

	have := map[string]int{}
	var tables int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&tables); err != nil {
		return r, fmt.Errorf("migration levels: %w", err)
	}
	if tables > 0 {
		rows, err = db.QueryContext(ctx, `SELECT set_name, MAX(version) FROM schema_migrations GROUP BY set_name`)
		if err != nil {
			return r, fmt.Errorf("migration levels: %w", err)
		}
		for rows.Next() {
			var set string
			var v int
			if err := rows.Scan(&set, &v); err != nil {
				rows.Close()
				return r, fmt.Errorf("migration levels: %w", err)
			}
			have[set] = v
		}
		if err := rows.Close(); err != nil {
			return r, fmt.Errorf("migration levels: %w", err)
		}
	}
	var known, unknown []string
	for set := range want {
		known = append(known, set)
	}
	for set := range have {
		if _, ok := want[set]; !ok {
			unknown = append(unknown, set)
		}
	}
	sort.Strings(known)
	sort.Strings(unknown)
	for _, set := range append(known, unknown...) {
		r.Levels = append(r.Levels, Level{Set: set, Have: have[set], Want: want[set]})
	}
	return r, nil
}
