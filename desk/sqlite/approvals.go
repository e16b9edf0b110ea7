package sqlite

import (
	"context"
	"database/sql"
	"sort"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
)

// Approvals returns every request waiting for a second person, oldest
// first: requested credit runs, pending goodwill grants and manual
// credits, threshold raises, and requested notice batches (read through
// the partial indexes of migrations 0011 and 0012, so the admin pages that
// count them stay cheap).
func (st *Store) Approvals(ctx context.Context) (_ []desk.Approval, err error) {
	defer errs.Wrap(&err, "desk/sqlite: Approvals")
	var out []desk.Approval
	q := st.db
	err = func() error {
		if err := each(ctx, q, `SELECT `+runCols+` FROM credit_runs WHERE state = 'requested'`, func(rows *sql.Rows) error {
			r, err := scanRun(rows)
			if err != nil {
				return err
			}
			a := desk.Approval{Kind: desk.ApprovalRun, ID: r.ID, Period: r.Period, Incident: r.Incident, Totals: r.Totals, Lines: r.Lines, RequestedBy: r.RequestedBy}
			if r.RequestedAt != nil {
				a.RequestedAt = *r.RequestedAt
			}
			out = append(out, a)
			return nil
		}); err != nil {
			return err
		}
		if err := each(ctx, q, `SELECT `+goodwillCols+` FROM goodwill_grants WHERE state = 'pending'`, func(rows *sql.Rows) error {
			g, err := scanGoodwill(rows)
			if err != nil {
				return err
			}
			out = append(out, desk.Approval{Kind: desk.ApprovalGoodwill, ID: g.ID, Incident: g.Incident, Days: g.Days, RequestedBy: g.RequestedBy, RequestedAt: g.RequestedAt})
			return nil
		}); err != nil {
			return err
		}
		if err := each(ctx, q, `SELECT `+manualCols+` FROM manual_credits WHERE state = 'pending'`, func(rows *sql.Rows) error {
			m, err := scanManual(rows)
			if err != nil {
				return err
			}
			out = append(out, desk.Approval{Kind: desk.ApprovalManual, ID: m.ID, Customer: m.Customer, Currency: m.Currency, AmountMinor: m.AmountMinor,
				Period: m.Month, RequestedBy: m.RequestedBy, RequestedAt: m.RequestedAt})
			return nil
		}); err != nil {
			return err
		}
		if err := each(ctx, q, `SELECT `+noticeBatchColumns+`,
				(SELECT COUNT(DISTINCT customer_id) FROM notice_messages m WHERE m.batch_id = b.id),
				(SELECT COUNT(*) FROM notice_messages m WHERE m.batch_id = b.id)
			FROM notice_batches b WHERE state = 'requested'`, func(rows *sql.Rows) error {
			var customers, messages int
			b, err := scanNoticeBatch(scanExtra{rows, []any{&customers, &messages}})
			if err != nil {
				return err
			}
			out = append(out, desk.Approval{Kind: desk.ApprovalNotices, ID: b.ID, Incident: b.Incident, Customers: customers, Messages: messages,
				RequestedBy: b.RequestedBy, RequestedAt: b.RequestedAt})
			return nil
		}); err != nil {
			return err
		}
		raises, err := st.ThresholdRaises(ctx)
		if err != nil {
			return err
		}
		for _, r := range raises {
			out = append(out, desk.Approval{Kind: desk.ApprovalThreshold, Currency: r.Currency, AmountMinor: r.AboveMinor, RequestedBy: r.RequestedBy, RequestedAt: r.RequestedAt})
		}
		return nil
	}()
	if err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].RequestedAt.Before(out[j].RequestedAt) })
	return out, nil
}

// each runs query and calls f for each row.
func each(ctx context.Context, q sqlitedb.Queryer, query string, f func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := f(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// scanExtra scans a row that holds more columns after the ones a scan
// function knows: they go into extra.
type scanExtra struct {
	rows  *sql.Rows
	extra []any
}

func (s scanExtra) Scan(dest ...any) error { return s.rows.Scan(append(dest, s.extra...)...) }
