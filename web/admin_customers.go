package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/report"
	"github.com/amends/amends/templates"
	"github.com/amends/amends/web/form"
)

// The customers' admin pages: list and search, one customer with its
// resources, charges, claims and ledger entries, the forms that add them,
// and the statement link.

const customerLedgerRows = 20

// customerListRows is how many resources, charges or claims the customer
// page lists at a time; each list is paged by its own query parameter
// (?resources_page=, ?charges_page=, ?claims_page=).
const customerListRows = 100

func customerRow(a desk.Account) templates.CustomerRow {
	return templates.CustomerRow{ID: a.ID, Name: a.Name, ExternalID: a.ExternalID, Currency: a.Currency, Email: a.Email, WebhookURL: a.WebhookURL, URL: customerPath(a.ID)}
}

// handleCustomers shows "/admin/customers", searched by ?q= (id or name).
func (s *Server) handleCustomers(c echo.Context) error {
	return s.renderCustomers(c, http.StatusOK, templates.CustomersPage{})
}

func (s *Server) renderCustomers(c echo.Context, status int, v templates.CustomersPage) error {
	list, err := s.desk.Accounts(c.Request().Context())
	if err != nil {
		return err
	}
	v.Page = s.page(c, "Customers", "")
	if kind := c.QueryParam("imported"); kind == "resources" || kind == "charges" {
		if n, err := strconv.Atoi(c.QueryParam("n")); err == nil && n > 0 {
			v.Flash = fmt.Sprintf("Imported %d %s of %s.", n, plural(int64(n), "row", "rows"), kind)
		}
	}
	v.Query = strings.TrimSpace(c.QueryParam("q"))
	v.CanWrite = currentUser(c).Role.AtLeast(auth.Support)
	v.Total = len(list)
	q := strings.ToLower(v.Query)
	for _, a := range list {
		if q == "" || strings.Contains(a.ID, q) || strings.Contains(strings.ToLower(a.Name), q) || strings.Contains(strings.ToLower(a.ExternalID), q) {
			v.Customers = append(v.Customers, customerRow(a))
		}
	}
	return s.render(c, status, templates.Customers(v))
}

// handleCreateCustomer adds a customer (support and above).
func (s *Server) handleCreateCustomer(c echo.Context) error {
	f := templates.CustomerFields{ID: strings.TrimSpace(c.FormValue("id")), Name: strings.TrimSpace(c.FormValue("name")),
		ExternalID: strings.TrimSpace(c.FormValue("external_id")), Currency: strings.TrimSpace(c.FormValue("currency")),
		Email: strings.TrimSpace(c.FormValue("contact_email")), WebhookURL: strings.TrimSpace(c.FormValue("webhook_url"))}
	a := desk.Account{ID: f.ID, Name: f.Name, ExternalID: f.ExternalID, Currency: f.Currency, Email: f.Email}
	hook, err := s.checkWebhookURL(c.Request().Context(), "webhook_url", f.WebhookURL)
	if err == nil {
		a.WebhookURL = hook
		a, err = s.desk.CreateAccount(c.Request().Context(), by(c), a, s.now())
	}
	if err != nil {
		if code := errs.CodeOf(err); code != errs.Invalid && code != errs.Conflict {
			return err
		}
		fe := form.Error(err, nil)
		if errs.CodeOf(err) == errs.Conflict {
			fe.Fields = map[string]string{"id": errs.MessageOf(err)}
		}
		return s.renderCustomers(c, statusOf(err), templates.CustomersPage{Form: f, Error: fe})
	}
	return c.Redirect(http.StatusSeeOther, customerPath(a.ID))
}

func resourceRow(r desk.AccountResource) templates.ResourceRow {
	row := templates.ResourceRow{Component: r.Component, Count: strconv.FormatInt(r.Count, 10), From: "since always", To: "still there"}
	if r.From != nil {
		row.From = viewTime(*r.From).Text
	}
	if r.To != nil {
		row.To = viewTime(*r.To).Text
	}
	return row
}

