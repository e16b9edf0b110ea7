package report

import (
	"context"
	"math/big"
	"runtime"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
)

// DashboardMonths is how many calendar months the SLA dashboard's history
// covers, the month chosen included.
const DashboardMonths = 12

// DashboardFilter is what the SLA dashboard shows: one month (its start,
// UTC), and optionally one service, one region and one component (of the
// catalog: errs.Invalid on "component" otherwise). The filters narrow
// together: a component outside the chosen service or region selects
// nothing.
type DashboardFilter struct {
	Month                      time.Time
	Service, Region, Component string
}

// Dashboard is the SLA dashboard's figures: each scope's uptime, error
// budget, burn rates and projection for the month chosen, its uptime in
// each of the 12 months that end with it, the credits the ledger paid in
// those months and the incidents that started in them.
type Dashboard struct {
	// AsOf is the end of the month, or now while the month lasts.
	AsOf time.Time
	// Finished is true once the month is over: its figures are final, and
	// no scope has a projection.
	Finished bool
	// Services and Components are the whole catalog, for the filters.
	Services   []incidents.Service
	Components []incidents.Component
	// Months are the starts of the 12 months of History, oldest first;
	// the last is the month chosen.
	Months []time.Time
	// Scopes are the rows the filter selects (see Scope), in catalog order.
	Scopes []DashboardScope
	// Credits and Costly are the credits paid in Months (of the service
	// chosen, when there is one); see DashboardCredits.
	Credits []MonthCredits
	Costly  []IncidentCredits
	// Incidents are the months of Months in which incidents on the scopes'
	// components started, newest first.
	Incidents []MonthIncidents
}

// DashboardScope is one scope's figures on the dashboard. Without a
// target, Budget, Burn and Projected are zero.
type DashboardScope struct {
	Scope
	// Target is the target of the service's policy; HasTarget is false
	// without a policy or with a target of 0.
	Target    sla.Percent
	HasTarget bool
	// Uptime is the month's so far (up to AsOf).
	Uptime sla.Ratio
	// Budget is the month's error budget and what the month so far used.
	Budget sla.ErrorBudget
	// Burn are the burn rates of the windows of sla.BurnWindows, in order,
	// each ending at AsOf.
	Burn []Burn
	// Projected is the uptime the month ends with if the rest of it loses
	// downtime at the rate of the last 3 days (sla.ProjectMonthEnd); zero
	// once the month is over (Dashboard.Finished).
	Projected sla.Ratio
	// History is the uptime of each of the dashboard's Months.
	History []sla.Ratio
}

// Burn is a scope's burn rates over one alert's two windows.
type Burn struct {
	Window sla.BurnWindow
	// Long and Short are the burn rates over the long and the short
	// window (sla.BurnRate: nil when the target leaves no budget).
	Long, Short *big.Rat
	// Burning is whether both are above the window's threshold.
	Burning bool
}

