package web

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/templates"
	"github.com/amends/amends/web/form"
)

// The credit desk's admin pages: credit runs (preview, request, approve,
// reject), the ledger, and their CSV exports. They call the same actions
// as the JSON API (web/api): report's previews and the desk store's.

const (
	runsPerPage     = 50
	runLinesPerPage = 500
	ledgerPerPage   = 100
	csvBatch        = 5000
)

var runStateLabels = map[desk.RunState]string{
	desk.RunPreviewed: "Previewed", desk.RunRequested: "Requested", desk.RunIssued: "Approved and issued", desk.RunRejected: "Rejected",
}

var claimLabels = map[desk.ClaimStatus]string{
	desk.ClaimNotRequired: "not required", desk.ClaimInTime: "claimed in time", desk.ClaimLate: "claimed late", desk.ClaimMissing: "not claimed",
}

func runPath(id int64) string { return "/admin/credits/runs/" + strconv.FormatInt(id, 10) }

func customerPath(id string) string { return "/admin/customers/" + url.PathEscape(id) }

func totalsText(ts []desk.RunTotal) string {
	var parts []string
	for _, t := range ts {
		parts = append(parts, desk.FormatMoney(t.PayableMinor, t.Currency))
	}
	return strings.Join(parts, ", ")
}

// entriesText says how many ledger entries pay what in all: "1 ledger
// entry paying 250.00 USD", "3 ledger entries paying 13.50 EUR and
// 189.00 USD in all".
func entriesText(n int, ts []desk.RunTotal) string {
	s := fmt.Sprintf("%d ledger entries", n)
	if n == 1 {
		s = "1 ledger entry"
	}
	var parts []string
	for _, t := range ts {
		parts = append(parts, desk.FormatMoney(t.PayableMinor, t.Currency))
	}
	if len(parts) == 0 {
		return s
	}
	list := parts[0]
	if k := len(parts); k > 1 {
		list = strings.Join(parts[:k-1], ", ") + " and " + parts[k-1]
	}
	if n == 1 {
		return s + " paying " + list
	}
	return s + " paying " + list + " in all"
}

// periodLabel is a billing month as people say it, "December 2012"; any
// other text as it is.
func periodLabel(p string) string {
	if m, err := time.Parse("2006-01", p); err == nil {
		return m.Format("January 2006")
	}
	return p
}

func runRow(r desk.CreditRun) templates.RunRow {
	kind := "Tier credits"
	if r.Kind == desk.RunIncident {
		kind = "Goodwill of incident " + r.Incident
	}
	row := templates.RunRow{
		ID: strconv.FormatInt(r.ID, 10), URL: runPath(r.ID), Period: periodLabel(r.Period), Kind: kind,
		State: templates.StatusBadge{Class: string(r.State), Label: runStateLabels[r.State]},
		Lines: strconv.Itoa(r.Lines), Owed: totalsText(r.Totals), Paid: "Not issued",
		PreviewedBy: r.PreviewedBy, PreviewedAt: viewTime(r.PreviewedAt),
	}
	if r.State == desk.RunIssued && r.Issued != nil {
		row.Paid, row.Issued = paidText(r), true
	}
	return row
}

// paidText is what an issued run wrote to the ledger (its Issued, the sum
// of its entries) by currency, with a zero in each currency its lines owe
// in that it wrote nothing in: "0.00 USD" for a second run of a month the
// first paid; "Nothing" for a run without lines or entries.
func paidText(r desk.CreditRun) string { return issueText(r.Totals, *r.Issued) }

// issueText is what iss, the entries a run wrote or would write, sums to
// by currency, with a zero in each currency of owed, what the run's lines
// owe, that it holds nothing in: "0.00 USD" for a second run of a month
// the first paid; "Nothing" when both are empty.
func issueText(owed []desk.RunTotal, iss desk.RunIssue) string {
	paid := map[string]int64{}
	for _, t := range owed {
		paid[t.Currency] = 0
	}
	for _, t := range iss.Totals {
		paid[t.Currency] = t.PayableMinor
	}
	if len(paid) == 0 {
		return "Nothing"
	}
	var parts []string
	for _, cur := range slices.Sorted(maps.Keys(paid)) {
		parts = append(parts, desk.FormatMoney(paid[cur], cur))
	}
	return strings.Join(parts, ", ")
}

// handleCreditRuns shows "/admin/credits": the runs, newest first.
func (s *Server) handleCreditRuns(c echo.Context) error {
	return s.renderCreditRuns(c, http.StatusOK, templates.CreditRunsPage{})
}

