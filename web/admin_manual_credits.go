package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/auth"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/templates"
	"github.com/amends/amends/web/form"
)

// The manual credits' admin pages and the credit settings: support grants a
// manual credit with a reason; up to its currency's threshold the desk
// issues it at once, above it a manager who did not request it approves or
// rejects it (403 for the requester, 409 once decided); admins set the
// thresholds. The store applies every rule (desk.NewManualCredit); these
// handlers read the forms, turn amounts written in major units into minor
// units exactly (desk.ParseMoney), and name the form's fields in errors.

const (
	manualPerPage       = 50
	customerManualRows  = 10
	manualCreditsPath   = "/admin/credits/manual"
	creditSettingsPath  = "/admin/credits/settings"
	manualFormAnchor    = "#new-manual-credit"
	manualAmountField   = "amount"
	thresholdAboveField = "above"
)

var manualStateLabels = map[desk.ManualState]string{
	desk.ManualPending: "Waiting for approval", desk.ManualIssued: "Issued", desk.ManualRejected: "Rejected",
}

func manualPath(id int64, action string) string {
	return manualCreditsPath + "/" + strconv.FormatInt(id, 10) + "/" + action
}

// manualRow is m as the viewer u sees it; customers names the accounts.
func manualRow(m desk.ManualCredit, u *auth.User, customers map[string]desk.Account) templates.ManualCreditRow {
	r := templates.ManualCreditRow{
		ID: strconv.FormatInt(m.ID, 10), Customer: m.Customer, CustomerURL: customerPath(m.Customer),
		Amount: desk.FormatMoney(m.AmountMinor, m.Currency), Service: m.Service, Month: m.Month, Reason: m.Reason,
		State:       templates.StatusBadge{Class: string(m.State), Label: manualStateLabels[m.State]},
		RequestedBy: m.RequestedBy, RequestedAt: viewTime(m.RequestedAt), DecidedAt: viewTimePtr(m.DecidedAt),
		ApproveURL: manualPath(m.ID, "approve"), RejectURL: manualPath(m.ID, "reject"),
	}
	if a, ok := customers[m.Customer]; ok {
		r.Customer = a.Name
	}
	var what []string
	if m.Service != "" {
		what = append(what, m.Service)
	}
	if m.Month != "" {
		what = append(what, periodLabel(m.Month))
	}
	r.For = strings.Join(what, ", ")
	switch {
	case m.State == desk.ManualIssued && m.DecidedBy == m.RequestedBy:
		r.Decision = "Issued within the threshold"
	case m.State == desk.ManualIssued:
		r.Decision = "Approved by " + m.DecidedBy
	case m.State == desk.ManualRejected:
		r.Decision = "Rejected by " + m.DecidedBy
	}
	if m.State == desk.ManualIssued {
		r.LedgerURL = "/admin/credits/ledger?customer=" + url.QueryEscape(m.Customer)
	}
	if m.State == desk.ManualPending && u != nil && u.Role.AtLeast(auth.Manager) {
		r.OwnRequest = u.Email == m.RequestedBy
		r.CanDecide = !r.OwnRequest
	}
	return r
}

// thresholdsText says which manual credits are issued at once.
func thresholdsText(th map[string]int64) string {
	if len(th) == 0 {
		return "No currency has a threshold yet, so every manual credit waits for a manager who did not request it."
	}
	var parts []string
	for _, cur := range sortedKeys(th) {
		parts = append(parts, desk.FormatMoney(th[cur], cur))
	}
	return "Issued at once up to " + strings.Join(parts, " or ") + "; above that, or in another currency, it waits for a manager who did not request it."
}

