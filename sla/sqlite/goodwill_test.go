package sqlite

import (
	"io/fs"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
	"github.com/amends/amends/sla"
)

// A database with issued month runs migrates to goodwill runs with its
// runs, lines and ledger intact and its triggers back in place.
func TestMigrateGoodwillKeepsRuns(t *testing.T) {
	db, err := sqlitedb.Open(ctx, filepath.Join(t.TempDir(), "amends.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	old := fstest.MapFS{}
	for _, name := range []string{"0001_desk.sql", "0002_statement_links.sql"} {
		b, err := fs.ReadFile(migrationFS, "migrations/"+name)
		if err != nil {
			t.Fatal(err)
		}
		old[name] = &fstest.MapFile{Data: b}
	}
	if err := sqlitedb.Migrate(ctx, db, MigrationSet, old); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO customers VALUES ('acme', 'Acme', '', 'USD', 'b@acme.example', '2013-01-05T00:00:00Z', '2013-01-05T00:00:00Z')`,
		`INSERT INTO credit_runs (id, kind, period, state, as_of, previewed_by, previewed_at, requested_by, requested_at, approved_by, approved_at,
			lines, totals_json, issued_json) VALUES (7, 'month', '2012-12', 'issued', '2013-01-05T00:00:00Z', 'sam', '2013-01-05T00:00:00Z',
			'sam', '2013-01-05T00:00:00Z', 'max', '2013-01-05T00:00:00Z', 1, '[]', '{"entries":1,"totals":[]}')`,
		`INSERT INTO credit_run_lines VALUES (7, 0, 'acme', 'ELB', 'elb', 'USD', '3600', '99.8655', 100000, 250000, 25000, 25000,
			'2013-03-01T00:00:00Z', 'not_required', 'r')`,
		`INSERT INTO ledger_entries (customer_id, currency, amount_minor, kind, credit_kind, service_id, period, reason, run_id, created_at, actor)
			VALUES ('acme', 'USD', 25000, 'tier', 'tier', 'ELB', '2012-12', 'r', 7, '2013-01-05T00:00:00Z', 'max')`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	st, err := New(db)
	if err != nil {
		t.Fatal(err)
	}
	got := must[sla.CreditRun](t)(st.Run(ctx, 7))
	if got.State != sla.RunIssued || got.Kind != sla.RunMonth || got.Incident != "" || got.Issued.Entries != 1 || len(ledger(t, st, sla.LedgerFilter{})) != 1 {
		t.Fatalf("after migration %+v", got)
	}
	if lines, n, err := st.RunLines(ctx, 7, 0, 10); err != nil || n != 1 || lines[0].PayableMinor != 25000 {
		t.Fatalf("lines %+v %d %v", lines, n, err)
	}
	var fk int
	if err := db.QueryRow(`SELECT count(*) FROM pragma_foreign_key_check`).Scan(&fk); err != nil || fk != 0 {
		t.Fatalf("foreign key check: %d %v", fk, err)
	}
	if _, err := db.ExecContext(ctx, `UPDATE credit_runs SET state = 'previewed'`); err == nil {
		t.Fatal("the forward trigger is gone")
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM credit_runs`); err == nil {
		t.Fatal("the no-delete trigger is gone")
	}
}

// April 2011: a goodwill grant is requested by one person, approved by
// another (403 for the requester, 409 twice), and its incident run pays
// goodwill entries once.
func TestGoodwillGrantAndRun(t *testing.T) {
	st, db := newStore(t)
	seed(t, st)
	if _, err := st.RequestGoodwill(ctx, sam, sla.GoodwillGrant{Incident: "1", Days: 10, Services: []string{"ELB"}, Components: []string{elbComp},
		EligibleComponents: []string{"ebs-us-east-1a"}}, now); errs.FieldOf(err) != "eligible_components[0]" {
		t.Fatalf("an eligible component outside the grant's: %v", err)
	}
	g, err := st.RequestGoodwill(ctx, sam, sla.GoodwillGrant{Incident: "1", Days: 10, Services: []string{"ELB"}, Components: []string{elbComp},
		EligibleComponents: []string{elbComp}, Reason: "Christmas"}, now)
	if err != nil || g.ID == 0 || g.State != sla.GoodwillPending {
		t.Fatalf("%+v %v", g, err)
	}
	if _, err := st.RequestGoodwill(ctx, mgr, sla.GoodwillGrant{Incident: "1", Days: 3, Services: []string{"ELB"}}, now); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("second grant: %v", err)
	}
	if _, err := st.RequestGoodwill(ctx, mgr, sla.GoodwillGrant{Incident: "9", Days: 0, Services: []string{"ELB"}}, now); errs.FieldOf(err) != "days" {
		t.Fatalf("bad grant: %v", err)
	}
	if _, err := st.ApproveGoodwill(ctx, sla.Actor{Person: sam.Person, Label: "other token"}, g.ID, now); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("self approval: %v", err)
	}
	g = must[sla.GoodwillGrant](t)(st.ApproveGoodwill(ctx, mgr, g.ID, now))
	if _, err := st.ApproveGoodwill(ctx, zoe, g.ID, now); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("second approval: %v", err)
	}
	for _, q := range []string{`UPDATE goodwill_grants SET days = 30`, `UPDATE goodwill_grants SET eligible_json = '[]'`} {
		if _, err := db.ExecContext(ctx, q); err == nil {
			t.Fatalf("an approved grant changed: %s", q)
		}
	}
	var audits int
	if err := db.QueryRow(`SELECT count(*) FROM audit_log WHERE entity = 'goodwill_grant'`).Scan(&audits); err != nil || audits != 2 {
		t.Fatalf("audits %d %v", audits, err)
	}
	grants := must[[]sla.GoodwillGrant](t)(st.GoodwillGrants(ctx, "1"))
	if len(grants) != 1 || grants[0].ApprovedBy != mgr.Person || grants[0].Components[0] != elbComp || len(grants[0].EligibleComponents) != 1 {
		t.Fatalf("grants %+v", grants)
	}

	runOnce := func() sla.CreditRun {
		d := must[*sla.MonthData](t)(st.MonthData(ctx, "2012-12"))
		lines, err := sla.PreviewGoodwill("1", "2012-12", now, sla.WithGoodwill(base(), grants), d)
		if err != nil {
			t.Fatal(err)
		}
		run, err := sla.NewIncidentRun("1", "2012-12", now, lines, sam.Person, now)
		if err != nil {
			t.Fatal(err)
		}
		return issue(t, st, must[sla.CreditRun](t)(st.CreateRun(ctx, sam, run, lines, now)))
	}
	first := runOnce()
	if first.Kind != sla.RunIncident || first.Incident != "1" || first.Issued.Entries != 2 {
		t.Fatalf("first %+v", first)
	}
	want := map[string]int64{"acme": 80645, "globex": 32258} // 10/31 of the December charges
	for _, e := range ledger(t, st, sla.LedgerFilter{RunID: first.ID}) {
		if e.Kind != sla.EntryGoodwill || e.Incident != "1" || e.AmountMinor != want[e.Customer] {
			t.Errorf("entry %+v", e)
		}
	}
	if second := runOnce(); second.Issued.Entries != 0 {
		t.Fatalf("second run paid %+v", second.Issued)
	}
	// A month run of the same month leaves the goodwill alone.
	issue(t, st, preview(t, st, "2012-12"))
	if n := len(ledger(t, st, sla.LedgerFilter{Period: "2012-12"})); n != 4 {
		t.Fatalf("ledger holds %d entries", n)
	}
}
