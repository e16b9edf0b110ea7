package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/report"
	"github.com/amends/amends/templates"
)

// handleStatement shows "/statement/:token", a customer's own status page
// and statement, without login: the components it has resources in with
// their status now, the incidents going on and of the last 90 days that
// hit its resources, with how many and its own downtime from each as the
// engine counts it, its uptime this month so far per service with the tier
// reached (report.Reports.CustomerStatus); then its resources, its uptime and credit per service in every
// month it was charged for that is over (computed now by the same
// desk.PreviewMonth the credit runs use, on the customer's own data only;
// see report.Reports.Statement), and the credits the ledger holds with
// their reasons. Each month's credit says whether it was paid (the
// ledger's amount) or is owed and not yet issued (the computed amount), and
// the totals show the two apart. It is never cached publicly nor indexed; an unknown or
// replaced token is 404.
func (s *Server) handleStatement(c echo.Context) error {
	h := c.Response().Header()
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Robots-Tag", "noindex, nofollow")
	h.Set("Referrer-Policy", "no-referrer")
	now := s.publicNow() // the instant the public pages describe, as the customer's own status page
	st, err := s.reports.Statement(c.Request().Context(), c.Param("token"), now)
	if err != nil {
		if errs.CodeOf(err) == errs.NotFound {
			return errs.NotFoundf("there is no statement at this address; ask us for a new link")
		}
		return err
	}
	a := st.Account
	cs, err := s.reports.CustomerStatus(c.Request().Context(), a, now, !s.cfg.AsOf.IsZero())
	if err != nil {
		return err
	}
	v := templates.StatementPage{Page: s.page(c, "Your status and credits", ""), Customer: a.Name, Currency: a.Currency, AsOf: viewTime(now)}
	v.Page.NoIndex = true
	names := namesOf(cs.Catalog)
	serviceNames := componentNames{}
	for _, svc := range cs.Services {
		serviceNames[svc.ID] = svc.Name
	}
	statementStatus(&v, cs, names)
	for _, r := range st.Resources {
		row := resourceRow(r)
		row.Component = names.name(r.Component)
		v.Resources = append(v.Resources, row)
	}
	for _, sm := range st.Months {
		m := templates.StatementMonth{Month: monthName(sm.Month)}
		for i, l := range sm.Lines {
			line := templates.StatementLine{Service: serviceNames.name(l.Service), Uptime: l.Uptime + "%", CreditPercent: l.CreditPercent.String() + "%",
				Credit: desk.FormatMoney(l.PayableMinor, l.Currency), Reason: l.Reason}
			switch p := sm.Paid[i]; {
			case p.Issued:
				line.Credit, line.Status = desk.FormatMoney(p.Minor, l.Currency), "Paid"
			case l.PayableMinor != 0:
				line.Status = "Owed, not yet issued"
			}
			m.Lines = append(m.Lines, line)
		}
		v.Months = append(v.Months, m)
	}
	for _, e := range st.Ledger {
		row := ledgerRow(e)
		if row.Period != "" {
			row.Period = monthName(row.Period)
		}
		if row.Service != "" {
			row.Service = serviceNames.name(row.Service)
		}
		v.Credits = append(v.Credits, row)
	}
	v.Paid = []string{desk.FormatMoney(0, a.Currency)}
	if len(st.Paid) > 0 {
		v.Paid = formatSums(st.Paid)
	}
	v.Owed = formatSums(st.Owed)
	return s.render(c, http.StatusOK, templates.Statement(v))
}

// formatSums formats each sum in its currency.
func formatSums(sums []report.CurrencyMinor) []string {
	var out []string
	for _, s := range sums {
		out = append(out, desk.FormatMoney(s.Minor, s.Currency))
	}
	return out
}
