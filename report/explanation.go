package report

import (
	"context"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
)

// ExplanationFigures are the figures a first explanation of an incident is
// drafted with (see incidents.DraftExplanation): the catalog its ids
// refer to, the uptime of the month in which it started, and the credits
// that month's run offers in the services it affected.
type ExplanationFigures struct {
	Services   []incidents.Service
	Components []incidents.Component
	// Month is the month's evaluation (sla.Evaluate of the stored
	// incidents and maintenance that overlap it), nil when it could not be
	// computed: MonthErr says why.
	Month    *sla.Result
	MonthErr error
	// Credits is what the month's run offers (see draftCredits), nil
	// while the month is not over everywhere, when no customer has
	// resources in the affected services, or when it could not be
	// computed: CreditsErr says why.
	Credits    *incidents.DraftCredits
	CreditsErr error
}

// ExplanationFigures computes the figures of inc's draft as of now. A
// figure that cannot be computed for a reason other than an internal
// error (a scenario the engine refuses, say) is left out with its error
// in MonthErr or CreditsErr, so that the draft goes without it rather than
// show anything invented; internal errors (a failing store) are returned.
func (r *Reports) ExplanationFigures(ctx context.Context, inc incidents.Incident, now time.Time) (*ExplanationFigures, error) {
	f := &ExplanationFigures{}
	var err error
	if f.Services, err = r.incidents.Services(ctx); err != nil {
		return nil, err
	}
	if f.Components, err = r.incidents.Components(ctx); err != nil {
		return nil, err
	}
	f.Month, err = r.monthFigures(ctx, incidents.IncidentMonth(inc), f.Services, f.Components, now)
	if err != nil {
		if errs.CodeOf(err) == errs.Internal {
			return nil, err
		}
		f.Month, f.MonthErr = nil, err
	}
	f.Credits, err = r.draftCredits(ctx, inc, now)
	if err != nil {
		if errs.CodeOf(err) == errs.Internal {
			return nil, err
		}
		f.Credits, f.CreditsErr = nil, err
	}
	return f, nil
}

// draftCredits previews, without storing anything, the credit run of the
// month in which inc started (desk.PreviewMonth over the stored data, as
// the credit desk would) and sums it over the services inc affected. It
// is nil while the month is not over everywhere, or when no customer has
// resources in those services.
func (r *Reports) draftCredits(ctx context.Context, inc incidents.Incident, now time.Time) (*incidents.DraftCredits, error) {
	period := incidents.IncidentMonth(inc)
	from, to, err := desk.MonthWindow(period.Month)
	if err != nil {
		return nil, err
	}
	if now.Before(to) {
		return nil, nil
	}
	components, err := r.incidents.Components(ctx)
	if err != nil {
		return nil, err
	}
	serviceOf := make(map[string]string, len(components))
	for _, c := range components {
		serviceOf[c.ID] = c.Service
	}
	affected := map[string]bool{}
	for _, id := range inc.AffectedComponents() {
		affected[serviceOf[id]] = true
	}
	base, err := incidents.StoredScenario(ctx, r.incidents, sla.Period{Month: period.Month}, from, to, now)
	if err != nil {
		return nil, err
	}
	data, err := r.desk.MonthData(ctx, period.Month)
	if err != nil {
		return nil, err
	}
	lines, err := desk.PreviewMonth(period.Month, now, base, data)
	if err != nil {
		return nil, err
	}
	customers, hit := map[string]bool{}, map[string]bool{}
	out := &incidents.DraftCredits{CreditMinor: map[string]int64{}}
	for _, l := range lines {
		if !affected[l.Service] {
			continue
		}
		customers[l.Customer] = true
		if l.Downtime != "0" {
			hit[l.Customer] = true
		}
		if out.CreditMinor[l.Currency], err = desk.AddMinor(out.CreditMinor[l.Currency], l.CreditMinor); err != nil {
			return nil, err
		}
	}
	if len(customers) == 0 {
		return nil, nil
	}
	out.Customers, out.CustomersHit = len(customers), len(hit)
	return out, nil
}

// monthFigures evaluates period as of now with the stored incidents and
// maintenance that overlap it (see incidents.SLAScenario). Store failures
// are internal errors; a scenario the engine refuses is its errs.Invalid.
func (r *Reports) monthFigures(ctx context.Context, period sla.Period, services []incidents.Service, components []incidents.Component, now time.Time) (*sla.Result, error) {
	from, to, err := period.Bounds()
	if err != nil {
		return nil, err
	}
	incs, err := r.incidents.IncidentsBetween(ctx, from, to)
	if err != nil {
		return nil, err
	}
	maints, err := r.incidents.MaintenancesBetween(ctx, from, to)
	if err != nil {
		return nil, err
	}
	sc, err := incidents.SLAScenario(period, now, services, components, incs, maints)
	if err != nil {
		return nil, err
	}
	return sla.Evaluate(sc)
}
