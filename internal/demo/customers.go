package demo

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/sla"
)

// The credit desk's demo data: default policies for the four services in
// the style of a cloud provider's published SLA, a few dozen customers with
// their resources and their charges for April 2011 and December 2012, and
// the April 2011 goodwill grant (10 days of EBS, EC2 and RDS usage in
// us-east-1a for every customer with an EBS volume or RDS instance there)
// requested by support and approved by a manager, and one customer whose
// own contract pays ELB credits only when claimed (demoClaimant).

var (
	demoSupport = audit.Actor{Person: "sam.support@demo.example", Label: "sam.support@demo.example (demo loader)"}
	demoManager = audit.Actor{Person: "mia.manager@demo.example", Label: "mia.manager@demo.example (demo loader)"}
)

// demoStreamer is the streaming service of the story: load balancers in
// us-east-1 in front of instances and volumes in all three of its zones.
const demoStreamer = "streamflix"

// demoNamedOnELB are the customers the December 2012 ELB update at its
// worst names, with how many of their load balancers were hit.
var demoNamedOnELB = []incidents.AffectedCustomer{
	{Customer: demoStreamer, AffectedResources: ptr64(30)},
	{Customer: "snowcap-retail", AffectedResources: ptr64(2)},
	{Customer: "quillon-media"},
}

func ptr64(n int64) *int64 { return &n }

// demoClaimant is the customer whose own ELB policy (demoClaimPolicy)
// pays a credit only when it is claimed: its load balancers in us-east-1
// were among those the December 2012 incident touched (unnamed, so by the
// affected percentage), which leaves it below that policy's 99.99% and
// owed 10% of its ELB charges if it claims them by 1 March 2013, on its
// statement page or through support.
const demoClaimant = "lumen-payments"

// demoClaimPolicy is demoClaimant's ELB contract: a stricter target than
// the default (99.99%), with the same credit steps and deadline, paid only
// on a claim.
func demoClaimPolicy() desk.ServicePolicy {
	two := int64(2)
	return desk.ServicePolicy{Policy: sla.Policy{
		ID: "elb-" + demoClaimant, Service: "ELB", Target: sla.MustPercent("99.99"),
		Tiers: []sla.Tier{
			{Below: sla.MustPercent("99.99"), CreditPercent: sla.MustPercent("10")},
			{Below: sla.MustPercent("99.0"), CreditPercent: sla.MustPercent("25")},
			{Below: sla.MustPercent("95.0"), CreditPercent: sla.MustPercent("100")},
		},
		Count: []sla.Status{sla.PartialOutage, sla.MajorOutage}, ClaimPeriods: &two, MinCreditMinor: 100,
	}, Customer: demoClaimant, RequiresClaim: true}
}

// demoPolicies are the default policies: regional targets as published
// (99.95% for ELB and RDS, 99.99% for EC2 and EBS), service credits of 10%,
// 25% and 100% of the month's charges, claimable for two months, paid only
// above one unit of the currency.
func demoPolicies() []desk.ServicePolicy {
	tiers := func(target string) []sla.Tier {
		return []sla.Tier{
			{Below: sla.MustPercent(target), CreditPercent: sla.MustPercent("10")},
			{Below: sla.MustPercent("99.0"), CreditPercent: sla.MustPercent("25")},
			{Below: sla.MustPercent("95.0"), CreditPercent: sla.MustPercent("100")},
		}
	}
	two := int64(2)
	var out []desk.ServicePolicy
	for _, p := range []struct{ svc, target string }{{"ELB", "99.95"}, {"EC2", "99.99"}, {"EBS", "99.99"}, {"RDS", "99.95"}} {
		out = append(out, desk.ServicePolicy{Policy: sla.Policy{
			ID: strings.ToLower(p.svc) + "-default", Service: p.svc, Target: sla.MustPercent(p.target), Tiers: tiers(p.target),
			Count: []sla.Status{sla.PartialOutage, sla.MajorOutage}, ClaimPeriods: &two, MinCreditMinor: 100,
		}})
	}
	return out
}

