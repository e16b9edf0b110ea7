package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
)

// CreateSession starts a session for an enabled user and returns its raw id,
// new at every call; only its hash is stored. It also clears out sessions
// that have expired. NotFound; Unauthorized if the user is disabled.
// Sessions are not data of the product, so they are not audited.
func (s *Store) CreateSession(ctx context.Context, userID int64, now time.Time) (_ string, err error) {
	defer errs.Wrap(&err, "auth/sqlite: CreateSession user %d", userID)
	raw, err := auth.NewSecret()
	if err != nil {
		return "", err
	}
	sess := auth.NewSession(userID, now)
	err = sqlitedb.InTx(ctx, s.db, func(tx *sql.Tx) error {
		u, err := getUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		if u.Disabled {
			return errs.Unauthorizedf("user is disabled")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE last_seen_at <= ? OR created_at <= ?`,
			sqlitedb.FormatTime(now.Add(-auth.SessionIdle)), sqlitedb.FormatTime(now.Add(-auth.SessionMax))); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)`,
			auth.HashSecret(raw), userID, sqlitedb.FormatTime(sess.CreatedAt), sqlitedb.FormatTime(sess.LastSeenAt))
		return err
	})
	if err != nil {
		return "", err
	}
	return raw, nil
}

func errNoSession() error { return errs.Unauthorizedf("not logged in or session expired") }

// SessionUser returns the session with rawID and its user, and slides the
// session's idle expiry (writing at most once per auth.TouchEvery).
// Unauthorized if the id is unknown, the session has expired (it is then
// deleted) or the user is disabled.
func (s *Store) SessionUser(ctx context.Context, rawID string, now time.Time) (_ auth.User, _ auth.Session, err error) {
	defer errs.Wrap(&err, "auth/sqlite: SessionUser") // the id is a secret: not in the error
	if rawID == "" {
		return auth.User{}, auth.Session{}, errNoSession()
	}
	idHash := auth.HashSecret(rawID)
	var created, lastSeen string
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT u.id, u.email, u.name, u.role, u.disabled, u.created_at, s.created_at, s.last_seen_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?`, idHash), &created, &lastSeen)
	if err == sql.ErrNoRows {
		return auth.User{}, auth.Session{}, errNoSession()
	}
	if err != nil {
		return auth.User{}, auth.Session{}, err
	}
	c, err := sqlitedb.ParseTime(created)
	if err != nil {
		return auth.User{}, auth.Session{}, err
	}
	l, err := sqlitedb.ParseTime(lastSeen)
	if err != nil {
		return auth.User{}, auth.Session{}, err
	}
	sess := auth.RestoreSession(u.ID, c, l)
	if sess.Expired(now) {
		if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, idHash); err != nil {
			return auth.User{}, auth.Session{}, err
		}
		return auth.User{}, auth.Session{}, errNoSession()
	}
	if u.Disabled {
		return auth.User{}, auth.Session{}, errNoSession()
	}
	if touched, ok := sess.Touch(now); ok {
		if _, err := s.db.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id_hash = ? AND last_seen_at < ?`,
			sqlitedb.FormatTime(touched.LastSeenAt), idHash, sqlitedb.FormatTime(touched.LastSeenAt)); err != nil && !sqlitedb.Unwritable(err) {
			return auth.User{}, auth.Session{}, err
		} else if err == nil {
			// On a full or read-only database the session goes on
			// unextended.
			sess = touched
		}
	}
	return u, sess, nil
}

// DeleteSession ends a session; an unknown id is not an error.
func (s *Store) DeleteSession(ctx context.Context, rawID string) (err error) {
	defer errs.Wrap(&err, "auth/sqlite: DeleteSession") // the id is a secret: not in the error
	_, err = s.db.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, auth.HashSecret(rawID))
	return err
}
