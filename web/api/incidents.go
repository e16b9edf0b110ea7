package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/notify"
	"github.com/amends/amends/sla"
	"github.com/amends/amends/web/form"
)

// resolvedPerPage is how many resolved incidents a page of
// GET /incidents?state=resolved holds (docs/api.md).
const resolvedPerPage = 20

// change is a component change as the API takes it: the percentage stays
// raw until it is parsed with its field path.
type change struct {
	Component       string                       `json:"component"`
	Status          incidents.Status             `json:"status"`
	AffectedPercent json.RawMessage              `json:"affected_percent"`
	Customers       []incidents.AffectedCustomer `json:"customers"`
}

// changes reads the API's component changes. Every customer a change names
// must be one the credit desk keeps: errs.Invalid on
// "components[i].customers[j].customer" otherwise (the rest of the rules
// are the incidents package's).
func (h *Handler) changes(ctx context.Context, in []change) ([]incidents.ComponentChange, error) {
	out := make([]incidents.ComponentChange, len(in))
	for i, ch := range in {
		out[i] = incidents.ComponentChange{Component: ch.Component, Status: ch.Status, Customers: ch.Customers}
	}
	if err := h.reports.CheckCustomers(ctx, out); err != nil {
		return nil, err
	}
	for i, ch := range in {
		raw := strings.TrimSpace(string(ch.AffectedPercent))
		if raw == "" || raw == "null" {
			continue
		}
		if s, err := strconv.Unquote(raw); err == nil {
			raw = s
		}
		p, err := sla.ParsePercent(raw)
		if err != nil {
			return nil, errs.Prefix(fmt.Sprintf("components[%d].affected_percent", i), err)
		}
		out[i].AffectedPercent = &p
	}
	return out, nil
}

type incidentRequest struct {
	Title      string           `json:"title"`
	Impact     incidents.Impact `json:"impact"`
	Phase      incidents.Phase  `json:"phase"`
	Message    string           `json:"message"`
	StartedAt  json.RawMessage  `json:"started_at"`
	Excluded   bool             `json:"excluded"`
	Components []change         `json:"components"`
	// NoComponents says the incident affects no component (see
	// incidents.IncidentInput).
	NoComponents bool `json:"no_components"`
	// Template, when given, is the id of an incident template that
	// supplies what the request leaves empty: the title, the impact, the
	// message, and the components with no_components when neither is
	// given.
	Template *int64 `json:"template"`
}

// fromTemplate fills in what in leaves empty from the template the
// request names; an id of none is errs.Invalid on "template".
func (h *Handler) fromTemplate(ctx context.Context, id int64, in incidents.IncidentInput) (incidents.IncidentInput, error) {
	t, err := h.incidents.Template(ctx, id)
	if errs.CodeOf(err) == errs.NotFound {
		return in, errs.Invalidf("template", "there is no incident template %d", id)
	}
	if err != nil {
		return in, err
	}
	if strings.TrimSpace(in.Title) == "" {
		in.Title = t.Title
	}
	if in.Impact == "" {
		in.Impact = t.Impact
	}
	if strings.TrimSpace(in.Message) == "" {
		in.Message = t.Message
	}
	if len(in.Components) == 0 && !in.NoComponents {
		in.NoComponents = t.NoComponents
		for _, tc := range t.Components {
			p := tc.AffectedPercent
			in.Components = append(in.Components, incidents.ComponentChange{Component: tc.Component, Status: tc.Status, AffectedPercent: &p})
		}
	}
	return in, nil
}

type updateRequest struct {
	Phase      incidents.Phase `json:"phase"`
	Message    string          `json:"message"`
	At         json.RawMessage `json:"at"`
	Components []change        `json:"components"`
}

