package sqlite

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/auth"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
)

const tokenColumns = `t.id, t.name, t.user_id, t.role, t.prefix, t.created_at, t.last_used_at, t.revoked_at`

func scanToken(r rowScanner, extra ...any) (auth.Token, error) {
	var t auth.Token
	var role, created string
	var used, revoked sql.NullString
	if err := r.Scan(append([]any{&t.ID, &t.Name, &t.UserID, &role, &t.Prefix, &created, &used, &revoked}, extra...)...); err != nil {
		return auth.Token{}, err
	}
	t.Role = auth.Role(role)
	var err error
	if t.CreatedAt, err = sqlitedb.ParseTime(created); err != nil {
		return auth.Token{}, err
	}
	if t.LastUsedAt, err = sqlitedb.ParseNullTime(used); err != nil {
		return auth.Token{}, err
	}
	if t.RevokedAt, err = sqlitedb.ParseNullTime(revoked); err != nil {
		return auth.Token{}, err
	}
	return t, nil
}

func getToken(ctx context.Context, q sqlitedb.Queryer, id int64) (auth.Token, error) {
	t, err := scanToken(q.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens t WHERE t.id = ?`, id))
	if err != nil {
		return auth.Token{}, notFound(err, "token %d not found", id)
	}
	return t, nil
}

// CreateToken creates an API token for a user and returns its secret, shown
// only this once; the database keeps its SHA-256 and the 8-character display
// prefix. Invalid on "name" (1 to 100 characters) or "role" (unknown, or
// above the owner's role); NotFound for an unknown user; Conflict if the
// user is disabled.
func (s *Store) CreateToken(ctx context.Context, by audit.Actor, userID int64, name string, role auth.Role, now time.Time) (_ string, _ auth.Token, err error) {
	defer errs.Wrap(&err, "auth/sqlite: CreateToken user %d", userID)
	name, err = auth.ValidateTokenName(name)
	if err != nil {
		return "", auth.Token{}, err
	}
	if err := role.Validate(); err != nil {
		return "", auth.Token{}, err
	}
	raw, err := auth.NewTokenSecret()
	if err != nil {
		return "", auth.Token{}, err
	}
	var tok auth.Token
	err = sqlitedb.InTx(ctx, s.db, func(tx *sql.Tx) error {
		owner, err := getUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		if owner.Disabled {
			return errs.Conflictf("%s is disabled", owner.Email)
		}
		if err := auth.CheckTokenRole(role, owner.Role); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (user_id, name, role, secret_hash, prefix, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, userID, name, string(role), auth.HashSecret(raw), auth.TokenDisplayPrefix(raw), sqlitedb.FormatTime(now))
		if err != nil {
			return err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		if tok, err = getToken(ctx, tx, id); err != nil {
			return err
		}
		return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "token.create", Entity: "token", EntityID: strconv.FormatInt(id, 10), After: auditToken(tok), At: now})
	})
	if err != nil {
		return "", auth.Token{}, err
	}
	return raw, tok, nil
}

func errBadToken() error { return errs.Unauthorizedf("invalid or revoked API token") }

// TokenUser returns the token with secret raw and its owner, whose Role is
// the token's effective role: the lower of the token's role and the owner's
// current one. It records LastUsedAt, at most once per auth.TouchEvery.
// Unauthorized if the token is unknown or revoked or its owner is disabled.
func (s *Store) TokenUser(ctx context.Context, raw string, now time.Time) (_ auth.User, _ auth.Token, err error) {
	defer errs.Wrap(&err, "auth/sqlite: TokenUser") // the token is a secret: not in the error
	if !strings.HasPrefix(raw, auth.TokenPrefix) {
		return auth.User{}, auth.Token{}, errBadToken()
	}
	var u auth.User
	var role, created string
	tok, err := scanToken(s.db.QueryRowContext(ctx, `SELECT `+tokenColumns+`, u.id, u.email, u.name, u.role, u.disabled, u.created_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.secret_hash = ?`, auth.HashSecret(raw)),
		&u.ID, &u.Email, &u.Name, &role, &u.Disabled, &created)
	if err == sql.ErrNoRows {
		return auth.User{}, auth.Token{}, errBadToken()
	}
	if err != nil {
		return auth.User{}, auth.Token{}, err
	}
	if u.CreatedAt, err = sqlitedb.ParseTime(created); err != nil {
		return auth.User{}, auth.Token{}, err
	}
	if tok.RevokedAt != nil || u.Disabled {
		return auth.User{}, auth.Token{}, errBadToken()
	}
	u.Role = auth.LowerRole(tok.Role, auth.Role(role))
	if tok.NeedsTouch(now) {
		ts := sqlitedb.FormatTime(now)
		if _, err := s.db.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`,
			ts, tok.ID, ts); err != nil && !sqlitedb.Unwritable(err) {
			return auth.User{}, auth.Token{}, err
		} else if err == nil {
			// On a full or read-only database the token still works; only
			// its last use goes unrecorded.
			used := now
			tok.LastUsedAt = &used
		}
	}
	return u, tok, nil
}

// Tokens returns a user's tokens, or everyone's for userID 0, oldest first,
// revoked ones included.
func (s *Store) Tokens(ctx context.Context, userID int64) (_ []auth.Token, err error) {
	defer errs.Wrap(&err, "auth/sqlite: Tokens user %d", userID)
	rows, err := s.db.QueryContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens t WHERE ? = 0 OR t.user_id = ? ORDER BY t.id`, userID, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []auth.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, t)
	}
	return list, rows.Err()
}

// RevokeToken revokes a token for good. NotFound; Conflict if it is already
// revoked.
func (s *Store) RevokeToken(ctx context.Context, by audit.Actor, id int64, now time.Time) (err error) {
	defer errs.Wrap(&err, "auth/sqlite: RevokeToken %d", id)
	return sqlitedb.InTx(ctx, s.db, func(tx *sql.Tx) error {
		before, err := getToken(ctx, tx, id)
		if err != nil {
			return err
		}
		if before.RevokedAt != nil {
			return errs.Conflictf("token %d is already revoked", id)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ?`, sqlitedb.FormatTime(now), id); err != nil {
			return err
		}
		after, err := getToken(ctx, tx, id)
		if err != nil {
			return err
		}
		return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "token.revoke", Entity: "token", EntityID: strconv.FormatInt(id, 10), Before: auditToken(before), After: auditToken(after), At: now})
	})
}
