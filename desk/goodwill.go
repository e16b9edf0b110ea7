package desk

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
)

// GoodwillState is where a goodwill grant stands: pending → approved, or
// pending → withdrawn. Approved and withdrawn are final.
type GoodwillState string

// The goodwill grant states.
const (
	GoodwillPending   GoodwillState = "pending"   // requested by support, not yet in any scenario
	GoodwillApproved  GoodwillState = "approved"  // approved by a manager who did not request it
	GoodwillWithdrawn GoodwillState = "withdrawn" // taken back before approval; kept as history
)

// MaxGoodwillDays is the most days of usage one grant may give (a year;
// the engine caps the credit at the whole period's charges anyway).
const MaxGoodwillDays = 366

// GoodwillGrant is a goodwill gesture on one incident: Days of the usage
// of Services in the scope Components (empty: every component of
// Services), for every customer with a resource in a scope component
// during the incident, or, when EligibleComponents is not empty, in one of
// those (see sla.Goodwill). It is requested by one person and counts only once
// approved by another. Until then its requester or a manager may withdraw
// it; a withdrawn grant stays as history and frees the incident for a new
// one. An incident has at most one grant that is pending or approved.
type GoodwillGrant struct {
	ID int64 `json:"id"`
	// Incident is the incident's id in decimal, as in the scenario.
	Incident   string   `json:"incident"`
	Days       int64    `json:"days"`
	Services   []string `json:"services"`
	Components []string `json:"components"`
	// EligibleComponents, when not empty, are the components in which a
	// resource makes a customer eligible, such as the EBS and RDS of a
	// zone for a grant of its EBS, EC2 and RDS usage there.
	EligibleComponents []string      `json:"eligible_components"`
	Reason             string        `json:"reason"`
	State              GoodwillState `json:"state"`
	RequestedBy        string        `json:"requested_by"`
	RequestedAt        time.Time     `json:"requested_at"`
	ApprovedBy         string        `json:"approved_by,omitempty"`
	ApprovedAt         *time.Time    `json:"approved_at,omitempty"`
	// WithdrawnBy, WithdrawnAt and WithdrawReason say who took a withdrawn
	// grant back, when and why.
	WithdrawnBy    string     `json:"withdrawn_by,omitempty"`
	WithdrawnAt    *time.Time `json:"withdrawn_at,omitempty"`
	WithdrawReason string     `json:"withdraw_reason,omitempty"`
}

// NewGoodwillGrant returns g requested by by at now, pending. errs.Invalid
// on "incident" (empty), "days" (not 1 to MaxGoodwillDays), "services"
// (none), "services[i]", "components[i]" or "eligible_components[i]"
// (empty or twice, or an eligible component outside the listed
// components), "reason" (too long). Whether the incident, services and
// components exist, and whether every component belongs to one of the
// services, is for the caller.
func NewGoodwillGrant(g GoodwillGrant, by string, now time.Time) (GoodwillGrant, error) {
	g.Incident = strings.TrimSpace(g.Incident)
	g.Reason = strings.TrimSpace(g.Reason)
	if g.Incident == "" {
		return GoodwillGrant{}, errs.Invalidf("incident", "is required")
	}
	if g.Days < 1 || g.Days > MaxGoodwillDays {
		return GoodwillGrant{}, errs.Invalidf("days", "%d is not a whole number of days from 1 to %d", g.Days, MaxGoodwillDays)
	}
	if len(g.Services) == 0 {
		return GoodwillGrant{}, errs.Invalidf("services", "must name at least one service")
	}
	var err error
	if g.Services, err = idList("services", g.Services); err != nil {
		return GoodwillGrant{}, err
	}
	if g.Components, err = idList("components", g.Components); err != nil {
		return GoodwillGrant{}, err
	}
	if g.EligibleComponents, err = idList("eligible_components", g.EligibleComponents); err != nil {
		return GoodwillGrant{}, err
	}
	for i, c := range g.EligibleComponents {
		if len(g.Components) > 0 && !slices.Contains(g.Components, c) {
			return GoodwillGrant{}, errs.Invalidf(fmt.Sprintf("eligible_components[%d]", i), "%q is not one of the grant's components", c)
		}
	}
	if err := checkBody("reason", g.Reason, MaxReasonLen, false); err != nil {
		return GoodwillGrant{}, err
	}
	now = now.UTC().Truncate(time.Second)
	g.ID, g.State, g.RequestedBy, g.RequestedAt, g.ApprovedBy, g.ApprovedAt = 0, GoodwillPending, by, now, "", nil
	g.WithdrawnBy, g.WithdrawnAt, g.WithdrawReason = "", nil, ""
	return g, nil
}

