package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/sqlitedb"
)

// A credit run's own credits (see inBlock) are stored in ledger_blocks,
// up to ledgerBlockEntries consecutive entries a row, not a row of
// ledger_entries each (migration 0016). A block's entries share its
// columns (run, kind, period, incident, instant, actor) and have the ids
// first_id, first_id+1, ...; the rest of each entry is encoded in data as
//
//	version byte (1), uvarint entries, uvarint strings, the strings
//	(uvarint length, bytes), then per entry the indexes (uvarint) of its
//	customer, service, currency and reason among the strings, and its
//	amount (varint).
//
// Each distinct string is written once per block, so the currency and
// the reasons that entries share cost a byte each.
const ledgerBlockEntries = 1024

const ledgerBlockVersion = 1

// inBlock reports whether e goes in a ledger block: a run's tier or
// goodwill credit. Adjustments (with the ids they adjust) and manual
// credits stay rows.
func inBlock(e *desk.LedgerEntry) bool {
	return e.RunID != 0 && e.ManualID == 0 && e.Adjusts == nil && e.Kind == e.CreditKind &&
		(e.Kind == desk.EntryTier || e.Kind == desk.EntryGoodwill)
}

// blockHead is what the entries of one ledger block share.
type blockHead struct {
	firstID   int64
	entries   int
	runID     int64
	kind      desk.EntryKind
	period    string
	incident  string
	createdAt string // as stored
	actor     string
}

// sameBlock reports whether e may join a block whose entries are like b.
func sameBlock(b, e *desk.LedgerEntry) bool {
	return b.RunID == e.RunID && b.Kind == e.Kind && b.Period == e.Period && b.Incident == e.Incident &&
		b.Actor == e.Actor && b.CreatedAt.Equal(e.CreatedAt)
}

// ledgerEncoder builds the data of one ledger block, an entry at a time.
type ledgerEncoder struct {
	first    desk.LedgerEntry // the block's first entry, whose shared values the block takes
	n        int
	idx      map[string]uint64
	strs     []string
	body     []byte
	min, max string
	last     [4]string // the strings of the entry before, and their indexes
	lastIdx  [4]uint64
	// customers are the block's customers, each once when its entries
	// come together (a run's come in customer order).
	customers []string
}

func newLedgerEncoder() *ledgerEncoder {
	return &ledgerEncoder{idx: make(map[string]uint64, 2*ledgerBlockEntries), body: make([]byte, 0, 16*ledgerBlockEntries)}
}

// reset starts an empty block.
func (b *ledgerEncoder) reset() {
	b.n = 0
	clear(b.idx)
	b.strs = b.strs[:0]
	b.body = b.body[:0]
	b.last = [4]string{}
	b.customers = b.customers[:0]
}

// add appends e, refusing what ledger_entries' CHECKs refuse of a credit:
// an amount that is not positive.
func (b *ledgerEncoder) add(e *desk.LedgerEntry) error {
	if e.AmountMinor <= 0 {
		return fmt.Errorf("ledger entry of %s %s: a %s credit of %d is not positive", e.Customer, e.Service, e.Kind, e.AmountMinor)
	}
	if b.n == 0 {
		b.first, b.min, b.max = *e, e.Customer, e.Customer
	}
	b.min, b.max = min(b.min, e.Customer), max(b.max, e.Customer)
	if b.n == 0 || e.Customer != b.last[0] {
		b.customers = append(b.customers, e.Customer)
	}
	for j, s := range [...]string{e.Customer, e.Service, e.Currency, e.Reason} {
		if b.n == 0 || s != b.last[j] {
			i, ok := b.idx[s]
			if !ok {
				i = uint64(len(b.strs))
				b.idx[s] = i
				b.strs = append(b.strs, s)
			}
			b.last[j], b.lastIdx[j] = s, i
		}
		b.body = binary.AppendUvarint(b.body, b.lastIdx[j])
	}
	b.body = binary.AppendVarint(b.body, e.AmountMinor)
	b.n++
	return nil
}

// data is the block's encoding.
func (b *ledgerEncoder) data() []byte {
	size := 1 + 2*binary.MaxVarintLen64 + len(b.body)
	for _, s := range b.strs {
		size += binary.MaxVarintLen64 + len(s)
	}
	out := make([]byte, 0, size)
	out = append(out, ledgerBlockVersion)
	out = binary.AppendUvarint(out, uint64(b.n))
	out = binary.AppendUvarint(out, uint64(len(b.strs)))
	for _, s := range b.strs {
		out = binary.AppendUvarint(out, uint64(len(s)))
		out = append(out, s...)
	}
	return append(out, b.body...)
}

