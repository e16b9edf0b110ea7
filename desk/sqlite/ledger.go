package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
)

// heldFor returns what the ledger holds per key for period and credit kind.
func heldFor(ctx context.Context, q sqlitedb.Queryer, period string, kind desk.EntryKind) (map[desk.LedgerKey]desk.Held, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, customer_id, service_id, incident, currency, amount_minor FROM ledger_entries
		WHERE period = ? AND credit_kind = ? ORDER BY id`, period, string(kind))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	held := map[desk.LedgerKey]desk.Held{}
	for rows.Next() {
		var id, amount int64
		k := desk.LedgerKey{Period: period, Kind: kind}
		var currency string
		if err := rows.Scan(&id, &k.Customer, &k.Service, &k.Incident, &currency, &amount); err != nil {
			return nil, err
		}
		h := held[k]
		if h.SumMinor, err = desk.AddMinor(h.SumMinor, amount); err != nil {
			return nil, err
		}
		h.IDs = append(h.IDs, id)
		h.Currency = currency
		held[k] = h
	}
	return held, rows.Err()
}

var entryCols = []string{"customer_id", "currency", "amount_minor", "kind", "credit_kind", "service_id", "period", "incident",
	"reason", "run_id", "manual_id", "adjusts_json", "created_at", "actor"}

// entryShared are the columns of entryCols that the entries of one run
// share (bound once per statement), and entryOwn the others (bound per
// entry): a run's 300,000 entries bind 5 values each instead of 14.
var (
	entryShared = []string{"kind", "credit_kind", "period", "incident", "run_id", "manual_id", "created_at", "actor"}
	entryOwn    = []string{"customer_id", "currency", "amount_minor", "service_id", "reason", "adjusts_json"}
)

// entriesPer is how many entries one INSERT statement writes.
const entriesPer = 500

// writeEntries appends entries to the ledger, in their order: consecutive
// entries that share entryShared's values go in statements of up to
// entriesPer rows that bind those values once (as ?1 to ?8).
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

// entryWriter is writeEntries for entries that come a part at a time:
// add each, then flush; the statements are the ones writeEntries makes of
// all of them at once.
type entryWriter struct {
	ctx  context.Context
	tx   *sql.Tx
	full *sql.Stmt // the statement of entriesPer rows, prepared once
	args []any
	cur  [8]any // the shared values of the pending rows
	m    int    // pending rows, bound in args
	// last is the entry whose sharedOf is cur (has: there is one): the
	// entries of a run share those fields, and cur is made again only
	// when they change, not formatted and boxed 300,000 times.
	last sharedFields
	has  bool
}

// sharedFields are the fields of an entry that sharedOf reads.
type sharedFields struct {
	kind, creditKind        desk.EntryKind
	period, incident, actor string
	runID, manualID         int64
	createdAt               time.Time
}

func sharedFieldsOf(e *desk.LedgerEntry) sharedFields {
	return sharedFields{e.Kind, e.CreditKind, e.Period, e.Incident, e.Actor, e.RunID, e.ManualID, e.CreatedAt}
}

func newEntryWriter(ctx context.Context, tx *sql.Tx) *entryWriter {
	return &entryWriter{ctx: ctx, tx: tx, args: make([]any, len(entryShared)+entriesPer*len(entryOwn))}
}

func (w *entryWriter) close() {
	if w.full != nil {
		w.full.Close()
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

// add binds e as the next row, writing the pending rows first when they
// are entriesPer or share other values.
func (w *entryWriter) add(e *desk.LedgerEntry) error {
	sh, changed := w.cur, false
	if f := sharedFieldsOf(e); !w.has || f != w.last {
		sh, w.last, w.has = sharedOf(e), f, true
		changed = sh != w.cur
	}
	if w.m > 0 && (w.m == entriesPer || changed) {
		if err := w.flush(); err != nil {
			return err
		}
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
	a[0], a[1], a[2], a[3], a[4], a[5] = e.Customer, e.Currency, e.AmountMinor, e.Service, e.Reason, adjusts
	w.m++
	return nil
}

// flush writes the pending rows in one statement.
func (w *entryWriter) flush() error {
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

// entriesQuery is the INSERT of m entries (see writeEntries).
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
	where := ""
	if len(conds) > 0 {
		where = "WHERE " + strings.Join(conds, " AND ")
	}
	var total int
	if err := st.db.QueryRowContext(ctx, `SELECT count(*) FROM ledger_entries `+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	list, err := listEntries(ctx, st.db, where+` ORDER BY id LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	return list, total, err
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