func (s *Server) renderCreditRuns(c echo.Context, status int, v templates.CreditRunsPage) error {
	page, err := form.Page(c)
	if err != nil {
		return err
	}
	runs, total, err := s.desk.Runs(c.Request().Context(), (page-1)*runsPerPage, runsPerPage)
	if err != nil {
		return err
	}
	if err := form.PageHeld("page", "the credit runs", page, runsPerPage, total); err != nil {
		return err
	}
	v.Page = s.page(c, "Credit runs", "")
	v.CanPreview = currentUser(c).Role.AtLeast(auth.Support)
	if v.CanPreview {
		if v.Incidents, err = s.goodwillIncidentOptions(c.Request().Context(), v.Incident); err != nil {
			return err
		}
	}
	for _, r := range runs {
		v.Runs = append(v.Runs, runRow(r))
	}
	v.Pagination = pagesOf("/admin/credits", c.QueryParams(), newestFirst, page, runsPerPage, total)
	return s.render(c, status, templates.CreditRuns(v))
}

// goodwillIncidentOptions are the resolved incidents with an approved
// goodwill grant, newest first, for the goodwill preview's picker, with
// selected chosen; none when there are no such incidents.
func (s *Server) goodwillIncidentOptions(ctx context.Context, selected string) ([]templates.Option, error) {
	grants, err := s.desk.GoodwillGrants(ctx, "")
	if err != nil {
		return nil, err
	}
	// The incidents of approved grants, newest grant first, read at once.
	var order []string
	var ids []int64
	seen := map[string]bool{}
	for i := len(grants) - 1; i >= 0; i-- {
		g := grants[i]
		if g.State != desk.GoodwillApproved || seen[g.Incident] {
			continue
		}
		seen[g.Incident] = true
		id, err := strconv.ParseInt(g.Incident, 10, 64)
		if err != nil {
			continue
		}
		order, ids = append(order, g.Incident), append(ids, id)
	}
	heads, err := s.incidents.IncidentHeads(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []templates.Option
	for i, id := range ids {
		inc, ok := heads[id]
		if !ok || inc.Active() {
			continue
		}
		out = append(out, templates.Option{Value: order[i], Label: "Incident " + order[i] + ", " + inc.StartedAt.UTC().Format("2 Jan 2006") + ": " + inc.Title})
	}
	return withOption(out, selected), nil
}

// handlePreviewRun previews a month, or with "incident" an incident's
// goodwill (support and above), and shows the run.
func (s *Server) handlePreviewRun(c echo.Context) error {
	month := strings.TrimSpace(c.FormValue("month"))
	incident := strings.TrimSpace(c.FormValue("incident"))
	var run desk.CreditRun
	var err error
	switch {
	case incident != "" && month != "":
		err = errs.Invalidf("incident", "give either a month or an incident, not both")
	case incident != "":
		id, perr := strconv.ParseInt(incident, 10, 64)
		if perr != nil || id <= 0 {
			err = errs.Invalidf("incident", "%q is not an incident number", incident)
		} else {
			run, err = s.reports.PreviewGoodwillRun(c.Request().Context(), by(c), id, s.now())
		}
	default:
		run, err = s.reports.PreviewRun(c.Request().Context(), by(c), month, s.now())
	}
	if err != nil {
		if code := errs.CodeOf(err); code != errs.Invalid && code != errs.Conflict {
			return err
		}
		v := templates.CreditRunsPage{Month: month, Incident: incident, Error: form.Error(err, nil)}
		if incident != "" {
			v.ErrorFor = "incident"
		}
		return s.renderCreditRuns(c, statusOf(err), v)
	}
	return c.Redirect(http.StatusSeeOther, runPath(run.ID))
}

// handleCreditRun shows "/admin/credits/runs/:id": the run, its totals and
// a page of its lines, with the forms the viewer may use.
func (s *Server) handleCreditRun(c echo.Context) error {
	if strings.HasSuffix(c.Param("id"), ".csv") {
		return s.handleRunCSV(c)
	}
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	page, err := form.Page(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	run, err := s.desk.Run(ctx, id)
	if err != nil {
		return err
	}
	// Lines that credit something come first: by default, when any does,
	// only they are listed, and the full list is a link away.
	credits := false
	for _, t := range run.Totals {
		credits = credits || t.CreditMinor != 0
	}
	only := credits && c.QueryParam("lines") != "all"
	filter := desk.AllLines
	if only {
		filter = desk.CreditingLines
	}
	lines, total, err := s.desk.RunLines(ctx, id, filter, (page-1)*runLinesPerPage, runLinesPerPage)
	if err != nil {
		return err
	}
	what := "this run's lines"
	if only {
		what = "this run's lines that credit something"
	}
	if err := form.PageHeld("page", what, page, runLinesPerPage, total); err != nil {
		return err
	}
	accounts, err := s.desk.Accounts(ctx)
	if err != nil {
		return err
	}
	names := make(map[string]string, len(accounts))
	for _, a := range accounts {
		names[a.ID] = a.Name
	}
	u := currentUser(c)
	v := templates.CreditRunPage{
		Page: s.page(c, fmt.Sprintf("Credit run %d: %s", run.ID, periodLabel(run.Period)), ""), Run: runRow(run),
		CSVURL:     runPath(run.ID) + ".csv",
		CanRequest: run.State == desk.RunPreviewed && u.Role.AtLeast(auth.Support),
		CanDecide:  run.State == desk.RunRequested && u.Role.AtLeast(auth.Manager),
		Pagination: pagesOf(runPath(run.ID), c.QueryParams(), inOrder, page, runLinesPerPage, total),
	}
	if run.Kind == desk.RunIncident {
		v.IncidentURL = incidentGoodwillPath(run.Incident)
	}
	if run.State == desk.RunRequested && run.RequestedBy == by(c).Who() {
		// The requester cannot approve it; tell them who must.
		v.CanDecide = false
		v.WaitingNote = "Waiting for a manager: you requested this run, so another manager must approve it."
	}
	v.Steps = append(v.Steps, templates.RunStep{What: "Previewed", Who: run.PreviewedBy, At: viewTime(run.PreviewedAt)})
	if run.RequestedAt != nil {
		v.Steps = append(v.Steps, templates.RunStep{What: "Requested", Who: run.RequestedBy, At: viewTimePtr(run.RequestedAt)})
	}
	if run.ApprovedAt != nil {
		v.Steps = append(v.Steps, templates.RunStep{What: "Approved and issued", Who: run.ApprovedBy, At: viewTimePtr(run.ApprovedAt)})
		v.LedgerURL = "/admin/credits/ledger?run=" + strconv.FormatInt(run.ID, 10)
	}
	if run.RejectedAt != nil {
		v.Steps = append(v.Steps, templates.RunStep{What: "Rejected (" + run.RejectReason + ")", Who: run.RejectedBy, At: viewTimePtr(run.RejectedAt)})
	}
	for _, t := range run.Totals {
		v.Totals = append(v.Totals, templates.RunTotalRow{Currency: t.Currency, Credit: desk.FormatMoney(t.CreditMinor, t.Currency), Payable: desk.FormatMoney(t.PayableMinor, t.Currency)})
	}
	if run.Issued != nil {
		v.Issued = entriesText(run.Issued.Entries, run.Issued.Totals) + "."
	}
	if credits {
		v.LinesFilter = templates.RunLinesFilter{Only: only, AllURL: runPath(run.ID) + "?lines=all", OnlyURL: runPath(run.ID),
			Shown: fmt.Sprintf("%d of %d lines credit something.", total, run.Lines)}
		if only && total == 1 {
			v.LinesFilter.Shown = fmt.Sprintf("1 of %d lines credits something.", run.Lines)
		}
		if !only {
			v.LinesFilter.Shown = fmt.Sprintf("All %d lines.", run.Lines)
		}
	}
	if run.State == desk.RunPreviewed || run.State == desk.RunRequested {
		out, err := s.desk.Outstanding(ctx, run.ID)
		if err != nil {
			return err
		}
		v.Outstanding = outstandingText(out)
	}
	gw, err := s.goodwillLinesOf(ctx, run)
	if err != nil {
		return err
	}
	eligible, err := s.goodwillRunEligibility(ctx, &v, run, gw, lines)
	if err != nil {
		return err
	}
	for _, l := range lines {
		name := names[l.Customer]
		if name == "" {
			name = l.Customer
		}
		row := templates.RunLineRow{
			Customer: l.Customer, CustomerName: name, CustomerURL: customerPath(l.Customer), Service: l.Service,
			Uptime: l.Uptime + "%", Downtime: l.Downtime + " s", CreditPercent: l.CreditPercent.String() + "%",
			Charges: desk.FormatMoney(l.ChargesMinor, l.Currency), Credit: desk.FormatMoney(l.CreditMinor, l.Currency),
			Payable: desk.FormatMoney(l.PayableMinor, l.Currency), Claim: claimLabels[l.Claim], Reason: l.Reason,
		}
		if run.Kind == desk.RunIncident {
			// Days of usage: no uptime, no tier.
			row.Service, row.Uptime, row.Downtime, row.CreditPercent = gw.Services, "—", "—", "—"
			row.Reason, row.ReasonDetail = gw.Short, l.Reason
			row.Eligible = eligible[l.Customer]
		}
		v.Lines = append(v.Lines, row)
	}
	return s.render(c, http.StatusOK, templates.CreditRun(v))
}

// outstandingText says what approving a run now pays, given what the
// ledger already holds.
func outstandingText(out desk.RunIssue) string {
	if out.Entries == 0 {
		return "Approving it now pays nothing: the ledger already holds what this run owes."
	}
	return "Approving it now writes " + entriesText(out.Entries, out.Totals) + ": what this run owes, less what the ledger already holds."
}

// runAction is a POST on a run: the action, then back to the run's page.
func (s *Server) runAction(act func(c echo.Context, id int64) (desk.CreditRun, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := form.PathID(c)
		if err != nil {
			return err
		}
		if _, err := act(c, id); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, runPath(id))
	}
}

// handleRequestRun asks for the run to be paid.
func (s *Server) handleRequestRun(c echo.Context) error {
	return s.runAction(func(c echo.Context, id int64) (desk.CreditRun, error) {
		return s.desk.RequestRun(c.Request().Context(), by(c), id, s.now())
	})(c)
}

// handleApproveRun approves and issues the run: 403 for its requester,
// 409 the second time.
func (s *Server) handleApproveRun(c echo.Context) error {
	return s.runAction(func(c echo.Context, id int64) (desk.CreditRun, error) {
		return s.desk.ApproveRun(c.Request().Context(), by(c), id, s.now())
	})(c)
}

// handleRejectRun refuses the run with the form's reason.
func (s *Server) handleRejectRun(c echo.Context) error {
	return s.runAction(func(c echo.Context, id int64) (desk.CreditRun, error) {
		return s.desk.RejectRun(c.Request().Context(), by(c), id, c.FormValue("reason"), s.now())
	})(c)
}

// startCSV sets the headers of a CSV download called name and returns a
// writer on the response (see csv.go: text cells go through csvText).
func startCSV(c echo.Context, name string) *csvWriter {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "private, no-store")
	c.Response().WriteHeader(http.StatusOK)
	return newCSVWriter(c.Response())
}

