package sqlite

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
)

// Runs returns a page of credit runs, newest first, and how many there are.
func (st *Store) Runs(ctx context.Context, offset, limit int) ([]sla.CreditRun, int, error) {
	if err := page(offset, limit); err != nil {
		return nil, 0, err
	}
	var total int
	if err := st.db.QueryRowContext(ctx, `SELECT count(*) FROM credit_runs`).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := st.db.QueryContext(ctx, `SELECT `+runCols+` FROM credit_runs ORDER BY id DESC LIMIT ? OFFSET ?`, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []sla.CreditRun
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}

// ImportAccountData adds resources and sets charges in one transaction,
// each with its audit entry; any error stores nothing and names the row.
func (st *Store) ImportAccountData(ctx context.Context, by sla.Actor, resources []sla.AccountResource, charges []sla.AccountCharge, now time.Time) error {
	for i, r := range resources {
		if err := r.Validate(); err != nil {
			return errs.Prefix(fmt.Sprintf("resources[%d]", i), err)
		}
	}
	for i, ch := range charges {
		if err := sla.CheckAccountID("customer", ch.Customer); err != nil {
			return errs.Prefix(fmt.Sprintf("charges[%d]", i), err)
		}
	}
	return st.inTx(ctx, func(tx *sql.Tx) error {
		for i, r := range resources {
			r.From, r.To = truncPtr(r.From), truncPtr(r.To)
			if _, err := addResource(ctx, tx, by, r, now); err != nil {
				return errs.Prefix(fmt.Sprintf("resources[%d]", i), err)
			}
		}
		for i, ch := range charges {
			if _, err := putCharge(ctx, tx, by, ch, now); err != nil {
				return errs.Prefix(fmt.Sprintf("charges[%d]", i), err)
			}
		}
		return nil
	})
}

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// RotateStatementLink makes a new random statement token for customer and
// keeps its SHA-256 in place of the old one, with an audit entry (which
// records neither token).
func (st *Store) RotateStatementLink(ctx context.Context, by sla.Actor, customer string, now time.Time) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	now = seconds(now)
	err := st.inTx(ctx, func(tx *sql.Tx) error {
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
			customer, tokenHash(token), by.AuditLabel(), ftime(now)); err != nil {
			return err
		}
		return audit(ctx, tx, by, "statement_link.rotate", "customer", customer, before, map[string]string{"created_at": ftime(now)}, now)
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// StatementLinkMade returns when customer's current link was made, nil if none.
func (st *Store) StatementLinkMade(ctx context.Context, customer string) (*time.Time, error) {
	var at string
	err := st.db.QueryRowContext(ctx, `SELECT created_at FROM customer_statement_links WHERE customer_id = ?`, customer).Scan(&at)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	t, err := ptime(at)
	return &t, err
}

// StatementAccount returns the account whose current token is token.
func (st *Store) StatementAccount(ctx context.Context, token string) (sla.Account, error) {
	var id string
	err := st.db.QueryRowContext(ctx, `SELECT customer_id FROM customer_statement_links WHERE token_sha256 = ?`, tokenHash(token)).Scan(&id)
	if err != nil {
		return sla.Account{}, notFound(err, "no statement at this address")
	}
	return account(ctx, st.db, id)
}
