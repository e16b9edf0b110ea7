package web

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/notify"
)

// GET /api/v1/maintenance: windows not yet completed, soonest first.
func (s *Server) apiListMaintenance(c echo.Context) error {
	list, err := s.incidents.Maintenances(c.Request().Context(), s.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiList[incidents.Maintenance]{Items: nonNil(list), Total: len(list)})
}

// GET /api/v1/maintenance/:id
func (s *Server) apiGetMaintenance(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	m, err := s.incidents.Maintenance(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

type apiMaintenanceRequest struct {
	Title       string          `json:"title"`
	Message     string          `json:"message"`
	Components  []string        `json:"components"`
	StartsAt    json.RawMessage `json:"starts_at"`
	EndsAt      json.RawMessage `json:"ends_at"`
	AnnouncedAt json.RawMessage `json:"announced_at"`
}

// POST /api/v1/maintenance
func (s *Server) apiScheduleMaintenance(c echo.Context) error {
	var req apiMaintenanceRequest
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
	m, err := s.incidents.CreateMaintenance(c.Request().Context(), actor(c), in, s.now())
	if err != nil {
		return err
	}
	s.pages.invalidate()
	s.publish(c.Request().Context(), notify.ForNewMaintenance(m))
	return created(c, "/api/v1/maintenance/"+strconv.FormatInt(m.ID, 10), m)
}

// POST /api/v1/maintenance/:id/advance {"phase": "in_progress"|"completed"}
func (s *Server) apiAdvanceMaintenance(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req struct {
		Phase incidents.MaintenancePhase `json:"phase"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	now := s.now()
	m, err := s.incidents.AdvanceMaintenance(c.Request().Context(), actor(c), id, req.Phase, now)
	if err != nil {
		return err
	}
	s.pages.invalidate()
	if ev, ok := notify.ForAdvance(m, now); ok {
		s.publish(c.Request().Context(), ev)
	}
	return c.JSON(http.StatusOK, m)
}
