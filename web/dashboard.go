package web

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/report"
	"github.com/amends/amends/sla"
	"github.com/amends/amends/templates"
)

// The SLA dashboard ("/admin/dashboard") and report ("/admin/reports/sla")
// show the figures package report computes from the stored history; this
// file only formats them.

// dashFilter is what the dashboard shows: one month (its start, UTC), and
// optionally one service, one region and one component.
type dashFilter struct {
	month                      time.Time
	service, region, component string
}

// query is the filter as a query string, for links and CSV URLs.
func (f dashFilter) query() string {
	q := "month=" + f.month.Format("2006-01")
	if f.service != "" {
		q += "&service=" + f.service
	}
	if f.region != "" {
		q += "&region=" + f.region
	}
	if f.component != "" {
		q += "&component=" + f.component
	}
	return q
}

// parseMonth reads "YYYY-MM" (empty: the month holding the last second
// before now) and refuses months after now's.
func parseMonth(field, raw string, now time.Time) (time.Time, error) {
	current := report.MonthStart(now.Add(-time.Second))
	if raw == "" {
		return current, nil
	}
	m, err := time.Parse("2006-01", raw)
	if err != nil {
		return time.Time{}, errs.Invalidf(field, "%q is not a month (YYYY-MM)", raw)
	}
	if m.After(current) {
		return time.Time{}, errs.Invalidf(field, "%s has not begun", raw)
	}
	if m.Year() < 1990 {
		return time.Time{}, errs.Invalidf(field, "%s is too early", raw)
	}
	return m, nil
}

// scopeLabel names a dashboard or report row: the service, "service,
// region", or the component with where it is.
func scopeLabel(sc report.Scope) string {
	switch sc.Level {
	case report.LevelService:
		return sc.Service.Name
	case report.LevelRegion:
		label := sc.Region
		if label == "" {
			label = "(no region)"
		}
		return sc.Service.Name + ", " + label
	}
	name := sc.Component.Name
	if w := where(sc.Component); w != "" {
		name += " (" + w + ")"
	}
	return name
}

func monthLabel(m, asOf time.Time) string {
	l := m.Format("January 2006")
	if asOf.Before(m.AddDate(0, 1, 0)) {
		l += " (so far)"
	}
	return l
}

// metCell compares an exact uptime with a target.
func metCell(u sla.Ratio, target sla.Percent, ok bool) templates.DataCell {
	if !ok {
		return templates.DataCell{Text: "No target", Class: "none"}
	}
	if u.CmpPercent(target) < 0 {
		return templates.DataCell{Text: "Missed", Class: "missed"}
	}
	return templates.DataCell{Text: "Met", Class: "met"}
}

func num(s string) templates.DataCell { return templates.DataCell{Text: s, Class: "num"} }

