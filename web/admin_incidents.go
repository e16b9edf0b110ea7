package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/notify"
	"github.com/amends/amends/templates"
	"github.com/amends/amends/web/form"
)

const adminIncidentsPerPage = 25

// handleAdminIncidents shows "/admin/incidents": active, then resolved.
func (s *Server) handleAdminIncidents(c echo.Context) error {
	ctx := c.Request().Context()
	page, err := form.Page(c)
	if err != nil {
		return err
	}
	components, err := s.incidents.Components(ctx)
	if err != nil {
		return err
	}
	names := namesOf(components)
	active, err := s.incidents.ActiveIncidents(ctx)
	if err != nil {
		return err
	}
	resolved, total, err := s.incidents.ResolvedIncidents(ctx, (page-1)*adminIncidentsPerPage, adminIncidentsPerPage)
	if err != nil {
		return err
	}
	if err := form.PageHeld("page", "the resolved incidents", page, adminIncidentsPerPage, total); err != nil {
		return err
	}
	now := s.now()
	v := templates.AdminIncidentsPage{
		Page:       s.page(c, "Incidents", ""),
		Pagination: pagesOf("/admin/incidents", nil, newestFirst, page, adminIncidentsPerPage, total),
		CanWrite:   currentUser(c).Role.AtLeast(auth.Support),
	}
	for _, inc := range active {
		v.Active = append(v.Active, incidentSummary(inc, names, "/admin/incidents/", now))
	}
	for _, inc := range resolved {
		v.Resolved = append(v.Resolved, incidentSummary(inc, names, "/admin/incidents/", now))
	}
	return s.render(c, http.StatusOK, templates.AdminIncidents(v))
}

// serviceNames maps service ids to names, for grouping form rows.
func (s *Server) serviceNames(ctx context.Context) (map[string]string, error) {
	services, err := s.incidents.Services(ctx)
	if err != nil {
		return nil, err
	}
	return serviceNameMap(services), nil
}

// serviceNameMap maps the ids of services to their names.
func serviceNameMap(services []incidents.Service) map[string]string {
	out := make(map[string]string, len(services))
	for _, svc := range services {
		out[svc.ID] = svc.Name
	}
	return out
}

func impactOptions(selected incidents.Impact) []templates.Option {
	var out []templates.Option
	for _, i := range []incidents.Impact{incidents.ImpactNone, incidents.ImpactMinor, incidents.ImpactMajor, incidents.ImpactCritical} {
		out = append(out, templates.Option{Value: string(i), Label: i.Label(), Selected: i == selected})
	}
	return out
}

// phaseOptions lists from (inclusive) onwards; from "" lists all but resolved.
func phaseOptions(from, selected incidents.Phase) []templates.Option {
	var out []templates.Option
	for _, p := range []incidents.Phase{incidents.Investigating, incidents.Identified, incidents.Monitoring, incidents.Resolved} {
		if from == "" && p == incidents.Resolved || from != "" && p.Rank() < from.Rank() {
			continue
		}
		out = append(out, templates.Option{Value: string(p), Label: p.Label(), Selected: p == selected})
	}
	return out
}

// handleNewIncident shows "/admin/incidents/new"; with "?template=ID"
// the form holds that incident template's title, impact, message and
// components, to change before declaring.
func (s *Server) handleNewIncident(c echo.Context) error {
	ctx := c.Request().Context()
	t, err := s.formTemplate(c)
	if err != nil {
		return err
	}
	components, err := s.incidents.Components(ctx)
	if err != nil {
		return err
	}
	services, err := s.serviceNames(ctx)
	if err != nil {
		return err
	}
	v := templates.IncidentForm{
		Page:    s.page(c, "Declare an incident", ""),
		Impacts: impactOptions(incidents.ImpactMinor),
		Phases:  phaseOptions("", incidents.Investigating),
	}
	var current map[string]incidents.ComponentStatus
	var chosen int64
	if t != nil {
		chosen, current = t.ID, templateStates(*t)
		v.Title, v.Message, v.NoComponents, v.FromTemplate = t.Title, t.Message, t.NoComponents, t.Name
		v.Impacts = impactOptions(t.Impact)
	}
	if v.Templates, err = s.templateOptions(ctx, chosen); err != nil {
		return err
	}
	v.Components = form.ComponentFields(components, services, current)
	v.Services = form.ServiceFields(v.Components)
	return s.render(c, http.StatusOK, templates.NewIncident(v))
}

