package web

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/templates"
	"github.com/amends/amends/web/form"
)

// The goodwill section of the admin incident page: the incident's grants,
// and the forms to request one (support), approve the pending one (a
// manager who did not request it), withdraw it (its requester or a
// manager) and preview the goodwill run of an approved grant once the
// incident is resolved. They check and act as the JSON API does (web/api):
// report's checks and previews, then the desk store.

var goodwillStateLabels = map[desk.GoodwillState]string{
	desk.GoodwillPending: "Pending approval", desk.GoodwillApproved: "Approved", desk.GoodwillWithdrawn: "Withdrawn",
}

func goodwillPath(id int64) string { return "/admin/goodwill/" + strconv.FormatInt(id, 10) }

func incidentGoodwillPath(incident string) string {
	return "/admin/incidents/" + incident + "#goodwill"
}

// goodwillForm is what the request form posted, to show it again.
type goodwillForm struct {
	days, reason                   string
	services, components, eligible []string
	allComponents                  bool
}

// goodwillSection builds the goodwill part of inc's admin page for the
// viewer, with the request form holding form, from the services and
// components view (adminIncidentView) read.
func (s *Server) goodwillSection(c echo.Context, inc incidents.Incident, view adminIncident, form goodwillForm) (templates.GoodwillSection, error) {
	grants, err := s.desk.GoodwillGrants(c.Request().Context(), strconv.FormatInt(inc.ID, 10))
	if err != nil {
		return templates.GoodwillSection{}, err
	}
	services, components, serviceNames := view.serviceList, view.componentsList, view.services
	names := namesOf(components)
	u := currentUser(c)
	support, manager := u.Role.AtLeast(auth.Support), u.Role.AtLeast(auth.Manager)
	var v templates.GoodwillSection
	live := false
	for _, g := range grants {
		row := goodwillRow(g, serviceNames, names)
		if g.Live() {
			counts, err := s.reports.GoodwillEligibility(c.Request().Context(), g, s.now())
			if err != nil {
				return templates.GoodwillSection{}, err
			}
			parts := make([]string, len(counts))
			for i, n := range counts {
				parts[i] = fmt.Sprintf("%s: %d %s", names.name(n.Component), n.Customers, plural(int64(n.Customers), "customer", "customers"))
			}
			row.Eligible = strings.Join(parts, "; ")
		}
		if g.State == desk.GoodwillPending {
			own := g.RequestedBy == u.Email
			row.CanApprove = manager && !own
			row.OwnRequest = manager && own
			row.CanWithdraw = support && (own || manager)
			v.Pending = &row
		}
		if g.State == desk.GoodwillApproved && !inc.Active() && support {
			v.PreviewIncident = strconv.FormatInt(inc.ID, 10)
		}
		live = live || g.Live()
		v.Grants = append(v.Grants, row)
	}
	switch {
	case v.Pending != nil && !v.Pending.CanApprove && !v.Pending.CanWithdraw && !v.Pending.OwnRequest:
		v.Note = "The pending grant waits for a manager who did not request it."
	case v.PreviewIncident == "" && inc.Active() && !live && support:
		v.Note = "Goodwill may be requested now; it is paid once the incident is resolved and the grant approved."
	case v.PreviewIncident == "" && inc.Active() && live:
		v.Note = "Its goodwill credits can be previewed once the incident is resolved."
	}
	v.CanRequest = support && !live
	v.Days, v.Reason, v.AllComponents = form.days, form.reason, form.allComponents
	affected, err := s.reports.AffectedComponents(c.Request().Context(), inc, nil)
	if err != nil {
		return templates.GoodwillSection{}, err
	}
	for i, id := range affected {
		affected[i] = names.name(id)
	}
	v.Affected = strings.Join(affected, ", ")
	for _, svc := range services {
		gs := templates.GoodwillService{ID: svc.ID, Name: svc.Name, Checked: slices.Contains(form.services, svc.ID)}
		for _, comp := range components {
			if comp.Service == svc.ID {
				gs.Components = append(gs.Components, templates.Option{Value: comp.ID, Label: comp.Name, Selected: slices.Contains(form.components, comp.ID)})
				gs.Eligible = append(gs.Eligible, templates.Option{Value: comp.ID, Label: comp.Name, Selected: slices.Contains(form.eligible, comp.ID)})
			}
		}
		v.Services = append(v.Services, gs)
	}
	return v, nil
}

