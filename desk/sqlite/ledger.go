package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
)

// heldFor returns what the ledger holds per key for period and credit kind:
// its rows and its blocks' entries, in the order of their ids.
func heldFor(ctx context.Context, q sqlitedb.Queryer, period string, kind desk.EntryKind) (map[desk.LedgerKey]desk.Held, error) {
	type held struct {
		id       int64
		key      desk.LedgerKey
		currency string
		amount   int64
	}
	rows, err := q.QueryContext(ctx, `SELECT id, customer_id, service_id, incident, currency, amount_minor FROM ledger_entries
		WHERE period = ? AND credit_kind = ? ORDER BY id`, period, string(kind))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []held
	for rows.Next() {
		h := held{key: desk.LedgerKey{Period: period, Kind: kind}}
		if err := rows.Scan(&h.id, &h.key.Customer, &h.key.Service, &h.key.Incident, &h.currency, &h.amount); err != nil {
			return nil, err
		}
		list = append(list, h)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	blocks, err := queryBlocks(ctx, q, true, []string{"period = ?", "kind = ?"}, period, string(kind))
	if err != nil {
		return nil, err
	}
	out := map[desk.LedgerKey]desk.Held{}
	add := func(id int64, k desk.LedgerKey, currency string, amount int64) error {
		h := out[k]
		var err error
		if h.SumMinor, err = desk.AddMinor(h.SumMinor, amount); err != nil {
			return err
		}
		h.IDs = append(h.IDs, id)
		h.Currency = currency
		out[k] = h
		return nil
	}
	next := 0 // list[next] is the first row not added yet
	addRowsBefore := func(id int64) error {
		for ; next < len(list) && list[next].id < id; next++ {
			if err := add(list[next].id, list[next].key, list[next].currency, list[next].amount); err != nil {
				return err
			}
		}
		return nil
	}
	var entries []desk.LedgerEntry
	for i := range blocks {
		b := &blocks[i]
		if err := addRowsBefore(b.firstID); err != nil {
			return nil, err
		}
		if entries, err = decodeLedgerBlock(b.data, &b.blockHead, "", entries[:0]); err != nil {
			return nil, fmt.Errorf("ledger block %d: %w", b.firstID, err)
		}
		for j := range entries {
			e := &entries[j]
			k := desk.LedgerKey{Customer: e.Customer, Service: e.Service, Period: period, Incident: e.Incident, Kind: kind}
			if err := add(e.ID, k, e.Currency, e.AmountMinor); err != nil {
				return nil, err
			}
		}
	}
	if err := addRowsBefore(math.MaxInt64); err != nil {
		return nil, err
	}
	return out, nil
}

var entryCols = []string{"customer_id", "currency", "amount_minor", "kind", "credit_kind", "service_id", "period", "incident",
	"reason", "run_id", "manual_id", "adjusts_json", "created_at", "actor"}

// entryShared are the columns of entryCols that the rows of one statement
// share (bound once per statement), and entryOwn the others with the id
// (bound per row).
var (
	entryShared = []string{"kind", "credit_kind", "period", "incident", "run_id", "manual_id", "created_at", "actor"}
	entryOwn    = []string{"id", "customer_id", "currency", "amount_minor", "service_id", "reason", "adjusts_json"}
)

// entriesPer is how many rows one INSERT statement writes.
const entriesPer = 500

// writeEntries appends entries to the ledger, in their order (see
// entryWriter).
func writeEntries(ctx context.Context, tx *sql.Tx, entries []desk.LedgerEntry) error {
	w := newEntryWriter(ctx, tx)
	defer w.close()
	for i := range entries {
		if err := w.add(&entries[i]); err != nil {
			return err
		}
	}
	return w.flush()
}

// entryWriter appends entries to the ledger, in the order added, each
// with the next id of the ledger: a run's own credits (inBlock) in
// ledger blocks of up to ledgerBlockEntries consecutive entries that share
// their run, kind, period, incident, instant and actor; every other entry
// as a row of ledger_entries, in statements of up to entriesPer rows that
// share entryShared's values (bound once, as ?1 to ?8). Add each, then
// flush.
type entryWriter struct {
	ctx  context.Context
	tx   *sql.Tx
	next int64     // the id of the next entry; 0 until read
	full *sql.Stmt // the statement of entriesPer rows, prepared once
	args []any
	cur  [8]any // the shared values of the pending rows
	m    int    // pending rows, bound in args

	blk      *ledgerEncoder // the pending block (blk.n entries)
	blkFirst int64          // its first entry's id
	blkStmt  *sql.Stmt      // the INSERT of a block, prepared once
}

func newEntryWriter(ctx context.Context, tx *sql.Tx) *entryWriter {
	return &entryWriter{ctx: ctx, tx: tx}
}

func (w *entryWriter) close() {
	for _, s := range []*sql.Stmt{w.full, w.blkStmt} {
		if s != nil {
			s.Close()
		}
	}
}

// sharedOf is e's values of entryShared.
func sharedOf(e *desk.LedgerEntry) [8]any {
	var runID, manualID any
	if e.RunID != 0 {
		runID = e.RunID
	}
	if e.ManualID != 0 {
		manualID = e.ManualID
	}
	return [8]any{string(e.Kind), string(e.CreditKind), e.Period, e.Incident, runID, manualID, sqlitedb.FormatTime(e.CreatedAt), e.Actor}
}

// add gives e the next id and adds it to the pending block or rows,
// writing what is pending first when e cannot join it.
func (w *entryWriter) add(e *desk.LedgerEntry) error {
	if w.next == 0 {
		var err error
		if w.next, err = nextLedgerID(w.ctx, w.tx); err != nil {
			return err
		}
	}
	if inBlock(e) {
		if w.m > 0 {
			if err := w.flushRows(); err != nil {
				return err
			}
		}
		if w.blk != nil && w.blk.n > 0 && (w.blk.n == ledgerBlockEntries || !sameBlock(&w.blk.first, e)) {
			if err := w.flushBlock(); err != nil {
				return err
			}
		}
		if w.blk == nil {
			w.blk = newLedgerEncoder()
		}
		if w.blk.n == 0 {
			w.blkFirst = w.next
		}
		if err := w.blk.add(e); err != nil {
			return err
		}
		w.next++
		return nil
	}
	if err := w.flushBlock(); err != nil {
		return err
	}
	sh := sharedOf(e)
	if w.m > 0 && (w.m == entriesPer || sh != w.cur) {
		if err := w.flushRows(); err != nil {
			return err
		}
	}
	if w.args == nil {
		w.args = make([]any, len(entryShared)+entriesPer*len(entryOwn))
	}
	if w.m == 0 {
		w.cur = sh
		copy(w.args, sh[:])
	}
	var adjusts any
	if e.Kind == desk.EntryAdjustment {
		b, err := json.Marshal(e.Adjusts)
		if err != nil {
			return err
		}
		adjusts = string(b)
	}
	a := w.args[len(entryShared)+w.m*len(entryOwn):]
	a[0], a[1], a[2], a[3], a[4], a[5], a[6] = w.next, e.Customer, e.Currency, e.AmountMinor, e.Service, e.Reason, adjusts
	w.m++
	w.next++
	return nil
}

// flush writes what is pending.
func (w *entryWriter) flush() error {
	if err := w.flushBlock(); err != nil {
		return err
	}
	return w.flushRows()
}

// flushBlock writes the pending block, if any.
func (w *entryWriter) flushBlock() error {
	b := w.blk
	if b == nil || b.n == 0 {
		return nil
	}
	if w.blkStmt == nil {
		var err error
		w.blkStmt, err = w.tx.PrepareContext(w.ctx, `INSERT INTO ledger_blocks
			(first_id, entries, run_id, kind, period, incident, created_at, actor, min_customer, max_customer, data)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
	}
	if err := b.checkCustomers(w.ctx, w.tx); err != nil {
		return err
	}
	e := &b.first
	_, err := w.blkStmt.ExecContext(w.ctx, w.blkFirst, b.n, e.RunID, string(e.Kind), e.Period, e.Incident,
		sqlitedb.FormatTime(e.CreatedAt), e.Actor, b.min, b.max, b.data())
	b.reset()
	return err
}

// flushRows writes the pending rows in one statement.
func (w *entryWriter) flushRows() error {
	m := w.m
	if m == 0 {
		return nil
	}
	w.m = 0
	n := len(entryShared) + m*len(entryOwn)
	if m == entriesPer {
		if w.full == nil {
			var err error
			if w.full, err = w.tx.PrepareContext(w.ctx, entriesQuery(m)); err != nil {
				return err
			}
		}
		_, err := w.full.ExecContext(w.ctx, w.args[:n]...)
		return err
	}
	_, err := w.tx.ExecContext(w.ctx, entriesQuery(m), w.args[:n]...)
	return err
}

// entriesQuery is the INSERT of m rows (see entryWriter).
func entriesQuery(m int) string {
	k := len(entryOwn)
	one := func(row int) string {
		var b strings.Builder
		b.WriteString("(")
		for j := range k {
			if j > 0 {
				b.WriteString(",")
			}
			b.WriteString("?" + strconv.Itoa(len(entryShared)+1+row*k+j))
		}
		b.WriteString(",?1,?2,?3,?4,?5,?6,?7,?8)")
		return b.String()
	}
	head := "INSERT INTO ledger_entries (" + strings.Join(entryOwn, ", ") + ", " + strings.Join(entryShared, ", ") + ") VALUES "
	rows := make([]string, m)
	for i := range rows {
		rows[i] = one(i)
	}
	return head + strings.Join(rows, ",")
}

// Ledger returns a page of the entries f selects, oldest first, and how
// many it selects; errs.Invalid on "offset", "limit" or "period".
func (st *Store) Ledger(ctx context.Context, f desk.LedgerFilter) (_ []desk.LedgerEntry, _ int, err error) {
	defer errs.Wrap(&err, "desk/sqlite: Ledger %+v", f)
	if f.Limit == 0 {
		f.Limit = 100
	}
	if err := page(f.Offset, f.Limit); err != nil {
		return nil, 0, err
	}
	if f.Period != "" {
		if err := desk.CheckMonth("period", f.Period); err != nil {
			return nil, 0, err
		}
	}
	var list []desk.LedgerEntry
	var total int
	_, err = st.inReadTx(ctx, func(q sqlitedb.Queryer) error {
		var err error
		list, total, err = ledgerPage(ctx, q, f)
		return err
	})
	return list, total, err
}

// ledgerPage is Ledger's page and count, read through q. The ledger is a
// sequence, by id, of rows and of blocks whose entries have consecutive
// ids; it is cut into segments (the rows between two blocks, a block) and
// each segment's entries that f selects are counted: the rows' with a
// count(*) over their id range, a block's from its length or, for one
// customer, by decoding it. The page is then read from the segments it
// spans.
func ledgerPage(ctx context.Context, q sqlitedb.Queryer, f desk.LedgerFilter) ([]desk.LedgerEntry, int, error) {
	// Only the filters given are in the query, so that SQLite can use the
	// index by customer, period or run (a "? = '' OR column = ?" term
	// scans the whole ledger).
	var conds []string
	var args []any
	for _, c := range []struct {
		col string
		set bool
		val any
	}{{"customer_id", f.Customer != "", f.Customer}, {"period", f.Period != "", f.Period}, {"run_id", f.RunID != 0, f.RunID}} {
		if c.set {
			conds = append(conds, c.col+" = ?")
			args = append(args, c.val)
		}
	}
	blocks, err := ledgerBlocks(ctx, q, f, f.Customer != "")
	if err != nil {
		return nil, 0, err
	}
	where := "WHERE " + strings.Join(append(conds, "id >= ? AND id < ?"), " AND ")
	type segment struct {
		from, to int64        // rows: the ids [from, to)
		block    *ledgerBlock // or a block
		entries  []desk.LedgerEntry
		n        int // the entries f selects
	}
	var segs []segment
	rowsBetween := func(from, to int64) error {
		s := segment{from: from, to: to}
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM ledger_entries `+where, append(args, from, to)...).Scan(&s.n); err != nil {
			return err
		}
		if s.n > 0 {
			segs = append(segs, s)
		}
		return nil
	}
	var end int64 // the id after the last block's
	for i := range blocks {
		b := &blocks[i]
		if b.firstID > end {
			if err := rowsBetween(end, b.firstID); err != nil {
				return nil, 0, err
			}
		}
		s := segment{block: b, n: b.entries}
		if f.Customer != "" {
			if s.entries, err = blockEntries(ctx, q, b, f.Customer); err != nil {
				return nil, 0, err
			}
			s.n = len(s.entries)
		}
		if s.n > 0 {
			segs = append(segs, s)
		}
		end = b.firstID + int64(b.entries)
	}
	if err := rowsBetween(end, math.MaxInt64); err != nil {
		return nil, 0, err
	}
	total := 0
	for _, s := range segs {
		total += s.n
	}
	var out []desk.LedgerEntry
	skip := f.Offset
	for i := range segs {
		s := &segs[i]
		if len(out) == f.Limit {
			break
		}
		if skip >= s.n {
			skip -= s.n
			continue
		}
		take := min(s.n-skip, f.Limit-len(out))
		if s.block == nil {
			list, err := listEntries(ctx, q, where+` ORDER BY id LIMIT ? OFFSET ?`, append(args, s.from, s.to, take, skip)...)
			if err != nil {
				return nil, 0, err
			}
			out = append(out, list...)
		} else {
			if s.entries == nil {
				if s.entries, err = blockEntries(ctx, q, s.block, ""); err != nil {
					return nil, 0, err
				}
			}
			out = append(out, s.entries[skip:skip+take]...)
		}
		skip = 0
	}
	return out, total, nil
}

func listEntries(ctx context.Context, q sqlitedb.Queryer, where string, args ...any) ([]desk.LedgerEntry, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, `+strings.Join(entryCols, ", ")+` FROM ledger_entries `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []desk.LedgerEntry
	for rows.Next() {
		var e desk.LedgerEntry
		var kind, credit, created string
		var runID, manualID sql.NullInt64
		var adjusts sql.NullString
		if err := rows.Scan(&e.ID, &e.Customer, &e.Currency, &e.AmountMinor, &kind, &credit, &e.Service, &e.Period, &e.Incident,
			&e.Reason, &runID, &manualID, &adjusts, &created, &e.Actor); err != nil {
			return nil, err
		}
		e.Kind, e.CreditKind, e.RunID, e.ManualID = desk.EntryKind(kind), desk.EntryKind(credit), runID.Int64, manualID.Int64
		if adjusts.Valid {
			if err := json.Unmarshal([]byte(adjusts.String), &e.Adjusts); err != nil {
				return nil, err
			}
		}
		if e.CreatedAt, err = sqlitedb.ParseTime(created); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
