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

// correctIncidentPage is the view of "/admin/incidents/{id}/correct" for
// inc, its forms filled with what is stored.
func (s *Server) correctIncidentPage(c echo.Context, inc incidents.Incident) (templates.CorrectIncidentPage, error) {
	components, err := s.incidents.Components(c.Request().Context())
	if err != nil {
		return templates.CorrectIncidentPage{}, err
	}
	v := templates.CorrectIncidentPage{
		Page:      s.page(c, "Correct: "+inc.Title, ""),
		ID:        inc.ID,
		Incident:  incidentSummary(inc, namesOf(components), "/admin/incidents/", s.now()),
		Title:     inc.Title,
		Impacts:   impactOptions(inc.Impact),
		CanDelete: currentUser(c).Role.AtLeast(auth.Admin),
	}
	for i := len(inc.Updates) - 1; i >= 0; i-- {
		u := inc.Updates[i]
		v.Updates = append(v.Updates, templates.UpdateCorrection{
			ID: u.ID, Phase: u.Phase.Label(), At: viewTime(u.At), Edited: viewTimePtr(u.EditedAt), Message: u.Message,
		})
	}
	return v, nil
}

// handleCorrectIncidentPage shows the corrections of one incident.
func (s *Server) handleCorrectIncidentPage(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	inc, err := s.incidents.Incident(c.Request().Context(), id)
	if err != nil {
		return err
	}
	v, err := s.correctIncidentPage(c, inc)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, templates.CorrectIncident(v))
}

// handleCorrectIncident corrects the title and impact.
func (s *Server) handleCorrectIncident(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	inc, err := s.incidents.Incident(ctx, id)
	if err != nil {
		return err
	}
	title := c.FormValue("title")
	impact := incidents.Impact(c.FormValue("impact"))
	if _, err := s.incidents.CorrectIncident(ctx, by(c), id, incidents.IncidentCorrection{Title: &title, Impact: &impact}, s.now()); err != nil {
		if errs.CodeOf(err) != errs.Invalid {
			return err
		}
		v, verr := s.correctIncidentPage(c, inc)
		if verr != nil {
			return verr
		}
		v.Title = strings.TrimSpace(title)
		v.Impacts = impactOptions(impact)
		v.Error = form.ErrorOn(err, nil, "title", "impact")
		return s.render(c, statusOf(err), templates.CorrectIncident(v))
	}
	s.pages.invalidate()
	return c.Redirect(http.StatusSeeOther, "/admin/incidents/"+strconv.FormatInt(id, 10))
}

// handleCorrectUpdate corrects one update's message.
func (s *Server) handleCorrectUpdate(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	uid, err := strconv.ParseInt(c.Param("uid"), 10, 64)
	if err != nil || uid <= 0 {
		return errs.NotFoundf("no such update")
	}
	ctx := c.Request().Context()
	inc, err := s.incidents.Incident(ctx, id)
	if err != nil {
		return err
	}
	message := c.FormValue("message")
	if _, err := s.incidents.CorrectUpdate(ctx, by(c), id, uid, message, s.now()); err != nil {
		if errs.CodeOf(err) != errs.Invalid {
			return err
		}
		v, verr := s.correctIncidentPage(c, inc)
		if verr != nil {
			return verr
		}
		for i := range v.Updates {
			if v.Updates[i].ID == uid {
				v.Updates[i].Message = message
				v.Updates[i].Error = errs.MessageOf(err)
			}
		}
		v.Error = templates.FormError{Summary: "Please correct the message marked below."}
		return s.render(c, statusOf(err), templates.CorrectIncident(v))
	}
	s.pages.invalidate()
	return c.Redirect(http.StatusSeeOther, "/admin/incidents/"+strconv.FormatInt(id, 10))
}

// handleDeleteIncident deletes an incident declared by mistake (admins;
// see api.Handler.DeleteIncident for when it is refused).
func (s *Server) handleDeleteIncident(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	inc, err := s.incidents.Incident(ctx, id)
	if err != nil {
		return err
	}
	err = nil
	if c.FormValue("confirm") != "delete" {
		err = errs.Invalidf("confirm", "tick the box to confirm that this incident was declared by mistake")
	}
	if err == nil {
		err = s.reports.CheckDeletable(ctx, inc, s.now())
	}
	if err == nil {
		_, err = s.incidents.DeleteIncident(ctx, by(c), id, s.now())
	}
	if err != nil {
		if code := errs.CodeOf(err); code != errs.Invalid && code != errs.Conflict {
			return err
		}
		v, verr := s.correctIncidentPage(c, inc)
		if verr != nil {
			return verr
		}
		v.DeleteError = errs.MessageOf(err)
		return s.render(c, statusOf(err), templates.CorrectIncident(v))
	}
	s.pages.invalidate()
	return c.Redirect(http.StatusSeeOther, "/admin/incidents")
}
