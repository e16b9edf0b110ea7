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
	"github.com/amends/amends/sla"
)

const runCols = `id, kind, period, incident, state, as_of, previewed_by, previewed_at, requested_by, requested_at,
	approved_by, approved_at, rejected_by, rejected_at, reject_reason, lines, totals_json, issued_json`

func scanRun(sc interface{ Scan(...any) error }) (desk.CreditRun, error) {
	var r desk.CreditRun
	var kind, state, asOf, previewed, totals string
	var requestedBy, requested, approvedBy, approved, rejectedBy, rejected, reason, issued sql.NullString
	if err := sc.Scan(&r.ID, &kind, &r.Period, &r.Incident, &state, &asOf, &r.PreviewedBy, &previewed, &requestedBy, &requested,
		&approvedBy, &approved, &rejectedBy, &rejected, &reason, &r.Lines, &totals, &issued); err != nil {
		return r, err
	}
	r.Kind, r.State = desk.RunKind(kind), desk.RunState(state)
	r.RequestedBy, r.ApprovedBy, r.RejectedBy, r.RejectReason = requestedBy.String, approvedBy.String, rejectedBy.String, reason.String
	var err error
	if r.AsOf, err = sqlitedb.ParseTime(asOf); err != nil {
		return r, err
	}
	if r.PreviewedAt, err = sqlitedb.ParseTime(previewed); err != nil {
		return r, err
	}
	for _, f := range []struct {
		dst **time.Time
		src sql.NullString
	}{{&r.RequestedAt, requested}, {&r.ApprovedAt, approved}, {&r.RejectedAt, rejected}} {
		if *f.dst, err = sqlitedb.ParseNullTime(f.src); err != nil {
			return r, err
		}
	}
	if err := json.Unmarshal([]byte(totals), &r.Totals); err != nil {
		return r, err
	}
	if issued.Valid {
		r.Issued = &desk.RunIssue{}
		if err := json.Unmarshal([]byte(issued.String), r.Issued); err != nil {
			return r, err
		}
	}
	return r, nil
}

func run(ctx context.Context, q sqlitedb.Queryer, id int64) (desk.CreditRun, error) {
	r, err := scanRun(q.QueryRowContext(ctx, `SELECT `+runCols+` FROM credit_runs WHERE id = ?`, id))
	return r, notFound(err, "credit run %d not found", id)
}

// Run returns one run; errs.NotFound.
func (st *Store) Run(ctx context.Context, id int64) (_ desk.CreditRun, err error) {
	defer errs.Wrap(&err, "desk/sqlite: Run %d", id)
	return run(ctx, st.db, id)
}

// CreateRun stores a previewed run and all its lines in one transaction
// with one audit entry (the run without its lines), and returns it with its
// ID. errs.Invalid unless run is a previewed month run (or incident run,
// naming its incident) of lines.
func (st *Store) CreateRun(ctx context.Context, by audit.Actor, r desk.CreditRun, lines []desk.RunLine, now time.Time) (_ desk.CreditRun, err error) {
	defer errs.Wrap(&err, "desk/sqlite: CreateRun %s %s", r.Kind, r.Period)
	okKind := (r.Kind == desk.RunMonth && r.Incident == "") || (r.Kind == desk.RunIncident && r.Incident != "")
	if r.State != desk.RunPreviewed || !okKind || r.Lines != len(lines) {
		return desk.CreditRun{}, errs.Invalidf("", "only a previewed run with its lines can be stored (see desk.NewMonthRun and desk.NewIncidentRun)")
	}
	if err := desk.CheckMonth("period", r.Period); err != nil {
		return desk.CreditRun{}, err
	}
	totals, err := json.Marshal(r.Totals)
	if err != nil {
		return desk.CreditRun{}, err
	}
	err = st.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO credit_runs (kind, period, incident, state, as_of, previewed_by, previewed_at, lines, totals_json)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, string(r.Kind), r.Period, r.Incident, string(r.State), sqlitedb.FormatTime(r.AsOf), r.PreviewedBy, sqlitedb.FormatTime(r.PreviewedAt),
			r.Lines, string(totals))
		if err != nil {
			return err
		}
		if r.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		if err := writeBlocks(ctx, tx, r.ID, lines); err != nil {
			return err
		}
		return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "credit_run.preview", Entity: "credit_run", EntityID: strconv.FormatInt(r.ID, 10), After: r, At: seconds(now)})
	})
	if err != nil {
		return desk.CreditRun{}, err
	}
	return r, nil
}

