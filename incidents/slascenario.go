package incidents

import (
	"fmt"
	"strconv"
	"time"

	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
)

// SLAScenario builds the sla engine's scenario from stored status data, so
// that every uptime Amends shows comes from sla.Evaluate:
//
//   - each component becomes an sla.Component with its service, region,
//     zone and fleet size (Resources 0, "not stated", becomes nil);
//   - each incident becomes an sla.Incident with its ID in decimal and its
//     Excluded flag, and one impact per span of its Timeline that has a
//     status the engine counts (degraded_performance, partial_outage,
//     major_outage; under_maintenance spans are left out), with the span's
//     affected percentage, start and end (a zero End while it goes on);
//   - each maintenance becomes an sla.Maintenance window with its
//     announcement instant, on the components given.
//
// The scenario has no policies (the engine then applies the spec's default
// policy: partial and major outages count) and no customers: it yields
// component and service (fleet) figures. Its impacts do not name the
// customers their spans name, since those figures do not depend on them
// (SLA-SPEC.md: a component's down share is the largest affected
// percentage among its counted impacts, whoever they name; the names only
// decide each customer's own share). The credit desk uses
// SLAScenarioNamed. services must hold the service of every component
// (errs.Invalid on "components[i].service" otherwise); incs and maints
// naming a component not in components are errs.Invalid too. The period
// and asOf are passed through; the scenario is not validated here
// (sla.Evaluate does).
func SLAScenario(period sla.Period, asOf time.Time, services []Service, components []Component, incs []Incident, maints []Maintenance) (*sla.Scenario, error) {
	return slaScenario(period, asOf, services, components, incs, maints, false)
}

// SLAScenarioNamed is SLAScenario whose impacts also name the customers
// their spans name (sla.Impact.Customers), for per-customer figures. It is
// not a valid scenario alone: the engine refuses an impact that names a
// customer the scenario lacks, so the caller adds every named customer
// (desk.MonthScenarios adds the desk's accounts).
func SLAScenarioNamed(period sla.Period, asOf time.Time, services []Service, components []Component, incs []Incident, maints []Maintenance) (*sla.Scenario, error) {
	return slaScenario(period, asOf, services, components, incs, maints, true)
}

func slaScenario(period sla.Period, asOf time.Time, services []Service, components []Component, incs []Incident, maints []Maintenance, names bool) (*sla.Scenario, error) {
	h, err := newSLAHistory(services, components, incs, maints, names)
	if err != nil {
		return nil, err
	}
	return &sla.Scenario{Period: period, AsOf: asOf, Components: h.components, Incidents: h.incidents, Maintenance: h.maints}, nil
}

// SLAHistory is stored status data in the engine's terms, made once for
// the scenarios of many periods over the same history (the SLA dashboard
// evaluates 19 periods over 13 months): each incident's timeline is
// computed once, not once per period.
type SLAHistory struct {
	components []sla.Component
	incidents  []sla.Incident    // of incs, in order
	maints     []sla.Maintenance // of maints, in order
}

// NewSLAHistory turns services, components, incs and maints into the
// engine's terms as SLAScenario does, with its errors.
func NewSLAHistory(services []Service, components []Component, incs []Incident, maints []Maintenance) (*SLAHistory, error) {
	return newSLAHistory(services, components, incs, maints, false)
}

// Scenario returns SLAScenario(period, asOf, services, components, the
// incidents of incs for which incident(i) is true, the maintenance of
// maints for which maint(i) is true), of h's arguments, in their order.
// The scenarios share h's values, which neither sla.Evaluate nor h
// changes, so several may be evaluated at once.
func (h *SLAHistory) Scenario(period sla.Period, asOf time.Time, incident, maint func(i int) bool) *sla.Scenario {
	sc := &sla.Scenario{Period: period, AsOf: asOf, Components: h.components}
	for i, inc := range h.incidents {
		if incident(i) {
			sc.Incidents = append(sc.Incidents, inc)
		}
	}
	for i, m := range h.maints {
		if maint(i) {
			sc.Maintenance = append(sc.Maintenance, m)
		}
	}
	return sc
}

func newSLAHistory(services []Service, components []Component, incs []Incident, maints []Maintenance, names bool) (*SLAHistory, error) {
	known := make(map[string]bool, len(services))
	for _, s := range services {
		known[s.ID] = true
	}
	comps := make(map[string]bool, len(components))
	h := &SLAHistory{}
	for i, c := range components {
		if !known[c.Service] {
			return nil, errs.Invalidf(fmt.Sprintf("components[%d].service", i), "unknown service %q", c.Service)
		}
		comps[c.ID] = true
		out := sla.Component{ID: c.ID, Service: c.Service, Region: c.Region, Zone: c.Zone}
		if c.Resources > 0 {
			n := c.Resources
			out.Resources = &n
		}
		h.components = append(h.components, out)
	}
	for i, inc := range incs {
		out := sla.Incident{ID: strconv.FormatInt(inc.ID, 10), Excluded: inc.Excluded}
		for _, sp := range inc.Timeline() {
			if !comps[sp.Component] {
				return nil, errs.Invalidf(fmt.Sprintf("incidents[%d].components", i), "unknown component %q", sp.Component)
			}
			status, ok := slaStatus(sp.Status)
			if !ok {
				continue
			}
			im := sla.Impact{
				Component:       sp.Component,
				Status:          status,
				AffectedPercent: sp.AffectedPercent,
				Start:           sp.Start,
			}
			if sp.End != nil {
				im.End = *sp.End
			}
			if names {
				for _, ac := range sp.Customers {
					im.Customers = append(im.Customers, sla.AffectedCustomer{Customer: ac.Customer, AffectedResources: ac.AffectedResources})
				}
			}
			out.Impacts = append(out.Impacts, im)
		}
		h.incidents = append(h.incidents, out)
	}
	for i, m := range maints {
		for j, c := range m.Components {
			if !comps[c] {
				return nil, errs.Invalidf(fmt.Sprintf("maintenances[%d].components[%d]", i, j), "unknown component %q", c)
			}
		}
		h.maints = append(h.maints, sla.Maintenance{
			ID:         strconv.FormatInt(m.ID, 10),
			Components: append([]string(nil), m.Components...),
			Start:      m.StartsAt,
			End:        m.EndsAt,
			Announced:  m.AnnouncedAt,
		})
	}
	return h, nil
}

// GoodwillMonth is the UTC month ("YYYY-MM") to which inc's goodwill
// belongs: the month in which its window starts, the start of its first
// span with a status the engine counts as an impact (as SLAScenario makes
// them). errs.Invalid on "incident" when it has
// no such span.
func GoodwillMonth(inc Incident) (string, error) {
	var start time.Time
	for _, sp := range inc.Timeline() {
		if _, ok := slaStatus(sp.Status); !ok {
			continue
		}
		if start.IsZero() || sp.Start.Before(start) {
			start = sp.Start
		}
	}
	if start.IsZero() {
		return "", errs.Invalidf("incident", "incident %d has no impact, so no window to grant goodwill for", inc.ID)
	}
	return start.UTC().Format("2006-01"), nil
}

// slaStatus is the engine's status for s, and false for the statuses it
// does not know (operational, under_maintenance).
func slaStatus(s Status) (sla.Status, bool) {
	switch s {
	case DegradedPerformance:
		return sla.DegradedPerformance, true
	case PartialOutage:
		return sla.PartialOutage, true
	case MajorOutage:
		return sla.MajorOutage, true
	}
	return "", false
}
