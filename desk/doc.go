// Package desk is the credit desk: the customers Amends keeps (Account, with
// their AccountResources over time and AccountCharges per month), the stored
// policies (ServicePolicy: the spec's sla.Policy with a time zone, a claim
// rule and, for an override, its customer), claims, credit runs (previewed →
// requested → issued by a second person, or rejected), the append-only
// ledger, manual credits with their thresholds, goodwill grants (requested
// by one person, approved by another, or withdrawn while pending) and the
// incident runs that pay them, money written in each currency's minor
// units (FormatMoney, ParseMoney), and the customer CSV import
// (ParseAccountCSV) with the text readers it shares with the admin forms
// (ParseInstant, ParseWholeNumber, ResourceFromText, ChargeFromText).
//
// These are plain values with their rules; Store keeps them (see
// desk/sqlite), and every figure they carry comes from sla.Evaluate. A
// month's run splits the month into spec scenarios (MonthScenarios): the
// customers under the default policies, and each customer with overrides
// alone, per time zone; PreviewMonth evaluates them into one line per
// customer and service, payable unless a required claim is missing or
// late. EvaluateCustomerMonth is one customer's month as that run computes
// it, with what its report shows beside each line. Issuing a run writes to
// the ledger only what it does not hold yet for each (customer, service,
// month) (see PlanIssue), so a month is paid once and corrected by
// adjustment.
//
// It is pure: it imports no database, HTTP or template package and never
// reads the clock; functions that depend on the time take now. Writes name
// their audit.Actor, and every error is an *errs.Error whose Field names
// the input that broke a rule (or wraps one, naming the customer).
package desk
