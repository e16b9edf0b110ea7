package sla

import "time"

// Scenario is everything one evaluation needs: the period, the evaluation
// instant, the components, the policies, what happened, and the customers.
// DecodeScenario reads it from the spec's JSON; code may also build it
// directly. Call Validate before relying on it (Evaluate does).
type Scenario struct {
	Period Period
	// AsOf is the evaluation instant: ongoing impacts count up to it. It is
	// an input, never read from the clock here: DecodeScenario leaves it
	// zero when "as_of" is absent, and Evaluate rejects a zero AsOf. The
	// command line and the HTTP edge fill in the current time.
	AsOf        time.Time
	Components  []Component
	Policies    []Policy
	Incidents   []Incident
	Maintenance []Maintenance
	Customers   []Customer
}

// Period is the evaluated period: exactly one of Month ("2012-12"), Year
// ("2012") or the range [Start, End). Month and Year are calendar periods in
// the IANA zone TimeZone ("" means UTC).
type Period struct {
	Month    string
	Year     string
	Start    time.Time
	End      time.Time
	TimeZone string
}

// Component is where a service runs (a service in a region, maybe one zone).
type Component struct {
	ID      string
	Service string
	Region  string
	Zone    string
	// Resources is the fleet size, used only to weight the service's fleet
	// uptime; nil when not stated.
	Resources *int64
}

// Status is an impact's status.
type Status string

// The statuses an impact may have.
const (
	DegradedPerformance Status = "degraded_performance"
	PartialOutage       Status = "partial_outage"
	MajorOutage         Status = "major_outage"
)

// Unlisted says how an impact that names no customers applies to customers.
type Unlisted string

// The Unlisted modes; "" means Fractional.
const (
	Fractional Unlisted = "fractional" // the impact's affected percentage
	Full       Unlisted = "full"       // all of the customer's resources
	None       Unlisted = "none"       // none of them
)

// Basis says over which seconds a customer's uptime is taken.
type Basis string

// The bases; "" means BasisPeriod.
const (
	// BasisPeriod: the whole period; time without resources counts as available (AWS).
	BasisPeriod Basis = "period"
	// BasisDeployed: only the seconds with at least one resource of the
	// service; 100% when there were none (Azure).
	BasisDeployed Basis = "deployed"
)

// Policy is one service's commitment. Nil and zero fields take the spec's
// defaults, as noted on each.
type Policy struct {
	ID      string
	Service string
	Target  Percent
	Tiers   []Tier
	// Count lists the statuses that count as downtime; nil means
	// partial_outage and major_outage (an empty non-nil slice: none counts).
	Count                  []Status
	MaintenanceNoticeHours int64
	Unlisted               Unlisted // "" means Fractional
	ClaimPeriods           *int64   // nil means 2
	CapPercent             *Percent // nil means 100
	MinCreditMinor         int64
	Basis                  Basis // "" means BasisPeriod
}

// Tier grants CreditPercent of the charges when the uptime is strictly below Below.
type Tier struct {
	Below         Percent
	CreditPercent Percent
}

// Incident groups impacts; an Excluded incident's impacts are not SLA
// downtime, but its goodwill is still granted.
type Incident struct {
	ID       string
	Excluded bool
	Impacts  []Impact
	Goodwill *Goodwill
}

// Impact is an incident's effect on one component over [Start, End); a zero
// End means ongoing (counted up to AsOf).
type Impact struct {
	Component       string
	Status          Status
	AffectedPercent Percent
	Start           time.Time
	End             time.Time
	// Customers, when not empty, names the customers hit; the impact then
	// does not apply to anyone else.
	Customers []AffectedCustomer
}

// AffectedCustomer names a customer hit by an impact.
type AffectedCustomer struct {
	Customer string
	// AffectedResources is how many of the customer's resources in the
	// component were hit; nil means all of them.
	AffectedResources *int64
}

// Goodwill grants Days of the usage of Services in the scope Components to
// every customer with a resource in a scope component during the incident.
// Empty Components means every component of Services; empty Services means
// the services of Components (both empty: everything).
// EligibleComponents, when not empty, narrows who is eligible: only a
// resource in one of them makes a customer eligible, while the credit still
// counts the charges of the whole scope ("every customer with an EBS volume
// or RDS instance in the zone gets 10 days of its EBS, EC2 and RDS usage
// there"). It is an addition to the spec, whose rule it keeps when empty.
type Goodwill struct {
	Days               int64
	Services           []string
	Components         []string
	EligibleComponents []string
	// Reason is the written reason of the grant it comes from. It is not
	// part of the scenario's JSON form and changes no figure; a goodwill
	// run's lines quote it (see desk.PreviewGoodwill).
	Reason string
}

// Maintenance is a window [Start, End) on components, announced at Announced.
type Maintenance struct {
	ID         string
	Components []string
	Start      time.Time
	End        time.Time
	Announced  time.Time
}

// Customer has resources over time and charges for the evaluated period.
type Customer struct {
	ID        string
	Currency  string
	Resources []Resource
	Charges   []Charge
}

// Resource is Count resources of a customer in Component over [From, To); a
// zero From means since always, a zero To means still there.
type Resource struct {
	Component string
	Count     int64
	From      time.Time
	To        time.Time
}

// Charge is what a customer pays for a component in the period, in minor
// units. Several charges for one component add up.
type Charge struct {
	Component   string
	AmountMinor int64
}