// handleCreateIncident declares an incident from the form.
func (s *Server) handleCreateIncident(c echo.Context) error {
	ctx := c.Request().Context()
	components, err := s.incidents.Components(ctx)
	if err != nil {
		return err
	}
	services, err := s.serviceNames(ctx)
	if err != nil {
		return err
	}
	in := incidents.IncidentInput{
		Title:   strings.TrimSpace(c.FormValue("title")),
		Impact:  incidents.Impact(c.FormValue("impact")),
		Phase:   incidents.Phase(c.FormValue("phase")),
		Message: strings.TrimSpace(c.FormValue("message")),
		// A ticked box says the incident affects no component.
		NoComponents: c.FormValue("no_components") != "",
	}
	rows, err := form.ReadComponents(c, components, services, nil)
	if err == nil {
		in.Components = rows.Changes
		in.StartedAt, err = form.Time("started_at", c.FormValue("started_at"))
	}
	if c.FormValue("preview") != "" {
		return s.previewIncident(c, in, components, rows, err)
	}
	if c.FormValue("save_template") != "" {
		return s.saveAsTemplate(c, in, rows, err)
	}
	if err == nil {
		err = s.reports.CheckCustomers(ctx, in.Components)
	}
	var inc incidents.Incident
	if err == nil {
		inc, err = s.incidents.CreateIncident(ctx, by(c), in, s.now())
	}
	if err != nil {
		if errs.CodeOf(err) != errs.Invalid {
			return err
		}
		opts, terr := s.templateOptions(ctx, 0)
		if terr != nil {
			return terr
		}
		return s.render(c, http.StatusUnprocessableEntity, templates.NewIncident(templates.IncidentForm{
			Page:       s.page(c, "Declare an incident", ""),
			Templates:  opts,
			Title:      in.Title,
			Impacts:    impactOptions(in.Impact),
			Phases:     phaseOptions("", in.Phase),
			Message:    in.Message,
			StartedAt:  c.FormValue("started_at"),
			Components: rows.Fields,
			Services:   rows.Services,
			Error:      rows.Attach(err),

			NoComponents: in.NoComponents,
		}))
	}
	s.pages.invalidate()
	s.publish(ctx, notify.ForNewIncident(inc))
	return c.Redirect(http.StatusSeeOther, "/admin/incidents/"+strconv.FormatInt(inc.ID, 10))
}

// handleAdminIncident shows "/admin/incidents/:id" with the update form.
func (s *Server) handleAdminIncident(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	inc, err := s.incidents.Incident(ctx, id)
	if err != nil {
		return err
	}
	v, err := s.adminIncidentPage(c, inc, goodwillForm{})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, templates.AdminIncident(v))
}

// adminIncidentPage is inc's admin page with the update form as the
// incident stands and the goodwill request form holding gw.
func (s *Server) adminIncidentPage(c echo.Context, inc incidents.Incident, gw goodwillForm) (templates.AdminIncidentPage, error) {
	v, err := s.adminIncidentView(c, inc)
	if err != nil {
		return templates.AdminIncidentPage{}, err
	}
	v.Components = form.ComponentFields(v.componentsList, v.services, currentStates(inc))
	v.Services = form.ServiceFields(v.Components)
	if v.Goodwill, err = s.goodwillSection(c, inc, v, gw); err != nil {
		return templates.AdminIncidentPage{}, err
	}
	return v.AdminIncidentPage, nil
}

type adminIncident struct {
	templates.AdminIncidentPage
	componentsList []incidents.Component
	serviceList    []incidents.Service
	services       map[string]string // names by id, of serviceList
}

