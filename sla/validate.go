package sla

import (
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/amends/amends/internal/errs"
)

// Limits beyond which input is rejected, so that every sum fits the integer
// arithmetic exactly (the spec is silent; these are far beyond real use).
const (
	maxClaimPeriods = 1000
	maxPeriodYears  = 10000
)

// Validate checks every rule of the spec's "Bad input" section (and the few
// limits the package doc lists) and returns the first broken one as an
// errs.Invalid error whose Field is a path such as
// "incidents[2].impacts[0].affected_percent". AsOf is not checked here:
// Evaluate requires it.
func (s *Scenario) Validate() error {
	_, err := compile(s, true)
	return err
}

// model is a validated scenario with its names resolved to indexes.
type model struct {
	s         *Scenario
	span      span
	p0, p1    int64 // period bounds in Unix seconds
	compIdx   map[string]int32
	compSvc   []int32 // component → service index
	services  []string
	svcIdx    map[string]int32
	svcPolicy []int32 // service → policy index, or -1
	policies  []policyRule
	custIdx   *idIndex
}

// policyRule is a policy with its defaults applied.
type policyRule struct {
	svc      int32
	counts   [3]bool // by statusIndex
	notice   int64   // seconds
	unlisted Unlisted
	claim    int64
	cap      Percent
	min      int64
	basis    Basis
	tiers    []Tier
	deadline time.Time
}

var defaultRule = policyRule{counts: [3]bool{false, true, true}, unlisted: Fractional, claim: 2, cap: Hundred, basis: BasisPeriod}

func statusIndex(st Status) int {
	switch st {
	case DegradedPerformance:
		return 0
	case PartialOutage:
		return 1
	case MajorOutage:
		return 2
	}
	return -1
}

// at is the field name of element i of name: "components[3]". Every
// element's is made as it is checked, so it is made without fmt.
func at(name string, i int) string { return name + "[" + strconv.Itoa(i) + "]" }

func checkPercent(field string, p Percent) error { return errs.Prefix(field, p.Validate()) }

func checkCount(field string, n int64) error {
	if n < 0 {
		return errs.Invalidf(field, "%d is below 0", n)
	}
	return nil
}

func checkSpan(startField string, start time.Time, endField string, end time.Time, endRequired bool) error {
	if start.IsZero() {
		return errs.Invalidf(startField, "is required")
	}
	if end.IsZero() {
		if endRequired {
			return errs.Invalidf(endField, "is required")
		}
		return nil
	}
	if !end.After(start) {
		return errs.Invalidf(endField, "%s is not after %s %s", fmtTime(end), startField, fmtTime(start))
	}
	return nil
}

