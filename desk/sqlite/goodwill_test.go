package sqlite

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
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
	got := must[desk.CreditRun](t)(st.Run(ctx, 7))
	if got.State != desk.RunIssued || got.Kind != desk.RunMonth || got.Incident != "" || got.Issued.Entries != 1 || len(ledger(t, st, desk.LedgerFilter{})) != 1 {
		t.Fatalf("after migration %+v", got)
	}
	if lines, n, err := st.RunLines(ctx, 7, desk.AllLines, 0, 10); err != nil || n != 1 || lines[0].PayableMinor != 25000 {
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
	if _, err := st.RequestGoodwill(ctx, sam, desk.GoodwillGrant{Incident: "1", Days: 10, Services: []string{"ELB"}, Components: []string{elbComp},
		EligibleComponents: []string{"ebs-us-east-1a"}}, now); errs.FieldOf(err) != "eligible_components[0]" {
		t.Fatalf("an eligible component outside the grant's: %v", err)
	}
	g, err := st.RequestGoodwill(ctx, sam, desk.GoodwillGrant{Incident: "1", Days: 10, Services: []string{"ELB"}, Components: []string{elbComp},
		EligibleComponents: []string{elbComp}, Reason: "Christmas"}, now)
	if err != nil || g.ID == 0 || g.State != desk.GoodwillPending {
		t.Fatalf("%+v %v", g, err)
	}
	if _, err := st.RequestGoodwill(ctx, mgr, desk.GoodwillGrant{Incident: "1", Days: 3, Services: []string{"ELB"}}, now); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("second grant: %v", err)
	}
	if _, err := st.RequestGoodwill(ctx, mgr, desk.GoodwillGrant{Incident: "9", Days: 0, Services: []string{"ELB"}}, now); errs.FieldOf(err) != "days" {
		t.Fatalf("bad grant: %v", err)
	}
	if _, err := st.ApproveGoodwill(ctx, audit.Actor{Person: sam.Person, Label: "other token"}, g.ID, now); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("self approval: %v", err)
	}
	g = must[desk.GoodwillGrant](t)(st.ApproveGoodwill(ctx, mgr, g.ID, now))
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
	grants := must[[]desk.GoodwillGrant](t)(st.GoodwillGrants(ctx, "1"))
	if len(grants) != 1 || grants[0].ApprovedBy != mgr.Person || grants[0].Components[0] != elbComp || len(grants[0].EligibleComponents) != 1 {
		t.Fatalf("grants %+v", grants)
	}

	runOnce := func() desk.CreditRun {
		d := must[*desk.MonthData](t)(st.MonthData(ctx, "2012-12"))
		lines, err := desk.PreviewGoodwill("1", "2012-12", now, desk.WithGoodwill(base(), grants), d)
		if err != nil {
			t.Fatal(err)
		}
		run, err := desk.NewIncidentRun("1", "2012-12", now, lines, sam.Person, now)
		if err != nil {
			t.Fatal(err)
		}
		return issue(t, st, must[desk.CreditRun](t)(st.CreateRun(ctx, sam, run, lines, now)))
	}
	first := runOnce()
	if first.Kind != desk.RunIncident || first.Incident != "1" || first.Issued.Entries != 2 {
		t.Fatalf("first %+v", first)
	}
	want := map[string]int64{"acme": 80645, "globex": 32258} // 10/31 of the December charges
	for _, e := range ledger(t, st, desk.LedgerFilter{RunID: first.ID}) {
		if e.Kind != desk.EntryGoodwill || e.Incident != "1" || e.AmountMinor != want[e.Customer] {
			t.Errorf("entry %+v", e)
		}
	}
	if second := runOnce(); second.Issued.Entries != 0 {
		t.Fatalf("second run paid %+v", second.Issued)
	}
	// A month run of the same month leaves the goodwill alone.
	issue(t, st, preview(t, st, "2012-12"))
	if n := len(ledger(t, st, desk.LedgerFilter{Period: "2012-12"})); n != 4 {
		t.Fatalf("ledger holds %d entries", n)
	}
}