func (s *Server) adminIncidentView(c echo.Context, inc incidents.Incident) (adminIncident, error) {
	ctx := c.Request().Context()
	components, err := s.incidents.Components(ctx)
	if err != nil {
		return adminIncident{}, err
	}
	services, err := s.incidents.Services(ctx)
	if err != nil {
		return adminIncident{}, err
	}
	names := namesOf(components)
	idText := strconv.FormatInt(inc.ID, 10)
	explanation, err := s.incidents.Explanation(ctx, inc.ID)
	if err != nil {
		return adminIncident{}, err
	}
	canWrite := currentUser(c).Role.AtLeast(auth.Support)
	explanationLabel := ""
	switch {
	case len(explanation.Revisions) == 0 && canWrite:
		explanationLabel = "Write the explanation"
	case len(explanation.Revisions) > 0 && canWrite:
		explanationLabel = "Edit the explanation"
	case len(explanation.Revisions) > 0:
		explanationLabel = "Read the explanation"
	}
	return adminIncident{
		AdminIncidentPage: templates.AdminIncidentPage{
			Page:      s.page(c, inc.Title, ""),
			ID:        inc.ID,
			Incident:  incidentSummary(inc, names, "/admin/incidents/", s.now()),
			PublicURL: "/incidents/" + idText,
			Updates:   updateViews(inc, names, true),
			Resolved:  !inc.Active(),
			CanWrite:  currentUser(c).Role.AtLeast(auth.Support),
			Phases:    phaseOptions(inc.Phase, inc.Phase),

			ExplanationLabel: explanationLabel,
		},
		componentsList: components,
		serviceList:    services,
		services:       serviceNameMap(services),
	}, nil
}

func currentStates(inc incidents.Incident) map[string]incidents.ComponentStatus {
	out := map[string]incidents.ComponentStatus{}
	for _, cs := range inc.ComponentStates() {
		out[cs.Component] = cs
	}
	return out
}

// handlePostUpdate posts an update (or the resolution) from the form.
func (s *Server) handlePostUpdate(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	inc, err := s.incidents.Incident(ctx, id)
	if err != nil {
		return err
	}
	v, err := s.adminIncidentView(c, inc)
	if err != nil {
		return err
	}
	in := incidents.UpdateInput{
		Phase:   incidents.Phase(c.FormValue("phase")),
		Message: strings.TrimSpace(c.FormValue("message")),
	}
	rows, err := form.ReadComponents(c, v.componentsList, v.services, currentStates(inc))
	if err == nil {
		in.At, err = form.Time("at", c.FormValue("at"))
	}
	if err == nil && in.Phase == incidents.Resolved {
		// Resolving returns every component to operational; the rows are
		// left as they were only to be shown again if something is wrong.
		in.Components = nil
	} else {
		in.Components = rows.Changes
	}
	if err == nil {
		err = s.reports.CheckCustomers(ctx, in.Components)
	}
	var updated incidents.Incident
	if err == nil {
		updated, err = s.incidents.AddUpdate(ctx, by(c), id, in, s.now())
	}
	if err != nil {
		if code := errs.CodeOf(err); code != errs.Invalid && code != errs.Conflict {
			return err
		}
		gs, gerr := s.goodwillSection(c, inc, v, goodwillForm{})
		if gerr != nil {
			return gerr
		}
		v.Goodwill = gs
		v.Phases = phaseOptions(inc.Phase, in.Phase)
		v.Message = in.Message
		v.At = c.FormValue("at")
		v.Components = rows.Fields
		v.Services = rows.Services
		v.Error = rows.Attach(err)
		return s.render(c, statusOf(err), templates.AdminIncident(v.AdminIncidentPage))
	}
	s.pages.invalidate()
	s.publish(ctx, notify.ForUpdate(updated))
	return c.Redirect(http.StatusSeeOther, "/admin/incidents/"+strconv.FormatInt(id, 10))
}
