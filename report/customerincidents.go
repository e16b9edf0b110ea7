package report

import (
	"context"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/sla"
)

// How one customer lived an incident: the resources of its that the
// incident hit, and its own downtime per service as the engine counts it.
// The statement (statement.go) and the personal notices (notices.go) share
// these.

// HitResource is a customer's resources in one component that an incident
// hit.
type HitResource struct {
	Component string
	// Count is the largest number of the customer's resources in the
	// component while it was hit (one resource entry's count, or the sum
	// of entries alive at once).
	Count int64
	// Named is how many of them an impact named as affected, when one
	// named the customer with a count; nil when none did.
	Named *int64
	// From and To are when the component's impacts that apply to the
	// customer overlapped its resources there: the first instant and the
	// last (To is now for an incident still going on).
	From, To time.Time
	// Ongoing is set when the component is still hit at the instant asked.
	Ongoing bool
}

// Hit returns how many of the customer's resources the entries hit: Named
// where an impact named a count, else Count.
func (h HitResource) Hit() int64 {
	if h.Named != nil && *h.Named < h.Count {
		return *h.Named
	}
	return h.Count
}

// ServiceDowntime is a customer's downtime in one service from one
// incident alone (exact seconds), summed over the months it spans.
type ServiceDowntime struct {
	Service  string
	Downtime sla.Ratio
}

// CustomerIncident is one incident as one customer lived it.
type CustomerIncident struct {
	Incident incidents.Incident
	// Hit are the customer's resources the incident hit, one per
	// component, in the order the incident first named the components.
	Hit []HitResource
	// Services is, per service in which the incident gave the customer
	// downtime, that downtime (desk.EvaluateCustomerMonth's
	// IncidentDowntime, summed over the months the incident spans), by
	// service. Downtime is the largest of them (0 with none): how long,
	// counted as the SLA counts it, the customer's worst-hit service was
	// down.
	Services []ServiceDowntime
	Downtime sla.Ratio
}

// incidentHits returns the customer's resources that inc's impacts hit up
// to now (byComponent: the customer's resources by component, as
// resourcesByComponent groups them). An impact hits a customer's resources in its component when it
// names the customer, or names no customer and the policy of the
// component's service (the customer's override, else the default) does not
// apply unlisted impacts to nobody (sla.None). Maintenance spans hit
// nothing.
func incidentHits(inc incidents.Incident, byComponent map[string][]desk.AccountResource, unlisted func(component string) sla.Unlisted, customer string, now time.Time) []HitResource {
	var out []HitResource
	index := map[string]int{}
	var starts []time.Time
	for _, sp := range inc.Timeline() {
		if sp.Status == incidents.Operational || sp.Status == incidents.UnderMaintenance || !sp.Start.Before(now) {
			continue
		}
		var named *int64
		if len(sp.Customers) > 0 {
			i := slices.IndexFunc(sp.Customers, func(ac incidents.AffectedCustomer) bool { return ac.Customer == customer })
			if i < 0 {
				continue
			}
			named = sp.Customers[i].AffectedResources
			if named == nil {
				all := int64(-1)
				named = &all
			}
		} else if unlisted(sp.Component) == sla.None {
			continue
		}
		end, ongoing := now, true
		if sp.End != nil && sp.End.Before(now) {
			end, ongoing = *sp.End, false
		}
		var from, to time.Time
		list := byComponent[sp.Component]
		starts = starts[:0]
		for _, r := range list {
			if r.Count <= 0 {
				continue
			}
			rs, re := sp.Start, end
			if r.From != nil && r.From.After(rs) {
				rs = *r.From
			}
			if r.To != nil && r.To.Before(re) {
				re = *r.To
			}
			if !rs.Before(re) {
				continue
			}
			if from.IsZero() || rs.Before(from) {
				from = rs
			}
			if re.After(to) {
				to = re
			}
			starts = append(starts, rs)
		}
		count := mostAlive(list, starts)
		if count == 0 {
			continue
		}
		i, ok := index[sp.Component]
		if !ok {
			i = len(out)
			index[sp.Component] = i
			out = append(out, HitResource{Component: sp.Component, From: from, To: to})
		}
		h := &out[i]
		h.Count = max(h.Count, count)
		if from.Before(h.From) {
			h.From = from
		}
		if to.After(h.To) {
			h.To = to
		}
		h.Ongoing = h.Ongoing || ongoing
		if named != nil && *named >= 0 && (h.Named == nil || *named > *h.Named) {
			n := *named
			h.Named = &n
		}
	}
	return out
}

