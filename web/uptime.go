package web

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/sla"
	"github.com/amends/amends/templates"
)

// barDays is how many days an uptime bar shows (30 of them on narrow
// screens, by CSS).
const barDays = 90

// narrowBarDays is how many of them narrow screens show.
const narrowBarDays = 30

// publicNow is the instant the public pages describe: Config.AsOf when
// set (a demo of the past), else the clock.
func (s *Server) publicNow() time.Time {
	if !s.cfg.AsOf.IsZero() {
		return s.cfg.AsOf.UTC().Truncate(time.Second)
	}
	return s.now()
}

// barWindow is the range the uptime bars cover as of now: the 90 UTC days
// that end with the day holding the last second before now (at midnight,
// the day that just ended; otherwise today so far).
func barWindow(now time.Time) (from, to time.Time) {
	last := incidents.UTCDay(now.Add(-time.Second))
	return last.Add(-(barDays - 1) * incidents.Day), now
}

// evaluate runs the sla engine over [from, to) as of asOf on the stored
// history, and returns each component's result by id.
func evaluate(from, to, asOf time.Time, services []incidents.Service, components []incidents.Component, incs []incidents.Incident, maints []incidents.Maintenance, policies []sla.Policy) (map[string]sla.ComponentResult, error) {
	sc, err := incidents.SLAScenario(sla.Period{Start: from, End: to}, asOf, services, components, incs, maints)
	if err != nil {
		return nil, err
	}
	sc.Policies = policies
	res, err := sla.Evaluate(sc)
	if err != nil {
		return nil, err
	}
	out := make(map[string]sla.ComponentResult, len(res.Components))
	for _, r := range res.Components {
		out[r.ID] = r
	}
	return out, nil
}

// uptimeText is an exact uptime as pages show it: 4 decimals, rounded
// toward zero ("99.7980%").
func uptimeText(r sla.ComponentResult) string { return r.UptimePercent().Truncate(4) + "%" }

// uptimeBars returns every component's bar of daily uptime and its uptime
// over the bar's whole range, and the page's legend, from the stored days
// (see rangeUptime).
func (s *Server) uptimeBars(ctx context.Context, now time.Time) (barSet, error) {
	from, to := barWindow(now)
	u, err := s.incidents.DailyUptime(ctx, from, to)
	if err != nil {
		return barSet{}, err
	}
	// The titles of the incidents the days name, for the tooltips.
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
	titles, err := s.incidents.IncidentTitles(ctx, ids)
	if err != nil {
		return barSet{}, err
	}
	// A day on which nothing happened has the same cell on every bar: the
	// page makes those once.
	var secs int64
	quietDays := make([]templates.UptimeDay, len(u.Days))
	index := make(map[time.Time]int, len(u.Days))
	for i, d := range u.Days {
		secs += u.Seconds[i]
		quietDays[i] = uptimeDay(incidents.FullDay(d, u.Seconds[i]), nil)
		index[d] = i
	}
	quiet := templates.NewQuietDays(quietDays)
	cells := make([]templates.UptimeCell, len(u.Days))
	out := barSet{
		rows:       make(map[string]templates.ComponentRow, len(u.Events)),
		quiet:      templates.ComponentRow{Uptime: quiet.Bar(cells), Uptime90: uptimeText(sla.ComponentResult{Seconds: secs})},
		from:       dayText(from),
		fromNarrow: dayText(from.Add((barDays - narrowBarDays) * incidents.Day)),
		to:         dayText(incidents.UTCDay(to.Add(-time.Second))),
	}
	for id, days := range u.Events {
		r, err := rangeUptime(days, secs)
		if err != nil {
			return barSet{}, fmt.Errorf("%s: %w", id, err)
		}
		clear(cells)
		for _, d := range days {
			i, ok := index[d.Day]
			if !ok {
				return barSet{}, fmt.Errorf("%s: %s is not a day of the bar", id, incidents.DayKey(d.Day))
			}
			cells[i] = templates.NewUptimeCell(uptimeDay(d, titles))
		}
		out.rows[id] = templates.ComponentRow{Uptime: quiet.Bar(cells), Uptime90: uptimeText(r)}
	}
	return out, nil
}