func sortedKeys(m map[string]int64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// handleManualCredits shows "/admin/credits/manual", filtered by
// ?customer= and ?state=; ?customer= also chooses the form's customer.
func (s *Server) handleManualCredits(c echo.Context) error {
	return s.renderManualCredits(c, http.StatusOK, templates.ManualCreditsPage{Form: templates.ManualCreditFields{Customer: strings.TrimSpace(c.QueryParam("customer"))}})
}

func (s *Server) renderManualCredits(c echo.Context, status int, v templates.ManualCreditsPage) error {
	ctx := c.Request().Context()
	page, err := form.Page(c)
	if err != nil {
		return err
	}
	f := desk.ManualFilter{Customer: strings.TrimSpace(c.QueryParam("customer")), State: desk.ManualState(strings.TrimSpace(c.QueryParam("state"))),
		Offset: (page - 1) * manualPerPage, Limit: manualPerPage}
	if f.Customer != "" {
		// An unknown customer would list "No manual credits match", which
		// reads as "never credited".
		if err := s.reports.KnownCustomer(ctx, "customer", f.Customer); err != nil {
			return err
		}
	}
	list, total, err := s.desk.ManualCredits(ctx, f)
	if err != nil {
		return err
	}
	if err := form.PageHeld("page", "the manual credits that match", page, manualPerPage, total); err != nil {
		return err
	}
	_, pending, err := s.desk.ManualCredits(ctx, desk.ManualFilter{State: desk.ManualPending, Limit: 1})
	if err != nil {
		return err
	}
	th, err := s.desk.ManualThresholds(ctx)
	if err != nil {
		return err
	}
	d, err := s.deskChoices(ctx)
	if err != nil {
		return err
	}
	u := currentUser(c)
	v.Page = s.page(c, "Manual credits", "")
	if flash, err := s.manualFlash(ctx, c); err != nil {
		return err
	} else if status == http.StatusOK {
		v.Flash = flash
	}
	v.Customer = f.Customer
	v.FilterCustomers = customerOptions(d.accounts, "Any customer", f.Customer, false)
	v.States = withOption([]templates.Option{{Value: "", Label: "Any state"}, {Value: string(desk.ManualPending), Label: manualStateLabels[desk.ManualPending]},
		{Value: string(desk.ManualIssued), Label: manualStateLabels[desk.ManualIssued]}, {Value: string(desk.ManualRejected), Label: manualStateLabels[desk.ManualRejected]}}, string(f.State))
	v.Total = fmt.Sprintf("%d manual credits", total)
	if total == 1 {
		v.Total = "1 manual credit"
	}
	if pending > 0 {
		v.Pending, v.PendingURL = fmt.Sprintf("%d wait for a manager's approval", pending), manualCreditsPath+"?state=pending"
		if pending == 1 {
			v.Pending = "1 waits for a manager's approval"
		}
	}
	v.Thresholds = thresholdsText(th)
	v.Pagination = pagesOf(manualCreditsPath, c.QueryParams(), newestFirst, page, manualPerPage, total)
	v.CanCreate = u.Role.AtLeast(auth.Support)
	v.Customers = customerOptions(d.accounts, "Choose a customer", v.Form.Customer, true)
	v.Services = d.serviceOptions("No particular service", v.Form.Service)
	for _, m := range list {
		v.Credits = append(v.Credits, manualRow(m, u, d.customers))
	}
	return s.render(c, status, templates.ManualCredits(v))
}

// manualFlash is the notice after a manual credit was made (?made=) or
// decided (?decided=), "" otherwise.
func (s *Server) manualFlash(ctx context.Context, c echo.Context) (string, error) {
	for _, key := range []string{"made", "decided"} {
		raw := c.QueryParam(key)
		if raw == "" {
			continue
		}
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			return "", nil
		}
		m, err := s.desk.ManualCredit(ctx, id)
		if errs.CodeOf(err) == errs.NotFound {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		amount, who := desk.FormatMoney(m.AmountMinor, m.Currency), m.Customer
		if a, err := s.desk.Account(ctx, m.Customer); err == nil {
			who = a.Name
		}
		switch m.State {
		case desk.ManualPending:
			return fmt.Sprintf("Manual credit %d of %s for %s waits for a manager's approval.", m.ID, amount, who), nil
		case desk.ManualRejected:
			return fmt.Sprintf("Manual credit %d of %s for %s was rejected.", m.ID, amount, who), nil
		default:
			return fmt.Sprintf("Manual credit %d of %s for %s is issued: it is in the ledger.", m.ID, amount, who), nil
		}
	}
	return "", nil
}

// handleCreateManualCredit grants a manual credit (support and above):
// the amount is read in the customer's currency and its major units.
func (s *Server) handleCreateManualCredit(c echo.Context) error {
	f := templates.ManualCreditFields{Customer: strings.TrimSpace(c.FormValue("customer")), Service: strings.TrimSpace(c.FormValue("service")),
		Month: strings.TrimSpace(c.FormValue("month")), Amount: strings.TrimSpace(c.FormValue("amount")), Reason: strings.TrimSpace(c.FormValue("reason"))}
	ctx := c.Request().Context()
	m, err := s.manualInput(ctx, f)
	if err == nil {
		m, err = s.desk.CreateManualCredit(ctx, by(c), m, s.now())
	}
	if err != nil {
		if code := errs.CodeOf(err); code != errs.Invalid && code != errs.Conflict {
			return err
		}
		fe := form.ErrorOn(err, func(field string) string {
			if field == "amount_minor" || field == "currency" {
				return manualAmountField
			}
			return field
		}, "customer", manualAmountField, "service", "month", "reason")
		return s.renderManualCredits(c, statusOf(err), templates.ManualCreditsPage{Form: f, Error: fe})
	}
	return c.Redirect(http.StatusSeeOther, manualCreditsPath+"?made="+strconv.FormatInt(m.ID, 10))
}

// manualInput reads the form in its order: errs.Invalid on "customer",
// "amount" or "service" (the store checks the month and the reason).
func (s *Server) manualInput(ctx context.Context, f templates.ManualCreditFields) (desk.ManualCredit, error) {
	m := desk.ManualCredit{Customer: f.Customer, Service: f.Service, Month: f.Month, Reason: f.Reason}
	if err := desk.CheckAccountID("customer", f.Customer); err != nil {
		return m, err
	}
	a, err := s.desk.Account(ctx, f.Customer)
	if errs.CodeOf(err) == errs.NotFound {
		return m, errs.Invalidf("customer", "unknown customer %q", f.Customer)
	}
	if err != nil {
		return m, err
	}
	if m.AmountMinor, err = desk.ParseMoney(manualAmountField, f.Amount, a.Currency); err != nil {
		return m, err
	}
	m.Currency = a.Currency
	if f.Service != "" {
		if err := s.reports.KnownService(ctx, "service", f.Service); err != nil {
			return m, err
		}
	}
	return m, nil
}

// handleApproveManualCredit approves and issues a pending manual credit
// (managers): 403 for its requester, 409 once decided.
func (s *Server) handleApproveManualCredit(c echo.Context) error {
	return s.decideManualCredit(c, s.desk.ApproveManualCredit)
}

// handleRejectManualCredit refuses a pending manual credit (managers): 409 once decided.
func (s *Server) handleRejectManualCredit(c echo.Context) error {
	return s.decideManualCredit(c, s.desk.RejectManualCredit)
}

func (s *Server) decideManualCredit(c echo.Context, decide func(context.Context, audit.Actor, int64, time.Time) (desk.ManualCredit, error)) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	if _, err := decide(c.Request().Context(), by(c), id, s.now()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, manualCreditsPath+"?decided="+strconv.FormatInt(id, 10))
}

