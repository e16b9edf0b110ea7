package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/prefault"
	"github.com/amends/amends/internal/sqlitedb"
	"github.com/amends/amends/sla"
)

// A run's lines are stored in blocks of blockLines lines (the last one
// shorter), one credit_run_blocks row each: line seq is
// block*blockLines + its place in the block. A block is encoded as
//
//	version byte (2), uvarint lines, uvarint strings, the strings (uvarint
//	length, bytes), then per line the indexes (uvarint) of its customer,
//	service, policy, currency, downtime, uptime and claim among the
//	strings, its reason (uvarint: index<<2 | cuts), and its credit
//	percent, charges, credit, payable (varint) and claim deadline (varint
//	Unix seconds, UTC).
//
// Each distinct string is written once per block, so the policy, currency
// and figures that lines share cost a byte each. A reason is stored with
// the line's own figures cut out, so that the reasons of lines that
// differ only in those are one string too ("uptime \x01% below 99.95%:
// 10% of \x00"): where cuts has bit 1, the line's uptime was cut out of
// the reason and byte 0x01 stands in its place; where it has bit 0, the
// line's charges as desk.FormatMoney writes them, and byte 0x00 stands in
// their place. A reason that holds either byte itself is stored whole.
//
// Blocks of version 1, as runs stored before version 2 keep them, are the
// same but for the reason: the index of the whole reason, without cuts.
// Runs stored before the blocks keep their lines in credit_run_lines (see
// runLinesRows).
const blockLines = 1024

const blockVersion = 2

// What a version 2 block cut out of a reason, and the byte that stands in
// its place: the mark of a cut is its bit's number.
const (
	cutCharges  = 1 << markCharges
	cutUptime   = 1 << markUptime
	markCharges = 0x00
	markUptime  = 0x01
	reasonCuts  = 2 // the bits of a stored reason that say what was cut
)

// encodeBlock encodes lines (at most blockLines) as one block, and counts
// those whose credit is not zero. It refuses what the lines table's CHECKs
// refused: a negative payable amount or an unknown claim status.
func encodeBlock(lines []desk.RunLine) (data []byte, crediting int, err error) {
	return new(blockEncoder).encode(nil, lines)
}

// blockEncoder is encodeBlock with the room it needs besides the block,
// kept from one block to the next: a run encodes hundreds.
type blockEncoder struct {
	idx  map[string]uint64
	strs []string
	refs []uint32
	// The reason of a line with its figures cut out, that of the line
	// before, and room for cutting.
	reason, prevReason, half, money []byte
}

const lineStrings = 7 // the strings of a line in a block, besides its reason

