package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/labstack/echo/v4"
)

// RenderPublic answers a GET of target (a path with an optional query,
// such as "/history?page=2") as the server answers an anonymous reader:
// the route's own handler, through the page cache, so a static mirror
// (package web/mirror) gets the very bytes the live pages serve. It skips
// the request log and metrics (the mirror asks for every page each time
// anything changes) and asks the database for its data revision first, so
// that what it renders is at least as new as what was stored before the
// call. The body is never gzipped; a handler's error is answered as the
// error handler answers it, and a panic becomes an error.
func (s *Server) RenderPublic(ctx context.Context, target string) (status int, header http.Header, body []byte, err error) {
	if !strings.HasPrefix(target, "/") {
		return 0, nil, nil, fmt.Errorf("web: RenderPublic %q: not a path", target)
	}
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	rec := httptest.NewRecorder()
	c := s.echo.NewContext(req, rec)
	s.pages.invalidate()
	s.echo.Router().Find(http.MethodGet, echo.GetPath(req), c)
	h := c.Handler()
	func() {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("web: RenderPublic %s: panic: %v", target, p)
			}
		}()
		if herr := h(c); herr != nil {
			s.handleError(herr, c)
		}
	}()
	if err != nil {
		return 0, nil, nil, err
	}
	return rec.Code, rec.Header(), rec.Body.Bytes(), nil
}