// handleCustomer shows "/admin/customers/:customer".
func (s *Server) handleCustomer(c echo.Context) error {
	return s.renderCustomer(c, http.StatusOK, templates.CustomerPage{})
}

func (s *Server) renderCustomer(c echo.Context, status int, v templates.CustomerPage) error {
	ctx := c.Request().Context()
	resourcesPage, resourcesFrom, err := listPage(c, "resources_page", customerListRows)
	if err != nil {
		return err
	}
	chargesPage, chargesFrom, err := listPage(c, "charges_page", customerListRows)
	if err != nil {
		return err
	}
	claimsPage, claimsFrom, err := listPage(c, "claims_page", customerListRows)
	if err != nil {
		return err
	}
	a, err := s.desk.Account(ctx, c.Param("customer"))
	if err != nil {
		return err
	}
	resources, resourceCount, err := s.desk.ResourcesPage(ctx, a.ID, resourcesFrom, customerListRows)
	if err != nil {
		return err
	}
	if err := form.PageHeld("resources_page", "this customer's resources", resourcesPage, customerListRows, resourceCount); err != nil {
		return err
	}
	charges, chargeCount, err := s.desk.ChargesPage(ctx, a.ID, chargesFrom, customerListRows)
	if err != nil {
		return err
	}
	if err := form.PageHeld("charges_page", "this customer's charges", chargesPage, customerListRows, chargeCount); err != nil {
		return err
	}
	claims, claimCount, err := s.desk.ClaimsPage(ctx, a.ID, claimsFrom, customerListRows)
	if err != nil {
		return err
	}
	if err := form.PageHeld("claims_page", "this customer's claims", claimsPage, customerListRows, claimCount); err != nil {
		return err
	}
	months, err := s.desk.ChargeMonths(ctx, a.ID)
	if err != nil {
		return err
	}
	// The newest entries: the page says how many there are in all.
	ledger, held, err := s.desk.Ledger(ctx, desk.LedgerFilter{Customer: a.ID, Limit: customerLedgerRows})
	if err != nil {
		return err
	}
	if held > customerLedgerRows {
		if ledger, held, err = s.desk.Ledger(ctx, desk.LedgerFilter{Customer: a.ID, Offset: held - customerLedgerRows, Limit: customerLedgerRows}); err != nil {
			return err
		}
	}
	manual, _, err := s.desk.ManualCredits(ctx, desk.ManualFilter{Customer: a.ID, Limit: customerManualRows})
	if err != nil {
		return err
	}
	made, err := s.desk.StatementLinkMade(ctx, a.ID)
	if err != nil {
		return err
	}
	components, err := s.incidents.Components(ctx)
	if err != nil {
		return err
	}
	services, err := s.incidents.Services(ctx)
	if err != nil {
		return err
	}
	names := namesOf(components)
	v.Page = s.page(c, a.Name, "")
	v.Customer = customerRow(a)
	v.CanWrite = currentUser(c).Role.AtLeast(auth.Support)
	if v.CanWrite {
		v.Customer.WebhookSecret = a.WebhookSecret
	}
	if v.ErrorFor != "contact" {
		v.ContactForm = templates.ContactFields{Email: a.Email, WebhookURL: a.WebhookURL}
	}
	q, path := c.QueryParams(), customerPath(a.ID)
	v.ResourcePages = listPages(path, q, "resources_page", resourcesPage, customerListRows, resourceCount, "resources-heading")
	v.ChargePages = listPages(path, q, "charges_page", chargesPage, customerListRows, chargeCount, "charges-heading")
	v.ClaimPages = listPages(path, q, "claims_page", claimsPage, customerListRows, claimCount, "claims-heading")
	v.LedgerURL = "/admin/credits/ledger?customer=" + a.ID
	v.ManualURL = manualCreditsPath + "?customer=" + url.QueryEscape(a.ID)
	v.NewManualURL = v.ManualURL + manualFormAnchor
	for _, m := range manual {
		v.ManualCredits = append(v.ManualCredits, manualRow(m, currentUser(c), map[string]desk.Account{a.ID: a}))
	}
	if made != nil {
		v.HasStatement, v.StatementMade = true, viewTime(*made)
	}
	for _, r := range resources {
		row := resourceRow(r)
		row.Component = names.name(r.Component)
		v.Resources = append(v.Resources, row)
	}
	for _, ch := range charges {
		v.Charges = append(v.Charges, templates.ChargeRow{Month: ch.Month, Component: names.name(ch.Component), Amount: desk.FormatMoney(ch.AmountMinor, ch.Currency)})
	}
	for _, cl := range claims {
		v.Claims = append(v.Claims, templates.ClaimRow{Service: cl.Service, Month: cl.Month, ClaimedAt: viewTime(cl.ClaimedAt), Deadline: viewTime(cl.Deadline), Late: cl.Late, RecordedBy: cl.RecordedBy, Note: cl.Note})
	}
	for _, e := range ledger {
		v.Ledger = append(v.Ledger, ledgerRow(e))
	}
	v.LedgerHeld = held
	if u := currentUser(c); u.Role.AtLeast(auth.Support) {
		v.CanReport = true
		now := s.now()
		current := report.MonthStart(now.Add(-time.Second))
		selected := current
		seen := map[string]bool{}
		for i := len(months) - 1; i >= 0; i-- { // newest first
			month := months[i]
			m, err := time.Parse("2006-01", month)
			if err != nil || m.After(current) || seen[month] {
				continue
			}
			if len(seen) == 0 {
				selected = m
			}
			seen[month] = true
			v.Reports = append(v.Reports, templates.Link{Text: "SLA report, " + monthLabel(m, now), URL: customerReportPath(a.ID, month)})
		}
		v.ReportMonths = s.monthOptions(ctx, now, selected)
	}
	for _, comp := range components {
		v.Components = append(v.Components, templates.Option{Value: comp.ID, Label: comp.Name})
	}
	for _, svc := range services {
		v.Services = append(v.Services, templates.Option{Value: svc.ID, Label: svc.Name})
	}
	return s.render(c, status, templates.Customer(v))
}

