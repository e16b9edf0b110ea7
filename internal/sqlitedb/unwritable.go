package sqlitedb

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/mattn/go-sqlite3"

	"github.com/amends/amends/internal/errs"
)

// Messages of the errs.Unavailable errors a refused write becomes: what a
// person sees, in the API's error body or on the error page.
const (
	fullMessage     = "the database's disk is full, so nothing was saved; pages can still be read, and saving works again once there is room: try again later"
	readOnlyMessage = "the database cannot be written (its file or directory is read-only), so nothing was saved; pages can still be read: try again later"
)

// unwritable returns err as an errs.Unavailable error when SQLite refused
// a write for want of room (SQLITE_FULL, or ENOSPC under an I/O error) or
// of permission (SQLITE_READONLY): conditions of the server, not bugs,
// which the web layer answers with 503 and Retry-After while reads go on.
// The SQLite error stays in the chain for the log. Any other error is
// returned as it is.
func unwritable(err error) error {
	var se sqlite3.Error
	if err == nil || !errors.As(err, &se) {
		return err
	}
	msg := ""
	switch {
	case se.Code == sqlite3.ErrFull || se.SystemErrno == syscall.ENOSPC:
		msg = fullMessage
	case se.Code == sqlite3.ErrReadonly:
		msg = readOnlyMessage
	default:
		return err
	}
	return fmt.Errorf("%w (%w)", &errs.Error{Code: errs.Unavailable, Message: msg}, err)
}

// Unwritable tells whether err is SQLite refusing a write for want of room
// or permission (see unwritable), so that bookkeeping writes beside a read
// (a session's or a token's last use) can give way and the read go on.
func Unwritable(err error) bool {
	if errs.CodeOf(err) == errs.Unavailable {
		return true
	}
	return errs.CodeOf(unwritable(err)) == errs.Unavailable
}

// Constraint tells whether err is SQLite refusing a statement for a
// constraint (CHECK, UNIQUE, NOT NULL, a foreign key, a trigger's RAISE):
// only that statement is undone and the transaction goes on.
func Constraint(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.Code == sqlite3.ErrConstraint
}