// dashboardView builds the dashboard for f as of now from the figures of
// report.Reports.Dashboard.
func (s *Server) dashboardView(ctx context.Context, page templates.Page, f dashFilter, now time.Time) (templates.DashboardPage, error) {
	d, err := s.reports.Dashboard(ctx, report.DashboardFilter{Month: f.month, Service: f.service, Region: f.region, Component: f.component}, now)
	if err != nil {
		return templates.DashboardPage{}, err
	}
	asOf := d.AsOf
	q := f.query()
	v := templates.DashboardPage{
		Page: page, AsOf: viewTime(asOf), MonthLabel: monthLabel(f.month, asOf), Month: f.month.Format("2006-01"),
		ReportURL:      "/admin/reports/sla?month=" + f.month.Format("2006-01"),
		ProjectionNote: "The projection assumes the rest of the month loses downtime at the rate of the last 3 days.",
		BurnNote: "A burn rate of 1 spends the month's error budget exactly by the month's end; 2 spends it in half the time. " +
			"Each window ends at the end of the month or now.",
		BurnFlags: []string{
			"“page”: someone should look now. The last hour burns above 14.4 (and the last 5 minutes too), or the last 6 hours above 6 (and the last 30 minutes too).",
			"“ticket”: worth a look today. The last day burns above 3 (and the last 2 hours too), or the last 3 days above 1 (and the last 6 hours too).",
			"These are the multiwindow alerts of Google's SRE workbook: the short window makes sure the burning has not already stopped.",
		},
	}
	if f.service != "" {
		v.ReportURL += "&service=" + f.service
	}
	// The history and the charts, half of the page's cells, are made
	// meanwhile on another goroutine.
	historyMade := make(chan struct{})
	go func(monthLabel string) {
		defer close(historyMade)
		v.History, v.Charts = dashHistory(d, f, monthLabel, q)
	}(v.MonthLabel)
	s.dashOptions(ctx, &v, d, f, now)

	budgetHead := []string{"Scope", "Uptime", "Target", "Result", "Budget allowed (min)", "Budget used (min)", "Budget left (min)"}
	if d.Finished {
		v.ProjectionNote = v.MonthLabel + " is over: its figures are final, so there is no projection."
		v.BurnNote = "A burn rate of 1 spends the month's error budget exactly by the month's end; 2 spends it in half the time. " +
			"The month is over, so each window ends at its last second (" + viewTime(asOf).Text + ")."
	} else {
		budgetHead = append(budgetHead, "Projected month-end uptime")
	}
	v.Budget = templates.DataTable{ID: "budget", Caption: "Uptime and error budget, " + v.MonthLabel, CSV: "/admin/dashboard.csv?table=budget&" + q,
		Head: budgetHead, Empty: "No components match these filters.", HowCounted: budgetHowCounted(d.Finished)}
	v.Burn = templates.DataTable{ID: "burn", Caption: "Burn rates at the end of " + v.MonthLabel, CSV: "/admin/dashboard.csv?table=burn&" + q,
		Head:  []string{"Scope", "Last 1 h", "Last 6 h", "Last 1 d", "Last 3 d"},
		Empty: "No components match these filters.", HowCounted: burnHowCounted}
	verdicts := make([]verdictRow, len(d.Scopes))
	for i, g := range d.Scopes {
		verdicts[i] = verdictRow{level: g.Level, region: g.Region, label: scopeLabel(g.Scope), missed: g.HasTarget && g.Uptime.CmpPercent(g.Target) < 0}
	}
	parts := partlyMissed(verdicts)
	// A month's allowed budget depends on the target alone: written once
	// for each target.
	allowedText := map[sla.Percent]string{}
	for i, g := range d.Scopes {
		level, label, u := string(g.Level), scopeLabel(g.Scope), g.Uptime
		row := templates.DataRow{Level: level, Cells: make([]templates.DataCell, 0, len(budgetHead))}
		row.Cells = append(row.Cells, templates.DataCell{Text: label}, num(u.Truncate(4)+"%"))
		burn := templates.DataRow{Level: level, Cells: make([]templates.DataCell, 0, 5)}
		burn.Cells = append(burn.Cells, templates.DataCell{Text: label})
		if !g.HasTarget {
			row.Cells = append(row.Cells, num("—"), metCell(u, g.Target, false))
			for range 3 {
				row.Cells = append(row.Cells, num("—"))
			}
			for range 4 {
				burn.Cells = append(burn.Cells, num("—"))
			}
			if !d.Finished {
				row.Cells = append(row.Cells, num("—"))
			}
		} else {
			row.Cells = append(row.Cells, num(g.Target.String()+"%"), resultCell(u, g.Target, true, parts[i]))
			allowed, ok := allowedText[g.Target]
			if !ok {
				allowed = sla.MinutesText(g.Budget.Allowed)
				allowedText[g.Target] = allowed
			}
			row.Cells = append(row.Cells, num(allowed), num(sla.MinutesText(g.Budget.Used)), leftCell(g.Budget))
			for _, b := range g.Burn {
				cell := num(sla.RateText(b.Long))
				if b.Burning {
					cell.Text += " (" + b.Window.Severity + ")"
					cell.Class += " burning"
				}
				burn.Cells = append(burn.Cells, cell)
			}
			if !d.Finished {
				pc := num(g.Projected.Truncate(4) + "%")
				if g.Projected.CmpPercent(g.Target) < 0 {
					pc.Text += " (misses)"
					pc.Class += " missed"
				}
				row.Cells = append(row.Cells, pc)
			}
		}
		v.Budget.Rows = append(v.Budget.Rows, row)
		v.Burn.Rows = append(v.Burn.Rows, burn)
	}

	months := d.Months
	v.Credits, v.Costly, v.CreditsNote, v.CostlyNote = dashCredits(d, f, months[0], months[len(months)-1], q)
	v.Incidents = incidentStats(d, asOf, q)
	if n := len(v.Incidents.Rows); n > 0 && n < len(months) {
		v.IncidentsNote = "No incidents in the other months."
	}
	<-historyMade
	return v, nil
}

