package web

import (
	"context"
	"fmt"
	"strings"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/templates"
)

// How a goodwill run's lines read on the run page and in its CSV: the
// service(s) the grant credits, no uptime or tier (a goodwill credit is
// days of usage, not a tier of an uptime), and on the page a short reason
// with the line's full reason behind a <details>.

// goodwillLines describes the lines of an incident run from the grant it
// pays: Services are the credited services ("ELB", "EBS, EC2, RDS"),
// Short the page's short reason ("Goodwill for incident 7: 10 days of
// usage"). The zero value (no approved grant found, or a month run)
// changes nothing.
type goodwillLines struct {
	Services, Short string
	// Grant is the approved grant the run pays (nil without one).
	Grant *desk.GoodwillGrant
}

// goodwillLinesOf returns how run's lines read when it is an incident
// run, from its incident's approved grant.
func (s *Server) goodwillLinesOf(ctx context.Context, run desk.CreditRun) (goodwillLines, error) {
	if run.Kind != desk.RunIncident {
		return goodwillLines{}, nil
	}
	grants, err := s.desk.GoodwillGrants(ctx, run.Incident)
	if err != nil {
		return goodwillLines{}, err
	}
	for _, g := range grants {
		if g.State == desk.GoodwillApproved {
			return goodwillLines{Services: strings.Join(g.Services, ", "), Grant: &g,
				Short: fmt.Sprintf("Goodwill for incident %s: %d %s of usage", run.Incident, g.Days, plural(g.Days, "day", "days"))}, nil
		}
	}
	return goodwillLines{Short: "Goodwill for incident " + run.Incident}, nil
}

// goodwillEligibility says, for a goodwill run's page, who its grant makes
// eligible (a resource in which components, during which window, as of
// the run's preview) and, per customer of lines, the resources that did.
func (s *Server) goodwillEligibility(ctx context.Context, run desk.CreditRun, gw goodwillLines, lines []desk.RunLine) (string, map[string]string, error) {
	if gw.Grant == nil {
		return "", nil, nil
	}
	customers := make([]string, 0, len(lines))
	for _, l := range lines {
		customers = append(customers, l.Customer)
	}
	scope, err := s.reports.GoodwillEligibleResources(ctx, *gw.Grant, customers, run.AsOf)
	if err != nil {
		return "", nil, err
	}
	if scope.Empty() {
		return "The incident has no impact yet, so no customer is eligible.", nil, nil
	}
	note := fmt.Sprintf("Eligible: every customer with a resource in %s at some instant between %s and %s UTC, the incident's window.",
		strings.Join(scope.Components, ", "), scope.Start.UTC().Format("2 Jan 2006 15:04"), scope.End.UTC().Format("2 Jan 2006 15:04"))
	by := map[string]string{}
	for c, rs := range scope.ByCustomer {
		var parts []string
		for _, r := range rs {
			when := "all along"
			switch {
			case r.From != nil && r.To != nil:
				when = "from " + dayText(*r.From) + " to " + dayText(*r.To)
			case r.From != nil:
				when = "since " + dayText(*r.From)
			case r.To != nil:
				when = "until " + dayText(*r.To)
			}
			parts = append(parts, fmt.Sprintf("%d in %s (%s)", r.Count, r.Component, when))
		}
		by[c] = strings.Join(parts, "; ")
	}
	return note, by, nil
}

// goodwillRunEligibility puts a goodwill run's eligibility note on v and
// returns, per customer of lines, the resources that made it eligible.
func (s *Server) goodwillRunEligibility(ctx context.Context, v *templates.CreditRunPage, run desk.CreditRun, gw goodwillLines, lines []desk.RunLine) (map[string]string, error) {
	if run.Kind != desk.RunIncident {
		return nil, nil
	}
	note, by, err := s.goodwillEligibility(ctx, run, gw, lines)
	v.Eligibility = note
	return by, err
}
