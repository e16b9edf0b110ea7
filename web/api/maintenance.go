package api

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/notify"
	"github.com/amends/amends/web/form"
)

// ListMaintenance is GET /api/v1/maintenance: windows not yet completed,
// soonest first.
func (h *Handler) ListMaintenance(c echo.Context) error {
	list, err := h.incidents.Maintenances(c.Request().Context(), h.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, List[incidents.Maintenance]{Items: nonNil(list), Total: len(list)})
}

// GetMaintenance is GET /api/v1/maintenance/:id.
func (h *Handler) GetMaintenance(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	m, err := h.incidents.Maintenance(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

type maintenanceRequest struct {
	Title       string          `json:"title"`
	Message     string          `json:"message"`
	Components  []string        `json:"components"`
	StartsAt    json.RawMessage `json:"starts_at"`
	EndsAt      json.RawMessage `json:"ends_at"`
	AnnouncedAt json.RawMessage `json:"announced_at"`
}

// ScheduleMaintenance is POST /api/v1/maintenance.
func (h *Handler) ScheduleMaintenance(c echo.Context) error {
	var req maintenanceRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	in := incidents.MaintenanceInput{Title: req.Title, Message: req.Message, Components: req.Components}
	var err error
	if in.StartsAt, err = requiredAPITime("starts_at", req.StartsAt); err != nil {
		return err
	}
	if in.EndsAt, err = requiredAPITime("ends_at", req.EndsAt); err != nil {
		return err
	}
	if in.AnnouncedAt, err = apiTime("announced_at", req.AnnouncedAt); err != nil {
		return err
	}
	m, err := h.incidents.CreateMaintenance(c.Request().Context(), by(c), in, h.now())
	if err != nil {
		return err
	}
	h.invalidate()
	h.publish(c.Request().Context(), notify.ForNewMaintenance(m))
	return created(c, "/api/v1/maintenance/"+strconv.FormatInt(m.ID, 10), m)
}

// AdvanceMaintenance is POST /api/v1/maintenance/:id/advance
// {"phase": "in_progress"|"completed"}.
func (h *Handler) AdvanceMaintenance(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	var req struct {
		Phase incidents.MaintenancePhase `json:"phase"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	now := h.now()
	m, err := h.incidents.AdvanceMaintenance(c.Request().Context(), by(c), id, req.Phase, now)
	if err != nil {
		return err
	}
	h.invalidate()
	if ev, ok := notify.ForAdvance(m, now); ok {
		h.publish(c.Request().Context(), ev)
	}
	return c.JSON(http.StatusOK, m)
}
