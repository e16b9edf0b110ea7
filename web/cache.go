package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/a-h/templ"
	"github.com/klauspost/compress/gzip"
	"github.com/labstack/echo/v4"
	"golang.org/x/sync/singleflight"
)

// revisionCheckEvery is how often, at most, the cache asks the database
// whether anything changed. A write made by this process is seen at once
// (handlers call invalidate); a write made by another process within this.
const revisionCheckEvery = 250 * time.Millisecond

// maxPages bounds the cache; past it the cache starts again empty.
const maxPages = 2000

// pageCache keeps rendered public pages in memory, each with its gzip form
// and ETag, and renders a page again only when the data revision changed
// or the page's own time ran out. Concurrent misses on one page render it
// once. If rendering fails, the last good copy is served: the status page
// must keep answering during the outage it reports.
type pageCache struct {
	rev     Revisioner
	now     func() time.Time
	metrics *metrics

	mu    sync.RWMutex
	pages map[string]*cachedPage

	// read is the last revision read, when, and under which
	// generation; invalidate starts a new generation, so a revision read
	// before it (from a read that began before the write) is never taken
	// as current after it.
	read       atomic.Pointer[revisionRead]
	generation atomic.Uint64
	render     singleflight.Group
	changed    chan struct{} // signalled by invalidate, for Server.Changed
}

type cachedPage struct {
	contentType string
	body        []byte
	gzipped     []byte
	etag        string // of body
	etagGzip    string // of gzipped: each encoding is its own representation
	// The same as header values, built once.
	contentTypeH, etagH, etagGzipH []string
	revision                       int64
	expires                        time.Time
}

func newPageCache(rev Revisioner, now func() time.Time, m *metrics) *pageCache {
	return &pageCache{rev: rev, now: now, metrics: m, pages: map[string]*cachedPage{}, changed: make(chan struct{}, 1)}
}

// revisionRead is one read of the data revision.
type revisionRead struct {
	revision   int64
	at         int64 // unix nanoseconds
	generation uint64
}

// invalidate makes the next request read the data revision again. Handlers
// call it after every committed write.
func (c *pageCache) invalidate() {
	c.generation.Add(1)
	select {
	case c.changed <- struct{}{}:
	default: // already signalled
	}
}

// revision returns the current data revision, asking the database at most
// once per revisionCheckEvery, and always after an invalidate.
func (c *pageCache) revision(ctx context.Context) (int64, error) {
	now := c.now().UnixNano()
	gen := c.generation.Load()
	if r := c.read.Load(); r != nil && r.generation == gen && now-r.at < int64(revisionCheckEvery) {
		return r.revision, nil
	}
	n, err := c.rev.Revision(ctx)
	if err != nil {
		return 0, err
	}
	// Kept under the generation seen before the read: if a write was
	// invalidated meanwhile, the next request reads again.
	c.read.Store(&revisionRead{revision: n, at: now, generation: gen})
	return n, nil
}

// rendered is what a page renderer returns: the bytes and how long they
// stay right without any write (a page that shows maintenance starting at
// a set time must change then).
type rendered struct {
	contentType string
	body        []byte
	validFor    time.Duration
	// forms, when not nil, are body's hash and gzip form, made while it
	// was rendered (renderStreamed); newCachedPage makes them otherwise.
	forms *pageForms
}

// pageForms are what a cached page keeps besides its body: the hash its
// ETags come from and its gzip form.
type pageForms struct {
	sum [sha256.Size]byte
	gz  []byte
}

// serve answers c with the cached page under key, rendering it with fn when
// it is missing or stale.
func (c *pageCache) serve(ec echo.Context, key string, fn func(ctx context.Context) (rendered, error)) error {
	ctx := ec.Request().Context()
	if ctx.Value(uncachedKey{}) != nil {
		// RenderPublic for a mirror: the page as rendered now, without
		// the gzip form and hash only readers of the cache need.
		r, err := fn(ctx)
		if err != nil {
			return err
		}
		return ec.Blob(http.StatusOK, r.contentType, r.body)
	}
	rev, revErr := c.revision(ctx)

	c.mu.RLock()
	p := c.pages[key]
	c.mu.RUnlock()

	if p == nil || revErr != nil || p.revision != rev || !c.now().Before(p.expires) {
		fresh, err := c.refresh(ctx, key, rev, revErr, fn)
		switch {
		case err == nil:
			p = fresh
		case p != nil:
			// Serve the last good copy rather than an error.
			c.metrics.cacheStale.Inc()
		default:
			return err
		}
	} else {
		c.metrics.cacheHits.Inc()
	}
	return writePage(ec, p)
}

