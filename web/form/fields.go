package form

import (
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
)

// Time reads an optional instant from a form field: nil when blank, else
// as desk.ParseInstant reads it (RFC 3339, or 2012-12-24 20:24 in UTC);
// errs.Invalid on field otherwise.
func Time(field, raw string) (*time.Time, error) {
	return desk.ParseInstant(field, raw)
}

// RequiredTime is Time for a field that must be filled: errs.Invalid on
// field when it is blank.
func RequiredTime(field, raw string) (time.Time, error) {
	t, err := Time(field, raw)
	if err != nil {
		return time.Time{}, err
	}
	if t == nil {
		return time.Time{}, errs.Invalidf(field, "is required")
	}
	return *t, nil
}

// Int reads an optional whole number from a form field: 0 when blank,
// errs.Invalid on field for anything but an integer.
func Int(field, raw string) (int64, error) {
	return desk.ParseWholeNumber(field, raw)
}
