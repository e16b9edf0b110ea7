package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/notify"
	"github.com/amends/amends/templates"
	"github.com/amends/amends/web/form"
)

// maintenanceView is "/admin/maintenance" with the form as given.
func (s *Server) maintenanceView(c echo.Context, form templates.MaintenanceForm, chosen map[string]bool) (templates.MaintenanceForm, error) {
	ctx := c.Request().Context()
	now := s.now()
	components, err := s.incidents.Components(ctx)
	if err != nil {
		return form, err
	}
	names := namesOf(components)
	upcoming, err := s.incidents.Maintenances(ctx, now)
	if err != nil {
		return form, err
	}
	past, _, err := s.incidents.PastMaintenances(ctx, 0, 20)
	if err != nil {
		return form, err
	}
	form.Page = s.page(c, "Scheduled maintenance", "")
	form.CanWrite = currentUser(c).Role.AtLeast(auth.Support)
	for _, m := range upcoming {
		form.Upcoming = append(form.Upcoming, maintenanceSummary(m, names, now))
	}
	for _, m := range past {
		form.Past = append(form.Past, maintenanceSummary(m, names, now))
	}
	for _, comp := range components {
		form.Components = append(form.Components, templates.Option{Value: comp.ID, Label: comp.Name, Selected: chosen[comp.ID]})
	}
	return form, nil
}

// handleMaintenance shows the maintenance list and scheduling form.
func (s *Server) handleMaintenance(c echo.Context) error {
	v, err := s.maintenanceView(c, templates.MaintenanceForm{}, nil)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, templates.Maintenance(v))
}

// handleScheduleMaintenance schedules a window from the form.
func (s *Server) handleScheduleMaintenance(c echo.Context) error {
	ctx := c.Request().Context()
	params, _ := c.FormParams()
	in := incidents.MaintenanceInput{
		Title:      strings.TrimSpace(c.FormValue("title")),
		Message:    strings.TrimSpace(c.FormValue("message")),
		Components: params["components"],
	}
	var err error
	in.StartsAt, err = form.RequiredTime("starts_at", c.FormValue("starts_at"))
	if err == nil {
		in.EndsAt, err = form.RequiredTime("ends_at", c.FormValue("ends_at"))
	}
	var m incidents.Maintenance
	if err == nil {
		m, err = s.incidents.CreateMaintenance(ctx, by(c), in, s.now())
	}
	if err != nil {
		if errs.CodeOf(err) != errs.Invalid {
			return err
		}
		chosen := map[string]bool{}
		for _, id := range in.Components {
			chosen[id] = true
		}
		v, verr := s.maintenanceView(c, templates.MaintenanceForm{
			Title: in.Title, Message: in.Message,
			StartsAt: c.FormValue("starts_at"), EndsAt: c.FormValue("ends_at"),
			Error: form.Error(err, func(f string) string {
				if strings.HasPrefix(f, "components") {
					return "components"
				}
				return f
			}),
		}, chosen)
		if verr != nil {
			return verr
		}
		return s.render(c, http.StatusUnprocessableEntity, templates.Maintenance(v))
	}
	s.pages.invalidate()
	s.publish(ctx, notify.ForNewMaintenance(m))
	return c.Redirect(http.StatusSeeOther, "/admin/maintenance")
}

// handleAdvanceMaintenance starts or completes a window now.
func (s *Server) handleAdvanceMaintenance(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	phase := incidents.MaintenancePhase(c.FormValue("phase"))
	if phase != incidents.InProgress && phase != incidents.Completed {
		return errs.Invalidf("phase", "%q is not in_progress or completed", phase)
	}
	now := s.now()
	m, err := s.incidents.AdvanceMaintenance(c.Request().Context(), by(c), id, phase, now)
	if err != nil {
		return err
	}
	s.pages.invalidate()
	if ev, ok := notify.ForAdvance(m, now); ok {
		s.publish(c.Request().Context(), ev)
	}
	return c.Redirect(http.StatusSeeOther, "/admin/maintenance")
}
