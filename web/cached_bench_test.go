package web

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// discardWriter is a ResponseWriter that keeps nothing but its headers,
// as a network connection's would, so that a benchmark measures what the
// server does per request rather than what a recorder copies.
type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(code int)        { w.code = code }

// BenchmarkStatusPageCachedPath is a cached GET / with gzip accepted
// through every middleware of the real router (request id, request log,
// recovery, metrics, security headers), written to a connection that
// discards the bytes: the server's own cost per cached request, on 2
// goroutines. Profile it with -cpuprofile (docs/performance.md).
func BenchmarkStatusPageCachedPath(b *testing.B) {
	env := benchEnv(b)
	h := env.server.Handler()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		w := &discardWriter{h: http.Header{}}
		for pb.Next() {
			clear(w.h)
			w.code = 0
			h.ServeHTTP(w, req)
			if w.code != http.StatusOK {
				b.Fatalf("status %d", w.code)
			}
		}
	})
}