// compile validates s and resolves its names. With checkCustomers false it
// leaves out the check of every customer's resources and charges, which
// Evaluate then makes while it reads each customer anyway (checkCustomer).
func compile(s *Scenario, checkCustomers bool) (*model, error) {
	if s == nil {
		return nil, errs.Invalidf("", "no scenario")
	}
	m := &model{s: s}
	sp, err := s.Period.resolve()
	if err != nil {
		return nil, errs.Prefix("period", err)
	}
	if sp.end.Year()-sp.start.Year() > maxPeriodYears {
		return nil, errs.Invalidf("period", "is longer than %d years", maxPeriodYears)
	}
	m.span, m.p0, m.p1 = sp, sp.start.Unix(), sp.end.Unix()

	// Components and services.
	m.compIdx = make(map[string]int32, len(s.Components))
	m.compSvc = make([]int32, len(s.Components))
	m.svcIdx = map[string]int32{}
	for i, c := range s.Components {
		p := at("components", i)
		if c.ID == "" {
			return nil, errs.Invalidf(p+".id", "is required")
		}
		if j, dup := m.compIdx[c.ID]; dup {
			return nil, errs.Invalidf(p+".id", "%q is already the id of components[%d]", c.ID, j)
		}
		if c.Service == "" {
			return nil, errs.Invalidf(p+".service", "is required")
		}
		if c.Resources != nil {
			if err := checkCount(p+".resources", *c.Resources); err != nil {
				return nil, err
			}
		}
		m.compIdx[c.ID] = int32(i)
		si, ok := m.svcIdx[c.Service]
		if !ok {
			si = int32(len(m.services))
			m.svcIdx[c.Service] = si
			m.services = append(m.services, c.Service)
		}
		m.compSvc[i] = si
	}

	// Policies.
	m.svcPolicy = make([]int32, len(m.services))
	for i := range m.svcPolicy {
		m.svcPolicy[i] = -1
	}
	polIDs := map[string]int{}
	m.policies = make([]policyRule, len(s.Policies))
	for i, pol := range s.Policies {
		p := at("policies", i)
		if pol.ID == "" {
			return nil, errs.Invalidf(p+".id", "is required")
		}
		if j, dup := polIDs[pol.ID]; dup {
			return nil, errs.Invalidf(p+".id", "%q is already the id of policies[%d]", pol.ID, j)
		}
		polIDs[pol.ID] = i
		si, ok := m.svcIdx[pol.Service]
		if !ok {
			if pol.Service == "" {
				return nil, errs.Invalidf(p+".service", "is required")
			}
			return nil, errs.Invalidf(p+".service", "%q is not the service of any component", pol.Service)
		}
		if j := m.svcPolicy[si]; j >= 0 {
			return nil, errs.Invalidf(p+".service", "%q already has policy %q", pol.Service, s.Policies[j].ID)
		}
		m.svcPolicy[si] = int32(i)
		r, err := compilePolicy(pol)
		if err != nil {
			return nil, errs.Prefix(p, err)
		}
		r.svc = si
		r.deadline = sp.claimDeadline(r.claim)
		m.policies[i] = r
	}

	// Customers (before incidents, which name them).
	if m.custIdx, err = buildIDIndex(s.Customers); err != nil {
		return nil, err
	}

	// Incidents.
	incIDs := map[string]int{}
	for i, inc := range s.Incidents {
		p := at("incidents", i)
		if inc.ID == "" {
			return nil, errs.Invalidf(p+".id", "is required")
		}
		if j, dup := incIDs[inc.ID]; dup {
			return nil, errs.Invalidf(p+".id", "%q is already the id of incidents[%d]", inc.ID, j)
		}
		incIDs[inc.ID] = i
		for j, im := range inc.Impacts {
			if err := m.checkImpact(im); err != nil {
				return nil, errs.Prefix(p+at(".impacts", j), err)
			}
		}
		if g := inc.Goodwill; g != nil {
			gp := p + ".goodwill"
			if err := checkCount(gp+".days", g.Days); err != nil {
				return nil, err
			}
			for k, svc := range g.Services {
				if _, ok := m.svcIdx[svc]; !ok {
					return nil, errs.Invalidf(gp+at(".services", k), "%q is not the service of any component", svc)
				}
			}
			for k, c := range g.Components {
				if _, ok := m.compIdx[c]; !ok {
					return nil, errs.Invalidf(gp+at(".components", k), "%q is not a known component", c)
				}
			}
			for k, c := range g.EligibleComponents {
				ci, ok := m.compIdx[c]
				if !ok {
					return nil, errs.Invalidf(gp+at(".eligible_components", k), "%q is not a known component", c)
				}
				// Eligibility narrows the grant's scope, never widens it.
				inScope := len(g.Components) == 0 && len(g.Services) == 0
				if len(g.Components) > 0 {
					inScope = slices.Contains(g.Components, c)
				} else if len(g.Services) > 0 {
					inScope = slices.Contains(g.Services, s.Components[ci].Service)
				}
				if !inScope {
					return nil, errs.Invalidf(gp+at(".eligible_components", k), "%q is outside the goodwill's scope", c)
				}
			}
		}
	}

	// Maintenance.
	mIDs := map[string]int{}
	for i, mw := range s.Maintenance {
		p := at("maintenance", i)
		if mw.ID != "" {
			if j, dup := mIDs[mw.ID]; dup {
				return nil, errs.Invalidf(p+".id", "%q is already the id of maintenance[%d]", mw.ID, j)
			}
			mIDs[mw.ID] = i
		}
		if len(mw.Components) == 0 {
			return nil, errs.Invalidf(p+".components", "names no component")
		}
		for k, c := range mw.Components {
			if _, ok := m.compIdx[c]; !ok {
				return nil, errs.Invalidf(p+at(".components", k), "%q is not a known component", c)
			}
		}
		if err := checkSpan("start", mw.Start, "end", mw.End, true); err != nil {
			return nil, errs.Prefix(p, err)
		}
		if mw.Announced.IsZero() {
			return nil, errs.Invalidf(p+".announced", "is required")
		}
	}

	// Customers' resources and charges.
	if checkCustomers {
		err = inChunks(len(s.Customers), func() func(int) error {
			var rc, cc []int32
			return func(i int) (err error) {
				rc, cc, err = m.checkCustomer(i, rc, cc)
				return err
			}
		})
		if err != nil {
			return nil, err
		}
	}
	return m, nil
}

