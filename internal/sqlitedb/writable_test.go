package sqlitedb

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestOpenReadOnlyPlaces: a database that cannot be written says which file
// or directory is at fault, not SQLite's "unable to open database file: no
// such file or directory". Skipped for a user whom permissions do not stop
// (root), found by a write probe.
func TestOpenReadOnlyPlaces(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	file := filepath.Join(dir, "amends.db")
	db, err := Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	db.Close() // the last connection's close removes -wal and -shm
	t.Cleanup(func() { os.Chmod(dir, 0o755); os.Chmod(file, 0o644) })
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	if canCreateIn(dir) == nil {
		t.Skip("this user writes in a read-only directory (root?): nothing to test")
	}

	cases := []struct {
		name, file string
		dirMode    os.FileMode
		fileMode   os.FileMode
		say        string
	}{
		{"existing file, read-only directory", file, 0o555, 0o644, "cannot write in the directory " + dir},
		{"new file, read-only directory", filepath.Join(dir, "new.db"), 0o555, 0o644, "cannot create the database " + filepath.Join(dir, "new.db")},
		{"read-only file", file, 0o755, 0o444, "cannot write to " + file},
	}
	for _, tc := range cases {
		if err := os.Chmod(dir, tc.dirMode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(file, tc.fileMode); err != nil {
			t.Fatal(err)
		}
		db, err := Open(ctx, tc.file)
		if err == nil {
			db.Close()
			t.Errorf("%s: Open succeeded", tc.name)
			continue
		}
		if !strings.Contains(err.Error(), tc.say) || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("%s: %v\nwant it to say %q and permission denied", tc.name, err, tc.say)
		}
	}
}

// TestProbeWrite: the probe passes on a writable database and changes
// nothing, not even the data revision.
func TestProbeWrite(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	before, err := Revision(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if err := ProbeWrite(ctx, db); err != nil {
		t.Fatal(err)
	}
	if after, err := Revision(ctx, db); err != nil || after != before {
		t.Errorf("the probe moved the revision from %d to %d (%v)", before, after, err)
	}

	// With a deadline the probe shortens its connection's wait for the
	// lock, and gives the connection back with the usual wait.
	db.SetMaxOpenConns(1)
	dctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if err := ProbeWrite(dctx, db); err != nil {
		t.Fatal(err)
	}
	var ms int
	if err := db.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&ms); err != nil || ms != busyTimeoutMS {
		t.Errorf("busy_timeout after a probe with a deadline: %d %v, want %d", ms, err, busyTimeoutMS)
	}
}
