package sqlitedb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// ProbeWrite tells whether db takes writes now: in a write transaction it
// rewrites the data revision's row and the database header's user_version
// with their own values and commits, so no value changes. BEGIN IMMEDIATE
// alone is not enough: SQLite grants it on a file it opened read-only and
// refuses only the first page written. A transaction rolled back writes
// nothing to disk, and a row rewritten with the bytes it holds is not
// written either, so only a commit of the header, which SQLite writes
// whatever it holds, finds a disk that is full.
// While another connection holds the write lock the probe waits, as a write
// would, up to the busy timeout, or until ctx's deadline when that is
// sooner: SQLite's wait for the lock does not stop when ctx ends, so the
// probe's connection waits no longer than the deadline.
func ProbeWrite(ctx context.Context, db *sql.DB) (err error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		if wait := time.Until(deadline).Milliseconds(); wait < busyTimeoutMS {
			if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", max(wait, 1))); err != nil {
				return err
			}
			defer func() {
				// The connection goes back to the pool: with its usual
				// timeout, or not at all.
				if _, rerr := conn.ExecContext(context.Background(), fmt.Sprintf("PRAGMA busy_timeout = %d", busyTimeoutMS)); rerr != nil {
					conn.Raw(func(any) error { return driver.ErrBadConn })
				}
			}()
		}
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err = tx.ExecContext(ctx, `UPDATE data_revision SET n = n WHERE id = 1`); err != nil {
		return err
	}
	var v int64
	if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, v)); err != nil {
		return err
	}
	return tx.Commit()
}

// explainUnwritable returns why the database at file cannot be written, in
// the operator's terms, or nil when it finds no such reason: SQLite's own
// messages ("unable to open database file", "attempt to write a readonly
// database") name neither the file nor the directory at fault.
func explainUnwritable(file string) error {
	dir := filepath.Dir(file)
	if st, err := os.Stat(dir); err != nil {
		return fmt.Errorf("cannot use directory %s: %w", dir, err)
	} else if !st.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
		if err := canCreateIn(dir); err != nil {
			return fmt.Errorf("cannot create the database %s: cannot write in its directory %s: %w", file, dir, err)
		}
		return nil
	}
	for _, f := range []string{file, file + "-wal", file + "-shm"} {
		w, err := os.OpenFile(f, os.O_WRONLY, 0)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("cannot write to %s: %w: the database file, and its -wal and -shm files, must be writable by the user running amends", f, unwrapPath(err))
		}
		w.Close()
	}
	if err := canCreateIn(dir); err != nil {
		return fmt.Errorf("cannot write in the directory %s of the database %s: %w: SQLite creates %s-wal and %s-shm beside the database, so its directory must be writable by the user running amends",
			dir, file, err, filepath.Base(file), filepath.Base(file))
	}
	return nil
}

// canCreateIn tells whether a file can be created in dir, by creating one
// and removing it.
func canCreateIn(dir string) error {
	f, err := os.CreateTemp(dir, ".amends-write-probe-*")
	if err != nil {
		return unwrapPath(err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// unwrapPath drops the operation and path of a *fs.PathError, which the
// callers' messages already name.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
