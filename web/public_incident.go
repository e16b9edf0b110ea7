package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/templates"
	"github.com/amends/amends/web/form"
)

// handleIncident serves "/incidents/:id", an incident's whole timeline.
func (s *Server) handleIncident(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		// An imported incident's Statuspage id: old links keep working.
		if ext := c.Param("id"); ext != "" && len(ext) <= 64 {
			if found, lookErr := s.incidents.IncidentByExternalID(c.Request().Context(), ext); lookErr == nil {
				return c.Redirect(http.StatusMovedPermanently, "/incidents/"+strconv.FormatInt(found, 10))
			} else if errs.CodeOf(lookErr) != errs.NotFound {
				return lookErr
			}
		}
		return err
	}
	return s.pages.serve(c, "/incidents/"+strconv.FormatInt(id, 10), func(ctx context.Context) (rendered, error) {
		inc, err := s.incidents.Incident(ctx, id)
		if err != nil {
			return rendered{}, err
		}
		components, err := s.incidents.Components(ctx)
		if err != nil {
			return rendered{}, err
		}
		names := namesOf(components)
		explained, err := s.explained(ctx)
		if err != nil {
			return rendered{}, err
		}
		now := s.now()
		v := templates.IncidentPage{
			Page:     s.publicPage(inc.Title, inc.Phase.Label()+": "+inc.Title, "/incidents/"),
			Incident: explained.summary(inc, names, "/incidents/", now),
			Affected: affected(inc, names),
			Updates:  updateViews(inc, names, false),
		}
		if s.cfg.Notify != nil && inc.Active() {
			v.FollowURL = "/subscribe?incident=" + strconv.FormatInt(inc.ID, 10)
		}
		for i := range v.Updates {
			v.Updates[i].Author = "" // staff names stay in admin
		}
		body, err := renderBytes(ctx, templates.Incident(v))
		return rendered{htmlType, body, 0, nil}, err
	})
}
