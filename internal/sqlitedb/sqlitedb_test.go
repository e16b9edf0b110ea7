package sqlitedb

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/amends/amends/audit"
)

func open(t *testing.T) *sql.DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "amends.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestOpenSettings(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	var mode string
	var fk, sync int
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode %q %v", mode, err)
	}
	if err := db.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Fatalf("foreign_keys %d %v", fk, err)
	}
	if err := db.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil || sync != 2 {
		t.Fatalf("synchronous %d (want 2, FULL) %v", sync, err)
	}
}

func TestMigrateForwardOnly(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	v1 := fstest.MapFS{"0001_a.sql": {Data: []byte("CREATE TABLE a (x INTEGER);")}}
	if err := Migrate(ctx, db, "test", v1); err != nil {
		t.Fatal(err)
	}
	// Applying the same set again is a no-op, and a later version adds only its step.
	v2 := fstest.MapFS{
		"0001_a.sql": {Data: []byte("CREATE TABLE a (x INTEGER);")},
		"0002_b.sql": {Data: []byte("ALTER TABLE a ADD COLUMN y INTEGER;")},
	}
	if err := Migrate(ctx, db, "test", v2); err != nil {
		t.Fatal(err)
	}
	if err := Migrate(ctx, db, "test", v2); err != nil {
		t.Fatal(err)
	}
	if v, _ := Version(ctx, db, "test"); v != 2 {
		t.Fatalf("version %d", v)
	}
	// A failing migration rolls back whole and leaves the version as it was.
	bad := fstest.MapFS{
		"0001_a.sql": v2["0001_a.sql"], "0002_b.sql": v2["0002_b.sql"],
		"0003_c.sql": {Data: []byte("CREATE TABLE c (x INTEGER); SELECT * FROM missing;")},
	}
	if err := Migrate(ctx, db, "test", bad); err == nil {
		t.Fatal("bad migration applied")
	}
	if v, _ := Version(ctx, db, "test"); v != 2 {
		t.Fatalf("version after failure %d", v)
	}
	var n int
	db.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'c'").Scan(&n)
	if n != 0 {
		t.Fatal("half-applied migration left table c")
	}
	// An older binary refuses a newer database.
	if err := Migrate(ctx, db, "test", v1); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("older binary accepted newer database: %v", err)
	}
}

func TestAuditAppendOnly(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	err := InTx(ctx, db, func(tx *sql.Tx) error {
		return Audit(ctx, tx, AuditEntry{Actor: audit.Person("ana"), Action: "thing.create", Entity: "thing", EntityID: "1", After: map[string]int{"x": 1}, At: time.Now()})
	})
	if err != nil {
		t.Fatal(err)
	}
	if rev, err := Revision(ctx, db); err != nil || rev != 1 {
		t.Fatalf("revision %d %v, want 1", rev, err)
	}
	if _, err := db.ExecContext(ctx, "UPDATE audit_log SET actor = 'eve'"); err == nil {
		t.Fatal("audit row updated")
	}
	if _, err := db.ExecContext(ctx, "DELETE FROM audit_log"); err == nil {
		t.Fatal("audit row deleted")
	}
	var after string
	db.QueryRowContext(ctx, "SELECT after_json FROM audit_log").Scan(&after)
	if after != `{"x":1}` {
		t.Fatalf("after_json %q", after)
	}
}

func TestAuditRecordsTheLabel(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	write := func(by audit.Actor) error {
		return InTx(ctx, db, func(tx *sql.Tx) error {
			return Audit(ctx, tx, AuditEntry{Actor: by, Action: "thing.create", Entity: "thing", EntityID: "1", At: time.Now()})
		})
	}
	if err := write(audit.Actor{Person: "ana@example.com", Label: "ana@example.com (token ci)"}); err != nil {
		t.Fatal(err)
	}
	if err := write(audit.Named("visitor 192.0.2.1")); err != nil {
		t.Fatal(err)
	}
	// An actor with nothing to record is refused, and the refusal writes nothing.
	if err := write(audit.Actor{}); err == nil || !strings.Contains(err.Error(), "no actor") {
		t.Fatalf("empty actor: %v", err)
	}
	rows, err := db.QueryContext(ctx, "SELECT actor FROM audit_log ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		got = append(got, a)
	}
	if want := []string{"ana@example.com (token ci)", "visitor 192.0.2.1"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("actors %q, want %q", got, want)
	}
	if rev, err := Revision(ctx, db); err != nil || rev != 2 {
		t.Fatalf("revision %d %v, want 2", rev, err)
	}
}

func TestNullables(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	at := time.Date(2012, 12, 24, 20, 24, 0, 0, time.UTC)
	// What NullTime and NullString store, ParseNullTime and a NullString scan read back.
	var q Queryer = db
	var gotTime, gotNil, gotText, gotEmpty sql.NullString
	err := q.QueryRowContext(ctx, "SELECT ?, ?, ?, ?", NullTime(&at), NullTime(nil), NullString("x"), NullString("")).
		Scan(&gotTime, &gotNil, &gotText, &gotEmpty)
	if err != nil {
		t.Fatal(err)
	}
	if gotNil.Valid || gotEmpty.Valid || gotText.String != "x" {
		t.Fatalf("NULLs: %+v %+v %+v", gotNil, gotEmpty, gotText)
	}
	if p, err := ParseNullTime(gotTime); err != nil || p == nil || !p.Equal(at) {
		t.Fatalf("ParseNullTime(%q) = %v, %v", gotTime.String, p, err)
	}
	if p, err := ParseNullTime(gotNil); err != nil || p != nil {
		t.Fatalf("ParseNullTime(NULL) = %v, %v", p, err)
	}
	if _, err := ParseNullTime(sql.NullString{String: "24 Dec 2012", Valid: true}); err == nil || !strings.Contains(err.Error(), `"24 Dec 2012"`) {
		t.Fatalf("bad stored instant: %v", err)
	}
}
