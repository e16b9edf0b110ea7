package web

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
	"github.com/amends/amends/templates"
)

// The SLA dashboard ("/admin/dashboard") and report ("/admin/reports/sla")
// read the stored history and ask the sla engine for every uptime; this
// file only groups, orders and formats what sla returns.

// dashFilter is what the dashboard shows: one month (its start, UTC), and
// optionally one service and one region.
type dashFilter struct {
	month           time.Time
	service, region string
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
	return q
}

// monthStart returns the start of the UTC month holding t.
func monthStart(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// parseMonth reads "YYYY-MM" (empty: the month holding the last second
// before now) and refuses months after now's.
func parseMonth(field, raw string, now time.Time) (time.Time, error) {
	current := monthStart(now.Add(-time.Second))
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

// dashData is the stored history one dashboard or report reads.
type dashData struct {
	now        time.Time
	services   []incidents.Service
	components []incidents.Component
	policies   map[string]sla.Policy
	list       []sla.Policy
	incs       []incidents.Incident
	maints     []incidents.Maintenance
}

// loadDash reads the catalog, the policies and the incidents and
// maintenance that overlap [from, to).
func (s *Server) loadDash(ctx context.Context, now, from, to time.Time) (*dashData, error) {
	d := &dashData{now: now}
	var err error
	if d.services, err = s.incidents.Services(ctx); err != nil {
		return nil, err
	}
	if d.components, err = s.incidents.Components(ctx); err != nil {
		return nil, err
	}
	if d.policies, err = s.servicePolicies(ctx, d.components); err != nil {
		return nil, err
	}
	for _, svc := range d.services {
		if p, ok := d.policies[svc.ID]; ok {
			d.list = append(d.list, p)
		}
	}
	if d.incs, err = s.incidents.IncidentsBetween(ctx, from, to); err != nil {
		return nil, err
	}
	if d.maints, err = s.incidents.MaintenancesBetween(ctx, from, to); err != nil {
		return nil, err
	}
	return d, nil
}

// eval runs sla.Evaluate over [from, to) as of asOf with the incidents and
// maintenance that overlap it, and returns its component results by ID.
func (d *dashData) eval(from, to, asOf time.Time) (map[string]sla.ComponentResult, error) {
	var incs []incidents.Incident
	for _, inc := range d.incs {
		if inc.StartedAt.Before(to) && (inc.ResolvedAt == nil || inc.ResolvedAt.After(from)) {
			incs = append(incs, inc)
		}
	}
	var maints []incidents.Maintenance
	for _, m := range d.maints {
		if m.StartsAt.Before(to) && m.EndsAt.After(from) {
			maints = append(maints, m)
		}
	}
	sc, err := incidents.SLAScenario(sla.Period{Start: from, End: to}, asOf, d.services, d.components, incs, maints)
	if err != nil {
		return nil, err
	}
	sc.Policies = d.list
	res, err := sla.Evaluate(sc)
	if err != nil {
		return nil, err
	}
	return sla.ResultsByID(res.Components), nil
}

// dashGroup is one row of the dashboard: a service, a service in a region,
// or a component, with the components it covers.
type dashGroup struct {
	level, label, service string
	components            []sla.Component
}

// uptime is the group's uptime in results: the component's own, or the
// fleet uptime of its components.
func (g dashGroup) uptime(results map[string]sla.ComponentResult) sla.Ratio {
	if g.level == "component" {
		if r, ok := results[g.components[0].ID]; ok {
			return r.UptimePercent()
		}
		return sla.NewRatio(100, 1)
	}
	return sla.FleetUptime(g.components, results)
}

// groups returns the rows the filter selects: each service, then each of
// its regions, then that region's components, in catalog order.
func (d *dashData) groups(f dashFilter) []dashGroup {
	var out []dashGroup
	for _, svc := range d.services {
		if f.service != "" && svc.ID != f.service {
			continue
		}
		var regions []string
		byRegion := map[string][]incidents.Component{}
		var all []sla.Component
		for _, c := range d.components {
			if c.Service != svc.ID || (f.region != "" && c.Region != f.region) {
				continue
			}
			if _, ok := byRegion[c.Region]; !ok {
				regions = append(regions, c.Region)
			}
			byRegion[c.Region] = append(byRegion[c.Region], c)
			all = append(all, slaComponent(c))
		}
		if len(all) == 0 {
			continue
		}
		out = append(out, dashGroup{level: "service", label: svc.Name, service: svc.ID, components: all})
		for _, r := range regions {
			var rc []sla.Component
			for _, c := range byRegion[r] {
				rc = append(rc, slaComponent(c))
			}
			label := r
			if label == "" {
				label = "(no region)"
			}
			out = append(out, dashGroup{level: "region", label: svc.Name + ", " + label, service: svc.ID, components: rc})
			for _, c := range byRegion[r] {
				name := c.Name
				if w := where(c); w != "" {
					name += " (" + w + ")"
				}
				out = append(out, dashGroup{level: "component", label: name, service: svc.ID, components: []sla.Component{slaComponent(c)}})
			}
		}
	}
	return out
}

func slaComponent(c incidents.Component) sla.Component {
	out := sla.Component{ID: c.ID, Service: c.Service, Region: c.Region, Zone: c.Zone}
	if c.Resources > 0 {
		n := c.Resources
		out.Resources = &n
	}
	return out
}

// target returns the service's target, false when it has none.
func (d *dashData) target(service string) (sla.Percent, bool) {
	p, ok := d.policies[service]
	return p.Target, ok && p.Target > 0
}

func seconds(from, to time.Time) int64 { return int64(to.Sub(from) / time.Second) }

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

// dashboardView builds the dashboard for f as of now.
func (s *Server) dashboardView(ctx context.Context, page templates.Page, f dashFilter, now time.Time) (templates.DashboardPage, error) {
	monthEnd := f.month.AddDate(0, 1, 0)
	asOf := now
	if monthEnd.Before(asOf) {
		asOf = monthEnd
	}
	histFrom := f.month.AddDate(0, -11, 0)
	// The widest burn window (3 days) may reach into the month before.
	loadFrom := histFrom
	if w := asOf.Add(-72 * time.Hour); w.Before(loadFrom) {
		loadFrom = w
	}
	d, err := s.loadDash(ctx, now, loadFrom, asOf)
	if err != nil {
		return templates.DashboardPage{}, err
	}
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
	if err := s.dashOptions(ctx, &v, d, f); err != nil {
		return v, err
	}
	groups := d.groups(f)

	// Every evaluation the page shows (this month so far, the burn windows
	// ending at asOf, the 11 months before) stands on its own: they run on
	// every core at once.
	type span struct{ from, to time.Time }
	spans := []span{{f.month, asOf}}
	windowAt := map[time.Duration]int{}
	for _, w := range sla.BurnWindows {
		for _, l := range []time.Duration{w.Long, w.Short} {
			if _, ok := windowAt[l]; !ok {
				windowAt[l] = len(spans)
				spans = append(spans, span{asOf.Add(-l), asOf})
			}
		}
	}
	monthAt := map[int]int{0: 0}
	for i := 11; i > 0; i-- {
		m := f.month.AddDate(0, -i, 0)
		end := m.AddDate(0, 1, 0)
		if asOf.Before(end) {
			end = asOf
		}
		monthAt[i] = len(spans)
		spans = append(spans, span{m, end})
	}
	evaluated := make([]map[string]sla.ComponentResult, len(spans))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, sp := range spans {
		g.Go(func() (err error) {
			evaluated[i], err = d.eval(sp.from, sp.to, asOf)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return v, err
	}
	month := evaluated[0]
	type window struct {
		secs    int64
		results map[string]sla.ComponentResult
	}
	windows := map[time.Duration]window{}
	for l, i := range windowAt {
		windows[l] = window{secs: seconds(spans[i].from, asOf), results: evaluated[i]}
	}
	monthSecs, soFar, remaining := seconds(f.month, monthEnd), seconds(f.month, asOf), seconds(asOf, monthEnd)
	v.Budget = templates.DataTable{ID: "budget", Caption: "Uptime and error budget, " + v.MonthLabel, CSV: "/admin/dashboard.csv?table=budget&" + q,
		Head:  []string{"Scope", "Uptime", "Target", "Result", "Budget allowed (min)", "Budget used (min)", "Budget left (min)", "Projected month-end uptime"},
		Empty: "No components match these filters."}
	v.Burn = templates.DataTable{ID: "burn", Caption: "Burn rates at the end of " + v.MonthLabel, CSV: "/admin/dashboard.csv?table=burn&" + q,
		Head:  []string{"Scope", "Last 1 h", "Last 6 h", "Last 1 d", "Last 3 d"},
		Empty: "No components match these filters."}
	for _, g := range groups {
		u := g.uptime(month)
		target, ok := d.target(g.service)
		row := templates.DataRow{Level: g.level, Cells: []templates.DataCell{{Text: g.label}, num(u.Truncate(4) + "%")}}
		burn := templates.DataRow{Level: g.level, Cells: []templates.DataCell{{Text: g.label}}}
		if !ok {
			row.Cells = append(row.Cells, num("—"), metCell(u, target, false))
			for range 4 {
				row.Cells = append(row.Cells, num("—"))
				burn.Cells = append(burn.Cells, num("—"))
			}
		} else {
			row.Cells = append(row.Cells, num(target.String()+"%"), metCell(u, target, true))
			b := sla.NewErrorBudget(target, monthSecs, sla.DowntimeOf(u, soFar))
			row.Cells = append(row.Cells, num(sla.MinutesText(b.Allowed)), num(sla.MinutesText(b.Used)), leftCell(b))
			for _, w := range sla.BurnWindows {
				lw, sw := windows[w.Long], windows[w.Short]
				long := sla.BurnRate(sla.DowntimeOf(g.uptime(lw.results), lw.secs), lw.secs, target)
				short := sla.BurnRate(sla.DowntimeOf(g.uptime(sw.results), sw.secs), sw.secs, target)
				cell := num(sla.RateText(long))
				if w.Burning(long, short) {
					cell.Text += " (" + w.Severity + ")"
					cell.Class += " burning"
				}
				burn.Cells = append(burn.Cells, cell)
			}
			recent := windows[72*time.Hour]
			p := sla.ProjectMonthEnd(sla.DowntimeOf(u, soFar), sla.DowntimeOf(g.uptime(recent.results), recent.secs), recent.secs, remaining, monthSecs)
			pc := num(p.Truncate(4) + "%")
			if p.CmpPercent(target) < 0 {
				pc.Text += " (misses)"
				pc.Class += " missed"
			}
			row.Cells = append(row.Cells, pc)
		}
		v.Budget.Rows = append(v.Budget.Rows, row)
		v.Burn.Rows = append(v.Burn.Rows, burn)
	}

	// The last 12 months.
	var months []time.Time
	var results []map[string]sla.ComponentResult
	for i := 11; i >= 0; i-- {
		months = append(months, f.month.AddDate(0, -i, 0))
		results = append(results, evaluated[monthAt[i]])
	}
	// Twelve months of four-decimal figures do not fit a screen: the table
	// shows two (truncated, so a missed month never rounds up to its
	// target) and marks met and missed; a cell's title and the charts'
	// tables keep the exact figure.
	v.History = templates.DataTable{ID: "history", Caption: "Monthly uptime against target, " + months[0].Format("January 2006") + " to " + v.MonthLabel, Compact: true,
		CSV: "/admin/dashboard.csv?table=history&" + q, Head: []string{"Scope"}, Empty: "No components match these filters."}
	for _, m := range months {
		v.History.Head = append(v.History.Head, m.Format("Jan 2006"))
	}
	for _, g := range groups {
		target, ok := d.target(g.service)
		row := templates.DataRow{Level: g.level, Cells: []templates.DataCell{{Text: g.label}}}
		for _, res := range results {
			u := g.uptime(res)
			cell := num(compactPercent(u))
			cell.Title = u.Truncate(4) + "%"
			if ok {
				met := metCell(u, target, true)
				cell.Mark = strings.ToLower(met.Text)
				cell.Class += " " + met.Class
				cell.Title += ", " + cell.Mark
			}
			row.Cells = append(row.Cells, cell)
		}
		v.History.Rows = append(v.History.Rows, row)
	}
	// A chart per service (per region when one is chosen).
	chartLevel := "service"
	if f.region != "" {
		chartLevel = "region"
	}
	for _, g := range groups {
		if g.level == chartLevel {
			v.Charts = append(v.Charts, uptimeChart(len(v.Charts), g, d, months, results, asOf))
		}
	}

	if err := s.dashCredits(ctx, &v, d, f, months[0], monthEnd, q); err != nil {
		return v, err
	}
	v.Incidents = incidentStats(d, groups, months, asOf, q)
	if n := len(v.Incidents.Rows); n > 0 && n < len(months) {
		v.IncidentsNote = "No incidents in the other months."
	}
	return v, nil
}

// dashOptions fills the month, service and region filters: every month
// from the oldest incident's to now's, newest first.
func (s *Server) dashOptions(ctx context.Context, v *templates.DashboardPage, d *dashData, f dashFilter) error {
	v.Months = s.monthOptions(ctx, d.now, f.month)
	v.Services = []templates.Option{{Value: "", Label: "All services", Selected: f.service == ""}}
	for _, svc := range d.services {
		v.Services = append(v.Services, templates.Option{Value: svc.ID, Label: svc.Name, Selected: svc.ID == f.service})
	}
	v.Regions = []templates.Option{{Value: "", Label: "All regions", Selected: f.region == ""}}
	seen := map[string]bool{}
	for _, c := range d.components {
		if c.Region == "" || seen[c.Region] || (f.service != "" && c.Service != f.service) {
			continue
		}
		seen[c.Region] = true
		v.Regions = append(v.Regions, templates.Option{Value: c.Region, Label: c.Region, Selected: c.Region == f.region})
	}
	return nil
}

// monthOptions lists the months from the oldest resolved incident's (at
// most ten years back) to now's, newest first, with selected marked.
func (s *Server) monthOptions(ctx context.Context, now, selected time.Time) []templates.Option {
	current := monthStart(now.Add(-time.Second))
	oldest := current.AddDate(0, -11, 0)
	if first, ok, err := s.incidents.EarliestResolvedStart(ctx); err == nil && ok {
		if m := monthStart(first); m.Before(oldest) {
			oldest = m
		}
	}
	if limit := current.AddDate(-10, 0, 0); oldest.Before(limit) {
		oldest = limit
	}
	if selected.Before(oldest) {
		oldest = selected
	}
	var out []templates.Option
	for m := current; !m.Before(oldest); m = m.AddDate(0, -1, 0) {
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

func uptimeChart(i int, g dashGroup, d *dashData, months []time.Time, results []map[string]sla.ComponentResult, asOf time.Time) templates.Chart {
	target, ok := d.target(g.service)
	id := "chart-" + strconv.Itoa(i)
	c := templates.Chart{ID: id, Width: chartW, Height: chartH, TargetY: -1,
		Title: "Monthly uptime of " + g.label + ", " + months[0].Format("January 2006") + " to " + monthLabel(months[len(months)-1], asOf),
		Table: templates.DataTable{ID: id + "-table", Caption: "Monthly uptime of " + g.label, Head: []string{"Month", "Uptime", "Target", "Result"}},
	}
	ups := make([]sla.Ratio, len(results))
	for j, res := range results {
		ups[j] = g.uptime(res)
	}
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