// runCSVHeader is the header of a run's CSV export.
var runCSVHeader = []string{"run", "period", "customer", "service", "policy", "currency", "uptime_percent", "downtime_seconds",
	"credit_percent", "charges_minor", "credit_minor", "payable_minor", "claim", "claim_deadline", "reason"}

// handleRunCSV is "/admin/credits/runs/:id.csv": every line of a run.
func (s *Server) handleRunCSV(c echo.Context) error {
	raw := strings.TrimSuffix(c.Param("id"), ".csv")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 || raw == c.Param("id") {
		return errs.NotFoundf("no such page")
	}
	ctx := c.Request().Context()
	run, err := s.desk.Run(ctx, id)
	if err != nil {
		return err
	}
	first, total, err := s.desk.RunLines(ctx, id, desk.AllLines, 0, csvBatch)
	if err != nil {
		return err
	}
	gw, err := s.goodwillLinesOf(ctx, run)
	if err != nil {
		return err
	}
	w := startCSV(c, fmt.Sprintf("credit-run-%d-%s.csv", run.ID, run.Period))
	w.Write(runCSVHeader)
	lines := first
	for offset := 0; ; {
		for _, l := range lines {
			service, uptime, downtime, pct := l.Service, l.Uptime, l.Downtime, l.CreditPercent.String()
			if run.Kind == desk.RunIncident {
				// A goodwill line: the credited services, and no uptime or tier.
				service, uptime, downtime, pct = gw.Services, "", "", ""
			}
			w.Write([]string{strconv.FormatInt(run.ID, 10), run.Period, csvText(l.Customer), csvText(service), csvText(l.Policy), l.Currency,
				uptime, downtime, pct, strconv.FormatInt(l.ChargesMinor, 10), strconv.FormatInt(l.CreditMinor, 10),
				strconv.FormatInt(l.PayableMinor, 10), string(l.Claim), l.ClaimDeadline.UTC().Format("2006-01-02T15:04:05Z"), csvText(l.Reason)})
		}
		offset += len(lines)
		if len(lines) == 0 || offset >= total {
			break
		}
		if lines, _, err = s.desk.RunLines(ctx, id, desk.AllLines, offset, csvBatch); err != nil {
			return err // the status is sent; the body stops short
		}
	}
	return w.Flush()
}

