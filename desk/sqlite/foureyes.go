package sqlite

import (
	"context"
	"strings"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
)

// sponsorships returns the audit log's records about the account approver
// and those approver made (auth's "user.create", "user.enable" and
// "user.role" entries, whose after JSON holds the account's address) from
// the earlier of desk.SponsorWindow before now and requestedAt: who acted
// is the label the log records, the person's e-mail address or "address
// (token name)", read back as the address.
func sponsorships(ctx context.Context, q sqlitedb.Queryer, approver string, requestedAt, now time.Time) ([]desk.Sponsorship, error) {
	since := now.Add(-desk.SponsorWindow)
	if !requestedAt.IsZero() && requestedAt.Before(since) {
		since = requestedAt
	}
	viaToken := approver + " ("
	rows, err := q.QueryContext(ctx, `SELECT action, actor, at, COALESCE(json_extract(after_json, '$.email'), '') FROM audit_log
		WHERE entity = 'user' AND action IN ('user.create', 'user.enable', 'user.role')
		AND at >= ? AND (json_extract(after_json, '$.email') = ? OR actor = ? OR substr(actor, 1, length(?)) = ?)
		ORDER BY id`, sqlitedb.FormatTime(since), approver, approver, viaToken, viaToken)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []desk.Sponsorship
	for rows.Next() {
		var s desk.Sponsorship
		var at string
		if err := rows.Scan(&s.Action, &s.By, &at, &s.Account); err != nil {
			return nil, err
		}
		if i := strings.Index(s.By, " ("); i > 0 && strings.HasSuffix(s.By, ")") {
			s.By = s.By[:i]
		}
		if s.Account != approver && s.By != approver {
			continue
		}
		if s.At, err = sqlitedb.ParseTime(at); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// checkApprover is desk.CheckApprover with the sponsorships the audit log
// holds.
func checkApprover(ctx context.Context, q sqlitedb.Queryer, what, requester string, requestedAt time.Time, approver string, now time.Time) error {
	s, err := sponsorships(ctx, q, approver, requestedAt, now)
	if err != nil {
		return err
	}
	return desk.CheckApprover(what, requester, requestedAt, approver, s, now)
}

// requestedAt is a run's request instant, the zero time when it has none.
func requestedAt(at *time.Time) time.Time {
	if at == nil {
		return time.Time{}
	}
	return *at
}

// MayApprove implements desk.Store: one read of the audit log for
// approver, then desk.CheckApprover for each request.
func (st *Store) MayApprove(ctx context.Context, approver string, waiting []desk.Approval, now time.Time) (_ []error, err error) {
	defer errs.Wrap(&err, "desk/sqlite: MayApprove %s", approver)
	var earliest time.Time
	for _, a := range waiting {
		if earliest.IsZero() || (!a.RequestedAt.IsZero() && a.RequestedAt.Before(earliest)) {
			earliest = a.RequestedAt
		}
	}
	s, err := sponsorships(ctx, st.db, approver, earliest, now)
	if err != nil {
		return nil, err
	}
	out := make([]error, len(waiting))
	for i, a := range waiting {
		out[i] = desk.CheckApprover(a.What(), a.RequestedBy, a.RequestedAt, approver, s, now)
	}
	return out, nil
}