// checkCustomer checks customer i's resources and charges and resolves their
// components into resComp and chgComp (scratch space, reused). Its errors
// name the full path; paths are built only on error, since this runs for
// every customer.
func (m *model) checkCustomer(i int, resComp, chgComp []int32) ([]int32, []int32, error) {
	c := &m.s.Customers[i]
	resComp, chgComp = slices.Grow(resComp[:0], len(c.Resources))[:len(c.Resources)], slices.Grow(chgComp[:0], len(c.Charges))[:len(c.Charges)]
	err := m.checkEntries(c, resComp, chgComp)
	if err != nil {
		err = errs.Prefix(at("customers", i), err)
	}
	return resComp, chgComp, err
}

func (m *model) checkEntries(c *Customer, resComp, chgComp []int32) error {
	var total uint64
	for j, r := range c.Resources {
		ci, ok := m.compIdx[r.Component]
		resComp[j] = ci
		if !ok {
			if r.Component == "" {
				return errs.Invalidf(at("resources", j)+".component", "is required")
			}
			return errs.Invalidf(at("resources", j)+".component", "%q is not a known component", r.Component)
		}
		if r.Count < 0 {
			return errs.Invalidf(at("resources", j)+".count", "%d is below 0", r.Count)
		}
		if !r.From.IsZero() && !r.To.IsZero() && !r.To.After(r.From) {
			return errs.Invalidf(at("resources", j)+".to", "%s is not after from %s", fmtTime(r.To), fmtTime(r.From))
		}
		total += uint64(r.Count)
		if total > math.MaxInt64 {
			return errs.Invalidf(at("resources", j)+".count", "the customer's counts add up to more than %d", int64(math.MaxInt64))
		}
	}
	total = 0
	for j, ch := range c.Charges {
		ci, ok := m.compIdx[ch.Component]
		chgComp[j] = ci
		if !ok {
			if ch.Component == "" {
				return errs.Invalidf(at("charges", j)+".component", "is required")
			}
			return errs.Invalidf(at("charges", j)+".component", "%q is not a known component", ch.Component)
		}
		if ch.AmountMinor < 0 {
			return errs.Invalidf(at("charges", j)+".amount_minor", "%d is below 0", ch.AmountMinor)
		}
		total += uint64(ch.AmountMinor)
		if total > math.MaxInt64 {
			return errs.Invalidf(at("charges", j)+".amount_minor", "the customer's charges add up to more than %d", int64(math.MaxInt64))
		}
	}
	return nil
}

func (m *model) checkImpact(im Impact) error {
	if _, ok := m.compIdx[im.Component]; !ok {
		if im.Component == "" {
			return errs.Invalidf("component", "is required")
		}
		return errs.Invalidf("component", "%q is not a known component", im.Component)
	}
	if statusIndex(im.Status) < 0 {
		return errs.Invalidf("status", "%q is not a known status (degraded_performance, partial_outage, major_outage)", im.Status)
	}
	if err := checkPercent("affected_percent", im.AffectedPercent); err != nil {
		return err
	}
	if err := checkSpan("start", im.Start, "end", im.End, false); err != nil {
		return err
	}
	seen := map[string]int{}
	for k, ac := range im.Customers {
		p := at("customers", k)
		if m.custIdx.find(ac.Customer) < 0 {
			if ac.Customer == "" {
				return errs.Invalidf(p+".customer", "is required")
			}
			return errs.Invalidf(p+".customer", "%q is not a known customer", ac.Customer)
		}
		if j, dup := seen[ac.Customer]; dup {
			return errs.Invalidf(p+".customer", "%q is already named in customers[%d]", ac.Customer, j)
		}
		seen[ac.Customer] = k
		if ac.AffectedResources != nil {
			if err := checkCount(p+".affected_resources", *ac.AffectedResources); err != nil {
				return err
			}
		}
	}
	return nil
}