// encode is encodeBlock, into buf when the block fits.
func (e *blockEncoder) encode(buf []byte, lines []desk.RunLine) (data []byte, crediting int, err error) {
	// A first pass numbers the strings and counts the bytes, so that the
	// block is written once into a slice of its size. A string equal to
	// the same field of the line before has that line's number, without a
	// lookup: consecutive lines mostly share their customer, service,
	// policy, currency, figures, claim and cut reason.
	if e.idx == nil {
		e.idx = make(map[string]uint64, len(lines)/2+16) // a customer for a few lines
	}
	clear(e.idx)
	idx, strs := e.idx, e.strs[:0]
	defer func() { e.strs = strs }()
	size := 1 + uvarintLen(uint64(len(lines)))
	ref := func(s string) uint64 {
		i, ok := idx[s]
		if !ok {
			i = uint64(len(strs))
			idx[s] = i
			strs = append(strs, s)
			size += uvarintLen(uint64(len(s))) + len(s)
		}
		return i
	}
	const fields = lineStrings + 1
	refs := e.refs[:0] // fewer than fields*blockLines strings: each fits, cuts and all
	defer func() { e.refs = refs }()
	var prev [lineStrings]string
	var prevRef [fields]uint32
	var prevCuts uint64
	for i := range lines {
		l := &lines[i]
		if l.PayableMinor < 0 {
			return nil, 0, fmt.Errorf("line of %s %s: payable %d is negative", l.Customer, l.Service, l.PayableMinor)
		}
		switch l.Claim {
		case desk.ClaimNotRequired, desk.ClaimInTime, desk.ClaimLate, desk.ClaimMissing:
		default:
			return nil, 0, fmt.Errorf("line of %s %s: claim status %q is not known", l.Customer, l.Service, l.Claim)
		}
		if l.CreditMinor != 0 {
			crediting++
		}
		for f, s := range [lineStrings]string{l.Customer, l.Service, l.Policy, l.Currency, l.Downtime, l.Uptime, string(l.Claim)} {
			if i == 0 || s != prev[f] {
				prev[f], prevRef[f] = s, uint32(ref(s))
			}
		}
		cuts := e.cutReason(l)
		if i == 0 || cuts != prevCuts || !bytes.Equal(e.reason, e.prevReason) {
			r, ok := idx[string(e.reason)]
			if !ok {
				r = ref(string(e.reason))
			}
			prevRef[lineStrings], prevCuts = uint32(r<<reasonCuts|cuts), cuts
			e.reason, e.prevReason = e.prevReason, e.reason
		}
		for _, r := range prevRef {
			refs = append(refs, r)
			size += uvarintLen(uint64(r))
		}
		for _, v := range lineInts(l) {
			size += varintLen(v)
		}
	}
	size += uvarintLen(uint64(len(strs)))
	if data = buf[:0]; cap(data) < size {
		data = make([]byte, 0, size)
	}
	data = append(data, blockVersion)
	data = binary.AppendUvarint(data, uint64(len(lines)))
	data = binary.AppendUvarint(data, uint64(len(strs)))
	for _, s := range strs {
		data = binary.AppendUvarint(data, uint64(len(s)))
		data = append(data, s...)
	}
	for i := range lines {
		for _, r := range refs[i*fields : (i+1)*fields] {
			data = binary.AppendUvarint(data, uint64(r))
		}
		for _, v := range lineInts(&lines[i]) {
			data = binary.AppendVarint(data, v)
		}
	}
	return data, crediting, nil
}

// cutReason writes to e.reason the reason of l with its uptime and its
// charges cut out, and returns the cuts it made (see the format).
func (e *blockEncoder) cutReason(l *desk.RunLine) (cuts uint64) {
	r := l.Reason
	if strings.IndexByte(r, markCharges) >= 0 || strings.IndexByte(r, markUptime) >= 0 {
		e.reason = append(e.reason[:0], r...)
		return 0
	}
	e.half = e.half[:0]
	if i := strings.Index(r, l.Uptime); l.Uptime != "" && i >= 0 {
		e.half = append(append(e.half, r[:i]...), markUptime)
		r = r[i+len(l.Uptime):]
		cuts |= cutUptime
	}
	e.half = append(e.half, r...)
	e.money = desk.AppendMoney(e.money[:0], l.ChargesMinor, l.Currency)
	i := bytes.Index(e.half, e.money)
	if i < 0 || bytes.IndexByte(e.money, markCharges) >= 0 || bytes.IndexByte(e.money, markUptime) >= 0 {
		e.reason, e.half = e.half, e.reason
		return cuts
	}
	e.reason = append(append(append(e.reason[:0], e.half[:i]...), markCharges), e.half[i+len(e.money):]...)
	return cuts | cutCharges
}

// writeUncut writes to dst the reason that cutReason cut into t for l.
// ok is false when t does not hold the mark of each cut once, and no
// other.
func writeUncut(dst *strings.Builder, t string, cuts uint64, l *desk.RunLine) (ok bool) {
	at := [2]int{-1, -1} // where the mark of each cut is in t, by mark
	for m := range at {
		i := strings.IndexByte(t, byte(m))
		if (i >= 0) != (cuts&(1<<m) != 0) || i >= 0 && strings.IndexByte(t[i+1:], byte(m)) >= 0 {
			return false
		}
		at[m] = i
	}
	for {
		m := markCharges
		if at[m] < 0 || at[markUptime] >= 0 && at[markUptime] < at[m] {
			m = markUptime
		}
		i := at[m]
		if i < 0 {
			dst.WriteString(t)
			return true
		}
		dst.WriteString(t[:i])
		if m == markCharges {
			var money [48]byte
			dst.Write(desk.AppendMoney(money[:0], l.ChargesMinor, l.Currency))
		} else {
			dst.WriteString(l.Uptime)
		}
		t, at[m] = t[i+1:], -1
		for k := range at {
			if at[k] >= 0 {
				at[k] -= i + 1
			}
		}
	}
}

