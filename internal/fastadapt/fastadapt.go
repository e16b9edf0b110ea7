// Package fastadapt serves a net/http handler from a fasthttp server.
//
// fasthttp's own adaptor (fasthttpadaptor) reads every request body into
// memory before the handler runs, so any client could make the server
// hold a body of the largest size one route accepts before that route's
// sign-in check has refused it. Here the server streams bodies
// (fasthttp.Server.StreamRequestBody) and the handler reads them through
// its own limits, as under net/http. The response is kept whole and sent
// when the handler returns: no handler of this server flushes early or
// takes over the connection, and the writer offers neither.
package fastadapt

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"

	"github.com/valyala/fasthttp"
)

// Handler returns a fasthttp handler that serves each request with h. A
// panic in h other than http.ErrAbortHandler is logged with its stack and
// answered 500; either closes the connection, as net/http does.
func Handler(h http.Handler, log *slog.Logger) fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		r, err := Request(ctx)
		if err != nil {
			ctx.Error(http.StatusText(http.StatusBadRequest)+": "+err.Error(), http.StatusBadRequest)
			ctx.SetConnectionClose()
			return
		}
		w := &responseWriter{ctx: ctx, header: make(http.Header, 12)}
		defer func() {
			if rec := recover(); rec != nil {
				ctx.Response.Reset()
				ctx.Error(http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
				ctx.SetConnectionClose()
				if rec != http.ErrAbortHandler {
					log.Error("panic serving request", "uri", r.RequestURI, "panic", fmt.Sprint(rec), "stack", string(debug.Stack()))
				}
			}
		}()
		h.ServeHTTP(w, r)
		w.finish()
	}
}

// Request makes the net/http request of ctx: method, target, protocol,
// headers (Host in Host, as net/http has it), the client's address and
// the body as a stream. It copies what it keeps, so the request stays
// valid after the fasthttp handler returns.
func Request(ctx *fasthttp.RequestCtx) (*http.Request, error) {
	uri := string(ctx.RequestURI())
	u, err := url.ParseRequestURI(uri)
	if err != nil {
		return nil, fmt.Errorf("request target %q: %w", uri, err)
	}
	r := &http.Request{
		Method:     string(ctx.Method()),
		URL:        u,
		RequestURI: uri,
		Host:       string(ctx.Host()),
		RemoteAddr: ctx.RemoteAddr().String(),
		Header:     make(http.Header, 12),
	}
	r.Proto = string(ctx.Request.Header.Protocol())
	var ok bool
	if r.ProtoMajor, r.ProtoMinor, ok = http.ParseHTTPVersion(r.Proto); !ok {
		return nil, fmt.Errorf("protocol %q is not HTTP/1.x", r.Proto)
	}
	for k, v := range ctx.Request.Header.All() {
		switch key := string(k); key {
		case "Host":
		case "Transfer-Encoding":
			r.TransferEncoding = append(r.TransferEncoding, string(v))
		default:
			r.Header[key] = append(r.Header[key], string(v))
		}
	}
	switch n := ctx.Request.Header.ContentLength(); {
	case n > 0:
		r.ContentLength = int64(n)
	case n == -1: // chunked
		r.ContentLength = -1
	}
	r.Body = http.NoBody
	if r.ContentLength != 0 {
		if s := ctx.RequestBodyStream(); s != nil {
			r.Body = io.NopCloser(s)
		} else {
			r.Body = io.NopCloser(bytes.NewReader(ctx.Request.Body()))
		}
	}
	// The request's context is its own, never the fasthttp context, which
	// the server reuses for the next request once this one is answered.
	return r.WithContext(context.Background()), nil
}

// responseWriter keeps the status and header a handler writes, and the
// body in ctx's response.
type responseWriter struct {
	ctx    *fasthttp.RequestCtx
	header http.Header
	status int
}

func (w *responseWriter) Header() http.Header { return w.header }

func (w *responseWriter) WriteHeader(code int) {
	if w.status != 0 || code < 200 {
		return // informational responses are not sent
	}
	w.status = code
}

func (w *responseWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	w.ctx.Response.AppendBody(p)
	return len(p), nil
}

// finish moves the response to ctx. As net/http does, a body without a
// Content-Type gets the type sniffed from its first 512 bytes.
func (w *responseWriter) finish() {
	ctx := w.ctx
	if w.status == 0 {
		w.status = http.StatusOK
	}
	ctx.SetStatusCode(w.status)
	rh := &ctx.Response.Header
	rh.SetNoDefaultContentType(true)
	for k, vv := range w.header {
		for _, v := range vv {
			rh.Add(k, v)
		}
	}
	body := ctx.Response.Body()
	if _, ok := w.header["Content-Type"]; !ok && len(body) > 0 {
		rh.SetContentType(http.DetectContentType(body[:min(len(body), 512)]))
	}
	if cl := w.header.Get("Content-Length"); cl != "" && len(body) == 0 {
		// A HEAD answer (or one without its body) says the length the
		// body would have.
		if n, err := strconv.Atoi(cl); err == nil {
			rh.SetContentLength(n)
		}
	}
}