// Dashboard computes the SLA dashboard of f as of now. Every evaluation
// it shows (the month so far, the burn windows ending at its AsOf, the 11
// months before) stands on its own, so they run on every core at once;
// service and region figures are fleet uptimes of sla.FleetUptime. A
// service, region or component the catalog does not hold is errs.Invalid
// on "service", "region" or "component"; known ones that do not meet (a
// component of another service) select nothing.
func (r *Reports) Dashboard(ctx context.Context, f DashboardFilter, now time.Time) (*Dashboard, error) {
	monthEnd := f.Month.AddDate(0, 1, 0)
	asOf := now
	if monthEnd.Before(asOf) {
		asOf = monthEnd
	}
	histFrom := f.Month.AddDate(0, -(DashboardMonths - 1), 0)
	// The widest burn window (3 days) may reach into the month before.
	loadFrom := histFrom
	if w := asOf.Add(-72 * time.Hour); w.Before(loadFrom) {
		loadFrom = w
	}
	// While the month lasts, the 11 months before it are finished: what a
	// render read and evaluated of them is kept (dashKept) and used again
	// while nothing it was made from has changed. Only for the month
	// holding asOf: the months before it are over, and their evaluations
	// do not depend on asOf.
	current := !asOf.Before(f.Month) && asOf.Before(monthEnd)
	var mark string
	var kept *keptMonths
	var h *history
	var err error
	if current {
		// The mark first: a write after it leaves another mark, so what is
		// read after it is at least as new as what the mark says.
		if mark, err = r.incidents.IncidentTimelineChanges(ctx, f.Month); err != nil {
			return nil, err
		}
		if kept = r.dash.get(histFrom, f.Month, mark); kept != nil {
			if h, err = r.loadKept(ctx, kept, asOf.Add(-72*time.Hour), asOf); err != nil {
				return nil, err
			}
			if h == nil {
				kept = nil
			}
		}
	}
	if h == nil {
		if h, err = r.loadHistory(ctx, loadFrom, asOf); err != nil {
			return nil, err
		}
	}
	d := &Dashboard{AsOf: asOf, Finished: !asOf.Before(monthEnd), Services: h.services, Components: h.components}
	if f.Service != "" && !slices.ContainsFunc(h.services, func(s incidents.Service) bool { return s.ID == f.Service }) {
		return nil, errs.Invalidf("service", "there is no service %q", f.Service)
	}
	if f.Region != "" && !slices.ContainsFunc(h.components, func(c incidents.Component) bool { return c.Region == f.Region }) {
		return nil, errs.Invalidf("region", "there is no region %q: no component is in it", f.Region)
	}
	scopes := h.scopes(f.Service, f.Region)
	if f.Component != "" {
		if !slices.ContainsFunc(h.components, func(c incidents.Component) bool { return c.ID == f.Component }) {
			return nil, errs.Invalidf("component", "there is no component %q", f.Component)
		}
		scopes = slices.DeleteFunc(scopes, func(sc Scope) bool { return sc.Level != LevelComponent || sc.Component.ID != f.Component })
	}

	type span struct{ from, to time.Time }
	spans := []span{{f.Month, asOf}}
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
	for i := DashboardMonths - 1; i > 0; i-- {
		m := f.Month.AddDate(0, -i, 0)
		end := m.AddDate(0, 1, 0)
		if asOf.Before(end) {
			end = asOf
		}
		monthAt[i] = len(spans)
		spans = append(spans, span{m, end})
	}
	evaluated := make([]map[string]sla.ComponentResult, len(spans))
	if kept != nil {
		for i, at := range monthAt {
			if i > 0 {
				evaluated[at] = kept.months[i]
			}
		}
	}
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, sp := range spans {
		if evaluated[i] != nil {
			continue
		}
		g.Go(func() (err error) {
			evaluated[i], err = h.eval(sp.from, sp.to, asOf)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if current && kept == nil {
		months := map[int]map[string]sla.ComponentResult{}
		for i, at := range monthAt {
			if i > 0 {
				months[i] = evaluated[at]
			}
		}
		r.dash.put(h.keep(histFrom, f.Month, mark, months))
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
	var results []map[string]sla.ComponentResult
	for i := DashboardMonths - 1; i >= 0; i-- {
		d.Months = append(d.Months, f.Month.AddDate(0, -i, 0))
		results = append(results, evaluated[monthAt[i]])
	}
	monthSecs, soFar, remaining := seconds(f.Month, monthEnd), seconds(f.Month, asOf), seconds(asOf, monthEnd)
	d.Scopes = make([]DashboardScope, len(scopes))
	for k, sc := range scopes {
		ds := DashboardScope{Scope: sc, Uptime: sc.uptime(month)}
		ds.Target, ds.HasTarget = h.target(sc.Service.ID)
		if ds.HasTarget {
			used := sla.DowntimeOf(ds.Uptime, soFar)
			ds.Budget = sla.NewErrorBudget(ds.Target, monthSecs, used)
			ds.Burn = make([]Burn, 0, len(sla.BurnWindows))
			for _, w := range sla.BurnWindows {
				lw, sw := windows[w.Long], windows[w.Short]
				b := Burn{Window: w,
					Long:  sla.BurnRate(sla.DowntimeOf(sc.uptime(lw.results), lw.secs), lw.secs, ds.Target),
					Short: sla.BurnRate(sla.DowntimeOf(sc.uptime(sw.results), sw.secs), sw.secs, ds.Target)}
				b.Burning = w.Burning(b.Long, b.Short)
				ds.Burn = append(ds.Burn, b)
			}
			if recent := windows[72*time.Hour]; !d.Finished {
				ds.Projected = sla.ProjectMonthEnd(used, sla.DowntimeOf(sc.uptime(recent.results), recent.secs), recent.secs, remaining, monthSecs)
			}
		}
		ds.History = make([]sla.Ratio, len(results))
		for j, res := range results {
			ds.History[j] = sc.uptime(res)
		}
		d.Scopes[k] = ds
	}

	if d.Credits, d.Costly, err = r.dashboardCredits(ctx, f, d.Months[0], monthEnd); err != nil {
		return nil, err
	}
	d.Incidents = h.incidentsByMonth(scopes, d.Months, asOf)
	return d, nil
}
