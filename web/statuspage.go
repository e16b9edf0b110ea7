package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/report"
	"github.com/amends/amends/web/statuspage"
)

// This file serves the public JSON API compatible with Atlassian
// Statuspage's public API v2 (/api/v2/summary.json and its parts) and the
// history feeds (/history.atom, /history.rss), whose bytes package
// web/statuspage builds from what report loads. They are public like the
// status page and served the same way: rendered once per data revision by
// the page cache.

// serveStatuspage returns the handler of a v2 endpoint: it answers from
// the page cache with the JSON that build makes of the public record.
func (s *Server) serveStatuspage(build func(report.PublicRecord, statuspage.Site, time.Time) ([]byte, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		site := s.statuspageSite(c)
		// The bytes name the base URL, so a server without a configured one
		// keeps a copy per address it is reached at.
		key := c.Request().URL.Path + " " + site.URL
		return s.pages.serve(c, key, func(ctx context.Context) (rendered, error) {
			now := s.now()
			rec, err := s.reports.PublicRecord(ctx, now, statuspage.MaxList)
			if err != nil {
				return rendered{}, err
			}
			body, err := build(rec, site, now)
			if err != nil {
				return rendered{}, err
			}
			return rendered{statuspage.ContentType, body, statuspage.ValidFor(rec, now), nil}, nil
		})
	}
}

// serveFeed returns the handler of a history feed of contentType: it
// answers from the page cache with the document that build makes of the
// recent history.
func (s *Server) serveFeed(contentType string, build func(report.RecentHistory, statuspage.Site, time.Time, statuspage.Markdown) ([]byte, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		site := s.statuspageSite(c)
		return s.pages.serve(c, c.Request().URL.Path+" "+site.URL, func(ctx context.Context) (rendered, error) {
			h, err := s.reports.RecentHistory(ctx, statuspage.FeedMaxEntries)
			if err != nil {
				return rendered{}, err
			}
			body, err := build(h, site, s.now(), explanationMarkdown.render)
			return rendered{contentType, body, 0, nil}, err
		})
	}
}

// statuspageSite is the page the v2 API and the feeds describe.
func (s *Server) statuspageSite(c echo.Context) statuspage.Site {
	return statuspage.Site{Name: s.cfg.SiteName, URL: s.spBase(c)}
}

// publicCORS lets any origin read a public resource: a widget on a
// customer's own site fetches the status with GET. A preflight is answered
// here with 204.
func publicCORS(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set(echo.HeaderAccessControlAllowOrigin, "*")
		if c.Request().Method != http.MethodOptions {
			return next(c)
		}
		h.Set(echo.HeaderAllow, "GET, HEAD, OPTIONS")
		h.Set(echo.HeaderAccessControlAllowMethods, "GET, HEAD")
		h.Set(echo.HeaderAccessControlAllowHeaders, "Accept, Accept-Language, Cache-Control, Content-Type, If-Modified-Since, If-None-Match")
		h.Set(echo.HeaderAccessControlMaxAge, "86400")
		return c.NoContent(http.StatusNoContent)
	}
}

// spBase is the site's public address without a trailing slash:
// Config.BaseURL, else the scheme and host the request came to.
func (s *Server) spBase(c echo.Context) string {
	if b := strings.TrimRight(strings.TrimSpace(s.cfg.BaseURL), "/"); b != "" {
		return b
	}
	return c.Scheme() + "://" + c.Request().Host
}