// handleCreditSettings shows "/admin/credits/settings".
func (s *Server) handleCreditSettings(c echo.Context) error {
	return s.renderCreditSettings(c, http.StatusOK, templates.CreditSettingsPage{})
}

func (s *Server) renderCreditSettings(c echo.Context, status int, v templates.CreditSettingsPage) error {
	ctx := c.Request().Context()
	th, err := s.desk.ManualThresholds(ctx)
	if err != nil {
		return err
	}
	accounts, err := s.desk.Accounts(ctx)
	if err != nil {
		return err
	}
	v.Page = s.page(c, "Credit settings", "")
	raises, err := s.desk.ThresholdRaises(ctx)
	if err != nil {
		return err
	}
	if cur := c.QueryParam("set"); cur != "" && status == http.StatusOK {
		if above, ok := th[cur]; ok {
			v.Flash = fmt.Sprintf("Manual credits in %s up to %s are now issued without approval.", cur, desk.FormatMoney(above, cur))
		}
	}
	u := currentUser(c)
	for _, r := range raises {
		row := templates.ThresholdRaiseRow{Currency: r.Currency, Above: desk.FormatMoney(r.AboveMinor, r.Currency), By: r.RequestedBy, At: viewTime(r.RequestedAt).Text}
		if u.Role.AtLeast(auth.Manager) && u.Email != r.RequestedBy {
			row.ConfirmURL = creditSettingsPath + "/" + url.PathEscape(r.Currency) + "/confirm"
		}
		if cur := c.QueryParam("requested"); cur == r.Currency && status == http.StatusOK {
			v.Flash = fmt.Sprintf("The raise of the %s threshold to %s waits for another admin or manager to confirm it; until then the threshold in force stays.", cur, row.Above)
		}
		v.Raises = append(v.Raises, row)
	}
	v.CanWrite = u.Role.AtLeast(auth.Admin)
	for _, cur := range sortedKeys(th) {
		v.Thresholds = append(v.Thresholds, templates.ThresholdRow{Currency: cur, Above: desk.FormatMoney(th[cur], cur)})
	}
	var unset []string
	for _, a := range accounts {
		if _, ok := th[a.Currency]; !ok && !slices.Contains(unset, a.Currency) {
			unset = append(unset, a.Currency)
		}
	}
	slices.Sort(unset)
	v.Unset = strings.Join(unset, ", ")
	return s.render(c, status, templates.CreditSettings(v))
}

