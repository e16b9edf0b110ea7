package report

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
)

// Goodwill grants on incidents ("N days of usage of these services in
// these components"): the checks of a grant against the incidents store
// before the desk records it, and the incident credit run that pays an
// approved one.

// CheckGoodwill returns g as a grant on incident id, ready for
// desk.Store.RequestGoodwill: errs.NotFound for an unknown incident, the
// field errors of desk.NewGoodwillGrant, then errs.Invalid on
// "services[i]", "components[i]" or "eligible_components[i]" for one that
// does not exist (or a component of a service g does not name).
//
// A grant that names no components is scoped to the components of its
// services that the incident's updates marked non-operational
// (AffectedComponents), unless allComponents says the requester
// deliberately widens it to every component of its services: errs.Invalid
// on "components" when the incident affected none of them, or when
// allComponents comes with components named.
func (r *Reports) CheckGoodwill(ctx context.Context, id int64, g desk.GoodwillGrant, allComponents bool, now time.Time) (desk.GoodwillGrant, error) {
	inc, err := r.incidents.Incident(ctx, id)
	if err != nil {
		return desk.GoodwillGrant{}, err
	}
	g.Incident = strconv.FormatInt(id, 10)
	g, err = desk.NewGoodwillGrant(g, "", now) // the field errors first, then existence
	if err != nil {
		return desk.GoodwillGrant{}, err
	}
	for i, svc := range g.Services {
		if err := r.KnownService(ctx, fmt.Sprintf("services[%d]", i), svc); err != nil {
			return desk.GoodwillGrant{}, err
		}
	}
	if err := r.grantComponents(ctx, "components", g.Components, g.Services); err != nil {
		return desk.GoodwillGrant{}, err
	}
	// Within the listed components, checked above, or else of the services.
	if err := r.grantComponents(ctx, "eligible_components", g.EligibleComponents, g.Services); err != nil {
		return desk.GoodwillGrant{}, err
	}
	switch {
	case allComponents && len(g.Components) > 0:
		return desk.GoodwillGrant{}, errs.Invalidf("components", "name components, or widen the grant to every component of its services, not both")
	case !allComponents && len(g.Components) == 0:
		affected, err := r.AffectedComponents(ctx, inc, g.Services)
		if err != nil {
			return desk.GoodwillGrant{}, err
		}
		if len(affected) == 0 {
			return desk.GoodwillGrant{}, errs.Invalidf("components", "incident %d marked no component of %s non-operational: name the components to credit, or widen the grant to every component of its services",
				id, strings.Join(g.Services, ", "))
		}
		g.Components = affected
		// The eligible components must now lie within the affected ones.
		if g, err = desk.NewGoodwillGrant(g, "", now); err != nil {
			return desk.GoodwillGrant{}, err
		}
	}
	return g, nil
}

// AffectedComponents returns the components of services (all of them when
// services is empty) that inc's updates marked with a status that counts
// as an impact (degraded, partial or major outage), in the order they were
// first named: the default scope of a goodwill grant on inc.
func (r *Reports) AffectedComponents(ctx context.Context, inc incidents.Incident, services []string) ([]string, error) {
	impacted := map[string]bool{}
	for _, u := range inc.Updates {
		for _, cs := range u.Components {
			if cs.Status != incidents.Operational && cs.Status != incidents.UnderMaintenance {
				impacted[cs.Component] = true
			}
		}
	}
	var out []string
	for _, id := range inc.AffectedComponents() {
		if !impacted[id] {
			continue
		}
		comp, err := r.incidents.Component(ctx, id)
		if errs.CodeOf(err) == errs.NotFound {
			continue // deleted since
		}
		if err != nil {
			return nil, err
		}
		if len(services) == 0 || slices.Contains(services, comp.Service) {
			out = append(out, id)
		}
	}
	return out, nil
}

// GoodwillEligible is how many customers a grant's scope makes eligible
// in one component: those with a resource there at some instant of the
// incident's window.
type GoodwillEligible struct {
	Component string
	Customers int
}

