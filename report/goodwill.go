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
	w, err := r.goodwillWindow(ctx, g, now)
	if err != nil {
		return nil, err
	}
	out := make([]GoodwillEligible, len(w.Components))
	for i, c := range w.Components {
		out[i].Component = c
	}
	if w.Empty() {
		return out, nil
	}
	data, err := r.desk.MonthData(ctx, w.month)
	if err != nil {
		return nil, err
	}
	for i, c := range w.Components {
		seen := map[string]bool{}
		for _, res := range data.Resources {
			if res.Component == c && w.holds(res) {
				seen[res.Customer] = true
			}
		}
		out[i].Customers = len(seen)
	}
	return out, nil
}

// GoodwillScope is what makes a customer eligible for a grant: a resource
// in one of Components at some instant of [Start, End), the incident's
// window (both zero when the incident has none yet).
type GoodwillScope struct {
	Components []string
	Start, End time.Time
	// ByCustomer holds, for each customer asked about, the resources that
	// made it eligible (none: it is not).
	ByCustomer map[string][]desk.AccountResource
	month      string
}

// Empty reports whether the window is empty, so that no one is eligible.
func (w GoodwillScope) Empty() bool { return w.Start.IsZero() || !w.End.After(w.Start) }

// holds reports whether res makes its customer eligible: a positive count
// in the window (its component is checked by the caller).
func (w GoodwillScope) holds(res desk.AccountResource) bool {
	return res.Count > 0 && (res.From == nil || res.From.Before(w.End)) && (res.To == nil || res.To.After(w.Start))
}

// GoodwillEligibleResources returns g's scope with, for each of customers,
// the resources in an eligible component during the incident's window that
// make it eligible, as GoodwillEligibility counts them: what a goodwill
// run's page shows beside each line.
func (r *Reports) GoodwillEligibleResources(ctx context.Context, g desk.GoodwillGrant, customers []string, now time.Time) (GoodwillScope, error) {
	w, err := r.goodwillWindow(ctx, g, now)
	if err != nil {
		return GoodwillScope{}, err
	}
	w.ByCustomer = map[string][]desk.AccountResource{}
	if w.Empty() || len(customers) == 0 {
		return w, nil
	}
	data, err := r.desk.MonthDataFor(ctx, w.month, customers)
	if err != nil {
		return GoodwillScope{}, err
	}
	for _, res := range data.Resources {
		if slices.Contains(customers, res.Customer) && slices.Contains(w.Components, res.Component) && w.holds(res) {
			w.ByCustomer[res.Customer] = append(w.ByCustomer[res.Customer], res)
		}
	}
	return w, nil
}

// goodwillWindow is g's eligible components and its incident's window.
func (r *Reports) goodwillWindow(ctx context.Context, g desk.GoodwillGrant, now time.Time) (GoodwillScope, error) {
	id, err := strconv.ParseInt(g.Incident, 10, 64)
	if err != nil {
		return GoodwillScope{}, errs.Invalidf("incident", "%q is not an incident id", g.Incident)
	}
	inc, err := r.incidents.Incident(ctx, id)
	if err != nil {
		return GoodwillScope{}, err
	}
	comps := g.EligibleComponents
	if len(comps) == 0 {
		comps = g.Components
	}
	if len(comps) == 0 {
		all, err := r.incidents.Components(ctx)
		if err != nil {
			return GoodwillScope{}, err
		}
		for _, c := range all {
			if slices.Contains(g.Services, c.Service) {
				comps = append(comps, c.ID)
			}
		}
	}
	w := GoodwillScope{Components: comps}
	for _, sp := range inc.Timeline() {
		if sp.Status == incidents.Operational || sp.Status == incidents.UnderMaintenance {
			continue
		}
		end := now
		if sp.End != nil && sp.End.Before(now) {
			end = *sp.End
		}
		if w.Start.IsZero() || sp.Start.Before(w.Start) {
			w.Start = sp.Start
		}
		if end.After(w.End) {
			w.End = end
		}
	}
	if w.Empty() {
		return GoodwillScope{Components: comps}, nil
	}
	if w.month, err = incidents.GoodwillMonth(inc); err != nil {
		return GoodwillScope{}, err
	}
	return w, nil
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
	return r.goodwillLinesOf(ctx, id, nil, now)
}

// GoodwillGrantLines computes the lines the goodwill run of g's incident
// would pay were g approved, from stored data as of now, and the month
// they belong to: what approving a pending grant commits to. errs.Invalid
// on "incident" as goodwillLines.
func (r *Reports) GoodwillGrantLines(ctx context.Context, g desk.GoodwillGrant, now time.Time) (string, []desk.RunLine, error) {
	id, err := strconv.ParseInt(g.Incident, 10, 64)
	if err != nil {
		return "", nil, errs.Invalidf("incident", "unknown incident %q", g.Incident)
	}
	g.State = desk.GoodwillApproved
	return r.goodwillLinesOf(ctx, id, []desk.GoodwillGrant{g}, now)
}

// goodwillLinesOf is goodwillLines with grants in place of the stored
// ones, when not nil.
func (r *Reports) goodwillLinesOf(ctx context.Context, id int64, grants []desk.GoodwillGrant, now time.Time) (string, []desk.RunLine, error) {
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
	if grants == nil {
		if grants, err = r.desk.GoodwillGrants(ctx, strconv.FormatInt(id, 10)); err != nil {
			return "", nil, err
		}
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
