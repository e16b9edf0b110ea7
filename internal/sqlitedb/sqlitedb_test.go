package sqlitedb

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
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
		return Audit(ctx, tx, AuditEntry{Actor: "ana", Action: "thing.create", Entity: "thing", EntityID: "1", After: map[string]int{"x": 1}, At: time.Now()})
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

// AuditEntries selects one entity's history with Entity and EntityID,
// newest first, together with the other filters.
func TestAuditEntriesOfOneEntity(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	at := time.Date(2013, 1, 5, 0, 0, 0, 0, time.UTC)
	for i, e := range []AuditEntry{
		{Actor: "max", Action: "sla_policy.create", Entity: "sla_policy", EntityID: "elb"},
		{Actor: "max", Action: "sla_policy.create", Entity: "sla_policy", EntityID: "elb-acme"},
		{Actor: "zoe", Action: "sla_policy.update", Entity: "sla_policy", EntityID: "elb"},
		{Actor: "zoe", Action: "customer.create", Entity: "customer", EntityID: "elb"},
	} {
		e.At = at.Add(time.Duration(i) * time.Minute)
		if err := InTx(ctx, db, func(tx *sql.Tx) error { return Audit(ctx, tx, e) }); err != nil {
			t.Fatal(err)
		}
	}
	list, total, err := AuditEntries(ctx, db, AuditFilter{Entity: "sla_policy", EntityID: "elb"})
	if err != nil || total != 2 || len(list) != 2 || list[0].Action != "sla_policy.update" || list[1].Actor != "max" {
		t.Fatalf("%+v (%d), %v", list, total, err)
	}
	if list, total, _ := AuditEntries(ctx, db, AuditFilter{Entity: "sla_policy", EntityID: "elb", Limit: 1}); total != 2 || len(list) != 1 || list[0].Actor != "zoe" {
		t.Errorf("newest change: %+v (%d)", list, total)
	}
	if _, total, _ := AuditEntries(ctx, db, AuditFilter{EntityID: "elb", Actor: "zoe"}); total != 2 {
		t.Errorf("id and actor: %d rows, want 2", total)
	}
}

// LatestAuditEntries is the newest row of each id of one entity, in one
// query: other entities' rows with the same id do not count.
func TestLatestAuditEntries(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	at := time.Date(2013, 1, 5, 0, 0, 0, 0, time.UTC)
	for i, e := range []AuditEntry{
		{Actor: "max", Action: "sla_policy.create", Entity: "sla_policy", EntityID: "elb"},
		{Actor: "max", Action: "sla_policy.create", Entity: "sla_policy", EntityID: "elb-acme"},
		{Actor: "zoe", Action: "sla_policy.update", Entity: "sla_policy", EntityID: "elb"},
		{Actor: "ana", Action: "customer.create", Entity: "customer", EntityID: "elb"},
	} {
		e.At = at.Add(time.Duration(i) * time.Minute)
		if err := InTx(ctx, db, func(tx *sql.Tx) error { return Audit(ctx, tx, e) }); err != nil {
			t.Fatal(err)
		}
	}
	got, err := LatestAuditEntries(ctx, db, "sla_policy")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["elb"].Actor != "zoe" || got["elb"].Action != "sla_policy.update" || !got["elb"].At.Equal(at.Add(2*time.Minute)) ||
		got["elb-acme"].Actor != "max" || got["elb-acme"].Entity != "sla_policy" {
		t.Errorf("latest: %+v", got)
	}
	if got, err := LatestAuditEntries(ctx, db, "sla_claim"); err != nil || len(got) != 0 {
		t.Errorf("no rows: %+v, %v", got, err)
	}
}
