// Package check holds the input rules that several domains share: what a
// one-line name or title and a multi-line body may contain, and how far back
// and ahead an instant given as input may be. Each returns an errs.Invalid
// naming the field.
package check

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/amends/amends/internal/errs"
)

// Line checks one line of text people read (a title, a name): valid UTF-8
// with no control character (C0, DEL, C1) and no bidirectional embedding,
// override or isolate (U+202A–U+202E, U+2066–U+2069), which would make it
// read otherwise than it is stored.
func Line(field, s string) error { return scan(field, s, false) }

// Body checks multi-line text (a message): as Line, except that tab,
// newline and carriage return are allowed.
func Body(field, s string) error { return scan(field, s, true) }

func scan(field, s string, body bool) error {
	if !utf8.ValidString(s) {
		return errs.Invalidf(field, "is not valid UTF-8")
	}
	for i, r := range s {
		if body && (r == '\t' || r == '\n' || r == '\r') {
			continue
		}
		if what := forbidden(r); what != "" {
			return errs.Invalidf(field, "has %s %U at byte %d", what, r, i)
		}
	}
	return nil
}

// forbidden says what kind of character r is if it may not be stored, "" if
// it may.
func forbidden(r rune) string {
	switch {
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
		return "the control character"
	case (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069):
		return "the bidirectional control"
	}
	return ""
}

// Earliest is the first instant input may give: nothing Amends keeps
// happened before it, and an earlier date is a typo or a probe.
var Earliest = time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)

// YearsAhead is how many years after now an instant given as input may be.
const YearsAhead = 10

// Since checks that t is not before Earliest.
func Since(field string, t time.Time) error {
	if t.Before(Earliest) {
		return errs.Invalidf(field, "%s is before %s", format(t), Earliest.Format(time.DateOnly))
	}
	return nil
}

// Instant checks that t is not before Earliest nor more than YearsAhead
// years after now.
func Instant(field string, t, now time.Time) error {
	if err := Since(field, t); err != nil {
		return err
	}
	if t.After(now.AddDate(YearsAhead, 0, 0)) {
		return errs.Invalidf(field, "%s is more than %d years from now", format(t), YearsAhead)
	}
	return nil
}

func format(t time.Time) string {
	if y := t.Year(); y < 0 || y > 9999 {
		return fmt.Sprintf("year %d", y)
	}
	return t.UTC().Format(time.RFC3339)
}