// RunLines returns a page of run id's lines that filter selects, in the
// run's order, and how many it selects: errs.NotFound, errs.Invalid on
// "offset" or "limit".
func (st *Store) RunLines(ctx context.Context, id int64, filter desk.RunLineFilter, offset, limit int) (_ []desk.RunLine, _ int, err error) {
	defer errs.Wrap(&err, "desk/sqlite: RunLines %d", id)
	if err := page(offset, limit); err != nil {
		return nil, 0, err
	}
	r, err := run(ctx, st.db, id)
	if err != nil {
		return nil, 0, err
	}
	blocks, err := blocksOf(ctx, st.db, id)
	if err != nil {
		return nil, 0, err
	}
	if len(blocks) > 0 {
		return pageOfBlocks(ctx, st.db, id, blocks, filter, offset, limit)
	}
	// A run stored before the blocks: its lines are rows.
	if filter != desk.CreditingLines {
		lines, err := runLines(ctx, st.db, id, offset, limit)
		return lines, r.Lines, err
	}
	var total int
	if err := st.db.QueryRowContext(ctx, `SELECT count(*) FROM credit_run_lines WHERE run_id = ? AND credit_minor <> 0`, id).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := st.db.QueryContext(ctx, `SELECT `+runLineCols+` FROM credit_run_lines
		WHERE run_id = ? AND credit_minor <> 0 ORDER BY seq LIMIT ? OFFSET ?`, id, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	lines, err := scanRunLines(rows, limit)
	return lines, total, err
}

// pageOfBlocks is RunLines for a run stored in blocks: it decodes only the
// blocks the page falls in.
func pageOfBlocks(ctx context.Context, q sqlitedb.Queryer, id int64, blocks []blockInfo, filter desk.RunLineFilter, offset, limit int) ([]desk.RunLine, int, error) {
	total, first, skip := 0, -1, 0 // skip: the selected lines before block first
	for i, b := range blocks {
		n := b.lines
		if filter == desk.CreditingLines {
			n = b.crediting
		}
		if first < 0 && offset < total+n {
			first, skip = i, total
		}
		total += n
	}
	out := []desk.RunLine{}
	if first < 0 {
		return out, total, nil
	}
	for i := first; i < len(blocks) && len(out) < limit; i++ {
		lines, err := readBlocks(ctx, q, id, blocks[i].block, blocks[i].block)
		if err != nil {
			return nil, 0, err
		}
		for _, l := range lines {
			if filter == desk.CreditingLines && l.CreditMinor == 0 {
				continue
			}
			if skip++; skip > offset && len(out) < limit {
				out = append(out, l)
			}
		}
	}
	return out, total, nil
}

// runLineCols are the columns scanRunLines reads, in its order.
const runLineCols = `customer_id, service_id, policy_id, currency, downtime_seconds, uptime_percent,
		credit_percent, charges_minor, credit_minor, payable_minor, claim_deadline, claim, reason`

// allRunLines returns every line of run id, from its blocks or, for a run
// stored before them, its rows.
func allRunLines(ctx context.Context, q sqlitedb.Queryer, id int64, n int) ([]desk.RunLine, error) {
	blocks, err := blocksOf(ctx, q, id)
	if err != nil || len(blocks) == 0 {
		if err != nil {
			return nil, err
		}
		return runLines(ctx, q, id, 0, max(n, 1))
	}
	return readBlocks(ctx, q, id, blocks[0].block, blocks[len(blocks)-1].block)
}

// runLines reads a page of the lines of a run stored before the blocks.
func runLines(ctx context.Context, q sqlitedb.Queryer, id int64, offset, limit int) ([]desk.RunLine, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+runLineCols+`
		FROM credit_run_lines WHERE run_id = ? AND seq >= ? ORDER BY seq LIMIT ?`, id, offset, limit)
	if err != nil {
		return nil, err
	}
	return scanRunLines(rows, limit)
}

