package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/sla"
	"github.com/amends/amends/templates"
	"github.com/amends/amends/web/form"
)

// previewIncident answers the declare form's Preview button: the form
// again, as typed, with its first update shown as the public timeline
// would show it (plain text in paragraphs, each component's status and
// share); nothing is stored. Anything wrong in the rows shows on them as
// it would on declaring.
func (s *Server) previewIncident(c echo.Context, in incidents.IncidentInput, components []incidents.Component, rows form.Components, rowsErr error) error {
	at := s.now()
	if in.StartedAt != nil {
		at = *in.StartedAt
	}
	phase := in.Phase
	if !phase.Valid() {
		phase = incidents.Investigating
	}
	u := incidents.Update{Phase: phase, Message: in.Message, At: at}
	for _, ch := range rows.Changes {
		cs := incidents.ComponentStatus{Component: ch.Component, Status: ch.Status, Customers: ch.Customers}
		switch {
		case ch.AffectedPercent != nil:
			cs.AffectedPercent = *ch.AffectedPercent
		case ch.Status != incidents.Operational:
			cs.AffectedPercent = sla.Hundred
		}
		u.Components = append(u.Components, cs)
	}
	views := updateViews(incidents.Incident{Updates: []incidents.Update{u}}, namesOf(components), false)
	v := templates.IncidentForm{
		Page:       s.page(c, "Declare an incident", ""),
		Title:      in.Title,
		Impacts:    impactOptions(in.Impact),
		Phases:     phaseOptions("", in.Phase),
		Message:    in.Message,
		StartedAt:  c.FormValue("started_at"),
		Components: rows.Fields,
		Services:   rows.Services,
		Preview:    &views[0],
	}
	var err error
	if v.Templates, err = s.templateOptions(c.Request().Context(), 0); err != nil {
		return err
	}
	status := http.StatusOK
	if rowsErr != nil {
		v.Error = rows.Attach(rowsErr)
		status = statusOf(rowsErr)
	}
	return s.render(c, status, templates.NewIncident(v))
}
