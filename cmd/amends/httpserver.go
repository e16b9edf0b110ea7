package main

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/valyala/fasthttp"
)

// newHTTPServer returns the HTTP/1.1 server of `amends serve`, which runs
// h (web.Server.FastHTTP). fasthttp serves a cached page at a static file
// server's cost on this project's machine, where net/http used half as
// much CPU again per request (docs/performance.md); the pages themselves
// are still echo handlers, reached through internal/fastadapt.
//
// Request bodies are streamed to the handlers, which apply their own
// limits after their sign-in checks: the server itself reads at most
// 64 KiB of a body ahead. A request's header may be up to 16 KiB (more
// than browsers send; nginx's default is 8 KiB a line), and a response of
// up to 16 KiB with its header leaves in one write. A request the server
// cannot read is answered by errh (web.Server.FastHTTPError).
func newHTTPServer(h fasthttp.RequestHandler, errh func(*fasthttp.RequestCtx, error), log *slog.Logger) *fasthttp.Server {
	return &fasthttp.Server{
		Handler:                      h,
		ErrorHandler:                 errh,
		NoDefaultServerHeader:        true,
		NoDefaultContentType:         true,
		StreamRequestBody:            true,
		MaxRequestBodySize:           64 << 10,
		DisablePreParseMultipartForm: true,
		ReadBufferSize:               16 << 10,
		WriteBufferSize:              16 << 10,
		ReadTimeout:                  30 * time.Second,
		WriteTimeout:                 60 * time.Second,
		IdleTimeout:                  120 * time.Second,
		CloseOnShutdown:              true,
		Logger:                       fasthttpLogger{log},
	}
}

// fasthttpLogger writes fasthttp's own messages (a malformed request, a
// connection error) as warnings.
type fasthttpLogger struct{ log *slog.Logger }

func (l fasthttpLogger) Printf(format string, args ...any) {
	l.log.Warn("http server", "detail", fmt.Sprintf(format, args...))
}
