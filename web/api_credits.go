package web

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/auth"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
)

// The credit desk's JSON API: customers with their resources, charges and
// claims, SLA policies, credit runs (preview, request, approve, reject),
// the ledger, manual credits and their thresholds. Handlers bind, check
// that named components and services exist, and call the desk store with
// the acting person; the rules live in package desk.

// by is the acting person for the desk's two-person rules (the signed-in
// user, whatever token or session they use) and the audit label.
func by(c echo.Context) audit.Actor { return auth.ActorFrom(c.Request().Context()) }

// pageParams reads ?offset= and ?limit= (limit defaults to def, at most max).
func pageParams(c echo.Context, def, max int) (int, int, error) {
	offset, limit := 0, def
	if v := c.QueryParam("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, 0, errs.Invalidf("offset", "%q is not a whole number of 0 or more", v)
		}
		offset = n
	}
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > max {
			return 0, 0, errs.Invalidf("limit", "%q is not a whole number from 1 to %d", v, max)
		}
		limit = n
	}
	return offset, limit, nil
}

// knownComponent returns errs.Invalid on field unless component id exists.
func (s *Server) knownComponent(c echo.Context, field, id string) error {
	if id == "" {
		return errs.Invalidf(field, "is required")
	}
	_, err := s.incidents.Component(c.Request().Context(), id)
	if errs.CodeOf(err) == errs.NotFound {
		return errs.Invalidf(field, "unknown component %q", id)
	}
	return err
}

// ---- customers ----

// GET /api/v1/customers
func (s *Server) apiListCustomers(c echo.Context) error {
	list, err := s.desk.Accounts(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiList[desk.Account]{Items: nonNil(list), Total: len(list)})
}

// GET /api/v1/customers/:customer
func (s *Server) apiGetCustomer(c echo.Context) error {
	a, err := s.desk.Account(c.Request().Context(), c.Param("customer"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a)
}

type apiCustomerRequest struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	ExternalID string `json:"external_id"`
	Currency   string `json:"currency"`
	Email      string `json:"contact_email"`
}

func (r apiCustomerRequest) account() desk.Account {
	return desk.Account{ID: r.ID, Name: r.Name, ExternalID: r.ExternalID, Currency: r.Currency, Email: r.Email}
}

// POST /api/v1/customers
func (s *Server) apiCreateCustomer(c echo.Context) error {
	var req apiCustomerRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	a, err := s.desk.CreateAccount(c.Request().Context(), by(c), req.account(), s.now())
	if err != nil {
		return err
	}
	return created(c, "/api/v1/customers/"+a.ID, a)
}

// PUT /api/v1/customers/:customer (the body's id, if any, must match)
func (s *Server) apiUpdateCustomer(c echo.Context) error {
	var req apiCustomerRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	id := c.Param("customer")
	if req.ID != "" && req.ID != id {
		return errs.Invalidf("id", "%q does not match the customer in the path, %q", req.ID, id)
	}
	req.ID = id
	a, err := s.desk.UpdateAccount(c.Request().Context(), by(c), req.account(), s.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a)
}

// ---- resources ----