// demoUnitPrice is what one resource of a service costs a month, in USD
// cents; EUR prices are the same figures in cents, JPY prices 80 yen a
// dollar.
var demoUnitPrice = map[string]int64{"ELB": 1800, "EC2": 7000, "EBS": 1000, "RDS": 15000}

type demoCustomer struct {
	id, name, currency string
	// resources: component → count; from/to bound every entry (zero: open).
	resources map[string]int64
	from, to  time.Time
}

// demoCustomers is the list: the streaming service, then 35 others made
// from a few patterns so that each zone and region has customers, some
// that left us-east-1a before April 2011, some that came after it, then
// demoClaimant.
func demoCustomers() []demoCustomer {
	since := utc("2010-06-01T00:00:00Z")
	out := []demoCustomer{{id: demoStreamer, name: "Streamflix", currency: "USD", from: since, resources: map[string]int64{
		"elb-us-east-1": 40, "ec2-us-east-1a": 400, "ec2-us-east-1b": 400, "ec2-us-east-1c": 400,
		"ebs-us-east-1a": 800, "ebs-us-east-1b": 800, "ebs-us-east-1c": 800,
	}}}
	names := []string{
		"Acme Corporation", "Globex", "Initech", "Umbrella Health", "Snowcap Retail", "Quillon Media", "Northwind Traders",
		"Tyrell Analytics", "Wayne Logistics", "Stark Fabrication", "Hooli Search", "Pied Piper", "Vandelay Imports",
		"Soylent Foods", "Cyberdyne Robotics", "Gringotts Ledger", "Oceanic Air", "Wonka Confections", "Monarch Travel",
		"Nakatomi Trading", "Duff Brewing", "Sterling Cooper", "Prestige Worldwide", "Bluth Homes", "Dunder Paper",
		"Massive Dynamic", "Aperture Labs", "Black Mesa", "Rekall Memories", "Weyland Freight", "Spacely Sprockets",
		"Kinnear Maps", "Ollivander Tools", "Zorg Industries", "Octan Fuel",
	}
	patterns := []map[string]int64{
		{"ebs-us-east-1a": 40, "ec2-us-east-1a": 20, "elb-us-east-1": 2},
		{"rds-us-east-1a": 3, "ec2-us-east-1b": 10},
		{"ec2-us-east-1b": 30, "ebs-us-east-1b": 60, "elb-us-east-1": 4},
		{"ec2-us-west-2": 25, "ebs-us-west-2": 50, "elb-us-west-2": 3},
		{"ec2-eu-west-1": 15, "rds-eu-west-1": 2, "elb-eu-west-1": 2},
		{"ec2-us-east-1a": 8, "ec2-us-east-1c": 8},
		{"ebs-us-east-1c": 20, "rds-us-east-1c": 1, "elb-us-east-1": 1},
	}
	for i, name := range names {
		c := demoCustomer{id: strings.ReplaceAll(strings.ToLower(name), " ", "-"), name: name, currency: "USD",
			from: since, resources: patterns[i%len(patterns)]}
		switch {
		case name == "Nakatomi Trading":
			c.currency = "JPY"
		case i%4 == 1:
			c.currency = "EUR"
		}
		switch i % 9 {
		case 3: // left before the April 2011 event
			c.to = utc("2011-03-01T00:00:00Z")
		case 8: // arrived after it
			c.from = utc("2011-06-01T00:00:00Z")
		}
		out = append(out, c)
	}
	// Paid only on a claim (demoClaimant): load balancers in us-east-1
	// since after April 2011, so December 2012 is its only month charged.
	out = append(out, demoCustomer{id: demoClaimant, name: "Lumen Payments", currency: "USD", from: utc("2012-06-01T00:00:00Z"),
		resources: map[string]int64{"elb-us-east-1": 10}})
	// Named on the December 2012 ELB impact: they need load balancers there.
	for i := range out {
		if out[i].id == "snowcap-retail" || out[i].id == "quillon-media" {
			r := map[string]int64{"elb-us-east-1": 3}
			for k, v := range out[i].resources {
				r[k] = v
			}
			out[i].resources = r
		}
	}
	return out
}