// customerFormError shows the customer page with a form's error, or
// returns err when it is not the user's to correct.
func (s *Server) customerFormError(c echo.Context, err error, v templates.CustomerPage) error {
	if code := errs.CodeOf(err); code != errs.Invalid && code != errs.Conflict {
		return err
	}
	v.Error = form.Error(err, nil)
	return s.renderCustomer(c, statusOf(err), v)
}

// handleUpdateContact sets the customer's contact e-mail and webhook
// (support and above), where its personal notices go; the webhook URL is
// checked as a subscriber's is. A new URL gets a new signing secret.
func (s *Server) handleUpdateContact(c echo.Context) error {
	f := templates.ContactFields{Email: strings.TrimSpace(c.FormValue("contact_email")), WebhookURL: strings.TrimSpace(c.FormValue("webhook_url"))}
	ctx := c.Request().Context()
	a, err := s.desk.Account(ctx, c.Param("customer"))
	if err != nil {
		return err
	}
	a.Email = f.Email
	a.WebhookURL, err = s.checkWebhookURL(ctx, "webhook_url", f.WebhookURL)
	if err == nil {
		_, err = s.desk.UpdateAccount(ctx, by(c), a, s.now())
	}
	if err != nil {
		return s.customerFormError(c, err, templates.CustomerPage{ContactForm: f, ErrorFor: "contact"})
	}
	return c.Redirect(http.StatusSeeOther, customerPath(a.ID)+"#contacts-heading")
}

