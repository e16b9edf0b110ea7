package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
)

func listPolicies(ctx context.Context, q queryer, where string, args ...any) ([]sla.ServicePolicy, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, policy_json FROM sla_policies `+where+`
		ORDER BY customer_id IS NOT NULL, customer_id, service_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []sla.ServicePolicy
	for rows.Next() {
		var id, text string
		if err := rows.Scan(&id, &text); err != nil {
			return nil, err
		}
		p, err := sla.DecodeServicePolicy([]byte(text))
		if err != nil {
			return nil, fmt.Errorf("stored policy %s: %w", id, err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Policies returns every policy: defaults by service, then overrides by
// customer and service.
func (st *Store) Policies(ctx context.Context) ([]sla.ServicePolicy, error) {
	return listPolicies(ctx, st.db, ``)
}

// Policy returns one policy; errs.NotFound.
func (st *Store) Policy(ctx context.Context, id string) (sla.ServicePolicy, error) {
	return policy(ctx, st.db, id)
}

func policy(ctx context.Context, q queryer, id string) (sla.ServicePolicy, error) {
	list, err := listPolicies(ctx, q, `WHERE id = ?`, id)
	if err != nil {
		return sla.ServicePolicy{}, err
	}
	if len(list) == 0 {
		return sla.ServicePolicy{}, errs.NotFoundf("policy %q not found", id)
	}
	return list[0], nil
}

// PutPolicy creates p or replaces the policy with its ID: errs.Invalid (see
// sla.ServicePolicy.Validate; "customer" when unknown), errs.Conflict when
// another policy already is the default of its service or the customer's
// override for it. Replacing a policy with the same content writes nothing.
func (st *Store) PutPolicy(ctx context.Context, by sla.Actor, p sla.ServicePolicy, now time.Time) (sla.ServicePolicy, error) {
	return st.putPolicy(ctx, by, p, false, now)
}

// CreatePolicy adds p: errs.Conflict on "id" when a policy already has its
// ID, else as PutPolicy. The check and the write are one transaction, so
// an existing policy is never replaced.
func (st *Store) CreatePolicy(ctx context.Context, by sla.Actor, p sla.ServicePolicy, now time.Time) (sla.ServicePolicy, error) {
	return st.putPolicy(ctx, by, p, true, now)
}

// putPolicy stores p, replacing the policy with its ID unless createOnly.
func (st *Store) putPolicy(ctx context.Context, by sla.Actor, p sla.ServicePolicy, createOnly bool, now time.Time) (sla.ServicePolicy, error) {
	if err := p.Validate(); err != nil {
		return sla.ServicePolicy{}, err
	}
	text, err := json.Marshal(p)
	if err != nil {
		return sla.ServicePolicy{}, err
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
			p.ID, p.Service, nullString(p.Customer), p.TimeZone, p.RequiresClaim, string(text), ftime(now))
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
		return audit(ctx, tx, by, action, "sla_policy", p.ID, before, p, seconds(now))
	})
	if err != nil {
		return sla.ServicePolicy{}, err
	}
	return p, nil
}

func listClaims(ctx context.Context, q queryer, where string, args ...any) ([]sla.Claim, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, customer_id, service_id, month, claimed_at, deadline, late, recorded_by, recorded_at
		FROM sla_claims `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []sla.Claim
	for rows.Next() {
		var c sla.Claim
		var claimed, deadline, recorded string
		if err := rows.Scan(&c.ID, &c.Customer, &c.Service, &c.Month, &claimed, &deadline, &c.Late, &c.RecordedBy, &recorded); err != nil {
			return nil, err
		}
		for _, f := range []struct {
			dst *time.Time
			src string
		}{{&c.ClaimedAt, claimed}, {&c.Deadline, deadline}, {&c.RecordedAt, recorded}} {
			if *f.dst, err = ptime(f.src); err != nil {
				return nil, err
			}
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Claims returns a customer's claims, by month then service.
func (st *Store) Claims(ctx context.Context, customer string) ([]sla.Claim, error) {
	return listClaims(ctx, st.db, `WHERE customer_id = ? ORDER BY month, service_id`, customer)
}

// RecordClaim records c under the policy that applies to its customer and
// service (see sla.NewClaim): errs.Invalid on "customer" (unknown),
// "service" (no policy), "month" or "claimed_at"; errs.Conflict if the
// customer already claimed that service and month.
func (st *Store) RecordClaim(ctx context.Context, by sla.Actor, c sla.Claim, now time.Time) (sla.Claim, error) {
	if err := sla.CheckAccountID("customer", c.Customer); err != nil {
		return sla.Claim{}, err
	}
	var out sla.Claim
	err := st.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := knownAccount(ctx, tx, "customer", c.Customer); err != nil {
			return err
		}
		policies, err := listPolicies(ctx, tx, `WHERE service_id = ?`, c.Service)
		if err != nil {
			return err
		}
		p, ok := sla.PolicyFor(policies, c.Customer, c.Service)
		if !ok {
			if c.Service == "" {
				return errs.Invalidf("service", "is required")
			}
			return errs.Invalidf("service", "%q has no SLA policy", c.Service)
		}
		if out, err = sla.NewClaim(c, p, by.Person, now); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO sla_claims (customer_id, service_id, month, claimed_at, deadline, late, recorded_by, recorded_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, out.Customer, out.Service, out.Month, ftime(out.ClaimedAt), ftime(out.Deadline), out.Late,
			out.RecordedBy, ftime(out.RecordedAt))
		if isUnique(err) {
			return errs.Conflictf("customer %q already claimed %s for %s", out.Customer, out.Service, out.Month)
		}
		if err != nil {
			return err
		}
		if out.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return audit(ctx, tx, by, "sla_claim.create", "sla_claim", strconv.FormatInt(out.ID, 10), nil, out, out.RecordedAt)
	})
	if err != nil {
		return sla.Claim{}, err
	}
	return out, nil
}