// idList trims ids and returns errs.Invalid on "field[i]" for an empty or
// repeated one.
func idList(field string, ids []string) ([]string, error) {
	out := make([]string, 0, len(ids))
	for i, id := range ids {
		id = strings.TrimSpace(id)
		f := fmt.Sprintf("%s[%d]", field, i)
		if id == "" {
			return nil, errs.Invalidf(f, "must not be empty")
		}
		if slices.Contains(out, id) {
			return nil, errs.Invalidf(f, "%q appears twice", id)
		}
		out = append(out, id)
	}
	return out, nil
}

// Approve returns g approved by by at now: errs.Conflict unless it is
// pending, errs.Forbidden when by requested it.
func (g GoodwillGrant) Approve(by string, now time.Time) (GoodwillGrant, error) {
	if g.State != GoodwillPending {
		return GoodwillGrant{}, errs.Conflictf("goodwill grant %d is already %s", g.ID, g.State)
	}
	if by == g.RequestedBy {
		return GoodwillGrant{}, errs.Forbiddenf("no credit is granted on one person's say: you requested goodwill grant %d, so another manager must approve it", g.ID)
	}
	now = now.UTC().Truncate(time.Second)
	g.State, g.ApprovedBy, g.ApprovedAt = GoodwillApproved, by, &now
	return g, nil
}

// Withdraw returns g withdrawn by by at now for reason: errs.Conflict
// unless it is pending (an approved grant stands; a withdrawn one is
// final), errs.Forbidden unless by requested it or manager is true (by
// acts as a manager), errs.Invalid on "reason" when it is empty or too
// long.
func (g GoodwillGrant) Withdraw(by string, manager bool, reason string, now time.Time) (GoodwillGrant, error) {
	switch g.State {
	case GoodwillPending:
	case GoodwillApproved:
		return GoodwillGrant{}, errs.Conflictf("goodwill grant %d is already approved, so it can no longer be withdrawn", g.ID)
	default:
		return GoodwillGrant{}, errs.Conflictf("goodwill grant %d is already %s", g.ID, g.State)
	}
	if by != g.RequestedBy && !manager {
		return GoodwillGrant{}, errs.Forbiddenf("only %s, who requested goodwill grant %d, or a manager may withdraw it", g.RequestedBy, g.ID)
	}
	reason = strings.TrimSpace(reason)
	if err := checkBody("reason", reason, MaxReasonLen, true); err != nil {
		return GoodwillGrant{}, err
	}
	now = now.UTC().Truncate(time.Second)
	g.State, g.WithdrawnBy, g.WithdrawnAt, g.WithdrawReason = GoodwillWithdrawn, by, &now, reason
	return g, nil
}

// Live reports whether g holds its incident: pending or approved.
func (g GoodwillGrant) Live() bool { return g.State == GoodwillPending || g.State == GoodwillApproved }

// Goodwill is the engine's goodwill of an approved grant, nil otherwise.
func (g GoodwillGrant) Goodwill() *sla.Goodwill {
	if g.State != GoodwillApproved {
		return nil
	}
	return &sla.Goodwill{Days: g.Days, Services: slices.Clone(g.Services), Components: slices.Clone(g.Components),
		EligibleComponents: slices.Clone(g.EligibleComponents), Reason: g.Reason}
}

// WithGoodwill sets, on the incidents of s that an approved grant names,
// that grant's Goodwill (replacing any), and returns s. Grants that are
// not approved, or name an incident s does not hold, change nothing.
func WithGoodwill(s *sla.Scenario, grants []GoodwillGrant) *sla.Scenario {
	for _, g := range grants {
		gw := g.Goodwill()
		if gw == nil {
			continue
		}
		for i := range s.Incidents {
			if s.Incidents[i].ID == g.Incident {
				s.Incidents[i].Goodwill = gw
			}
		}
	}
	return s
}