// uptimeDay is what a day's cell says: "24 Dec 2012: 98.9800% uptime,
// 1 incident" ("(so far)" after the date of the day in progress), the
// incidents' titles, and a link to the first of them.
func uptimeDay(d incidents.DayUptime, titles map[int64]string) templates.UptimeDay {
	var b strings.Builder
	b.WriteString(dayText(d.Day))
	if d.Seconds < int64(incidents.Day/time.Second) {
		b.WriteString(" (so far)")
	}
	b.WriteString(": ")
	b.WriteString(d.UptimePercent)
	b.WriteString("% uptime, ")
	switch n := len(d.Incidents); n {
	case 0:
		b.WriteString("no incidents")
	case 1:
		b.WriteString("1 incident")
	default:
		b.WriteString(strconv.Itoa(n))
		b.WriteString(" incidents")
	}
	cell := templates.UptimeDay{Date: incidents.DayKey(d.Day), Class: dayClass(d), Text: b.String()}
	if len(d.Incidents) > 0 {
		cell.URL = "/incidents/" + strconv.FormatInt(d.Incidents[0], 10)
		for _, id := range d.Incidents {
			if t, ok := titles[id]; ok {
				cell.Incidents = append(cell.Incidents, t)
			}
		}
	}
	return cell
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

// barSet is the uptime bars of a status page: each component's bar and
// 90-day uptime (in a ComponentRow), and the first and last days shown.
type barSet struct {
	rows                 map[string]templates.ComponentRow // of components something happened to
	quiet                templates.ComponentRow            // of every other component
	from, fromNarrow, to string
}

// row returns the bar and 90-day uptime of a component.
func (b barSet) row(id string) templates.ComponentRow {
	if r, ok := b.rows[id]; ok {
		return r
	}
	return b.quiet
}

// dayClass colours a day by its uptime. The shown uptime is rounded toward
// zero to 4 decimals, so comparing it with these thresholds is exact.
func dayClass(d incidents.DayUptime) string {
	i := 4
	switch u := d.Uptime(); {
	case u >= sla.Hundred:
		i = 0
	case u >= 999*sla.PercentUnit/10:
		i = 1
	case u >= 99*sla.PercentUnit:
		i = 2
	case u >= 95*sla.PercentUnit:
		i = 3
	}
	if len(d.Incidents) > 0 {
		return dayClasses[i] + " day--incident"
	}
	return dayClasses[i]
}

var dayClasses = [...]string{"day day--100", "day day--999", "day day--99", "day day--95", "day day--low"}

// dayText is a UTC day as pages show it: "24 Dec 2012".
func dayText(t time.Time) string { return t.UTC().Format("2 Jan 2006") }

// uptimeMonths is how many calendar months /uptime shows, the current one
// (so far) included.
const uptimeMonths = 12

// monthsBack returns the starts of the uptimeMonths calendar months (UTC)
// up to the one holding the last second before now, newest first.
func monthsBack(now time.Time) []time.Time {
	last := now.UTC().Add(-time.Second)
	first := time.Date(last.Year(), last.Month(), 1, 0, 0, 0, 0, time.UTC)
	out := make([]time.Time, uptimeMonths)
	for i := range out {
		out[i] = first.AddDate(0, -i, 0)
	}
	return out
}

// uptimeView builds "/uptime" as of now: each component's uptime in each
// of the last 12 calendar months (the current one so far), one sla
// evaluation per month over the stored history. Targets come with the
// service policies; until those are stored every service has the spec's
// default (no target), shown "—".
func (s *Server) uptimeView(ctx context.Context, now time.Time) (templates.UptimePage, error) {
	v := templates.UptimePage{
		Page: s.publicPage("Uptime", "Monthly uptime of every "+s.cfg.SiteName+" component over the last 12 months.", "/uptime"),
		AsOf: viewTime(now),
	}
	services, err := s.incidents.Services(ctx)
	if err != nil {
		return v, err
	}
	components, err := s.incidents.Components(ctx)
	if err != nil {
		return v, err
	}
	months := monthsBack(now)
	from := months[len(months)-1]
	incs, err := s.incidents.IncidentsBetween(ctx, from, now)
	if err != nil {
		return v, err
	}
	maints, err := s.incidents.MaintenancesBetween(ctx, from, now)
	if err != nil {
		return v, err
	}
	policies, err := s.servicePolicies(ctx, components)
	if err != nil {
		return v, err
	}
	var list []sla.Policy
	for _, p := range policies {
		list = append(list, p)
	}
	results := make([]map[string]sla.ComponentResult, len(months))
	for i, m := range months {
		end := m.AddDate(0, 1, 0)
		if now.Before(end) {
			end = now
		}
		if results[i], err = evaluate(m, end, now, services, components, incs, maints, list); err != nil {
			return v, err
		}
	}
	// The columns run oldest to newest: months is newest first.
	var heads []templates.UptimeMonthHead
	for j := len(months) - 1; j >= 0; j-- {
		m := months[j]
		heads = append(heads, templates.UptimeMonthHead{Short: m.Format("Jan 2006"), Long: m.Format("January 2006"), SoFar: now.Before(m.AddDate(0, 1, 0))})
	}
	byService := map[string]int{}
	for _, svc := range services {
		byService[svc.ID] = len(v.Services)
		us := templates.UptimeService{ID: svc.ID, Name: svc.Name, Months: heads}
		if p, ok := policies[svc.ID]; ok && p.Target > 0 {
			us.Target = p.Target.String() + "%"
		}
		v.Services = append(v.Services, us)
	}
	for _, c := range components {
		i, ok := byService[c.Service]
		if !ok {
			continue
		}
		row := templates.UptimeComponent{ID: c.ID, Name: c.Name}
		if w := where(c); w != "" {
			row.Name += " (" + w + ")"
		}
		for j := len(months) - 1; j >= 0; j-- {
			r := results[j][c.ID]
			u := r.UptimePercent()
			month := templates.UptimeMonth{Uptime: compactPercent(u), Exact: u.Truncate(4) + "%"}
			if p, ok := policies[c.Service]; ok && p.Target > 0 {
				month.Met = "met"
				if u.CmpPercent(p.Target) < 0 {
					month.Met = "missed"
				}
			}
			row.Months = append(row.Months, month)
		}
		v.Services[i].Components = append(v.Services[i].Components, row)
	}
	return v, nil
}

// compactPercent is an uptime for a table of many months: two decimals,
// rounded toward zero so that a missed target never shows as met, and
// "100%" for a month without downtime.
func compactPercent(u sla.Ratio) string {
	if t := u.Truncate(4); t == "100.0000" {
		return "100%"
	}
	return u.Truncate(2) + "%"
}

// servicePolicies returns the default policy of each service that has
// components, by service, from the credit desk when there is one. A
// month's uptime is then evaluated under its service's policy (which
// statuses count, maintenance notice), the same rules its target is met
// or missed by; without a policy, the spec's defaults apply and there is
// no target.
func (s *Server) servicePolicies(ctx context.Context, components []incidents.Component) (map[string]sla.Policy, error) {
	out := map[string]sla.Policy{}
	if s.desk == nil {
		return out, nil
	}
	list, err := s.desk.Policies(ctx)
	if err != nil {
		return nil, err
	}
	has := map[string]bool{}
	for _, c := range components {
		has[c.Service] = true
	}
	for _, p := range list {
		if p.Customer == "" && has[p.Service] {
			out[p.Service] = p.Policy
		}
	}
	return out, nil
}

// statusPageSize guesses the size of the status page from its uptime
// cells, so that a page of 500 components is rendered into one buffer
// rather than one that doubles a dozen times.
func statusPageSize(v templates.StatusPage) int {
	n := 0
	for _, g := range v.Services {
		for _, c := range g.Components {
			n += c.Uptime.Len() + 1024 // and the component's row around its bar
		}
	}
	return 64<<10 + n
}

// renderSized renders comp into a buffer of about size bytes.
func renderSized(ctx context.Context, comp templ.Component, size int) ([]byte, error) {
	buf := bytes.NewBuffer(make([]byte, 0, size))
	if err := comp.Render(ctx, buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
