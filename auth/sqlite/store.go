// Package sqlite stores the accounts of package auth in the Amends SQLite
// database: users, sessions, API tokens and the first-admin setup code, in
// tables of its own created by embedded, numbered migrations.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"io/fs"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// MigrationSet is the name of this package's migrations in schema_migrations.
const MigrationSet = "auth"

// LatestMigration returns the newest migration this package embeds: the
// level of MigrationSet that New brings a database to.
func LatestMigration() (int, error) {
	sub, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		return 0, err
	}
	return sqlitedb.Latest(MigrationSet, sub)
}

// Store implements auth.Store on a database opened by sqlitedb.Open.
type Store struct {
	db *sql.DB
	// dummyHash is verified against for an unknown email, so that a login
	// costs the same argon2 work whether or not the address exists.
	dummyHash string
}

var _ auth.Store = (*Store)(nil)

// New applies the accounts migrations (set "auth") to db and returns a Store
// on it. db must come from sqlitedb.Open.
func New(db *sql.DB) (*Store, error) {
	sub, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	if err := sqlitedb.Migrate(context.Background(), db, MigrationSet, sub); err != nil {
		return nil, err
	}
	pw, err := auth.NewSecret()
	if err != nil {
		return nil, err
	}
	dummy, err := auth.HashPassword(pw)
	if err != nil {
		return nil, err
	}
	return &Store{db: db, dummyHash: dummy}, nil
}

// userAudit is a user as the audit log records it: no password hash.
type userAudit struct {
	ID       int64  `json:"id"`
	Email    string `json:"email"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	Disabled bool   `json:"disabled"`
}

func auditUser(u auth.User) userAudit {
	return userAudit{ID: u.ID, Email: u.Email, Name: u.Name, Role: string(u.Role), Disabled: u.Disabled}
}

// tokenAudit is a token as the audit log records it: neither its secret,
// nor its hash, nor the displayed prefix of the secret.
type tokenAudit struct {
	ID        int64   `json:"id"`
	Name      string  `json:"name"`
	UserID    int64   `json:"user_id"`
	Role      string  `json:"role"`
	RevokedAt *string `json:"revoked_at,omitempty"`
}

func auditToken(t auth.Token) tokenAudit {
	a := tokenAudit{ID: t.ID, Name: t.Name, UserID: t.UserID, Role: string(t.Role)}
	if t.RevokedAt != nil {
		s := sqlitedb.FormatTime(*t.RevokedAt)
		a.RevokedAt = &s
	}
	return a
}

func notFound(err error, format string, args ...any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return errs.NotFoundf(format, args...)
	}
	return err
}
