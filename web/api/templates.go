package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
	"github.com/amends/amends/web/form"
)

// templateRequest is an incident template as the API takes it, the
// percentages raw (a JSON number or string) until parsed with their field.
type templateRequest struct {
	Name         string           `json:"name"`
	Title        string           `json:"title"`
	Impact       incidents.Impact `json:"impact"`
	Message      string           `json:"message"`
	Components   []templateChange `json:"components"`
	NoComponents bool             `json:"no_components"`
}

type templateChange struct {
	Component       string           `json:"component"`
	Status          incidents.Status `json:"status"`
	AffectedPercent json.RawMessage  `json:"affected_percent"`
}

func (r templateRequest) input() (incidents.TemplateInput, error) {
	in := incidents.TemplateInput{Name: r.Name, Title: r.Title, Impact: r.Impact, Message: r.Message, NoComponents: r.NoComponents}
	for i, ch := range r.Components {
		tc := incidents.TemplateChangeIn{Component: ch.Component, Status: ch.Status}
		raw := strings.TrimSpace(string(ch.AffectedPercent))
		if raw != "" && raw != "null" {
			if s, err := strconv.Unquote(raw); err == nil {
				raw = s
			}
			p, err := sla.ParsePercent(raw)
			if err != nil {
				return in, errs.Prefix(fmt.Sprintf("components[%d].affected_percent", i), err)
			}
			tc.AffectedPercent = &p
		}
		in.Components = append(in.Components, tc)
	}
	return in, nil
}

// ListTemplates is GET /api/v1/incident-templates.
func (h *Handler) ListTemplates(c echo.Context) error {
	list, err := h.incidents.Templates(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, List[incidents.Template]{Items: nonNil(list), Total: len(list)})
}

// GetTemplate is GET /api/v1/incident-templates/:id.
func (h *Handler) GetTemplate(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	t, err := h.incidents.Template(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}

// CreateTemplate is POST /api/v1/incident-templates.
func (h *Handler) CreateTemplate(c echo.Context) error {
	var req templateRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	in, err := req.input()
	if err != nil {
		return err
	}
	t, err := h.incidents.CreateTemplate(c.Request().Context(), by(c), in, h.now())
	if err != nil {
		return err
	}
	return created(c, "/api/v1/incident-templates/"+strconv.FormatInt(t.ID, 10), t)
}

// UpdateTemplate is PUT /api/v1/incident-templates/:id: the whole
// template, replaced.
func (h *Handler) UpdateTemplate(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	var req templateRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	in, err := req.input()
	if err != nil {
		return err
	}
	t, err := h.incidents.UpdateTemplate(c.Request().Context(), by(c), id, in, h.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}

// DeleteTemplate is DELETE /api/v1/incident-templates/:id: 200 with the
// template as it was.
func (h *Handler) DeleteTemplate(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	t, err := h.incidents.DeleteTemplate(c.Request().Context(), by(c), id, h.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}