// ListIncidents is GET /api/v1/incidents?state=active|resolved&page=N.
func (h *Handler) ListIncidents(c echo.Context) error {
	ctx := c.Request().Context()
	switch state := c.QueryParam("state"); state {
	case "", "active":
		list, err := h.incidents.ActiveIncidents(ctx)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, List[incidents.Incident]{Items: nonNil(list), Total: len(list)})
	case "resolved":
		page, err := form.Page(c)
		if err != nil {
			return err
		}
		list, total, err := h.incidents.ResolvedIncidents(ctx, (page-1)*resolvedPerPage, resolvedPerPage)
		if err != nil {
			return err
		}
		if err := form.PageHeld("page", "the resolved incidents", page, resolvedPerPage, total); err != nil {
			return err
		}
		return c.JSON(http.StatusOK, List[incidents.Incident]{Items: nonNil(list), Total: total})
	default:
		return errs.Invalidf("state", "%q is not active or resolved", state)
	}
}

// GetIncident is GET /api/v1/incidents/:id.
func (h *Handler) GetIncident(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	inc, err := h.incidents.Incident(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, inc)
}

// CreateIncident is POST /api/v1/incidents.
func (h *Handler) CreateIncident(c echo.Context) error {
	var req incidentRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ch, err := h.changes(c.Request().Context(), req.Components)
	if err != nil {
		return err
	}
	started, err := apiTime("started_at", req.StartedAt)
	if err != nil {
		return err
	}
	in := incidents.IncidentInput{
		Title: req.Title, Impact: req.Impact, Phase: req.Phase, Message: req.Message,
		StartedAt: started, Excluded: req.Excluded, Components: ch, NoComponents: req.NoComponents,
	}
	if req.Template != nil {
		if in, err = h.fromTemplate(c.Request().Context(), *req.Template, in); err != nil {
			return err
		}
	}
	inc, err := h.incidents.CreateIncident(c.Request().Context(), by(c), in, h.now())
	if err != nil {
		return err
	}
	h.invalidate()
	h.publish(c.Request().Context(), notify.ForNewIncident(inc))
	return created(c, "/api/v1/incidents/"+strconv.FormatInt(inc.ID, 10), inc)
}

// PostUpdate is POST /api/v1/incidents/:id/updates.
func (h *Handler) PostUpdate(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	var req updateRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ch, err := h.changes(c.Request().Context(), req.Components)
	if err != nil {
		return err
	}
	at, err := apiTime("at", req.At)
	if err != nil {
		return err
	}
	inc, err := h.incidents.AddUpdate(c.Request().Context(), by(c), id, incidents.UpdateInput{
		Phase: req.Phase, Message: req.Message, At: at, Components: ch,
	}, h.now())
	if err != nil {
		return err
	}
	h.invalidate()
	h.publish(c.Request().Context(), notify.ForUpdate(inc))
	return created(c, "/api/v1/incidents/"+strconv.FormatInt(inc.ID, 10), inc)
}

// Status is GET /api/v1/status: the overall and per-component status now.
func (h *Handler) Status(c echo.Context) error {
	ctx := c.Request().Context()
	now := h.now()
	st, err := h.reports.CurrentState(ctx, now, h.past)
	if err != nil {
		return err
	}
	type componentStatus struct {
		ID      string           `json:"id"`
		Name    string           `json:"name"`
		Service string           `json:"service"`
		Status  incidents.Status `json:"status"`
	}
	out := struct {
		Status     incidents.Status  `json:"status"`
		AsOf       time.Time         `json:"as_of"`
		Components []componentStatus `json:"components"`
		Active     []int64           `json:"active_incidents"`
	}{Status: incidents.Overall(st.Statuses), AsOf: now, Components: []componentStatus{}, Active: []int64{}}
	for _, comp := range st.Components {
		out.Components = append(out.Components, componentStatus{comp.ID, comp.Name, comp.Service, st.Statuses[comp.ID]})
	}
	for _, inc := range st.Active {
		out.Active = append(out.Active, inc.ID)
	}
	return c.JSON(http.StatusOK, out)
}
