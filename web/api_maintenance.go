package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/incidents"
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

// POST /api/v1/maintenance
func (s *Server) apiScheduleMaintenance(c echo.Context) error {
	var in incidents.MaintenanceInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	m, err := s.incidents.CreateMaintenance(c.Request().Context(), actor(c), in, s.now())
	if err != nil {
		return err
	}
	s.pages.invalidate()
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
	m, err := s.incidents.AdvanceMaintenance(c.Request().Context(), actor(c), id, req.Phase, s.now())
	if err != nil {
		return err
	}
	s.pages.invalidate()
	return c.JSON(http.StatusOK, m)
}