// lineInts is a line's numbers in the order a block holds them.
func lineInts(l *desk.RunLine) [5]int64 {
	return [...]int64{int64(l.CreditPercent), l.ChargesMinor, l.CreditMinor, l.PayableMinor, l.ClaimDeadline.Unix()}
}

// uvarintLen is len(binary.AppendUvarint(nil, v)).
func uvarintLen(v uint64) int { return (bits.Len64(v|1) + 6) / 7 }

// varintLen is len(binary.AppendVarint(nil, v)).
func varintLen(v int64) int { return uvarintLen(uint64(v<<1) ^ uint64(v>>63)) }

var errBadBlock = errors.New("credit run block is malformed")

// readBlockStart reads what both block encodings (a run's lines, the
// ledger's entries) begin with: the version byte, which must be version,
// how many the block holds (at most most), and its strings, as slices of
// data. It returns those and the rest of data; ok is false for a block
// that is malformed.
func readBlockStart(data []byte, version byte, most uint64) (n uint64, strs [][]byte, rest []byte, ok bool) {
	if len(data) == 0 || data[0] != version {
		return 0, nil, nil, false
	}
	p := data[1:]
	if n, ok = takeUvarint(&p); !ok || n > most {
		return 0, nil, nil, false
	}
	ns, ok := takeUvarint(&p)
	if !ok || ns > uint64(len(p)) {
		return 0, nil, nil, false
	}
	strs = make([][]byte, ns)
	for i := range strs {
		k, ok := takeUvarint(&p)
		if !ok || k > uint64(len(p)) {
			return 0, nil, nil, false
		}
		strs[i], p = p[:k:k], p[k:]
	}
	return n, strs, p, true
}

// takeUvarint reads a uvarint from the start of *p and moves *p past it.
func takeUvarint(p *[]byte) (uint64, bool) {
	v, n := binary.Uvarint(*p)
	if n <= 0 {
		return 0, false
	}
	*p = (*p)[n:]
	return v, true
}

// blockLen returns how many lines block data says it holds.
func blockLen(data []byte) (int, error) {
	if len(data) == 0 || data[0] != 1 && data[0] != blockVersion {
		return 0, errBadBlock
	}
	n, k := binary.Uvarint(data[1:])
	if k <= 0 || n > blockLines {
		return 0, errBadBlock
	}
	return int(n), nil
}

// decodeBlock appends the lines of block data (of either version) to out.
func decodeBlock(data []byte, out []desk.RunLine) ([]desk.RunLine, error) {
	var version byte
	if len(data) > 0 {
		version = data[0]
	}
	cutBits := reasonCuts
	if version == 1 {
		cutBits = 0
	}
	n, raw, p, ok := readBlockStart(data, version, blockLines)
	if !ok || version != 1 && version != blockVersion {
		return nil, errBadBlock
	}
	ns := uint64(len(raw))
	strs := make([]string, ns)
	for i, b := range raw {
		strs[i] = string(b)
	}
	// The reasons made whole again are written one after another into one
	// text, which the lines then share: one allocation for the block.
	var text strings.Builder
	type uncut struct{ line, end int }
	var uncuts []uncut
	var s [lineStrings]string
	var v [5]int64
	for range n {
		for j := range s {
			k, ok := takeUvarint(&p)
			if !ok || k >= ns {
				return nil, errBadBlock
			}
			s[j] = strs[k]
		}
		r, ok := takeUvarint(&p)
		k, cuts := r>>cutBits, r&(1<<cutBits-1)
		if !ok || k >= ns {
			return nil, errBadBlock
		}
		for j := range v {
			x, m := binary.Varint(p)
			if m <= 0 {
				return nil, errBadBlock
			}
			v[j], p = x, p[m:]
		}
		out = append(out, desk.RunLine{Customer: s[0], Service: s[1], Policy: s[2], Currency: s[3], Downtime: s[4], Uptime: s[5],
			Claim: desk.ClaimStatus(s[6]), Reason: strs[k], CreditPercent: sla.Percent(v[0]), ChargesMinor: v[1], CreditMinor: v[2],
			PayableMinor: v[3], ClaimDeadline: time.Unix(v[4], 0).UTC()})
		if cuts != 0 {
			if text.Cap() == 0 {
				text.Grow(int(n) * (len(strs[k]) + 32)) // room for the figures of every line
			}
			if !writeUncut(&text, strs[k], cuts, &out[len(out)-1]) {
				return nil, errBadBlock
			}
			uncuts = append(uncuts, uncut{len(out) - 1, text.Len()})
		}
	}
	if len(p) != 0 {
		return nil, errBadBlock
	}
	whole, from := text.String(), 0
	for _, u := range uncuts {
		out[u.line].Reason, from = whole[from:u.end], u.end
	}
	return out, nil
}

