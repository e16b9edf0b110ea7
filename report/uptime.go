package report

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
)

// BarDays is how many UTC days an uptime bar of the status page covers.
const BarDays = 90

// BarWindow is the range the uptime bars cover as of now: the 90 UTC days
// that end with the day holding the last second before now (at midnight,
// the day that just ended; otherwise today so far).
func BarWindow(now time.Time) (from, to time.Time) {
	last := incidents.UTCDay(now.Add(-time.Second))
	return last.Add(-(BarDays - 1) * incidents.Day), now
}

// UptimeBars is the status page's uptime bars as of now: the stored daily
// uptime of the 90 days of BarWindow, and each component's uptime over
// them.
type UptimeBars struct {
	// From and To are BarWindow's.
	From, To time.Time
	// Days are the days and, by component, those on which something
	// happened to it; every other day of every component is a FullDay.
	Days incidents.UptimeDays
	// Titles are the titles of the incidents that Days name, by id.
	Titles map[int64]string
	// Uptime is the uptime over the whole range of each component
	// something happened to; Quiet is that of every other component (no
	// downtime in the range's seconds).
	Uptime map[string]sla.ComponentResult
	Quiet  sla.ComponentResult
}

// UptimeBars reads the uptime bars as of now from the stored days (see
// incidents.Store.DailyUptime): only the component-days something
// happened on, and the titles of the incidents they name. The range's
// uptime of each component is the exact sum of its days' (see
// rangeUptime), as one sla evaluation of the range gives it.
func (r *Reports) UptimeBars(ctx context.Context, now time.Time) (*UptimeBars, error) {
	from, to := BarWindow(now)
	u, err := r.incidents.DailyUptime(ctx, from, to)
	if err != nil {
		return nil, err
	}
	var ids []int64
	seen := map[int64]bool{}
	for _, days := range u.Events {
		for _, d := range days {
			for _, id := range d.Incidents {
				if !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
			}
		}
	}
	titles, err := r.incidents.IncidentTitles(ctx, ids)
	if err != nil {
		return nil, err
	}
	var secs int64
	for _, n := range u.Seconds {
		secs += n
	}
	out := &UptimeBars{From: from, To: to, Days: u, Titles: titles,
		Uptime: make(map[string]sla.ComponentResult, len(u.Events)), Quiet: sla.ComponentResult{Seconds: secs}}
	for id, days := range u.Events {
		if out.Uptime[id], err = rangeUptime(days, secs); err != nil {
			return nil, fmt.Errorf("%s: %w", id, err)
		}
	}
	return out, nil
}

// GroupDay is one day of a group of components (a service) on the
// uptime bars: the worst of its components' days.
type GroupDay struct {
	// DayUptime is the day of the component that lost the most uptime
	// (the first of them in the group's order; the first component when
	// none lost any), except that Incidents are those of every component
	// of the group that day, in order of ID.
	incidents.DayUptime
	// Worst is the component whose uptime DayUptime shows, "" when no
	// component of the group lost uptime that day.
	Worst string
}

// GroupDays returns the days of the bar of a group of components, oldest
// first: each day the worst of theirs (see GroupDay).
func (u *UptimeBars) GroupDays(components []string) ([]GroupDay, error) {
	days := u.Days
	out := make([]GroupDay, len(days.Days))
	worst := make([]int64, len(days.Days)) // the downtime of out[i] in millionths of a second
	for i, d := range days.Days {
		out[i].DayUptime = incidents.FullDay(d, days.Seconds[i])
	}
	index := make(map[time.Time]int, len(days.Days))
	for i, d := range days.Days {
		index[d] = i
	}
	for _, id := range components {
		for _, d := range days.Events[id] {
			i, ok := index[d.Day]
			if !ok {
				return nil, fmt.Errorf("%s: %s is not a day of the bar", id, incidents.DayKey(d.Day))
			}
			m, err := d.DowntimeMicros()
			if err != nil {
				return nil, fmt.Errorf("%s on %s: %w", id, incidents.DayKey(d.Day), err)
			}
			g := &out[i]
			if m > worst[i] {
				worst[i], g.Worst = m, id
				g.Seconds, g.DowntimeSeconds, g.UptimePercent = d.Seconds, d.DowntimeSeconds, d.UptimePercent
			}
			g.Incidents = unionIDs(g.Incidents, d.Incidents)
		}
	}
	return out, nil
}

