package web

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
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

// requestID gives the request an id, the one the client sent in
// X-Request-ID if any, and sends it back in the response's header.
func (s *Server) requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := ""
		if v := c.Request().Header[headerRequestID]; len(v) > 0 {
			id = v[0]
		}
		if id == "" {
			id = s.ids.next()
		}
		c.Response().Header()[headerRequestID] = []string{id}
		return next(c)
	}
}

// requestLog writes one structured line per request, after it: method,
// URI, route, status, bytes, latency, client address and request id. An
// error is handed to the error handler first, so that the line has the
// status the client got.
func (s *Server) requestLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		req, res := c.Request(), c.Response()
		id := ""
		if v := res.Header()[headerRequestID]; len(v) > 0 {
			id = v[0]
		}
		s.log.LogAttrs(req.Context(), slog.LevelInfo, "request",
			slog.String("method", req.Method),
			slog.String("uri", req.RequestURI),
			slog.String("route", c.Path()),
			slog.Int("status", res.Status),
			slog.Int64("bytes", res.Size),
			slog.Duration("latency", time.Since(start)),
			slog.String("ip", c.RealIP()),
			slog.String("request_id", id),
		)
		// The error was handled; returning it tells the middleware above,
		// and the error handler ignores a response already written.
		return err
	}
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

// securityHeaders sets a strict content security policy (pages load only
// their own CSS and JS) and the usual hardening headers; HSTS over HTTPS.
func (s *Server) securityHeaders() echo.MiddlewareFunc {
	always := []header{
		{echo.HeaderXXSSProtection, []string{"0"}},
		{echo.HeaderXContentTypeOptions, []string{"nosniff"}},
		{echo.HeaderXFrameOptions, []string{"DENY"}},
		{echo.HeaderContentSecurityPolicy, []string{"default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"}},
		{echo.HeaderReferrerPolicy, []string{"strict-origin-when-cross-origin"}},
	}
	for i := range always {
		always[i].name = http.CanonicalHeaderKey(always[i].name)
	}
	hstsName, hsts := http.CanonicalHeaderKey(echo.HeaderStrictTransportSecurity), []string{"max-age=31536000; includeSubdomains"}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			for _, hd := range always {
				h[hd.name] = hd.value
			}
			if c.Scheme() == "https" {
				h[hstsName] = hsts
			}
			return next(c)
		}
	}
}