// resourcesByComponent is resources grouped by their component.
func resourcesByComponent(resources []desk.AccountResource) map[string][]desk.AccountResource {
	out := map[string][]desk.AccountResource{}
	for _, r := range resources {
		out[r.Component] = append(out[r.Component], r)
	}
	return out
}

// aliveCount is the sum of the counts of list's entries alive at t: from
// their From (or always) until before their To (or for good).
func aliveCount(list []desk.AccountResource, t time.Time) int64 {
	var n int64
	for _, r := range list {
		if (r.From == nil || !r.From.After(t)) && (r.To == nil || r.To.After(t)) {
			n += r.Count
		}
	}
	return n
}

// mostAlive is the largest aliveCount(list, t) for t in at, and 0 for
// none: one sweep over the entries' starts and ends in time order, not an
// aliveCount per instant (a customer may have tens of thousands of
// entries on one component). An entry's To is after its From (desk
// refuses any other).
func mostAlive(list []desk.AccountResource, at []time.Time) int64 {
	if len(at) == 0 {
		return 0
	}
	type change struct {
		t time.Time
		n int64
	}
	var alive int64 // before every change: the entries alive since always
	changes := make([]change, 0, 2*len(list))
	for _, r := range list {
		if r.From == nil {
			alive += r.Count
		} else {
			changes = append(changes, change{*r.From, r.Count})
		}
		if r.To != nil {
			changes = append(changes, change{*r.To, -r.Count})
		}
	}
	slices.SortFunc(changes, func(a, b change) int { return a.t.Compare(b.t) })
	at = slices.Clone(at)
	slices.SortFunc(at, time.Time.Compare)
	var most int64
	j := 0
	for _, t := range at {
		for ; j < len(changes) && !changes[j].t.After(t); j++ {
			alive += changes[j].n
		}
		most = max(most, alive)
	}
	return most
}

// unlistedRule returns, for a component, the unlisted rule of its
// service's policy for customer: its override, else the default, else
// sla.Fractional.
func unlistedRule(policies []desk.ServicePolicy, components []incidents.Component, customer string) func(string) sla.Unlisted {
	service := make(map[string]string, len(components))
	for _, c := range components {
		service[c.ID] = c.Service
	}
	rule := map[string]sla.Unlisted{}
	for _, p := range policies { // defaults come first, then overrides
		if p.Customer == "" || p.Customer == customer {
			rule[p.Service] = p.Unlisted
		}
	}
	return func(component string) sla.Unlisted {
		if u := rule[service[component]]; u != "" {
			return u
		}
		return sla.Fractional
	}
}

// incidentMonths returns the UTC months ("YYYY-MM") a span [from, to)
// touches, widened by 14 hours each way so that a policy's month in any
// time zone is among them, up to the month of now.
func incidentMonths(from, to, now time.Time) []string {
	from, to = from.Add(-14*time.Hour).UTC(), to.Add(14*time.Hour).UTC()
	if to.After(now) {
		to = now.UTC()
	}
	var out []string
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(to); m = m.AddDate(0, 1, 0) {
		out = append(out, m.Format("2006-01"))
	}
	return out
}