// GoodwillScenario is the spec scenario of an incident's goodwill run: the
// incident with ID incident in base (its Goodwill set, see WithGoodwill),
// alone, over month (UTC) as of asOf, with base's components, no policies
// and no maintenance, and every account of d with resources or charges
// (see MonthScenarios). sla.Evaluate (or `amends sla evaluate`) on it gives the
// goodwill credits the run pays. errs.Invalid on "incident" when base does
// not hold it or it has no approved goodwill, on "month".
func GoodwillScenario(incident, month string, asOf time.Time, base *sla.Scenario, d *MonthData) (*sla.Scenario, error) {
	var inc *sla.Incident
	for i := range base.Incidents {
		if base.Incidents[i].ID == incident {
			inc = &base.Incidents[i]
		}
	}
	if inc == nil {
		return nil, errs.Invalidf("incident", "incident %s has no impact in %s", incident, month)
	}
	if inc.Goodwill == nil {
		return nil, errs.Invalidf("incident", "incident %s has no approved goodwill grant", incident)
	}
	groups, err := MonthScenarios(month, asOf, &sla.Scenario{Components: base.Components, Incidents: []sla.Incident{*inc}}, &MonthData{
		Accounts: d.Accounts, Resources: d.Resources, Charges: d.Charges})
	if err != nil {
		return nil, err
	}
	return groups[0].Scenario, nil // no policies: one scenario, in UTC, of every customer
}

// PreviewGoodwill computes the lines of an incident's goodwill run: its
// GoodwillScenario is evaluated, and every customer the engine finds
// eligible gets one line (Service "", no claim needed) with its goodwill
// credit, payable in full, and a reason that quotes the grant's, ordered
// by customer. errs.Invalid as
// GoodwillScenario.
func PreviewGoodwill(incident, month string, asOf time.Time, base *sla.Scenario, d *MonthData) ([]RunLine, error) {
	s, err := GoodwillScenario(incident, month, asOf, base, d)
	if err != nil {
		return nil, err
	}
	res, err := sla.Evaluate(s)
	if err != nil {
		return nil, err
	}
	g := s.Incidents[0].Goodwill
	scope := strings.Join(g.Services, ", ")
	if len(g.Components) > 0 {
		scope += " in " + strings.Join(g.Components, ", ")
	}
	var lines []RunLine
	for i := range res.Customers {
		cr := &res.Customers[i]
		for _, gc := range cr.Goodwill {
			if gc.Incident != incident {
				continue
			}
			var charges int64
			for _, c := range s.Customers[i].Charges {
				if inScope(c.Component, g, base.Components) {
					if charges, err = AddMinor(charges, c.AmountMinor); err != nil {
						return nil, err
					}
				}
			}
			lines = append(lines, RunLine{Customer: cr.ID, Currency: cr.Currency, Downtime: "0", Uptime: "100.0000",
				ChargesMinor: charges, CreditMinor: gc.CreditMinor, PayableMinor: gc.CreditMinor, Claim: ClaimNotRequired,
				Reason: goodwillLineReason(incident, gc.Days, scope, month, FormatMoney(charges, cr.Currency), g.Reason)})
		}
	}
	slices.SortFunc(lines, func(a, b RunLine) int { return strings.Compare(a.Customer, b.Customer) })
	return lines, nil
}

// goodwillLineReason says why a goodwill line pays: "goodwill for
// incident 7: 10 days of ELB in elb-us-east-1 usage of 2012-12 (2,500.00
// USD); reason: <the grant's reason>" (the last part only when it has one).
func goodwillLineReason(incident string, days int64, scope, month, charges, reason string) string {
	out := fmt.Sprintf("goodwill for incident %s: %d days of %s usage of %s (%s)", incident, days, scope, month, charges)
	if reason != "" {
		out += "; reason: " + reason
	}
	return out
}

// inScope reports whether component is one whose charges g's credit counts.
func inScope(component string, g *sla.Goodwill, comps []sla.Component) bool {
	svc := ""
	for _, c := range comps {
		if c.ID == component {
			svc = c.Service
		}
	}
	if len(g.Services) > 0 && !slices.Contains(g.Services, svc) {
		return false
	}
	return len(g.Components) == 0 || slices.Contains(g.Components, component)
}

// NewIncidentRun returns a previewed goodwill run of incident, whose
// goodwill belongs to month, as of asOf with lines, by by at now.
// errs.Invalid on "incident" or "month".
func NewIncidentRun(incident, month string, asOf time.Time, lines []RunLine, by string, now time.Time) (CreditRun, error) {
	if strings.TrimSpace(incident) == "" {
		return CreditRun{}, errs.Invalidf("incident", "is required")
	}
	r, err := NewMonthRun(month, asOf, lines, by, now)
	if err != nil {
		return CreditRun{}, err
	}
	r.Kind, r.Incident = RunIncident, incident
	return r, nil
}
