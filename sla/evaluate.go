package sla

import (
	"math"
	"math/big"
	"math/bits"
	"slices"

	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/prefault"
)

// Evaluate computes every component's, service's and customer's downtime,
// uptime and credits for s, exactly as SLA-SPEC.md defines them. It validates
// s first and returns the first broken rule as an errs.Invalid error (see
// Validate); it also returns errs.Invalid for a zero AsOf ("as_of: is
// required"). The result does not depend on the order of s's slices, except
// that its lists follow their input order. Evaluate uses every available CPU.
func Evaluate(s *Scenario) (*Result, error) {
	m, err := compile(s, false) // customers are checked as they are evaluated
	if err != nil {
		return nil, err
	}
	if s.AsOf.IsZero() {
		return nil, errs.Invalidf("as_of", "is required")
	}
	e := newEvaluation(m, s.AsOf.Unix())
	res := &Result{
		Period: PeriodResult{Start: m.span.start, End: m.span.end, Seconds: m.p1 - m.p0},
	}
	res.Components = e.components()
	res.Services = e.services()
	res.Customers, err = e.customers()
	if err != nil {
		return nil, err
	}
	return res, nil
}

// namedImpact is a counted impact that names one customer.
type namedImpact struct {
	comp int32
	s, e int64
	aff  int64 // affected resources, -1 for all of them
}

// goodwillRule is a goodwill grant of the period with its scope resolved.
type goodwillRule struct {
	incident string
	days     int64
	ws, we   int64  // the incident's window [ws, we)
	scope    []bool // by component: a resource here makes a customer eligible (the eligible components, if any)
	charged  []bool // by component: charges here are credited
	num, den uint64 // the share of the charges credited: num/den ≤ 1
}

type evaluation struct {
	m     *model
	asOf  int64
	tl    []timeline
	named map[int32][]namedImpact
	gw    []goodwillRule
	terms []ServiceTerms // by policy
	// svcs holds every customer's services: customer i's are at
	// svcs[svcAt[i]:], at most svcAt[i+1]-svcAt[i] of them.
	svcs  []CustomerService
	svcAt []int
}

func newEvaluation(m *model, asOf int64) *evaluation {
	s := m.s
	e := &evaluation{m: m, asOf: asOf, named: map[int32][]namedImpact{}}
	nc := len(s.Components)
	imps := make([][]interval, nc)
	maint := make([][]interval, nc)
	rule := func(c int32) *policyRule {
		if p := m.svcPolicy[m.compSvc[c]]; p >= 0 {
			return &m.policies[p]
		}
		return &defaultRule
	}
	for _, inc := range s.Incidents {
		if inc.Excluded {
			continue
		}
		for _, im := range inc.Impacts {
			c := m.compIdx[im.Component]
			if !rule(c).counts[statusIndex(im.Status)] {
				continue
			}
			st, en := e.impactSpan(im)
			st, en = max(st, m.p0), min(en, m.p1)
			if en <= st {
				continue
			}
			imps[c] = append(imps[c], interval{s: st, e: en, pct: int64(im.AffectedPercent), named: len(im.Customers) > 0})
			for _, ac := range im.Customers {
				aff := int64(-1)
				if ac.AffectedResources != nil {
					aff = *ac.AffectedResources
				}
				ci := m.custIdx.find(ac.Customer)
				e.named[ci] = append(e.named[ci], namedImpact{comp: c, s: st, e: en, aff: aff})
			}
		}
	}
	for _, mw := range s.Maintenance {
		st, en := mw.Start.Unix(), mw.End.Unix()
		ann := mw.Announced.Unix()
		for _, id := range mw.Components {
			c := m.compIdx[id]
			if ann > st-rule(c).notice {
				continue
			}
			a, b := max(st, m.p0), min(en, m.p1)
			if b > a {
				maint[c] = append(maint[c], interval{s: a, e: b})
			}
		}
	}
	e.tl = make([]timeline, nc)
	for c := range nc {
		e.tl[c] = buildTimeline(m.p0, m.p1, imps[c], maint[c], rule(int32(c)).unlisted)
	}
	e.goodwill()
	return e
}

// impactSpan returns an impact's [start, end) in Unix seconds; an ongoing
// impact ends at as_of (or its start, if as_of is earlier).
func (e *evaluation) impactSpan(im Impact) (int64, int64) {
	st := im.Start.Unix()
	if im.End.IsZero() {
		return st, max(st, e.asOf)
	}
	return st, im.End.Unix()
}

