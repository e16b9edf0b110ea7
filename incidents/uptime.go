package incidents

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/amends/amends/sla"
)

// Day is the length of a UTC day: days are taken in UTC, where every day
// has 86,400 seconds.
const Day = 24 * time.Hour

// DayUptime is one component's uptime over one UTC day, as sla.Evaluate
// computes it for the period [Day, Day+24h) (or, for the day in progress,
// [Day, as of)), with the spec's default policy.
type DayUptime struct {
	Day time.Time // 00:00 UTC
	// Seconds is the length of the evaluated period: 86,400, fewer for the
	// day in progress.
	Seconds int64
	// DowntimeSeconds is the exact downtime as the engine shows it ("881.28").
	DowntimeSeconds string
	// UptimePercent is the uptime with 4 decimals, rounded toward zero
	// ("98.9800"), so it is "100.0000" only when there was no downtime.
	UptimePercent string
	// Incidents are the incidents with a span on the component during the
	// day (whatever its status, counted or not, excluded or not), in order
	// of ID.
	Incidents []int64
}

// Uptime is UptimePercent as an sla.Percent. Because the text is rounded toward
// zero to 4 decimals, comparing it with a threshold of at most 4 decimals
// ("99.9") gives the same answer as comparing the exact uptime.
func (d DayUptime) Uptime() sla.Percent {
	if d.UptimePercent == "100.0000" {
		return sla.Hundred // most days, read without parsing
	}
	p, err := sla.ParsePercent(d.UptimePercent)
	if err != nil {
		return sla.Hundred
	}
	return p
}

