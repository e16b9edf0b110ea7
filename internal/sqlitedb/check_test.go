package sqlitedb

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

func TestCheck(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	core, err := LatestCore()
	if err != nil || core < 2 {
		t.Fatalf("LatestCore %d %v", core, err)
	}
	r, err := Check(ctx, db, map[string]int{CoreSet: core})
	if err != nil || !r.OK() {
		t.Fatalf("a fresh database: %+v %v", r, err)
	}
	if len(r.Levels) != 1 || r.Levels[0] != (Level{CoreSet, core, core}) {
		t.Errorf("levels %+v", r.Levels)
	}

	// A set the binary is ahead of, and one the database has that the
	// binary does not know.
	r, err = Check(ctx, db, map[string]int{CoreSet: core, "later": 3})
	if err != nil || r.OK() || r.Levels[1] != (Level{"later", 0, 3}) {
		t.Errorf("a set the database lacks: %+v %v", r, err)
	}
	r, err = Check(ctx, db, map[string]int{})
	if err != nil || r.OK() || len(r.Levels) != 1 || r.Levels[0] != (Level{CoreSet, core, 0}) {
		t.Errorf("a set the binary does not know: %+v %v", r, err)
	}

	// A row whose reference finds nothing, written with enforcement off.
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`PRAGMA foreign_keys = OFF`,
		`CREATE TABLE parent (id INTEGER PRIMARY KEY)`,
		`CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id))`,
		`INSERT INTO child (id, parent_id) VALUES (7, 42)`,
		`PRAGMA foreign_keys = ON`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	conn.Close()
	r, err = Check(ctx, db, map[string]int{CoreSet: core})
	if err != nil || r.OK() || len(r.ForeignKeys) != 1 || r.ForeignKeys[0] != (ForeignKeyViolation{"child", 7, "parent"}) {
		t.Errorf("a dangling reference: %+v %v", r, err)
	}
}

// TestCheckNotADatabase: a file that is not SQLite is an error, not a
// report.
func TestCheckNotADatabase(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "notes.db")
	if err := os.WriteFile(file, []byte("these are not the pages you are looking for, not at all, no"), 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := OpenExisting(ctx, file)
	if err != nil {
		return // refused at open: as good
	}
	defer db.Close()
	if r, err := Check(ctx, db, map[string]int{CoreSet: 1}); err == nil {
		t.Errorf("Check on a text file: %+v", r)
	}
}