// GoodwillEligibility counts, for each component whose resources make a
// customer eligible for g (its EligibleComponents, else its Components,
// else every component of its services), the customers with a resource
// there during the incident's window (first impact start to last impact
// end, or now while it goes on), from the stored resources of the month
// the goodwill belongs to, as the engine decides eligibility
// (sla.Goodwill). An incident without impact has an empty window: every
// count is 0.
func (r *Reports) GoodwillEligibility(ctx context.Context, g desk.GoodwillGrant, now time.Time) ([]GoodwillEligible, error) {
	id, err := strconv.ParseInt(g.Incident, 10, 64)
	if err != nil {
		return nil, errs.Invalidf("incident", "%q is not an incident id", g.Incident)
	}
	inc, err := r.incidents.Incident(ctx, id)
	if err != nil {
		return nil, err
	}
	comps := g.EligibleComponents
	if len(comps) == 0 {
		comps = g.Components
	}
	if len(comps) == 0 {
		all, err := r.incidents.Components(ctx)
		if err != nil {
			return nil, err
		}
		for _, c := range all {
			if slices.Contains(g.Services, c.Service) {
				comps = append(comps, c.ID)
			}
		}
	}
	out := make([]GoodwillEligible, len(comps))
	for i, c := range comps {
		out[i].Component = c
	}
	var ws, we time.Time
	for _, sp := range inc.Timeline() {
		if sp.Status == incidents.Operational || sp.Status == incidents.UnderMaintenance {
			continue
		}
		end := now
		if sp.End != nil && sp.End.Before(now) {
			end = *sp.End
		}
		if ws.IsZero() || sp.Start.Before(ws) {
			ws = sp.Start
		}
		if end.After(we) {
			we = end
		}
	}
	if ws.IsZero() || !we.After(ws) {
		return out, nil
	}
	month, err := incidents.GoodwillMonth(inc)
	if err != nil {
		return nil, err
	}
	data, err := r.desk.MonthData(ctx, month)
	if err != nil {
		return nil, err
	}
	for i, c := range comps {
		seen := map[string]bool{}
		for _, res := range data.Resources {
			if res.Component != c || res.Count <= 0 || seen[res.Customer] {
				continue
			}
			if (res.From == nil || res.From.Before(we)) && (res.To == nil || res.To.After(ws)) {
				seen[res.Customer] = true
			}
		}
		out[i].Customers = len(seen)
	}
	return out, nil
}

// grantComponents returns errs.Invalid on "field[i]" for the first of ids
// that is not a component, or is one of a service not among services.
func (r *Reports) grantComponents(ctx context.Context, field string, ids, services []string) error {
	for i, id := range ids {
		comp, err := r.incidents.Component(ctx, id)
		if errs.CodeOf(err) == errs.NotFound {
			return errs.Invalidf(fmt.Sprintf("%s[%d]", field, i), "unknown component %q", id)
		}
		if err != nil {
			return err
		}
		if !slices.Contains(services, comp.Service) {
			return errs.Invalidf(fmt.Sprintf("%s[%d]", field, i), "component %q belongs to service %s, which the grant does not name", id, comp.Service)
		}
	}
	return nil
}

// goodwillLines computes the lines of incident id's goodwill run from
// stored data as of now, and the month its goodwill belongs to (the UTC
// month in which its first impact starts). errs.Invalid on "incident"
// while the incident is active, when it has no impact, or no approved
// grant, and while that month is not over.
func (r *Reports) goodwillLines(ctx context.Context, id int64, now time.Time) (string, []desk.RunLine, error) {
	inc, err := r.incidents.Incident(ctx, id)
	if errs.CodeOf(err) == errs.NotFound {
		return "", nil, errs.Invalidf("incident", "unknown incident %d", id)
	}
	if err != nil {
		return "", nil, err
	}
	if inc.Active() {
		return "", nil, errs.Invalidf("incident", "incident %d is not resolved yet", id)
	}
	month, err := incidents.GoodwillMonth(inc)
	if err != nil {
		return "", nil, err
	}
	from, to, err := desk.MonthWindow(month)
	if err != nil {
		return "", nil, err
	}
	if now.Before(to) {
		return "", nil, errs.Invalidf("incident", "its goodwill belongs to %s, which is not over everywhere until %s", month, to.Format(time.RFC3339))
	}
	base, err := incidents.StoredScenario(ctx, r.incidents, sla.Period{Month: month}, from, to, now)
	if err != nil {
		return "", nil, err
	}
	grants, err := r.desk.GoodwillGrants(ctx, strconv.FormatInt(id, 10))
	if err != nil {
		return "", nil, err
	}
	data, err := r.desk.MonthData(ctx, month)
	if err != nil {
		return "", nil, err
	}
	lines, err := desk.PreviewGoodwill(strconv.FormatInt(id, 10), month, now, desk.WithGoodwill(base, grants), data)
	return month, lines, err
}

// PreviewGoodwillRun computes every eligible customer's goodwill for
// incident id from stored data as of now, for the month it belongs to (the
// UTC month in which its first impact starts), and keeps it as an incident
// run previewed by who. errs.Invalid on "incident" for an unknown incident,
// while it is active, when it has no impact or no approved grant, and while
// that month is not over.
func (r *Reports) PreviewGoodwillRun(ctx context.Context, who audit.Actor, id int64, now time.Time) (desk.CreditRun, error) {
	month, lines, err := r.goodwillLines(ctx, id, now)
	if err != nil {
		return desk.CreditRun{}, err
	}
	run, err := desk.NewIncidentRun(strconv.FormatInt(id, 10), month, now, lines, who.Person, now)
	if err != nil {
		return desk.CreditRun{}, err
	}
	return r.desk.CreateRun(ctx, who, run, lines, now)
}