// current returns the page under key when it is cached and current: the
// data revision and its own time say it needs no render. It renders
// nothing, and counts nothing.
func (c *pageCache) current(ctx context.Context, key string) *cachedPage {
	rev, err := c.revision(ctx)
	if err != nil {
		return nil
	}
	c.mu.RLock()
	p := c.pages[key]
	c.mu.RUnlock()
	if p == nil || p.revision != rev || !c.now().Before(p.expires) {
		return nil
	}
	return p
}

func (c *pageCache) refresh(ctx context.Context, key string, rev int64, revErr error, fn func(ctx context.Context) (rendered, error)) (*cachedPage, error) {
	if revErr != nil {
		return nil, revErr
	}
	// A render for an older revision (begun before a write) is not
	// waited on: this request renders the page of its own.
	v, err, _ := c.render.Do(key+"\x00"+strconv.FormatInt(rev, 10), func() (any, error) {
		// A request that waited here may find the page already fresh.
		c.mu.RLock()
		p := c.pages[key]
		c.mu.RUnlock()
		if p != nil && p.revision == rev && c.now().Before(p.expires) {
			return p, nil
		}
		c.metrics.cacheRenders.Inc()
		r, err := fn(context.WithoutCancel(ctx))
		if err != nil {
			return nil, err
		}
		p = newCachedPage(r, rev, c.now())
		c.mu.Lock()
		if len(c.pages) >= maxPages {
			c.pages = map[string]*cachedPage{}
		}
		c.pages[key] = p
		c.mu.Unlock()
		return p, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*cachedPage), nil
}

func newCachedPage(r rendered, rev int64, now time.Time) *cachedPage {
	f := r.forms
	if f == nil {
		// The ETag's hash and the gzip form are made at once, one on each
		// core: on a status page of megabytes each takes milliseconds.
		f = new(pageForms)
		hashed := make(chan struct{})
		go func() {
			f.sum = sha256.Sum256(r.body)
			close(hashed)
		}()
		f.gz = gzipped(r.body)
		<-hashed
	}
	valid := r.validFor
	if valid <= 0 {
		valid = time.Minute
	}
	p := &cachedPage{
		contentType: r.contentType,
		body:        r.body,
		gzipped:     f.gz,
		etag:        `"` + hex.EncodeToString(f.sum[:12]) + `"`,
		etagGzip:    `"` + hex.EncodeToString(f.sum[:12]) + `-gz"`,
		revision:    rev,
		expires:     now.Add(valid),
	}
	p.contentTypeH, p.etagH, p.etagGzipH = []string{p.contentType}, []string{p.etag}, []string{p.etagGzip}
	return p
}

// gzipped returns body's gzip form, at gzipLevel(len(body)).
func gzipped(body []byte) []byte {
	var gz bytes.Buffer
	gz.Grow(len(body)/16 + 4096)
	zw, _ := gzip.NewWriterLevel(&gz, gzipLevel(len(body)))
	zw.Write(body)
	zw.Close()
	return gz.Bytes()
}

// gzipLevel is the gzip level for a page of n bytes. The best compression
// costs little on a page of a few dozen kilobytes; on a larger one (a
// status page with its uptime bars) it costs milliseconds per 100 KB for
// a few percent of size, so larger pages get the default level, and pages
// of megabytes (hundreds of components) a fast one: level 2, which on the
// status page of 500 components is a third smaller than level 1 for a
// fifth more time. klauspost/compress writes the same format as
// compress/gzip, several times faster at the fast levels.
func gzipLevel(n int) int {
	switch {
	case n > 2<<20:
		return 2
	case n > 128<<10:
		return gzip.DefaultCompression
	}
	return gzip.BestCompression
}

// renderStreamed renders comp, of about size bytes, and makes its hash
// and gzip form on another goroutine while it renders, a chunk at a time:
// on a status page of megabytes the render, the hash and the gzip form
// each take milliseconds, and the first render after a write is what
// every visitor of the page waits for. The gzip level is that of size.
func renderStreamed(ctx context.Context, comp templ.Component, size int) (body []byte, forms *pageForms, err error) {
	w := &streamWriter{body: make([]byte, 0, size), chunks: make(chan []byte, 16)}
	done := make(chan *pageForms)
	go func() {
		f := new(pageForms)
		h := sha256.New()
		var gz bytes.Buffer
		gz.Grow(size/16 + 4096)
		zw, _ := gzip.NewWriterLevel(&gz, gzipLevel(size))
		for c := range w.chunks {
			h.Write(c)
			zw.Write(c)
		}
		zw.Close()
		h.Sum(f.sum[:0])
		f.gz = gz.Bytes()
		done <- f
	}()
	func() {
		// Even if the render panics, the other goroutine gets the end of
		// the page and stops.
		defer func() {
			w.chunks <- w.body[w.sent:]
			close(w.chunks)
			forms = <-done
		}()
		err = comp.Render(ctx, w)
	}()
	if err != nil {
		return nil, nil, err
	}
	return w.body, forms, nil
}

// streamWriter keeps what it is given, and hands each streamChunk of it
// over to chunks once written. A part handed over is never written again
// (the body only grows past it, or into a new array), so it is read there
// while the render goes on.
type streamWriter struct {
	body   []byte
	sent   int // how much of body was handed over
	chunks chan []byte
}

const streamChunk = 64 << 10

func (w *streamWriter) Write(p []byte) (int, error) {
	w.body = append(w.body, p...)
	if len(w.body)-w.sent >= streamChunk {
		w.chunks <- w.body[w.sent:len(w.body):len(w.body)]
		w.sent = len(w.body)
	}
	return len(p), nil
}

// The headers of every cached page, built once (writePage sets them
// without canonicalising their names again).
var (
	headerETag = http.CanonicalHeaderKey("ETag")
	pageVary   = []string{echo.HeaderAcceptEncoding}
	pageGzip   = []string{"gzip"}
	// Short freshness so an update shows within seconds, and permission
	// for a CDN to keep serving its copy if this origin fails mid-outage.
	pageCacheControl = []string{"public, max-age=5, stale-while-revalidate=30, stale-if-error=86400"}
)

// writePage writes p with its ETag, answering 304 when the client has it,
// and the gzip form when the client accepts it (what p.answer chooses).
func writePage(c echo.Context, p *cachedPage) error {
	req := c.Request()
	a := p.answer(req.Method, firstHeader(req.Header, echo.HeaderAcceptEncoding), firstHeader(req.Header, "If-None-Match"))
	h := c.Response().Header()
	h[echo.HeaderContentType] = p.contentTypeH
	h[headerETag] = a.etagH
	h[echo.HeaderVary] = pageVary
	h[echo.HeaderCacheControl] = pageCacheControl
	if a.status == http.StatusNotModified {
		return c.NoContent(http.StatusNotModified)
	}
	if a.gzipped {
		h[echo.HeaderContentEncoding] = pageGzip
	}
	h[echo.HeaderContentLength] = []string{strconv.Itoa(len(a.body))}
	res := c.Response()
	res.WriteHeader(http.StatusOK)
	if a.head {
		return nil
	}
	_, err := res.Write(a.body)
	return err
}

// pageAnswer is how a cached page answers one request: 304 or 200, in
// which encoding, with which ETag, and whether the body is sent.
type pageAnswer struct {
	status  int
	gzipped bool
	etagH   []string
	body    []byte
	head    bool // a HEAD request: the body's length, not the body
}

// answer chooses p's answer to a request of method with the
// Accept-Encoding and If-None-Match header values given. Both ways of
// serving the page (writePage under echo and fastHit under fasthttp) go
// through it.
func (p *cachedPage) answer(method, acceptEncoding, ifNoneMatch string) pageAnswer {
	a := pageAnswer{status: http.StatusOK, etagH: p.etagH, body: p.body, head: method == http.MethodHead}
	etag := p.etag
	if acceptsGzip(acceptEncoding) {
		a.gzipped, a.etagH, a.body, etag = true, p.etagGzipH, p.gzipped, p.etagGzip
	}
	if etagMatches(ifNoneMatch, etag) {
		a.status, a.body = http.StatusNotModified, nil
	}
	return a
}

// firstHeader is h.Get(name) for a name already canonical.
func firstHeader(h http.Header, name string) string {
	if v := h[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	for t := range strings.SplitSeq(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

func acceptsGzip(header string) bool {
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		params = strings.ReplaceAll(params, " ", "")
		return params != "q=0" && params != "q=0.0" && params != "q=0.00" && params != "q=0.000"
	}
	return false
}