// demoCharge is what c pays for count resources of service in a month.
func demoCharge(currency, service string, count int64) int64 {
	if currency == "JPY" {
		return count * demoUnitPrice[service] * 80 / 100
	}
	return count * demoUnitPrice[service]
}

// loadDemoCustomers stores the desk's demo data; components is the demo's
// catalog, for the service of each component.
func loadDemoCustomers(ctx context.Context, deskStore desk.Store, components []incidents.Component, aprilIncident int64, now time.Time) error {
	service := map[string]string{}
	for _, c := range components {
		service[c.ID] = c.Service
	}
	for _, p := range demoPolicies() {
		if _, err := deskStore.PutPolicy(ctx, demoManager, p, now); err != nil {
			return fmt.Errorf("policy %s: %w", p.ID, err)
		}
	}
	var resources []desk.AccountResource
	var charges []desk.AccountCharge
	for i, c := range demoCustomers() {
		a := desk.Account{ID: c.id, Name: c.name, ExternalID: fmt.Sprintf("ACCT-%04d", 1001+i),
			Currency: c.currency, Email: "billing@" + c.id + ".example"}
		if _, err := deskStore.CreateAccount(ctx, demoSupport, a, now); err != nil {
			return fmt.Errorf("customer %s: %w", c.id, err)
		}
		for _, comp := range slices.Sorted(maps.Keys(c.resources)) {
			n := c.resources[comp]
			if service[comp] == "" {
				return fmt.Errorf("customer %s: unknown component %s", c.id, comp)
			}
			r := desk.AccountResource{Customer: c.id, Component: comp, Count: n}
			if !c.from.IsZero() {
				from := c.from
				r.From = &from
			}
			if !c.to.IsZero() {
				to := c.to
				r.To = &to
			}
			resources = append(resources, r)
			for _, month := range []string{"2011-04", "2012-12"} {
				start := utc(month + "-01T00:00:00Z")
				end := start.AddDate(0, 1, 0)
				if (!c.to.IsZero() && !c.to.After(start)) || !c.from.Before(end) {
					continue // no resources that month, no charge
				}
				charges = append(charges, desk.AccountCharge{Customer: c.id, Component: comp, Month: month,
					AmountMinor: demoCharge(c.currency, service[comp], n), Currency: c.currency})
			}
		}
	}
	if err := deskStore.ImportAccountData(ctx, demoSupport, resources, charges, now); err != nil {
		return fmt.Errorf("resources and charges: %w", err)
	}
	if _, err := deskStore.PutPolicy(ctx, demoManager, demoClaimPolicy(), now); err != nil {
		return fmt.Errorf("policy %s: %w", demoClaimPolicy().ID, err)
	}
	g, err := deskStore.RequestGoodwill(ctx, demoSupport, desk.GoodwillGrant{
		Incident: fmt.Sprint(aprilIncident), Days: 10, Services: []string{"EBS", "EC2", "RDS"},
		Components:         []string{"ebs-us-east-1a", "ec2-us-east-1a", "rds-us-east-1a"},
		EligibleComponents: []string{"ebs-us-east-1a", "rds-us-east-1a"},
		Reason:             "Every customer with an EBS volume or RDS instance in the affected zone gets 10 days of its usage of EBS, EC2 and RDS there, hit or not.",
	}, now)
	if err != nil {
		return fmt.Errorf("goodwill: %w", err)
	}
	if _, err := deskStore.ApproveGoodwill(ctx, demoManager, g.ID, now); err != nil {
		return fmt.Errorf("goodwill approval: %w", err)
	}
	return nil
}