// inParallel runs fn(i) for i in [0, n) on every core, and returns the
// first error.
func inParallel(n int, fn func(i int) error) error {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := range n {
			if err := fn(i); err != nil {
				return err
			}
		}
		return nil
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	for range workers {
		wg.Go(func() {
			for i := range next {
				if err := fn(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	return first
}

// writeBlocks stores lines as run id's blocks, one statement per block in
// block order, while the blocks after it are encoded on every core. Each
// block is encoded into one of a few buffers, used again once SQLite has
// copied the block: the blocks of the benchmark's 300,000 lines are 23 MB, and
// fresh memory for all of them at once cost more in page faults than
// encoding them.
func writeBlocks(ctx context.Context, tx *sql.Tx, id int64, lines []desk.RunLine) (err error) {
	nb := (len(lines) + blockLines - 1) / blockLines
	if nb == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO credit_run_blocks (run_id, block, lines, crediting, data) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	type encoded struct {
		data      []byte
		crediting int
		err       error
	}
	workers := min(runtime.GOMAXPROCS(0), nb)
	// A worker takes a buffer before it takes the next block, so the
	// buffers are held by the first blocks not yet written: the writer
	// never waits for a block that waits for a buffer.
	free := make(chan []byte, workers+1)
	for range workers + 1 {
		free <- nil
	}
	done := make([]chan encoded, nb) // block b's encoding, when it is made
	for b := range done {
		done[b] = make(chan encoded, 1)
	}
	stop := make(chan struct{})
	var next atomic.Int64
	var wg sync.WaitGroup
	defer func() {
		close(stop)
		wg.Wait()
	}()
	for range workers {
		wg.Go(func() {
			var e blockEncoder
			for {
				var buf []byte
				select {
				case buf = <-free:
				case <-stop:
					return
				}
				b := int(next.Add(1)) - 1
				if b >= nb {
					return
				}
				var r encoded
				r.data, r.crediting, r.err = e.encode(buf, lines[b*blockLines:min(len(lines), (b+1)*blockLines)])
				done[b] <- r
				if r.err != nil {
					return
				}
			}
		})
	}
	for b := range nb {
		r := <-done[b]
		if r.err != nil {
			return r.err
		}
		if _, err := stmt.ExecContext(ctx, id, b, min(blockLines, len(lines)-b*blockLines), r.crediting, r.data); err != nil {
			return err
		}
		free <- r.data
	}
	return nil
}

// blockInfo is one stored block without its data.
type blockInfo struct {
	block, lines, crediting int
}

// blocksOf returns run id's blocks in order; none for a run stored before
// the blocks (or without lines).
func blocksOf(ctx context.Context, q sqlitedb.Queryer, id int64) ([]blockInfo, error) {
	rows, err := q.QueryContext(ctx, `SELECT block, lines, crediting FROM credit_run_blocks WHERE run_id = ? ORDER BY block`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []blockInfo
	for rows.Next() {
		var b blockInfo
		if err := rows.Scan(&b.block, &b.lines, &b.crediting); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// readBlocks returns the lines of run id's blocks from first to last
// (inclusive), decoded on every core, in order.
func readBlocks(ctx context.Context, q sqlitedb.Queryer, id int64, first, last int) ([]desk.RunLine, error) {
	data, err := blockData(ctx, q, id, first, last)
	if err != nil {
		return nil, err
	}
	// Each block says how many lines it holds, so every block is decoded
	// in its own place in the one slice of all the lines, not copied there.
	at := make([]int, len(data)+1)
	for i, b := range data {
		n, err := blockLen(b)
		if err != nil {
			return nil, fmt.Errorf("run %d block %d: %w", id, first+i, err)
		}
		at[i+1] = at[i] + n
	}
	out := prefault.Slice(make([]desk.RunLine, at[len(data)]))
	err = inParallel(len(data), func(i int) error {
		if _, err := decodeBlock(data[i], out[at[i]:at[i]:at[i+1]]); err != nil {
			return fmt.Errorf("run %d block %d: %w", id, first+i, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// blockData returns the data of run id's blocks from first to last
// (inclusive), in order.
func blockData(ctx context.Context, q sqlitedb.Queryer, id int64, first, last int) ([][]byte, error) {
	rows, err := q.QueryContext(ctx, `SELECT data FROM credit_run_blocks WHERE run_id = ? AND block BETWEEN ? AND ? ORDER BY block`, id, first, last)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var data [][]byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		data = append(data, b)
	}
	return data, rows.Err()
}

// issueBlocks writes the ledger entries that plan makes of the lines in
// blocks of run id (every block of the run, in order), then those of
// plan.Rest, and returns what they sum to. A block at a time is decoded
// and planned, on another goroutine while this one writes the entries of
// the block before: the lines and entries of the whole run are never held
// at once, and the two cores share the work.
func issueBlocks(ctx context.Context, tx *sql.Tx, id int64, blocks []blockInfo, plan *desk.IssuePlan) (*desk.RunIssue, error) {
	first := blocks[0].block
	data, err := blockData(ctx, tx, id, first, blocks[len(blocks)-1].block)
	if err != nil {
		return nil, err
	}
	type part struct {
		entries []desk.LedgerEntry
		err     error
	}
	const inFlight = 2
	parts := make(chan part, inFlight)
	free := make(chan []desk.LedgerEntry, inFlight+1)
	for range inFlight + 1 {
		free <- make([]desk.LedgerEntry, 0, blockLines)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	defer wg.Wait()
	defer close(done)
	wg.Go(func() {
		defer close(parts)
		lines := make([]desk.RunLine, 0, blockLines)
		for i, b := range data {
			var buf []desk.LedgerEntry
			select {
			case buf = <-free:
			case <-done:
				return
			}
			var p part
			if lines, p.err = decodeBlock(b, lines[:0]); p.err != nil {
				p.err = fmt.Errorf("run %d block %d: %w", id, first+i, p.err)
			} else {
				p.entries = plan.Add(buf[:0], lines)
			}
			select {
			case parts <- p:
			case <-done:
				return
			}
			if p.err != nil {
				return
			}
		}
	})
	w := newEntryWriter(ctx, tx)
	defer w.close()
	var totals desk.IssueTotals
	write := func(entries []desk.LedgerEntry) error {
		if err := totals.Add(entries); err != nil {
			return err
		}
		for i := range entries {
			if err := w.add(&entries[i]); err != nil {
				return err
			}
		}
		return nil
	}
	for p := range parts {
		if p.err != nil {
			return nil, p.err
		}
		if err := write(p.entries); err != nil {
			return nil, err
		}
		free <- p.entries // the writer holds copies of what it binds
	}
	// parts is closed: the other goroutine has added every block.
	if err := write(plan.Rest(nil)); err != nil {
		return nil, err
	}
	if err := w.flush(); err != nil {
		return nil, err
	}
	return totals.Issue(), nil
}
