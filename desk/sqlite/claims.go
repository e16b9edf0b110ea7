package sqlite

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
)

func listClaims(ctx context.Context, q sqlitedb.Queryer, where string, args ...any) ([]desk.Claim, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, customer_id, service_id, month, claimed_at, deadline, late, recorded_by, recorded_at, note
		FROM sla_claims `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []desk.Claim
	for rows.Next() {
		var c desk.Claim
		var claimed, deadline, recorded string
		if err := rows.Scan(&c.ID, &c.Customer, &c.Service, &c.Month, &claimed, &deadline, &c.Late, &c.RecordedBy, &recorded, &c.Note); err != nil {
			return nil, err
		}
		for _, f := range []struct {
			dst *time.Time
			src string
		}{{&c.ClaimedAt, claimed}, {&c.Deadline, deadline}, {&c.RecordedAt, recorded}} {
			if *f.dst, err = sqlitedb.ParseTime(f.src); err != nil {
				return nil, err
			}
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Claims returns a customer's claims, by month then service.
func (st *Store) Claims(ctx context.Context, customer string) (_ []desk.Claim, err error) {
	defer errs.Wrap(&err, "desk/sqlite: Claims %s", customer)
	return listClaims(ctx, st.db, `WHERE customer_id = ? ORDER BY month, service_id`, customer)
}

// ClaimsPage returns a page of a customer's claims, by month then service,
// and how many it has: errs.Invalid on "offset" or "limit".
func (st *Store) ClaimsPage(ctx context.Context, customer string, offset, limit int) (_ []desk.Claim, _ int, err error) {
	defer errs.Wrap(&err, "desk/sqlite: ClaimsPage %s %d %d", customer, offset, limit)
	if err := page(offset, limit); err != nil {
		return nil, 0, err
	}
	total, err := countOf(ctx, st.db, `sla_claims`, customer)
	if err != nil {
		return nil, 0, err
	}
	list, err := listClaims(ctx, st.db, `WHERE customer_id = ? ORDER BY month, service_id LIMIT ? OFFSET ?`, customer, limit, offset)
	return list, total, err
}

// RecordClaim records c under the policy that applies to its customer and
// service (see desk.NewClaim): errs.Invalid on "customer" (unknown),
// "service" (no policy), "month" or "claimed_at"; errs.Conflict if the
// customer already claimed that service and month.
func (st *Store) RecordClaim(ctx context.Context, by audit.Actor, c desk.Claim, now time.Time) (_ desk.Claim, err error) {
	defer errs.Wrap(&err, "desk/sqlite: RecordClaim %s %s %s", c.Customer, c.Service, c.Month)
	if err := desk.CheckAccountID("customer", c.Customer); err != nil {
		return desk.Claim{}, err
	}
	var out desk.Claim
	err = st.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := knownAccount(ctx, tx, "customer", c.Customer); err != nil {
			return err
		}
		policies, err := listPolicies(ctx, tx, `WHERE service_id = ?`, c.Service)
		if err != nil {
			return err
		}
		p, ok := desk.PolicyFor(policies, c.Customer, c.Service)
		if !ok {
			if c.Service == "" {
				return errs.Invalidf("service", "is required")
			}
			return errs.Invalidf("service", "%q has no SLA policy", c.Service)
		}
		if out, err = desk.NewClaim(c, p, by.Who(), now); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO sla_claims (customer_id, service_id, month, claimed_at, deadline, late, recorded_by, recorded_at, note)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, out.Customer, out.Service, out.Month, sqlitedb.FormatTime(out.ClaimedAt), sqlitedb.FormatTime(out.Deadline), out.Late,
			out.RecordedBy, sqlitedb.FormatTime(out.RecordedAt), out.Note)
		if isUnique(err) {
			return errs.Conflictf("customer %q already claimed %s for %s", out.Customer, out.Service, out.Month)
		}
		if err != nil {
			return err
		}
		if out.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "sla_claim.create", Entity: "sla_claim", EntityID: strconv.FormatInt(out.ID, 10), After: out, At: out.RecordedAt})
	})
	if err != nil {
		return desk.Claim{}, err
	}
	return out, nil
}
