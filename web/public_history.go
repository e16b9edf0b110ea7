package web

import (
	"context"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/templates"
	"github.com/amends/amends/web/form"
)

const historyPerPage = 20

// handleHistory serves "/history": resolved incidents, newest first, grouped
// by the month (UTC) they started in.
func (s *Server) handleHistory(c echo.Context) error {
	page, err := form.Page(c)
	if err != nil {
		return err
	}
	return s.pages.serve(c, "/history?page="+strconv.Itoa(page), func(ctx context.Context) (rendered, error) {
		list, total, err := s.incidents.ResolvedIncidents(ctx, (page-1)*historyPerPage, historyPerPage)
		if err != nil {
			return rendered{}, err
		}
		if err := form.PageHeld("page", "the history", page, historyPerPage, total); err != nil {
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
		v := templates.HistoryPage{
			Page:       s.publicPage("Incident history", "Past incidents of "+s.cfg.SiteName+", newest first.", "/history"),
			Pagination: pagesOf("/history", nil, newestFirst, page, historyPerPage, total),
		}
		for _, inc := range list {
			label := templates.MonthText(inc.StartedAt)
			if n := len(v.Months); n == 0 || v.Months[n-1].Label != label {
				v.Months = append(v.Months, templates.HistoryMonth{Label: label})
			}
			m := &v.Months[len(v.Months)-1]
			m.Incidents = append(m.Incidents, explained.summary(inc, names, "/incidents/", now))
		}
		body, err := renderBytes(ctx, templates.History(v))
		return rendered{htmlType, body, 0, nil}, err
	})
}
