package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
)

// mixedLedger writes a ledger of 2,600 customers in the shapes it takes:
// rows written before ledger blocks existed (ids SQLite chose), runs of
// more than one block, adjustments between a run's credits, a run of
// another period and one of goodwill for an incident, a manual credit.
// It returns every entry as written, in id order.
func mixedLedger(t *testing.T, st *Store, db *sql.DB) []desk.LedgerEntry {
	t.Helper()
	seed(t, st)
	const customers = 2600
	at := sqlitedb.FormatTime(now)
	err := sqlitedb.InTx(ctx, db, func(tx *sql.Tx) error {
		return insertBatch(ctx, tx, "customers", []string{"id", "name", "external_id", "currency", "email", "created_at", "updated_at"}, customers,
			func(i int, a []any) {
				id := fmt.Sprintf("c%04d", i)
				a[0], a[1], a[2], a[3], a[4], a[5], a[6] = id, id, "", "USD", id+"@example.com", at, at
			})
	})
	if err != nil {
		t.Fatal(err)
	}
	runs := []desk.CreditRun{preview(t, st, "2012-11"), preview(t, st, "2012-12"), preview(t, st, "2012-12")}
	// Rows of the ledger before the blocks: SQLite chooses their ids.
	for i := range 5 {
		if _, err := db.Exec(`INSERT INTO ledger_entries (customer_id, currency, amount_minor, kind, credit_kind, service_id, period, reason, run_id, created_at, actor)
			VALUES (?, 'USD', ?, 'tier', 'tier', 'ELB', '2012-10', 'before', ?, ?, 'max@example.com')`, fmt.Sprintf("c%04d", i*7), 100+i, runs[0].ID, at); err != nil {
			t.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	credit := func(run desk.CreditRun, period, incident string, kind desk.EntryKind, customer int, service string) desk.LedgerEntry {
		return desk.LedgerEntry{Customer: fmt.Sprintf("c%04d", customer), Currency: "USD", AmountMinor: 1 + rng.Int64N(100_000), Kind: kind, CreditKind: kind,
			Service: service, Period: period, Incident: incident, Reason: fmt.Sprintf("uptime %d", rng.IntN(4)), RunID: run.ID,
			CreatedAt: now, Actor: "max@example.com"}
	}
	var written []desk.LedgerEntry
	// A month's run: 2,600 customers × 1 service, then 1,300 × another, with
	// adjustments of earlier entries now and then.
	var a []desk.LedgerEntry
	for c := range customers {
		a = append(a, credit(runs[1], "2012-12", "", desk.EntryTier, c, "ELB"))
		if c%500 == 250 {
			adj := credit(runs[1], "2012-12", "", desk.EntryTier, c, "EC2")
			adj.Kind, adj.AmountMinor, adj.Adjusts, adj.Reason = desk.EntryAdjustment, -50, []int64{1, 2}, "correction"
			a = append(a, adj)
		}
	}
	for c := 0; c < customers; c += 2 {
		a = append(a, credit(runs[1], "2012-12", "", desk.EntryTier, c, "EC2"))
	}
	// Another period, and goodwill for an incident.
	for c := range 700 {
		a = append(a, credit(runs[0], "2012-11", "", desk.EntryTier, c*3, "EBS"))
	}
	for c := range 40 {
		a = append(a, credit(runs[2], "2012-12", "inc-7", desk.EntryGoodwill, c*60, "ELB"))
	}
	if err := sqlitedb.InTx(ctx, db, func(tx *sql.Tx) error { return writeEntries(ctx, tx, a) }); err != nil {
		t.Fatal(err)
	}
	written = append(written, a...)
	m := must[desk.ManualCredit](t)(st.CreateManualCredit(ctx, sam, desk.ManualCredit{Customer: "c0007", AmountMinor: 900, Reason: "sorry"}, now))
	if m.State == desk.ManualPending {
		must[desk.ManualCredit](t)(st.ApproveManualCredit(ctx, mgr, m.ID, now))
	}

	// What the ledger holds, in id order, read row by row and block by
	// block without Ledger.
	all, err := listEntries(ctx, db, `ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := ledgerBlocks(ctx, db, desk.LedgerFilter{}, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) < 5 {
		t.Fatalf("%d blocks", len(blocks))
	}
	for i := range blocks {
		list, err := blockEntries(ctx, db, &blocks[i], "")
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, list...)
	}
	slices.SortFunc(all, func(x, y desk.LedgerEntry) int { return int(x.ID - y.ID) })
	for i := 1; i < len(all); i++ {
		if all[i].ID == all[i-1].ID {
			t.Fatalf("id %d twice", all[i].ID)
		}
	}
	if len(all) != 5+len(written)+1 {
		t.Fatalf("%d entries stored, wrote %d", len(all), 5+len(written)+1)
	}
	// The entries written through the writer are stored as written, in
	// their order, with consecutive ids.
	for i, e := range all[5 : 5+len(written)] {
		w := written[i]
		w.ID = all[5].ID + int64(i)
		if !reflect.DeepEqual(e, w) {
			t.Fatalf("entry %d stored as\n%+v\nwritten\n%+v", i, e, w)
		}
	}
	return all
}

func selects(f desk.LedgerFilter, e desk.LedgerEntry) bool {
	return (f.Customer == "" || e.Customer == f.Customer) && (f.Period == "" || e.Period == f.Period) && (f.RunID == 0 || e.RunID == f.RunID)
}

// Every filter and page of Ledger over rows and blocks is the page of the
// whole ledger in id order that the filter selects.
func TestLedgerPagesOverRowsAndBlocks(t *testing.T) {
	st, db := newStore(t)
	all := mixedLedger(t, st, db)
	var runIDs []int64
	for _, e := range all {
		if e.RunID != 0 && !slices.Contains(runIDs, e.RunID) {
			runIDs = append(runIDs, e.RunID)
		}
	}
	filters := []desk.LedgerFilter{{}, {Period: "2012-12"}, {Period: "2012-11"}, {Period: "2012-10"}, {Period: "2013-01"},
		{Customer: "c0000"}, {Customer: "c0007"}, {Customer: "c0250"}, {Customer: "c2599"}, {Customer: "c1234", Period: "2012-12"},
		{Customer: "nobody"}, {Customer: "c0021", Period: "2012-10"}}
	for _, id := range runIDs {
		filters = append(filters, desk.LedgerFilter{RunID: id}, desk.LedgerFilter{RunID: id, Period: "2012-12"}, desk.LedgerFilter{RunID: id, Customer: "c0000"})
	}
	for _, f := range filters {
		var want []desk.LedgerEntry
		for _, e := range all {
			if selects(f, e) {
				want = append(want, e)
			}
		}
		for _, pg := range [][2]int{{0, 100}, {0, 10000}, {1020, 10}, {1023, 3}, {2600, 1000}, {len(want) - 1, 5}, {len(want), 5}, {len(want) + 3, 5}} {
			if pg[0] < 0 {
				continue
			}
			f := f
			f.Offset, f.Limit = pg[0], pg[1]
			got, total, err := st.Ledger(ctx, f)
			if err != nil {
				t.Fatalf("%+v: %v", f, err)
			}
			if total != len(want) {
				t.Errorf("%+v: total %d, want %d", f, total, len(want))
			}
			w := want[min(f.Offset, len(want)):min(f.Offset+f.Limit, len(want))]
			if len(got) != len(w) || len(w) > 0 && !reflect.DeepEqual(got, w) {
				t.Errorf("%+v: %d entries, want %d (first %+v)", f, len(got), len(w), got[:min(1, len(got))])
			}
		}
	}
}

// heldFor sums rows and blocks alike, each key's ids in ledger order.
func TestHeldForReadsRowsAndBlocks(t *testing.T) {
	st, db := newStore(t)
	all := mixedLedger(t, st, db)
	for _, pk := range []struct {
		period string
		kind   desk.EntryKind
	}{{"2012-12", desk.EntryTier}, {"2012-11", desk.EntryTier}, {"2012-10", desk.EntryTier}, {"2012-12", desk.EntryGoodwill}} {
		want := map[desk.LedgerKey]desk.Held{}
		for _, e := range all {
			if e.Period != pk.period || e.CreditKind != pk.kind {
				continue
			}
			k := desk.LedgerKey{Customer: e.Customer, Service: e.Service, Period: e.Period, Incident: e.Incident, Kind: pk.kind}
			h := want[k]
			h.SumMinor += e.AmountMinor
			h.IDs = append(h.IDs, e.ID)
			h.Currency = e.Currency
			want[k] = h
		}
		got, err := heldFor(ctx, db, pk.period, pk.kind)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 || !reflect.DeepEqual(got, want) {
			t.Errorf("%v: %d keys held, want %d", pk, len(got), len(want))
		}
	}
}

// No row and no other block takes an id a block holds, and a block takes
// none that another entry holds.
func TestLedgerBlockIDsAreTheirOwn(t *testing.T) {
	st, db := newStore(t)
	all := mixedLedger(t, st, db)
	blocks, err := ledgerBlocks(ctx, db, desk.LedgerFilter{}, true)
	if err != nil {
		t.Fatal(err)
	}
	b := blocks[1]
	at := sqlitedb.FormatTime(now)
	row := `INSERT INTO ledger_entries (id, customer_id, currency, amount_minor, kind, credit_kind, period, reason, created_at, actor)
		VALUES (?, 'c0001', 'USD', 5, 'manual', 'manual', '', 'x', ?, 'x')`
	block := `INSERT INTO ledger_blocks (first_id, entries, run_id, kind, period, incident, created_at, actor, min_customer, max_customer, data)
		VALUES (?, ?, ?, 'tier', '2012-12', '', ?, 'x', 'c0001', 'c0001', x'01')`
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{row, []any{b.firstID, at}},
		{row, []any{b.firstID + int64(b.entries) - 1, at}},
		{block, []any{b.firstID + 1, 1, b.runID, at}},
		{block, []any{b.firstID - 2, 3, b.runID, at}},
		{block, []any{all[0].ID, 1, b.runID, at}},
		{block, []any{all[len(all)-1].ID, 2, b.runID, at}},
	} {
		if _, err := db.Exec(q.sql, q.args...); err == nil {
			t.Errorf("%.40s %v: written", q.sql, q.args)
		}
	}
	next := all[len(all)-1].ID + 1
	if _, err := db.Exec(row, next, at); err != nil {
		t.Errorf("a row after every entry: %v", err)
	}
	if _, err := db.Exec(block, next+1, 2, b.runID, at); err != nil {
		t.Errorf("a block after every entry: %v", err)
	}
}

// A malformed block is an error, never a panic or a wrong entry.
func TestDecodeLedgerBlockRefusesMalformed(t *testing.T) {
	enc := newLedgerEncoder()
	for i := range 3 {
		e := desk.LedgerEntry{Customer: fmt.Sprintf("c%d", i), Service: "ELB", Currency: "USD", Reason: "r", AmountMinor: int64(100 * (i + 1)), Kind: desk.EntryTier, CreditKind: desk.EntryTier, RunID: 1}
		if err := enc.add(&e); err != nil {
			t.Fatal(err)
		}
	}
	data := enc.data()
	head := blockHead{firstID: 10, entries: 3, runID: 1, kind: desk.EntryTier, period: "2012-12", createdAt: sqlitedb.FormatTime(now), actor: "x"}
	list, err := decodeLedgerBlock(data, &head, "", nil)
	if err != nil || len(list) != 3 || list[2].ID != 12 || list[2].AmountMinor != 300 || list[1].Customer != "c1" || !list[0].CreatedAt.Equal(now) {
		t.Fatalf("%+v %v", list, err)
	}
	if one, err := decodeLedgerBlock(data, &head, "c1", nil); err != nil || len(one) != 1 || one[0].ID != 11 {
		t.Fatalf("c1: %+v %v", one, err)
	}
	for n := range len(data) {
		if _, err := decodeLedgerBlock(data[:n], &head, "", nil); !errors.Is(err, errBadLedgerBlock) {
			t.Errorf("%d of %d bytes: %v", n, len(data), err)
		}
	}
	if _, err := decodeLedgerBlock(append(slices.Clone(data), 0), &head, "", nil); !errors.Is(err, errBadLedgerBlock) {
		t.Errorf("a byte more: %v", err)
	}
	wrong := head
	wrong.entries = 4
	if _, err := decodeLedgerBlock(data, &wrong, "", nil); !errors.Is(err, errBadLedgerBlock) {
		t.Errorf("4 entries said, 3 held: %v", err)
	}
	if err := enc.add(&desk.LedgerEntry{Customer: "c9", AmountMinor: 0, Kind: desk.EntryTier, CreditKind: desk.EntryTier, RunID: 1}); err == nil {
		t.Error("a credit of 0 was encoded")
	}
}

// A customer whose only credits are a run's (a block) keeps its currency,
// as one with a row does; the ledger never pays a customer the desk does
// not have.
func TestBlockEntriesHoldTheCustomer(t *testing.T) {
	st, db := newStore(t)
	mixedLedger(t, st, db)
	_, err := st.UpdateAccount(ctx, sam, desk.Account{ID: "c0003", Name: "c0003", Currency: "EUR", Email: "c0003@example.com"}, now)
	if errs.CodeOf(err) != errs.Conflict {
		t.Errorf("currency change of a customer with run credits: %v", err)
	}
	fresh := desk.Account{ID: "c0003a", Name: "Fresh", Currency: "USD", Email: "fresh@example.com"}
	must[desk.Account](t)(st.CreateAccount(ctx, sam, fresh, now))
	fresh.Currency = "EUR"
	if _, err := st.UpdateAccount(ctx, sam, fresh, now); err != nil {
		t.Errorf("a customer between two in a block, without credits: %v", err)
	}
	err = sqlitedb.InTx(ctx, db, func(tx *sql.Tx) error {
		return writeEntries(ctx, tx, []desk.LedgerEntry{{Customer: "c0002", Currency: "USD", AmountMinor: 5, Kind: desk.EntryTier, CreditKind: desk.EntryTier,
			Service: "ELB", Period: "2013-01", Reason: "r", RunID: 1, CreatedAt: now.Add(time.Hour), Actor: "x"},
			{Customer: "c0002x", Currency: "USD", AmountMinor: 5, Kind: desk.EntryTier, CreditKind: desk.EntryTier,
				Service: "ELB", Period: "2013-01", Reason: "r", RunID: 1, CreatedAt: now.Add(time.Hour), Actor: "x"}})
	})
	if err == nil {
		t.Error("a credit of a customer the desk does not have was written")
	}
}

// Writers at once (runs of blocks with adjustments between, manual
// credits) each get ids no other entry holds, every entry is read back,
// and a transaction's entries keep consecutive ids.
func TestLedgerWritersAtOnce(t *testing.T) {
	st, db := newStore(t)
	before := mixedLedger(t, st, db)
	runID := before[len(before)-2].RunID // a run that exists
	const writers, per = 6, 1500
	var wg sync.WaitGroup
	errc := make(chan error, 2*writers)
	for w := range writers {
		wg.Go(func() {
			var list []desk.LedgerEntry
			period := fmt.Sprintf("2013-%02d", w+1)
			for c := range per {
				e := desk.LedgerEntry{Customer: fmt.Sprintf("c%04d", c), Currency: "USD", AmountMinor: int64(1 + c), Kind: desk.EntryTier,
					CreditKind: desk.EntryTier, Service: "ELB", Period: period, Reason: "r", RunID: runID, CreatedAt: now, Actor: "x"}
				if c%700 == 3 {
					e.Kind, e.AmountMinor, e.Adjusts = desk.EntryAdjustment, -1, []int64{1}
				}
				list = append(list, e)
			}
			errc <- sqlitedb.InTx(ctx, db, func(tx *sql.Tx) error { return writeEntries(ctx, tx, list) })
		})
		wg.Go(func() {
			m, err := st.CreateManualCredit(ctx, sam, desk.ManualCredit{Customer: fmt.Sprintf("c%04d", w), AmountMinor: 700, Reason: "sorry"}, now)
			if err == nil && m.State == desk.ManualPending {
				_, err = st.ApproveManualCredit(ctx, mgr, m.ID, now)
			}
			errc <- err
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Fatal(err)
		}
	}
	var all []desk.LedgerEntry
	for f := (desk.LedgerFilter{Limit: 1000}); ; f.Offset += f.Limit {
		page, total, err := st.Ledger(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if f.Offset+f.Limit >= total {
			break
		}
	}
	if len(all) != len(before)+writers*per+writers {
		t.Fatalf("%d entries, want %d", len(all), len(before)+writers*per+writers)
	}
	for i := 1; i < len(all); i++ {
		if all[i].ID <= all[i-1].ID {
			t.Fatalf("ids %d then %d", all[i-1].ID, all[i].ID)
		}
	}
	for w := range writers {
		got := ledger(t, st, desk.LedgerFilter{Period: fmt.Sprintf("2013-%02d", w+1)})
		if len(got) != per || got[per-1].ID-got[0].ID != per-1 {
			t.Errorf("writer %d: %d entries, ids %d to %d", w, len(got), got[0].ID, got[len(got)-1].ID)
		}
	}
}
