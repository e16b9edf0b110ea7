package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/web/form"
)

// CorrectIncident is PATCH /api/v1/incidents/:id: a new title or impact
// (or both) for an incident declared with a typo.
func (h *Handler) CorrectIncident(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	var req incidents.IncidentCorrection
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	inc, err := h.incidents.CorrectIncident(c.Request().Context(), by(c), id, req, h.now())
	if err != nil {
		return err
	}
	h.invalidate()
	return c.JSON(http.StatusOK, inc)
}

// CorrectUpdate is PATCH /api/v1/incidents/:id/updates/:uid: the corrected
// message of a published update, kept beside the original.
func (h *Handler) CorrectUpdate(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	uid, err := strconv.ParseInt(c.Param("uid"), 10, 64)
	if err != nil || uid <= 0 {
		return errs.NotFoundf("no such update")
	}
	var req struct {
		Message string `json:"message"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	inc, err := h.incidents.CorrectUpdate(c.Request().Context(), by(c), id, uid, req.Message, h.now())
	if err != nil {
		return err
	}
	h.invalidate()
	return c.JSON(http.StatusOK, inc)
}

// DeleteIncident is DELETE /api/v1/incidents/:id: a mistaken incident
// removed from every public page, feed and API; 409 once the credit desk
// paid (or is about to pay) for it. It answers the incident as it was.
func (h *Handler) DeleteIncident(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	inc, err := h.incidents.Incident(ctx, id)
	if err != nil {
		return err
	}
	if err := h.reports.CheckDeletable(ctx, inc, h.now()); err != nil {
		return err
	}
	inc, err = h.incidents.DeleteIncident(ctx, by(c), id, h.now())
	if err != nil {
		return err
	}
	h.invalidate()
	return c.JSON(http.StatusOK, inc)
}
