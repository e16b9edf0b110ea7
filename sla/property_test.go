package sla_test

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
	"testing/quick"
	"time"

	"github.com/amends/amends/sla"
)

// randomScenario builds a small valid scenario whose instants crowd into a
// few days, so that impacts, maintenance and resource changes overlap often.
func randomScenario(seed int64) *sla.Scenario {
	rng := rand.New(rand.NewPCG(uint64(seed), 7))
	pick := func(n int) int { return rng.IntN(n) }
	chance := func(p int) bool { return rng.IntN(100) < p }
	s := &sla.Scenario{}
	switch pick(4) {
	case 0:
		s.Period = sla.MonthPeriod(2013, time.March, "America/Los_Angeles")
	case 1:
		s.Period = sla.Period{Start: T("04-09T00:00"), End: T("04-12T00:00")}
	case 2:
		s.Period = sla.Period{Year: "2013", TimeZone: ""}
	default:
		s.Period = sla.MonthPeriod(2013, time.April, "")
	}
	p0, _, _ := s.Period.Bounds()
	origin := T("04-09T12:00")
	if p0.Month() == time.March {
		origin = time.Date(2013, 3, 10, 0, 0, 0, 0, time.UTC) // the DST change
	}
	instant := func() time.Time {
		if chance(5) {
			return p0.Add(-time.Duration(pick(48)) * time.Hour) // before the period
		}
		return origin.Add(time.Duration(pick(96)*1800+pick(3)*7) * time.Second)
	}
	span := func() (time.Time, time.Time) {
		a := instant()
		return a, a.Add(time.Duration(1+pick(12*3600)) * time.Second)
	}
	s.AsOf = origin.Add(time.Duration(pick(72)) * time.Hour)
	s.Components = []sla.Component{{ID: "c1", Service: "S"}, {ID: "c2", Service: "S"}, {ID: "c3", Service: "R"}, {ID: "d1", Service: "D"}}
	for i := range s.Components {
		if chance(60) {
			s.Components[i].Resources = i64(int64(pick(4) * 100))
		}
	}
	percents := []string{"0", "0.0001", "6.8", "10", "33.3333", "50", "99.9999", "100"}
	statuses := []sla.Status{sla.DegradedPerformance, sla.PartialOutage, sla.MajorOutage}
	for _, svc := range []string{"S", "R"} {
		if chance(15) {
			continue
		}
		p := sla.Policy{ID: "p" + svc, Service: svc, Target: P("99.9"), MaintenanceNoticeHours: int64(pick(3) * 12),
			Unlisted: []sla.Unlisted{"", sla.Fractional, sla.Full, sla.None}[pick(4)],
			Basis:    []sla.Basis{"", sla.BasisPeriod, sla.BasisDeployed}[pick(3)], MinCreditMinor: int64(pick(2) * 50)}
		belows := []string{"99.99", "99.95", "99.9", "99.5", "99", "95", "90", "50"}
		credits := []string{"5", "10", "25", "30", "50", "75", "100"}
		bi, ci := pick(3), pick(2)
		for range 1 + pick(3) {
			p.Tiers = append(p.Tiers, sla.Tier{Below: P(belows[bi]), CreditPercent: P(credits[ci])})
			bi, ci = bi+1+pick(2), ci+1+pick(2)
			if bi >= len(belows) || ci >= len(credits) {
				break
			}
		}
		if chance(40) {
			p.Count = []sla.Status{}
			for _, st := range statuses {
				if chance(60) {
					p.Count = append(p.Count, st)
				}
			}
		}
		if chance(40) {
			p.ClaimPeriods = i64(int64(pick(4)))
		}
		if chance(30) {
			p.CapPercent = pp([]string{"0", "25", "50", "100"}[pick(4)])
		}
		s.Policies = append(s.Policies, p)
	}
	for i := range 1 + pick(5) {
		c := sla.Customer{ID: fmt.Sprintf("k%d", i), Currency: "EUR"}
		for range pick(5) {
			r := sla.Resource{Component: s.Components[pick(4)].ID, Count: int64(pick(6))}
			if chance(50) {
				r.From = instant()
			}
			if chance(50) {
				r.To = instant()
				if !r.From.IsZero() && !r.To.After(r.From) {
					r.To = r.From.Add(time.Duration(1+pick(36000)) * time.Second)
				}
			}
			c.Resources = append(c.Resources, r)
		}
		for range pick(4) {
			c.Charges = append(c.Charges, sla.Charge{Component: s.Components[pick(4)].ID, AmountMinor: int64(pick(3)) * int64(pick(100001))})
		}
		s.Customers = append(s.Customers, c)
	}
	for i := range pick(7) {
		inc := sla.Incident{ID: fmt.Sprintf("i%d", i), Excluded: chance(15)}
		for range 1 + pick(3) {
			im := sla.Impact{Component: s.Components[pick(4)].ID, Status: statuses[pick(3)], AffectedPercent: P(percents[pick(len(percents))])}
			im.Start, im.End = span()
			if chance(10) {
				im.End = time.Time{}
			}
			if chance(30) {
				for _, c := range s.Customers {
					if chance(50) {
						ac := sla.AffectedCustomer{Customer: c.ID}
						if chance(60) {
							ac.AffectedResources = i64(int64(pick(6)))
						}
						im.Customers = append(im.Customers, ac)
					}
				}
			}
			inc.Impacts = append(inc.Impacts, im)
		}
		if chance(30) {
			g := &sla.Goodwill{Days: []int64{0, 1, 10, 40}[pick(4)]}
			for _, svc := range []string{"S", "R", "D"} {
				if chance(40) {
					g.Services = append(g.Services, svc)
				}
			}
			for _, c := range s.Components {
				if chance(30) {
					g.Components = append(g.Components, c.ID)
				}
			}
			for _, c := range s.Components { // eligibility narrows the scope
				inScope := len(g.Components) == 0 && (len(g.Services) == 0 || slices.Contains(g.Services, c.Service)) ||
					slices.Contains(g.Components, c.ID)
				if inScope && chance(15) {
					g.EligibleComponents = append(g.EligibleComponents, c.ID)
				}
			}
			inc.Goodwill = g
		}
		s.Incidents = append(s.Incidents, inc)
	}
	for range pick(4) {
		m := sla.Maintenance{}
		m.Start, m.End = span()
		m.Announced = m.Start.Add(-time.Duration(pick(48)) * time.Hour)
		for _, c := range s.Components {
			if len(m.Components) == 0 || chance(30) {
				m.Components = append(m.Components, c.ID)
			}
		}
		s.Maintenance = append(s.Maintenance, m)
	}
	return s
}

