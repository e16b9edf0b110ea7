package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
)

func listPolicies(ctx context.Context, q sqlitedb.Queryer, where string, args ...any) ([]desk.ServicePolicy, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, policy_json FROM sla_policies `+where+`
		ORDER BY customer_id IS NOT NULL, customer_id, service_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []desk.ServicePolicy
	for rows.Next() {
		var id, text string
		if err := rows.Scan(&id, &text); err != nil {
			return nil, err
		}
		p, err := desk.DecodeServicePolicy([]byte(text))
		if err != nil {
			return nil, fmt.Errorf("stored policy %s: %w", id, err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Policies returns every policy: defaults by service, then overrides by
// customer and service.
func (st *Store) Policies(ctx context.Context) (_ []desk.ServicePolicy, err error) {
	defer errs.Wrap(&err, "desk/sqlite: Policies")
	return listPolicies(ctx, st.db, ``)
}

// Policy returns one policy; errs.NotFound.
func (st *Store) Policy(ctx context.Context, id string) (_ desk.ServicePolicy, err error) {
	defer errs.Wrap(&err, "desk/sqlite: Policy %s", id)
	return policy(ctx, st.db, id)
}

func policy(ctx context.Context, q sqlitedb.Queryer, id string) (desk.ServicePolicy, error) {
	list, err := listPolicies(ctx, q, `WHERE id = ?`, id)
	if err != nil {
		return desk.ServicePolicy{}, err
	}
	if len(list) == 0 {
		return desk.ServicePolicy{}, errs.NotFoundf("policy %q not found", id)
	}
	return list[0], nil
}

// PutPolicy creates p or replaces the policy with its ID: errs.Invalid (see
// desk.ServicePolicy.Validate; "customer" when unknown), errs.Conflict when
// another policy already is the default of its service or the customer's
// override for it. Replacing a policy with the same content writes nothing.
func (st *Store) PutPolicy(ctx context.Context, by audit.Actor, p desk.ServicePolicy, now time.Time) (_ desk.ServicePolicy, err error) {
	defer errs.Wrap(&err, "desk/sqlite: PutPolicy %s", p.ID)
	return st.putPolicy(ctx, by, p, false, now)
}

// CreatePolicy adds p: errs.Conflict on "id" when a policy already has its
// ID, else as PutPolicy. The check and the write are one transaction, so
// an existing policy is never replaced.
func (st *Store) CreatePolicy(ctx context.Context, by audit.Actor, p desk.ServicePolicy, now time.Time) (_ desk.ServicePolicy, err error) {
	defer errs.Wrap(&err, "desk/sqlite: CreatePolicy %s", p.ID)
	return st.putPolicy(ctx, by, p, true, now)
}

// putPolicy stores p, replacing the policy with its ID unless createOnly.
func (st *Store) putPolicy(ctx context.Context, by audit.Actor, p desk.ServicePolicy, createOnly bool, now time.Time) (desk.ServicePolicy, error) {
	if err := p.Validate(); err != nil {
		return desk.ServicePolicy{}, err
	}
	text, err := json.Marshal(p)
	if err != nil {
		return desk.ServicePolicy{}, err
	}
	err = st.inTx(ctx, func(tx *sql.Tx) error {
		old, err := policy(ctx, tx, p.ID)
		if createOnly && err == nil {
			return &errs.Error{Code: errs.Conflict, Field: "id", Message: fmt.Sprintf("policy %q already exists", p.ID)}
		}
		if p.Customer != "" {
			if _, err := knownAccount(ctx, tx, "customer", p.Customer); err != nil {
				return err
			}
		}
		var before any
		switch errs.CodeOf(err) {
		case "":
			oldText, _ := json.Marshal(old)
			if string(oldText) == string(text) {
				return nil
			}
			before = old
		case errs.NotFound:
		default:
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO sla_policies (id, service_id, customer_id, timezone, requires_claim, policy_json, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET service_id = excluded.service_id, customer_id = excluded.customer_id,
				timezone = excluded.timezone, requires_claim = excluded.requires_claim,
				policy_json = excluded.policy_json, updated_at = excluded.updated_at`,
			p.ID, p.Service, sqlitedb.NullString(p.Customer), p.TimeZone, p.RequiresClaim, string(text), sqlitedb.FormatTime(now))
		if isUnique(err) {
			if p.Customer != "" {
				return errs.Conflictf("customer %q already has an override policy for %s", p.Customer, p.Service)
			}
			return errs.Conflictf("service %s already has a default policy", p.Service)
		}
		if err != nil {
			return err
		}
		action := "sla_policy.create"
		if before != nil {
			action = "sla_policy.update"
		}
		return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: action, Entity: "sla_policy", EntityID: p.ID, Before: before, After: p, At: seconds(now)})
	})
	if err != nil {
		return desk.ServicePolicy{}, err
	}
	return p, nil
}