// scanRunLines reads the run lines rows holds (runLineCols), at most
// limit of them, and closes rows; none is an empty slice, not nil.
func scanRunLines(rows *sql.Rows, limit int) ([]desk.RunLine, error) {
	defer rows.Close()
	out := make([]desk.RunLine, 0, min(limit, 1<<20))
	for rows.Next() {
		var l desk.RunLine
		var pct int64
		var deadline, claim string
		if err := rows.Scan(&l.Customer, &l.Service, &l.Policy, &l.Currency, &l.Downtime, &l.Uptime, &pct, &l.ChargesMinor,
			&l.CreditMinor, &l.PayableMinor, &deadline, &claim, &l.Reason); err != nil {
			return nil, err
		}
		l.CreditPercent, l.Claim = sla.Percent(pct), desk.ClaimStatus(claim)
		var err error
		if l.ClaimDeadline, err = sqlitedb.ParseTime(deadline); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// updateRun moves run id from before to after and audits it as action.
func updateRun(ctx context.Context, tx *sql.Tx, by audit.Actor, action string, before, after desk.CreditRun, now time.Time) error {
	var issued any
	if after.Issued != nil {
		b, err := json.Marshal(after.Issued)
		if err != nil {
			return err
		}
		issued = string(b)
	}
	_, err := tx.ExecContext(ctx, `UPDATE credit_runs SET state = ?, requested_by = ?, requested_at = ?, approved_by = ?, approved_at = ?,
		rejected_by = ?, rejected_at = ?, reject_reason = ?, issued_json = ? WHERE id = ?`,
		string(after.State), sqlitedb.NullString(after.RequestedBy), sqlitedb.NullTime(after.RequestedAt), sqlitedb.NullString(after.ApprovedBy), sqlitedb.NullTime(after.ApprovedAt),
		sqlitedb.NullString(after.RejectedBy), sqlitedb.NullTime(after.RejectedAt), sqlitedb.NullString(after.RejectReason), issued, after.ID)
	if err != nil {
		return err
	}
	return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: action, Entity: "credit_run", EntityID: strconv.FormatInt(after.ID, 10), Before: before, After: after, At: seconds(now)})
}

// RequestRun asks for run id to be paid (see desk.CreditRun.Request):
// errs.NotFound, errs.Conflict.
func (st *Store) RequestRun(ctx context.Context, by audit.Actor, id int64, now time.Time) (_ desk.CreditRun, err error) {
	defer errs.Wrap(&err, "desk/sqlite: RequestRun %d", id)
	var out desk.CreditRun
	err = st.inTx(ctx, func(tx *sql.Tx) error {
		r, err := run(ctx, tx, id)
		if err != nil {
			return err
		}
		if out, err = r.Request(by.Who(), now); err != nil {
			return err
		}
		return updateRun(ctx, tx, by, "credit_run.request", r, out, now)
	})
	return out, err
}

// RejectRun refuses run id (see desk.CreditRun.Reject): errs.NotFound,
// errs.Conflict, errs.Invalid on "reason".
func (st *Store) RejectRun(ctx context.Context, by audit.Actor, id int64, reason string, now time.Time) (_ desk.CreditRun, err error) {
	defer errs.Wrap(&err, "desk/sqlite: RejectRun %d", id)
	var out desk.CreditRun
	err = st.inTx(ctx, func(tx *sql.Tx) error {
		r, err := run(ctx, tx, id)
		if err != nil {
			return err
		}
		if out, err = r.Reject(by.Who(), reason, now); err != nil {
			return err
		}
		return updateRun(ctx, tx, by, "credit_run.reject", r, out, now)
	})
	return out, err
}

