package report

import (
	"context"
	"time"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/sla"
)

// history is the stored history that the SLA dashboard or the service
// report reads: the catalog, the services' default policies, and the
// incidents (their timelines: incidents.Store.IncidentTimelines) and
// maintenance that overlap the range loaded.
type history struct {
	services   []incidents.Service
	components []incidents.Component
	policies   map[string]sla.Policy // by service
	list       []sla.Policy          // the same, in catalog order
	incs       []incidents.Incident
	maints     []incidents.Maintenance
	sla        *incidents.SLAHistory // of the same, for eval
}

// loadHistory reads the catalog, the policies and the incidents and
// maintenance that overlap [from, to). The incidents, most of the reading,
// are read meanwhile on other connections.
func (r *Reports) loadHistory(ctx context.Context, from, to time.Time) (*history, error) {
	h, err := r.loadParts(ctx, from, from, to)
	if err != nil {
		return nil, err
	}
	if h.sla, err = incidents.NewSLAHistory(h.services, h.components, h.incs, h.maints); err != nil {
		return nil, err
	}
	return h, nil
}

// eval runs sla.Evaluate over [from, to) as of asOf with the incidents and
// maintenance of h that overlap it, and returns its component results by
// ID. Evaluations of several ranges may run at once.
func (h *history) eval(from, to, asOf time.Time) (map[string]sla.ComponentResult, error) {
	sc, err := h.sla.Scenario(sla.Period{Start: from, End: to}, asOf,
		func(i int) bool {
			inc := h.incs[i]
			return inc.StartedAt.Before(to) && (inc.ResolvedAt == nil || inc.ResolvedAt.After(from))
		},
		func(i int) bool { return h.maints[i].StartsAt.Before(to) && h.maints[i].EndsAt.After(from) })
	if err != nil {
		return nil, err
	}
	sc.Policies = h.list
	res, err := sla.Evaluate(sc)
	if err != nil {
		return nil, err
	}
	return sla.ResultsByID(res.Components), nil
}

// target returns the target of service's policy, false when it has none
// (no policy, or a target of 0).
func (h *history) target(service string) (sla.Percent, bool) {
	p, ok := h.policies[service]
	return p.Target, ok && p.Target > 0
}

// evaluate runs the sla engine over [from, to) as of asOf on the stored
// history under policies, and returns each component's result by id.
func evaluate(from, to, asOf time.Time, services []incidents.Service, components []incidents.Component, incs []incidents.Incident, maints []incidents.Maintenance, policies []sla.Policy) (map[string]sla.ComponentResult, error) {
	sc, err := incidents.SLAScenario(sla.Period{Start: from, End: to}, asOf, services, components, incs, maints)
	if err != nil {
		return nil, err
	}
	sc.Policies = policies
	res, err := sla.Evaluate(sc)
	if err != nil {
		return nil, err
	}
	return sla.ResultsByID(res.Components), nil
}

// servicePolicies returns the default policy of each service that has
// components, by service, from the credit desk when there is one. A
// month's uptime is then evaluated under its service's policy (which
// statuses count, maintenance notice), the same rules its target is met
// or missed by; without a policy, the spec's defaults apply and there is
// no target.
func (r *Reports) servicePolicies(ctx context.Context, components []incidents.Component) (map[string]sla.Policy, error) {
	out := map[string]sla.Policy{}
	if r.desk == nil {
		return out, nil
	}
	list, err := r.desk.Policies(ctx)
	if err != nil {
		return nil, err
	}
	has := map[string]bool{}
	for _, c := range components {
		has[c.Service] = true
	}
	for _, p := range list {
		if p.Customer == "" && has[p.Service] {
			out[p.Service] = p.Policy
		}
	}
	return out, nil
}

// seconds is the length of [from, to) in whole seconds.
func seconds(from, to time.Time) int64 { return int64(to.Sub(from) / time.Second) }

// MonthStart returns the start of the UTC month holding t.
func MonthStart(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// ReportMonths are the months a report can be asked for as of now, newest
// first: from the month holding the last second before now back to the
// month of the oldest resolved incident (at least 11 months back, at most
// ten years), and back to selected when that is older. A failure to find
// the oldest incident only shortens the list to those 12 months.
func (r *Reports) ReportMonths(ctx context.Context, now, selected time.Time) []time.Time {
	current := MonthStart(now.Add(-time.Second))
	oldest := current.AddDate(0, -11, 0)
	if first, ok, err := r.incidents.EarliestResolvedStart(ctx); err == nil && ok {
		if m := MonthStart(first); m.Before(oldest) {
			oldest = m
		}
	}
	if limit := current.AddDate(-10, 0, 0); oldest.Before(limit) {
		oldest = limit
	}
	if selected.Before(oldest) {
		oldest = selected
	}
	var out []time.Time
	for m := current; !m.Before(oldest); m = m.AddDate(0, -1, 0) {
		out = append(out, m)
	}
	return out
}