func (e *evaluation) goodwill() {
	m := e.m
	s := m.s
	T := uint64(m.p1 - m.p0)
	for _, inc := range s.Incidents {
		g := inc.Goodwill
		if g == nil || len(inc.Impacts) == 0 {
			continue
		}
		ws, we := int64(math.MaxInt64), int64(math.MinInt64)
		for _, im := range inc.Impacts {
			st, en := e.impactSpan(im)
			ws, we = min(ws, st), max(we, en)
		}
		if ws < m.p0 || ws >= m.p1 {
			continue // it belongs to the period in which its window starts
		}
		r := goodwillRule{incident: inc.ID, days: g.Days, ws: ws, we: we,
			scope: make([]bool, len(s.Components)), charged: make([]bool, len(s.Components))}
		svcs := make([]bool, len(m.services))
		for _, id := range g.Services {
			svcs[m.svcIdx[id]] = true
		}
		if len(g.Components) > 0 {
			for _, id := range g.Components {
				r.scope[m.compIdx[id]] = true
			}
		} else {
			for c := range r.scope {
				r.scope[c] = len(g.Services) == 0 || svcs[m.compSvc[c]]
			}
		}
		for c := range r.charged {
			r.charged[c] = r.scope[c] && (len(g.Services) == 0 || svcs[m.compSvc[c]])
		}
		if len(g.EligibleComponents) > 0 {
			// Only these make a customer eligible; the charges stay the scope's.
			clear(r.scope)
			for _, id := range g.EligibleComponents {
				r.scope[m.compIdx[id]] = true
			}
		}
		// min(1, days × 86400 / T)
		if uint64(g.Days) > T/86400 || uint64(g.Days)*86400 >= T {
			r.num, r.den = 1, 1
		} else {
			r.num, r.den = uint64(g.Days)*86400, T
		}
		e.gw = append(e.gw, r)
	}
}

func (e *evaluation) components() []ComponentResult {
	T := e.m.p1 - e.m.p0
	out := make([]ComponentResult, len(e.m.s.Components))
	for i, c := range e.m.s.Components {
		down := NewRatio(uint64(e.tl[i].down), million)
		out[i] = ComponentResult{ID: c.ID, DowntimeSeconds: down, Seconds: T}
	}
	return out
}

// services returns each service's fleet uptime: its components' uptimes
// weighted by their stated resources (equal weights unless every component
// states a count and the counts add up to more than 0).
func (e *evaluation) services() []ServiceResult {
	m := e.m
	T := big.NewInt(m.p1 - m.p0)
	out := make([]ServiceResult, len(m.services))
	for si, name := range m.services {
		weighted := true
		wsum := new(big.Int)
		for c, comp := range m.s.Components {
			if m.compSvc[c] != int32(si) {
				continue
			}
			if comp.Resources == nil {
				weighted = false
				break
			}
			wsum.Add(wsum, big.NewInt(*comp.Resources))
		}
		if wsum.Sign() <= 0 {
			weighted = false
		}
		// Σ w (T·1e6 − down) / (Σw · T · 1e4)
		num, den := new(big.Int), new(big.Int)
		for c, comp := range m.s.Components {
			if m.compSvc[c] != int32(si) {
				continue
			}
			w := big.NewInt(1)
			if weighted {
				w = big.NewInt(*comp.Resources)
			}
			avail := new(big.Int).Mul(T, big.NewInt(million))
			avail.Sub(avail, big.NewInt(e.tl[c].down))
			num.Add(num, avail.Mul(avail, w))
			den.Add(den, w)
		}
		den.Mul(den, T)
		den.Mul(den, big.NewInt(10_000))
		out[si] = ServiceResult{Service: name, uptime: ratioOfBig(new(big.Rat).SetFrac(num, den))}
	}
	return out
}

// uptimeOf returns 100 × (1 − down/seconds) as a percentage; 100 when
// seconds is 0.
func uptimeOf(down Ratio, seconds int64) Ratio {
	if down.IsZero() || seconds <= 0 {
		return Ratio{n: 100, d: 1}
	}
	if down.r == nil {
		td := mul64(uint64(seconds), down.d)
		if num, ok := td.sub(u128{0, down.n}).mulChecked(100); ok {
			return ratio128From(num, td)
		}
	}
	r := down.Rat()
	r.Quo(r, new(big.Rat).SetInt64(seconds))
	r.Sub(big.NewRat(1, 1), r)
	return ratioOfBig(r.Mul(r, big.NewRat(100, 1)))
}

func ratio128From(n, d u128) Ratio { return ratio128(n.hi, n.lo, d.hi, d.lo) }