// checkCustomers returns an error unless every customer of b is one of
// the desk's, as ledger_entries' foreign key requires of a row: one range
// of the customers' ids is read and merged with b's, sorted.
func (b *ledgerEncoder) checkCustomers(ctx context.Context, tx *sql.Tx) error {
	want := b.customers
	if !slices.IsSorted(want) {
		want = slices.Clone(want)
		slices.Sort(want)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id FROM customers WHERE id BETWEEN ? AND ? ORDER BY id`, b.min, b.max)
	if err != nil {
		return err
	}
	defer rows.Close()
	var id string
	for rows.Next() && len(want) > 0 {
		if err := rows.Scan(&id); err != nil {
			return err
		}
		for len(want) > 0 && want[0] <= id {
			if want[0] != id {
				return fmt.Errorf("ledger entry of customer %q: no such customer", want[0])
			}
			want = want[1:]
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(want) > 0 {
		return fmt.Errorf("ledger entry of customer %q: no such customer", want[0])
	}
	return nil
}

var errBadLedgerBlock = errors.New("ledger block is malformed")

// decodeLedgerBlock appends the entries of block data with head to out,
// only those of customer when it is not "".
func decodeLedgerBlock(data []byte, head *blockHead, customer string, out []desk.LedgerEntry) ([]desk.LedgerEntry, error) {
	n, raw, p, ok := readBlockStart(data, ledgerBlockVersion, ledgerBlockEntries)
	if !ok || n != uint64(head.entries) {
		return nil, errBadLedgerBlock
	}
	created, err := sqlitedb.ParseTime(head.createdAt)
	if err != nil {
		return nil, err
	}
	ns := uint64(len(raw))
	want := ^uint64(0) // the index of customer, if it is in the block
	if customer != "" {
		for i, b := range raw {
			if string(b) == customer {
				want = uint64(i)
			}
		}
	}
	strs := make([]string, ns) // made from raw when first needed
	str := func(i uint64) string {
		if strs[i] == "" && len(raw[i]) > 0 {
			strs[i] = string(raw[i])
		}
		return strs[i]
	}
	var s [4]uint64
	for i := range n {
		for j := range s {
			k, ok := takeUvarint(&p)
			if !ok || k >= ns {
				return nil, errBadLedgerBlock
			}
			s[j] = k
		}
		amount, m := binary.Varint(p)
		if m <= 0 {
			return nil, errBadLedgerBlock
		}
		p = p[m:]
		if customer != "" && s[0] != want {
			continue
		}
		out = append(out, desk.LedgerEntry{ID: head.firstID + int64(i), Customer: str(s[0]), Service: str(s[1]), Currency: str(s[2]),
			Reason: str(s[3]), AmountMinor: amount, Kind: head.kind, CreditKind: head.kind, Period: head.period,
			Incident: head.incident, RunID: head.runID, CreatedAt: created, Actor: head.actor})
	}
	if len(p) != 0 {
		return nil, errBadLedgerBlock
	}
	return out, nil
}

// ledgerBlock is a block's head and, when it was read, its data.
type ledgerBlock struct {
	blockHead
	data []byte
}

const blockHeadCols = "first_id, entries, run_id, kind, period, incident, created_at, actor"

// ledgerBlocks returns the heads of the ledger blocks that may hold
// entries f selects (by customer, period and run), oldest first, with
// their data when withData.
func ledgerBlocks(ctx context.Context, q sqlitedb.Queryer, f desk.LedgerFilter, withData bool) ([]ledgerBlock, error) {
	var conds []string
	var args []any
	if f.Customer != "" {
		conds = append(conds, "min_customer <= ? AND max_customer >= ?")
		args = append(args, f.Customer, f.Customer)
	}
	if f.Period != "" {
		conds = append(conds, "period = ?")
		args = append(args, f.Period)
	}
	if f.RunID != 0 {
		conds = append(conds, "run_id = ?")
		args = append(args, f.RunID)
	}
	return queryBlocks(ctx, q, withData, conds, args...)
}

// queryBlocks returns the blocks that match every one of conds, oldest
// first.
func queryBlocks(ctx context.Context, q sqlitedb.Queryer, withData bool, conds []string, args ...any) ([]ledgerBlock, error) {
	cols := blockHeadCols
	if withData {
		cols += ", data"
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	rows, err := q.QueryContext(ctx, `SELECT `+cols+` FROM ledger_blocks`+where+` ORDER BY first_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ledgerBlock
	for rows.Next() {
		var b ledgerBlock
		var kind string
		dest := []any{&b.firstID, &b.entries, &b.runID, &kind, &b.period, &b.incident, &b.createdAt, &b.actor}
		if withData {
			dest = append(dest, &b.data)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		b.kind = desk.EntryKind(kind)
		out = append(out, b)
	}
	return out, rows.Err()
}

// blockEntries returns the entries of b, only customer's when it is not "".
func blockEntries(ctx context.Context, q sqlitedb.Queryer, b *ledgerBlock, customer string) ([]desk.LedgerEntry, error) {
	if b.data == nil {
		if err := q.QueryRowContext(ctx, `SELECT data FROM ledger_blocks WHERE first_id = ?`, b.firstID).Scan(&b.data); err != nil {
			return nil, err
		}
	}
	out, err := decodeLedgerBlock(b.data, &b.blockHead, customer, nil)
	if err != nil {
		return nil, fmt.Errorf("ledger block %d: %w", b.firstID, err)
	}
	return out, nil
}

// customerHasBlockEntries reports whether a ledger block holds an entry
// of customer.
func customerHasBlockEntries(ctx context.Context, q sqlitedb.Queryer, customer string) (bool, error) {
	blocks, err := ledgerBlocks(ctx, q, desk.LedgerFilter{Customer: customer}, true)
	if err != nil {
		return false, err
	}
	for i := range blocks {
		list, err := blockEntries(ctx, q, &blocks[i], customer)
		if err != nil {
			return false, err
		}
		if len(list) > 0 {
			return true, nil
		}
	}
	return false, nil
}

// nextLedgerID returns the id the next entry of the ledger takes: one
// above every row's and every block's.
func nextLedgerID(ctx context.Context, tx *sql.Tx) (int64, error) {
	var next int64
	err := tx.QueryRowContext(ctx, `SELECT max(
		coalesce((SELECT max(id) FROM ledger_entries), 0),
		coalesce((SELECT first_id + entries - 1 FROM ledger_blocks ORDER BY first_id DESC LIMIT 1), 0)) + 1`).Scan(&next)
	return next, err
}
