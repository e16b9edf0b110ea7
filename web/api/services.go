package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/incidents"
)

// ListServices is GET /api/v1/services.
func (h *Handler) ListServices(c echo.Context) error {
	list, err := h.incidents.Services(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, List[incidents.Service]{Items: nonNil(list), Total: len(list)})
}

// CreateService is POST /api/v1/services.
func (h *Handler) CreateService(c echo.Context) error {
	var in incidents.Service
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	svc, err := h.incidents.CreateService(c.Request().Context(), by(c), in, h.now())
	if err != nil {
		return err
	}
	h.invalidate()
	return created(c, "/api/v1/services/"+svc.ID, svc)
}

// UpdateService is PUT /api/v1/services/:id.
func (h *Handler) UpdateService(c echo.Context) error {
	var in incidents.Service
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	in.ID = c.Param("id")
	svc, err := h.incidents.UpdateService(c.Request().Context(), by(c), in, h.now())
	if err != nil {
		return err
	}
	h.invalidate()
	return c.JSON(http.StatusOK, svc)
}

// ListComponents is GET /api/v1/components.
func (h *Handler) ListComponents(c echo.Context) error {
	list, err := h.incidents.Components(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, List[incidents.Component]{Items: nonNil(list), Total: len(list)})
}

// CreateComponent is POST /api/v1/components.
func (h *Handler) CreateComponent(c echo.Context) error {
	var in incidents.Component
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	comp, err := h.incidents.CreateComponent(c.Request().Context(), by(c), in, h.now())
	if err != nil {
		return err
	}
	h.invalidate()
	return created(c, "/api/v1/components/"+comp.ID, comp)
}

// UpdateComponent is PUT /api/v1/components/:id.
func (h *Handler) UpdateComponent(c echo.Context) error {
	var in incidents.Component
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	in.ID = c.Param("id")
	comp, err := h.incidents.UpdateComponent(c.Request().Context(), by(c), in, h.now())
	if err != nil {
		return err
	}
	h.invalidate()
	return c.JSON(http.StatusOK, comp)
}