// customers evaluates every customer over GOMAXPROCS workers, each writing
// its customers' results in place.
func (e *evaluation) customers() ([]CustomerResult, error) {
	m := e.m
	e.terms = make([]ServiceTerms, len(m.policies))
	for pi, p := range m.s.Policies {
		e.terms[pi] = ServiceTerms{Service: p.Service, Policy: p.ID, Target: p.Target, ClaimDeadline: m.policies[pi].deadline}
	}
	// Every customer's services are carved out of one list, each at a
	// place counted first (a customer has at most one service per policy,
	// and per resource or charge), and both lists are written before the
	// collector can read them: 300,000 services made in fresh memory
	// otherwise cost more in page faults than evaluating them.
	e.svcAt = make([]int, len(m.s.Customers)+1)
	for i := range m.s.Customers {
		c := &m.s.Customers[i]
		e.svcAt[i+1] = e.svcAt[i] + min(len(m.policies), len(c.Resources)+len(c.Charges))
	}
	e.svcs = prefault.Slice(make([]CustomerService, e.svcAt[len(m.s.Customers)]))
	out := prefault.Slice(make([]CustomerResult, len(m.s.Customers)))
	err := inChunks(len(out), func() func(int) error {
		w := e.newWorker()
		return func(i int) error { return w.customer(i, &out[i]) }
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// entry is one resource entry of the customer being evaluated.
type entry struct {
	comp, svc      int32
	count          int64
	from, to       int64 // clipped to the period; from < to unless empty
	rawFrom, rawTo int64 // unclipped, open ends as MinInt64/MaxInt64
}

type chargeEntry struct {
	comp   int32
	amount int64
}

type dSum struct {
	d uint64
	s u128
}

type compCount struct {
	comp int32
	r    int64
}

// worker holds one goroutine's scratch space, so that the hot path does not
// allocate per customer.
type worker struct {
	e                *evaluation
	resComp, chgComp []int32
	present          []bool
	charges          []int64
	ents             []entry
	chs              []chargeEntry
	sel              []entry
	bounds           []int64
	perD             []dSum
	rc               []compCount
	pieces           []int64
	named            []namedImpact
	goodSlab         []GoodwillCredit
}

func (e *evaluation) newWorker() *worker {
	n := len(e.m.services)
	return &worker{e: e, present: make([]bool, n), charges: make([]int64, n)}
}

func (w *worker) customer(i int, out *CustomerResult) error {
	e, m := w.e, w.e.m
	c := &m.s.Customers[i]
	p0, p1 := m.p0, m.p1
	w.ents, w.chs = w.ents[:0], w.chs[:0]
	var err error
	w.resComp, w.chgComp, err = m.checkCustomer(i, w.resComp, w.chgComp)
	if err != nil {
		return err
	}
	resComp, chgComp := w.resComp, w.chgComp
	for j, r := range c.Resources {
		ci := resComp[j]
		en := entry{comp: ci, svc: m.compSvc[ci], count: r.Count, from: p0, to: p1,
			rawFrom: math.MinInt64, rawTo: math.MaxInt64}
		if !r.From.IsZero() {
			en.rawFrom = r.From.Unix()
			en.from = max(en.rawFrom, p0)
		}
		if !r.To.IsZero() {
			en.rawTo = r.To.Unix()
			en.to = min(en.rawTo, p1)
		}
		w.present[en.svc] = true
		w.ents = append(w.ents, en)
	}
	for j, ch := range c.Charges {
		ci := chgComp[j]
		svc := m.compSvc[ci]
		w.present[svc] = true
		w.charges[svc] += ch.AmountMinor
		w.chs = append(w.chs, chargeEntry{ci, ch.AmountMinor})
	}
	named := e.named[int32(i)]

	n := 0
	for pi := range m.policies {
		if w.present[m.policies[pi].svc] {
			n++
		}
	}
	var svcs []CustomerService
	if lo := e.svcAt[i]; n <= e.svcAt[i+1]-lo {
		svcs = e.svcs[lo : lo+n : lo+n]
	} else {
		svcs = make([]CustomerService, n) // not within the count (never, but not assumed)
	}

	var total uint64
	k := 0
	for pi := range m.policies {
		rule := &m.policies[pi]
		if !w.present[rule.svc] {
			continue
		}
		cs := &svcs[k]
		k++
		down, deployed := w.service(rule.svc, named)
		denom := p1 - p0
		if rule.basis == BasisDeployed {
			denom = deployed
		}
		up := uptimeOf(down, denom)
		*cs = CustomerService{ServiceTerms: &e.terms[pi], DowntimeSeconds: down, Seconds: denom, ChargesMinor: w.charges[rule.svc]}
		for _, t := range rule.tiers {
			if t.CreditPercent > cs.CreditPercent && up.Cmp(t.Below.Ratio()) < 0 {
				cs.CreditPercent = t.CreditPercent
			}
		}
		if cs.CreditPercent > 0 && cs.ChargesMinor > 0 {
			credit := roundDiv(uint64(cs.ChargesMinor), uint64(min(cs.CreditPercent, rule.cap)), million)
			if credit > uint64(rule.min) {
				cs.CreditMinor = int64(credit)
			}
		}
		total += uint64(cs.CreditMinor)
	}

	var goods []GoodwillCredit
	for gi := range e.gw {
		g := &e.gw[gi]
		if !w.eligible(g) {
			continue
		}
		var ch uint64
		for _, x := range w.chs {
			if g.charged[x.comp] {
				ch += uint64(x.amount)
			}
		}
		credit := roundDiv(ch, g.num, g.den)
		if goods == nil {
			if len(w.goodSlab) < len(e.gw)-gi {
				w.goodSlab = make([]GoodwillCredit, max(1024, len(e.gw)))
			}
			goods = w.goodSlab[: 0 : len(e.gw)-gi]
		}
		goods = append(goods, GoodwillCredit{Incident: g.incident, Days: g.days, CreditMinor: int64(credit)})
		total += credit
		if total > math.MaxInt64 {
			return errs.Invalidf(at("customers", i), "the credits add up to more than %d", int64(math.MaxInt64))
		}
	}
	if goods != nil {
		goods = goods[:len(goods):len(goods)]
		w.goodSlab = w.goodSlab[len(goods):]
	}
	for _, en := range w.ents {
		w.present[en.svc] = false
		w.charges[en.svc] = 0
	}
	for _, x := range w.chs {
		svc := m.compSvc[x.comp]
		w.present[svc] = false
		w.charges[svc] = 0
	}
	*out = CustomerResult{ID: c.ID, Currency: c.Currency, Services: svcs, Goodwill: goods, TotalCreditMinor: int64(total)}
	return nil
}

// eligible reports whether the customer had a resource in a scope component
// at some instant of the incident's window.
func (w *worker) eligible(g *goodwillRule) bool {
	if g.we <= g.ws {
		return false
	}
	for _, en := range w.ents {
		if en.count > 0 && g.scope[en.comp] && en.rawFrom < g.we && en.rawTo > g.ws {
			return true
		}
	}
	return false
}

// service returns the customer's downtime in a service (seconds) and its
// deployed seconds (with at least one resource of the service).
func (w *worker) service(svc int32, named []namedImpact) (Ratio, int64) {
	m := w.e.m
	p0, p1 := m.p0, m.p1
	w.sel = w.sel[:0]
	constant := true
	for _, en := range w.ents {
		if en.svc != svc || en.count == 0 || en.to <= en.from {
			continue
		}
		w.sel = append(w.sel, en)
		if en.from != p0 || en.to != p1 {
			constant = false
		}
	}
	if len(w.sel) == 0 {
		return Ratio{}, 0
	}
	w.named = w.named[:0]
	for _, nm := range named {
		if m.compSvc[nm.comp] == svc {
			w.named = append(w.named, nm)
		}
	}
	if constant && len(w.named) == 0 {
		// The common case: the same resources all period long.
		var d uint64
		var s u128
		for _, en := range w.sel {
			d += uint64(en.count)
			s = s.add(mul64(uint64(en.count), uint64(w.e.tl[en.comp].down0())))
		}
		return downtime(s, d), p1 - p0
	}

	w.bounds = append(w.bounds[:0], p0, p1)
	for _, en := range w.sel {
		w.bounds = append(w.bounds, en.from, en.to)
	}
	slices.Sort(w.bounds)
	w.bounds = slices.Compact(w.bounds)
	w.perD = w.perD[:0]
	var deployed int64
	for k := 0; k+1 < len(w.bounds); k++ {
		a, b := w.bounds[k], w.bounds[k+1]
		w.rc = w.rc[:0]
		var d uint64
	entries:
		for _, en := range w.sel {
			if en.from > a || en.to < b {
				continue
			}
			d += uint64(en.count)
			for j := range w.rc {
				if w.rc[j].comp == en.comp {
					w.rc[j].r += en.count
					continue entries
				}
			}
			w.rc = append(w.rc, compCount{en.comp, en.count})
		}
		if d == 0 {
			continue
		}
		deployed += b - a
		var s u128
		for _, x := range w.rc {
			tl := &w.e.tl[x.comp]
			if w.hasNamed(x.comp) {
				s = s.add(w.namedIntegral(tl, x.comp, x.r, a, b))
			} else {
				s = s.add(mul64(uint64(x.r), uint64(tl.integral(a, b))))
			}
		}
		if s.isZero() {
			continue
		}
		found := false
		for j := range w.perD {
			if w.perD[j].d == d {
				w.perD[j].s = w.perD[j].s.add(s)
				found = true
				break
			}
		}
		if !found {
			w.perD = append(w.perD, dSum{d, s})
		}
	}
	switch len(w.perD) {
	case 0:
		return Ratio{}, deployed
	case 1:
		return downtime(w.perD[0].s, w.perD[0].d), deployed
	}
	// Resource counts changed while down: Σ s/(d·1e6) over a common
	// denominator, in 128 bits while it fits, else with big rationals.
	if r, ok := w.sumPerD(); ok {
		return r, deployed
	}
	sum := new(big.Rat)
	for _, x := range w.perD {
		den := new(big.Int).Mul(new(big.Int).SetUint64(x.d), big.NewInt(million))
		sum.Add(sum, new(big.Rat).SetFrac(bigU128(x.s.hi, x.s.lo), den))
	}
	return ratioOfBig(sum), deployed
}

// sumPerD returns Σ s/(d·1e6) as num / (lcm(d)·1e6) when that fits 128 bits.
func (w *worker) sumPerD() (Ratio, bool) {
	l := uint64(1)
	for _, x := range w.perD {
		g := gcd(l, x.d)
		hi, lo := bits.Mul64(l/g, x.d)
		if hi != 0 || lo > 1<<40 {
			return Ratio{}, false
		}
		l = lo
	}
	var num u128
	for _, x := range w.perD {
		t, ok := x.s.mulChecked(l / x.d)
		if !ok {
			return Ratio{}, false
		}
		if num, ok = num.addChecked(t); !ok {
			return Ratio{}, false
		}
	}
	return ratio128From(num, mul64(l, million)), true
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// down0 is the integral of the unlisted share over the whole period.
func (t *timeline) down0() int64 { return t.pu[len(t.pu)-1] }

// downtime returns s / (d × 1e6) seconds.
func downtime(s u128, d uint64) Ratio {
	if s.isZero() {
		return Ratio{}
	}
	return ratio128From(s, mul64(d, million))
}

func (w *worker) hasNamed(comp int32) bool {
	for _, nm := range w.named {
		if nm.comp == comp {
			return true
		}
	}
	return false
}

// namedIntegral integrates, over [a, b) with r resources in comp, the
// customer's share: the larger of what unlisted impacts give everyone and
// what the impacts naming the customer give it (at most all r resources),
// in resource-millionth-seconds.
func (w *worker) namedIntegral(tl *timeline, comp int32, r int64, a, b int64) u128 {
	w.pieces = append(w.pieces[:0], a, b)
	k0, found := slices.BinarySearch(tl.b, a)
	if !found {
		k0--
	}
	for k := k0 + 1; k < len(tl.b) && tl.b[k] < b; k++ {
		w.pieces = append(w.pieces, tl.b[k])
	}
	for _, nm := range w.named {
		if nm.comp != comp {
			continue
		}
		if nm.s > a && nm.s < b {
			w.pieces = append(w.pieces, nm.s)
		}
		if nm.e > a && nm.e < b {
			w.pieces = append(w.pieces, nm.e)
		}
	}
	slices.Sort(w.pieces)
	w.pieces = slices.Compact(w.pieces)
	var s u128
	k := k0
	for j := 0; j+1 < len(w.pieces); j++ {
		x, y := w.pieces[j], w.pieces[j+1]
		for k+1 < len(tl.b) && tl.b[k+1] <= x {
			k++
		}
		if tl.maint[k] {
			continue
		}
		share := mul64(uint64(r), uint64(tl.u[k])) // r × u: unlisted impacts
		var hit int64
		for _, nm := range w.named {
			if nm.comp != comp || nm.s > x || nm.e < y {
				continue
			}
			h := r
			if nm.aff >= 0 && nm.aff < r {
				h = nm.aff
			}
			hit = max(hit, h)
		}
		if named := mul64(uint64(hit), million); named.greater(share) {
			share = named
		}
		s = s.add(share.mul(uint64(y - x)))
	}
	return s
}
