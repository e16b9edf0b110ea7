package web

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/report"
	"github.com/amends/amends/sla"
	"github.com/amends/amends/templates"
)

// publicNow is the instant the public pages describe: Config.AsOf when
// set (a demo of the past), else the clock.
func (s *Server) publicNow() time.Time {
	if !s.cfg.AsOf.IsZero() {
		return s.cfg.AsOf.UTC().Truncate(time.Second)
	}
	return s.now()
}

// uptimeText is an exact uptime as pages show it: 4 decimals, rounded
// toward zero ("99.7980%").
func uptimeText(r sla.ComponentResult) string { return r.UptimePercent().Truncate(4) + "%" }

// uptimeBars returns every component's bar of daily uptime and its uptime
// over the bar's whole range, and the page's legend, from the stored days
// that report.Reports.UptimeBars reads; barSet.service makes a service's.
func (s *Server) uptimeBars(ctx context.Context, now time.Time) (barSet, error) {
	u, err := s.reports.UptimeBars(ctx, now)
	if err != nil {
		return barSet{}, err
	}
	days := u.Days
	// A day on which nothing happened has the same cell on every bar: the
	// page makes those once, a component's (empty) and a service's.
	quietDays := make([]templates.UptimeDay, len(days.Days))
	index := make(map[time.Time]int, len(days.Days))
	for i, d := range days.Days {
		quietDays[i] = uptimeDay(incidents.FullDay(d, days.Seconds[i]), nil)
		index[d] = i
	}
	quiet := templates.NewQuietDays(len(days.Days))
	cells := make([]templates.UptimeCell, len(days.Days))
	out := barSet{
		bars:         u,
		rows:         make(map[string]templates.ComponentRow, len(days.Events)),
		quiet:        templates.ComponentRow{Uptime: quiet.Bar(cells), Uptime90: uptimeText(u.Quiet)},
		quietService: templates.NewQuietServiceDays(quietDays),
		from:         dayText(u.From),
		to:           dayText(incidents.UTCDay(u.To.Add(-time.Second))),
	}
	for id, events := range days.Events {
		clear(cells)
		for _, d := range events {
			i, ok := index[d.Day]
			if !ok {
				return barSet{}, fmt.Errorf("%s: %s is not a day of the bar", id, incidents.DayKey(d.Day))
			}
			if d.DowntimeSeconds == "0" && len(d.Incidents) == 0 {
				continue // quiet after all
			}
			cells[i] = templates.NewUptimeCell(uptimeDay(d, u.Titles))
		}
		out.rows[id] = templates.ComponentRow{Uptime: quiet.Bar(cells), Uptime90: uptimeText(u.Uptime[id])}
	}
	return out, nil
}

// uptimeDay is what a day's cell says: "24 Dec 2012: 98.9800% uptime,
// 1 incident" ("(so far)" after the date of the day in progress), the
// incidents' titles, and a link to the first of them.
func uptimeDay(d incidents.DayUptime, titles map[int64]string) templates.UptimeDay {
	return dayWords(d, "", titles)
}

