package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
)

const goodwillCols = `id, incident, days, services_json, components_json, eligible_json, reason, state, requested_by, requested_at, approved_by, approved_at,
	withdrawn_by, withdrawn_at, withdraw_reason`

func scanGoodwill(sc interface{ Scan(...any) error }) (desk.GoodwillGrant, error) {
	var g desk.GoodwillGrant
	var services, components, eligible, state, requested string
	var approvedBy, approved, withdrawnBy, withdrawn, withdrawReason sql.NullString
	if err := sc.Scan(&g.ID, &g.Incident, &g.Days, &services, &components, &eligible, &g.Reason, &state, &g.RequestedBy, &requested,
		&approvedBy, &approved, &withdrawnBy, &withdrawn, &withdrawReason); err != nil {
		return g, err
	}
	g.State, g.ApprovedBy = desk.GoodwillState(state), approvedBy.String
	g.WithdrawnBy, g.WithdrawReason = withdrawnBy.String, withdrawReason.String
	if err := json.Unmarshal([]byte(services), &g.Services); err != nil {
		return g, err
	}
	if err := json.Unmarshal([]byte(components), &g.Components); err != nil {
		return g, err
	}
	if err := json.Unmarshal([]byte(eligible), &g.EligibleComponents); err != nil {
		return g, err
	}
	var err error
	if g.RequestedAt, err = sqlitedb.ParseTime(requested); err != nil {
		return g, err
	}
	if g.ApprovedAt, err = sqlitedb.ParseNullTime(approved); err != nil {
		return g, err
	}
	g.WithdrawnAt, err = sqlitedb.ParseNullTime(withdrawn)
	return g, err
}

func goodwillGrant(ctx context.Context, q sqlitedb.Queryer, id int64) (desk.GoodwillGrant, error) {
	g, err := scanGoodwill(q.QueryRowContext(ctx, `SELECT `+goodwillCols+` FROM goodwill_grants WHERE id = ?`, id))
	return g, notFound(err, "goodwill grant %d not found", id)
}

// GoodwillGrant returns one grant; errs.NotFound.
func (st *Store) GoodwillGrant(ctx context.Context, id int64) (_ desk.GoodwillGrant, err error) {
	defer errs.Wrap(&err, "desk/sqlite: GoodwillGrant %d", id)
	return goodwillGrant(ctx, st.db, id)
}

// GoodwillGrants returns the grants of incident ("" for every incident), by id.
func (st *Store) GoodwillGrants(ctx context.Context, incident string) (_ []desk.GoodwillGrant, err error) {
	defer errs.Wrap(&err, "desk/sqlite: GoodwillGrants %q", incident)
	rows, err := st.db.QueryContext(ctx, `SELECT `+goodwillCols+` FROM goodwill_grants WHERE ?1 = '' OR incident = ?1 ORDER BY id`, incident)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []desk.GoodwillGrant
	for rows.Next() {
		g, err := scanGoodwill(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// RequestGoodwill records g requested by by (see desk.NewGoodwillGrant)
// with its audit entry: errs.Invalid, errs.Conflict when the incident
// already has a pending or approved grant.
func (st *Store) RequestGoodwill(ctx context.Context, by audit.Actor, g desk.GoodwillGrant, now time.Time) (_ desk.GoodwillGrant, err error) {
	defer errs.Wrap(&err, "desk/sqlite: RequestGoodwill incident %s", g.Incident)
	out, err := desk.NewGoodwillGrant(g, by.Who(), now)
	if err != nil {
		return desk.GoodwillGrant{}, err
	}
	services, err := json.Marshal(out.Services)
	if err != nil {
		return desk.GoodwillGrant{}, err
	}
	components, err := json.Marshal(nonNilStrings(out.Components))
	if err != nil {
		return desk.GoodwillGrant{}, err
	}
	eligible, err := json.Marshal(nonNilStrings(out.EligibleComponents))
	if err != nil {
		return desk.GoodwillGrant{}, err
	}
	err = st.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO goodwill_grants (incident, days, services_json, components_json, eligible_json, reason, state, requested_by, requested_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, out.Incident, out.Days, string(services), string(components), string(eligible), out.Reason, string(out.State),
			out.RequestedBy, sqlitedb.FormatTime(out.RequestedAt))
		if isUnique(err) {
			return errs.Conflictf("incident %s already has a pending or approved goodwill grant; withdraw a pending one first", out.Incident)
		}
		if err != nil {
			return err
		}
		if out.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "goodwill.request", Entity: "goodwill_grant", EntityID: strconv.FormatInt(out.ID, 10), After: out, At: seconds(now)})
	})
	if err != nil {
		return desk.GoodwillGrant{}, err
	}
	return out, nil
}

// ApproveGoodwill approves grant id (see desk.GoodwillGrant.Approve:
// errs.Forbidden for its requester, errs.Conflict the second time) with
// its audit entry; errs.NotFound.
func (st *Store) ApproveGoodwill(ctx context.Context, by audit.Actor, id int64, now time.Time) (_ desk.GoodwillGrant, err error) {
	defer errs.Wrap(&err, "desk/sqlite: ApproveGoodwill %d", id)
	var out desk.GoodwillGrant
	err = st.inTx(ctx, func(tx *sql.Tx) error {
		g, err := goodwillGrant(ctx, tx, id)
		if err != nil {
			return err
		}
		if out, err = g.Approve(by.Who(), now); err != nil {
			return err
		}
		if err := checkApprover(ctx, tx, fmt.Sprintf("goodwill grant %d", id), g.RequestedBy, g.RequestedAt, by.Who(), now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE goodwill_grants SET state = ?, approved_by = ?, approved_at = ? WHERE id = ?`,
			string(out.State), out.ApprovedBy, sqlitedb.NullTime(out.ApprovedAt), id); err != nil {
			return err
		}
		return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "goodwill.approve", Entity: "goodwill_grant", EntityID: strconv.FormatInt(id, 10), Before: g, After: out, At: seconds(now)})
	})
	if err != nil {
		return desk.GoodwillGrant{}, err
	}
	return out, nil
}

// WithdrawGoodwill withdraws pending grant id for reason (see
// desk.GoodwillGrant.Withdraw: errs.Conflict unless pending, errs.Forbidden
// unless by requested it or manager is set, errs.Invalid on "reason") with
// its audit entry; errs.NotFound.
func (st *Store) WithdrawGoodwill(ctx context.Context, by audit.Actor, id int64, manager bool, reason string, now time.Time) (_ desk.GoodwillGrant, err error) {
	defer errs.Wrap(&err, "desk/sqlite: WithdrawGoodwill %d", id)
	var out desk.GoodwillGrant
	err = st.inTx(ctx, func(tx *sql.Tx) error {
		g, err := goodwillGrant(ctx, tx, id)
		if err != nil {
			return err
		}
		if out, err = g.Withdraw(by.Who(), manager, reason, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE goodwill_grants SET state = ?, withdrawn_by = ?, withdrawn_at = ?, withdraw_reason = ? WHERE id = ?`,
			string(out.State), out.WithdrawnBy, sqlitedb.NullTime(out.WithdrawnAt), out.WithdrawReason, id); err != nil {
			return err
		}
		return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "goodwill.withdraw", Entity: "goodwill_grant", EntityID: strconv.FormatInt(id, 10), Before: g, After: out, At: seconds(now)})
	})
	if err != nil {
		return desk.GoodwillGrant{}, err
	}
	return out, nil
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
