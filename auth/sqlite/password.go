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

// ChangePassword sets user id's own password after checking the current
// one, ends every session of theirs but keepSession (the raw id of the
// session asking), and audits "user.password", all in one transaction.
// Invalid on "current_password" when it does not match, on "new_password"
// when the new password breaks auth.CheckPassword or equals the current
// one; NotFound.
func (s *Store) ChangePassword(ctx context.Context, by audit.Actor, id int64, current, next, keepSession string, now time.Time) (err error) {
	defer errs.Wrap(&err, "auth/sqlite: ChangePassword %d", id)
	var oldHash string
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE id = ?`, id), &oldHash)
	if err != nil {
		return notFound(err, "user %d not found", id)
	}
	ok, err := auth.VerifyPassword(oldHash, current)
	if err != nil {
		return err
	}
	if !ok {
		return errs.Invalidf("current_password", "is not your current password")
	}
	if err := auth.CheckPassword("new_password", next, u.Email); err != nil {
		return err
	}
	if next == current {
		return errs.Invalidf("new_password", "must differ from the current password")
	}
	hash, err := auth.HashPassword(next)
	if err != nil {
		return err
	}
	return sqlitedb.InTx(ctx, s.db, func(tx *sql.Tx) error {
		// The hash read above must still be the stored one: a password
		// changed meanwhile (by an admin, or another tab) wins, and this
		// attempt is told its current password is wrong.
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ? AND password_hash = ?`,
			hash, sqlitedb.FormatTime(now), id, oldHash)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return errs.Invalidf("current_password", "is not your current password")
		}
		ended, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?`, id, auth.HashSecret(keepSession))
		if err != nil {
			return err
		}
		n, err := ended.RowsAffected()
		if err != nil {
			return err
		}
		return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "user.password", Entity: "user", EntityID: strconv.FormatInt(id, 10),
			After: map[string]any{"id": u.ID, "email": u.Email, "password": "changed by its owner", "other_sessions_ended": n}, At: now})
	})
}
