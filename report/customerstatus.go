package report

import (
	"context"
	"slices"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
)

// RecentDays is how far back a customer's status lists its incidents.
const RecentDays = 90

// CustomerStatus is the customer's own status page: what the public page
// says, narrowed to what the customer has, with its own figures.
type CustomerStatus struct {
	// Services and Catalog are every service and component, which the
	// rest name by id.
	Services []incidents.Service
	Catalog  []incidents.Component
	// Components are the components the customer has resources in now,
	// in catalog order, each with its status now.
	Components []CustomerComponent
	// Active are the incidents going on now that hit its resources (see
	// incidentHits), newest first, with its downtime from each so far.
	Active []CustomerIncident
	// Recent are the incidents that hit its resources and started or
	// ended in the last RecentDays days, resolved ones only, newest first,
	// each with its downtime.
	Recent []CustomerIncident
	// Month is the current UTC month ("YYYY-MM") and MonthToDate the
	// customer's figures in it so far, per service, as a run of the month
	// would compute them now (desk.EvaluateCustomerMonth): uptime against
	// the policy's target, and the tier reached so far.
	Month       string
	MonthToDate []desk.CustomerServiceMonth
}

// CustomerComponent is a component the customer has resources in, with its
// status now and how many resources it has there.
type CustomerComponent struct {
	Component incidents.Component
	Status    incidents.Status
	Resources int64
}

// CustomerStatus computes account's status as of now. With past set, now is
// an instant of the past (see CurrentState): incidents started after it are
// left out. It reads only the account's own resources and those of the
// accounts the months' impacts name.
func (r *Reports) CustomerStatus(ctx context.Context, a desk.Account, now time.Time, past bool) (*CustomerStatus, error) {
	out := &CustomerStatus{Month: now.UTC().Format("2006-01")}
	state, err := r.CurrentState(ctx, now, past)
	if err != nil {
		return nil, err
	}
	out.Catalog = state.Components
	if out.Services, err = r.incidents.Services(ctx); err != nil {
		return nil, err
	}
	resources, err := r.desk.Resources(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	policies, err := r.desk.Policies(ctx)
	if err != nil {
		return nil, err
	}
	unlisted := unlistedRule(policies, state.Components, a.ID)
	byComponent := resourcesByComponent(resources)
	for _, c := range state.Components {
		if n := aliveCount(byComponent[c.ID], now); n > 0 {
			out.Components = append(out.Components, CustomerComponent{Component: c, Status: state.Statuses[c.ID], Resources: n})
		}
	}
	eval := r.newMonthEvaluator(now, a.ID)
	one := func(inc incidents.Incident) (*CustomerIncident, error) {
		hits := incidentHits(inc, byComponent, unlisted, a.ID, now)
		if len(hits) == 0 {
			return nil, nil
		}
		ci := &CustomerIncident{Incident: inc, Hit: hits}
		if ci.Services, ci.Downtime, err = eval.incidentDowntime(ctx, inc, a.ID); err != nil {
			return nil, err
		}
		return ci, nil
	}
	for _, inc := range state.Active {
		ci, err := one(inc)
		if err != nil {
			return nil, err
		}
		if ci != nil {
			out.Active = append(out.Active, *ci)
		}
	}
	recent, err := r.incidents.IncidentsBetween(ctx, now.AddDate(0, 0, -RecentDays), now)
	if err != nil {
		return nil, err
	}
	for _, inc := range recent {
		if inc.Active() || inc.StartedAt.After(now) || (inc.ResolvedAt != nil && inc.ResolvedAt.After(now)) {
			continue
		}
		ci, err := one(inc)
		if err != nil {
			return nil, err
		}
		if ci != nil {
			out.Recent = append(out.Recent, *ci)
		}
	}
	newest := func(a, b CustomerIncident) int { return b.Incident.StartedAt.Compare(a.Incident.StartedAt) }
	slices.SortStableFunc(out.Active, newest)
	slices.SortStableFunc(out.Recent, newest)
	cm, err := eval.customerMonth(ctx, out.Month, a.ID)
	if err != nil {
		return nil, err
	}
	out.MonthToDate = cm.Services
	return out, nil
}
