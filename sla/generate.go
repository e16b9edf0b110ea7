package sla

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// GenerateOptions shapes a generated scenario.
type GenerateOptions struct {
	Customers   int    // number of customers (default 1000)
	Incidents   int    // number of incidents (default 200; negative for none)
	Maintenance int    // number of maintenance windows (default 10; negative for none)
	Seed        uint64 // the same seed gives the same scenario
	Month       string // the evaluated month, "YYYY-MM" (default "2012-12"), in UTC
}

// Generate returns a reproducible month: 3 services (ELB per region, EC2 and
// EBS per zone) in 4 regions, with policies that use the spec's options,
// customers with 1 to 5 resource entries each (about 1 in 10 starting or
// ending mid-month) and charges, incidents with 1 to 3 impacts (some naming
// customers, some excluded, some granting goodwill, the last one ongoing)
// and maintenance windows with and without enough notice. It is used by the
// benchmarks and by "amends sla generate".
func Generate(o GenerateOptions) *Scenario {
	if o.Customers <= 0 {
		o.Customers = 1000
	}
	if o.Incidents < 0 {
		o.Incidents = 0
	} else if o.Incidents == 0 {
		o.Incidents = 200
	}
	if o.Maintenance == 0 {
		o.Maintenance = 10
	}
	if o.Month == "" {
		o.Month = "2012-12"
	}
	rng := rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))
	s := &Scenario{Period: Period{Month: o.Month, TimeZone: "UTC"}}
	p0, p1, err := s.Period.Bounds()
	if err != nil {
		p0, p1 = time.Date(2012, 12, 1, 0, 0, 0, 0, time.UTC), time.Date(2013, 1, 1, 0, 0, 0, 0, time.UTC)
		s.Period.Month = "2012-12"
	}
	T := int64(p1.Sub(p0) / time.Second)
	s.AsOf = p1.Add(5 * 24 * time.Hour)
	at := func(sec int64) time.Time { return p0.Add(time.Duration(sec) * time.Second) }

	regions := []string{"us-east-1", "us-west-2", "eu-west-1", "ap-southeast-1"}
	zones := []string{"a", "b", "c"}
	byRegion := map[string][]string{} // region → component ids
	for _, svc := range []string{"ELB", "EC2", "EBS"} {
		for _, r := range regions {
			if svc == "ELB" {
				id := fmt.Sprintf("elb-%s", r)
				n := int64(1000 + rng.IntN(9000))
				s.Components = append(s.Components, Component{ID: id, Service: svc, Region: r, Resources: &n})
				byRegion[r] = append(byRegion[r], id)
				continue
			}
			for _, z := range zones {
				id := fmt.Sprintf("%s-%s%s", lower(svc), r, z)
				n := int64(10000 + rng.IntN(90000))
				s.Components = append(s.Components, Component{ID: id, Service: svc, Region: r, Zone: r + z, Resources: &n})
				byRegion[r] = append(byRegion[r], id)
			}
		}
	}
	two, cap50 := int64(2), MustPercent("50")
	s.Policies = []Policy{
		{ID: "elb", Service: "ELB", Target: MustPercent("99.95"), Tiers: []Tier{
			{MustPercent("99.95"), MustPercent("10")}, {MustPercent("99.0"), MustPercent("30")}, {MustPercent("95.0"), MustPercent("100")}}},
		{ID: "ec2", Service: "EC2", Target: MustPercent("99.99"), MaintenanceNoticeHours: 24, ClaimPeriods: &two,
			Count: []Status{PartialOutage, MajorOutage}, Unlisted: Fractional, Tiers: []Tier{
				{MustPercent("99.99"), MustPercent("10")}, {MustPercent("99.0"), MustPercent("30")}, {MustPercent("95.0"), MustPercent("100")}}},
		{ID: "ebs", Service: "EBS", Target: MustPercent("99.9"), Basis: BasisDeployed, MinCreditMinor: 100, CapPercent: &cap50,
			Count: []Status{DegradedPerformance, PartialOutage, MajorOutage}, Tiers: []Tier{
				{MustPercent("99.9"), MustPercent("10")}, {MustPercent("99.0"), MustPercent("25")}}},
	}

	custID := func(i int) string { return fmt.Sprintf("c%07d", i) }
	statusOf := []Status{DegradedPerformance, PartialOutage, PartialOutage, MajorOutage}
	for k := range o.Incidents {
		region := regions[rng.IntN(len(regions))]
		comps := byRegion[region]
		start := rng.Int64N(T)
		inc := Incident{ID: fmt.Sprintf("inc-%04d", k), Excluded: rng.IntN(20) == 0}
		for j := range 1 + rng.IntN(3) {
			st := start + int64(j)*rng.Int64N(1800)
			im := Impact{Component: comps[rng.IntN(len(comps))], Status: statusOf[rng.IntN(len(statusOf))],
				AffectedPercent: Percent(1+rng.Int64N(10000)) * 100,
				Start:           at(st), End: at(st + 60 + rng.Int64N(8*3600))}
			if rng.IntN(10) == 0 {
				for range 1 + rng.IntN(3) {
					ac := AffectedCustomer{Customer: custID(rng.IntN(o.Customers))}
					if rng.IntN(2) == 0 {
						n := int64(1 + rng.IntN(3))
						ac.AffectedResources = &n
					}
					if !namesCustomer(im.Customers, ac.Customer) {
						im.Customers = append(im.Customers, ac)
					}
				}
			}
			if k == o.Incidents-1 && j == 0 {
				im.Start, im.End = at(T-3600), time.Time{} // ongoing at the end of the month
			}
			inc.Impacts = append(inc.Impacts, im)
		}
		if rng.IntN(50) == 0 {
			zone := zones[rng.IntN(len(zones))]
			g := &Goodwill{Days: 10, Services: []string{"EC2", "EBS"}}
			for _, svc := range []string{"ec2", "ebs"} {
				g.Components = append(g.Components, fmt.Sprintf("%s-%s%s", svc, region, zone))
			}
			inc.Goodwill = g
		}
		s.Incidents = append(s.Incidents, inc)
	}
	for k := range o.Maintenance {
		region := regions[rng.IntN(len(regions))]
		comps := byRegion[region]
		st := rng.Int64N(T - 2*3600)
		notice := int64(48 * 3600)
		if k%2 == 1 {
			notice = 3600
		}
		s.Maintenance = append(s.Maintenance, Maintenance{ID: fmt.Sprintf("mw-%02d", k),
			Components: []string{comps[rng.IntN(len(comps))]},
			Start:      at(st), End: at(st + 2*3600), Announced: at(st - notice)})
	}

	s.Customers = make([]Customer, o.Customers)
	currencies := []string{"USD", "EUR", "GBP"}
	comps := s.Components
	for i := range s.Customers {
		c := &s.Customers[i]
		c.ID, c.Currency = custID(i), currencies[rng.IntN(len(currencies))]
		n := 1 + rng.IntN(5)
		c.Resources = make([]Resource, n)
		c.Charges = make([]Charge, 0, n)
		for j := range c.Resources {
			comp := comps[rng.IntN(len(comps))]
			r := Resource{Component: comp.ID, Count: int64(1 + rng.IntN(20))}
			switch rng.IntN(20) {
			case 0:
				r.From = at(rng.Int64N(T))
			case 1:
				r.To = at(1 + rng.Int64N(T))
			case 2, 3, 4, 5, 6, 7, 8, 9:
				r.From = p0.Add(-time.Duration(1+rng.IntN(400)) * 24 * time.Hour)
			}
			c.Resources[j] = r
			c.Charges = append(c.Charges, Charge{Component: comp.ID, AmountMinor: r.Count * int64(500+rng.IntN(20000))})
		}
	}
	return s
}

func namesCustomer(acs []AffectedCustomer, id string) bool {
	for _, ac := range acs {
		if ac.Customer == id {
			return true
		}
	}
	return false
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
