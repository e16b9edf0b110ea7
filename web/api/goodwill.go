package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/web/form"
)

// Goodwill grants on incidents ("N days of usage of these services in
// these components"): support requests one, a manager who did not request
// it approves it, and an incident credit run pays it. The rules live in
// package desk; these handlers check that the incident, services and
// components exist (report.Reports.CheckGoodwill, as the admin incident
// page does).

type goodwillRequest struct {
	Days               int64    `json:"days"`
	Services           []string `json:"services"`
	Components         []string `json:"components"`
	EligibleComponents []string `json:"eligible_components"`
	// AllComponents widens a grant without components to every
	// component of its services; without it, no components means the
	// components the incident affected.
	AllComponents bool   `json:"all_components"`
	Reason        string `json:"reason"`
}

// ListGoodwill is GET /api/v1/incidents/:id/goodwill: the incident's grants.
func (h *Handler) ListGoodwill(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := h.incidents.Incident(ctx, id); err != nil {
		return err
	}
	list, err := h.desk.GoodwillGrants(ctx, strconv.FormatInt(id, 10))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, List[desk.GoodwillGrant]{Items: nonNil(list), Total: len(list)})
}

// RequestGoodwill is POST /api/v1/incidents/:id/goodwill {"days",
// "services", "components", "eligible_components", "all_components",
// "reason"}: a pending grant; 409 when the incident already has one
// pending or approved. Without "components" the grant is scoped to the
// components of its services the incident affected, unless
// "all_components" is true (every component of its services).
func (h *Handler) RequestGoodwill(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	var req goodwillRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	g, err := h.reports.CheckGoodwill(ctx, id, desk.GoodwillGrant{Days: req.Days, Services: req.Services, Components: req.Components,
		EligibleComponents: req.EligibleComponents, Reason: req.Reason}, req.AllComponents, h.now())
	if err != nil {
		return err
	}
	if g, err = h.desk.RequestGoodwill(ctx, by(c), g, h.now()); err != nil {
		return err
	}
	return created(c, "/api/v1/goodwill/"+strconv.FormatInt(g.ID, 10), g)
}

// ApproveGoodwill is POST /api/v1/goodwill/:id/approve: 403 for the
// requester, 409 the second time.
func (h *Handler) ApproveGoodwill(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	g, err := h.desk.ApproveGoodwill(c.Request().Context(), by(c), id, h.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, g)
}

// WithdrawGoodwill is POST /api/v1/goodwill/:id/withdraw {"reason"}: its
// requester or a manager withdraws a pending grant; 409 once it is approved
// or withdrawn.
func (h *Handler) WithdrawGoodwill(c echo.Context) error {
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
	// Its requester may withdraw it, and so may anyone of the manager's
	// role or above.
	u := auth.UserFrom(c.Request().Context())
	manager := u != nil && u.Role.AtLeast(auth.Manager)
	g, err := h.desk.WithdrawGoodwill(c.Request().Context(), by(c), id, manager, req.Reason, h.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, g)
}
