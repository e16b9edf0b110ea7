package sqlite

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/auth"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
)

const userColumns = `id, email, name, role, disabled, created_at`

type rowScanner interface{ Scan(dest ...any) error }

func scanUser(r rowScanner, extra ...any) (auth.User, error) {
	var u auth.User
	var role, created string
	if err := r.Scan(append([]any{&u.ID, &u.Email, &u.Name, &role, &u.Disabled, &created}, extra...)...); err != nil {
		return auth.User{}, err
	}
	u.Role = auth.Role(role)
	var err error
	if u.CreatedAt, err = sqlitedb.ParseTime(created); err != nil {
		return auth.User{}, err
	}
	return u, nil
}

func getUser(ctx context.Context, q sqlitedb.Queryer, id int64) (auth.User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if err != nil {
		return auth.User{}, notFound(err, "user %d not found", id)
	}
	return u, nil
}

// UserCount returns how many users exist, disabled ones included.
func (s *Store) UserCount(ctx context.Context) (_ int, err error) {
	defer errs.Wrap(&err, "auth/sqlite: UserCount")
	var n int
	err = s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}

// Users returns every user, oldest first.
func (s *Store) Users(ctx context.Context) (_ []auth.User, err error) {
	defer errs.Wrap(&err, "auth/sqlite: Users")
	rows, err := s.db.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []auth.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, u)
	}
	return list, rows.Err()
}

// User returns one user; NotFound if there is none with id.
func (s *Store) User(ctx context.Context, id int64) (_ auth.User, err error) {
	defer errs.Wrap(&err, "auth/sqlite: User %d", id)
	return getUser(ctx, s.db, id)
}

// CreateUser validates u and creates the user. Invalid for bad input;
// Conflict on field "email" if the address is already in use.
func (s *Store) CreateUser(ctx context.Context, by audit.Actor, u auth.NewUser, now time.Time) (_ auth.User, err error) {
	defer errs.Wrap(&err, "auth/sqlite: CreateUser %q", u.Email)
	u, hash, err := prepareUser(u)
	if err != nil {
		return auth.User{}, err
	}
	var created auth.User
	err = sqlitedb.InTx(ctx, s.db, func(tx *sql.Tx) error {
		var err error
		created, err = insertUser(ctx, tx, by, u, hash, now)
		return err
	})
	return created, err
}

// prepareUser validates and normalizes u and hashes its password, outside
// any transaction: argon2 is deliberately slow and must not hold the write
// lock.
func prepareUser(u auth.NewUser) (auth.NewUser, string, error) {
	if err := u.Validate(); err != nil {
		return u, "", err
	}
	u = u.Normalized()
	hash, err := auth.HashPassword(u.Password)
	if err != nil {
		return u, "", err
	}
	u.Password = ""
	return u, hash, nil
}

func insertUser(ctx context.Context, tx *sql.Tx, by audit.Actor, u auth.NewUser, hash string, now time.Time) (auth.User, error) {
	var taken int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE lower(email) = lower(?)`, u.Email).Scan(&taken); err != nil {
		return auth.User{}, err
	}
	if taken > 0 {
		return auth.User{}, &errs.Error{Code: errs.Conflict, Field: "email", Message: "already in use"}
	}
	ts := sqlitedb.FormatTime(now)
	res, err := tx.ExecContext(ctx, `INSERT INTO users (email, name, role, password_hash, disabled, created_at, updated_at)
		VALUES (?, ?, ?, ?, 0, ?, ?)`, u.Email, u.Name, string(u.Role), hash, ts, ts)
	if err != nil {
		return auth.User{}, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return auth.User{}, err
	}
	// Once anyone exists, no setup code may create another first admin.
	if _, err := tx.ExecContext(ctx, `DELETE FROM setup_codes`); err != nil {
		return auth.User{}, err
	}
	created, err := getUser(ctx, tx, id)
	if err != nil {
		return auth.User{}, err
	}
	return created, sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "user.create", Entity: "user", EntityID: strconv.FormatInt(id, 10), After: auditUser(created), At: now})
}

// otherEnabledAdmins counts the enabled admins other than id.
func otherEnabledAdmins(ctx context.Context, tx *sql.Tx, id int64) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0 AND id <> ?`, id).Scan(&n)
	return n, err
}