// handleSetManualThreshold sets a currency's threshold (admins), written
// in that currency's major units.
func (s *Server) handleSetManualThreshold(c echo.Context) error {
	f := templates.ThresholdFields{Currency: strings.ToUpper(strings.TrimSpace(c.FormValue("currency"))), Above: strings.TrimSpace(c.FormValue("above"))}
	err := desk.CheckCurrency("currency", f.Currency)
	var above int64
	if err == nil {
		above, err = desk.ParseMoney(thresholdAboveField, f.Above, f.Currency)
	}
	var raise bool
	if err == nil {
		raise, err = s.desk.SetManualThreshold(c.Request().Context(), by(c), f.Currency, above, s.now())
	}
	if err != nil {
		if errs.CodeOf(err) != errs.Invalid {
			return err
		}
		fe := form.ErrorOn(err, func(field string) string {
			if field == "above_minor" {
				return thresholdAboveField
			}
			return field
		}, "currency", thresholdAboveField)
		return s.renderCreditSettings(c, statusOf(err), templates.CreditSettingsPage{Form: f, Error: fe})
	}
	if raise {
		return c.Redirect(http.StatusSeeOther, creditSettingsPath+"?requested="+url.QueryEscape(f.Currency))
	}
	return c.Redirect(http.StatusSeeOther, creditSettingsPath+"?set="+url.QueryEscape(f.Currency))
}

// handleConfirmManualThreshold puts a waiting raise of a threshold in
// force (admins and managers other than its requester: 403 page otherwise).
func (s *Server) handleConfirmManualThreshold(c echo.Context) error {
	cur := c.Param("currency")
	if err := s.desk.ConfirmManualThreshold(c.Request().Context(), by(c), cur, s.now()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, creditSettingsPath+"?set="+url.QueryEscape(cur))
}
