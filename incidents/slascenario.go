package incidents

import (
	"fmt"
	"strconv"
	"sync"
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
	all := func(int) bool { return true }
	return h.Scenario(period, asOf, all, all)
}

// SLAHistory is stored status data in the engine's terms, for the
// scenarios of many periods over the same history (the SLA dashboard
// evaluates 19 periods over 13 months): each incident is turned into the
// engine's terms (its timeline computed) once, by the first scenario that
// holds it, not once per period, and scenarios made at once share the
// work.
type SLAHistory struct {
	components []sla.Component
	comps      map[string]bool
	names      bool
	incs       []Incident
	maints     []Maintenance
	// slaIncs and slaMaints are incs and maints in the engine's terms,
	// each made by the first Scenario that selects it.
	slaIncs   []lazy[sla.Incident]
	slaMaints []lazy[sla.Maintenance]
}

type lazy[T any] struct {
	once sync.Once
	v    T
	err  error
}

// NewSLAHistory turns services and components into the engine's terms as
// SLAScenario does, with its errors, and holds incs and maints for
// Scenario.
func NewSLAHistory(services []Service, components []Component, incs []Incident, maints []Maintenance) (*SLAHistory, error) {
	return newSLAHistory(services, components, incs, maints, false)
}

// Scenario returns SLAScenario(period, asOf, services, components, the
// incidents of incs for which incident(i) is true, the maintenance of
// maints for which maint(i) is true) of h's arguments, with its errors.
// Scenarios share h's values, which neither sla.Evaluate nor h changes,
// and several may be made and evaluated at once.
func (h *SLAHistory) Scenario(period sla.Period, asOf time.Time, incident, maint func(i int) bool) (*sla.Scenario, error) {
	sc := &sla.Scenario{Period: period, AsOf: asOf, Components: h.components}
	for i := range h.incs {
		if !incident(i) {
			continue
		}
		l := &h.slaIncs[i]
		l.once.Do(func() { l.v, l.err = h.slaIncident(i) })
		if l.err != nil {
			return nil, l.err
		}
		sc.Incidents = append(sc.Incidents, l.v)
	}
	for i := range h.maints {
		if !maint(i) {
			continue
		}
		l := &h.slaMaints[i]
		l.once.Do(func() { l.v, l.err = h.slaMaintenance(i) })
		if l.err != nil {
			return nil, l.err
		}
		sc.Maintenance = append(sc.Maintenance, l.v)
	}
	return sc, nil
}

func newSLAHistory(services []Service, components []Component, incs []Incident, maints []Maintenance, names bool) (*SLAHistory, error) {
	known := make(map[string]bool, len(services))
	for _, s := range services {
		known[s.ID] = true
	}
	h := &SLAHistory{comps: make(map[string]bool, len(components)), names: names, incs: incs, maints: maints,
		slaIncs: make([]lazy[sla.Incident], len(incs)), slaMaints: make([]lazy[sla.Maintenance], len(maints))}
	for i, c := range components {
		if !known[c.Service] {
			return nil, errs.Invalidf(fmt.Sprintf("components[%d].service", i), "unknown service %q", c.Service)
		}
		h.comps[c.ID] = true
		out := sla.Component{ID: c.ID, Service: c.Service, Region: c.Region, Zone: c.Zone}
		if c.Resources > 0 {
			n := c.Resources
			out.Resources = &n
		}
		h.components = append(h.components, out)
	}
	return h, nil
}

// slaIncident is incident i of h in the engine's terms.
func (h *SLAHistory) slaIncident(i int) (sla.Incident, error) {
	inc := h.incs[i]
	out := sla.Incident{ID: strconv.FormatInt(inc.ID, 10), Excluded: inc.Excluded}
	for _, sp := range inc.Timeline() {
		if !h.comps[sp.Component] {
			return sla.Incident{}, errs.Invalidf(fmt.Sprintf("incidents[%d].components", i), "unknown component %q", sp.Component)
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
		if h.names {
			for _, ac := range sp.Customers {
				im.Customers = append(im.Customers, sla.AffectedCustomer{Customer: ac.Customer, AffectedResources: ac.AffectedResources})
			}
		}
		out.Impacts = append(out.Impacts, im)
	}
	return out, nil
}

// slaMaintenance is maintenance i of h in the engine's terms.
func (h *SLAHistory) slaMaintenance(i int) (sla.Maintenance, error) {
	m := h.maints[i]
	for j, c := range m.Components {
		if !h.comps[c] {
			return sla.Maintenance{}, errs.Invalidf(fmt.Sprintf("maintenances[%d].components[%d]", i, j), "unknown component %q", c)
		}
	}
	return sla.Maintenance{
		ID:         strconv.FormatInt(m.ID, 10),
		Components: append([]string(nil), m.Components...),
		Start:      m.StartsAt,
		End:        m.EndsAt,
		Announced:  m.AnnouncedAt,
	}, nil
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