// DowntimeMicros is DowntimeSeconds in millionths of a second. The engine
// counts a component's downtime in whole millionths (whole seconds times
// a share of at most 6 decimals), so the text holds it exactly and the
// downtime of several days is the sum of theirs. An error if the text is
// not a decimal with at most 6 decimals.
func (d DayUptime) DowntimeMicros() (int64, error) {
	s := d.DowntimeSeconds
	if s == "0" {
		return 0, nil // most days, read without parsing
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(whole) > 12 || len(frac) > 6 || strings.Contains(s, ".") && frac == "" {
		return 0, fmt.Errorf("downtime %q is not seconds with at most 6 decimals", s)
	}
	var n int64
	for _, part := range []string{whole, frac + "000000"[len(frac):]} {
		for _, c := range []byte(part) {
			if c < '0' || c > '9' {
				return 0, fmt.Errorf("downtime %q is not seconds with at most 6 decimals", s)
			}
			n = n*10 + int64(c-'0')
		}
	}
	return n, nil
}

// UptimeDays is the daily uptime of every component over consecutive UTC
// days (see Store.DailyUptime). On most days nothing happens to most
// components, so only the other days are listed.
type UptimeDays struct {
	// Days are the days' starts (00:00 UTC), oldest first, and Seconds
	// each day's evaluated length: 86,400, fewer for the day in progress.
	Days    []time.Time
	Seconds []int64
	// Events holds, by component, the days on which something happened to
	// it (downtime above 0, or an incident with a span on it), oldest
	// first. Every other day of every component is a FullDay.
	Events map[string][]DayUptime
}

// Of returns component's uptime on every day, oldest first.
func (u UptimeDays) Of(component string) []DayUptime {
	events := u.Events[component]
	out := make([]DayUptime, len(u.Days))
	for i, d := range u.Days {
		if len(events) > 0 && events[0].Day.Equal(d) {
			out[i], events = events[0], events[1:]
			continue
		}
		out[i] = FullDay(d, u.Seconds[i])
	}
	return out
}

// UTCDay returns the start (00:00 UTC) of the UTC day holding t.
func UTCDay(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// FullDay is what a UTC day is worth when nothing happened on a component:
// 0 s of downtime, "100.0000".
func FullDay(day time.Time, seconds int64) DayUptime {
	return DayUptime{Day: day, Seconds: seconds, DowntimeSeconds: "0", UptimePercent: "100.0000"}
}

// ComputeDailyUptime evaluates each UTC day of days (each a day start, in
// any order) with sla.Evaluate through SLAScenario, as of asOf: a day that
// ends after asOf is evaluated over [day, asOf) and one that starts at or
// after asOf is skipped. incs and maints must hold every incident and
// maintenance that overlaps the days (more is fine). It returns only the
// components and days where something happened (downtime above 0 or an
// incident with a span on the component that day), by day then component
// order; every other component was up for the whole day. Errors are those
// of SLAScenario and sla.Evaluate.
func ComputeDailyUptime(days []time.Time, asOf time.Time, services []Service, components []Component, incs []Incident, maints []Maintenance) (map[time.Time][]ComponentDay, error) {
	type known struct {
		inc        Incident
		spans      []Span
		start, end time.Time // the window of its spans; end is asOf for an ongoing one
	}
	list := make([]known, 0, len(incs))
	for _, inc := range incs {
		k := known{inc: inc, spans: inc.Timeline()}
		if len(k.spans) == 0 {
			continue
		}
		k.start = k.spans[0].Start
		for _, sp := range k.spans {
			e := asOf
			if sp.End != nil {
				e = *sp.End
			}
			if e.After(k.end) {
				k.end = e
			}
		}
		list = append(list, k)
	}
	order := make(map[string]int, len(components))
	for i, c := range components {
		order[c.ID] = i
	}
	out := map[time.Time][]ComponentDay{}
	for _, day := range days {
		day = UTCDay(day)
		end := day.Add(Day)
		if !asOf.After(day) {
			continue
		}
		if asOf.Before(end) {
			end = asOf
		}
		var dayIncs []Incident
		touched := map[string][]int64{}
		for _, k := range list {
			if !k.start.Before(end) || !k.end.After(day) {
				continue
			}
			hit := false
			for _, sp := range k.spans {
				e := asOf
				if sp.End != nil {
					e = *sp.End
				}
				if sp.Start.Before(end) && e.After(day) {
					ids := touched[sp.Component]
					if len(ids) == 0 || ids[len(ids)-1] != k.inc.ID {
						touched[sp.Component] = append(ids, k.inc.ID)
					}
					hit = true
				}
			}
			if hit {
				dayIncs = append(dayIncs, k.inc)
			}
		}
		if len(dayIncs) == 0 {
			continue // every component was up all day
		}
		// Only the components the day's incidents and maintenance name:
		// the others are up all day, and the engine need not see them.
		need := map[string]bool{}
		for _, inc := range dayIncs {
			for _, u := range inc.Updates {
				for _, cs := range u.Components {
					need[cs.Component] = true
				}
			}
		}
		var dayMaints []Maintenance
		for _, m := range maints {
			if m.StartsAt.Before(end) && m.EndsAt.After(day) {
				dayMaints = append(dayMaints, m)
				for _, c := range m.Components {
					need[c] = true
				}
			}
		}
		var comps []Component
		for _, c := range components {
			if need[c.ID] {
				comps = append(comps, c)
			}
		}
		sc, err := SLAScenario(sla.Period{Start: day, End: end}, asOf, services, comps, dayIncs, dayMaints)
		if err != nil {
			return nil, err
		}
		res, err := sla.Evaluate(sc)
		if err != nil {
			return nil, err
		}
		var rows []ComponentDay
		for _, r := range res.Components {
			ids := touched[r.ID]
			if r.DowntimeSeconds.IsZero() && len(ids) == 0 {
				continue
			}
			sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
			rows = append(rows, ComponentDay{Component: r.ID, DayUptime: DayUptime{
				Day: day, Seconds: r.Seconds,
				DowntimeSeconds: r.DowntimeSeconds.Round(6),
				UptimePercent:   r.UptimePercent().Truncate(4),
				Incidents:       ids,
			}})
		}
		sort.Slice(rows, func(i, j int) bool { return order[rows[i].Component] < order[rows[j].Component] })
		if len(rows) > 0 {
			out[day] = rows
		}
	}
	return out, nil
}

// ComponentDay is a DayUptime with the component it belongs to.
type ComponentDay struct {
	Component string
	DayUptime
}

// DaysBetween returns the start of every UTC day that overlaps [from, to),
// oldest first.
func DaysBetween(from, to time.Time) []time.Time {
	var out []time.Time
	for d := UTCDay(from); d.Before(to); d = d.Add(Day) {
		out = append(out, d)
	}
	return out
}

// DayKey is a day as "YYYY-MM-DD".
func DayKey(d time.Time) string { return d.UTC().Format(time.DateOnly) }
