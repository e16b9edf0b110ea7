package web

import (
	"context"
	"fmt"
	"strings"

	"github.com/amends/amends/desk"
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
			return goodwillLines{Services: strings.Join(g.Services, ", "),
				Short: fmt.Sprintf("Goodwill for incident %s: %d %s of usage", run.Incident, g.Days, plural(g.Days, "day", "days"))}, nil
		}
	}
	return goodwillLines{Short: "Goodwill for incident " + run.Incident}, nil
}
