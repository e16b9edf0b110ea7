package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
)

// ManualThresholds returns, per currency, the largest manual credit issued
// without a second person.
func (st *Store) ManualThresholds(ctx context.Context) (_ map[string]int64, err error) {
	defer errs.Wrap(&err, "desk/sqlite: ManualThresholds")
	all, err := thresholds(ctx, st.db)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(all))
	for c, t := range all {
		out[c] = t.AboveMinor
	}
	return out, nil
}

func thresholds(ctx context.Context, q sqlitedb.Queryer) (map[string]desk.ManualThreshold, error) {
	rows, err := q.QueryContext(ctx, `SELECT currency, above_minor, set_by FROM manual_credit_thresholds`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]desk.ManualThreshold{}
	for rows.Next() {
		var c string
		var t desk.ManualThreshold
		if err := rows.Scan(&c, &t.AboveMinor, &t.SetBy); err != nil {
			return nil, err
		}
		out[c] = t
	}
	return out, rows.Err()
}

// SetManualThreshold lowers (or keeps) the threshold of currency at once,
// dropping any raise waiting for it, and answers false; a raise, or a first
// threshold, is recorded as waiting for a second person and answers true
// (see ConfirmManualThreshold). errs.Invalid on "currency" or "above_minor"
// (below 0 or above desk.MaxMinor).
func (st *Store) SetManualThreshold(ctx context.Context, by audit.Actor, currency string, aboveMinor int64, now time.Time) (_ bool, err error) {
	defer errs.Wrap(&err, "desk/sqlite: SetManualThreshold %s", currency)
	if err := desk.CheckCurrency("currency", currency); err != nil {
		return false, err
	}
	if err := desk.CheckMinor("above_minor", aboveMinor); err != nil {
		return false, err
	}
	var raise bool
	err = st.inTx(ctx, func(tx *sql.Tx) error {
		all, err := thresholds(ctx, tx)
		if err != nil {
			return err
		}
		v, ok := all[currency]
		if !ok || aboveMinor > v.AboveMinor {
			raise = true
			if _, err := tx.ExecContext(ctx, `INSERT INTO manual_credit_threshold_raises (currency, above_minor, requested_by, requested_at) VALUES (?, ?, ?, ?)
				ON CONFLICT (currency) DO UPDATE SET above_minor = excluded.above_minor, requested_by = excluded.requested_by, requested_at = excluded.requested_at`,
				currency, aboveMinor, by.Who(), sqlitedb.FormatTime(seconds(now))); err != nil {
				return err
			}
			return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "manual_credit_threshold.request", Entity: "manual_credit_threshold", EntityID: currency, After: map[string]int64{"above_minor": aboveMinor}, At: seconds(now)})
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM manual_credit_threshold_raises WHERE currency = ?`, currency); err != nil {
			return err
		}
		if v.AboveMinor == aboveMinor {
			return nil
		}
		return setThreshold(ctx, tx, by, currency, v.AboveMinor, aboveMinor, by.Who(), "manual_credit_threshold.set", now)
	})
	return raise, err
}

// setThreshold puts a threshold in force, set by setBy, with its audit entry.
func setThreshold(ctx context.Context, tx *sql.Tx, by audit.Actor, currency string, before, aboveMinor int64, setBy, action string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO manual_credit_thresholds (currency, above_minor, set_by) VALUES (?, ?, ?)
		ON CONFLICT (currency) DO UPDATE SET above_minor = excluded.above_minor, set_by = excluded.set_by`, currency, aboveMinor, setBy); err != nil {
		return err
	}
	var b any
	if before >= 0 {
		b = map[string]int64{"above_minor": before}
	}
	return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: action, Entity: "manual_credit_threshold", EntityID: currency, Before: b, After: map[string]int64{"above_minor": aboveMinor}, At: seconds(now)})
}