func ledgerRow(e desk.LedgerEntry) templates.LedgerRow {
	r := templates.LedgerRow{
		ID: strconv.FormatInt(e.ID, 10), Customer: e.Customer, CustomerURL: customerPath(e.Customer),
		Amount: desk.FormatMoney(e.AmountMinor, e.Currency), Kind: string(e.Kind), Service: e.Service, Period: e.Period,
		Reason: e.Reason, Actor: e.Actor, At: viewTime(e.CreatedAt),
	}
	if e.Kind == desk.EntryAdjustment {
		r.Kind = "adjustment of " + string(e.CreditKind)
	}
	if e.RunID != 0 {
		r.Run, r.RunURL = strconv.FormatInt(e.RunID, 10), runPath(e.RunID)
	}
	return r
}

// handleLedger shows "/admin/credits/ledger" with its filters (see
// report.Reports.CheckLedgerFilter).
func (s *Server) handleLedger(c echo.Context) error {
	f, err := form.LedgerFilter(c)
	if err != nil {
		return err
	}
	if err := s.reports.CheckLedgerFilter(c.Request().Context(), f); err != nil {
		return err
	}
	page, err := form.Page(c)
	if err != nil {
		return err
	}
	f.Offset, f.Limit = (page-1)*ledgerPerPage, ledgerPerPage
	list, total, err := s.desk.Ledger(c.Request().Context(), f)
	if err != nil {
		return err
	}
	if err := form.PageHeld("page", "the ledger entries that match", page, ledgerPerPage, total); err != nil {
		return err
	}
	v := templates.LedgerPage{Page: s.page(c, "Ledger", ""), Customer: f.Customer, Period: f.Period, Run: c.QueryParam("run"),
		Total: entriesCount(total), Pagination: pagesOf("/admin/credits/ledger", c.QueryParams(), inOrder, page, ledgerPerPage, total)}
	if v.Customers, err = s.customerPicker(c.Request().Context(), "Any customer", f.Customer); err != nil {
		return err
	}
	q := c.QueryParams()
	q.Del("page")
	v.CSVURL = "/admin/credits/ledger.csv"
	if enc := q.Encode(); enc != "" {
		v.CSVURL += "?" + enc
	}
	for _, e := range list {
		v.Entries = append(v.Entries, ledgerRow(e))
	}
	return s.render(c, http.StatusOK, templates.Ledger(v))
}

