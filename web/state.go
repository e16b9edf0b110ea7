package web

import (
	"context"
	"slices"
	"time"

	"github.com/amends/amends/incidents"
)

// state is what is true at one instant: the components, the active
// incidents, the maintenance not yet completed, and each component's status
// (the worst of what is active).
type state struct {
	components  []incidents.Component
	active      []incidents.Incident
	maintenance []incidents.Maintenance
	statuses    map[string]incidents.Status
}

// currentState loads the state as of now.
func (s *Server) currentState(ctx context.Context, now time.Time) (state, error) {
	var st state
	var err error
	if st.components, err = s.incidents.Components(ctx); err != nil {
		return st, err
	}
	if st.active, err = s.incidents.ActiveIncidents(ctx); err != nil {
		return st, err
	}
	if st.maintenance, err = s.incidents.Maintenances(ctx, now); err != nil {
		return st, err
	}
	if !s.cfg.AsOf.IsZero() {
		// A page of the past leaves out what was not known yet then.
		st.active = slices.DeleteFunc(st.active, func(inc incidents.Incident) bool { return inc.StartedAt.After(now) })
		st.maintenance = slices.DeleteFunc(st.maintenance, func(m incidents.Maintenance) bool { return m.AnnouncedAt.After(now) })
	}
	st.statuses = incidents.CurrentStatuses(st.components, st.active, st.maintenance, now)
	return st, nil
}