// GET /api/v1/customers/:customer/resources
func (s *Server) apiListResources(c echo.Context) error {
	ctx := c.Request().Context()
	if _, err := s.desk.Account(ctx, c.Param("customer")); err != nil {
		return err
	}
	list, err := s.desk.Resources(ctx, c.Param("customer"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiList[desk.AccountResource]{Items: nonNil(list), Total: len(list)})
}

type apiResourceRequest struct {
	Component string          `json:"component"`
	Count     *int64          `json:"count"`
	From      json.RawMessage `json:"from"`
	To        json.RawMessage `json:"to"`
}

func (r apiResourceRequest) resource(s *Server, c echo.Context) (desk.AccountResource, error) {
	out := desk.AccountResource{Customer: c.Param("customer"), Component: r.Component}
	if err := s.knownComponent(c, "component", r.Component); err != nil {
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

// POST /api/v1/customers/:customer/resources
func (s *Server) apiAddResource(c echo.Context) error {
	var req apiResourceRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.desk.Account(ctx, c.Param("customer")); err != nil {
		return err
	}
	r, err := req.resource(s, c)
	if err != nil {
		return err
	}
	if r, err = s.desk.AddResource(ctx, by(c), r, s.now()); err != nil {
		return err
	}
	return created(c, "/api/v1/customers/"+r.Customer+"/resources", r)
}

// PUT /api/v1/customers/:customer/resources/:id
func (s *Server) apiUpdateResource(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req apiResourceRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	r, err := req.resource(s, c)
	if err != nil {
		return err
	}
	r.ID = id
	if r, err = s.desk.UpdateResource(c.Request().Context(), by(c), r, s.now()); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

// ---- charges ----

// GET /api/v1/customers/:customer/charges?month=YYYY-MM
func (s *Server) apiListCharges(c echo.Context) error {
	ctx := c.Request().Context()
	month := c.QueryParam("month")
	if month != "" {
		if err := desk.CheckMonth("month", month); err != nil {
			return err
		}
	}
	if _, err := s.desk.Account(ctx, c.Param("customer")); err != nil {
		return err
	}
	list, err := s.desk.Charges(ctx, c.Param("customer"), month)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiList[desk.AccountCharge]{Items: nonNil(list), Total: len(list)})
}

// POST /api/v1/customers/:customer/charges: sets (or corrects) the charge
// of a component in a month. A currency other than the customer's is 422
// on "currency".
func (s *Server) apiPutCharge(c echo.Context) error {
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
	if _, err := s.desk.Account(ctx, c.Param("customer")); err != nil {
		return err
	}
	if err := s.knownComponent(c, "component", req.Component); err != nil {
		return err
	}
	if req.AmountMinor == nil {
		return errs.Invalidf("amount_minor", "is required")
	}
	ch, err := s.desk.PutCharge(ctx, by(c), desk.AccountCharge{Customer: c.Param("customer"), Component: req.Component,
		Month: req.Month, AmountMinor: *req.AmountMinor, Currency: req.Currency}, s.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ch)
}

// ---- claims ----

// GET /api/v1/customers/:customer/claims
func (s *Server) apiListClaims(c echo.Context) error {
	ctx := c.Request().Context()
	if _, err := s.desk.Account(ctx, c.Param("customer")); err != nil {
		return err
	}
	list, err := s.desk.Claims(ctx, c.Param("customer"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiList[desk.Claim]{Items: nonNil(list), Total: len(list)})
}

// POST /api/v1/customers/:customer/claims {"service", "month", "claimed_at"}:
// a claim after the deadline is recorded with "late": true.
func (s *Server) apiRecordClaim(c echo.Context) error {
	var req struct {
		Service   string          `json:"service"`
		Month     string          `json:"month"`
		ClaimedAt json.RawMessage `json:"claimed_at"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.desk.Account(ctx, c.Param("customer")); err != nil {
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
	if cl, err = s.desk.RecordClaim(ctx, by(c), cl, s.now()); err != nil {
		return err
	}
	return created(c, "/api/v1/customers/"+cl.Customer+"/claims", cl)
}

// ---- policies ----

// GET /api/v1/sla-policies
func (s *Server) apiListPolicies(c echo.Context) error {
	list, err := s.desk.Policies(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiList[desk.ServicePolicy]{Items: nonNil(list), Total: len(list)})
}

// GET /api/v1/sla-policies/:id
func (s *Server) apiGetPolicy(c echo.Context) error {
	p, err := s.desk.Policy(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// PUT /api/v1/sla-policies/:id: the spec's policy object plus "customer"
// (for an override), "timezone" and "requires_claim"; creates or replaces.
func (s *Server) apiPutPolicy(c echo.Context) error {
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), c.Request().Body, maxJSONBody))
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
	if err := s.knownService(ctx, "service", p.Service); err != nil {
		return err
	}
	if p, err = s.desk.PutPolicy(ctx, by(c), p, s.now()); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// ---- credit runs ----

// POST /api/v1/credit-runs {"month": "YYYY-MM"}: computes every customer's
// lines for a month that is over (in every time zone), from stored data as
// of now, and stores them as a previewed run.
//
// With {"incident": id} instead, it previews the goodwill of that resolved
// incident's approved grant for every eligible customer (see
// previewGoodwillRun in api_goodwill.go).
func (s *Server) apiPreviewCreditRun(c echo.Context) error {
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
		run, err = s.previewGoodwillRun(c, req.Incident)
	default:
		run, err = s.previewRun(c, req.Month)
	}
	if err != nil {
		return err
	}
	return created(c, "/api/v1/credit-runs/"+strconv.FormatInt(run.ID, 10), run)
}

type apiRun struct {
	Run desk.CreditRun `json:"run"`
	// Outstanding is what approving the run now would write, while it is
	// previewed or requested.
	Outstanding *desk.RunIssue `json:"outstanding,omitempty"`
	Lines       []desk.RunLine `json:"lines"`
	Offset      int            `json:"offset"`
	Limit       int            `json:"limit"`
}

// GET /api/v1/credit-runs/:id?offset=&limit=: the run, what approving it
// now would write (while it is previewed or requested), and a page of its
// lines.
func (s *Server) apiGetCreditRun(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	offset, limit, err := pageParams(c, 1000, 10000)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	run, err := s.desk.Run(ctx, id)
	if err != nil {
		return err
	}
	lines, _, err := s.desk.RunLines(ctx, id, desk.AllLines, offset, limit)
	if err != nil {
		return err
	}
	out := apiRun{Run: run, Lines: nonNil(lines), Offset: offset, Limit: limit}
	if run.State == desk.RunPreviewed || run.State == desk.RunRequested {
		pending, err := s.desk.Outstanding(ctx, id)
		if err != nil {
			return err
		}
		out.Outstanding = &pending
	}
	return c.JSON(http.StatusOK, out)
}

// POST /api/v1/credit-runs/:id/request
func (s *Server) apiRequestCreditRun(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	run, err := s.requestRun(c, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, run)
}

// POST /api/v1/credit-runs/:id/approve: 403 for the requester, 409 the
// second time; approval writes the ledger.
func (s *Server) apiApproveCreditRun(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	run, err := s.approveRun(c, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, run)
}

// POST /api/v1/credit-runs/:id/reject {"reason"}
func (s *Server) apiRejectCreditRun(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	run, err := s.rejectRun(c, id, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, run)
}

// ---- ledger ----

// GET /api/v1/ledger?customer=&period=&run=&offset=&limit=
func (s *Server) apiLedger(c echo.Context) error {
	offset, limit, err := pageParams(c, 100, 10000)
	if err != nil {
		return err
	}
	f, err := ledgerFilter(c)
	if err != nil {
		return err
	}
	f.Offset, f.Limit = offset, limit
	list, total, err := s.desk.Ledger(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiList[desk.LedgerEntry]{Items: nonNil(list), Total: total})
}

// ---- manual credits ----

// POST /api/v1/manual-credits {"customer", "amount_minor", "currency",
// "reason", "service", "month"}: issued at once up to the currency's
// threshold, else pending a manager's approval.
func (s *Server) apiCreateManualCredit(c echo.Context) error {
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
		if err := s.knownService(ctx, "service", req.Service); err != nil {
			return err
		}
	}
	m, err := s.desk.CreateManualCredit(ctx, by(c), desk.ManualCredit{Customer: req.Customer, AmountMinor: *req.AmountMinor,
		Currency: req.Currency, Reason: req.Reason, Service: req.Service, Month: req.Month}, s.now())
	if err != nil {
		return err
	}
	return created(c, "/api/v1/manual-credits/"+strconv.FormatInt(m.ID, 10), m)
}

// GET /api/v1/manual-credits/:id
func (s *Server) apiGetManualCredit(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	m, err := s.desk.ManualCredit(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

// POST /api/v1/manual-credits/:id/approve: 403 for the requester, 409 when decided.
func (s *Server) apiApproveManualCredit(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	m, err := s.desk.ApproveManualCredit(c.Request().Context(), by(c), id, s.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

// POST /api/v1/manual-credits/:id/reject: 409 when decided.
func (s *Server) apiRejectManualCredit(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	m, err := s.desk.RejectManualCredit(c.Request().Context(), by(c), id, s.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

// GET /api/v1/credit-settings: {"manual_approval_above": {"USD": 50000}}
func (s *Server) apiCreditSettings(c echo.Context) error {
	th, err := s.desk.ManualThresholds(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"manual_approval_above": th})
}

// PUT /api/v1/credit-settings/manual-approval-above/:currency {"above_minor": N}
func (s *Server) apiSetManualThreshold(c echo.Context) error {
	var req struct {
		AboveMinor *int64 `json:"above_minor"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.AboveMinor == nil {
		return errs.Invalidf("above_minor", "is required")
	}
	if err := s.desk.SetManualThreshold(c.Request().Context(), by(c), c.Param("currency"), *req.AboveMinor, s.now()); err != nil {
		return err
	}
	return s.apiCreditSettings(c)
}
