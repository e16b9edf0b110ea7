// Package sqlite stores the incidents domain in the Amends SQLite database:
// it implements incidents.Store on a *sql.DB opened by sqlitedb.Open, owns
// the tables of its embedded migrations, and keeps its row types to itself.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"io/fs"
	"time"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// MigrationSet is the name of this package's migrations in schema_migrations.
const MigrationSet = "incidents"

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

// Store implements incidents.Store.
type Store struct {
	db *sql.DB
	// Now is the clock, read only by the queries that take no now
	// (IncidentsBetween, PastMaintenances); tests may set it.
	Now func() time.Time
}

var _ incidents.Store = (*Store)(nil)

// New migrates db (opened by sqlitedb.Open) and returns a Store on it.
func New(db *sql.DB) (*Store, error) {
	if err := Migrate(context.Background(), db); err != nil {
		return nil, err
	}
	return &Store{db: db, Now: time.Now}, nil
}

// idList is ids as a JSON array, for "IN (SELECT value FROM json_each(?))".
func idList[T any](ids []T) string {
	b, _ := json.Marshal(ids)
	return string(b)
}

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
