package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/templates"
	"github.com/amends/amends/web/form"
)

// The confirmation steps before a goodwill grant or a manual credit is
// approved, as a credit run has its own (handleConfirmApproveRun): what
// approving commits to pay per currency and to how many customers, and
// the button, or, for someone who may not approve it, 403 with the page
// saying why.

// refusal is why the signed-in person may not approve a, "" when they may
// (desk.Store.MayApprove: not its requester, nor an account made what it
// is by the requester or after the request).
func (s *Server) refusal(c echo.Context, a desk.Approval) (string, error) {
	may, err := s.desk.MayApprove(c.Request().Context(), by(c).Who(), []desk.Approval{a}, s.now())
	if err != nil {
		return "", err
	}
	if may[0] != nil {
		return errs.MessageOf(may[0]), nil
	}
	return "", nil
}

// handleConfirmApproveGoodwill shows "/admin/goodwill/:id/approve": what
// the grant's goodwill run would pay were it approved now, per currency
// and to how many customers (once the incident is resolved and its month
// over), the customers eligible per component, the grant's terms, and the
// button. 409 once it is approved or withdrawn.
func (s *Server) handleConfirmApproveGoodwill(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	g, err := s.desk.GoodwillGrant(ctx, id)
	if err != nil {
		return err
	}
	if g.State != desk.GoodwillPending {
		return errs.Conflictf("goodwill grant %d is %s, not waiting for approval", id, g.State)
	}
	services, err := s.incidents.Services(ctx)
	if err != nil {
		return err
	}
	serviceNames := map[string]string{}
	for _, svc := range services {
		serviceNames[svc.ID] = svc.Name
	}
	components, err := s.incidents.Components(ctx)
	if err != nil {
		return err
	}
	names := namesOf(components)
	row := goodwillRow(g, serviceNames, names)
	back, incident := incidentGoodwillPath(g.Incident), "Incident "+g.Incident
	if n, err := strconv.ParseInt(g.Incident, 10, 64); err == nil {
		if inc, err := s.incidents.Incident(ctx, n); err == nil {
			incident = inc.Title
		}
	}
	v := templates.ConfirmApprovalPage{
		Page: s.page(c, fmt.Sprintf("Approve goodwill grant %d", g.ID), ""), Title: fmt.Sprintf("Approve goodwill grant %d?", g.ID),
		BackURL: back, BackText: incident,
		Lede: fmt.Sprintf("Requested by %s. Approving it lets a goodwill credit run pay it; that run needs a second person again before anything is written to the ledger.", g.RequestedBy),
		Facts: []templates.Pair{
			{Name: "Incident", Value: incident},
			{Name: "Days of usage", Value: row.Days},
			{Name: "Services", Value: row.Services},
			{Name: "Scope", Value: row.Components},
			{Name: "Reason", Value: firstNonEmpty(g.Reason, "—")},
			{Name: "Requested", Value: g.RequestedBy + ", " + viewTime(g.RequestedAt).Text},
		},
		ActionURL: goodwillPath(g.ID) + "/approve", Button: fmt.Sprintf("Approve grant %d", g.ID),
	}
	counts, err := s.reports.GoodwillEligibility(ctx, g, s.now())
	if err != nil {
		return err
	}
	var parts []string
	for _, n := range counts {
		parts = append(parts, fmt.Sprintf("%s: %d %s", names.name(n.Component), n.Customers, plural(int64(n.Customers), "customer", "customers")))
	}
	if len(parts) > 0 {
		v.Facts = append(v.Facts, templates.Pair{Name: "Eligible per component", Value: strings.Join(parts, "; ")})
	}
	month, lines, lerr := s.reports.GoodwillGrantLines(ctx, g, s.now())
	switch {
	case lerr == nil:
		if v.Totals, v.Customers, err = lineTotals(lines); err != nil {
			return err
		}
		v.TotalsNote = fmt.Sprintf("As a goodwill run of %s previewed now would pay it, from the stored charges.", periodLabel(month))
	case errs.CodeOf(lerr) == errs.Invalid:
		v.TotalsNote = "The amounts are not known yet: " + errs.MessageOf(lerr) + ". They are computed when its goodwill run is previewed."
	default:
		return lerr
	}
	status := http.StatusOK
	if v.Refused, err = s.refusal(c, desk.Approval{Kind: desk.ApprovalGoodwill, ID: g.ID, RequestedBy: g.RequestedBy, RequestedAt: g.RequestedAt}); err != nil {
		return err
	}
	if v.Refused != "" {
		status = http.StatusForbidden
	}
	return s.render(c, status, templates.ConfirmApproval(v))
}

