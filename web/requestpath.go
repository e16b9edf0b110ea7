package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
)

// What every request goes through, made cheap for the status page's
// cached hits, which are the most requests on an outage day: the request
// id is a counter, the request log line is formatted once into the
// logger's (buffered) writer, the metric series are looked up once per
// route, method and code, and the security headers are slices built once,
// set without canonicalising their names again.

// headerRequestID is echo.HeaderXRequestID as net/http keys it.
const headerRequestID = "X-Request-Id"

// requestIDs makes request ids unique to this process: a random prefix
// fixed at start and a counter ("3f9a0c1b7d2e-1a").
type requestIDs struct {
	prefix string
	n      atomic.Uint64
}

func newRequestIDs() *requestIDs {
	b := make([]byte, 6)
	rand.Read(b) // crypto/rand never fails on supported platforms
	return &requestIDs{prefix: hex.EncodeToString(b) + "-"}
}

func (r *requestIDs) next() string {
	var buf [32]byte
	return string(strconv.AppendUint(append(buf[:0], r.prefix...), r.n.Add(1), 36))
}

// everyRequest is the one middleware every request goes through: it
// gives the request an id (the one the client sent in X-Request-ID, if
// any) and sends it back, sets the security headers, turns a panic into
// a 500, hands an error to the error handler so that the response has
// the status the client gets, counts the request and its latency by route
// pattern (never the raw path, which would make one series per incident
// id), and writes one structured line for it: method, URI, route, status,
// bytes, latency, client address and request id. These are one function,
// not five middlewares, because echo wraps each middleware around the
// handler again on every request.
func (s *Server) everyRequest(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		req, res := c.Request(), c.Response()
		h := res.Header()
		id := firstHeader(req.Header, headerRequestID)
		if id == "" {
			id = s.ids.next()
		}
		h[headerRequestID] = []string{id}
		for _, hd := range s.security {
			h[hd.name] = hd.value
		}
		if c.Scheme() == "https" {
			h[hstsHeader.name] = hstsHeader.value
		}

		err := s.recovering(c, next)
		status := res.Status
		if err != nil {
			status = statusOf(err)
		}
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		sr := s.metrics.series.get(route, req.Method, status)
		sr.requests.Inc()
		sr.duration.Observe(time.Since(start).Seconds())

		if err != nil {
			c.Error(err)
		}
		s.logRequest(req.Context(), req.Method, req.RequestURI, c.Path(), res.Status, res.Size, time.Since(start), c.RealIP(), id)
		// The error was handled; returning it tells echo, whose error
		// handler ignores a response already written.
		return err
	}
}

// logRequest writes a request's one line: method, URI, route, status,
// bytes, latency, client address and request id.
func (s *Server) logRequest(ctx context.Context, method, uri, route string, status int, size int64, latency time.Duration, ip, id string) {
	s.log.LogAttrs(ctx, slog.LevelInfo, "request",
		slog.String("method", method),
		slog.String("uri", uri),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Int64("bytes", size),
		slog.Duration("latency", latency),
		slog.String("ip", ip),
		slog.String("request_id", id),
	)
}

// recovering calls next, turning a panic into an error (logged with its
// stack) that answers 500. http.ErrAbortHandler, the way to abort a
// response on purpose, goes on up to net/http.
func (s *Server) recovering(c echo.Context, next echo.HandlerFunc) (err error) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if r == http.ErrAbortHandler {
			panic(r)
		}
		if e, ok := r.(error); ok {
			err = fmt.Errorf("panic: %w", e)
		} else {
			err = fmt.Errorf("panic: %v", r)
		}
		s.log.LogAttrs(c.Request().Context(), slog.LevelError, "panic",
			slog.String("uri", c.Request().RequestURI), slog.Any("panic", r), slog.String("stack", string(debug.Stack())))
	}()
	return next(c)
}

// seriesKey names one request counter series.
type seriesKey struct {
	route, method string
	code          int
}

// series are a request's metric handles.
type series struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

// seriesCache resolves each route, method and code's handles once.
type seriesCache struct {
	m        *metrics
	resolved sync.Map // seriesKey → *series
}

func (sc *seriesCache) get(route, method string, code int) *series {
	k := seriesKey{route, method, code}
	if v, ok := sc.resolved.Load(k); ok {
		return v.(*series)
	}
	v, _ := sc.resolved.LoadOrStore(k, &series{
		requests: sc.m.requests.WithLabelValues(route, method, strconv.Itoa(code)),
		duration: sc.m.duration.WithLabelValues(route),
	})
	return v.(*series)
}

// header is a response header's canonical name and its value, built once.
type header struct {
	name  string
	value []string
}

// securityHeaders are a strict content security policy (pages load only
// their own CSS and JS) and the usual hardening headers, under their
// canonical names; hstsHeader is sent over HTTPS.
func securityHeaders() []header {
	hs := []header{
		{echo.HeaderXXSSProtection, []string{"0"}},
		{echo.HeaderXContentTypeOptions, []string{"nosniff"}},
		{echo.HeaderXFrameOptions, []string{"DENY"}},
		{echo.HeaderContentSecurityPolicy, []string{"default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"}},
		{echo.HeaderReferrerPolicy, []string{"strict-origin-when-cross-origin"}},
	}
	for i := range hs {
		hs[i].name = http.CanonicalHeaderKey(hs[i].name)
	}
	return hs
}

var hstsHeader = header{http.CanonicalHeaderKey(echo.HeaderStrictTransportSecurity), []string{"max-age=31536000; includeSubdomains"}}
