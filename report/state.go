package report

import (
	"context"
	"slices"
	"time"

	"github.com/amends/amends/incidents"
)

// State is what is true at one instant: the components, the active
// incidents, the maintenance not yet completed, and each component's status
// (the worst of what is active).
type State struct {
	Components  []incidents.Component
	Active      []incidents.Incident
	Maintenance []incidents.Maintenance
	Statuses    map[string]incidents.Status
}

// CurrentState loads the state as of now. With past set, now is an instant
// of the past that a page describes (a demo of January 2013), and what was
// declared or announced after it is left out.
func (r *Reports) CurrentState(ctx context.Context, now time.Time, past bool) (State, error) {
	var st State
	var err error
	if st.Components, err = r.incidents.Components(ctx); err != nil {
		return st, err
	}
	if st.Active, err = r.incidents.ActiveIncidents(ctx); err != nil {
		return st, err
	}
	if st.Maintenance, err = r.incidents.Maintenances(ctx, now); err != nil {
		return st, err
	}
	if past {
		st.Active = slices.DeleteFunc(st.Active, func(inc incidents.Incident) bool { return inc.StartedAt.After(now) })
		st.Maintenance = slices.DeleteFunc(st.Maintenance, func(m incidents.Maintenance) bool { return m.AnnouncedAt.After(now) })
	}
	st.Statuses = incidents.CurrentStatuses(st.Components, st.Active, st.Maintenance, now)
	return st, nil
}
