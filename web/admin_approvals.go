package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/templates"
	"github.com/amends/amends/web/form"
)

// What waits for a second person, where managers look: "Waiting for you"
// on /admin with a count in the admin navigation, "Waiting for a manager"
// for the one who asked, and a confirmation step before a run is issued.

var approvalNouns = map[desk.ApprovalKind][2]string{
	desk.ApprovalRun:       {"credit run", "credit runs"},
	desk.ApprovalGoodwill:  {"goodwill grant", "goodwill grants"},
	desk.ApprovalManual:    {"manual credit", "manual credits"},
	desk.ApprovalThreshold: {"threshold raise", "threshold raises"},
	desk.ApprovalNotices:   {"batch of personal notices", "batches of personal notices"},
}

// approvalsOf returns what waits for who's decision and what who asked
// for that waits for someone else.
func (s *Server) approvalsOf(ctx context.Context, who string) (forYou, yours []desk.Approval, err error) {
	all, err := s.desk.Approvals(ctx)
	if err != nil {
		return nil, nil, err
	}
	forYou, yours = desk.ApprovalsFor(all, who)
	return forYou, yours, nil
}

// waitingCount is how many requests wait for the signed-in manager or
// admin, for the admin navigation; 0 for other roles, or (logged) when
// they cannot be read, so that no page fails for a badge.
func (s *Server) waitingCount(c echo.Context) int {
	u := currentUser(c)
	if u == nil || !u.Role.AtLeast(auth.Manager) {
		return 0
	}
	forYou, _, err := s.approvalsOf(c.Request().Context(), by(c).Who())
	if err != nil {
		s.cfg.Logger.Warn("approvals waiting", "err", err)
		return 0
	}
	return len(forYou)
}

// adminApprovals is the admin home's two lists for the signed-in user.
func (s *Server) adminApprovals(c echo.Context) (templates.Approvals, error) {
	u := currentUser(c)
	v := templates.Approvals{Decides: u != nil && u.Role.AtLeast(auth.Manager)}
	if u == nil || !u.Role.AtLeast(auth.Support) {
		return v, nil
	}
	ctx := c.Request().Context()
	forYou, yours, err := s.approvalsOf(ctx, by(c).Who())
	if err != nil {
		return v, err
	}
	if !v.Decides {
		forYou = nil
	}
	forYouPays, err := s.withOutstanding(ctx, forYou)
	if err != nil {
		return v, err
	}
	yoursPays, err := s.withOutstanding(ctx, yours)
	if err != nil {
		return v, err
	}
	if v.Decides {
		counts := map[desk.ApprovalKind]int{}
		for _, a := range forYouPays {
			counts[a.Kind]++
			v.ForYou = append(v.ForYou, approvalRow(a.Approval, a.pays))
		}
		var parts []string
		for _, k := range []desk.ApprovalKind{desk.ApprovalRun, desk.ApprovalGoodwill, desk.ApprovalManual, desk.ApprovalThreshold, desk.ApprovalNotices} {
			if n := counts[k]; n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", n, approvalNouns[k][min(n-1, 1)]))
			}
		}
		v.Counts = strings.Join(parts, ", ")
	}
	for _, a := range yoursPays {
		v.Yours = append(v.Yours, approvalRow(a.Approval, a.pays))
	}
	return v, nil
}

// waiting is a request that waits for a second person with, for a credit
// run, what approving it would write now.
type waiting struct {
	desk.Approval
	pays *desk.RunIssue
}

// withOutstanding returns list with, for each credit run in it, what
// approving it would write now: desk.Store.Outstanding, the figure its
// page and its confirmation step show, computed only for these runs,
// which wait. A run decided since list was read is left out, as it no
// longer waits.
func (s *Server) withOutstanding(ctx context.Context, list []desk.Approval) ([]waiting, error) {
	out := make([]waiting, 0, len(list))
	for _, a := range list {
		w := waiting{Approval: a}
		if a.Kind == desk.ApprovalRun {
			iss, err := s.desk.Outstanding(ctx, a.ID)
			if errs.CodeOf(err) == errs.Conflict {
				continue
			}
			if err != nil {
				return nil, err
			}
			w.pays = &iss
		}
		out = append(out, w)
	}
	return out, nil
}