// dashHistory is the dashboard's table of the last 12 months' uptime of
// every scope, and its charts.
func dashHistory(d *report.Dashboard, f dashFilter, monthLabel, q string) (t templates.DataTable, charts []templates.Chart) {
	months, asOf := d.Months, d.AsOf
	// The last 12 months. Twelve months of four-decimal figures do not
	// fit a screen: the table shows two (truncated, so a missed month
	// never rounds up to its target) and marks met and missed; a cell's
	// title and the charts' tables keep the exact figure.
	t = templates.DataTable{ID: "history", Caption: "Monthly uptime against target, " + months[0].Format("January 2006") + " to " + monthLabel, Compact: true,
		CSV: "/admin/dashboard.csv?table=history&" + q, Head: []string{"Scope"}, Empty: "No components match these filters."}
	for _, m := range months {
		t.Head = append(t.Head, m.Format("Jan 2006"))
	}
	for _, g := range d.Scopes {
		row := templates.DataRow{Level: string(g.Level), Cells: make([]templates.DataCell, 0, 1+len(g.History))}
		row.Cells = append(row.Cells, templates.DataCell{Text: scopeLabel(g.Scope)})
		for _, u := range g.History {
			cell := num(compactPercent(u))
			cell.Title = u.Truncate(4) + "%"
			if g.HasTarget {
				met := metCell(u, g.Target, true)
				cell.Mark = strings.ToLower(met.Text)
				cell.Class += " " + met.Class
				cell.Title += ", " + cell.Mark
			}
			row.Cells = append(row.Cells, cell)
		}
		t.Rows = append(t.Rows, row)
	}
	// A chart per service (per region when one is chosen, the component's
	// when one is).
	chartLevel := report.LevelService
	switch {
	case f.component != "":
		chartLevel = report.LevelComponent
	case f.region != "":
		chartLevel = report.LevelRegion
	}
	for _, g := range d.Scopes {
		if g.Level == chartLevel {
			charts = append(charts, uptimeChart(len(charts), g, months, asOf))
		}
	}

	return t, charts
}

// dashOptions fills the month, service, region and component filters:
// every month from the oldest incident's to now's, newest first; the
// regions and components of the chosen service (and region).
func (s *Server) dashOptions(ctx context.Context, v *templates.DashboardPage, d *report.Dashboard, f dashFilter, now time.Time) {
	v.Months = s.monthOptions(ctx, now, f.month)
	v.Services = []templates.Option{{Value: "", Label: "All services", Selected: f.service == ""}}
	for _, svc := range d.Services {
		v.Services = append(v.Services, templates.Option{Value: svc.ID, Label: svc.Name, Selected: svc.ID == f.service})
	}
	v.Regions = []templates.Option{{Value: "", Label: "All regions", Selected: f.region == ""}}
	seen := map[string]bool{}
	for _, c := range d.Components {
		if c.Region == "" || seen[c.Region] || (f.service != "" && c.Service != f.service) {
			continue
		}
		seen[c.Region] = true
		v.Regions = append(v.Regions, templates.Option{Value: c.Region, Label: c.Region, Selected: c.Region == f.region})
	}
	v.Components = []templates.Option{{Value: "", Label: "All components", Selected: f.component == ""}}
	for _, c := range d.Components {
		if c.ID != f.component && ((f.service != "" && c.Service != f.service) || (f.region != "" && c.Region != f.region)) {
			continue
		}
		label := c.Name
		if w := where(c); w != "" {
			label += " (" + w + ")"
		}
		v.Components = append(v.Components, templates.Option{Value: c.ID, Label: label, Selected: c.ID == f.component})
	}
}