// unionIDs returns the ids of a and b, both in increasing order, in
// increasing order and each once. It does not change a or b.
func unionIDs(a, b []int64) []int64 {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return b
	}
	out := make([]int64, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || i < len(a) && a[i] < b[j]:
			out = append(out, a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	return out
}

// GroupUptime is the uptime of a group of components (a service) over the
// range of the bars: their fleet uptime as the SLA dashboard counts a
// service's (sla.FleetUptime: weighted by resources when every component
// states them, else equally), from each component's range uptime.
func (u *UptimeBars) GroupUptime(components []incidents.Component) sla.Ratio {
	results := make(map[string]sla.ComponentResult, len(components))
	list := make([]sla.Component, len(components))
	for i, c := range components {
		list[i] = slaComponent(c)
		if r, ok := u.Uptime[c.ID]; ok {
			results[c.ID] = r
		} else {
			results[c.ID] = u.Quiet
		}
	}
	return sla.FleetUptime(list, results)
}

// rangeUptime is a component's uptime over a range of days that lasts
// seconds in all, as sla.Evaluate gives it for that range, from the stored
// figures of the days on which something happened to it (on every other
// day it had no downtime): downtime is an integral over time, so the
// range's is the sum of its days' (each exact, see
// DayUptime.DowntimeMicros). The sum of whole millionths is exact, and no
// day is evaluated again.
func rangeUptime(events []incidents.DayUptime, seconds int64) (sla.ComponentResult, error) {
	var micros int64
	for _, d := range events {
		m, err := d.DowntimeMicros()
		if err != nil {
			return sla.ComponentResult{}, fmt.Errorf("%s: %w", incidents.DayKey(d.Day), err)
		}
		micros += m
	}
	return sla.ComponentResult{DowntimeSeconds: sla.NewRatio(uint64(micros), 1_000_000), Seconds: seconds}, nil
}

// UptimeMonths is how many calendar months MonthlyUptime covers, the
// current one (so far) included.
const UptimeMonths = 12

// MonthlyUptime is every component's uptime in each of the last 12
// calendar months, for the public "/uptime" page.
type MonthlyUptime struct {
	// Months are the months' starts (UTC), oldest first: the last is the
	// one holding the last second before now, so far.
	Months []time.Time
	// Services and Components are the catalog, in its order.
	Services   []incidents.Service
	Components []incidents.Component
	// Targets are the targets of the services whose default policy has
	// one (above 0), by service.
	Targets map[string]sla.Percent
	// Uptime is each component's uptime in each of Months, by component.
	Uptime map[string][]sla.Ratio
}

// MonthlyUptime evaluates each of the last 12 calendar months as of now
// (the current one so far) on the stored history, one sla evaluation per
// month, each under the services' default policies (until those are
// stored, the spec's defaults, and no target).
func (r *Reports) MonthlyUptime(ctx context.Context, now time.Time) (*MonthlyUptime, error) {
	return r.monthsUptime(ctx, monthsBack(now), now)
}

// YearUptime is MonthlyUptime for the calendar months (UTC) of year up to
// the one holding the last second before now: all 12 of a past year, the
// current year's so far. errs.NotFound for a year that UptimeYears does
// not list.
func (r *Reports) YearUptime(ctx context.Context, year int, now time.Time) (*MonthlyUptime, error) {
	years, err := r.UptimeYears(ctx, now)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(years, year) {
		return nil, errs.NotFoundf("there are no uptime figures for %d", year)
	}
	last := MonthStart(now.Add(-time.Second))
	var months []time.Time
	for m := time.Date(year, time.January, 1, 0, 0, 0, 0, time.UTC); m.Year() == year && !m.After(last); m = m.AddDate(0, 1, 0) {
		months = append(months, m)
	}
	return r.monthsUptime(ctx, months, now)
}

// UptimeYears are the years (UTC) that have uptime figures as of now,
// newest first: from the year of the first incident or maintenance
// recorded (incidents.Store.FirstRecorded) to the year holding the last
// second before now, every year between included (a year without an
// incident is 100%, a figure too). Only the current year while nothing
// is recorded, or nothing recorded before now.
func (r *Reports) UptimeYears(ctx context.Context, now time.Time) ([]int, error) {
	last := now.Add(-time.Second).UTC().Year()
	first := last
	if t, ok, err := r.incidents.FirstRecorded(ctx); err != nil {
		return nil, err
	} else if ok && t.UTC().Year() < first {
		first = t.UTC().Year()
	}
	out := make([]int, 0, last-first+1)
	for y := last; y >= first; y-- {
		out = append(out, y)
	}
	return out, nil
}

// monthsUptime evaluates each of months (their starts, oldest first) up
// to now.
func (r *Reports) monthsUptime(ctx context.Context, months []time.Time, now time.Time) (*MonthlyUptime, error) {
	out := &MonthlyUptime{Months: months, Targets: map[string]sla.Percent{}}
	var err error
	if out.Services, err = r.incidents.Services(ctx); err != nil {
		return nil, err
	}
	if out.Components, err = r.incidents.Components(ctx); err != nil {
		return nil, err
	}
	from := out.Months[0]
	to := out.Months[len(out.Months)-1].AddDate(0, 1, 0)
	if now.Before(to) {
		to = now
	}
	incs, err := r.incidents.IncidentsBetween(ctx, from, to)
	if err != nil {
		return nil, err
	}
	maints, err := r.incidents.MaintenancesBetween(ctx, from, to)
	if err != nil {
		return nil, err
	}
	policies, err := r.servicePolicies(ctx, out.Components)
	if err != nil {
		return nil, err
	}
	var list []sla.Policy
	for svc, p := range policies {
		list = append(list, p)
		if p.Target > 0 {
			out.Targets[svc] = p.Target
		}
	}
	out.Uptime = make(map[string][]sla.Ratio, len(out.Components))
	for _, c := range out.Components {
		out.Uptime[c.ID] = make([]sla.Ratio, len(out.Months))
	}
	for j, m := range out.Months {
		end := m.AddDate(0, 1, 0)
		if now.Before(end) {
			end = now
		}
		results, err := evaluate(m, end, now, out.Services, out.Components, incs, maints, list)
		if err != nil {
			return nil, err
		}
		for _, c := range out.Components {
			out.Uptime[c.ID][j] = results[c.ID].UptimePercent()
		}
	}
	return out, nil
}

// monthsBack returns the starts of the UptimeMonths calendar months (UTC)
// up to the one holding the last second before now, oldest first.
func monthsBack(now time.Time) []time.Time {
	last := MonthStart(now.Add(-time.Second))
	out := make([]time.Time, UptimeMonths)
	for i := range out {
		out[i] = last.AddDate(0, -(UptimeMonths - 1 - i), 0)
	}
	return out
}
