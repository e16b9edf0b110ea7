package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of db to the file out, while other
// connections and processes keep writing: the copy holds exactly what was
// committed when its read transaction began, so every write acknowledged
// before Backup was called is in it.
//
// The copy is made with VACUUM INTO into a temporary file beside out, which
// is fsynced and then renamed over out (and the directory fsynced), so out
// is never a half-written file: it is either the old file or the whole new
// copy. The copy is one self-contained file: VACUUM INTO writes it in
// rollback-journal mode, with no -wal to carry beside it, and Open turns
// WAL back on when the copy is served.
func Backup(ctx context.Context, db *sql.DB, out string) (err error) {
	dir, base := filepath.Split(out)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".backup-*")
	if err != nil {
		return fmt.Errorf("backup to %s: %w", out, err)
	}
	tmpName := tmp.Name()
	tmp.Close()
	defer func() {
		if err != nil {
			os.Remove(tmpName)
			os.Remove(tmpName + "-journal")
		}
	}()
	// VACUUM INTO accepts an existing file only when it is empty, as the one
	// CreateTemp made is.
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, tmpName); err != nil {
		return fmt.Errorf("backup to %s: copying: %w", out, err)
	}
	if err := syncFile(tmpName); err != nil {
		return fmt.Errorf("backup to %s: %w", out, err)
	}
	if err := os.Rename(tmpName, out); err != nil {
		return fmt.Errorf("backup to %s: %w", out, err)
	}
	// Without this, a crash right after the rename could lose it.
	if err := syncFile(dir); err != nil {
		return fmt.Errorf("backup to %s: the copy is in place, but syncing its directory failed: %w", out, err)
	}
	return nil
}

// syncFile fsyncs the file or directory at name.
func syncFile(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	err = f.Sync()
	return errors.Join(err, f.Close())
}
