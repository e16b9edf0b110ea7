package web

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
)

// The credit desk's actions that the JSON API (api_credits.go) and the
// admin pages (admin_credits.go) share: both bind their input their own
// way and call these.

// monthLines computes the run lines of month from stored data as of now:
// every customer's, or with customer set only that customer's, reading
// only its own data and the accounts the month's impacts name (which its
// scenario must hold; see desk.MonthScenarios), so that one customer costs
// what its data costs. A customer's figures do not depend on the other
// customers, so they are the lines a run of everyone gives it.
// errs.Invalid on "month" unless the month is over everywhere.
func (s *Server) monthLines(ctx context.Context, month string, now time.Time, customer string) ([]desk.RunLine, error) {
	from, to, err := desk.MonthWindow(month)
	if err != nil {
		return nil, err
	}
	if now.Before(to) {
		return nil, errs.Invalidf("month", "%s is not over everywhere until %s", month, to.Format(time.RFC3339))
	}
	base, err := incidents.StoredScenario(ctx, s.incidents, sla.Period{Month: month}, from, to, now)
	if err != nil {
		return nil, err
	}
	if customer == "" {
		data, err := s.desk.MonthData(ctx, month)
		if err != nil {
			return nil, err
		}
		return desk.PreviewMonth(month, now, base, data)
	}
	data, err := s.customerMonthData(ctx, month, base, customer)
	if err != nil {
		return nil, err
	}
	lines, err := desk.PreviewMonth(month, now, base, data)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(lines, func(l desk.RunLine) bool { return l.Customer != customer }), nil
}

// customerMonthData reads the month's data that customer's figures need:
// its own and that of the accounts the impacts of base name (which its
// scenario must hold; see desk.MonthScenarios), not every customer's.
func (s *Server) customerMonthData(ctx context.Context, month string, base *sla.Scenario, customer string) (*desk.MonthData, error) {
	read := []string{customer}
	for _, inc := range base.Incidents {
		for _, im := range inc.Impacts {
			for _, ac := range im.Customers {
				read = append(read, ac.Customer)
			}
		}
	}
	return s.desk.MonthDataFor(ctx, month, read)
}

// previewRun computes every customer's lines for a month that is over and
// stores them as a previewed run by the acting person.
func (s *Server) previewRun(c echo.Context, month string) (desk.CreditRun, error) {
	ctx := c.Request().Context()
	now := s.now()
	lines, err := s.monthLines(ctx, month, now, "")
	if err != nil {
		return desk.CreditRun{}, err
	}
	who := by(c)
	run, err := desk.NewMonthRun(month, now, lines, who.Person, now)
	if err != nil {
		return desk.CreditRun{}, err
	}
	return s.desk.CreateRun(ctx, who, run, lines, now)
}

// requestRun asks for run id to be paid, as the acting person.
func (s *Server) requestRun(c echo.Context, id int64) (desk.CreditRun, error) {
	return s.desk.RequestRun(c.Request().Context(), by(c), id, s.now())
}

// approveRun approves and issues run id: errs.Forbidden for its
// requester, errs.Conflict the second time.
func (s *Server) approveRun(c echo.Context, id int64) (desk.CreditRun, error) {
	return s.desk.ApproveRun(c.Request().Context(), by(c), id, s.now())
}

// rejectRun refuses run id with a reason.
func (s *Server) rejectRun(c echo.Context, id int64, reason string) (desk.CreditRun, error) {
	return s.desk.RejectRun(c.Request().Context(), by(c), id, reason, s.now())
}

// ledgerFilter reads ?customer=, ?period= and ?run= (offset and limit are
// left to the caller).
func ledgerFilter(c echo.Context) (desk.LedgerFilter, error) {
	f := desk.LedgerFilter{Customer: strings.TrimSpace(c.QueryParam("customer")), Period: strings.TrimSpace(c.QueryParam("period"))}
	if f.Period != "" {
		if err := desk.CheckMonth("period", f.Period); err != nil {
			return f, err
		}
	}
	if v := strings.TrimSpace(c.QueryParam("run")); v != "" {
		var err error
		if f.RunID, err = strconv.ParseInt(v, 10, 64); err != nil || f.RunID <= 0 {
			return f, errs.Invalidf("run", "%q is not a run id", v)
		}
	}
	return f, nil
}
