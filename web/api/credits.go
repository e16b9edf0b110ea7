package api

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/web/form"
)

// The credit desk's JSON API: customers with their resources, charges and
// claims, SLA policies, credit runs (preview, request, approve, reject),
// the ledger, manual credits and their thresholds. Handlers bind, check
// that named components and services exist (report's checks, which the
// admin pages share), and call the desk store with the acting person; the
// rules live in package desk.

// ---- customers ----

// ListCustomers is GET /api/v1/customers.
func (h *Handler) ListCustomers(c echo.Context) error {
	list, err := h.desk.Accounts(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, List[desk.Account]{Items: nonNil(list), Total: len(list)})
}

// Customer is one customer as the API answers it: the account, and the
// secret that signs the requests to its webhook (support gives it to the
// customer, who checks the Amends-Signature header with it).
type Customer struct {
	desk.Account
	WebhookSecret string `json:"webhook_secret,omitempty"`
}

func customerOf(a desk.Account) Customer { return Customer{Account: a, WebhookSecret: a.WebhookSecret} }

// GetCustomer is GET /api/v1/customers/:customer; the webhook's secret
// only for support and above, as the admin page shows it.
func (h *Handler) GetCustomer(c echo.Context) error {
	a, err := h.desk.Account(c.Request().Context(), c.Param("customer"))
	if err != nil {
		return err
	}
	out := customerOf(a)
	if u := auth.UserFrom(c.Request().Context()); u == nil || !u.Role.AtLeast(auth.Support) {
		out.WebhookSecret = ""
	}
	return c.JSON(http.StatusOK, out)
}

type customerRequest struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	ExternalID string `json:"external_id"`
	Currency   string `json:"currency"`
	Email      string `json:"contact_email"`
	// WebhookURL is the customer's webhook: "" for none; left out of an
	// update, the customer keeps the one it has.
	WebhookURL *string `json:"webhook_url"`
}

// account is r as an account whose webhook URL, checked as a subscriber's
// is, is r's, or keep's when r leaves it out.
func (r customerRequest) account(h *Handler, c echo.Context, keep string) (desk.Account, error) {
	a := desk.Account{ID: r.ID, Name: r.Name, ExternalID: r.ExternalID, Currency: r.Currency, Email: r.Email, WebhookURL: keep}
	if r.WebhookURL == nil {
		return a, nil
	}
	var err error
	a.WebhookURL, err = h.checkWebhook(c, *r.WebhookURL)
	return a, err
}

// checkWebhook checks a customer's webhook URL on field "webhook_url".
func (h *Handler) checkWebhook(c echo.Context, raw string) (string, error) {
	if h.checkHook == nil {
		if raw != "" {
			return "", errs.Invalidf("webhook_url", "customer webhooks are not available on this server")
		}
		return "", nil
	}
	return h.checkHook(c.Request().Context(), "webhook_url", raw)
}

// CreateCustomer is POST /api/v1/customers.
func (h *Handler) CreateCustomer(c echo.Context) error {
	var req customerRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	a, err := req.account(h, c, "")
	if err != nil {
		return err
	}
	if a, err = h.desk.CreateAccount(c.Request().Context(), by(c), a, h.now()); err != nil {
		return err
	}
	return created(c, "/api/v1/customers/"+a.ID, customerOf(a))
}

// UpdateCustomer is PUT /api/v1/customers/:customer (the body's id, if any,
// must match; a body without webhook_url keeps the customer's webhook).
func (h *Handler) UpdateCustomer(c echo.Context) error {
	var req customerRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	id := c.Param("customer")
	if req.ID != "" && req.ID != id {
		return errs.Invalidf("id", "%q does not match the customer in the path, %q", req.ID, id)
	}
	req.ID = id
	old, err := h.desk.Account(c.Request().Context(), id)
	if err != nil {
		return err
	}
	a, err := req.account(h, c, old.WebhookURL)
	if err != nil {
		return err
	}
	if a, err = h.desk.UpdateAccount(c.Request().Context(), by(c), a, h.now()); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, customerOf(a))
}

// ---- resources ----

