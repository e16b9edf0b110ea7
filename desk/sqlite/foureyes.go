package sqlite

import (
	"context"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/sqlitedb"
)

// sponsorships returns the audit log's records, within desk.SponsorWindow
// before now, of requester creating, re-enabling or changing the role of
// the account approver (auth's "user.create", "user.enable" and
// "user.role" entries: the actor is the label the log records, the
// person's e-mail address or "address (token name)", and the account's
// address is in the record's after JSON).
func sponsorships(ctx context.Context, q sqlitedb.Queryer, requester, approver string, now time.Time) ([]desk.Sponsorship, error) {
	rows, err := q.QueryContext(ctx, `SELECT action, at FROM audit_log
		WHERE entity = 'user' AND action IN ('user.create', 'user.enable', 'user.role')
		AND at >= ? AND json_extract(after_json, '$.email') = ?
		AND (actor = ? OR substr(actor, 1, length(?) + 2) = ? || ' (')
		ORDER BY id`, sqlitedb.FormatTime(now.Add(-desk.SponsorWindow)), approver, requester, requester, requester)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []desk.Sponsorship
	for rows.Next() {
		s := desk.Sponsorship{By: requester, Account: approver}
		var at string
		if err := rows.Scan(&s.Action, &at); err != nil {
			return nil, err
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
func checkApprover(ctx context.Context, q sqlitedb.Queryer, what, requester, approver string, now time.Time) error {
	s, err := sponsorships(ctx, q, requester, approver, now)
	if err != nil {
		return err
	}
	return desk.CheckApprover(what, requester, approver, s, now)
}
