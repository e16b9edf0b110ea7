// Package errs is the one set of domain errors that every Amends package
// returns. Each error carries a Code that says what kind of failure it is; the
// web layer maps codes to HTTP statuses in one table and the CLI maps them to
// exit codes, so no caller ever matches on error text.
package errs

import (
	"errors"
	"fmt"
)

// Code says what kind of failure an Error is.
type Code string

const (
	// Invalid: the input breaks a rule; Field names where. Nothing was changed.
	Invalid Code = "invalid"
	// Malformed: the input could not be read at all (bad JSON, bad form encoding).
	Malformed Code = "malformed"
	// NotFound: the thing named does not exist.
	NotFound Code = "not_found"
	// Conflict: the request clashes with the current state (a duplicate, a
	// second approval, a phase that already moved on).
	Conflict Code = "conflict"
	// Unauthorized: no valid session or token.
	Unauthorized Code = "unauthorized"
	// Forbidden: authenticated, but the role or the rule does not allow it.
	Forbidden Code = "forbidden"
	// TooLarge: the input is over a size limit.
	TooLarge Code = "too_large"
	// Unavailable: the server cannot do it now, for a reason of its own
	// that time or an operator mends (the database's disk is full or it
	// is read-only); nothing was changed, and trying again later may work.
	Unavailable Code = "unavailable"
	// Internal: a failure that is not the caller's fault.
	Internal Code = "internal"
)

// Error is a domain error. Field is a path such as
// "impacts[0].affected_percent" when the error is about one input field.
type Error struct {
	Code    Code
	Field   string
	Message string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return e.Field + ": " + e.Message
	}
	return e.Message
}

// Invalidf returns an Invalid error about field.
func Invalidf(field, format string, args ...any) error {
	return &Error{Code: Invalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Malformedf returns a Malformed error.
func Malformedf(field, format string, args ...any) error {
	return &Error{Code: Malformed, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFoundf returns a NotFound error.
func NotFoundf(format string, args ...any) error {
	return &Error{Code: NotFound, Message: fmt.Sprintf(format, args...)}
}

// Conflictf returns a Conflict error.
func Conflictf(format string, args ...any) error {
	return &Error{Code: Conflict, Message: fmt.Sprintf(format, args...)}
}

// Forbiddenf returns a Forbidden error.
func Forbiddenf(format string, args ...any) error {
	return &Error{Code: Forbidden, Message: fmt.Sprintf(format, args...)}
}

// Unauthorizedf returns an Unauthorized error.
func Unauthorizedf(format string, args ...any) error {
	return &Error{Code: Unauthorized, Message: fmt.Sprintf(format, args...)}
}

// Prefix returns err with its field path placed under prefix, so that a
// validator of a nested value can be reused: Prefix("impacts[0]", err) turns
// field "affected_percent" into "impacts[0].affected_percent". Errors that are
// not *Error are returned unchanged.
func Prefix(prefix string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if prefix == "" || !errors.As(err, &e) {
		return err
	}
	field := prefix
	if e.Field != "" {
		if e.Field[0] == '[' {
			field = prefix + e.Field
		} else {
			field = prefix + "." + e.Field
		}
	}
	return &Error{Code: e.Code, Field: field, Message: e.Message}
}

// CodeOf returns the Code of err, Internal for an error that is not an
// *Error, and "" for nil.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// FieldOf returns the field path of err, or "".
func FieldOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// MessageOf returns the message to show a user: the message of an *Error, or
// a generic text for anything else, whose details must not leak.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// Wrap, deferred by a storage method, says where a failure happened:
//
//	func (s *Store) Incident(ctx context.Context, id int64) (_ incidents.Incident, err error) {
//		defer errs.Wrap(&err, "incidents/sqlite: Incident %d", id)
//
// A domain *Error is left as it is: it already names its field and reason,
// and its Code and Message are what the HTTP table and the CLI show. Any
// other error (a failed query, a closed database) is prefixed with the method
// and key, so a 500 in the log says which query failed; it stays Internal.
func Wrap(errp *error, format string, args ...any) {
	err := *errp
	if err == nil {
		return
	}
	var e *Error
	if errors.As(err, &e) {
		return
	}
	*errp = fmt.Errorf(format+": %w", append(args, err)...)
}