// monthOptions lists the months a report can be asked for as of now
// (report.Reports.ReportMonths), newest first, with selected marked.
func (s *Server) monthOptions(ctx context.Context, now, selected time.Time) []templates.Option {
	var out []templates.Option
	for _, m := range s.reports.ReportMonths(ctx, now, selected) {
		out = append(out, templates.Option{Value: m.Format("2006-01"), Label: m.Format("January 2006"), Selected: m.Equal(selected)})
	}
	return out
}

// The chart's geometry, in SVG user units.
const (
	chartW, chartH       = 640, 240
	chartTop, chartBase  = 16, 200 // the 100% line and the floor line
	chartLeft, chartSlot = 64, 48
)

// chartFloors are the uptimes a chart's floor may be, highest first: the
// highest that is below every bar and the target is used.
var chartFloors = []string{"99.9", "99.5", "99", "95", "90", "50", "0"}

// uptimeChart is the i-th chart: g's uptime in each of months.
func uptimeChart(i int, g report.DashboardScope, months []time.Time, asOf time.Time) templates.Chart {
	target, ok := g.Target, g.HasTarget
	name := scopeLabel(g.Scope)
	id := "chart-" + strconv.Itoa(i)
	c := templates.Chart{ID: id, Width: chartW, Height: chartH, TargetY: -1,
		Title: "Monthly uptime of " + name + ", " + months[0].Format("January 2006") + " to " + monthLabel(months[len(months)-1], asOf),
		Table: templates.DataTable{ID: id + "-table", Caption: "Monthly uptime of " + name, Head: []string{"Month", "Uptime", "Target", "Result"}},
	}
	ups := g.History
	floor := sla.MustPercent("0")
	for _, fs := range chartFloors {
		p := sla.MustPercent(fs)
		below := !ok || target > p
		for _, u := range ups {
			if u.CmpPercent(p) <= 0 {
				below = false
			}
		}
		if below {
			floor = p
			break
		}
	}
	scale := int64(chartBase - chartTop)
	missed := 0
	for j, u := range ups {
		h := sla.BarHeight(u, floor, scale)
		label := months[j].Format("Jan 2006")
		text := monthLabel(months[j], asOf) + ": " + u.Truncate(4) + "%"
		cls := "chart__bar"
		row := templates.DataRow{Level: "month", Cells: []templates.DataCell{{Text: monthLabel(months[j], asOf)}, num(u.Truncate(4) + "%")}}
		if ok {
			met := metCell(u, target, true)
			text += ", " + strings.ToLower(met.Text)
			cls += " chart__bar--" + met.Class
			if met.Class == "missed" {
				missed++
			}
			row.Cells = append(row.Cells, num(target.String()+"%"), met)
		} else {
			row.Cells = append(row.Cells, num("—"), metCell(u, target, false))
		}
		x := int64(chartLeft + j*chartSlot)
		c.Bars = append(c.Bars, templates.ChartBar{X: x + 6, Y: chartBase - h, W: chartSlot - 12, H: h, Class: cls, Title: text})
		c.Labels = append(c.Labels, templates.ChartLabel{X: x + chartSlot/2, Y: chartBase + 16, Text: label[:3], Anchor: "middle"})
		if months[j].Month() == time.January || j == 0 {
			c.Labels = append(c.Labels, templates.ChartLabel{X: x + chartSlot/2, Y: chartBase + 32, Text: label[4:], Anchor: "middle"})
		}
		c.Table.Rows = append(c.Table.Rows, row)
	}
	c.Labels = append(c.Labels,
		templates.ChartLabel{X: chartLeft - 6, Y: chartTop + 4, Text: "100%", Anchor: "end"},
		templates.ChartLabel{X: chartLeft - 6, Y: chartBase + 4, Text: floor.String() + "%", Anchor: "end"})
	c.Desc = fmt.Sprintf("Bar chart of %d months; the axis runs from %s%% to 100%%.", len(ups), floor.String())
	if ok {
		c.TargetY = chartBase - sla.BarHeight(target.Ratio(), floor, scale)
		c.TargetLabel = "The line is the target, " + target.String() + "%."
		c.Desc += fmt.Sprintf(" Target %s%%, missed in %d of %d months.", target.String(), missed, len(ups))
	} else {
		c.TargetLabel = "No target is set for this service."
	}
	return c
}
