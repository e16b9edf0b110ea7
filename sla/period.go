package sla

import (
	"time"

	"github.com/amends/amends/internal/errs"
)

// MonthPeriod returns the calendar month year-month in the IANA zone tz ("" is UTC).
func MonthPeriod(year int, month time.Month, tz string) Period {
	return Period{Month: time.Date(year, month, 1, 0, 0, 0, 0, time.UTC).Format("2006-01"), TimeZone: tz}
}

type periodKind int

const (
	monthly periodKind = iota
	yearly
	ranged
)

// span is a resolved period.
type span struct {
	kind       periodKind
	loc        *time.Location
	start, end time.Time // truncated to whole seconds
}

// Bounds returns the period's [start, end) instants, or an errs.Invalid
// error naming the bad field ("timezone", "month", ...).
func (p Period) Bounds() (start, end time.Time, err error) {
	s, err := p.resolve()
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	return s.start, s.end, nil
}

func (p Period) resolve() (span, error) {
	var s span
	loc := time.UTC
	if p.TimeZone != "" {
		l, err := LoadLocation(p.TimeZone)
		if err != nil {
			return s, errs.Invalidf("timezone", "%q is not a known IANA time zone", p.TimeZone)
		}
		loc = l
	}
	s.loc = loc
	set := 0
	if p.Month != "" {
		set++
	}
	if p.Year != "" {
		set++
	}
	if !p.Start.IsZero() || !p.End.IsZero() {
		set++
	}
	if set != 1 {
		return s, errs.Invalidf("", "give exactly one of month, year, or start and end")
	}
	switch {
	case p.Month != "":
		t, err := time.ParseInLocation("2006-01", p.Month, loc)
		if err != nil || len(p.Month) != 7 {
			return s, errs.Invalidf("month", "%q is not a month like 2012-12", p.Month)
		}
		s.kind, s.start, s.end = monthly, t, time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, loc)
	case p.Year != "":
		t, err := time.ParseInLocation("2006", p.Year, loc)
		if err != nil || len(p.Year) != 4 {
			return s, errs.Invalidf("year", "%q is not a year like 2012", p.Year)
		}
		s.kind, s.start, s.end = yearly, t, time.Date(t.Year()+1, 1, 1, 0, 0, 0, 0, loc)
	default:
		if p.Start.IsZero() {
			return s, errs.Invalidf("start", "is required")
		}
		if p.End.IsZero() {
			return s, errs.Invalidf("end", "is required")
		}
		s.kind = ranged
		s.start, s.end = truncSecond(p.Start).In(loc), truncSecond(p.End).In(loc)
		if !s.end.After(s.start) {
			return s, errs.Invalidf("end", "%s is not after start %s", fmtTime(p.End), fmtTime(p.Start))
		}
	}
	return s, nil
}

// claimDeadline is the end of the claimPeriods-th calendar period after the
// evaluated one; for a range, end + claimPeriods × its length.
func (s span) claimDeadline(claimPeriods int64) time.Time {
	switch s.kind {
	case monthly:
		y, m, _ := s.start.Date()
		return time.Date(y, m+1+time.Month(claimPeriods), 1, 0, 0, 0, 0, s.loc)
	case yearly:
		return time.Date(s.start.Year()+1+int(claimPeriods), 1, 1, 0, 0, 0, 0, s.loc)
	}
	length := s.end.Unix() - s.start.Unix()
	return time.Unix(s.end.Unix()+claimPeriods*length, 0).In(s.loc)
}

// ClaimDeadline is the instant until which a credit of period under p may
// be claimed, as Evaluate computes it: the end of the claim_periods-th
// calendar period after it, in the period's time zone (for a range, its end
// plus claim_periods times its length). errs.Invalid naming the period's
// field ("timezone", "month", ...), or the policy's as Validate does.
func (p Policy) ClaimDeadline(period Period) (time.Time, error) {
	sp, err := period.resolve()
	if err != nil {
		return time.Time{}, err
	}
	r, err := compilePolicy(p)
	if err != nil {
		return time.Time{}, err
	}
	return sp.claimDeadline(r.claim), nil
}

// LoadLocation returns the IANA time zone name, as a Period's TimeZone
// names it: "UTC" always, "" and "Local" never (a result must not depend on
// the machine it is computed on).
func LoadLocation(name string) (*time.Location, error) {
	if name == "UTC" {
		return time.UTC, nil
	}
	if name == "" || name == "Local" {
		return nil, errs.Invalidf("", "unknown zone")
	}
	return time.LoadLocation(name)
}

// truncSecond truncates t toward the earlier whole second.
func truncSecond(t time.Time) time.Time {
	return time.Unix(t.Unix(), 0).In(t.Location())
}

func fmtTime(t time.Time) string { return t.Format(time.RFC3339Nano) }
