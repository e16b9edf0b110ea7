package templates

import "time"

// The one date style of every page, in UTC: a day is "5 Jan 2013", an
// instant "5 Jan 2013, 14:05 UTC" (in a <time> whose datetime attribute
// holds RFC 3339), a calendar month "January 2013". View models are
// filled through these helpers, so that no page mixes styles.
const (
	DayLayout     = "2 Jan 2006"
	InstantLayout = "2 Jan 2006, 15:04 UTC"
	MonthLayout   = "January 2006"
)

// At is the instant t as pages show it; the zero Time for a zero t.
func At(t time.Time) Time {
	if t.IsZero() {
		return Time{}
	}
	t = t.UTC()
	return Time{ISO: t.Format(time.RFC3339), Text: t.Format(InstantLayout)}
}

// DayText is the UTC day of t: "5 Jan 2013".
func DayText(t time.Time) string { return t.UTC().Format(DayLayout) }

// MonthText is the UTC calendar month of t: "January 2013".
func MonthText(t time.Time) string { return t.UTC().Format(MonthLayout) }