// incidentWindow is the instants inc's impacts span up to now: the first
// start and the last end (now while one goes on); zero when it has none.
func incidentWindow(inc incidents.Incident, now time.Time) (from, to time.Time) {
	for _, sp := range inc.Timeline() {
		if sp.Status == incidents.Operational || sp.Status == incidents.UnderMaintenance || !sp.Start.Before(now) {
			continue
		}
		end := now
		if sp.End != nil && sp.End.Before(now) {
			end = *sp.End
		}
		if from.IsZero() || sp.Start.Before(from) {
			from = sp.Start
		}
		if end.After(to) {
			to = end
		}
	}
	return from, to
}

// monthEvaluator evaluates customers' months as a credit run would, loading
// each month's stored scenario and desk data once.
type monthEvaluator struct {
	r   *Reports
	now time.Time
	// only, when set, is the one customer whose data is read (with the
	// accounts the month's impacts name), else every customer's.
	only   string
	months map[string]*evaluatedMonth
}

type evaluatedMonth struct {
	base *sla.Scenario
	data *desk.MonthData
	each map[string]*desk.CustomerMonth
}

func (r *Reports) newMonthEvaluator(now time.Time, only string) *monthEvaluator {
	return &monthEvaluator{r: r, now: now, only: only, months: map[string]*evaluatedMonth{}}
}

// customerMonth is customer's month as of the evaluator's now
// (desk.EvaluateCustomerMonth): the month so far while it goes on.
func (e *monthEvaluator) customerMonth(ctx context.Context, month, customer string) (*desk.CustomerMonth, error) {
	m := e.months[month]
	if m == nil {
		from, to, err := desk.MonthWindow(month)
		if err != nil {
			return nil, err
		}
		m = &evaluatedMonth{each: map[string]*desk.CustomerMonth{}}
		if m.base, err = incidents.StoredScenario(ctx, e.r.incidents, sla.Period{Month: month}, from, to, e.now); err != nil {
			return nil, err
		}
		if e.only != "" {
			m.data, err = e.r.CustomerMonthData(ctx, month, m.base, e.only)
		} else {
			m.data, err = e.r.desk.MonthData(ctx, month)
		}
		if err != nil {
			return nil, err
		}
		e.months[month] = m
	}
	if cm, ok := m.each[customer]; ok {
		return cm, nil
	}
	cm, err := desk.EvaluateCustomerMonth(month, e.now, m.base, m.data, customer)
	if err != nil {
		return nil, err
	}
	m.each[customer] = cm
	return cm, nil
}

// incidentDowntime is the customer's downtime per service from inc alone,
// summed over the months inc spans, by service, and the largest of them.
func (e *monthEvaluator) incidentDowntime(ctx context.Context, inc incidents.Incident, customer string) ([]ServiceDowntime, sla.Ratio, error) {
	from, to := incidentWindow(inc, e.now)
	if from.IsZero() {
		return nil, sla.Ratio{}, nil
	}
	id := strconv.FormatInt(inc.ID, 10)
	var out []ServiceDowntime
	for _, month := range incidentMonths(from, to, e.now) {
		cm, err := e.customerMonth(ctx, month, customer)
		if err != nil {
			return nil, sla.Ratio{}, err
		}
		for _, sm := range cm.Services {
			for _, d := range sm.Incidents {
				if d.Incident != id {
					continue
				}
				i := slices.IndexFunc(out, func(s ServiceDowntime) bool { return s.Service == sm.Line.Service })
				if i < 0 {
					out = append(out, ServiceDowntime{Service: sm.Line.Service, Downtime: d.Downtime})
				} else {
					out[i].Downtime = sla.RatioFromRat(new(big.Rat).Add(out[i].Downtime.Rat(), d.Downtime.Rat()))
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b ServiceDowntime) int { return strings.Compare(a.Service, b.Service) })
	var worst sla.Ratio
	for _, s := range out {
		if s.Downtime.Cmp(worst) > 0 {
			worst = s.Downtime
		}
	}
	return out, worst, nil
}
