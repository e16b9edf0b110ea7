package web

import (
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
)

// The credit desk's actions that the JSON API (api_credits.go) and the
// admin pages (admin_credits.go) share: both bind their input their own
// way and call these.

// previewRun computes every customer's lines for a month that is over and
// stores them as a previewed run by the acting person.
func (s *Server) previewRun(c echo.Context, month string) (desk.CreditRun, error) {
	return s.reports.PreviewRun(c.Request().Context(), by(c), month, s.now())
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