// dayWords is uptimeDay, saying "at worst (NAME)" after the uptime when
// worst names the component of a service's day that lost the most:
// "24 Dec 2012: 99.9131% uptime at worst (ELB us-east-1), 1 incident".
func dayWords(d incidents.DayUptime, worst string, titles map[int64]string) templates.UptimeDay {
	var b strings.Builder
	b.WriteString(dayText(d.Day))
	if d.Seconds < int64(incidents.Day/time.Second) {
		b.WriteString(" (so far)")
	}
	b.WriteString(": ")
	b.WriteString(d.UptimePercent)
	b.WriteString("% uptime")
	if worst != "" {
		b.WriteString(" at worst (")
		b.WriteString(worst)
		b.WriteString(")")
	}
	b.WriteString(", ")
	switch n := len(d.Incidents); n {
	case 0:
		b.WriteString("no incidents")
	case 1:
		b.WriteString("1 incident")
	default:
		b.WriteString(strconv.Itoa(n))
		b.WriteString(" incidents")
	}
	cell := templates.UptimeDay{Class: dayClass(d), Text: b.String()}
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

// barSet is the uptime bars of a status page: each component's bar and
// 90-day uptime (in a ComponentRow), and the first and last days shown.
type barSet struct {
	bars         *report.UptimeBars
	rows         map[string]templates.ComponentRow // of components something happened to
	quiet        templates.ComponentRow            // of every other component
	quietService templates.QuietDays               // a service's days on which nothing happened
	from, to     string
}

// row returns the bar and 90-day uptime of a component.
func (b barSet) row(id string) templates.ComponentRow {
	if r, ok := b.rows[id]; ok {
		return r
	}
	return b.quiet
}

// service returns the bar of a service whose components are components:
// each day the worst of theirs with all their incidents (a day on which
// nothing happened to any of them is the page's shared cell), and the
// service's uptime over the bar, its components' fleet uptime.
func (b barSet) service(components []incidents.Component, names componentNames) (templates.UptimeBar, string, error) {
	ids := make([]string, len(components))
	for i, c := range components {
		ids[i] = c.ID
	}
	days, err := b.bars.GroupDays(ids)
	if err != nil {
		return templates.UptimeBar{}, "", err
	}
	cells := make([]templates.UptimeCell, len(days))
	for i, d := range days {
		if d.Worst == "" && len(d.Incidents) == 0 {
			continue
		}
		worst := ""
		if d.Worst != "" {
			worst = names.name(d.Worst)
		}
		cells[i] = templates.NewServiceCell(dayWords(d.DayUptime, worst, b.bars.Titles))
	}
	return b.quietService.Bar(cells), b.bars.GroupUptime(components).Truncate(4) + "%", nil
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
	if len(d.Incidents) == 0 {
		return dayClasses[i]
	}
	if i == 0 {
		return "day--incident"
	}
	return dayClasses[i] + " day--incident"
}

// dayClasses are the classes of a day's cell by its uptime; a day without
// downtime has none (every cell is coloured so by default).
var dayClasses = [...]string{"", "day--999", "day--99", "day--95", "day--low"}

// dayText is a UTC day as pages show it: "24 Dec 2012" (templates.DayText).
func dayText(t time.Time) string { return templates.DayText(t) }

// uptimeView builds "/uptime" as of now from report.Reports.MonthlyUptime:
// each component's uptime in each of the last 12 calendar months (the
// current one so far), met or missed against its service's target where
// there is one; or, for a year other than 0, from report.Reports.YearUptime,
// in each month of that year. Both link to the other views.
func (s *Server) uptimeView(ctx context.Context, now time.Time, year int) (templates.UptimePage, error) {
	v := templates.UptimePage{
		Page: s.publicPage("Uptime", "Monthly uptime of every "+s.cfg.SiteName+" component over the last 12 months.", "/uptime"),
		AsOf: viewTime(now),
	}
	if year != 0 {
		v.Year = strconv.Itoa(year)
		v.Page.Title = "Uptime in " + v.Year
		v.Page.Description = "Monthly uptime of every " + s.cfg.SiteName + " component in " + v.Year + "."
	}
	years, err := s.reports.UptimeYears(ctx, now)
	if err != nil {
		return v, err
	}
	v.Periods = append(v.Periods, templates.UptimePeriod{Label: "Last 12 months", URL: uptimePath(0), Current: year == 0})
	for _, y := range years {
		v.Periods = append(v.Periods, templates.UptimePeriod{Label: strconv.Itoa(y), URL: uptimePath(y), Current: y == year})
	}
	var u *report.MonthlyUptime
	if year == 0 {
		u, err = s.reports.MonthlyUptime(ctx, now)
	} else {
		u, err = s.reports.YearUptime(ctx, year, now)
	}
	if err != nil {
		return v, err
	}
	var heads []templates.UptimeMonthHead
	for _, m := range u.Months {
		heads = append(heads, templates.UptimeMonthHead{Short: m.Format("Jan 2006"), Long: templates.MonthText(m), SoFar: now.Before(m.AddDate(0, 1, 0))})
	}
	// Newest month first: the months that matter are the first a phone
	// shows without scrolling the table.
	slices.Reverse(heads)
	byService := map[string]int{}
	for _, svc := range u.Services {
		byService[svc.ID] = len(v.Services)
		us := templates.UptimeService{ID: svc.ID, Name: svc.Name, Months: heads}
		if t, ok := u.Targets[svc.ID]; ok {
			us.Target = t.String() + "%"
		}
		v.Services = append(v.Services, us)
	}
	for _, c := range u.Components {
		i, ok := byService[c.Service]
		if !ok {
			continue
		}
		row := templates.UptimeComponent{ID: c.ID, Name: c.Name}
		if w := where(c); w != "" {
			row.Name += " (" + w + ")"
		}
		target, hasTarget := u.Targets[c.Service]
		for _, up := range u.Uptime[c.ID] {
			month := templates.UptimeMonth{Uptime: compactPercent(up), Exact: up.Truncate(4) + "%"}
			if hasTarget {
				month.Met = "met"
				if up.CmpPercent(target) < 0 {
					month.Met = "missed"
				}
			}
			row.Months = append(row.Months, month)
		}
		slices.Reverse(row.Months)
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
