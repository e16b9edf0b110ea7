package web

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/templates"
)

// statementLedgerMax is how many ledger entries a statement lists.
const statementLedgerMax = 1000

// handleStatement shows "/statement/:token", a customer's own statement,
// without login: its resources, its uptime and credit per service in every
// month it was charged for that is over (computed now by the same
// desk.PreviewMonth the credit runs use, on the customer's own data only;
// see monthLines), and the credits the ledger holds with their reasons. It
// is never cached publicly nor indexed; an unknown or replaced token is 404.
func (s *Server) handleStatement(c echo.Context) error {
	h := c.Response().Header()
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Robots-Tag", "noindex, nofollow")
	h.Set("Referrer-Policy", "no-referrer")
	ctx := c.Request().Context()
	a, err := s.desk.StatementAccount(ctx, c.Param("token"))
	if err != nil {
		if errs.CodeOf(err) == errs.NotFound {
			return errs.NotFoundf("there is no statement at this address; ask us for a new link")
		}
		return err
	}
	now := s.now()
	v := templates.StatementPage{Page: s.page(c, "Credit statement", ""), Customer: a.Name, Currency: a.Currency, AsOf: viewTime(now)}
	v.Page.NoIndex = true
	resources, err := s.desk.Resources(ctx, a.ID)
	if err != nil {
		return err
	}
	for _, r := range resources {
		v.Resources = append(v.Resources, resourceRow(r))
	}
	charges, err := s.desk.Charges(ctx, a.ID, "")
	if err != nil {
		return err
	}
	var months []string
	for _, ch := range charges {
		if !slices.Contains(months, ch.Month) {
			months = append(months, ch.Month)
		}
	}
	for i := len(months) - 1; i >= 0; i-- { // newest first
		lines, err := s.reports.MonthLines(ctx, months[i], now, a.ID)
		if errs.CodeOf(err) == errs.Invalid && errs.FieldOf(err) == "month" {
			continue // not over yet
		}
		if err != nil {
			return err
		}
		m := templates.StatementMonth{Month: months[i]}
		for _, l := range lines {
			m.Lines = append(m.Lines, templates.StatementLine{Service: l.Service, Uptime: l.Uptime + "%", CreditPercent: l.CreditPercent.String() + "%",
				Credit: desk.FormatMoney(l.PayableMinor, l.Currency), Reason: l.Reason})
		}
		if len(m.Lines) > 0 {
			v.Months = append(v.Months, m)
		}
	}
	entries, _, err := s.desk.Ledger(ctx, desk.LedgerFilter{Customer: a.ID, Limit: statementLedgerMax})
	if err != nil {
		return err
	}
	var total int64
	for _, e := range entries {
		v.Credits = append(v.Credits, ledgerRow(e))
		total += e.AmountMinor
	}
	v.Total = desk.FormatMoney(total, a.Currency)
	return s.render(c, http.StatusOK, templates.Statement(v))
}
