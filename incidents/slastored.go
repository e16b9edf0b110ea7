package incidents

import (
	"context"
	"time"

	"github.com/amends/amends/sla"
)

// StoredScenario reads from store every service and component, and the
// incidents and maintenance that overlap [from, to), and builds their
// scenario with SLAScenarioNamed (impacts name their customers) for period
// as of asOf. The credit desk uses it for a month's run (with
// desk.MonthWindow as [from, to)), and so does `amends sla scenario`, so
// both see the same data; desk.MonthScenarios adds the customers. Store
// errors are returned as they are.
func StoredScenario(ctx context.Context, store Store, period sla.Period, from, to, asOf time.Time) (*sla.Scenario, error) {
	services, err := store.Services(ctx)
	if err != nil {
		return nil, err
	}
	components, err := store.Components(ctx)
	if err != nil {
		return nil, err
	}
	incs, err := store.IncidentsBetween(ctx, from, to)
	if err != nil {
		return nil, err
	}
	maints, err := store.MaintenancesBetween(ctx, from, to)
	if err != nil {
		return nil, err
	}
	return SLAScenarioNamed(period, asOf, services, components, incs, maints)
}