// ListResources is GET /api/v1/customers/:customer/resources.
func (h *Handler) ListResources(c echo.Context) error {
	ctx := c.Request().Context()
	if _, err := h.desk.Account(ctx, c.Param("customer")); err != nil {
		return err
	}
	list, err := h.desk.Resources(ctx, c.Param("customer"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, List[desk.AccountResource]{Items: nonNil(list), Total: len(list)})
}

type resourceRequest struct {
	Component string          `json:"component"`
	Count     *int64          `json:"count"`
	From      json.RawMessage `json:"from"`
	To        json.RawMessage `json:"to"`
}

func (r resourceRequest) resource(h *Handler, c echo.Context) (desk.AccountResource, error) {
	out := desk.AccountResource{Customer: c.Param("customer"), Component: r.Component}
	if err := h.reports.KnownComponent(c.Request().Context(), "component", r.Component); err != nil {
		return out, err
	}
	if r.Count == nil {
		return out, errs.Invalidf("count", "is required")
	}
	out.Count = *r.Count
	var err error
	if out.From, err = apiTime("from", r.From); err != nil {
		return out, err
	}
	out.To, err = apiTime("to", r.To)
	return out, err
}

// AddResource is POST /api/v1/customers/:customer/resources.
func (h *Handler) AddResource(c echo.Context) error {
	var req resourceRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := h.desk.Account(ctx, c.Param("customer")); err != nil {
		return err
	}
	r, err := req.resource(h, c)
	if err != nil {
		return err
	}
	if r, err = h.desk.AddResource(ctx, by(c), r, h.now()); err != nil {
		return err
	}
	return created(c, "/api/v1/customers/"+r.Customer+"/resources", r)
}

// UpdateResource is PUT /api/v1/customers/:customer/resources/:id.
func (h *Handler) UpdateResource(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	var req resourceRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	r, err := req.resource(h, c)
	if err != nil {
		return err
	}
	r.ID = id
	if r, err = h.desk.UpdateResource(c.Request().Context(), by(c), r, h.now()); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

// ---- charges ----

// ListCharges is GET /api/v1/customers/:customer/charges?month=YYYY-MM.
func (h *Handler) ListCharges(c echo.Context) error {
	ctx := c.Request().Context()
	month := c.QueryParam("month")
	if month != "" {
		if err := desk.CheckMonth("month", month); err != nil {
			return err
		}
	}
	if _, err := h.desk.Account(ctx, c.Param("customer")); err != nil {
		return err
	}
	list, err := h.desk.Charges(ctx, c.Param("customer"), month)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, List[desk.AccountCharge]{Items: nonNil(list), Total: len(list)})
}

// PutCharge is POST /api/v1/customers/:customer/charges: sets (or corrects)
// the charge of a component in a month. A currency other than the customer's
// is 422 on "currency".
func (h *Handler) PutCharge(c echo.Context) error {
	var req struct {
		Component   string `json:"component"`
		Month       string `json:"month"`
		AmountMinor *int64 `json:"amount_minor"`
		Currency    string `json:"currency"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := h.desk.Account(ctx, c.Param("customer")); err != nil {
		return err
	}
	if err := h.reports.KnownComponent(c.Request().Context(), "component", req.Component); err != nil {
		return err
	}
	if req.AmountMinor == nil {
		return errs.Invalidf("amount_minor", "is required")
	}
	ch, err := h.desk.PutCharge(ctx, by(c), desk.AccountCharge{Customer: c.Param("customer"), Component: req.Component,
		Month: req.Month, AmountMinor: *req.AmountMinor, Currency: req.Currency}, h.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ch)
}

// ---- claims ----

// ListClaims is GET /api/v1/customers/:customer/claims.
func (h *Handler) ListClaims(c echo.Context) error {
	ctx := c.Request().Context()
	if _, err := h.desk.Account(ctx, c.Param("customer")); err != nil {
		return err
	}
	list, err := h.desk.Claims(ctx, c.Param("customer"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, List[desk.Claim]{Items: nonNil(list), Total: len(list)})
}

// RecordClaim is POST /api/v1/customers/:customer/claims {"service",
// "month", "claimed_at"}: a claim after the deadline is recorded with
// "late": true.
func (h *Handler) RecordClaim(c echo.Context) error {
	var req struct {
		Service   string          `json:"service"`
		Month     string          `json:"month"`
		ClaimedAt json.RawMessage `json:"claimed_at"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := h.desk.Account(ctx, c.Param("customer")); err != nil {
		return err
	}
	at, err := apiTime("claimed_at", req.ClaimedAt)
	if err != nil {
		return err
	}
	cl := desk.Claim{Customer: c.Param("customer"), Service: req.Service, Month: req.Month}
	if at != nil {
		cl.ClaimedAt = *at
	}
	if cl, err = h.desk.RecordClaim(ctx, by(c), cl, h.now()); err != nil {
		return err
	}
	return created(c, "/api/v1/customers/"+cl.Customer+"/claims", cl)
}

// ---- policies ----

// ListPolicies is GET /api/v1/sla-policies.
func (h *Handler) ListPolicies(c echo.Context) error {
	list, err := h.desk.Policies(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, List[desk.ServicePolicy]{Items: nonNil(list), Total: len(list)})
}

// GetPolicy is GET /api/v1/sla-policies/:id.
func (h *Handler) GetPolicy(c echo.Context) error {
	p, err := h.desk.Policy(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// PutPolicy is PUT /api/v1/sla-policies/:id: the spec's policy object plus
// "customer" (for an override), "timezone" and "requires_claim"; creates or
// replaces.
func (h *Handler) PutPolicy(c echo.Context) error {
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), c.Request().Body, MaxBody))
	if err != nil {
		return jsonError(err)
	}
	p, err := desk.DecodeServicePolicy(body)
	if err != nil {
		return err
	}
	id := c.Param("id")
	if p.ID != "" && p.ID != id {
		return errs.Invalidf("id", "%q does not match the policy in the path, %q", p.ID, id)
	}
	p.ID = id
	ctx := c.Request().Context()
	if err := h.reports.KnownService(ctx, "service", p.Service); err != nil {
		return err
	}
	if p, err = h.desk.PutPolicy(ctx, by(c), p, h.now()); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// ---- credit runs ----

// PreviewCreditRun is POST /api/v1/credit-runs {"month": "YYYY-MM"}:
// computes every customer's lines for a month that is over (in every time
// zone), from stored data as of now, and stores them as a previewed run.
//
// With {"incident": id} instead, it previews the goodwill of that resolved
// incident's approved grant for every eligible customer (see
// report.Reports.PreviewGoodwillRun).
func (h *Handler) PreviewCreditRun(c echo.Context) error {
	var req struct {
		Month    string `json:"month"`
		Incident int64  `json:"incident"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	var run desk.CreditRun
	var err error
	switch {
	case req.Incident != 0 && req.Month != "":
		return errs.Invalidf("incident", "give either a month or an incident, not both")
	case req.Incident != 0:
		run, err = h.reports.PreviewGoodwillRun(c.Request().Context(), by(c), req.Incident, h.now())
	default:
		run, err = h.reports.PreviewRun(c.Request().Context(), by(c), req.Month, h.now())
	}
	if err != nil {
		return err
	}
	return created(c, "/api/v1/credit-runs/"+strconv.FormatInt(run.ID, 10), run)
}

// Run is how GET /api/v1/credit-runs/:id answers for a month run: the run,
// what approving it would write, and a page of its lines (a goodwill run
// answers GoodwillRun).
type Run struct {
	Run desk.CreditRun `json:"run"`
	// Outstanding is what approving the run now would write, while it is
	// previewed or requested.
	Outstanding *desk.RunIssue `json:"outstanding,omitempty"`
	Lines       []desk.RunLine `json:"lines"`
	Offset      int            `json:"offset"`
	Limit       int            `json:"limit"`
}

// GetCreditRun is GET /api/v1/credit-runs/:id?offset=&limit=: the run, what
// approving it now would write (while it is previewed or requested), and a
// page of its lines.
func (h *Handler) GetCreditRun(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	offset, limit, err := pageParams(c, 1000, 10000)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	run, err := h.desk.Run(ctx, id)
	if err != nil {
		return err
	}
	lines, _, err := h.desk.RunLines(ctx, id, desk.AllLines, offset, limit)
	if err != nil {
		return err
	}
	out := Run{Run: run, Lines: nonNil(lines), Offset: offset, Limit: limit}
	if run.State == desk.RunPreviewed || run.State == desk.RunRequested {
		pending, err := h.desk.Outstanding(ctx, id)
		if err != nil {
			return err
		}
		out.Outstanding = &pending
	}
	if run.Kind == desk.RunIncident {
		gr, err := h.goodwillRun(ctx, out)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, gr)
	}
	return c.JSON(http.StatusOK, out)
}

// RequestCreditRun is POST /api/v1/credit-runs/:id/request.
func (h *Handler) RequestCreditRun(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	run, err := h.desk.RequestRun(c.Request().Context(), by(c), id, h.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, run)
}

// ApproveCreditRun is POST /api/v1/credit-runs/:id/approve: 403 for the
// requester, 409 the second time; approval writes the ledger.
func (h *Handler) ApproveCreditRun(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	run, err := h.desk.ApproveRun(c.Request().Context(), by(c), id, h.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, run)
}

// RejectCreditRun is POST /api/v1/credit-runs/:id/reject {"reason"}.
func (h *Handler) RejectCreditRun(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	var req struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	run, err := h.desk.RejectRun(c.Request().Context(), by(c), id, req.Reason, h.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, run)
}

// ---- ledger ----

// Ledger is GET /api/v1/ledger?customer=&period=&run=&offset=&limit=: an
// unknown customer or run is a 422 on its field, as on the ledger page.
func (h *Handler) Ledger(c echo.Context) error {
	offset, limit, err := pageParams(c, 100, 10000)
	if err != nil {
		return err
	}
	f, err := form.LedgerFilter(c)
	if err != nil {
		return err
	}
	if err := h.reports.CheckLedgerFilter(c.Request().Context(), f); err != nil {
		return err
	}
	f.Offset, f.Limit = offset, limit
	list, total, err := h.desk.Ledger(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, List[desk.LedgerEntry]{Items: nonNil(list), Total: total})
}

// ---- manual credits ----

// CreateManualCredit is POST /api/v1/manual-credits {"customer",
// "amount_minor", "currency", "reason", "service", "month"}: issued at once
// up to the currency's threshold, else pending a manager's approval.
func (h *Handler) CreateManualCredit(c echo.Context) error {
	var req struct {
		Customer    string `json:"customer"`
		AmountMinor *int64 `json:"amount_minor"`
		Currency    string `json:"currency"`
		Reason      string `json:"reason"`
		Service     string `json:"service"`
		Month       string `json:"month"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.AmountMinor == nil {
		return errs.Invalidf("amount_minor", "is required")
	}
	ctx := c.Request().Context()
	if req.Service != "" {
		if err := h.reports.KnownService(ctx, "service", req.Service); err != nil {
			return err
		}
	}
	m, err := h.desk.CreateManualCredit(ctx, by(c), desk.ManualCredit{Customer: req.Customer, AmountMinor: *req.AmountMinor,
		Currency: req.Currency, Reason: req.Reason, Service: req.Service, Month: req.Month}, h.now())
	if err != nil {
		return err
	}
	return created(c, "/api/v1/manual-credits/"+strconv.FormatInt(m.ID, 10), m)
}

// GetManualCredit is GET /api/v1/manual-credits/:id.
func (h *Handler) GetManualCredit(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	m, err := h.desk.ManualCredit(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

// ApproveManualCredit is POST /api/v1/manual-credits/:id/approve: 403 for
// the requester, 409 when decided.
func (h *Handler) ApproveManualCredit(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	m, err := h.desk.ApproveManualCredit(c.Request().Context(), by(c), id, h.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

// RejectManualCredit is POST /api/v1/manual-credits/:id/reject: 409 when
// decided.
func (h *Handler) RejectManualCredit(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	m, err := h.desk.RejectManualCredit(c.Request().Context(), by(c), id, h.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

// CreditSettings is GET /api/v1/credit-settings:
// {"manual_approval_above": {"USD": 50000}, "raises_waiting": [...]}, the
// raises waiting for a second person (desk.ThresholdRaise).
func (h *Handler) CreditSettings(c echo.Context) error {
	th, err := h.desk.ManualThresholds(c.Request().Context())
	if err != nil {
		return err
	}
	raises, err := h.desk.ThresholdRaises(c.Request().Context())
	if err != nil {
		return err
	}
	if raises == nil {
		raises = []desk.ThresholdRaise{}
	}
	return c.JSON(http.StatusOK, map[string]any{"manual_approval_above": th, "raises_waiting": raises})
}

// ConfirmManualThreshold is
// POST /api/v1/credit-settings/manual-approval-above/:currency/confirm: the
// raise waiting for currency takes effect (404 when none waits, 403 for its
// requester or an account they made), answered as CreditSettings.
func (h *Handler) ConfirmManualThreshold(c echo.Context) error {
	if err := h.desk.ConfirmManualThreshold(c.Request().Context(), by(c), c.Param("currency"), h.now()); err != nil {
		return err
	}
	return h.CreditSettings(c)
}

// SetManualThreshold is
// PUT /api/v1/credit-settings/manual-approval-above/:currency
// {"above_minor": N}, answered with the settings as CreditSettings does.
func (h *Handler) SetManualThreshold(c echo.Context) error {
	var req struct {
		AboveMinor *int64 `json:"above_minor"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.AboveMinor == nil {
		return errs.Invalidf("above_minor", "is required")
	}
	if _, err := h.desk.SetManualThreshold(c.Request().Context(), by(c), c.Param("currency"), *req.AboveMinor, h.now()); err != nil {
		return err
	}
	return h.CreditSettings(c)
}
