package templates

// The customer's own status on its statement page: its components now, its
// incidents with its own downtime, and its month so far.

// StatementComponent is a component the customer has resources in.
type StatementComponent struct {
	ID, Name, Service string
	Resources         string
	Status            StatusBadge
}

// StatementIncident is an incident as the customer lived it.
type StatementIncident struct {
	Title, URL string
	Started    Time
	Resolved   Time
	// Hit says which of the customer's resources it hit, one line per
	// component: "30 of 40 in ELB us-east-1".
	Hit []string
	// HitCount is how many of its resources it hit, in words.
	HitCount string
	// Downtime is the customer's own downtime from it, in words, and
	// DowntimeExact the exact seconds.
	Downtime, DowntimeExact string
	// Services is the downtime per service when it hit more than one.
	Services []string
}

// StatementMonthToDate is the customer's uptime in one service for the month so far.
type StatementMonthToDate struct {
	Service, Uptime, Target, Tier, Result string
	Met                                   bool
}
