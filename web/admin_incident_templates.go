package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/templates"
	"github.com/amends/amends/web/form"
)

// The incident templates' admin pages: the list, the form that creates or
// changes one (the declare form's title, impact, message and component
// rows, without customers), and its delete button. Support and above read
// and write them, as they declare incidents and keep the notices' wording;
// every write is audited by the store. The declare form offers them as
// "Start from a template" (handleNewIncident, ?template=ID).

func templatePath(id int64) string { return "/admin/incident-templates/" + strconv.FormatInt(id, 10) }

func declareFromPath(id int64) string {
	return "/admin/incidents/new?template=" + strconv.FormatInt(id, 10)
}

// handleIncidentTemplates shows "/admin/incident-templates".
func (s *Server) handleIncidentTemplates(c echo.Context) error {
	ctx := c.Request().Context()
	list, err := s.incidents.Templates(ctx)
	if err != nil {
		return err
	}
	components, err := s.incidents.Components(ctx)
	if err != nil {
		return err
	}
	byID := make(map[string]incidents.Component, len(components))
	for _, comp := range components {
		byID[comp.ID] = comp
	}
	v := templates.IncidentTemplatesPage{Page: s.page(c, "Incident templates", "")}
	v.Flash = templateFlash[c.QueryParam("done")]
	for _, t := range list {
		v.Rows = append(v.Rows, templates.IncidentTemplateRow{
			Name: t.Name, Title: t.Title, Impact: t.Impact.Label(), Components: templateComponentsText(t, byID),
			Updated: viewTime(t.UpdatedAt), EditURL: templatePath(t.ID), DeclareURL: declareFromPath(t.ID),
		})
	}
	return s.render(c, http.StatusOK, templates.IncidentTemplates(v))
}

var templateFlash = map[string]string{"deleted": "Template deleted."}

// templateComponentsText says what a template sets, for the list.
func templateComponentsText(t incidents.Template, byID map[string]incidents.Component) string {
	if len(t.Components) == 0 {
		return "None"
	}
	parts := make([]string, 0, len(t.Components))
	for _, tc := range t.Components {
		name := tc.Component
		if comp, ok := byID[tc.Component]; ok {
			name = comp.Name
			if where := firstNonEmpty(comp.Zone, comp.Region); where != "" && !strings.Contains(name, where) {
				name += " (" + where + ")"
			}
		}
		parts = append(parts, fmt.Sprintf("%s: %s, %s%%", name, tc.Status.Label(), tc.AffectedPercent))
	}
	return strings.Join(parts, "; ")
}

// templateOptions are the templates the declare form offers, selected
// chosen.
func (s *Server) templateOptions(ctx context.Context, selected int64) ([]templates.Option, error) {
	list, err := s.incidents.Templates(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]templates.Option, 0, len(list))
	for _, t := range list {
		out = append(out, templates.Option{Value: strconv.FormatInt(t.ID, 10), Label: t.Name, Selected: t.ID == selected})
	}
	return out, nil
}

