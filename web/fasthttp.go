package web

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/valyala/fasthttp"

	"github.com/amends/amends/internal/fastadapt"
)

// FastHTTP returns the server as a fasthttp handler, the way `amends
// serve` runs it. The status page is what everyone opens at once during
// an outage, so a request for it that the page cache can answer as it is
// (fastHit) is written from memory without building a net/http request or
// an echo context: the same bytes, headers, metrics and log line as
// through echo, at a static file server's cost. Every other request, and
// the status page when it must be rendered again, goes to the echo
// handler through fastadapt.
func (s *Server) FastHTTP() fasthttp.RequestHandler {
	slow := fastadapt.Handler(s.echo, s.log)
	return func(ctx *fasthttp.RequestCtx) {
		if !s.fastHit(ctx) {
			slow(ctx)
		}
	}
}

// The request headers that echo reads for the scheme and the client's
// address (echo.Context's Scheme and RealIP): fastHit gives echo just
// these, so both come from echo's own code.
var fastHitHeaders = []string{
	echo.HeaderXForwardedProto, echo.HeaderXForwardedProtocol, echo.HeaderXForwardedSsl,
	echo.HeaderXUrlScheme, echo.HeaderXForwardedFor, echo.HeaderXRealIP,
}

// The response headers of fastHit, as fasthttp takes them: names
// already canonical, values as bytes.
var (
	fastRequestID = []byte(headerRequestID)
	fastETag      = []byte(headerETag)
	fastHSTS      = [2][]byte{[]byte(hstsHeader.name), []byte(hstsHeader.value[0])}
	fastGzip      = [2][]byte{[]byte(echo.HeaderContentEncoding), []byte(pageGzip[0])}
)

// fastHeadersOf are the security headers and a cached page's own fixed
// ones (Vary, Cache-Control) as fastHit sets them.
func fastHeadersOf(security []header) [][2][]byte {
	var kv [][2][]byte
	for _, hd := range security {
		kv = append(kv, [2][]byte{[]byte(hd.name), []byte(hd.value[0])})
	}
	return append(kv, [2][]byte{[]byte(echo.HeaderVary), []byte(pageVary[0])},
		[2][]byte{[]byte(echo.HeaderCacheControl), []byte(pageCacheControl[0])})
}

// fastHit answers ctx from the page cache when it asks for the status
// page ("/", any query, as echo routes it), by GET or HEAD, and the cached
// copy is current. It reports whether it answered; when it did not, it
// has written nothing.
func (s *Server) fastHit(ctx *fasthttp.RequestCtx) bool {
	start := time.Now()
	method := ctx.Method()
	var m string
	switch {
	case bytes.Equal(method, []byte(http.MethodGet)):
		m = http.MethodGet
	case bytes.Equal(method, []byte(http.MethodHead)):
		m = http.MethodHead
	default:
		return false
	}
	uri := ctx.RequestURI()
	if len(uri) == 0 || uri[0] != '/' || (len(uri) > 1 && uri[1] != '?') {
		return false
	}
	p := s.pages.current(context.Background(), "/")
	if p == nil {
		return false
	}
	rh := &ctx.Request.Header
	a := p.answer(m, string(rh.Peek(echo.HeaderAcceptEncoding)), string(rh.Peek("If-None-Match")))

	// What echo would say of the request's scheme and address.
	r := &http.Request{Method: m, RemoteAddr: ctx.RemoteAddr().String()}
	for _, name := range fastHitHeaders {
		for _, v := range rh.PeekAll(name) {
			if r.Header == nil {
				r.Header = http.Header{}
			}
			r.Header[name] = append(r.Header[name], string(v))
		}
	}
	ec := s.echo.AcquireContext()
	ec.Reset(r, nil)
	https, ip := ec.Scheme() == "https", ec.RealIP()
	s.echo.ReleaseContext(ec)

	h := &ctx.Response.Header
	h.SetNoDefaultContentType(true)
	id := string(rh.Peek(headerRequestID))
	if id == "" {
		id = s.ids.next()
	}
	h.SetCanonical(fastRequestID, []byte(id))
	for _, kv := range s.fastHeaders {
		h.SetCanonical(kv[0], kv[1])
	}
	if https {
		h.SetCanonical(fastHSTS[0], fastHSTS[1])
	}
	h.SetContentType(p.contentType)
	h.SetCanonical(fastETag, []byte(a.etagH[0]))
	ctx.SetStatusCode(a.status)
	if a.status == http.StatusOK {
		if a.gzipped {
			h.SetCanonical(fastGzip[0], fastGzip[1])
		}
		if a.head {
			h.SetContentLength(len(a.body))
		} else {
			ctx.Response.SetBodyRaw(a.body)
		}
	}
	s.pages.metrics.cacheHits.Inc()
	sr := s.metrics.series.get("/", m, a.status)
	sr.requests.Inc()
	sr.duration.Observe(time.Since(start).Seconds())
	size := int64(0)
	if !a.head {
		size = int64(len(a.body))
	}
	s.logRequest(context.Background(), m, string(uri), "/", a.status, size, time.Since(start), ip, id)
	return true
}

// FastHTTPError answers a request that the HTTP server could not read
// (fasthttp.Server.ErrorHandler): 431 for a header larger than the
// server reads, 408 for one that did not arrive in time, 413 for a body
// over the server's limit, 400 for anything else malformed. The answer
// has the security headers and a request id of every other, and is
// logged and counted (route "unmatched") like them; fasthttp closes the
// connection after it.
func (s *Server) FastHTTPError(ctx *fasthttp.RequestCtx, err error) {
	status := http.StatusBadRequest
	var small *fasthttp.ErrSmallBuffer
	var netErr net.Error
	switch {
	case errors.As(err, &small):
		status = http.StatusRequestHeaderFieldsTooLarge
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		status = http.StatusRequestEntityTooLarge
	case errors.As(err, &netErr) && netErr.Timeout():
		status = http.StatusRequestTimeout
	}
	ctx.Response.Reset()
	h := &ctx.Response.Header
	h.SetNoDefaultContentType(true)
	id := s.ids.next()
	h.SetCanonical(fastRequestID, []byte(id))
	for _, hd := range s.security {
		h.Set(hd.name, hd.value[0])
	}
	h.Set(echo.HeaderCacheControl, "no-store")
	h.SetContentType("text/plain; charset=utf-8")
	body := strconv.Itoa(status) + " " + http.StatusText(status) + "\n"
	ctx.SetStatusCode(status)
	ctx.SetBodyString(body)
	method := string(ctx.Method())
	sr := s.metrics.series.get("unmatched", method, status)
	sr.requests.Inc()
	sr.duration.Observe(0)
	host, _, _ := net.SplitHostPort(ctx.RemoteAddr().String())
	s.logRequest(context.Background(), method, string(ctx.RequestURI()), "unmatched", status, int64(len(body)), 0, host, id)
}