// Validate checks p's own values with the rules Evaluate applies to a
// scenario's policies (target, tiers, count, notice, unlisted, claim
// periods, cap, minimum credit, basis) and returns errs.Invalid on the
// first field that breaks one, named as in the spec ("target",
// "tiers[1].credit_percent", ...). Its id and service, and how they fit
// the rest of a scenario, are the scenario's to check.
func (p Policy) Validate() error {
	_, err := compilePolicy(p)
	return err
}

func compilePolicy(pol Policy) (policyRule, error) {
	r := defaultRule
	if err := checkPercent("target", pol.Target); err != nil {
		return r, err
	}
	for j, t := range pol.Tiers {
		p := at("tiers", j)
		if err := checkPercent(p+".below", t.Below); err != nil {
			return r, err
		}
		if err := checkPercent(p+".credit_percent", t.CreditPercent); err != nil {
			return r, err
		}
		for i := 0; i < j; i++ {
			o := pol.Tiers[i]
			if o.Below == t.Below {
				return r, errs.Invalidf(p+".below", "%s is also the below of tiers[%d]", t.Below, i)
			}
			hi, lo := o, t
			if t.Below > o.Below {
				hi, lo = t, o
			}
			if lo.CreditPercent <= hi.CreditPercent {
				return r, errs.Invalidf(p+".credit_percent",
					"%s does not grow as below falls: tiers[%d] has below %s and credit_percent %s",
					t.CreditPercent, i, o.Below, o.CreditPercent)
			}
		}
	}
	r.tiers = pol.Tiers
	if pol.Count != nil {
		r.counts = [3]bool{}
		for k, st := range pol.Count {
			si := statusIndex(st)
			if si < 0 {
				return r, errs.Invalidf(at("count", k), "%q is not a known status (degraded_performance, partial_outage, major_outage)", st)
			}
			r.counts[si] = true
		}
	}
	if pol.MaintenanceNoticeHours < 0 {
		return r, errs.Invalidf("maintenance_notice_hours", "%d is below 0", pol.MaintenanceNoticeHours)
	}
	if pol.MaintenanceNoticeHours > 1_000_000 {
		return r, errs.Invalidf("maintenance_notice_hours", "%d is above 1000000", pol.MaintenanceNoticeHours)
	}
	r.notice = pol.MaintenanceNoticeHours * 3600
	switch pol.Unlisted {
	case "":
	case Fractional, Full, None:
		r.unlisted = pol.Unlisted
	default:
		return r, errs.Invalidf("unlisted", "%q is not fractional, full or none", pol.Unlisted)
	}
	if pol.ClaimPeriods != nil {
		if *pol.ClaimPeriods < 0 {
			return r, errs.Invalidf("claim_periods", "%d is below 0", *pol.ClaimPeriods)
		}
		if *pol.ClaimPeriods > maxClaimPeriods {
			return r, errs.Invalidf("claim_periods", "%d is above %d", *pol.ClaimPeriods, maxClaimPeriods)
		}
		r.claim = *pol.ClaimPeriods
	}
	if pol.CapPercent != nil {
		if err := checkPercent("cap_percent", *pol.CapPercent); err != nil {
			return r, err
		}
		r.cap = *pol.CapPercent
	}
	if pol.MinCreditMinor < 0 {
		return r, errs.Invalidf("min_credit_minor", "%d is below 0", pol.MinCreditMinor)
	}
	r.min = pol.MinCreditMinor
	switch pol.Basis {
	case "":
	case BasisPeriod, BasisDeployed:
		r.basis = pol.Basis
	default:
		return r, errs.Invalidf("basis", "%q is not period or deployed", pol.Basis)
	}
	return r, nil
}
