package desk

import (
	"cmp"
	"slices"
	"time"

	"github.com/amends/amends/sla"
)

// CustomerMonth is one customer's month as a month's credit run computes
// it, with what a report on it shows beside each line: the policy applied,
// the month in that policy's time zone, the exact figures, the customer's
// resources in the month, and the incidents that gave it downtime.
type CustomerMonth struct {
	Customer string
	Currency string
	// Services has one entry per line the run has for the customer, in
	// the run's order (by service).
	Services []CustomerServiceMonth
}

// CustomerServiceMonth is a customer's month in one service.
type CustomerServiceMonth struct {
	// Line is the customer's run line, exactly as PreviewMonth computes it.
	Line RunLine
	// Policy is the policy applied: the customer's own override when
	// Override, else the service's default.
	Policy   ServicePolicy
	Override bool
	// Period is the month in the policy's time zone.
	Period sla.PeriodResult
	// Seconds is what the uptime is taken over: the period's length, or
	// under basis "deployed" the seconds with at least one resource.
	Seconds  int64
	Downtime sla.Ratio // exact seconds
	Uptime   sla.Ratio // exact percent
	// Resources are the customer's resource entries on the service's
	// components that overlap Period, in stored order.
	Resources []sla.Resource
	// Incidents gave the customer downtime in the service, in the
	// scenario's (stored) order.
	Incidents []IncidentDowntime
}

// IncidentDowntime is one incident's part in a customer's downtime.
type IncidentDowntime struct {
	Incident string
	// Downtime is the customer's downtime in the service (exact seconds)
	// that the incident would give on its own. Where incidents overlap,
	// a second counts once in the service's downtime, so these need not
	// add up to it.
	Downtime sla.Ratio
	// Impacts are the incident's impacts on the service's components on
	// which the customer has resource entries.
	Impacts []sla.Impact
}

// EvaluateCustomerMonth computes customer's month as a run of month as of
// asOf would (see PreviewMonth): the scenarios of MonthScenarios that hold
// the customer (its own group, or the default group narrowed to it with
// GroupScenario.Only), each evaluated by sla.Evaluate, and for each incident
// that touches a component where the customer has resources, the same
// scenario with that incident alone. A customer with neither resources nor
// charges in d gets no services. errs.Invalid on "month", and from
// sla.Evaluate for data it refuses.
func EvaluateCustomerMonth(month string, asOf time.Time, base *sla.Scenario, d *MonthData, customer string) (*CustomerMonth, error) {
	groups, err := MonthScenarios(month, asOf, base, d)
	if err != nil {
		return nil, err
	}
	out := &CustomerMonth{Customer: customer}
	for _, a := range d.Accounts {
		if a.ID == customer {
			out.Currency = a.Currency
		}
	}
	rules := newLineRules(month, d)
	for _, g := range groups {
		if g.Customer != customer {
			if g.Customer != "" {
				continue
			}
			var ok bool
			if g, ok = g.Only(customer); !ok {
				continue
			}
		}
		months, err := customerGroup(g, customer, rules)
		if err != nil {
			return nil, err
		}
		out.Services = append(out.Services, months...)
	}
	slices.SortFunc(out.Services, func(a, b CustomerServiceMonth) int { return cmp.Compare(a.Line.Service, b.Line.Service) })
	return out, nil
}

// customerGroup is the customer's services in one scenario that holds it.
func customerGroup(g GroupScenario, customer string, rules lineRules) ([]CustomerServiceMonth, error) {
	res, err := evaluateGroup(g)
	if err != nil {
		return nil, err
	}
	ci := slices.IndexFunc(res.Customers, func(c sla.CustomerResult) bool { return c.ID == customer })
	if ci < 0 || len(res.Customers[ci].Services) == 0 {
		return nil, nil
	}
	cr := &res.Customers[ci]
	own := &g.Scenario.Customers[ci] // Evaluate keeps the input's order
	service := make(map[string]string, len(g.Scenario.Components))
	for _, c := range g.Scenario.Components {
		service[c.ID] = c.Service
	}
	var out []CustomerServiceMonth
	index := map[string]int{}
	for j := range cr.Services {
		cs := &cr.Services[j]
		p := rules.policies[cs.Policy]
		m := CustomerServiceMonth{Policy: *p, Override: p.Customer != "", Period: res.Period,
			Seconds: cs.Seconds, Downtime: cs.DowntimeSeconds, Uptime: cs.UptimePercent()}
		rules.line(&m.Line, cr, cs, nil)
		for _, r := range own.Resources {
			if service[r.Component] == cs.Service && (r.From.IsZero() || r.From.Before(res.Period.End)) && (r.To.IsZero() || r.To.After(res.Period.Start)) {
				m.Resources = append(m.Resources, r)
			}
		}
		index[cs.Service] = len(out)
		out = append(out, m)
	}

	has := map[string]bool{}
	for _, r := range own.Resources {
		has[r.Component] = true
	}
	for _, inc := range g.Scenario.Incidents {
		var touching []sla.Impact
		for _, im := range inc.Impacts {
			if has[im.Component] {
				if _, ok := index[service[im.Component]]; ok {
					touching = append(touching, im)
				}
			}
		}
		if len(touching) == 0 {
			continue
		}
		alone := *g.Scenario
		alone.Incidents = []sla.Incident{inc}
		r1, err := evaluateGroup(GroupScenario{Customer: g.Customer, TimeZone: g.TimeZone, Scenario: &alone})
		if err != nil {
			return nil, err
		}
		for _, cs := range r1.Customers[ci].Services {
			i, ok := index[cs.Service]
			if !ok || cs.DowntimeSeconds.IsZero() {
				continue
			}
			var ims []sla.Impact
			for _, im := range touching {
				if service[im.Component] == cs.Service {
					ims = append(ims, im)
				}
			}
			out[i].Incidents = append(out[i].Incidents, IncidentDowntime{Incident: inc.ID, Downtime: cs.DowntimeSeconds, Impacts: ims})
		}
	}
	return out, nil
}
