package sqlitedb

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/amends/amends/audit"
)

// audited commits one audited write to db.
func audited(t *testing.T, db *sql.DB, id string) {
	t.Helper()
	ctx := context.Background()
	err := InTx(ctx, db, func(tx *sql.Tx) error {
		return Audit(ctx, tx, AuditEntry{Actor: audit.Named("test"), Action: "thing.create", Entity: "thing", EntityID: id, At: time.Now()})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestBackup: the copy is one file, in rollback-journal mode (header bytes
// 18 and 19 are 1, not WAL's 2), with nothing beside it, holds every
// committed write, and replaces an older file at the same path; no
// temporary file is left in the directory.
func TestBackup(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	audited(t, db, "1")
	audited(t, db, "2")
	dir := t.TempDir()
	out := filepath.Join(dir, "copy.db")
	if err := os.WriteFile(out, []byte("an older backup"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Backup(ctx, db, out); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "copy.db" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("the backup directory holds %v, want just copy.db", names)
	}
	head := make([]byte, 20)
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Read(head)
	f.Close()
	if err != nil || string(head[:16]) != "SQLite format 3\x00" || head[18] != 1 || head[19] != 1 {
		t.Fatalf("the copy's header %q (err %v): want an SQLite file in rollback-journal mode", head, err)
	}
	copyDB, err := OpenExisting(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	defer copyDB.Close()
	var n int
	if err := copyDB.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE entity = 'thing'`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("the copy has %d of the 2 writes (%v)", n, err)
	}
	if r, err := Revision(ctx, copyDB); err != nil || r < 2 {
		t.Errorf("the copy's revision %d %v", r, err)
	}
}

// TestBackupFailureLeavesOut: a backup that fails (here, cancelled) leaves
// the file at out as it was and no temporary file behind.
func TestBackupFailureLeavesOut(t *testing.T) {
	db := open(t)
	audited(t, db, "1")
	dir := t.TempDir()
	out := filepath.Join(dir, "copy.db")
	if err := os.WriteFile(out, []byte("an older backup"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Backup(ctx, db, out); err == nil {
		t.Fatal("a cancelled backup succeeded")
	}
	if b, err := os.ReadFile(out); err != nil || string(b) != "an older backup" {
		t.Errorf("out after a failed backup: %q %v", b, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files in the directory after a failed backup, want 1", len(entries))
	}
	if err := Backup(context.Background(), db, filepath.Join(dir, "no-such-dir", "copy.db")); err == nil {
		t.Error("a backup into a missing directory succeeded")
	}
}

// TestOpenExisting neither creates a missing file nor migrates.
func TestOpenExisting(t *testing.T) {
	file := filepath.Join(t.TempDir(), "missing.db")
	if db, err := OpenExisting(context.Background(), file); err == nil {
		db.Close()
		t.Fatal("OpenExisting opened a missing file")
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("OpenExisting created %s: %v", file, err)
	}
}