// formTemplate is the template "?template=" names, nil without one: a
// value that is not an id is errs.Invalid on "template", an id of none
// errs.NotFound.
func (s *Server) formTemplate(c echo.Context) (*incidents.Template, error) {
	raw := strings.TrimSpace(c.QueryParam("template"))
	if raw == "" {
		return nil, nil
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id < 1 {
		return nil, errs.Invalidf("template", "%q is not a template id", raw)
	}
	t, err := s.incidents.Template(c.Request().Context(), id)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// templateImpactOptions are the impacts a template offers, after "As
// the worst status" (empty: worked out from the components).
func templateImpactOptions(selected incidents.Impact) []templates.Option {
	return append([]templates.Option{{Value: "", Label: "As the worst status", Selected: selected == ""}}, impactOptions(selected)...)
}

// templateStates are a template's components as the current states of an
// incident form's rows, so that the rows show them.
func templateStates(t incidents.Template) map[string]incidents.ComponentStatus {
	out := make(map[string]incidents.ComponentStatus, len(t.Components))
	for _, tc := range t.Components {
		out[tc.Component] = incidents.ComponentStatus{Component: tc.Component, Status: tc.Status, AffectedPercent: tc.AffectedPercent}
	}
	return out
}

// catalog is the components and the service names of the forms' rows.
func (s *Server) catalog(ctx context.Context) ([]incidents.Component, map[string]string, error) {
	components, err := s.incidents.Components(ctx)
	if err != nil {
		return nil, nil, err
	}
	services, err := s.serviceNames(ctx)
	return components, services, err
}

// handleNewIncidentTemplate shows "/admin/incident-templates/new".
func (s *Server) handleNewIncidentTemplate(c echo.Context) error {
	components, services, err := s.catalog(c.Request().Context())
	if err != nil {
		return err
	}
	rows := form.ComponentFields(components, services, nil)
	return s.render(c, http.StatusOK, templates.IncidentTemplateEdit(templates.IncidentTemplateForm{
		Page: s.page(c, "New incident template", ""), Heading: "New incident template", Action: "/admin/incident-templates",
		Impacts: templateImpactOptions(""), Components: rows, Services: form.ServiceFields(rows),
	}))
}

// handleIncidentTemplate shows "/admin/incident-templates/:id": the form
// holding the stored template.
func (s *Server) handleIncidentTemplate(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	t, err := s.incidents.Template(ctx, id)
	if err != nil {
		return err
	}
	components, services, err := s.catalog(ctx)
	if err != nil {
		return err
	}
	rows := form.ComponentFields(components, services, templateStates(t))
	v := storedTemplateForm(s.page(c, t.Name, ""), t)
	v.Flash = map[string]string{"saved": "Template saved."}[c.QueryParam("done")]
	v.Name, v.Title, v.Message, v.NoComponents = t.Name, t.Title, t.Message, t.NoComponents
	v.Impacts = templateImpactOptions(t.Impact)
	v.Components, v.Services = rows, form.ServiceFields(rows)
	return s.render(c, http.StatusOK, templates.IncidentTemplateEdit(v))
}

func storedTemplateForm(p templates.Page, t incidents.Template) templates.IncidentTemplateForm {
	return templates.IncidentTemplateForm{Page: p, Heading: "Template “" + t.Name + "”", Action: templatePath(t.ID),
		DeleteAction: templatePath(t.ID) + "/delete", DeclareURL: declareFromPath(t.ID)}
}

// readTemplateForm reads the template form: its fields and its component
// rows (which name no customers). rows come back to be shown again.
func readTemplateForm(c echo.Context, components []incidents.Component, services map[string]string) (incidents.TemplateInput, form.Components, error) {
	in := incidents.TemplateInput{
		Name:         c.FormValue("name"),
		Title:        c.FormValue("title"),
		Impact:       incidents.Impact(c.FormValue("impact")),
		Message:      c.FormValue("message"),
		NoComponents: c.FormValue("no_components") != "",
	}
	rows, err := form.ReadComponents(c, components, services, nil)
	if err != nil {
		return in, rows, err
	}
	for i, ch := range rows.Changes {
		if len(ch.Customers) > 0 {
			return in, rows, errs.Invalidf(fmt.Sprintf("components[%d].customers", i), "a template names no customers: name them when you declare")
		}
		in.Components = append(in.Components, incidents.TemplateChangeIn{Component: ch.Component, Status: ch.Status, AffectedPercent: ch.AffectedPercent})
	}
	return in, rows, nil
}

// handleCreateIncidentTemplate stores a new template from the form.
func (s *Server) handleCreateIncidentTemplate(c echo.Context) error {
	ctx := c.Request().Context()
	components, services, err := s.catalog(ctx)
	if err != nil {
		return err
	}
	in, rows, err := readTemplateForm(c, components, services)
	var t incidents.Template
	if err == nil {
		t, err = s.incidents.CreateTemplate(ctx, by(c), in, s.now())
	}
	if err != nil {
		v := templates.IncidentTemplateForm{Page: s.page(c, "New incident template", ""), Heading: "New incident template", Action: "/admin/incident-templates"}
		return s.templateFormError(c, v, in, rows, err)
	}
	return c.Redirect(http.StatusSeeOther, templatePath(t.ID)+"?done=saved")
}

// handleUpdateIncidentTemplate replaces a template with the form.
func (s *Server) handleUpdateIncidentTemplate(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	stored, err := s.incidents.Template(ctx, id)
	if err != nil {
		return err
	}
	components, services, err := s.catalog(ctx)
	if err != nil {
		return err
	}
	in, rows, err := readTemplateForm(c, components, services)
	if err == nil {
		_, err = s.incidents.UpdateTemplate(ctx, by(c), id, in, s.now())
	}
	if err != nil {
		return s.templateFormError(c, storedTemplateForm(s.page(c, stored.Name, ""), stored), in, rows, err)
	}
	return c.Redirect(http.StatusSeeOther, templatePath(id)+"?done=saved")
}

// templateFormError shows the template form again as posted, with err
// on its field (a 422), or returns err when it is not about the input.
func (s *Server) templateFormError(c echo.Context, v templates.IncidentTemplateForm, in incidents.TemplateInput, rows form.Components, err error) error {
	if errs.CodeOf(err) != errs.Invalid {
		return err
	}
	v.Name, v.Title, v.Message, v.NoComponents = strings.TrimSpace(in.Name), strings.TrimSpace(in.Title), in.Message, in.NoComponents
	v.Impacts = withOption(templateImpactOptions(""), string(in.Impact))
	v.Components, v.Services = rows.Fields, rows.Services
	v.Error = rows.Attach(err)
	return s.render(c, http.StatusUnprocessableEntity, templates.IncidentTemplateEdit(v))
}

// saveAsTemplate answers the declare form's "Save as template" button:
// the new template form holding what was typed (title, impact, message,
// component rows), to be named and saved; nothing is stored yet, and no
// incident is declared. Customers are not part of a template, which the
// form says when the declare form named some.
func (s *Server) saveAsTemplate(c echo.Context, in incidents.IncidentInput, rows form.Components, rowsErr error) error {
	v := templates.IncidentTemplateForm{
		Page: s.page(c, "New incident template", ""), Heading: "New incident template", Action: "/admin/incident-templates",
		Title: in.Title, Message: in.Message, NoComponents: in.NoComponents,
		Impacts: withOption(templateImpactOptions(""), string(in.Impact)),
	}
	v.Flash = "Name the template and save it: the incident is not declared."
	for _, f := range rows.Fields {
		if strings.TrimSpace(f.Customers) != "" {
			v.Flash = "Name the template and save it: the incident is not declared. The customers you named are not kept in a template; name them when you declare."
			break
		}
	}
	v.Components, v.Services = rows.Fields, rows.Services
	status := http.StatusOK
	if rowsErr != nil {
		v.Error = rows.Attach(rowsErr)
		status = statusOf(rowsErr)
	}
	return s.render(c, status, templates.IncidentTemplateEdit(v))
}

// handleDeleteIncidentTemplate deletes a template (audited with what it
// said) and goes back to the list.
func (s *Server) handleDeleteIncidentTemplate(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	if _, err := s.incidents.DeleteTemplate(c.Request().Context(), by(c), id, s.now()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/incident-templates?done=deleted")
}