// approvalRow is a as the admin home lists it; pays is what approving a
// credit run would write now (desk.Store.Outstanding), nil for other
// requests.
func approvalRow(a desk.Approval, pays *desk.RunIssue) templates.ApprovalRow {
	r := templates.ApprovalRow{RequestedBy: a.RequestedBy, RequestedAt: viewTime(a.RequestedAt)}
	switch a.Kind {
	case desk.ApprovalRun:
		r.What = fmt.Sprintf("Credit run %d: %s tier credits, %d %s", a.ID, periodLabel(a.Period), a.Lines, plural(int64(a.Lines), "line", "lines"))
		if a.Incident != "" {
			r.What = fmt.Sprintf("Credit run %d: goodwill of incident %s, %d %s", a.ID, a.Incident, a.Lines, plural(int64(a.Lines), "line", "lines"))
		}
		r.URL = runPath(a.ID) + "/approve"
		if pays != nil {
			r.Pays = issueText(a.Totals, *pays)
		}
		if owed := totalsText(a.Totals); owed != "" {
			r.PaysNote = "Its lines owe " + owed
		}
	case desk.ApprovalGoodwill:
		r.What = fmt.Sprintf("Goodwill grant %d on incident %s: %d %s of usage", a.ID, a.Incident, a.Days, plural(a.Days, "day", "days"))
		r.URL = goodwillPath(a.ID) + "/approve"
		r.PaysNote = "Its goodwill run pays, approved apart"
	case desk.ApprovalManual:
		r.What = fmt.Sprintf("Manual credit %d for %s", a.ID, a.Customer)
		r.Pays, r.URL = desk.FormatMoney(a.AmountMinor, a.Currency), manualPath(a.ID, "approve")
	case desk.ApprovalThreshold:
		r.What = "Raise of the " + a.Currency + " manual-credit threshold to " + desk.FormatMoney(a.AmountMinor, a.Currency)
		r.URL = creditSettingsPath
	case desk.ApprovalNotices:
		r.What = fmt.Sprintf("Personal notices %d on incident %s: %d %s, %d %s", a.ID, a.Incident,
			a.Customers, plural(int64(a.Customers), "customer", "customers"), a.Messages, plural(int64(a.Messages), "message", "messages"))
		r.URL = noticeBatchPath(a.ID)
	}
	return r
}

// handleConfirmApproveRun shows "/admin/credits/runs/:id/approve": what
// approving the run pays, per currency, with its lines and what approving
// it now writes, and the button that issues it. Its requester gets 403
// with the page saying why; a run that is not requested, 409.
func (s *Server) handleConfirmApproveRun(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	run, err := s.desk.Run(ctx, id)
	if err != nil {
		return err
	}
	if run.State != desk.RunRequested {
		return errs.Conflictf("credit run %d is %s, not waiting for approval", id, run.State)
	}
	_, paying, err := s.desk.RunLines(ctx, id, desk.CreditingLines, 0, 1)
	if err != nil {
		return err
	}
	out, err := s.desk.Outstanding(ctx, id)
	if err != nil {
		return err
	}
	v := templates.ConfirmRunPage{
		Page: s.page(c, fmt.Sprintf("Approve credit run %d", run.ID), ""), Run: runRow(run),
		Lines:       fmt.Sprintf("%d %s, %d of them paying something.", run.Lines, plural(int64(run.Lines), "line", "lines"), paying),
		Outstanding: outstandingText(out), RequestedBy: run.RequestedBy,
	}
	for _, t := range run.Totals {
		v.Totals = append(v.Totals, templates.RunTotalRow{Currency: t.Currency, Credit: desk.FormatMoney(t.CreditMinor, t.Currency), Payable: desk.FormatMoney(t.PayableMinor, t.Currency)})
	}
	status := http.StatusOK
	if run.RequestedBy == by(c).Who() {
		v.Refused = fmt.Sprintf("You requested credit run %d, so another manager must approve it: no credit is paid on one person's say.", run.ID)
		status = http.StatusForbidden
	}
	return s.render(c, status, templates.ConfirmApproveRun(v))
}
