package web

import (
	"context"
	"errors"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/sync/errgroup"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/report"
	"github.com/amends/amends/sla"
	"github.com/amends/amends/templates"
)

const htmlType = "text/html; charset=utf-8"

// publicPage is the frame of a cached public page: the same bytes for every
// reader, so it names no user and carries no form token.
func (s *Server) publicPage(title, description string, path string) templates.Page {
	return templates.Page{Title: title, Description: description, Nav: templates.Nav{SiteName: s.cfg.SiteName, Current: path}}
}

// handleStatus serves "/", the status page, from the page cache.
func (s *Server) handleStatus(c echo.Context) error {
	return s.pages.serve(c, "/", func(ctx context.Context) (rendered, error) {
		v, validFor, err := s.statusView(ctx, s.publicNow())
		if err != nil {
			return rendered{}, err
		}
		body, forms, err := renderStreamed(ctx, templates.Status(v), statusPageSize(v))
		return rendered{htmlType, body, validFor, forms}, err
	})
}

// pastIncidents is how many resolved incidents the status page lists
// under "Past incidents" (as Statuspage does; the rest are in /history).
const pastIncidents = 3

// foldAbove is how many components a status page lists before it folds
// away the components of each service whose components are all
// operational, leaving the service's own bar: a service with anything
// else (an outage, maintenance) always shows its components.
const foldAbove = 10

// statusView builds the status page as of now, and says how long it stays
// right without a write: until the next maintenance window opens or closes,
// and at most a minute (durations shown as "ongoing for ...").
func (s *Server) statusView(ctx context.Context, now time.Time) (templates.StatusPage, time.Duration, error) {
	// The bars read the most; the rest is read meanwhile, on another
	// connection.
	var bars barSet
	var g errgroup.Group
	g.Go(func() (err error) {
		bars, err = s.uptimeBars(ctx, now)
		return err
	})
	services, err := s.incidents.Services(ctx)
	var st report.State
	if err == nil {
		st, err = s.currentState(ctx, now)
	}
	var past []incidents.Incident
	if err == nil {
		// Resolved by now: on a page of the past (Config.AsOf), what was
		// resolved later is not shown yet.
		past, err = s.incidents.LatestResolved(ctx, now, pastIncidents)
	}
	if err := errors.Join(err, g.Wait()); err != nil {
		return templates.StatusPage{}, 0, err
	}
	components, active, maint, statuses := st.Components, st.Active, st.Maintenance, st.Statuses
	names := namesOf(components)

	// The worst active percentage per component, for "partial outage (12.5%)".
	percents := map[string]sla.Percent{}
	for _, inc := range active {
		for _, cs := range inc.ComponentStates() {
			if cs.Status == statuses[cs.Component] && cs.AffectedPercent > percents[cs.Component] {
				percents[cs.Component] = cs.AffectedPercent
			}
		}
	}

	v := templates.StatusPage{
		Page:        s.publicPage("Status", "Current status of "+s.cfg.SiteName+" services, active incidents and scheduled maintenance.", "/"),
		Overall:     overallBanner(incidents.Overall(statuses), len(active)),
		Subscribe:   s.cfg.Notify != nil,
		GeneratedAt: viewTime(now),
		UptimeFrom:  bars.from, UptimeTo: bars.to,
	}
	byService := map[string]int{}
	for _, svc := range services {
		byService[svc.ID] = len(v.Services)
		v.Services = append(v.Services, templates.ServiceGroup{ID: svc.ID, Name: svc.Name, Description: svc.Description, Status: statusBadge(incidents.Operational)})
	}
	for _, comp := range components {
		i, ok := byService[comp.Service]
		if !ok {
			continue
		}
		st := statuses[comp.ID]
		row := templates.ComponentRow{ID: comp.ID, Name: comp.Name, Where: where(comp), Group: comp.Group, Status: statusBadge(st)}
		bar := bars.row(comp.ID)
		row.Uptime, row.Uptime90 = bar.Uptime, bar.Uptime90
		if st != incidents.Operational && st != incidents.UnderMaintenance {
			row.Percent = percentText(percents[comp.ID])
		}
		g := &v.Services[i]
		g.Components = append(g.Components, row)
		if st.Severity() > incidents.Status(g.Status.Class).Severity() {
			g.Status = statusBadge(st)
		}
	}
	// Each service's own bar; on a page of many components, a service
	// whose components are all operational folds them away under it.
	byServiceComps := make([][]incidents.Component, len(v.Services))
	for _, comp := range components {
		if i, ok := byService[comp.Service]; ok {
			byServiceComps[i] = append(byServiceComps[i], comp)
		}
	}
	fold := len(components) > foldAbove
	for i := range v.Services {
		g := &v.Services[i]
		if len(byServiceComps[i]) == 0 {
			continue
		}
		if g.Uptime, g.Uptime90, err = bars.service(byServiceComps[i], names); err != nil {
			return templates.StatusPage{}, 0, err
		}
		g.Folded = fold && g.Status.Class == string(incidents.Operational)
	}
	for _, inc := range active {
		v.Active = append(v.Active, incidentSummary(inc, names, "/incidents/", now))
	}

	for _, inc := range past {
		v.Past = append(v.Past, templates.IncidentSummary{
			URL: publicIncidentPath(inc.ID), Title: inc.Title, Impact: impactBadge(inc.Impact),
			Resolved: viewTimePtr(inc.ResolvedAt), Duration: incidents.FormatDuration(inc.ResolvedAt.Sub(inc.StartedAt)),
		})
	}

	validFor := time.Minute
	for _, m := range maint {
		v.Maintenance = append(v.Maintenance, maintenanceSummary(m, names, now))
		for _, edge := range []time.Time{m.StartsAt, m.EndsAt} {
			if d := edge.Sub(now); d > 0 && d < validFor {
				validFor = d
			}
		}
	}
	return v, validFor, nil
}