// exact flattens a result to exact values: downtime and uptime as fractions.
func exact(res *sla.Result) map[string]string {
	f := map[string]string{"period": fmt.Sprint(res.Period.Start.Unix(), res.Period.End.Unix(), res.Period.Seconds)}
	for _, c := range res.Components {
		f[c.ID+" downtime"] = c.DowntimeSeconds.Rat().RatString()
		f[c.ID+" uptime"] = c.UptimePercent().Rat().RatString()
	}
	for _, s := range res.Services {
		f[s.Service+" uptime"] = s.UptimePercent().Rat().RatString()
	}
	for _, c := range res.Customers {
		for _, s := range c.Services {
			f[c.ID+" "+s.Service] = fmt.Sprint(s.Policy, s.DowntimeSeconds.Rat().RatString(), s.UptimePercent().Rat().RatString(),
				s.CreditPercent, s.ChargesMinor, s.CreditMinor, s.ClaimDeadline.Unix())
		}
		for _, g := range c.Goodwill {
			f[c.ID+" goodwill "+g.Incident] = fmt.Sprint(g.Days, g.CreditMinor)
		}
		f[c.ID+" total"] = fmt.Sprint(c.TotalCreditMinor)
	}
	return f
}

// naive evaluates a scenario straight from the spec's words, with big
// rationals over every elementary interval: the reference the fast sweep
// must match exactly.
func naive(t *testing.T, s *sla.Scenario) map[string]string {
	p0t, p1t, err := s.Period.Bounds()
	if err != nil {
		t.Fatal(err)
	}
	p0, p1, asOf := p0t.Unix(), p1t.Unix(), s.AsOf.Unix()
	T := p1 - p0
	type rule struct {
		counts   map[sla.Status]bool
		notice   int64
		unlisted sla.Unlisted
		claim    int64
		cap      sla.Percent
		min      int64
		basis    sla.Basis
		tiers    []sla.Tier
		id       string
	}
	rules := map[string]rule{}
	for _, p := range s.Policies {
		r := rule{counts: map[sla.Status]bool{sla.PartialOutage: true, sla.MajorOutage: true}, notice: p.MaintenanceNoticeHours * 3600,
			unlisted: p.Unlisted, claim: 2, cap: sla.Hundred, min: p.MinCreditMinor, basis: p.Basis, tiers: p.Tiers, id: p.ID}
		if p.Count != nil {
			r.counts = map[sla.Status]bool{}
			for _, st := range p.Count {
				r.counts[st] = true
			}
		}
		if p.ClaimPeriods != nil {
			r.claim = *p.ClaimPeriods
		}
		if p.CapPercent != nil {
			r.cap = *p.CapPercent
		}
		rules[p.Service] = r
	}
	svcOf := map[string]string{}
	for _, c := range s.Components {
		svcOf[c.ID] = c.Service
	}
	ruleOf := func(comp string) rule {
		if r, ok := rules[svcOf[comp]]; ok {
			return r
		}
		return rule{counts: map[sla.Status]bool{sla.PartialOutage: true, sla.MajorOutage: true}, unlisted: sla.Fractional}
	}
	end := func(im sla.Impact) int64 {
		if im.End.IsZero() {
			return max(asOf, im.Start.Unix())
		}
		return im.End.Unix()
	}
	open := func(t time.Time, def int64) int64 {
		if t.IsZero() {
			return def
		}
		return t.Unix()
	}
	var cuts []int64
	add := func(x int64) { cuts = append(cuts, min(max(x, p0), p1)) }
	add(p0)
	add(p1)
	for _, inc := range s.Incidents {
		for _, im := range inc.Impacts {
			add(im.Start.Unix())
			add(end(im))
		}
	}
	for _, m := range s.Maintenance {
		add(m.Start.Unix())
		add(m.End.Unix())
	}
	for _, c := range s.Customers {
		for _, r := range c.Resources {
			add(open(r.From, p0))
			add(open(r.To, p1))
		}
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	// active returns the counted impacts on comp at instant a.
	active := func(comp string, a int64) []sla.Impact {
		for _, m := range s.Maintenance {
			if slices.Contains(m.Components, comp) && m.Start.Unix() <= a && a < m.End.Unix() &&
				m.Announced.Unix() <= m.Start.Unix()-ruleOf(comp).notice {
				return nil
			}
		}
		var out []sla.Impact
		for _, inc := range s.Incidents {
			for _, im := range inc.Impacts {
				if !inc.Excluded && im.Component == comp && ruleOf(comp).counts[im.Status] && im.Start.Unix() <= a && a < end(im) {
					out = append(out, im)
				}
			}
		}
		return out
	}
	pctRat := func(p sla.Percent) *big.Rat { return big.NewRat(int64(p), int64(sla.Hundred)) }
	compDown := map[string]*big.Rat{}
	type key struct{ cust, svc string }
	custDown, deployed := map[key]*big.Rat{}, map[key]int64{}
	for _, c := range s.Components {
		compDown[c.ID] = new(big.Rat)
	}
	for k := 0; k+1 < len(cuts); k++ {
		a, L := cuts[k], big.NewRat(cuts[k+1]-cuts[k], 1)
		for _, c := range s.Components {
			share := new(big.Rat)
			for _, im := range active(c.ID, a) {
				if p := pctRat(im.AffectedPercent); p.Cmp(share) > 0 {
					share = p
				}
			}
			compDown[c.ID].Add(compDown[c.ID], new(big.Rat).Mul(share, L))
		}
		for _, cu := range s.Customers {
			for _, p := range s.Policies {
				R := map[string]int64{}
				var D int64
				for _, r := range cu.Resources {
					if svcOf[r.Component] == p.Service && open(r.From, p0) <= a && a < open(r.To, p1) {
						R[r.Component] += r.Count
						D += r.Count
					}
				}
				kk := key{cu.ID, p.Service}
				if custDown[kk] == nil {
					custDown[kk] = new(big.Rat)
				}
				if D == 0 {
					continue
				}
				deployed[kk] += cuts[k+1] - cuts[k]
				num := new(big.Rat)
				for comp, rc := range R {
					if rc == 0 {
						continue
					}
					best := new(big.Rat)
					for _, im := range active(comp, a) {
						var sh *big.Rat
						switch {
						case len(im.Customers) == 0:
							switch ruleOf(comp).unlisted {
							case sla.Full:
								sh = big.NewRat(1, 1)
							case sla.None:
								sh = new(big.Rat)
							default:
								sh = pctRat(im.AffectedPercent)
							}
						default:
							sh = new(big.Rat)
							for _, ac := range im.Customers {
								if ac.Customer == cu.ID {
									sh = big.NewRat(1, 1)
									if ac.AffectedResources != nil && *ac.AffectedResources < rc {
										sh = big.NewRat(*ac.AffectedResources, rc)
									}
								}
							}
						}
						if sh.Cmp(best) > 0 {
							best = sh
						}
					}
					num.Add(num, best.Mul(best, big.NewRat(rc, 1)))
				}
				num.Quo(num, big.NewRat(D, 1))
				custDown[kk].Add(custDown[kk], num.Mul(num, L))
			}
		}
	}
	uptime := func(down *big.Rat, den int64) *big.Rat {
		if den == 0 {
			return big.NewRat(100, 1)
		}
		u := new(big.Rat).Quo(down, big.NewRat(den, 1))
		u.Sub(big.NewRat(1, 1), u)
		return u.Mul(u, big.NewRat(100, 1))
	}
	roundHalfUp := func(x *big.Rat) int64 {
		y := new(big.Rat).Add(x, big.NewRat(1, 2))
		return new(big.Int).Quo(y.Num(), y.Denom()).Int64()
	}
	f := map[string]string{"period": fmt.Sprint(p0, p1, T)}
	services := map[string][]string{}
	var svcOrder []string
	for _, c := range s.Components {
		f[c.ID+" downtime"] = compDown[c.ID].RatString()
		f[c.ID+" uptime"] = uptime(compDown[c.ID], T).RatString()
		if _, ok := services[c.Service]; !ok {
			svcOrder = append(svcOrder, c.Service)
		}
		services[c.Service] = append(services[c.Service], c.ID)
	}
	for _, svc := range svcOrder {
		weights := map[string]int64{}
		var sum int64
		all := true
		for _, c := range s.Components {
			if c.Service == svc {
				if c.Resources == nil {
					all = false
				} else {
					weights[c.ID] = *c.Resources
					sum += *c.Resources
				}
			}
		}
		num, den := new(big.Rat), new(big.Rat)
		for _, id := range services[svc] {
			w := big.NewRat(1, 1)
			if all && sum > 0 {
				w = big.NewRat(weights[id], 1)
			}
			num.Add(num, new(big.Rat).Mul(w, uptime(compDown[id], T)))
			den.Add(den, w)
		}
		f[svc+" uptime"] = num.Quo(num, den).RatString()
	}
	for _, cu := range s.Customers {
		var total int64
		for _, p := range s.Policies {
			listed := false
			var charges int64
			for _, r := range cu.Resources {
				listed = listed || svcOf[r.Component] == p.Service
			}
			for _, ch := range cu.Charges {
				if svcOf[ch.Component] == p.Service {
					listed = true
					charges += ch.AmountMinor
				}
			}
			if !listed {
				continue
			}
			r := rules[p.Service]
			kk := key{cu.ID, p.Service}
			den := T
			if r.basis == sla.BasisDeployed {
				den = deployed[kk]
			}
			up := uptime(custDown[kk], den)
			var cp sla.Percent
			for _, tier := range r.tiers {
				if pctRat(tier.Below).Mul(pctRat(tier.Below), big.NewRat(100, 1)).Cmp(up) > 0 && tier.CreditPercent > cp {
					cp = tier.CreditPercent
				}
			}
			credit := roundHalfUp(new(big.Rat).Mul(big.NewRat(charges, 1), pctRat(min(cp, r.cap))))
			if credit <= r.min {
				credit = 0
			}
			total += credit
			deadline := claimDeadline(s.Period, r.claim)
			f[cu.ID+" "+p.Service] = fmt.Sprint(r.id, custDown[kk].RatString(), up.RatString(), cp, charges, credit, deadline.Unix())
		}
		for _, inc := range s.Incidents {
			g := inc.Goodwill
			if g == nil || len(inc.Impacts) == 0 {
				continue
			}
			ws, we := inc.Impacts[0].Start.Unix(), end(inc.Impacts[0])
			for _, im := range inc.Impacts {
				ws, we = min(ws, im.Start.Unix()), max(we, end(im))
			}
			if ws < p0 || ws >= p1 || we <= ws { // an empty window has no instant
				continue
			}
			inScope := func(comp string) bool {
				if len(g.Components) > 0 {
					return slices.Contains(g.Components, comp)
				}
				return len(g.Services) == 0 || slices.Contains(g.Services, svcOf[comp])
			}
			makesEligible := inScope
			if len(g.EligibleComponents) > 0 {
				makesEligible = func(comp string) bool { return slices.Contains(g.EligibleComponents, comp) }
			}
			eligible := false
			for _, r := range cu.Resources {
				if r.Count > 0 && makesEligible(r.Component) && open(r.From, -1<<62) < we && open(r.To, 1<<62) > ws {
					eligible = true
				}
			}
			if !eligible {
				continue
			}
			var charges int64
			for _, ch := range cu.Charges {
				if inScope(ch.Component) && (len(g.Services) == 0 || slices.Contains(g.Services, svcOf[ch.Component])) {
					charges += ch.AmountMinor
				}
			}
			share := big.NewRat(g.Days*86400, T)
			if share.Cmp(big.NewRat(1, 1)) > 0 {
				share = big.NewRat(1, 1)
			}
			credit := roundHalfUp(share.Mul(share, big.NewRat(charges, 1)))
			total += credit
			f[cu.ID+" goodwill "+inc.ID] = fmt.Sprint(g.Days, credit)
		}
		f[cu.ID+" total"] = fmt.Sprint(total)
	}
	return f
}

func claimDeadline(p sla.Period, n int64) time.Time {
	start, end, _ := p.Bounds()
	switch {
	case p.Month != "":
		return start.AddDate(0, 1+int(n), 0)
	case p.Year != "":
		return start.AddDate(1+int(n), 0, 0)
	}
	return end.Add(time.Duration(n) * end.Sub(start))
}

func diff(t *testing.T, what string, got, want map[string]string) bool {
	t.Helper()
	ok := true
	for k, w := range want {
		if g, found := got[k]; !found || g != w {
			t.Errorf("%s: %s = %q, want %q", what, k, g, w)
			ok = false
		}
	}
	for k, g := range got {
		if _, found := want[k]; !found {
			t.Errorf("%s: unexpected %s = %q", what, k, g)
			ok = false
		}
	}
	return ok
}

const propertyRuns = 400

func config() *quick.Config { return &quick.Config{MaxCount: propertyRuns} }

// TestMatchesNaive checks the sweep against the spec read literally.
func TestMatchesNaive(t *testing.T) {
	err := quick.Check(func(seed int64) bool {
		s := randomScenario(seed)
		res, err := sla.Evaluate(s)
		if err != nil {
			t.Errorf("seed %d: %v", seed, err)
			return false
		}
		return diff(t, fmt.Sprintf("seed %d", seed), exact(res), naive(t, s))
	}, config())
	if err != nil {
		t.Error(err)
	}
}

// TestUptimeWithinBounds: every uptime is between 0 and 100.
func TestUptimeWithinBounds(t *testing.T) {
	zero, hundred := sla.NewRatio(0, 1), sla.NewRatio(100, 1)
	in := func(r sla.Ratio) bool { return r.Cmp(zero) >= 0 && r.Cmp(hundred) <= 0 }
	err := quick.Check(func(seed int64) bool {
		res := evaluate(t, randomScenario(seed))
		for _, c := range res.Components {
			if !in(c.UptimePercent()) {
				return false
			}
		}
		for _, s := range res.Services {
			if !in(s.UptimePercent()) {
				return false
			}
		}
		for _, c := range res.Customers {
			for _, s := range c.Services {
				if !in(s.UptimePercent()) {
					return false
				}
			}
		}
		return true
	}, config())
	if err != nil {
		t.Error(err)
	}
}

// TestAddingImpactNeverLowersDowntime: one more impact never lowers any downtime.
func TestAddingImpactNeverLowersDowntime(t *testing.T) {
	err := quick.Check(func(seed int64) bool {
		s := randomScenario(seed)
		before := evaluate(t, s)
		extra := randomScenario(seed + 1)
		if len(extra.Incidents) > 0 {
			inc := extra.Incidents[0]
			im := inc.Impacts[0]
			im.Customers = nil
			for _, ac := range inc.Impacts[0].Customers {
				if slices.ContainsFunc(s.Customers, func(c sla.Customer) bool { return c.ID == ac.Customer }) {
					im.Customers = append(im.Customers, ac)
				}
			}
			s.Incidents = append(s.Incidents, sla.Incident{ID: "extra", Impacts: []sla.Impact{im}})
		}
		after := evaluate(t, s)
		for i, c := range after.Components {
			if c.DowntimeSeconds.Cmp(before.Components[i].DowntimeSeconds) < 0 {
				t.Errorf("seed %d: %s downtime fell", seed, c.ID)
				return false
			}
		}
		for i, c := range after.Customers {
			for j, cs := range c.Services {
				if cs.DowntimeSeconds.Cmp(before.Customers[i].Services[j].DowntimeSeconds) < 0 {
					t.Errorf("seed %d: %s %s downtime fell", seed, c.ID, cs.Service)
					return false
				}
			}
		}
		return true
	}, config())
	if err != nil {
		t.Error(err)
	}
}

// TestPermutingInputsChangesNothing: only the order of the lists changes.
func TestPermutingInputsChangesNothing(t *testing.T) {
	err := quick.Check(func(seed int64) bool {
		s := randomScenario(seed)
		want := exact(evaluate(t, s))
		rng := rand.New(rand.NewPCG(uint64(seed), 99))
		shuffle := func(n int, swap func(i, j int)) { rng.Shuffle(n, swap) }
		shuffle(len(s.Components), func(i, j int) { s.Components[i], s.Components[j] = s.Components[j], s.Components[i] })
		shuffle(len(s.Policies), func(i, j int) { s.Policies[i], s.Policies[j] = s.Policies[j], s.Policies[i] })
		for _, p := range s.Policies {
			shuffle(len(p.Tiers), func(i, j int) { p.Tiers[i], p.Tiers[j] = p.Tiers[j], p.Tiers[i] })
			shuffle(len(p.Count), func(i, j int) { p.Count[i], p.Count[j] = p.Count[j], p.Count[i] })
		}
		shuffle(len(s.Incidents), func(i, j int) { s.Incidents[i], s.Incidents[j] = s.Incidents[j], s.Incidents[i] })
		for _, inc := range s.Incidents {
			shuffle(len(inc.Impacts), func(i, j int) { inc.Impacts[i], inc.Impacts[j] = inc.Impacts[j], inc.Impacts[i] })
			for _, im := range inc.Impacts {
				shuffle(len(im.Customers), func(i, j int) { im.Customers[i], im.Customers[j] = im.Customers[j], im.Customers[i] })
			}
		}
		shuffle(len(s.Maintenance), func(i, j int) { s.Maintenance[i], s.Maintenance[j] = s.Maintenance[j], s.Maintenance[i] })
		shuffle(len(s.Customers), func(i, j int) { s.Customers[i], s.Customers[j] = s.Customers[j], s.Customers[i] })
		for _, c := range s.Customers {
			shuffle(len(c.Resources), func(i, j int) { c.Resources[i], c.Resources[j] = c.Resources[j], c.Resources[i] })
			shuffle(len(c.Charges), func(i, j int) { c.Charges[i], c.Charges[j] = c.Charges[j], c.Charges[i] })
		}
		return diff(t, fmt.Sprintf("seed %d", seed), exact(evaluate(t, s)), want)
	}, config())
	if err != nil {
		t.Error(err)
	}
}

// TestSplittingImpactChangesNothing: an impact cut into two adjacent halves
// gives the same results.
func TestSplittingImpactChangesNothing(t *testing.T) {
	err := quick.Check(func(seed int64) bool {
		s := randomScenario(seed)
		want := exact(evaluate(t, s))
		for i := range s.Incidents {
			inc := &s.Incidents[i]
			im := inc.Impacts[0]
			if im.End.IsZero() || im.End.Unix()-im.Start.Unix() < 2 {
				continue
			}
			mid := time.Unix((im.Start.Unix()+im.End.Unix())/2, 0)
			first, second := im, im
			first.End, second.Start = mid, mid
			inc.Impacts = append([]sla.Impact{first, second}, inc.Impacts[1:]...)
		}
		return diff(t, fmt.Sprintf("seed %d", seed), exact(evaluate(t, s)), want)
	}, config())
	if err != nil {
		t.Error(err)
	}
}

// TestJSONRoundTrip: a scenario encoded and decoded evaluates the same.
func TestJSONRoundTrip(t *testing.T) {
	err := quick.Check(func(seed int64) bool {
		s := randomScenario(seed)
		var buf bytesBuffer
		if err := sla.EncodeScenario(&buf, s); err != nil {
			t.Fatal(err)
		}
		back, err := sla.DecodeScenario(&buf)
		if err != nil {
			t.Errorf("seed %d: %v", seed, err)
			return false
		}
		return diff(t, fmt.Sprintf("seed %d", seed), exact(evaluate(t, back)), exact(evaluate(t, s)))
	}, &quick.Config{MaxCount: 100})
	if err != nil {
		t.Error(err)
	}
}
