package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/report"
	"github.com/amends/amends/templates"
	"github.com/amends/amends/web/form"
)

// handleStatement shows "/statement/:token", a customer's own status page
// and statement, without login: the components it has resources in with
// their status now, the incidents going on and of the last 90 days that
// hit its resources, with how many and its own downtime from each as the
// engine counts it, its uptime this month so far per service with the tier
// reached (report.Reports.CustomerStatus); then its resources, a page of
// customerListRows at a time (?resources_page=N), its uptime and credit per service in every
// month it was charged for that is over (computed now by the same
// desk.PreviewMonth the credit runs use, on the customer's own data only;
// see report.Reports.Statement), and the credits the ledger holds with
// their reasons. Each month's credit says whether it was paid (the
// ledger's amount) or is owed and not yet issued (the computed amount), and
// the totals show the two apart. It is never cached publicly nor indexed; an unknown or
// replaced token is 404.
func (s *Server) handleStatement(c echo.Context) error {
	v, _, err := s.statementView(c)
	if err != nil {
		return err
	}
	if cl := c.QueryParam("claimed"); cl != "" {
		for _, row := range v.Claims {
			if row.Key == cl && row.State == "claimed" {
				v.ClaimDone = "Your claim for " + row.Service + " in " + row.Month + " is recorded; we pay it with the month's credits."
			}
		}
	}
	return s.render(c, http.StatusOK, templates.Statement(v))
}

