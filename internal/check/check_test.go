package check

import (
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/internal/errs"
)

func TestLineAndBody(t *testing.T) {
	for _, tc := range []struct {
		s          string
		line, body bool // accepted
	}{
		{"Elevated errors", true, true},
		{"Erreurs élevées — 東京", true, true},
		{"مرحبا\u200f", true, true}, // a right-to-left mark is text, not an override
		{"", true, true},
		{"a\tb", false, true},
		{"a\nb", false, true},
		{"a\r\nb", false, true},
		{"a\x00b", false, false},
		{"a\x1bb", false, false},
		{"a\x07b", false, false},
		{"a\x7fb", false, false},
		{"a\u0085b", false, false},
		{"a\u009bb", false, false},
		{"a\u202eb", false, false},
		{"a\u202ab", false, false},
		{"a\u2066b", false, false},
		{"a\u2069b", false, false},
		{"a\xffb", false, false},
		{"a\xc3", false, false},
	} {
		for _, c := range []struct {
			name string
			fn   func(string, string) error
			ok   bool
		}{{"Line", Line, tc.line}, {"Body", Body, tc.body}} {
			err := c.fn("title", tc.s)
			if (err == nil) != c.ok {
				t.Errorf("%s(%q) = %v, want accepted %v", c.name, tc.s, err, c.ok)
			}
			if err != nil && (errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != "title") {
				t.Errorf("%s(%q) = %v, want Invalid on title", c.name, tc.s, err)
			}
		}
	}
}

func TestInstant(t *testing.T) {
	now := time.Date(2012, 12, 24, 20, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		t    time.Time
		ok   bool
		says string
	}{
		{now, true, ""},
		{Earliest, true, ""},
		{Earliest.Add(-time.Second), false, "1989-12-31T23:59:59Z is before 1990-01-01"},
		{time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), false, "is before 1990-01-01"},
		{time.Date(1677, 9, 21, 0, 0, 0, 0, time.UTC), false, "is before 1990-01-01"},
		{now.AddDate(10, 0, 0), true, ""},
		{now.AddDate(10, 0, 0).Add(time.Second), false, "is more than 10 years from now"},
		{time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), false, "is more than 10 years from now"},
		{time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC), false, "year 12000 is more than 10 years from now"},
	} {
		err := Instant("started_at", tc.t, now)
		if (err == nil) != tc.ok {
			t.Errorf("Instant(%s) = %v, want accepted %v", tc.t, err, tc.ok)
			continue
		}
		if err != nil && (errs.FieldOf(err) != "started_at" || !strings.Contains(err.Error(), tc.says)) {
			t.Errorf("Instant(%s) = %v, want it on started_at saying %q", tc.t, err, tc.says)
		}
	}
}
