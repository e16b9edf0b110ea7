package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/static"
)

// handleHealth answers 200 while the database answers, 503 otherwise.
func (s *Server) handleHealth(c echo.Context) error {
	if _, err := s.revision.Revision(c.Request().Context()); err != nil {
		s.log.Error("health check", "err", err)
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// handleStatic serves the embedded CSS, JS and images. Versioned URLs
// (static.URL adds ?v=<hash>) may be cached for a year.
func (s *Server) handleStatic() echo.HandlerFunc {
	files := http.StripPrefix("/static/", http.FileServerFS(static.FS))
	return func(c echo.Context) error {
		if strings.HasSuffix(c.Request().URL.Path, "/") {
			return echo.ErrNotFound
		}
		h := c.Response().Header()
		if c.QueryParam("v") != "" {
			h.Set(echo.HeaderCacheControl, "public, max-age=31536000, immutable")
		} else {
			h.Set(echo.HeaderCacheControl, "public, max-age=300")
		}
		files.ServeHTTP(c.Response(), c.Request())
		return nil
	}
}
