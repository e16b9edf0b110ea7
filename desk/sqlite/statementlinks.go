package sqlite

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
)

// tokenHash is what is kept of a statement token: its SHA-256, in hex.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// RotateStatementLink makes a new random statement token for customer and
// keeps its SHA-256 in place of the old one, with an audit entry (which
// records neither token).
func (st *Store) RotateStatementLink(ctx context.Context, by audit.Actor, customer string, now time.Time) (_ string, err error) {
	defer errs.Wrap(&err, "desk/sqlite: RotateStatementLink %s", customer)
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	now = seconds(now)
	err = st.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := account(ctx, tx, customer); err != nil {
			return err
		}
		var before any
		var old string
		err := tx.QueryRowContext(ctx, `SELECT created_at FROM customer_statement_links WHERE customer_id = ?`, customer).Scan(&old)
		switch {
		case err == nil:
			before = map[string]string{"created_at": old}
		case err != sql.ErrNoRows:
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO customer_statement_links (customer_id, token_sha256, created_by, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (customer_id) DO UPDATE SET token_sha256 = excluded.token_sha256, created_by = excluded.created_by, created_at = excluded.created_at`,
			customer, tokenHash(token), by.AuditLabel(), sqlitedb.FormatTime(now)); err != nil {
			return err
		}
		return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "statement_link.rotate", Entity: "customer", EntityID: customer, Before: before, After: map[string]string{"created_at": sqlitedb.FormatTime(now)}, At: now})
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// StatementLinkMade returns when customer's current link was made, nil if none.
func (st *Store) StatementLinkMade(ctx context.Context, customer string) (_ *time.Time, err error) {
	defer errs.Wrap(&err, "desk/sqlite: StatementLinkMade %s", customer)
	var at string
	err = st.db.QueryRowContext(ctx, `SELECT created_at FROM customer_statement_links WHERE customer_id = ?`, customer).Scan(&at)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	t, err := sqlitedb.ParseTime(at)
	return &t, err
}

// StatementAccount returns the account whose current token is token.
func (st *Store) StatementAccount(ctx context.Context, token string) (_ desk.Account, err error) {
	defer errs.Wrap(&err, "desk/sqlite: StatementAccount")
	var id string
	err = st.db.QueryRowContext(ctx, `SELECT customer_id FROM customer_statement_links WHERE token_sha256 = ?`, tokenHash(token)).Scan(&id)
	if err != nil {
		return desk.Account{}, notFound(err, "no statement at this address")
	}
	return account(ctx, st.db, id)
}

// RevokeStatementLink deletes customer's statement link row (its token's
// hash), with an audit entry; the link is a credential, not history.
func (st *Store) RevokeStatementLink(ctx context.Context, by audit.Actor, customer string, now time.Time) (err error) {
	defer errs.Wrap(&err, "desk/sqlite: RevokeStatementLink %s", customer)
	now = seconds(now)
	return st.inTx(ctx, func(tx *sql.Tx) error {
		var made string
		err := tx.QueryRowContext(ctx, `SELECT created_at FROM customer_statement_links WHERE customer_id = ?`, customer).Scan(&made)
		if err != nil {
			return notFound(err, "customer %s has no statement link", customer)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM customer_statement_links WHERE customer_id = ?`, customer); err != nil {
			return err
		}
		return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "statement_link.revoke", Entity: "customer", EntityID: customer,
			Before: map[string]string{"created_at": made}, At: now})
	})
}