// ThresholdRaises returns the raises of manual credit thresholds waiting
// for a second person, by currency.
func (st *Store) ThresholdRaises(ctx context.Context) (_ []desk.ThresholdRaise, err error) {
	defer errs.Wrap(&err, "desk/sqlite: ThresholdRaises")
	rows, err := st.db.QueryContext(ctx, `SELECT currency, above_minor, requested_by, requested_at FROM manual_credit_threshold_raises ORDER BY currency`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []desk.ThresholdRaise
	for rows.Next() {
		var r desk.ThresholdRaise
		var at string
		if err := rows.Scan(&r.Currency, &r.AboveMinor, &r.RequestedBy, &at); err != nil {
			return nil, err
		}
		if r.RequestedAt, err = sqlitedb.ParseTime(at); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ConfirmManualThreshold puts the raise waiting for currency in force, as
// set by its requester (who still cannot pay within it alone):
// errs.NotFound when none waits, errs.Forbidden for its requester or an
// account they made (desk.CheckApprover).
func (st *Store) ConfirmManualThreshold(ctx context.Context, by audit.Actor, currency string, now time.Time) (err error) {
	defer errs.Wrap(&err, "desk/sqlite: ConfirmManualThreshold %s", currency)
	return st.inTx(ctx, func(tx *sql.Tx) error {
		var above int64
		var requester, requestedText string
		err := tx.QueryRowContext(ctx, `SELECT above_minor, requested_by, requested_at FROM manual_credit_threshold_raises WHERE currency = ?`, currency).Scan(&above, &requester, &requestedText)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.NotFoundf("no raise of the %s threshold waits", currency)
		}
		if err != nil {
			return err
		}
		requested, err := sqlitedb.ParseTime(requestedText)
		if err != nil {
			return err
		}
		if err := checkApprover(ctx, tx, "the raise of the "+currency+" threshold", requester, requested, by.Who(), now); err != nil {
			return err
		}
		all, err := thresholds(ctx, tx)
		if err != nil {
			return err
		}
		before := int64(-1)
		if v, ok := all[currency]; ok {
			before = v.AboveMinor
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM manual_credit_threshold_raises WHERE currency = ?`, currency); err != nil {
			return err
		}
		return setThreshold(ctx, tx, by, currency, before, above, requester, "manual_credit_threshold.confirm", now)
	})
}

const manualCols = `id, customer_id, amount_minor, currency, reason, service_id, month, state, requested_by, requested_at, decided_by, decided_at,
	(SELECT id FROM ledger_entries WHERE manual_id = manual_credits.id)`

// scanManual reads one row of manualCols.
func scanManual(row interface{ Scan(...any) error }) (desk.ManualCredit, error) {
	var m desk.ManualCredit
	var state, requested string
	var decidedBy, decided sql.NullString
	var entry sql.NullInt64
	err := row.Scan(&m.ID, &m.Customer, &m.AmountMinor, &m.Currency, &m.Reason, &m.Service, &m.Month, &state, &m.RequestedBy,
		&requested, &decidedBy, &decided, &entry)
	if err != nil {
		return m, err
	}
	m.State, m.DecidedBy, m.EntryID = desk.ManualState(state), decidedBy.String, entry.Int64
	if m.RequestedAt, err = sqlitedb.ParseTime(requested); err != nil {
		return m, err
	}
	m.DecidedAt, err = sqlitedb.ParseNullTime(decided)
	return m, err
}

func manualCredit(ctx context.Context, q sqlitedb.Queryer, id int64) (desk.ManualCredit, error) {
	m, err := scanManual(q.QueryRowContext(ctx, `SELECT `+manualCols+` FROM manual_credits WHERE id = ?`, id))
	if err != nil {
		return m, notFound(err, "manual credit %d not found", id)
	}
	return m, nil
}

// ManualCredits returns a page of the manual credits f selects, newest
// first, and how many it selects: errs.Invalid on "state", "offset" or "limit".
func (st *Store) ManualCredits(ctx context.Context, f desk.ManualFilter) (_ []desk.ManualCredit, _ int, err error) {
	defer errs.Wrap(&err, "desk/sqlite: ManualCredits %+v", f)
	if f.Limit == 0 {
		f.Limit = 100
	}
	if err := page(f.Offset, f.Limit); err != nil {
		return nil, 0, err
	}
	if err := desk.CheckManualState("state", f.State); err != nil {
		return nil, 0, err
	}
	// Only the conditions given, so SQLite can use the customer index.
	var conds []string
	var args []any
	if f.Customer != "" {
		conds, args = append(conds, "customer_id = ?"), append(args, f.Customer)
	}
	if f.State != "" {
		conds, args = append(conds, "state = ?"), append(args, string(f.State))
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	var total int
	if err := st.db.QueryRowContext(ctx, `SELECT count(*) FROM manual_credits`+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := st.db.QueryContext(ctx, `SELECT `+manualCols+` FROM manual_credits`+where+` ORDER BY id DESC LIMIT ? OFFSET ?`,
		append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []desk.ManualCredit
	for rows.Next() {
		m, err := scanManual(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, m)
	}
	return out, total, rows.Err()
}

// ManualCredit returns one manual credit; errs.NotFound.
func (st *Store) ManualCredit(ctx context.Context, id int64) (_ desk.ManualCredit, err error) {
	defer errs.Wrap(&err, "desk/sqlite: ManualCredit %d", id)
	return manualCredit(ctx, st.db, id)
}

// issueManual writes m's ledger entry and sets m.EntryID.
func issueManual(ctx context.Context, tx *sql.Tx, by audit.Actor, m *desk.ManualCredit) error {
	e := m.Entry(by.AuditLabel())
	if err := writeEntries(ctx, tx, []desk.LedgerEntry{e}); err != nil {
		return err
	}
	return tx.QueryRowContext(ctx, `SELECT id FROM ledger_entries WHERE manual_id = ?`, m.ID).Scan(&m.EntryID)
}

// CreateManualCredit records m (see desk.NewManualCredit) and, when it is
// within its currency's threshold, writes its ledger entry in the same
// transaction: errs.Invalid ("customer" when unknown).
func (st *Store) CreateManualCredit(ctx context.Context, by audit.Actor, m desk.ManualCredit, now time.Time) (_ desk.ManualCredit, err error) {
	defer errs.Wrap(&err, "desk/sqlite: CreateManualCredit %s", m.Customer)
	if err := desk.CheckAccountID("customer", m.Customer); err != nil {
		return desk.ManualCredit{}, err
	}
	var out desk.ManualCredit
	err = st.inTx(ctx, func(tx *sql.Tx) error {
		a, err := knownAccount(ctx, tx, "customer", m.Customer)
		if err != nil {
			return err
		}
		th, err := thresholds(ctx, tx)
		if err != nil {
			return err
		}
		if out, err = desk.NewManualCredit(m, a, th, by.Who(), now); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO manual_credits (customer_id, amount_minor, currency, reason, service_id, month, state,
			requested_by, requested_at, decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			out.Customer, out.AmountMinor, out.Currency, out.Reason, out.Service, out.Month, string(out.State),
			out.RequestedBy, sqlitedb.FormatTime(out.RequestedAt), sqlitedb.NullString(out.DecidedBy), sqlitedb.NullTime(out.DecidedAt))
		if err != nil {
			return err
		}
		if out.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		if out.State == desk.ManualIssued {
			if err := issueManual(ctx, tx, by, &out); err != nil {
				return err
			}
		}
		return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "manual_credit.create", Entity: "manual_credit", EntityID: strconv.FormatInt(out.ID, 10), After: out, At: seconds(now)})
	})
	if err != nil {
		return desk.ManualCredit{}, err
	}
	return out, nil
}

// ApproveManualCredit approves pending manual credit id and writes its
// ledger entry (see desk.ManualCredit.Approve): errs.NotFound,
// errs.Conflict, errs.Forbidden for its requester.
func (st *Store) ApproveManualCredit(ctx context.Context, by audit.Actor, id int64, now time.Time) (_ desk.ManualCredit, err error) {
	defer errs.Wrap(&err, "desk/sqlite: ApproveManualCredit %d", id)
	return st.decideManual(ctx, by, id, now, "manual_credit.approve", desk.ManualCredit.Approve)
}

// RejectManualCredit refuses pending manual credit id (see
// desk.ManualCredit.Reject): errs.NotFound, errs.Conflict.
func (st *Store) RejectManualCredit(ctx context.Context, by audit.Actor, id int64, now time.Time) (_ desk.ManualCredit, err error) {
	defer errs.Wrap(&err, "desk/sqlite: RejectManualCredit %d", id)
	return st.decideManual(ctx, by, id, now, "manual_credit.reject", desk.ManualCredit.Reject)
}

func (st *Store) decideManual(ctx context.Context, by audit.Actor, id int64, now time.Time, action string,
	decide func(desk.ManualCredit, string, time.Time) (desk.ManualCredit, error)) (desk.ManualCredit, error) {
	var out desk.ManualCredit
	err := st.inTx(ctx, func(tx *sql.Tx) error {
		m, err := manualCredit(ctx, tx, id)
		if err != nil {
			return err
		}
		if out, err = decide(m, by.Who(), now); err != nil {
			return err
		}
		if out.State == desk.ManualIssued {
			if err := checkApprover(ctx, tx, fmt.Sprintf("manual credit %d", id), m.RequestedBy, m.RequestedAt, by.Who(), now); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE manual_credits SET state = ?, decided_by = ?, decided_at = ? WHERE id = ?`,
			string(out.State), out.DecidedBy, sqlitedb.NullTime(out.DecidedAt), id); err != nil {
			return err
		}
		if out.State == desk.ManualIssued {
			if err := issueManual(ctx, tx, by, &out); err != nil {
				return err
			}
		}
		return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: action, Entity: "manual_credit", EntityID: strconv.FormatInt(id, 10), Before: m, After: out, At: seconds(now)})
	})
	if err != nil {
		return desk.ManualCredit{}, err
	}
	return out, nil
}