// lineTotals sums lines' payable amounts per currency, in currency order,
// and says how many customers they pay.
func lineTotals(lines []desk.RunLine) ([]templates.TotalRow, string, error) {
	sums := map[string]int64{}
	var currencies []string
	paid := map[string]bool{}
	for _, l := range lines {
		if _, ok := sums[l.Currency]; !ok {
			currencies = append(currencies, l.Currency)
		}
		sum, err := desk.AddMinor(sums[l.Currency], l.PayableMinor)
		if err != nil {
			return nil, "", err
		}
		sums[l.Currency] = sum
		if l.PayableMinor > 0 {
			paid[l.Customer] = true
		}
	}
	slices.Sort(currencies)
	out := make([]templates.TotalRow, len(currencies))
	for i, cur := range currencies {
		out[i] = templates.TotalRow{Currency: cur, Amount: desk.FormatMoney(sums[cur], cur)}
	}
	return out, fmt.Sprintf("%d %s would be paid.", len(paid), plural(int64(len(paid)), "customer", "customers")), nil
}

// handleConfirmApproveManual shows "/admin/credits/manual/:id/approve":
// the credit's amount and customer, what it is for, and the button. 409
// once it is decided.
func (s *Server) handleConfirmApproveManual(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	m, err := s.desk.ManualCredit(ctx, id)
	if err != nil {
		return err
	}
	if m.State != desk.ManualPending {
		return errs.Conflictf("manual credit %d is %s, not waiting for approval", id, m.State)
	}
	customer := m.Customer
	if a, err := s.desk.Account(ctx, m.Customer); err == nil {
		customer = a.Name + " (" + a.ID + ")"
	}
	v := templates.ConfirmApprovalPage{
		Page: s.page(c, fmt.Sprintf("Approve manual credit %d", m.ID), ""), Title: fmt.Sprintf("Approve manual credit %d?", m.ID),
		BackURL: manualCreditsPath + "?state=pending", BackText: "Manual credits",
		Lede:   fmt.Sprintf("Requested by %s. Approving it writes the ledger at once; a correction is a later adjustment, never an edit.", m.RequestedBy),
		Totals: []templates.TotalRow{{Currency: m.Currency, Amount: desk.FormatMoney(m.AmountMinor, m.Currency)}}, Customers: "1 customer would be paid: " + customer + ".",
		Facts: []templates.Pair{
			{Name: "Customer", Value: customer},
			{Name: "For", Value: firstNonEmpty(strings.TrimSpace(m.Service+" "+periodLabel(m.Month)), "—")},
			{Name: "Reason", Value: m.Reason},
			{Name: "Requested", Value: m.RequestedBy + ", " + viewTime(m.RequestedAt).Text},
		},
		ActionURL: manualPath(m.ID, "approve"), Button: fmt.Sprintf("Approve and issue credit %d", m.ID),
	}
	status := http.StatusOK
	if v.Refused, err = s.refusal(c, desk.Approval{Kind: desk.ApprovalManual, ID: m.ID, RequestedBy: m.RequestedBy, RequestedAt: m.RequestedAt}); err != nil {
		return err
	}
	if v.Refused != "" {
		status = http.StatusForbidden
	}
	return s.render(c, status, templates.ConfirmApproval(v))
}