// A pending grant is withdrawn by its requester or a manager, with a
// reason and an audit entry; it stays as history, frees the incident for a
// new grant, and is final. An approved grant cannot be withdrawn.
func TestWithdrawGoodwill(t *testing.T) {
	st, db := newStore(t)
	seed(t, st)
	elb := desk.GoodwillGrant{Incident: "1", Days: 10, Services: []string{"ELB"}}
	g := must[desk.GoodwillGrant](t)(st.RequestGoodwill(ctx, sam, elb, now))
	if _, err := st.WithdrawGoodwill(ctx, zoe, g.ID, false, "not mine", now); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("someone else withdrew: %v", err)
	}
	if _, err := st.WithdrawGoodwill(ctx, sam, g.ID, false, "", now); errs.FieldOf(err) != "reason" {
		t.Fatalf("no reason: %v", err)
	}
	if _, err := st.WithdrawGoodwill(ctx, sam, 99, false, "gone", now); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("unknown grant: %v", err)
	}
	w := must[desk.GoodwillGrant](t)(st.WithdrawGoodwill(ctx, audit.Actor{Person: sam.Person, Label: "another token"}, g.ID, false, "Wrong service.", now))
	if w.State != desk.GoodwillWithdrawn || w.WithdrawnBy != sam.Person || w.WithdrawReason != "Wrong service." || !w.WithdrawnAt.Equal(now) {
		t.Fatalf("withdrawn %+v", w)
	}
	if got := must[desk.GoodwillGrant](t)(st.GoodwillGrant(ctx, g.ID)); got.State != desk.GoodwillWithdrawn || got.WithdrawnAt == nil || got.WithdrawReason != "Wrong service." {
		t.Fatalf("stored %+v", got)
	}
	if _, err := st.WithdrawGoodwill(ctx, mgr, g.ID, true, "again", now); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("withdrawn twice: %v", err)
	}
	if _, err := st.ApproveGoodwill(ctx, mgr, g.ID, now); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("a withdrawn grant approved: %v", err)
	}
	if _, err := db.ExecContext(ctx, `UPDATE goodwill_grants SET state = 'pending', withdrawn_by = NULL, withdrawn_at = NULL, withdraw_reason = NULL`); err == nil {
		t.Fatal("a withdrawn grant came back")
	}

	// The incident is free again; a manager withdraws that one, and the third is approved and final.
	second := must[desk.GoodwillGrant](t)(st.RequestGoodwill(ctx, sam, elb, now))
	if _, err := st.RequestGoodwill(ctx, sam, elb, now); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("two live grants: %v", err)
	}
	must[desk.GoodwillGrant](t)(st.WithdrawGoodwill(ctx, mgr, second.ID, true, "Duplicate.", now))
	third := must[desk.GoodwillGrant](t)(st.RequestGoodwill(ctx, sam, elb, now))
	must[desk.GoodwillGrant](t)(st.ApproveGoodwill(ctx, mgr, third.ID, now))
	if _, err := st.WithdrawGoodwill(ctx, mgr, third.ID, true, "Changed my mind.", now); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("an approved grant withdrawn: %v", err)
	}
	grants := must[[]desk.GoodwillGrant](t)(st.GoodwillGrants(ctx, "1"))
	if len(grants) != 3 || grants[0].State != desk.GoodwillWithdrawn || grants[1].WithdrawnBy != mgr.Person || grants[2].State != desk.GoodwillApproved {
		t.Fatalf("history %+v", grants)
	}
	var audits []string
	rows, err := db.Query(`SELECT action || ' ' || entity_id || ' ' || actor FROM audit_log WHERE action = 'goodwill.withdraw' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		audits = append(audits, a)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("goodwill.withdraw %d another token|goodwill.withdraw %d %s", g.ID, second.ID, mgr.Label); strings.Join(audits, "|") != want {
		t.Fatalf("audits %q, want %q", audits, want)
	}
}

// A database with goodwill grants migrates to withdrawable grants with
// them intact, one live grant per incident still enforced.
func TestMigrateGoodwillWithdrawKeepsGrants(t *testing.T) {
	db, err := sqlitedb.Open(ctx, filepath.Join(t.TempDir(), "amends.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	old := fstest.MapFS{}
	for _, name := range []string{"0001_desk.sql", "0002_statement_links.sql", "0003_goodwill.sql"} {
		b, err := fs.ReadFile(migrationFS, "migrations/"+name)
		if err != nil {
			t.Fatal(err)
		}
		old[name] = &fstest.MapFile{Data: b}
	}
	if err := sqlitedb.Migrate(ctx, db, MigrationSet, old); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO goodwill_grants (id, incident, days, services_json, components_json, reason, state,
		requested_by, requested_at, approved_by, approved_at) VALUES
		(4, '1', 10, '["ELB"]', '[]', 'Christmas', 'approved', 'sam', '2013-01-05T00:00:00Z', 'max', '2013-01-06T00:00:00Z'),
		(5, '2', 3, '["EC2"]', '["ec2-a"]', '', 'pending', 'sam', '2013-01-05T00:00:00Z', NULL, NULL)`); err != nil {
		t.Fatal(err)
	}
	st, err := New(db)
	if err != nil {
		t.Fatal(err)
	}
	got := must[[]desk.GoodwillGrant](t)(st.GoodwillGrants(ctx, ""))
	if len(got) != 2 || got[0].State != desk.GoodwillApproved || got[0].ApprovedBy != "max" || got[0].Reason != "Christmas" ||
		got[1].State != desk.GoodwillPending || got[1].Components[0] != "ec2-a" || got[1].WithdrawnAt != nil {
		t.Fatalf("after migration %+v", got)
	}
	if _, err := st.RequestGoodwill(ctx, sam, desk.GoodwillGrant{Incident: "1", Days: 2, Services: []string{"ELB"}}, now); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("second live grant: %v", err)
	}
	must[desk.GoodwillGrant](t)(st.WithdrawGoodwill(ctx, audit.Actor{Person: "sam"}, 5, false, "Wrong zone.", now))
	if _, err := db.ExecContext(ctx, `UPDATE goodwill_grants SET days = 30 WHERE id = 4`); err == nil {
		t.Fatal("the final trigger is gone")
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM goodwill_grants`); err == nil {
		t.Fatal("the no-delete trigger is gone")
	}
}