// handleAddResource adds a resource entry (support and above).
func (s *Server) handleAddResource(c echo.Context) error {
	f := templates.ResourceFields{Component: c.FormValue("component"), Count: strings.TrimSpace(c.FormValue("count")),
		From: strings.TrimSpace(c.FormValue("from")), To: strings.TrimSpace(c.FormValue("to"))}
	ctx := c.Request().Context()
	if _, err := s.desk.Account(ctx, c.Param("customer")); err != nil {
		return err
	}
	r, err := desk.ResourceFromText(s.componentCheck(c), c.Param("customer"), f.Component, f.Count, f.From, f.To)
	if err == nil {
		_, err = s.desk.AddResource(ctx, by(c), r, s.now())
	}
	if err != nil {
		return s.customerFormError(c, err, templates.CustomerPage{ResourceForm: f, ErrorFor: "resource"})
	}
	return c.Redirect(http.StatusSeeOther, customerPath(r.Customer))
}

// handlePutCharge sets a charge (support and above).
func (s *Server) handlePutCharge(c echo.Context) error {
	f := templates.ChargeFields{Component: c.FormValue("component"), Month: strings.TrimSpace(c.FormValue("month")), Amount: strings.TrimSpace(c.FormValue("amount_minor"))}
	ctx := c.Request().Context()
	a, err := s.desk.Account(ctx, c.Param("customer"))
	if err != nil {
		return err
	}
	// People type the amount in the customer's currency (2500.00); the
	// API and the CSV import keep minor units.
	ch, err := desk.ChargeFromText(s.componentCheck(c), a, f.Component, f.Month, func() (int64, error) {
		return desk.ParseMoney("amount_minor", f.Amount, a.Currency)
	}, "")
	if err == nil {
		_, err = s.desk.PutCharge(ctx, by(c), ch, s.now())
	}
	if err != nil {
		return s.customerFormError(c, err, templates.CustomerPage{ChargeForm: f, ErrorFor: "charge"})
	}
	return c.Redirect(http.StatusSeeOther, customerPath(a.ID))
}

// handleRecordClaim records a claim (support and above).
func (s *Server) handleRecordClaim(c echo.Context) error {
	f := templates.ClaimFields{Service: c.FormValue("service"), Month: strings.TrimSpace(c.FormValue("month")), ClaimedAt: strings.TrimSpace(c.FormValue("claimed_at"))}
	ctx := c.Request().Context()
	a, err := s.desk.Account(ctx, c.Param("customer"))
	if err != nil {
		return err
	}
	cl := desk.Claim{Customer: a.ID, Service: f.Service, Month: f.Month}
	at, err := form.Time("claimed_at", f.ClaimedAt)
	if err == nil {
		if at != nil {
			cl.ClaimedAt = *at
		}
		_, err = s.desk.RecordClaim(ctx, by(c), cl, s.now())
	}
	if err != nil {
		return s.customerFormError(c, err, templates.CustomerPage{ClaimForm: f, ErrorFor: "claim"})
	}
	return c.Redirect(http.StatusSeeOther, customerPath(a.ID))
}

// handleRotateStatement makes a new statement link (support and above);
// the old one stops working at once. The new link is shown once.
func (s *Server) handleRotateStatement(c echo.Context) error {
	token, err := s.desk.RotateStatementLink(c.Request().Context(), by(c), c.Param("customer"), s.now())
	if err != nil {
		return err
	}
	return s.renderCustomer(c, http.StatusOK, templates.CustomerPage{StatementURL: s.spBase(c) + "/statement/" + token})
}

// handleRevokeStatement ends the customer's statement link (support and
// above): its address is a 404 at once.
func (s *Server) handleRevokeStatement(c echo.Context) error {
	if err := s.desk.RevokeStatementLink(c.Request().Context(), by(c), c.Param("customer"), s.now()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, customerPath(c.Param("customer")))
}

// componentCheck is report.Reports.KnownComponent for the request.
func (s *Server) componentCheck(c echo.Context) func(field, id string) error {
	return func(field, id string) error { return s.reports.KnownComponent(c.Request().Context(), field, id) }
}
