package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/templates"
)

// handleAdminHome shows "/admin": what is going on now.
func (s *Server) handleAdminHome(c echo.Context) error {
	ctx := c.Request().Context()
	now := s.now()
	st, err := s.currentState(ctx, now)
	if err != nil {
		return err
	}
	names := namesOf(st.Components)
	v := templates.AdminHome{
		Page:     s.page(c, "Overview", ""),
		Overall:  overallBanner(incidents.Overall(st.Statuses), len(st.Active)),
		CanWrite: currentUser(c).Role.AtLeast(auth.Support),
	}
	if v.Approvals, err = s.adminApprovals(c); err != nil {
		return err
	}
	for _, inc := range st.Active {
		v.Active = append(v.Active, incidentSummary(inc, names, "/admin/incidents/", now))
	}
	for _, m := range st.Maintenance {
		v.Maintenance = append(v.Maintenance, maintenanceSummary(m, names, now))
	}
	return s.render(c, http.StatusOK, templates.AdminHomePage(v))
}
