package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/static"
)

// WriteProber is what the Revisioner given to New may also implement so
// that /healthz tells whether writes work, apart from reads: ProbeWrite
// performs a write that leaves nothing durable behind.
type WriteProber interface {
	ProbeWrite(ctx context.Context) error
}

// healthWriteWait is how long /healthz waits for its write probe: a write
// that cannot get through in this time counts as failing.
const healthWriteWait = 2 * time.Second

// handleHealth answers 200 while the database answers reads, 503 otherwise.
// Its body says "reads" and, when the Revisioner is a WriteProber,
// "writes": "ok" or "failing". A server that reads but cannot write (a full
// disk, a read-only file) still answers 200, with status "degraded", so a
// load balancer keeps sending it the readers of the status page.
func (s *Server) handleHealth(c echo.Context) error {
	ctx := c.Request().Context()
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	if _, err := s.revision.Revision(ctx); err != nil {
		s.log.Error("health check", "err", err)
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reads": "failing"})
	}
	body := map[string]string{"status": "ok", "reads": "ok"}
	if p, ok := s.revision.(WriteProber); ok {
		pctx, cancel := context.WithTimeout(ctx, healthWriteWait)
		err := p.ProbeWrite(pctx)
		cancel()
		if err != nil {
			s.log.Error("health check: writes", "err", err)
			body["status"], body["writes"] = "degraded", "failing"
		} else {
			body["writes"] = "ok"
		}
	}
	return c.JSON(http.StatusOK, body)
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
