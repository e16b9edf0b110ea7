package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
	"github.com/amends/amends/sla"
)

var (
	ctx     = context.Background()
	now     = time.Date(2013, 1, 5, 0, 0, 0, 0, time.UTC)
	sam     = audit.Actor{Person: "sam@example.com", Label: "sam@example.com (token a)"}
	mgr     = audit.Actor{Person: "max@example.com", Label: "max@example.com (session)"}
	mgrToo  = audit.Actor{Person: "max@example.com", Label: "max@example.com (token b)"}
	zoe     = audit.Actor{Person: "zoe@example.com"}
	elbComp = "elb-us-east-1"
)

func newStore(t testing.TB) (*Store, *sql.DB) {
	t.Helper()
	db, err := sqlitedb.Open(ctx, filepath.Join(t.TempDir(), "amends.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	st, err := New(db)
	if err != nil {
		t.Fatal(err)
	}
	return st, db
}

func must[T any](t testing.TB) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// ledgerCount is how many entries the ledger holds: its rows and its
// blocks' entries.
func ledgerCount(t testing.TB, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT (SELECT count(*) FROM ledger_entries) + (SELECT coalesce(sum(entries), 0) FROM ledger_blocks)`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func count(t testing.TB, db *sql.DB, table string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// base is December 2012's status data: ELB in us-east-1 with 6.8% in
// partial outage for 22 h 6 min (the spec's example, naming nobody).
func base() *sla.Scenario {
	return &sla.Scenario{
		Components: []sla.Component{{ID: elbComp, Service: "ELB", Region: "us-east-1"}},
		Incidents: []sla.Incident{{ID: "1", Impacts: []sla.Impact{{
			Component: elbComp, Status: sla.MajorOutage, AffectedPercent: sla.MustPercent("100"),
			Start: time.Date(2012, 12, 24, 20, 24, 0, 0, time.UTC), End: time.Date(2012, 12, 25, 0, 0, 0, 0, time.UTC),
		}}}},
	}
}

// seed stores acme (USD) and globex (EUR) with ELB resources and December
// charges, and the ELB default policy.
func seed(t *testing.T, st *Store) {
	t.Helper()
	must[desk.Account](t)(st.CreateAccount(ctx, sam, desk.Account{ID: "acme", Name: "Acme", Currency: "USD", Email: "billing@acme.example"}, now))
	must[desk.Account](t)(st.CreateAccount(ctx, sam, desk.Account{ID: "globex", Name: "Globex", Currency: "eur", Email: "ap@globex.example"}, now))
	for _, c := range []string{"acme", "globex"} {
		must[desk.AccountResource](t)(st.AddResource(ctx, sam, desk.AccountResource{Customer: c, Component: elbComp, Count: 4}, now))
	}
	must[desk.AccountCharge](t)(st.PutCharge(ctx, sam, desk.AccountCharge{Customer: "acme", Component: elbComp, Month: "2012-12", AmountMinor: 250000}, now))
	must[desk.AccountCharge](t)(st.PutCharge(ctx, sam, desk.AccountCharge{Customer: "globex", Component: elbComp, Month: "2012-12", AmountMinor: 100000}, now))
	must[desk.ServicePolicy](t)(st.PutPolicy(ctx, mgr, desk.ServicePolicy{Policy: sla.Policy{ID: "elb", Service: "ELB", Target: sla.MustPercent("99.95"),
		Tiers: []sla.Tier{{Below: sla.MustPercent("99.95"), CreditPercent: sla.MustPercent("10")}, {Below: sla.MustPercent("99"), CreditPercent: sla.MustPercent("25")}}}}, now))
}

// preview does what the web handler does: stored data, PreviewMonth, CreateRun.
func preview(t testing.TB, st *Store, month string) desk.CreditRun {
	t.Helper()
	d, err := st.MonthData(ctx, month)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := desk.PreviewMonth(month, now, base(), d)
	if err != nil {
		t.Fatal(err)
	}
	run, err := desk.NewMonthRun(month, now, lines, sam.Person, now)
	if err != nil {
		t.Fatal(err)
	}
	return must[desk.CreditRun](t)(st.CreateRun(ctx, sam, run, lines, now))
}

func issue(t testing.TB, st *Store, run desk.CreditRun) desk.CreditRun {
	t.Helper()
	must[desk.CreditRun](t)(st.RequestRun(ctx, sam, run.ID, now))
	return must[desk.CreditRun](t)(st.ApproveRun(ctx, mgr, run.ID, now))
}

func ledger(t testing.TB, st *Store, f desk.LedgerFilter) []desk.LedgerEntry {
	t.Helper()
	f.Limit = 10000
	list, _, err := st.Ledger(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// A run is issued once; a second run pays nothing; corrected charges pay
// only the difference, as adjustments pointing to what they adjust.
func TestRunIssuedOnceThenAdjusted(t *testing.T) {
	st, _ := newStore(t)
	seed(t, st)
	// 3 h 36 min of full outage in a 31-day month: 99.5161…%, 10%.
	run := preview(t, st, "2012-12")
	if run.Lines != 2 || run.State != desk.RunPreviewed {
		t.Fatalf("run %+v", run)
	}
	lines, total, err := st.RunLines(ctx, run.ID, desk.AllLines, 0, 10)
	if err != nil || total != 2 {
		t.Fatal(total, err)
	}
	if lines[0].Customer != "acme" || lines[0].Uptime != "99.5161" || lines[0].PayableMinor != 25000 || lines[1].Currency != "EUR" || lines[1].PayableMinor != 10000 {
		t.Fatalf("lines %+v", lines)
	}
	outstanding := func(id int64) string {
		out, err := st.Outstanding(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(out.Entries, out.Totals)
	}
	if got := outstanding(run.ID); got != "2 [{EUR 10000 10000} {USD 25000 25000}]" {
		t.Errorf("outstanding before the first issue: %s", got)
	}
	done := issue(t, st, run)
	if done.State != desk.RunIssued || done.Issued == nil || done.Issued.Entries != 2 {
		t.Fatalf("issued %+v", done)
	}
	if _, err := st.Outstanding(ctx, run.ID); errs.CodeOf(err) != errs.Conflict {
		t.Errorf("outstanding of an issued run: %v", err)
	}
	first := ledger(t, st, desk.LedgerFilter{Period: "2012-12"})
	if len(first) != 2 || first[0].AmountMinor != 25000 || first[0].Kind != desk.EntryTier || first[0].RunID != run.ID ||
		first[0].Actor != mgr.Label || first[0].Reason != lines[0].Reason || first[1].Currency != "EUR" {
		t.Fatalf("ledger %+v", first)
	}

	second := preview(t, st, "2012-12")
	if got := outstanding(second.ID); got != "0 []" {
		t.Errorf("outstanding of a second run: %s", got)
	}
	again := issue(t, st, second)
	if again.Issued.Entries != 0 || len(ledger(t, st, desk.LedgerFilter{})) != 2 {
		t.Fatalf("a second run paid %+v", again.Issued)
	}

	must[desk.AccountCharge](t)(st.PutCharge(ctx, sam, desk.AccountCharge{Customer: "acme", Component: elbComp, Month: "2012-12", AmountMinor: 300000}, now))
	must[desk.AccountCharge](t)(st.PutCharge(ctx, sam, desk.AccountCharge{Customer: "globex", Component: elbComp, Month: "2012-12", AmountMinor: 50000}, now))
	corrected := preview(t, st, "2012-12")
	if got := outstanding(corrected.ID); got != "2 [{EUR -5000 -5000} {USD 5000 5000}]" {
		t.Errorf("outstanding after corrected charges: %s", got)
	}
	third := issue(t, st, corrected)
	if third.Issued.Entries != 2 {
		t.Fatalf("corrected run wrote %+v", third.Issued)
	}
	all := ledger(t, st, desk.LedgerFilter{})
	adj := all[2:]
	if adj[0].Customer != "acme" || adj[0].AmountMinor != 5000 || adj[0].Kind != desk.EntryAdjustment || adj[0].CreditKind != desk.EntryTier ||
		len(adj[0].Adjusts) != 1 || adj[0].Adjusts[0] != first[0].ID {
		t.Errorf("acme adjustment %+v", adj[0])
	}
	if adj[1].Customer != "globex" || adj[1].AmountMinor != -5000 || adj[1].Adjusts[0] != first[1].ID {
		t.Errorf("globex adjustment %+v", adj[1])
	}
	if !strings.HasPrefix(adj[0].Reason, "correction of 250.00 USD to 300.00 USD: ") {
		t.Errorf("reason %q", adj[0].Reason)
	}
	acme := ledger(t, st, desk.LedgerFilter{Customer: "acme"})
	if sum := acme[0].AmountMinor + acme[1].AmountMinor; len(acme) != 2 || sum != 30000 {
		t.Errorf("acme holds %d in %d entries, want 30000", sum, len(acme))
	}
	// And once more: nothing.
	if fourth := issue(t, st, preview(t, st, "2012-12")); fourth.Issued.Entries != 0 {
		t.Errorf("fourth run wrote %+v", fourth.Issued)
	}
}

// Approval needs a second person (whatever token the first one uses), and
// happens once.
func TestApproveRules(t *testing.T) {
	st, _ := newStore(t)
	seed(t, st)
	run := preview(t, st, "2012-12")
	_, err := st.ApproveRun(ctx, mgr, run.ID, now)
	if errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("approving a previewed run: %v", err)
	}
	must[desk.CreditRun](t)(st.RequestRun(ctx, mgr, run.ID, now))
	if _, err := st.ApproveRun(ctx, mgrToo, run.ID, now); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("self-approval with another token: %v", err)
	}
	must[desk.CreditRun](t)(st.ApproveRun(ctx, zoe, run.ID, now))
	if _, err := st.ApproveRun(ctx, sam, run.ID, now); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("second approval: %v", err)
	}
	if _, err := st.ApproveRun(ctx, sam, 999, now); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("unknown run: %v", err)
	}
}

// The ledger and the run lines refuse UPDATE and DELETE; so does an issued run.
func TestLedgerIsAppendOnly(t *testing.T) {
	st, db := newStore(t)
	seed(t, st)
	run := issue(t, st, preview(t, st, "2012-12"))
	// A manual credit is a row of ledger_entries; the run's credits are a
	// block of ledger_blocks.
	m := must[desk.ManualCredit](t)(st.CreateManualCredit(ctx, sam, desk.ManualCredit{Customer: "acme", AmountMinor: 1000, Reason: "sorry"}, now))
	if m.State == desk.ManualPending {
		must[desk.ManualCredit](t)(st.ApproveManualCredit(ctx, mgr, m.ID, now))
	}
	if count(t, db, "ledger_entries") != 1 || count(t, db, "ledger_blocks") != 1 {
		t.Fatalf("%d rows, %d blocks", count(t, db, "ledger_entries"), count(t, db, "ledger_blocks"))
	}
	for _, q := range []string{
		`UPDATE ledger_entries SET amount_minor = 1`,
		`DELETE FROM ledger_entries`,
		`UPDATE ledger_blocks SET entries = 1`,
		`DELETE FROM ledger_blocks`,
		`UPDATE credit_run_blocks SET data = x'00'`,
		`DELETE FROM credit_run_blocks`,
		fmt.Sprintf(`UPDATE credit_runs SET state = 'requested' WHERE id = %d`, run.ID),
		`DELETE FROM credit_runs`,
		`DELETE FROM customers`,
		`UPDATE audit_log SET actor = 'x'`,
	} {
		if _, err := db.Exec(q); err == nil || !strings.Contains(err.Error(), "never") && !strings.Contains(err.Error(), "append-only") && !strings.Contains(err.Error(), "forward") {
			t.Errorf("%s: %v", q, err)
		}
	}
	if n := ledgerCount(t, db); n != 3 {
		t.Errorf("%d ledger entries", n)
	}
}

// An issue that fails part-way (here the 201st entry names a customer that
// does not exist) leaves the ledger, the run and the audit log as they were.
func TestFailedIssueLeavesLedger(t *testing.T) {
	st, db := newStore(t)
	seed(t, st)
	issue(t, st, preview(t, st, "2012-11")) // nothing owed; the ledger is empty
	var lines []desk.RunLine
	for i := range 205 {
		lines = append(lines, desk.RunLine{Customer: "acme", Service: fmt.Sprintf("S%03d", i), Policy: "p", Currency: "USD",
			Downtime: "0", Uptime: "99", PayableMinor: 100, CreditMinor: 100, ClaimDeadline: now, Claim: desk.ClaimNotRequired, Reason: "r"})
	}
	lines = append(lines, desk.RunLine{Customer: "ghost", Service: "ELB", Policy: "p", Currency: "USD",
		Downtime: "0", Uptime: "99", PayableMinor: 100, CreditMinor: 100, ClaimDeadline: now, Claim: desk.ClaimNotRequired, Reason: "r"})
	run := must[desk.CreditRun](t)(desk.NewMonthRun("2012-12", now, lines, sam.Person, now))
	run = must[desk.CreditRun](t)(st.CreateRun(ctx, sam, run, lines, now))
	must[desk.CreditRun](t)(st.RequestRun(ctx, sam, run.ID, now))
	audits := count(t, db, "audit_log")
	if _, err := st.ApproveRun(ctx, mgr, run.ID, now); err == nil {
		t.Fatal("the issue did not fail")
	}
	if n := ledgerCount(t, db); n != 0 {
		t.Errorf("%d ledger entries after a failed issue", n)
	}
	if n := count(t, db, "audit_log"); n != audits {
		t.Errorf("audit rows %d → %d", audits, n)
	}
	if r := must[desk.CreditRun](t)(st.Run(ctx, run.ID)); r.State != desk.RunRequested || r.ApprovedBy != "" {
		t.Errorf("run after a failed issue: %+v", r)
	}
}

// Every write adds exactly one audit row naming its actor; a refused write
// adds none and changes nothing.
func TestEveryWriteAudited(t *testing.T) {
	st, db := newStore(t)
	last := func() (int, string, string) {
		var n int
		var actor, action string
		db.QueryRow(`SELECT count(*) FROM audit_log`).Scan(&n)
		db.QueryRow(`SELECT actor, action FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&actor, &action)
		return n, actor, action
	}
	step := func(name, action string, write func() error) {
		t.Helper()
		before, _, _ := last()
		if err := write(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		after, actor, got := last()
		if after != before+1 || got != action || actor != sam.Label && actor != mgr.Label {
			t.Errorf("%s: %d → %d audit rows, last %s by %s; want one %s", name, before, after, got, actor, action)
		}
	}
	refused := func(name, field string, write func() error) {
		t.Helper()
		before, _, _ := last()
		err := write()
		if errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != field {
			t.Errorf("%s: %v, want Invalid on %q", name, err, field)
		}
		if after, _, _ := last(); after != before {
			t.Errorf("%s: refused write audited", name)
		}
	}
	e := func(_ any, err error) error { return err }
	step("create customer", "customer.create", func() error {
		return e(st.CreateAccount(ctx, sam, desk.Account{ID: "acme", Name: "Acme", Currency: "USD", Email: "b@acme.example"}, now))
	})
	step("update customer", "customer.update", func() error {
		return e(st.UpdateAccount(ctx, sam, desk.Account{ID: "acme", Name: "Acme Corp", Currency: "USD", Email: "b@acme.example"}, now))
	})
	var res desk.AccountResource
	step("add resource", "customer_resource.create", func() (err error) {
		res, err = st.AddResource(ctx, sam, desk.AccountResource{Customer: "acme", Component: elbComp, Count: 2}, now)
		return err
	})
	step("update resource", "customer_resource.update", func() error {
		res.Count = 3
		return e(st.UpdateResource(ctx, sam, res, now))
	})
	step("charge", "customer_charge.create", func() error {
		return e(st.PutCharge(ctx, sam, desk.AccountCharge{Customer: "acme", Component: elbComp, Month: "2012-12", AmountMinor: 100}, now))
	})
	step("correct charge", "customer_charge.correct", func() error {
		return e(st.PutCharge(ctx, sam, desk.AccountCharge{Customer: "acme", Component: elbComp, Month: "2012-12", AmountMinor: 200}, now))
	})
	refused("charge in another currency", "currency", func() error {
		return e(st.PutCharge(ctx, sam, desk.AccountCharge{Customer: "acme", Component: elbComp, Month: "2012-12", AmountMinor: 200, Currency: "EUR"}, now))
	})
	refused("charge of an unknown customer", "customer", func() error {
		return e(st.PutCharge(ctx, sam, desk.AccountCharge{Customer: "nobody", Component: elbComp, Month: "2012-12", AmountMinor: 1}, now))
	})
	pol := desk.ServicePolicy{Policy: sla.Policy{ID: "elb", Service: "ELB", Target: sla.MustPercent("99.95"),
		Tiers: []sla.Tier{{Below: sla.MustPercent("99.95"), CreditPercent: sla.MustPercent("10")}}}, RequiresClaim: true}
	step("policy", "sla_policy.create", func() error { return e(st.PutPolicy(ctx, mgr, pol, now)) })
	pol.TimeZone = "America/New_York"
	step("policy change", "sla_policy.update", func() error { return e(st.PutPolicy(ctx, mgr, pol, now)) })
	other := pol
	other.ID = "elb-2"
	if _, err := st.PutPolicy(ctx, mgr, other, now); errs.CodeOf(err) != errs.Conflict {
		t.Errorf("a second default for ELB: %v", err)
	}
	step("claim", "sla_claim.create", func() error {
		c, err := st.RecordClaim(ctx, sam, desk.Claim{Customer: "acme", Service: "ELB", Month: "2012-10", ClaimedAt: now}, now)
		if err == nil && !c.Late {
			t.Errorf("a claim on 5 January for October (deadline 1 January, New York) is late: %+v", c)
		}
		return err
	})
	if _, err := st.RecordClaim(ctx, sam, desk.Claim{Customer: "acme", Service: "ELB", Month: "2012-10"}, now); errs.CodeOf(err) != errs.Conflict {
		t.Errorf("a second claim: %v", err)
	}
	refused("claim without a policy", "service", func() error {
		return e(st.RecordClaim(ctx, sam, desk.Claim{Customer: "acme", Service: "EC2", Month: "2012-12"}, now))
	})
	step("threshold raise", "manual_credit_threshold.request", func() error { return e(st.SetManualThreshold(ctx, mgr, "USD", 1000, now)) })
	step("threshold confirmed", "manual_credit_threshold.confirm", func() error {
		return st.ConfirmManualThreshold(ctx, sam, "USD", now)
	})
	var m desk.ManualCredit
	step("small manual credit", "manual_credit.create", func() (err error) {
		m, err = st.CreateManualCredit(ctx, sam, desk.ManualCredit{Customer: "acme", AmountMinor: 1000, Reason: "sorry"}, now)
		return err
	})
	if m.State != desk.ManualIssued || m.EntryID == 0 {
		t.Errorf("small manual credit %+v", m)
	}
	step("large manual credit", "manual_credit.create", func() (err error) {
		m, err = st.CreateManualCredit(ctx, sam, desk.ManualCredit{Customer: "acme", AmountMinor: 1001, Reason: "sorry"}, now)
		return err
	})
	if m.State != desk.ManualPending || ledgerCount(t, db) != 1 {
		t.Errorf("large manual credit %+v", m)
	}
	if _, err := st.ApproveManualCredit(ctx, sam, m.ID, now); errs.CodeOf(err) != errs.Forbidden {
		t.Errorf("self-approval: %v", err)
	}
	step("approve manual credit", "manual_credit.approve", func() (err error) {
		m, err = st.ApproveManualCredit(ctx, mgr, m.ID, now)
		return err
	})
	if m.State != desk.ManualIssued || m.EntryID == 0 || ledgerCount(t, db) != 2 {
		t.Errorf("approved manual credit %+v", m)
	}
	if _, err := st.ApproveManualCredit(ctx, zoe, m.ID, now); errs.CodeOf(err) != errs.Conflict {
		t.Errorf("second approval: %v", err)
	}
	refused("manual credit without reason", "reason", func() error {
		return e(st.CreateManualCredit(ctx, sam, desk.ManualCredit{Customer: "acme", AmountMinor: 5}, now))
	})
	if _, err := st.UpdateAccount(ctx, sam, desk.Account{ID: "acme", Name: "Acme Corp", Currency: "EUR", Email: "b@acme.example"}, now); errs.CodeOf(err) != errs.Conflict {
		t.Errorf("changing the currency of a customer with charges: %v", err)
	}
	var run desk.CreditRun
	step("preview", "credit_run.preview", func() error { run = preview(t, st, "2012-12"); return nil })
	step("request", "credit_run.request", func() error { return e(st.RequestRun(ctx, sam, run.ID, now)) })
	step("approve", "credit_run.approve", func() error { return e(st.ApproveRun(ctx, mgr, run.ID, now)) })
	run2 := preview(t, st, "2012-12")
	step("reject", "credit_run.reject", func() error { return e(st.RejectRun(ctx, mgr, run2.ID, "duplicate", now)) })
}

// ManualCredits lists newest first, filters by customer and state, and
// counts what the filter selects.
func TestManualCreditsList(t *testing.T) {
	st, _ := newStore(t)
	seed(t, st)
	raiseThreshold(t, st, "USD", 1000)
	small := must[desk.ManualCredit](t)(st.CreateManualCredit(ctx, sam, desk.ManualCredit{Customer: "acme", AmountMinor: 500, Reason: "a"}, now))
	big := must[desk.ManualCredit](t)(st.CreateManualCredit(ctx, sam, desk.ManualCredit{Customer: "acme", AmountMinor: 5000, Reason: "b"}, now))
	euro := must[desk.ManualCredit](t)(st.CreateManualCredit(ctx, sam, desk.ManualCredit{Customer: "globex", AmountMinor: 1, Reason: "c"}, now))
	must[desk.ManualCredit](t)(st.RejectManualCredit(ctx, mgr, euro.ID, now))
	ids := func(f desk.ManualFilter) (string, int) {
		t.Helper()
		list, total, err := st.ManualCredits(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range list {
			out = append(out, fmt.Sprintf("%d:%s", m.ID, m.State))
		}
		return strings.Join(out, " "), total
	}
	for _, tc := range []struct {
		f     desk.ManualFilter
		want  string
		total int
	}{
		{desk.ManualFilter{}, fmt.Sprintf("%d:rejected %d:pending %d:issued", euro.ID, big.ID, small.ID), 3},
		{desk.ManualFilter{Customer: "acme"}, fmt.Sprintf("%d:pending %d:issued", big.ID, small.ID), 2},
		{desk.ManualFilter{State: desk.ManualPending}, fmt.Sprintf("%d:pending", big.ID), 1},
		{desk.ManualFilter{Customer: "globex", State: desk.ManualIssued}, "", 0},
		{desk.ManualFilter{Limit: 1, Offset: 1}, fmt.Sprintf("%d:pending", big.ID), 3},
	} {
		if got, total := ids(tc.f); got != tc.want || total != tc.total {
			t.Errorf("%+v: %q (%d), want %q (%d)", tc.f, got, total, tc.want, tc.total)
		}
	}
	list, _, _ := st.ManualCredits(ctx, desk.ManualFilter{Customer: "acme"})
	if m := list[1]; m.EntryID == 0 || m.DecidedAt == nil || m.Reason != "a" || m.Currency != "USD" {
		t.Errorf("issued credit read back as %+v", m)
	}
	if _, _, err := st.ManualCredits(ctx, desk.ManualFilter{State: "approved"}); errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != "state" {
		t.Errorf("unknown state: %v", err)
	}
}

// MonthDataFor reads exactly MonthData's rows of the customers it is
// given: their accounts, resource entries of the month's window, charges
// and claims of the month, and every policy.
func TestMonthDataFor(t *testing.T) {
	st, _ := newStore(t)
	seed(t, st)
	must[desk.Account](t)(st.CreateAccount(ctx, sam, desk.Account{ID: "initech", Name: "Initech", Currency: "JPY", Email: "b@initech.example"}, now))
	gone := time.Date(2012, 11, 1, 0, 0, 0, 0, time.UTC)
	for _, r := range []desk.AccountResource{
		{Customer: "initech", Component: elbComp, Count: 2},
		{Customer: "acme", Component: "ebs-us-east-1a", Count: 9, To: &gone}, // before December's window
		{Customer: "acme", Component: "ebs-us-east-1a", Count: 3, From: &gone},
	} {
		must[desk.AccountResource](t)(st.AddResource(ctx, sam, r, now))
	}
	must[desk.AccountCharge](t)(st.PutCharge(ctx, sam, desk.AccountCharge{Customer: "acme", Component: elbComp, Month: "2012-11", AmountMinor: 7}, now))
	must[desk.AccountCharge](t)(st.PutCharge(ctx, sam, desk.AccountCharge{Customer: "initech", Component: elbComp, Month: "2012-12", AmountMinor: 5000}, now))
	must[desk.Claim](t)(st.RecordClaim(ctx, sam, desk.Claim{Customer: "acme", Service: "ELB", Month: "2012-12", ClaimedAt: now}, now))
	must[desk.Claim](t)(st.RecordClaim(ctx, sam, desk.Claim{Customer: "globex", Service: "ELB", Month: "2012-12", ClaimedAt: now}, now))

	all := must[*desk.MonthData](t)(st.MonthData(ctx, "2012-12"))
	narrow := func(keep ...string) *desk.MonthData {
		in := func(c string) bool { return slices.Contains(keep, c) }
		return &desk.MonthData{
			Accounts:  slices.DeleteFunc(slices.Clone(all.Accounts), func(a desk.Account) bool { return !in(a.ID) }),
			Resources: slices.DeleteFunc(slices.Clone(all.Resources), func(r desk.AccountResource) bool { return !in(r.Customer) }),
			Charges:   slices.DeleteFunc(slices.Clone(all.Charges), func(c desk.AccountCharge) bool { return !in(c.Customer) }),
			Policies:  all.Policies,
			Claims:    slices.DeleteFunc(slices.Clone(all.Claims), func(c desk.Claim) bool { return !in(c.Customer) }),
		}
	}
	for _, keep := range [][]string{{"acme"}, {"initech", "acme", "acme"}, {"globex", "nobody"}, {}} {
		got := must[*desk.MonthData](t)(st.MonthDataFor(ctx, "2012-12", keep))
		want := narrow(keep...)
		if fmt.Sprint(got.Accounts, got.Resources, got.Charges, got.Policies, got.Claims) != fmt.Sprint(want.Accounts, want.Resources, want.Charges, want.Policies, want.Claims) {
			t.Errorf("%v:\n got %+v\nwant %+v", keep, got, want)
		}
	}
	if d := must[*desk.MonthData](t)(st.MonthDataFor(ctx, "2012-12", []string{"acme"})); len(d.Resources) != 2 || len(d.Charges) != 1 || len(d.Claims) != 1 || len(d.Policies) != 1 {
		t.Errorf("acme's December: %+v", d)
	}
	if _, err := st.MonthDataFor(ctx, "2012-13", []string{"acme"}); errs.FieldOf(err) != "month" {
		t.Errorf("bad month: %v", err)
	}
}

// Whoever set a currency's threshold cannot pay within it alone: their
// credit waits for another manager, while anyone else's is issued.
func TestManualThresholdSetterNeedsASecondPerson(t *testing.T) {
	st, _ := newStore(t)
	seed(t, st)
	raiseThreshold(t, st, "USD", 1000)
	own := must[desk.ManualCredit](t)(st.CreateManualCredit(ctx, mgr, desk.ManualCredit{Customer: "acme", AmountMinor: 5, Reason: "mine"}, now))
	if own.State != desk.ManualPending || own.EntryID != 0 {
		t.Errorf("a credit within the threshold its requester set: %+v", own)
	}
	other := must[desk.ManualCredit](t)(st.CreateManualCredit(ctx, sam, desk.ManualCredit{Customer: "acme", AmountMinor: 5, Reason: "theirs"}, now))
	if other.State != desk.ManualIssued || other.EntryID == 0 {
		t.Errorf("another person's credit within the threshold: %+v", other)
	}
	if th := must[map[string]int64](t)(st.ManualThresholds(ctx)); th["USD"] != 1000 {
		t.Errorf("thresholds %v", th)
	}
}

// RunLines with CreditingLines lists only the lines that credit
// something, in the run's order, paged over them, and counts them.
func TestRunLinesCreditingOnly(t *testing.T) {
	st, _ := newStore(t)
	seed(t, st)
	d, err := st.MonthData(ctx, "2012-12")
	if err != nil {
		t.Fatal(err)
	}
	credited, err := desk.PreviewMonth("2012-12", now, base(), d)
	if err != nil || len(credited) != 2 {
		t.Fatal(len(credited), err)
	}
	// Zero-credit lines around and between the two that credit.
	zero := func(l desk.RunLine) desk.RunLine {
		l.CreditPercent, l.CreditMinor, l.PayableMinor, l.Reason = 0, 0, 0, "no credit"
		return l
	}
	lines := []desk.RunLine{zero(credited[0]), credited[0], zero(credited[1]), zero(credited[0]), credited[1], zero(credited[1])}
	run, err := desk.NewMonthRun("2012-12", now, lines, sam.Person, now)
	if err != nil {
		t.Fatal(err)
	}
	run = must[desk.CreditRun](t)(st.CreateRun(ctx, sam, run, lines, now))
	page := func(filter desk.RunLineFilter, offset, limit int) string {
		t.Helper()
		got, total, err := st.RunLines(ctx, run.ID, filter, offset, limit)
		if err != nil {
			t.Fatal(err)
		}
		s := fmt.Sprint(total, ":")
		for _, l := range got {
			s += fmt.Sprintf(" %s/%d", l.Customer, l.CreditMinor)
		}
		return s
	}
	for _, tc := range []struct {
		filter        desk.RunLineFilter
		offset, limit int
		want          string
	}{
		{desk.CreditingLines, 0, 10, "2: acme/25000 globex/10000"},
		{desk.CreditingLines, 0, 1, "2: acme/25000"},
		{desk.CreditingLines, 1, 1, "2: globex/10000"},
		{desk.CreditingLines, 2, 1, "2:"},
		{desk.AllLines, 0, 10, "6: acme/0 acme/25000 globex/0 acme/0 globex/10000 globex/0"},
		{desk.AllLines, 4, 1, "6: globex/10000"},
	} {
		if got := page(tc.filter, tc.offset, tc.limit); got != tc.want {
			t.Errorf("filter %d, offset %d, limit %d: %q, want %q", tc.filter, tc.offset, tc.limit, got, tc.want)
		}
	}
	if got, _, err := st.RunLines(ctx, run.ID, desk.CreditingLines, 2, 1); err != nil || got == nil {
		t.Errorf("past the end: %v, %v; want an empty list", got, err)
	}
	if _, _, err := st.RunLines(ctx, run.ID+1, desk.CreditingLines, 0, 1); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("unknown run: %v", err)
	}
	if _, _, err := st.RunLines(ctx, run.ID, desk.CreditingLines, -1, 1); errs.CodeOf(err) != errs.Invalid {
		t.Errorf("offset -1: %v", err)
	}
}

// CreatePolicy never replaces a policy: an existing id is a conflict on
// "id", and neither the policy nor the audit log changes; PutPolicy still
// replaces it.
func TestCreatePolicyNeverReplaces(t *testing.T) {
	st, db := newStore(t)
	seed(t, st)
	stored := must[desk.ServicePolicy](t)(st.Policy(ctx, "elb"))
	audited := count(t, db, "audit_log")
	other := stored
	other.TimeZone = "America/New_York"
	other.Target = sla.MustPercent("99.5")
	_, err := st.CreatePolicy(ctx, mgr, other, now)
	if errs.CodeOf(err) != errs.Conflict || errs.FieldOf(err) != "id" || !strings.Contains(errs.MessageOf(err), `policy "elb" already exists`) {
		t.Fatalf("create over elb: %v, want a conflict on id", err)
	}
	if got := must[desk.ServicePolicy](t)(st.Policy(ctx, "elb")); got.TimeZone != stored.TimeZone || got.Target != stored.Target {
		t.Errorf("a refused create changed the policy: %+v", got)
	}
	if n := count(t, db, "audit_log"); n != audited {
		t.Errorf("a refused create was audited: %d → %d rows", audited, n)
	}
	// A new id is created and audited as such.
	must[desk.Account](t)(st.CreateAccount(ctx, sam, desk.Account{ID: "initech", Name: "Initech", Currency: "USD", Email: "ap@initech.example"}, now))
	override := other
	override.ID, override.Customer = "elb-initech", "initech"
	must[desk.ServicePolicy](t)(st.CreatePolicy(ctx, mgr, override, now))
	var action string
	if err := db.QueryRow(`SELECT action FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&action); err != nil || action != "sla_policy.create" {
		t.Errorf("create audited as %q, %v", action, err)
	}
	// A second override for the same customer and service is still the
	// customer's conflict, not the id's.
	second := override
	second.ID = "elb-initech-2"
	if _, err := st.CreatePolicy(ctx, mgr, second, now); errs.CodeOf(err) != errs.Conflict || errs.FieldOf(err) == "id" {
		t.Errorf("second override: %v", err)
	}
	// PutPolicy keeps replacing.
	if got := must[desk.ServicePolicy](t)(st.PutPolicy(ctx, mgr, other, now)); got.Target != other.Target {
		t.Errorf("put: %+v", got)
	}
	if got := must[desk.ServicePolicy](t)(st.Policy(ctx, "elb")); got.Target != other.Target {
		t.Errorf("put did not replace: %+v", got)
	}
}

// raiseThreshold has mgr raise currency's threshold to above and another
// manager confirm it.
func raiseThreshold(t *testing.T, st *Store, currency string, above int64) {
	t.Helper()
	if raise, err := st.SetManualThreshold(ctx, mgr, currency, above, now); err != nil || !raise {
		t.Fatalf("raise: %v, %v", raise, err)
	}
	if err := st.ConfirmManualThreshold(ctx, audit.Person("confirmer@example.com"), currency, now); err != nil {
		t.Fatal(err)
	}
}

// Raising a threshold waits for a second person, and the old threshold
// holds until then; the requester may not confirm; lowering takes effect at
// once and drops the raise waiting.
func TestThresholdRaiseWaitsForASecondPerson(t *testing.T) {
	st, _ := newStore(t)
	seed(t, st)
	raiseThreshold(t, st, "USD", 1000)
	if raise, err := st.SetManualThreshold(ctx, mgr, "USD", 100_000_000_000, now); err != nil || !raise {
		t.Fatalf("raise: %v, %v", raise, err)
	}
	if th := must[map[string]int64](t)(st.ManualThresholds(ctx)); th["USD"] != 1000 {
		t.Errorf("threshold in force %d before the raise is confirmed", th["USD"])
	}
	if m := must[desk.ManualCredit](t)(st.CreateManualCredit(ctx, sam, desk.ManualCredit{Customer: "acme", AmountMinor: 5000, Reason: "x"}, now)); m.State != desk.ManualPending {
		t.Errorf("a credit above the old threshold is %s", m.State)
	}
	if err := st.ConfirmManualThreshold(ctx, mgr, "USD", now); errs.CodeOf(err) != errs.Forbidden {
		t.Errorf("the requester confirms: %v", err)
	}
	if raise, err := st.SetManualThreshold(ctx, mgr, "USD", 500, now); err != nil || raise {
		t.Fatalf("lower: %v, %v", raise, err)
	}
	if th := must[map[string]int64](t)(st.ManualThresholds(ctx)); th["USD"] != 500 {
		t.Errorf("threshold %d after lowering", th["USD"])
	}
	if r := must[[]desk.ThresholdRaise](t)(st.ThresholdRaises(ctx)); len(r) != 0 {
		t.Errorf("raises waiting after lowering: %+v", r)
	}
	if err := st.ConfirmManualThreshold(ctx, sam, "USD", now); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("confirming nothing: %v", err)
	}
}

// A customer's webhook gets a signing secret when it is set, keeps it
// while the URL stays, gets a new one when the URL changes and loses it
// with the URL; the audit log names the URL and never holds a secret.
func TestAccountWebhookSecret(t *testing.T) {
	st, db := newStore(t)
	by := sam
	a := desk.Account{ID: "acme", Name: "Acme", Currency: "USD", Email: "b@acme.example", WebhookURL: "https://hooks.acme.example/amends", WebhookSecret: "mine"}
	a = must[desk.Account](t)(st.CreateAccount(ctx, by, a, now))
	first := a.WebhookSecret
	if !strings.HasPrefix(first, "whsec_") || len(first) < 30 {
		t.Fatalf("secret %q", first)
	}
	a.Name = "Acme Corp"
	a.WebhookSecret = ""
	if a = must[desk.Account](t)(st.UpdateAccount(ctx, by, a, now)); a.WebhookSecret != first {
		t.Errorf("the same URL got a new secret")
	}
	a.WebhookURL = "https://other.acme.example/amends"
	a = must[desk.Account](t)(st.UpdateAccount(ctx, by, a, now))
	if second := a.WebhookSecret; second == first || !strings.HasPrefix(second, "whsec_") {
		t.Errorf("a new URL kept or lost the secret: %q", second)
	}
	if stored := must[desk.Account](t)(st.Account(ctx, "acme")); stored != a {
		t.Errorf("stored %+v, returned %+v", stored, a)
	}
	a.WebhookURL = ""
	if a = must[desk.Account](t)(st.UpdateAccount(ctx, by, a, now)); a.WebhookSecret != "" {
		t.Errorf("no webhook, secret %q", a.WebhookSecret)
	}
	var leaked int
	if err := db.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE COALESCE(before_json, '') || COALESCE(after_json, '') LIKE '%whsec_%'`).Scan(&leaked); err != nil {
		t.Fatal(err)
	}
	if leaked != 0 {
		t.Errorf("%d audit entries hold a webhook secret", leaked)
	}
	a.WebhookURL = "https://hooks.acme.example/\x00"
	if _, err := st.UpdateAccount(ctx, by, a, now); errs.FieldOf(err) != "webhook_url" {
		t.Errorf("a control character: %v", err)
	}
}
