package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/incidents"
)

// GET /api/v1/services
func (s *Server) apiListServices(c echo.Context) error {
	list, err := s.incidents.Services(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiList[incidents.Service]{Items: nonNil(list), Total: len(list)})
}

// POST /api/v1/services
func (s *Server) apiCreateService(c echo.Context) error {
	var in incidents.Service
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	svc, err := s.incidents.CreateService(c.Request().Context(), actor(c), in, s.now())
	if err != nil {
		return err
	}
	s.pages.invalidate()
	return created(c, "/api/v1/services/"+svc.ID, svc)
}

// PUT /api/v1/services/:id
func (s *Server) apiUpdateService(c echo.Context) error {
	var in incidents.Service
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	in.ID = c.Param("id")
	svc, err := s.incidents.UpdateService(c.Request().Context(), actor(c), in, s.now())
	if err != nil {
		return err
	}
	s.pages.invalidate()
	return c.JSON(http.StatusOK, svc)
}

// GET /api/v1/components
func (s *Server) apiListComponents(c echo.Context) error {
	list, err := s.incidents.Components(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiList[incidents.Component]{Items: nonNil(list), Total: len(list)})
}

// POST /api/v1/components
func (s *Server) apiCreateComponent(c echo.Context) error {
	var in incidents.Component
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	comp, err := s.incidents.CreateComponent(c.Request().Context(), actor(c), in, s.now())
	if err != nil {
		return err
	}
	s.pages.invalidate()
	return created(c, "/api/v1/components/"+comp.ID, comp)
}

// PUT /api/v1/components/:id
func (s *Server) apiUpdateComponent(c echo.Context) error {
	var in incidents.Component
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	in.ID = c.Param("id")
	comp, err := s.incidents.UpdateComponent(c.Request().Context(), actor(c), in, s.now())
	if err != nil {
		return err
	}
	s.pages.invalidate()
	return c.JSON(http.StatusOK, comp)
}
