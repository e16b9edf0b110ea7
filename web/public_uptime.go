package web

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/templates"
	"github.com/amends/amends/web/form"
)

// handleUptime serves "/uptime", the monthly uptime of every component in
// the last 12 months, and "/uptime?year=2012", that of each month of a
// year, from the page cache: 400 for a year that is not four digits, 404
// for one without figures (checked before the cache, so that a year left
// without figures by a deletion is never served from an old copy).
func (s *Server) handleUptime(c echo.Context) error {
	year, byYear, err := form.Year(c)
	if err != nil {
		return err
	}
	key := "/uptime"
	if byYear {
		years, err := s.reports.UptimeYears(c.Request().Context(), s.publicNow())
		if err != nil {
			return err
		}
		if !slices.Contains(years, year) {
			return errs.NotFoundf("there are no uptime figures for %d", year)
		}
		key += "?year=" + strconv.Itoa(year)
	}
	return s.pages.serve(c, key, func(ctx context.Context) (rendered, error) {
		v, err := s.uptimeView(ctx, s.publicNow(), year)
		if err != nil {
			return rendered{}, err
		}
		body, err := renderBytes(ctx, templates.Uptime(v))
		// The current month so far changes by the minute.
		return rendered{htmlType, body, time.Minute, nil}, err
	})
}

// uptimePath is the address of a year's uptime page, and of the last 12
// months' for year 0.
func uptimePath(year int) string {
	if year == 0 {
		return "/uptime"
	}
	return "/uptime?year=" + strconv.Itoa(year)
}
