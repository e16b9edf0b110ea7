package sqlite

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/auth"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
)

// SetupActor is the audit actor of the first admin's creation.
var SetupActor = audit.Named("setup")

// NewSetupCode returns a fresh first-admin setup code, valid for
// auth.SetupCodeTTL, replacing any earlier one; only its hash is stored.
// Conflict once any user exists.
func (s *Store) NewSetupCode(ctx context.Context, now time.Time) (_ string, err error) {
	defer errs.Wrap(&err, "auth/sqlite: NewSetupCode")
	code, err := auth.NewSecret()
	if err != nil {
		return "", err
	}
	err = sqlitedb.InTx(ctx, s.db, func(tx *sql.Tx) error {
		if err := requireNoUsers(ctx, tx); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO setup_codes (id, code_hash, created_at, expires_at) VALUES (1, ?, ?, ?)`,
			auth.HashSecret(code), sqlitedb.FormatTime(now), sqlitedb.FormatTime(now.Add(auth.SetupCodeTTL)))
		return err
	})
	if err != nil {
		return "", err
	}
	return code, nil
}

func requireNoUsers(ctx context.Context, tx *sql.Tx) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return errs.Conflictf("setup is done: an admin already exists")
	}
	return nil
}

// CreateFirstAdmin creates the first user, as an admin whatever u.Role says,
// and consumes the code, in one transaction audited with actor "setup".
// Invalid for bad input (the code stays usable); Conflict if a user already
// exists; Unauthorized for a wrong or expired code.
func (s *Store) CreateFirstAdmin(ctx context.Context, code string, u auth.NewUser, now time.Time) (_ auth.User, err error) {
	defer errs.Wrap(&err, "auth/sqlite: CreateFirstAdmin %q", u.Email)
	u.Role = auth.Admin
	u, hash, err := prepareUser(u)
	if err != nil {
		return auth.User{}, err
	}
	var created auth.User
	err = sqlitedb.InTx(ctx, s.db, func(tx *sql.Tx) error {
		if err := requireNoUsers(ctx, tx); err != nil {
			return err
		}
		var stored, expires string
		err := tx.QueryRowContext(ctx, `SELECT code_hash, expires_at FROM setup_codes WHERE id = 1`).Scan(&stored, &expires)
		if err != nil && err != sql.ErrNoRows {
			return err
		}
		bad := err == sql.ErrNoRows || subtle.ConstantTimeCompare([]byte(stored), []byte(auth.HashSecret(code))) != 1
		if !bad {
			exp, err := sqlitedb.ParseTime(expires)
			if err != nil {
				return err
			}
			bad = !now.Before(exp)
		}
		if bad {
			return errs.Unauthorizedf("the setup link is wrong or has expired: restart amends serve for a new one")
		}
		// insertUser also deletes the code.
		created, err = insertUser(ctx, tx, SetupActor, u, hash, now)
		return err
	})
	if err != nil {
		return auth.User{}, err
	}
	return created, nil
}

// CreateInitialAdmin creates the first user, as an admin whatever u.Role
// says, without a setup code: it is for callers that already hold the
// database file (the command line, and serve's AMENDS_ADMIN_EMAIL start-up),
// and it is audited with actor by. Invalid for bad input; Conflict if a user
// already exists, checked in the same transaction as the insert.
func (s *Store) CreateInitialAdmin(ctx context.Context, by audit.Actor, u auth.NewUser, now time.Time) (_ auth.User, err error) {
	defer errs.Wrap(&err, "auth/sqlite: CreateInitialAdmin %q", u.Email)
	u.Role = auth.Admin
	u, hash, err := prepareUser(u)
	if err != nil {
		return auth.User{}, err
	}
	var created auth.User
	err = sqlitedb.InTx(ctx, s.db, func(tx *sql.Tx) error {
		if err := requireNoUsers(ctx, tx); err != nil {
			return err
		}
		// insertUser also deletes any setup code.
		created, err = insertUser(ctx, tx, by, u, hash, now)
		return err
	})
	if err != nil {
		return auth.User{}, err
	}
	return created, nil
}
