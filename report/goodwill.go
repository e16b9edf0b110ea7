package report

import (
	"context"
	"fmt"
	"slices"
	"strconv"
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
func (r *Reports) CheckGoodwill(ctx context.Context, id int64, g desk.GoodwillGrant, now time.Time) (desk.GoodwillGrant, error) {
	if _, err := r.incidents.Incident(ctx, id); err != nil {
		return desk.GoodwillGrant{}, err
	}
	g.Incident = strconv.FormatInt(id, 10)
	g, err := desk.NewGoodwillGrant(g, "", now) // the field errors first, then existence
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
	return g, nil
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