// ApproveRun approves run id (see desk.CreditRun.Approve: errs.Forbidden for
// its requester, errs.Conflict the second time) and, in the same
// transaction, writes what it owes minus what the ledger already holds for
// each of its keys (see desk.PlanIssue), and one audit entry. A failure
// anywhere leaves the run requested and the ledger as it was.
func (st *Store) ApproveRun(ctx context.Context, by audit.Actor, id int64, now time.Time) (_ desk.CreditRun, err error) {
	defer errs.Wrap(&err, "desk/sqlite: ApproveRun %d", id)
	var out desk.CreditRun
	err = st.inTx(ctx, func(tx *sql.Tx) error {
		r, err := run(ctx, tx, id)
		if err != nil {
			return err
		}
		if out, err = r.Approve(by.Who(), now); err != nil {
			return err
		}
		if err := checkApprover(ctx, tx, fmt.Sprintf("credit run %d", id), r.RequestedBy, requestedAt(r.RequestedAt), by.Who(), now); err != nil {
			return err
		}
		kind := desk.EntryTier
		if r.Kind == desk.RunIncident {
			kind = desk.EntryGoodwill
		}
		held, err := heldFor(ctx, tx, r.Period, kind)
		if err != nil {
			return err
		}
		plan, err := desk.NewIssuePlan(out, held, by.AuditLabel())
		if err != nil {
			return err
		}
		blocks, err := blocksOf(ctx, tx, id)
		if err != nil {
			return err
		}
		if len(blocks) > 0 {
			if out.Issued, err = issueBlocks(ctx, tx, id, blocks, plan); err != nil {
				return err
			}
			return updateRun(ctx, tx, by, "credit_run.approve", r, out, now)
		}
		// A run stored before the blocks (or without lines): its lines are rows.
		lines, err := runLines(ctx, tx, id, 0, max(r.Lines, 1))
		if err != nil {
			return err
		}
		entries := plan.Rest(plan.Add(make([]desk.LedgerEntry, 0, len(lines)), lines))
		if err := writeEntries(ctx, tx, entries); err != nil {
			return err
		}
		if out.Issued, err = desk.SummarizeIssue(entries); err != nil {
			return err
		}
		return updateRun(ctx, tx, by, "credit_run.approve", r, out, now)
	})
	if err != nil {
		return desk.CreditRun{}, err
	}
	return out, nil
}

// Outstanding returns what approving run id now would write (see
// desk.Outstanding), from its lines and what the ledger holds for its
// period: errs.NotFound, errs.Conflict for a run that is issued or
// rejected.
func (st *Store) Outstanding(ctx context.Context, id int64) (_ desk.RunIssue, err error) {
	defer errs.Wrap(&err, "desk/sqlite: Outstanding %d", id)
	r, err := run(ctx, st.db, id)
	if err != nil {
		return desk.RunIssue{}, err
	}
	if r.State != desk.RunPreviewed && r.State != desk.RunRequested {
		return desk.RunIssue{}, errs.Conflictf("credit run %d is %s; nothing more is paid by it", r.ID, r.State)
	}
	lines, err := allRunLines(ctx, st.db, id, r.Lines)
	if err != nil {
		return desk.RunIssue{}, err
	}
	kind := desk.EntryTier
	if r.Kind == desk.RunIncident {
		kind = desk.EntryGoodwill
	}
	held, err := heldFor(ctx, st.db, r.Period, kind)
	if err != nil {
		return desk.RunIssue{}, err
	}
	return desk.Outstanding(r, lines, held)
}

// Runs returns a page of credit runs, newest first, and how many there are.
func (st *Store) Runs(ctx context.Context, offset, limit int) (_ []desk.CreditRun, _ int, err error) {
	defer errs.Wrap(&err, "desk/sqlite: Runs offset %d limit %d", offset, limit)
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
	var out []desk.CreditRun
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}
