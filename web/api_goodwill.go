package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
)

// Goodwill grants on incidents ("N days of usage of these services in
// these components"): support requests one, a manager who did not request
// it approves it, and an incident credit run pays it. The rules live in
// package desk; these handlers check that the incident, services and
// components exist.

type apiGoodwillRequest struct {
	Days               int64    `json:"days"`
	Services           []string `json:"services"`
	Components         []string `json:"components"`
	EligibleComponents []string `json:"eligible_components"`
	Reason             string   `json:"reason"`
}

// GET /api/v1/incidents/:id/goodwill: the incident's grants.
func (s *Server) apiListGoodwill(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.incidents.Incident(ctx, id); err != nil {
		return err
	}
	list, err := s.desk.GoodwillGrants(ctx, strconv.FormatInt(id, 10))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiList[desk.GoodwillGrant]{Items: nonNil(list), Total: len(list)})
}

// POST /api/v1/incidents/:id/goodwill {"days", "services", "components",
// "eligible_components", "reason"}: a pending grant; 409 when the incident
// already has one pending or approved.
func (s *Server) apiRequestGoodwill(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req apiGoodwillRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	g, err := s.requestGoodwill(c, id, desk.GoodwillGrant{Days: req.Days, Services: req.Services, Components: req.Components,
		EligibleComponents: req.EligibleComponents, Reason: req.Reason})
	if err != nil {
		return err
	}
	return created(c, "/api/v1/goodwill/"+strconv.FormatInt(g.ID, 10), g)
}

// requestGoodwill records g on incident id as the acting person:
// errs.NotFound for an unknown incident, the field errors of
// desk.NewGoodwillGrant, then errs.Invalid on "services[i]" or
// "components[i]" for one that does not exist (or a component of a
// service g does not name), errs.Conflict when the incident already has a
// pending or approved grant.
func (s *Server) requestGoodwill(c echo.Context, id int64, g desk.GoodwillGrant) (desk.GoodwillGrant, error) {
	ctx := c.Request().Context()
	if _, err := s.incidents.Incident(ctx, id); err != nil {
		return desk.GoodwillGrant{}, err
	}
	g.Incident = strconv.FormatInt(id, 10)
	g, err := desk.NewGoodwillGrant(g, "", s.now()) // the field errors first, then existence
	if err != nil {
		return desk.GoodwillGrant{}, err
	}
	for i, svc := range g.Services {
		if err := s.knownService(ctx, fmt.Sprintf("services[%d]", i), svc); err != nil {
			return desk.GoodwillGrant{}, err
		}
	}
	if err := s.grantComponents(ctx, "components", g.Components, g.Services); err != nil {
		return desk.GoodwillGrant{}, err
	}
	// Within the listed components, checked above, or else of the services.
	if err := s.grantComponents(ctx, "eligible_components", g.EligibleComponents, g.Services); err != nil {
		return desk.GoodwillGrant{}, err
	}
	return s.desk.RequestGoodwill(ctx, by(c), g, s.now())
}

// grantComponents returns errs.Invalid on "field[i]" for the first of ids
// that is not a component, or is one of a service not among services.
func (s *Server) grantComponents(ctx context.Context, field string, ids, services []string) error {
	for i, id := range ids {
		comp, err := s.incidents.Component(ctx, id)
		if errs.CodeOf(err) == errs.NotFound {
			return errs.Invalidf(fmt.Sprintf("%s[%d]", field, i), "unknown component %q", id)
		}
		if err != nil {
			return err
		}
		if !slices.Contains(services, comp.Service) {
			return errs.Invalidf(fmt.Sprintf("%s[%d]", field, i), "component %q belongs to service %s, which the grant does not name", id, comp.Service)
		}
	}
	return nil
}

// POST /api/v1/goodwill/:id/approve: 403 for the requester, 409 the second time.
func (s *Server) apiApproveGoodwill(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	g, err := s.desk.ApproveGoodwill(c.Request().Context(), by(c), id, s.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, g)
}

// POST /api/v1/goodwill/:id/withdraw {"reason"}: its requester or a
// manager withdraws a pending grant; 409 once it is approved or withdrawn.
func (s *Server) apiWithdrawGoodwill(c echo.Context) error {
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
	g, err := s.withdrawGoodwill(c, id, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, g)
}

// withdrawGoodwill withdraws grant id as the acting person, who counts as
// a manager when their role is manager or above.
func (s *Server) withdrawGoodwill(c echo.Context, id int64, reason string) (desk.GoodwillGrant, error) {
	manager := currentUser(c) != nil && currentUser(c).Role.AtLeast(auth.Manager)
	return s.desk.WithdrawGoodwill(c.Request().Context(), by(c), id, manager, reason, s.now())
}

// goodwillLines computes the lines of incident id's goodwill run from
// stored data as of now, and the month its goodwill belongs to (the UTC
// month in which its first impact starts). errs.Invalid on "incident"
// while the incident is active, when it has no impact, or no approved
// grant, and while that month is not over.
func (s *Server) goodwillLines(ctx context.Context, id int64, now time.Time) (string, []desk.RunLine, error) {
	inc, err := s.incidents.Incident(ctx, id)
	if errs.CodeOf(err) == errs.NotFound {
		return "", nil, errs.Invalidf("incident", "unknown incident %d", id)
	}
	if err != nil {
		return "", nil, err
	}
	if inc.Active() {
		return "", nil, errs.Invalidf("incident", "incident %d is not resolved yet", id)
	}
	month, err := incidents.GoodwillMonth(inc)
	if err != nil {
		return "", nil, err
	}
	from, to, err := desk.MonthWindow(month)
	if err != nil {
		return "", nil, err
	}
	if now.Before(to) {
		return "", nil, errs.Invalidf("incident", "its goodwill belongs to %s, which is not over everywhere until %s", month, to.Format(time.RFC3339))
	}
	base, err := incidents.StoredScenario(ctx, s.incidents, sla.Period{Month: month}, from, to, now)
	if err != nil {
		return "", nil, err
	}
	grants, err := s.desk.GoodwillGrants(ctx, strconv.FormatInt(id, 10))
	if err != nil {
		return "", nil, err
	}
	data, err := s.desk.MonthData(ctx, month)
	if err != nil {
		return "", nil, err
	}
	lines, err := desk.PreviewGoodwill(strconv.FormatInt(id, 10), month, now, desk.WithGoodwill(base, grants), data)
	return month, lines, err
}

// previewGoodwillRun computes every eligible customer's goodwill for
// incident id and stores it as a previewed incident run by the acting person.
func (s *Server) previewGoodwillRun(c echo.Context, id int64) (desk.CreditRun, error) {
	ctx := c.Request().Context()
	now := s.now()
	month, lines, err := s.goodwillLines(ctx, id, now)
	if err != nil {
		return desk.CreditRun{}, err
	}
	who := by(c)
	run, err := desk.NewIncidentRun(strconv.FormatInt(id, 10), month, now, lines, who.Person, now)
	if err != nil {
		return desk.CreditRun{}, err
	}
	return s.desk.CreateRun(ctx, who, run, lines, now)
}
