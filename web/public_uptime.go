package web

import (
	"context"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/templates"
)

// handleUptime serves "/uptime", the monthly uptime of every component,
// from the page cache.
func (s *Server) handleUptime(c echo.Context) error {
	return s.pages.serve(c, "/uptime", func(ctx context.Context) (rendered, error) {
		v, err := s.uptimeView(ctx, s.publicNow())
		if err != nil {
			return rendered{}, err
		}
		body, err := renderBytes(ctx, templates.Uptime(v))
		// The current month so far changes by the minute.
		return rendered{htmlType, body, time.Minute}, err
	})
}
