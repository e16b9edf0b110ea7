// Package sqlite stores the credit desk in the Amends SQLite database: it
// implements desk.Store on a *sql.DB opened by sqlitedb.Open, owns the
// tables of its embedded migrations (set "sla"), and keeps its row types to
// itself. Every exported method's error that is not a domain error says
// which method and key it came from ("desk/sqlite: Run 7: ...").
//
// Every write runs in one transaction with its audit entry. Storing a
// previewed run writes the run and all its lines in one transaction with one
// audit entry for the run; approving it writes the approval, every ledger
// entry it pays and one audit entry (the run before and after, with what was
// issued) in one transaction, so a failure leaves the ledger as it was. The
// ledger entries themselves name the run and the approver.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"io/fs"
	"strings"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// MigrationSet is the name of this package's migrations in
// schema_migrations: "sla", from when the desk was part of package sla;
// existing databases record their migrations under it.
const MigrationSet = "sla"

// Migrate applies this package's migrations that db has not had yet.
func Migrate(ctx context.Context, db *sql.DB) error {
	sub, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		return err
	}
	return sqlitedb.Migrate(ctx, db, MigrationSet, sub)
}

// LatestMigration returns the newest migration this package embeds: the
// level of MigrationSet that Migrate brings a database to.
func LatestMigration() (int, error) {
	sub, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		return 0, err
	}
	return sqlitedb.Latest(MigrationSet, sub)
}

// Store implements desk.Store.
type Store struct {
	db *sql.DB
}

var _ desk.Store = (*Store)(nil)

// New migrates db (opened by sqlitedb.Open) and returns a Store on it.
func New(db *sql.DB) (*Store, error) {
	if err := Migrate(context.Background(), db); err != nil {
		return nil, err
	}
	return &Store{db: db}, nil
}

func seconds(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }

func page(offset, limit int) error {
	if offset < 0 {
		return errs.Invalidf("offset", "must not be negative")
	}
	if limit < 1 {
		return errs.Invalidf("limit", "must be at least 1")
	}
	return nil
}

func notFound(err error, format string, args ...any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return errs.NotFoundf(format, args...)
	}
	return err
}

// inTx runs fn in one transaction (see sqlitedb.InTx); the exported method
// that calls it says where an error that is not a domain error came from.
func (st *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	return sqlitedb.InTx(ctx, st.db, fn)
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY violation.
func isUnique(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// insertBatch inserts n rows into table, many rows per statement: row(i,
// args) fills the len(cols) values of row i.
func insertBatch(ctx context.Context, tx *sql.Tx, table string, cols []string, n int, row func(i int, args []any)) error {
	const per = 200
	k := len(cols)
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", k), ",") + ")"
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES "
	var full *sql.Stmt
	args := make([]any, per*k)
	for start := 0; start < n; start += per {
		m := min(per, n-start)
		for i := range m {
			row(start+i, args[i*k:(i+1)*k])
		}
		if m == per {
			if full == nil {
				var err error
				full, err = tx.PrepareContext(ctx, head+strings.TrimSuffix(strings.Repeat(one+",", per), ","))
				if err != nil {
					return err
				}
				defer full.Close()
			}
			if _, err := full.ExecContext(ctx, args...); err != nil {
				return err
			}
			continue
		}
		if _, err := tx.ExecContext(ctx, head+strings.TrimSuffix(strings.Repeat(one+",", m), ","), args[:m*k]...); err != nil {
			return err
		}
	}
	return nil
}
