package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/templates"
	"github.com/amends/amends/web/auth"
)

// handleAdminHome shows "/admin": what is going on now.
func (s *Server) handleAdminHome(c echo.Context) error {
	ctx := c.Request().Context()
	now := s.now()
	components, err := s.incidents.Components(ctx)
	if err != nil {
		return err
	}
	active, err := s.incidents.ActiveIncidents(ctx)
	if err != nil {
		return err
	}
	maint, err := s.incidents.Maintenances(ctx, now)
	if err != nil {
		return err
	}
	names := namesOf(components)
	v := templates.AdminHome{
		Page:     s.page(c, "Overview", ""),
		Overall:  overallBadge(incidents.Overall(incidents.CurrentStatuses(components, active, maint, now))),
		CanWrite: currentUser(c).Role.AtLeast(auth.Support),
	}
	for _, inc := range active {
		v.Active = append(v.Active, incidentSummary(inc, names, "/admin/incidents/", now))
	}
	for _, m := range maint {
		v.Maintenance = append(v.Maintenance, maintenanceSummary(m, names, now))
	}
	return s.render(c, http.StatusOK, templates.AdminHomePage(v))
}
