package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/labstack/echo/v4"
)

// uncachedKey marks the context of a RenderPublic request: the page cache
// renders it without storing it.
type uncachedKey struct{}

// RenderPublic answers a GET of target (a path with an optional query,
// such as "/history?page=2") as the server answers an anonymous reader:
// the route's own handler and the page cache's render function, so a
// static mirror (package web/mirror) gets the very bytes the live pages
// serve. The page is rendered from the data as stored when it is called:
// it is not taken from the cache, nor stored in it (the mirror asks for
// every page each time anything changes, and needs no gzip form or ETag
// of them). It skips the request log and metrics. The body is never
// gzipped; a handler's error is answered as the error handler answers it,
// and a panic becomes an error.
func (s *Server) RenderPublic(ctx context.Context, target string) (status int, header http.Header, body []byte, err error) {
	if !strings.HasPrefix(target, "/") {
		return 0, nil, nil, fmt.Errorf("web: RenderPublic %q: not a path", target)
	}
	req := httptest.NewRequestWithContext(context.WithValue(ctx, uncachedKey{}, true), http.MethodGet, target, nil)
	rec := httptest.NewRecorder()
	c := s.echo.NewContext(req, rec)
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

// Changed is signalled after each write this server commits (a write by
// another process is seen only through the data revision): a mirror waits
// on it as well as polling the revision, so it starts at once. One signal
// may stand for several writes; the channel is shared, so only one reader
// should wait on it.
func (s *Server) Changed() <-chan struct{} { return s.pages.changed }
