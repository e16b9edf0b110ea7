// Package sla is the one place where Amends computes uptime, downtime and
// service credits, exactly as SLA-SPEC.md defines them. It is pure Go: no
// database, no HTTP, no clock. The evaluation instant is Scenario.AsOf, which
// DecodeScenario leaves zero when the JSON has no "as_of" and Evaluate
// requires; the command line and the HTTP handler fill in their "now".
//
// Beside Evaluate it holds the arithmetic the SLA dashboard shows (the
// weighted FleetUptime of a group of components, ErrorBudget and BurnRate)
// and Generate, a reproducible month of any size for benchmarks. It keeps
// no customers, stored policies or payments: the credit desk (package
// desk) builds its scenarios from what it stores, evaluates them here, and
// pays the credits they give.
//
// # The model, with the spec's example
//
// A Scenario holds a Period, Components (where a service runs), one Policy
// per service (target, credit tiers, and the rules below), Incidents made of
// Impacts, Maintenance windows, and Customers with resources over time and
// charges. In the spec's example the period is December 2012 in UTC
// (2,678,400 s); ELB's policy pays 10% below 99.95, 30% below 99.0 and 100%
// below 95.0; one incident hit component elb-us-east-1 with partial_outage
// from 2012-12-24T20:24Z to 2012-12-25T18:30Z (22 h 6 min, 79,560 s) on 6.8%
// of its load balancers and named customer acme with 1 affected resource;
// acme has 4 load balancers there since January and pays 250,000 (minor
// units) for the month.
//
// Component downtime is the integral of the component's down share: at each
// instant the largest affected percentage among impacts that count (their
// status is in the policy's count list, their incident is not excluded, and
// no maintenance window announced early enough covers the instant).
// Overlapping impacts never add up. In the example: 79,560 s × 6.8% =
// 5,410.08 s, so the uptime is 100 × (1 − 5410.08 / 2678400) = 99.79801…%,
// shown "99.7980". The service's fleet uptime is the average of its
// components' uptimes weighted by their stated fleet sizes.
//
// A customer's down share in a service at an instant is
// Σ_c R_c × a_c / Σ_c R_c over the service's components, where R_c is how
// many resources the customer has in c then and a_c its affected share of c:
// an impact naming the customer gives affected/R_c (at most 1), one naming
// only others gives 0, and one naming nobody gives its percentage
// ("fractional"), 1 ("full") or 0 ("none") as the policy's unlisted rule says.
// acme is named with 1 of its 4 resources: 79,560 s × 1/4 = 19,890 s, uptime
// 100 × (1 − 19890/2678400) = 99.25739…%, shown "99.2573". That is below 99.95
// but not below 99.0, so the tier credit is 10% of 250,000 = 25,000, claimable
// until the end of the second calendar month after December: 2013-03-01.
// The incident also grants 10 days of goodwill on ELB in elb-us-east-1, where
// acme had resources during the incident: 250,000 × 864,000 / 2,678,400 =
// 80,645.16…, paid as 80,645. The total credit is 105,645.
//
// # Exactness
//
// Percentages are Percent values (integers in ten-thousandths of a percent);
// durations are whole seconds (fractions are truncated toward the earlier
// second); shares are millionths; money is integer minor units. Downtimes and
// uptimes are exact Ratios (rationals; 128-bit intermediate arithmetic, and
// math/big only where that could overflow), so a comparison with a tier or a
// target is exact: 1296 s of full downtime in a 30-day month is exactly
// 99.95% and earns nothing. No float64 is used anywhere. Each credit is
// computed exactly and rounded once, half away from zero. Displays: downtime
// seconds with at most 6 decimals, half away from zero, no trailing zeros;
// uptime with 4 decimals rounded toward zero, so any downtime shows below
// "100.0000" (a downtime under half a millionth of a second shows as "0"
// seconds next to an uptime of "99.9999").
//
// # The algorithm
//
// Evaluate validates the scenario, then builds one timeline per component
// (shared by every customer) by sweeping the boundaries of its counted
// impacts and noticed maintenance windows: per segment, the share an
// unnamed impact gives every customer, and a running integral. A customer
// whose resources in a service do not change during the period and who is
// not named by any impact costs one multiplication per resource entry:
// Σ R_c × ∫u_c. Otherwise its own resource changes split the period, and
// within each piece the integral comes from the component's running integral
// by binary search, or, where an impact names the customer, from a merge of
// the component's segments with those impacts. Cost grows with the number of
// events, never with the number of seconds, and customers are evaluated in
// parallel over GOMAXPROCS goroutines writing into a preallocated result. The
// result does not depend on the order of any input list; only output lists
// follow input order.
//
// # Choices where the spec is silent
//
// Following what a cloud provider's published SLA would say:
//
//   - Instants in the result are RFC 3339 in the period's time zone (UTC by
//     default): a Los Angeles month starts "2013-03-01T00:00:00-08:00".
//   - The result's services are listed in the order of their first
//     component; a customer's services in policy order, as the spec says.
//   - An impact without "affected_percent" affects 100% of the component.
//   - An ongoing impact ends at as_of; one that starts after as_of counts
//     nothing. An impact with an end is counted to that end, even past as_of.
//   - A maintenance window announced early enough covers every impact on its
//     components (named or not) at every instant of the window. "announced"
//     is required; announcing exactly notice hours before the start (or, with
//     no notice required, at the start) is enough.
//   - Tiers may be listed in any order. Their credit must strictly grow as
//     below falls, and two tiers may not share a below.
//   - cap_percent caps the exact credit before rounding; min_credit_minor is
//     compared with the rounded credit ("paid only if greater than").
//   - Goodwill: its window runs from the first impact's start to the last
//     impact's end (an ongoing impact ends at as_of), over every impact of the
//     incident whatever its status or exclusion; an incident without impacts
//     grants nothing. Empty goodwill components mean every component of its
//     services; empty services mean the services of its components (both
//     empty: everything). Only a resource entry with a count above 0 makes a
//     customer eligible. Every eligible customer gets an entry, even with 0
//     credit. Days are whole days; the tier cap and min_credit_minor do not
//     apply to goodwill.
//   - Goodwill may also list "eligible_components" (an addition to the
//     spec, as the April 2011 credit had it: "every customer with an EBS
//     volume or RDS instance in the zone gets 10 days of its EBS, EC2 and
//     RDS usage there"): then only a resource in one of them makes a
//     customer eligible, while the credit still counts the charges of the
//     whole scope. Absent or empty, the spec's rule holds.
//   - Several charges for one component, and several resource entries in one
//     component, add up. A resource entry with count 0 lists the service for
//     the customer but gives it no deployed seconds.
//   - A percentage may be written with more than 4 decimals if the extra ones
//     are zeros ("6.80000"); exponents are read exactly ("1e1").
//   - A range period may name a time zone; it only sets how instants are shown.
//   - Rejected as well as the spec's list: unknown JSON fields, a top-level
//     field given twice, a second policy for a service, a customer named twice
//     in one impact, duplicate maintenance ids (ids are optional there), an
//     unknown unlisted mode or basis, and, so that every sum stays exact in
//     integers, claim_periods above 1000, maintenance_notice_hours above
//     1,000,000, periods longer than 10,000 years, and a customer whose counts
//     or charges add up to more than 2^63 − 1.
//   - Validation reports the first broken rule only, with its field path.
//   - The instant 0001-01-01T00:00:00Z cannot stand for itself in Scenario
//     (the zero time.Time means "absent"); DecodeScenario nudges it by a
//     nanosecond, which truncation to whole seconds removes again.
package sla