// statementView builds the statement of the customer whose token the
// path holds, as of the instant the public pages describe, with the
// headers a statement always gets; errs.NotFound (the same 404 as a
// missing page) for an unknown or replaced token.
func (s *Server) statementView(c echo.Context) (templates.StatementPage, *report.Statement, error) {
	h := c.Response().Header()
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Robots-Tag", "noindex, nofollow")
	h.Set("Referrer-Policy", "no-referrer")
	now := s.publicNow() // the instant the public pages describe, as the customer's own status page
	token := c.Param("token")
	st, err := s.reports.Statement(c.Request().Context(), token, now)
	if err != nil {
		if errs.CodeOf(err) == errs.NotFound {
			return templates.StatementPage{}, nil, errs.NotFoundf("there is no statement at this address; ask us for a new link")
		}
		return templates.StatementPage{}, nil, err
	}
	a := st.Account
	resourcesPage, resourcesFrom, err := listPage(c, "resources_page", customerListRows)
	if err != nil {
		return templates.StatementPage{}, nil, err
	}
	resources, resourceCount, err := s.desk.ResourcesPage(c.Request().Context(), a.ID, resourcesFrom, customerListRows)
	if err != nil {
		return templates.StatementPage{}, nil, err
	}
	if err := form.PageHeld("resources_page", "your resources", resourcesPage, customerListRows, resourceCount); err != nil {
		return templates.StatementPage{}, nil, err
	}
	cs, err := s.reports.CustomerStatus(c.Request().Context(), a, now, !s.cfg.AsOf.IsZero())
	if err != nil {
		return templates.StatementPage{}, nil, err
	}
	v := templates.StatementPage{Page: s.page(c, "Your status and credits", ""), Customer: a.Name, Currency: a.Currency, AsOf: viewTime(now),
		ClaimURL: "/statement/" + token + "/claims"}
	v.Page.NoIndex = true
	if s.cfg.Notify != nil && s.cfg.Notify.EmailEnabled() {
		v.SubscribeURL, v.SubscribeEmail = "/subscribe", a.Email
	}
	names := namesOf(cs.Catalog)
	serviceNames := componentNames{}
	for _, svc := range cs.Services {
		serviceNames[svc.ID] = svc.Name
	}
	statementStatus(&v, cs, names)
	for _, r := range resources {
		row := resourceRow(r)
		row.Component = names.name(r.Component)
		v.Resources = append(v.Resources, row)
	}
	v.ResourcePages = listPages("/statement/"+token, c.QueryParams(), "resources_page", resourcesPage, customerListRows, resourceCount, "st-resources-heading")
	claims, err := s.desk.Claims(c.Request().Context(), a.ID)
	if err != nil {
		return templates.StatementPage{}, nil, err
	}
	for _, sm := range st.Months {
		m := templates.StatementMonth{Month: monthName(sm.Month)}
		for i, l := range sm.Lines {
			line := templates.StatementLine{Service: serviceNames.name(l.Service), Uptime: l.Uptime + "%", CreditPercent: l.CreditPercent.String() + "%",
				Credit: desk.FormatMoney(l.PayableMinor, l.Currency), Reason: l.Reason}
			switch p := sm.Paid[i]; {
			case p.Issued && p.Owed(l) == 0:
				line.Credit, line.Status = desk.FormatMoney(p.Minor, l.Currency), "Paid"
			case p.Issued && p.Owed(l) > 0:
				// Charges corrected upwards since it was paid: the credit
				// as it is now, what was paid, and the rest.
				line.Status = fmt.Sprintf("%s paid, %s owed, not yet issued", desk.FormatMoney(p.Minor, l.Currency), desk.FormatMoney(p.Owed(l), l.Currency))
			case p.Issued:
				line.Status = fmt.Sprintf("%s paid, %s above what is due now", desk.FormatMoney(p.Minor, l.Currency), desk.FormatMoney(-p.Owed(l), l.Currency))
			case l.PayableMinor != 0:
				line.Status = "Owed, not yet issued"
			case l.Claim == desk.ClaimMissing && l.CreditMinor > 0 && now.Before(l.ClaimDeadline):
				line.Status = "Claim it below"
			}
			m.Lines = append(m.Lines, line)
			if cl, ok := statementClaim(sm.Month, l, claims, now); ok {
				cl.Service, cl.Month = serviceNames.name(l.Service), m.Month
				v.Claims = append(v.Claims, cl)
			}
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
	v.CreditsHeld = st.Entries
	v.Paid = []string{desk.FormatMoney(0, a.Currency)}
	if len(st.Paid) > 0 {
		v.Paid = formatSums(st.Paid)
	}
	v.Owed = formatSums(st.Owed)
	return v, st, nil
}

// statementClaim is line l of month as a credit to claim, if its policy
// pays it only when claimed and the engine computes one: open until its
// deadline, or claimed (in time or late, by the customer's claim among
// claims), or expired.
func statementClaim(month string, l desk.RunLine, claims []desk.Claim, now time.Time) (templates.StatementClaim, bool) {
	if l.Claim == desk.ClaimNotRequired || l.CreditMinor <= 0 {
		return templates.StatementClaim{}, false
	}
	cl := templates.StatementClaim{Key: strings.ToLower(l.Service) + "-" + month, ServiceID: l.Service, MonthID: month,
		Credit: desk.FormatMoney(l.CreditMinor, l.Currency), Deadline: viewTime(l.ClaimDeadline), State: "open"}
	for _, c := range claims {
		if c.Service == l.Service && c.Month == month {
			cl.ClaimedAt, cl.Note, cl.State = viewTime(c.ClaimedAt), c.Note, "claimed"
			if c.Late {
				cl.State = "late"
			}
			return cl, true
		}
	}
	if !now.Before(l.ClaimDeadline) {
		cl.State = "expired"
	}
	return cl, true
}

// handleStatementClaim handles POST "/statement/:token/claims": the
// customer claims the credit of one service and month on its own
// statement (service, month, optional note). The token is the only
// authority (a wrong one is the same 404); the claim is recorded in the
// desk, audited as made through the customer's statement link. A credit
// the statement does not offer, a claim after its deadline (nothing is
// recorded) or a second claim is refused with the statement page saying
// why (422, 422, 409).
func (s *Server) handleStatementClaim(c echo.Context) error {
	v, st, err := s.statementView(c)
	if err != nil {
		return err
	}
	service, month, note := strings.TrimSpace(c.FormValue("service")), strings.TrimSpace(c.FormValue("month")), c.FormValue("note")
	refuse := func(status int, why string) error {
		v.ClaimError = why
		return s.render(c, status, templates.Statement(v))
	}
	var found *templates.StatementClaim
	for i := range v.Claims {
		if v.Claims[i].ServiceID == service && v.Claims[i].MonthID == month {
			found = &v.Claims[i]
		}
	}
	switch {
	case found == nil:
		return refuse(http.StatusUnprocessableEntity, fmt.Sprintf("There is no credit of yours to claim for service %q in month %q.", service, month))
	case found.State == "claimed" || found.State == "late":
		return refuse(http.StatusConflict, "You already claimed the "+found.Service+" credit of "+found.Month+", on "+found.ClaimedAt.Text+".")
	case found.State == "expired":
		return refuse(http.StatusUnprocessableEntity, "The deadline to claim the "+found.Service+" credit of "+found.Month+" passed on "+found.Deadline.Text+": it can no longer be claimed.")
	}
	who := audit.Named("customer " + st.Account.ID + " (statement link)")
	if _, err := s.desk.RecordClaim(c.Request().Context(), who, desk.Claim{Customer: st.Account.ID, Service: service, Month: month, Note: note}, s.publicNow()); err != nil {
		switch errs.CodeOf(err) {
		case errs.Conflict:
			return refuse(http.StatusConflict, "You already claimed the "+found.Service+" credit of "+found.Month+".")
		case errs.Invalid:
			return refuse(http.StatusUnprocessableEntity, "Your claim was not recorded: "+errs.FieldOf(err)+" "+errs.MessageOf(err)+".")
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/statement/"+c.Param("token")+"?claimed="+url.QueryEscape(found.Key)+"#claims")
}

// formatSums formats each sum in its currency.
func formatSums(sums []report.CurrencyMinor) []string {
	var out []string
	for _, s := range sums {
		out = append(out, desk.FormatMoney(s.Minor, s.Currency))
	}
	return out
}