func goodwillRow(g desk.GoodwillGrant, serviceNames map[string]string, names componentNames) templates.GoodwillRow {
	svcs := make([]string, len(g.Services))
	for i, id := range g.Services {
		svcs[i] = firstNonEmpty(serviceNames[id], id)
	}
	scope := "every component of them"
	if len(g.Components) > 0 {
		comps := make([]string, len(g.Components))
		for i, id := range g.Components {
			comps[i] = names.name(id)
		}
		scope = "in " + strings.Join(comps, ", ")
	}
	if len(g.EligibleComponents) > 0 {
		comps := make([]string, len(g.EligibleComponents))
		for i, id := range g.EligibleComponents {
			comps[i] = names.name(id)
		}
		scope += "; for customers with a resource in " + strings.Join(comps, ", ")
	}
	row := templates.GoodwillRow{
		ID: strconv.FormatInt(g.ID, 10), Days: fmt.Sprintf("%d %s", g.Days, plural(g.Days, "day", "days")),
		Services: strings.Join(svcs, ", "), Components: scope, Reason: g.Reason,
		State:       templates.StatusBadge{Class: string(g.State), Label: goodwillStateLabels[g.State]},
		RequestedBy: g.RequestedBy, RequestedAt: viewTime(g.RequestedAt),
		ApproveURL: goodwillPath(g.ID) + "/approve", WithdrawURL: goodwillPath(g.ID) + "/withdraw",
	}
	switch {
	case g.ApprovedAt != nil:
		row.DecidedBy, row.DecidedAt = g.ApprovedBy, viewTimePtr(g.ApprovedAt)
	case g.WithdrawnAt != nil:
		row.DecidedBy, row.DecidedAt, row.WithdrawReason = g.WithdrawnBy, viewTimePtr(g.WithdrawnAt), g.WithdrawReason
	}
	return row
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

var goodwillListField = regexp.MustCompile(`^(services|components|eligible_components)\[\d+\]$`)

// handleRequestGoodwill requests a grant from the incident page's form
// (support and above); bad input shows the page again with the error at
// its field, and stores nothing.
func (s *Server) handleRequestGoodwill(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	inc, err := s.incidents.Incident(ctx, id)
	if err != nil {
		return err
	}
	params, err := c.FormParams()
	if err != nil {
		return errs.Malformedf("", "the form could not be read: %v", err)
	}
	typed := goodwillForm{days: strings.TrimSpace(c.FormValue("days")), reason: strings.TrimSpace(c.FormValue("reason")),
		services: params["services"], components: params["components"], eligible: params["eligible_components"],
		allComponents: c.FormValue("all_components") != ""}
	var g desk.GoodwillGrant
	days, perr := strconv.ParseInt(typed.days, 10, 64)
	if perr != nil {
		err = errs.Invalidf("days", "%q is not a whole number of days", typed.days)
		if typed.days == "" {
			err = errs.Invalidf("days", "is required")
		}
	} else {
		g, err = s.reports.CheckGoodwill(ctx, id, desk.GoodwillGrant{Days: days, Services: typed.services, Components: typed.components,
			EligibleComponents: typed.eligible, Reason: typed.reason}, typed.allComponents, s.now())
		if err == nil {
			g, err = s.desk.RequestGoodwill(ctx, by(c), g, s.now())
		}
	}
	if err != nil {
		if code := errs.CodeOf(err); code != errs.Invalid && code != errs.Conflict {
			return err
		}
		v, verr := s.adminIncidentPage(c, inc, typed)
		if verr != nil {
			return verr
		}
		v.Goodwill.Error = form.Error(err, func(field string) string {
			if m := goodwillListField.FindStringSubmatch(field); m != nil {
				return m[1]
			}
			return field
		})
		return s.render(c, statusOf(err), templates.AdminIncident(v))
	}
	return c.Redirect(http.StatusSeeOther, incidentGoodwillPath(g.Incident))
}

// handleApproveGoodwill approves a pending grant (managers): 403 for its
// requester, 409 once it is approved or withdrawn; then back to its incident.
func (s *Server) handleApproveGoodwill(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	g, err := s.desk.ApproveGoodwill(c.Request().Context(), by(c), id, s.now())
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, incidentGoodwillPath(g.Incident))
}

// handleWithdrawGoodwill withdraws a pending grant with the form's reason
// (its requester or a manager): without a reason the incident page is
// shown again with the error at it; 403 for anyone else, 409 once the
// grant is approved or withdrawn.
func (s *Server) handleWithdrawGoodwill(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	reason := c.FormValue("reason")
	// Its requester may withdraw it, and so may anyone of the manager's
	// role or above.
	manager := currentUser(c) != nil && currentUser(c).Role.AtLeast(auth.Manager)
	g, werr := s.desk.WithdrawGoodwill(c.Request().Context(), by(c), id, manager, reason, s.now())
	if werr == nil {
		return c.Redirect(http.StatusSeeOther, incidentGoodwillPath(g.Incident))
	}
	if errs.CodeOf(werr) != errs.Invalid {
		return werr
	}
	ctx := c.Request().Context()
	if g, err = s.desk.GoodwillGrant(ctx, id); err != nil {
		return err
	}
	incID, perr := strconv.ParseInt(g.Incident, 10, 64)
	if perr != nil {
		return fmt.Errorf("goodwill grant %d names incident %q", g.ID, g.Incident)
	}
	inc, ierr := s.incidents.Incident(ctx, incID)
	if ierr != nil {
		return ierr
	}
	v, verr := s.adminIncidentPage(c, inc, goodwillForm{})
	if verr != nil {
		return verr
	}
	v.Goodwill.WithdrawReason = strings.TrimSpace(reason)
	v.Goodwill.WithdrawError = form.Error(werr, nil)
	return s.render(c, statusOf(werr), templates.AdminIncident(v))
}
