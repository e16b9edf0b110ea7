package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/internal/sqlitedb"
)

func open(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sqlitedb.Open(context.Background(), filepath.Join(t.TempDir(), "amends.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Entries selects one entity's history with Entity and EntityID,
// newest first, together with the other filters.
func TestEntriesOfOneEntity(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	at := time.Date(2013, 1, 5, 0, 0, 0, 0, time.UTC)
	for i, e := range []sqlitedb.AuditEntry{
		{Actor: audit.Person("max"), Action: "sla_policy.create", Entity: "sla_policy", EntityID: "elb"},
		{Actor: audit.Person("max"), Action: "sla_policy.create", Entity: "sla_policy", EntityID: "elb-acme"},
		{Actor: audit.Person("zoe"), Action: "sla_policy.update", Entity: "sla_policy", EntityID: "elb"},
		{Actor: audit.Person("zoe"), Action: "customer.create", Entity: "customer", EntityID: "elb"},
	} {
		e.At = at.Add(time.Duration(i) * time.Minute)
		if err := sqlitedb.InTx(ctx, db, func(tx *sql.Tx) error { return sqlitedb.Audit(ctx, tx, e) }); err != nil {
			t.Fatal(err)
		}
	}
	list, total, err := New(db).Entries(ctx, audit.Filter{Entity: "sla_policy", EntityID: "elb"})
	if err != nil || total != 2 || len(list) != 2 || list[0].Action != "sla_policy.update" || list[1].Actor != "max" {
		t.Fatalf("%+v (%d), %v", list, total, err)
	}
	if list, total, _ := New(db).Entries(ctx, audit.Filter{Entity: "sla_policy", EntityID: "elb", Limit: 1}); total != 2 || len(list) != 1 || list[0].Actor != "zoe" {
		t.Errorf("newest change: %+v (%d)", list, total)
	}
	if _, total, _ := New(db).Entries(ctx, audit.Filter{EntityID: "elb", Actor: "zoe"}); total != 2 {
		t.Errorf("id and actor: %d rows, want 2", total)
	}
}

// LatestEntries is the newest row of each id of one entity, in one
// query: other entities' rows with the same id do not count.
func TestLatestEntries(t *testing.T) {
	db := open(t)
	ctx := context.Background()
	at := time.Date(2013, 1, 5, 0, 0, 0, 0, time.UTC)
	for i, e := range []sqlitedb.AuditEntry{
		{Actor: audit.Person("max"), Action: "sla_policy.create", Entity: "sla_policy", EntityID: "elb"},
		{Actor: audit.Person("max"), Action: "sla_policy.create", Entity: "sla_policy", EntityID: "elb-acme"},
		{Actor: audit.Person("zoe"), Action: "sla_policy.update", Entity: "sla_policy", EntityID: "elb"},
		{Actor: audit.Person("ana"), Action: "customer.create", Entity: "customer", EntityID: "elb"},
	} {
		e.At = at.Add(time.Duration(i) * time.Minute)
		if err := sqlitedb.InTx(ctx, db, func(tx *sql.Tx) error { return sqlitedb.Audit(ctx, tx, e) }); err != nil {
			t.Fatal(err)
		}
	}
	got, err := New(db).LatestEntries(ctx, "sla_policy")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["elb"].Actor != "zoe" || got["elb"].Action != "sla_policy.update" || !got["elb"].At.Equal(at.Add(2*time.Minute)) ||
		got["elb-acme"].Actor != "max" || got["elb-acme"].Entity != "sla_policy" {
		t.Errorf("latest: %+v", got)
	}
	if got, err := New(db).LatestEntries(ctx, "sla_claim"); err != nil || len(got) != 0 {
		t.Errorf("no rows: %+v, %v", got, err)
	}
}