var ledgerCSVHeader = []string{"id", "created_at", "customer", "currency", "amount_minor", "kind", "credit_kind", "service", "period",
	"incident", "run", "manual_credit", "adjusts", "reason", "actor"}

// handleLedgerCSV is "/admin/credits/ledger.csv": every entry the filters select.
func (s *Server) handleLedgerCSV(c echo.Context) error {
	f, err := form.LedgerFilter(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := s.reports.CheckLedgerFilter(ctx, f); err != nil {
		return err
	}
	f.Limit = csvBatch
	list, total, err := s.desk.Ledger(ctx, f)
	if err != nil {
		return err
	}
	w := startCSV(c, "ledger.csv")
	w.Write(ledgerCSVHeader)
	id := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	for {
		for _, e := range list {
			adj := make([]string, len(e.Adjusts))
			for i, a := range e.Adjusts {
				adj[i] = strconv.FormatInt(a, 10)
			}
			w.Write([]string{strconv.FormatInt(e.ID, 10), e.CreatedAt.UTC().Format("2006-01-02T15:04:05Z"), csvText(e.Customer), e.Currency,
				strconv.FormatInt(e.AmountMinor, 10), string(e.Kind), string(e.CreditKind), csvText(e.Service), e.Period, csvText(e.Incident),
				id(e.RunID), id(e.ManualID), strings.Join(adj, " "), csvText(e.Reason), csvText(e.Actor)})
		}
		f.Offset += len(list)
		if len(list) == 0 || f.Offset >= total {
			break
		}
		if list, _, err = s.desk.Ledger(ctx, f); err != nil {
			return err
		}
	}
	return w.Flush()
}
