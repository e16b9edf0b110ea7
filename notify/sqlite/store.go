// Package sqlite stores the notify domain in the Amends SQLite database:
// subscribers, events, the outbox of deliveries and the delivery log. It
// implements notify.Store on a *sql.DB opened by sqlitedb.Open and keeps
// its row types to itself.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"io/fs"
	"strconv"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/internal/sqlitedb"
	"github.com/amends/amends/notify"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// MigrationSet is the name of this package's migrations in schema_migrations.
const MigrationSet = "notify"

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

// Store implements notify.Store.
type Store struct{ db *sql.DB }

var _ notify.Store = (*Store)(nil)

// New migrates db (opened by sqlitedb.Open) and returns a Store on it.
func New(db *sql.DB) (*Store, error) {
	if err := Migrate(context.Background(), db); err != nil {
		return nil, err
	}
	return &Store{db: db}, nil
}

// auditSubscriber appends the audit entry of a write by by to subscriber id:
// every audited write of this store is to a subscriber.
func auditSubscriber(ctx context.Context, tx *sql.Tx, by audit.Actor, action string, id int64, before, after any, now time.Time) error {
	return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{
		Actor: by, Action: action, Entity: "subscriber", EntityID: strconv.FormatInt(id, 10),
		Before: before, After: after, At: now,
	})
}
