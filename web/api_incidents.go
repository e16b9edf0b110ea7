package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/notify"
)

type apiIncidentRequest struct {
	Title      string           `json:"title"`
	Impact     incidents.Impact `json:"impact"`
	Phase      incidents.Phase  `json:"phase"`
	Message    string           `json:"message"`
	StartedAt  json.RawMessage  `json:"started_at"`
	Excluded   bool             `json:"excluded"`
	Components []apiChange      `json:"components"`
}

type apiUpdateRequest struct {
	Phase      incidents.Phase `json:"phase"`
	Message    string          `json:"message"`
	At         json.RawMessage `json:"at"`
	Components []apiChange     `json:"components"`
}

type apiList[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
}

// GET /api/v1/incidents?state=active|resolved&page=N
func (s *Server) apiListIncidents(c echo.Context) error {
	ctx := c.Request().Context()
	switch state := c.QueryParam("state"); state {
	case "", "active":
		list, err := s.incidents.ActiveIncidents(ctx)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, apiList[incidents.Incident]{Items: nonNil(list), Total: len(list)})
	case "resolved":
		page, err := pageParam(c)
		if err != nil {
			return err
		}
		list, total, err := s.incidents.ResolvedIncidents(ctx, (page-1)*historyPerPage, historyPerPage)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, apiList[incidents.Incident]{Items: nonNil(list), Total: total})
	default:
		return errs.Invalidf("state", "%q is not active or resolved", state)
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// GET /api/v1/incidents/:id
func (s *Server) apiGetIncident(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	inc, err := s.incidents.Incident(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, inc)
}

// POST /api/v1/incidents
func (s *Server) apiCreateIncident(c echo.Context) error {
	var req apiIncidentRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ch, err := s.changes(c.Request().Context(), req.Components)
	if err != nil {
		return err
	}
	started, err := apiTime("started_at", req.StartedAt)
	if err != nil {
		return err
	}
	inc, err := s.incidents.CreateIncident(c.Request().Context(), actor(c), incidents.IncidentInput{
		Title: req.Title, Impact: req.Impact, Phase: req.Phase, Message: req.Message,
		StartedAt: started, Excluded: req.Excluded, Components: ch,
	}, s.now())
	if err != nil {
		return err
	}
	s.pages.invalidate()
	s.publish(c.Request().Context(), notify.ForNewIncident(inc))
	return created(c, "/api/v1/incidents/"+strconv.FormatInt(inc.ID, 10), inc)
}

// POST /api/v1/incidents/:id/updates
func (s *Server) apiPostUpdate(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req apiUpdateRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ch, err := s.changes(c.Request().Context(), req.Components)
	if err != nil {
		return err
	}
	at, err := apiTime("at", req.At)
	if err != nil {
		return err
	}
	inc, err := s.incidents.AddUpdate(c.Request().Context(), actor(c), id, incidents.UpdateInput{
		Phase: req.Phase, Message: req.Message, At: at, Components: ch,
	}, s.now())
	if err != nil {
		return err
	}
	s.pages.invalidate()
	s.publish(c.Request().Context(), notify.ForUpdate(inc))
	return created(c, "/api/v1/incidents/"+strconv.FormatInt(inc.ID, 10), inc)
}

// GET /api/v1/status: the overall and per-component status now.
func (s *Server) apiStatus(c echo.Context) error {
	ctx := c.Request().Context()
	now := s.now()
	st, err := s.currentState(ctx, now)
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
