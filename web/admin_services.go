package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/templates"
	"github.com/amends/amends/web/form"
)

// servicesView is "/admin/services" with the forms as given.
func (s *Server) servicesView(c echo.Context, v templates.ServicesPage) (templates.ServicesPage, error) {
	ctx := c.Request().Context()
	now := s.now()
	services, err := s.incidents.Services(ctx)
	if err != nil {
		return v, err
	}
	st, err := s.currentState(ctx, now)
	if err != nil {
		return v, err
	}
	v.Page = s.page(c, "Services and components", "")
	v.CanWrite = currentUser(c).Role.AtLeast(auth.Admin)
	index := map[string]int{}
	for _, svc := range services {
		index[svc.ID] = len(v.Services)
		v.Services = append(v.Services, templates.AdminService{ID: svc.ID, Name: svc.Name, Description: svc.Description, Position: strconv.Itoa(svc.Position)})
		v.ServiceOpts = append(v.ServiceOpts, templates.Option{Value: svc.ID, Label: svc.Name, Selected: svc.ID == v.ComponentFrm.Service})
	}
	for _, comp := range st.Components {
		i, ok := index[comp.Service]
		if !ok {
			continue
		}
		row := templates.AdminComponent{ID: comp.ID, Name: comp.Name, Region: comp.Region, Zone: comp.Zone, Group: comp.Group, Position: strconv.Itoa(comp.Position), Status: statusBadge(st.Statuses[comp.ID])}
		if comp.Resources > 0 {
			row.Resources = strconv.FormatInt(comp.Resources, 10)
		}
		v.Services[i].Components = append(v.Services[i].Components, row)
	}
	return v, nil
}

func (s *Server) handleServices(c echo.Context) error {
	v, err := s.servicesView(c, templates.ServicesPage{})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, templates.Services(v))
}

func (s *Server) handleCreateService(c echo.Context) error {
	f := templates.ServiceFields{
		ID: strings.TrimSpace(c.FormValue("id")), Name: strings.TrimSpace(c.FormValue("name")),
		Description: strings.TrimSpace(c.FormValue("description")), Position: strings.TrimSpace(c.FormValue("position")),
	}
	pos, err := form.Int("position", f.Position)
	if err == nil {
		_, err = s.incidents.CreateService(c.Request().Context(), by(c), incidents.Service{ID: f.ID, Name: f.Name, Description: f.Description, Position: int(pos)}, s.now())
	}
	if err != nil {
		return s.servicesFormError(c, err, templates.ServicesPage{ServiceForm: f, ErrorFor: "service"})
	}
	s.pages.invalidate()
	return c.Redirect(http.StatusSeeOther, "/admin/services")
}

func (s *Server) handleCreateComponent(c echo.Context) error {
	f := templates.ComponentFields{
		ID: strings.TrimSpace(c.FormValue("id")), Service: c.FormValue("service"), Name: strings.TrimSpace(c.FormValue("name")),
		Region: strings.TrimSpace(c.FormValue("region")), Zone: strings.TrimSpace(c.FormValue("zone")),
		Resources: strings.TrimSpace(c.FormValue("resources")), Group: strings.TrimSpace(c.FormValue("group")),
		Position: strings.TrimSpace(c.FormValue("position")),
	}
	resources, err := form.Int("resources", f.Resources)
	var pos int64
	if err == nil {
		pos, err = form.Int("position", f.Position)
	}
	if err == nil {
		_, err = s.incidents.CreateComponent(c.Request().Context(), by(c), incidents.Component{
			ID: f.ID, Service: f.Service, Name: f.Name, Region: f.Region, Zone: f.Zone,
			Resources: resources, Group: f.Group, Position: int(pos),
		}, s.now())
	}
	if err != nil {
		return s.servicesFormError(c, err, templates.ServicesPage{ComponentFrm: f, ErrorFor: "component"})
	}
	s.pages.invalidate()
	return c.Redirect(http.StatusSeeOther, "/admin/services")
}

func (s *Server) servicesFormError(c echo.Context, err error, v templates.ServicesPage) error {
	if code := errs.CodeOf(err); code != errs.Invalid && code != errs.Conflict {
		return err
	}
	v.Error = form.Error(err, nil)
	v, verr := s.servicesView(c, v)
	if verr != nil {
		return verr
	}
	return s.render(c, statusOf(err), templates.Services(v))
}