// SetRole changes a user's role. Invalid for an unknown role; NotFound;
// Conflict when it would leave no enabled admin. Setting the role a user
// already has changes and audits nothing.
func (s *Store) SetRole(ctx context.Context, by audit.Actor, id int64, role auth.Role, now time.Time) (_ auth.User, err error) {
	defer errs.Wrap(&err, "auth/sqlite: SetRole %d", id)
	if err := role.Validate(); err != nil {
		return auth.User{}, err
	}
	var after auth.User
	err = sqlitedb.InTx(ctx, s.db, func(tx *sql.Tx) error {
		before, err := getUser(ctx, tx, id)
		if err != nil {
			return err
		}
		if before.Role == role {
			after = before
			return nil
		}
		if before.Role == auth.Admin && !before.Disabled {
			n, err := otherEnabledAdmins(ctx, tx, id)
			if err != nil {
				return err
			}
			if n == 0 {
				return errs.Conflictf("%s is the last enabled admin: make someone else admin first", before.Email)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET role = ?, updated_at = ? WHERE id = ?`,
			string(role), sqlitedb.FormatTime(now), id); err != nil {
			return err
		}
		if after, err = getUser(ctx, tx, id); err != nil {
			return err
		}
		return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "user.role", Entity: "user", EntityID: strconv.FormatInt(id, 10), Before: auditUser(before), After: auditUser(after), At: now})
	})
	if err != nil {
		return auth.User{}, err
	}
	return after, nil
}

// SetDisabled disables or re-enables a user. Disabling ends all the user's
// sessions (its tokens stop working while it stays disabled). NotFound;
// Conflict when it would leave no enabled admin. Setting the state a user
// already has changes and audits nothing.
func (s *Store) SetDisabled(ctx context.Context, by audit.Actor, id int64, disabled bool, now time.Time) (_ auth.User, err error) {
	defer errs.Wrap(&err, "auth/sqlite: SetDisabled %d", id)
	var after auth.User
	err = sqlitedb.InTx(ctx, s.db, func(tx *sql.Tx) error {
		before, err := getUser(ctx, tx, id)
		if err != nil {
			return err
		}
		if before.Disabled == disabled {
			after = before
			return nil
		}
		action := "user.enable"
		if disabled {
			action = "user.disable"
			if before.Role == auth.Admin {
				n, err := otherEnabledAdmins(ctx, tx, id)
				if err != nil {
					return err
				}
				if n == 0 {
					return errs.Conflictf("%s is the last enabled admin: make someone else admin first", before.Email)
				}
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?`,
			disabled, sqlitedb.FormatTime(now), id); err != nil {
			return err
		}
		if after, err = getUser(ctx, tx, id); err != nil {
			return err
		}
		return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: action, Entity: "user", EntityID: strconv.FormatInt(id, 10), Before: auditUser(before), After: auditUser(after), At: now})
	})
	if err != nil {
		return auth.User{}, err
	}
	return after, nil
}

// SetPassword validates and sets a user's password and ends all the user's
// sessions; a user changing their own password gets a new session from
// CreateSession. Invalid on "password"; NotFound.
func (s *Store) SetPassword(ctx context.Context, by audit.Actor, id int64, password string, now time.Time) (err error) {
	defer errs.Wrap(&err, "auth/sqlite: SetPassword %d", id)
	target, err := s.User(ctx, id)
	if err != nil {
		return err // before the slow hash
	}
	if err := auth.CheckPassword("password", password, target.Email); err != nil {
		return err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	return sqlitedb.InTx(ctx, s.db, func(tx *sql.Tx) error {
		u, err := getUser(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`,
			hash, sqlitedb.FormatTime(now), id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
			return err
		}
		return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "user.password", Entity: "user", EntityID: strconv.FormatInt(id, 10), After: map[string]any{"id": u.ID, "email": u.Email, "password": "changed"}, At: now})
	})
}

// Authenticate checks an email and password. It returns
// errs.Unauthorizedf("wrong email or password") for an unknown email, a
// wrong password or a disabled user; an unknown email costs the same argon2
// work as a known one, so timing does not tell which addresses exist.
func (s *Store) Authenticate(ctx context.Context, email, password string, now time.Time) (_ auth.User, err error) {
	defer errs.Wrap(&err, "auth/sqlite: Authenticate %q", email)
	var hash string
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE lower(email) = lower(?)`,
		auth.NormalizeEmail(email)), &hash)
	known := err == nil
	if err != nil && err != sql.ErrNoRows {
		return auth.User{}, err
	}
	if !known {
		hash = s.dummyHash
	}
	ok, err := auth.VerifyPassword(hash, password)
	if err != nil {
		return auth.User{}, err
	}
	if !known || !ok || u.Disabled {
		return auth.User{}, errs.Unauthorizedf("wrong email or password")
	}
	return u, nil
}
