package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/a-h/templ"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/incidents"
)

// cachedPaths are the public pages served from the page cache.
func cachedPaths(env *testEnv) []string {
	inc := env.declare("Elevated errors", change("elb-us-east-1", incidents.PartialOutage, "12.5"))
	return []string{"/", "/history", fmt.Sprintf("/incidents/%d", inc.ID)}
}

func TestPageCacheETagAnd304(t *testing.T) {
	env := newTestEnv(t)
	for _, path := range cachedPaths(env) {
		resp, body := env.request(http.MethodGet, path, nil, nil)
		etag := resp.Header.Get("ETag")
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(etag, `"`) || !strings.HasSuffix(etag, `"`) || len(etag) < 10 {
			t.Fatalf("%s: status %d, ETag %q", path, resp.StatusCode, etag)
		}
		for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
			resp, got := env.request(http.MethodGet, path, http.Header{"If-None-Match": {inm}}, nil)
			if resp.StatusCode != http.StatusNotModified || len(got) != 0 {
				t.Errorf("%s with If-None-Match %s: %d, %d bytes; want 304 and no body", path, inm, resp.StatusCode, len(got))
			}
			if resp.Header.Get("ETag") != etag {
				t.Errorf("%s: 304 carries ETag %q, want %q", path, resp.Header.Get("ETag"), etag)
			}
		}
		resp, again := env.request(http.MethodGet, path, http.Header{"If-None-Match": {`"stale"`}}, nil)
		if resp.StatusCode != http.StatusOK || !bytes.Equal(again, body) {
			t.Errorf("%s with another ETag: %d, body changed: %v", path, resp.StatusCode, !bytes.Equal(again, body))
		}
	}
	// A change makes a new ETag; the old one no longer gets 304.
	resp, _ := env.request(http.MethodGet, "/", nil, nil)
	old := resp.Header.Get("ETag")
	env.declare("Another one", change("elb-eu-west-1", incidents.DegradedPerformance, ""))
	env.passRevisionCheck()
	resp, _ = env.request(http.MethodGet, "/", http.Header{"If-None-Match": {old}}, nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") == old {
		t.Errorf("after a change: %d with ETag %q (was %q)", resp.StatusCode, resp.Header.Get("ETag"), old)
	}
}

func TestPageCacheGzip(t *testing.T) {
	env := newTestEnv(t)
	for _, path := range cachedPaths(env) {
		plainResp, plain := env.request(http.MethodGet, path, nil, nil)
		if enc := plainResp.Header.Get("Content-Encoding"); enc != "" {
			t.Errorf("%s without Accept-Encoding: Content-Encoding %q", path, enc)
		}
		if !strings.HasPrefix(string(plain), "<!doctype html>") && !strings.HasPrefix(string(plain), "<!DOCTYPE html>") {
			t.Errorf("%s: plain body is not HTML: %.40q", path, plain)
		}
		for _, ae := range []string{"gzip", "gzip, deflate, br", "br;q=1.0, gzip;q=0.8"} {
			gzResp, gz := env.request(http.MethodGet, path, http.Header{"Accept-Encoding": {ae}}, nil)
			if gzResp.Header.Get("Content-Encoding") != "gzip" {
				t.Errorf("%s with Accept-Encoding %q: Content-Encoding %q", path, ae, gzResp.Header.Get("Content-Encoding"))
				continue
			}
			zr, err := gzip.NewReader(bytes.NewReader(gz))
			if err != nil {
				t.Fatalf("%s: not gzip: %v", path, err)
			}
			unzipped, err := io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(unzipped, plain) {
				t.Errorf("%s: gzip body decompresses to other bytes than the plain body", path)
			}
			if len(gz) >= len(plain) {
				t.Errorf("%s: gzip body %d bytes, plain %d", path, len(gz), len(plain))
			}
			if gzResp.Header.Get("ETag") == "" {
				t.Errorf("%s: gzip answer has no ETag", path)
			}
		}
		if resp, _ := env.request(http.MethodGet, path, http.Header{"Accept-Encoding": {"gzip;q=0, identity"}}, nil); resp.Header.Get("Content-Encoding") != "" {
			t.Errorf("%s: gzip;q=0 still got gzip", path)
		}
		for _, h := range []http.Header{plainResp.Header} {
			if !strings.Contains(h.Get("Vary"), "Accept-Encoding") {
				t.Errorf("%s: Vary %q", path, h.Get("Vary"))
			}
			cc := h.Get("Cache-Control")
			if !strings.Contains(cc, "public") || !strings.Contains(cc, "max-age=") || strings.Contains(cc, "no-store") {
				t.Errorf("%s: Cache-Control %q", path, cc)
			}
			if ct := h.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("%s: Content-Type %q", path, ct)
			}
		}
	}
}

func TestPageCacheHEAD(t *testing.T) {
	env := newTestEnv(t)
	for _, path := range cachedPaths(env) {
		getResp, body := env.request(http.MethodGet, path, nil, nil)
		resp, got := env.request(http.MethodHead, path, nil, nil)
		if resp.StatusCode != http.StatusOK || len(got) != 0 {
			t.Errorf("HEAD %s: %d with %d body bytes", path, resp.StatusCode, len(got))
		}
		if resp.Header.Get("ETag") != getResp.Header.Get("ETag") || resp.Header.Get("Content-Type") != getResp.Header.Get("Content-Type") {
			t.Errorf("HEAD %s: headers differ from GET's", path)
		}
		if cl := resp.Header.Get("Content-Length"); cl != strconv.Itoa(len(body)) {
			t.Errorf("HEAD %s: Content-Length %q, GET body is %d bytes", path, cl, len(body))
		}
		if resp, _ := env.request(http.MethodHead, path, http.Header{"If-None-Match": {getResp.Header.Get("ETag")}}, nil); resp.StatusCode != http.StatusNotModified {
			t.Errorf("HEAD %s with its ETag: %d", path, resp.StatusCode)
		}
	}
	if resp, body := env.request(http.MethodHead, "/incidents/999", nil, nil); resp.StatusCode != http.StatusNotFound || len(body) != 0 {
		t.Errorf("HEAD of an unknown incident: %d with %d bytes", resp.StatusCode, len(body))
	}
}

// A write through this server changes the cached pages at once: no clock
// moves between the write and the next read.
func TestPageCacheWriteThroughServerShowsAtOnce(t *testing.T) {
	env := newTestEnv(t)
	b := env.user(auth.Support)
	tok := env.token(auth.Support)
	_, body := env.publicGet("/")
	if !strings.Contains(body, "All systems operational") {
		t.Fatal("not operational to begin with")
	}
	_, history := env.publicGet("/history")

	// The admin form.
	resp := b.postForm("/admin/incidents", url.Values{
		"title": {"Form incident"}, "impact": {"minor"}, "phase": {"investigating"}, "message": {"Looking."},
		"status.elb-us-east-1": {"degraded_performance"},
	})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("declare: %d", resp.StatusCode)
	}
	if _, body = env.publicGet("/"); !strings.Contains(body, "Form incident") || !strings.Contains(body, "Degraded performance") {
		t.Error("the status page does not show the incident declared through the form")
	}
	incPath := strings.TrimPrefix(resp.Request.URL.Path, "/admin")
	_, before := env.publicGet(incPath)

	// The API, on the same incident: its page changes too.
	id := strings.TrimPrefix(incPath, "/incidents/")
	env.api("POST", "/incidents/"+id+"/updates", tok, map[string]any{"phase": "resolved", "message": "Fixed by the API."}).expect(t, http.StatusCreated)
	if _, after := env.publicGet(incPath); after == before || !strings.Contains(after, "Fixed by the API.") {
		t.Error("the incident page does not show the update posted through the API")
	}
	_, body = env.publicGet("/")
	doc := parseHTML(t, body)
	if !strings.Contains(body, "All systems operational") || doc.Find(testid("active-incidents")).Length() != 0 {
		t.Error("the status page still shows the resolved incident as active")
	}
	if got := textOf(doc.Find(testid("past-incidents"))); !strings.Contains(got, "Form incident") {
		t.Errorf("the status page's past incidents do not show the resolved incident: %q", got)
	}
	if _, after := env.publicGet("/history"); after == history || !strings.Contains(after, "Form incident") {
		t.Error("the history does not show the incident resolved through the API")
	}
}

// A write by another process sharing the database shows once the cache
// checks the data revision again, at most revisionCheckEvery later.
func TestPageCacheWriteByAnotherProcessShowsAfterRevisionCheck(t *testing.T) {
	env := newTestEnv(t)
	resp, before := env.publicGet("/")
	etag := resp.Header.Get("ETag")

	env.declare("Written elsewhere", change("elb-us-east-1", incidents.MajorOutage, ""))
	env.clock.Advance(revisionCheckEvery / 2)
	resp, body := env.publicGet("/")
	if body != before || resp.Header.Get("ETag") != etag {
		t.Fatal("the page changed before the revision check: it is not served from memory")
	}
	env.clock.Advance(revisionCheckEvery / 2)
	resp, body = env.publicGet("/")
	if !strings.Contains(body, "Written elsewhere") || !strings.Contains(body, "Major outage") || resp.Header.Get("ETag") == etag {
		t.Error("the write of another process does not show after the revision check")
	}
}

// While rendering fails (the database is down mid-outage) the last good
// copy of each page is still served; a page never rendered gets an error.
func TestPageCacheServesLastGoodCopyWhenRenderFails(t *testing.T) {
	failing := new(atomic.Bool)
	env := newTestEnvWith(t, envOptions{wrapStore: func(s incidents.Store) incidents.Store { return flakyStore{s, failing} }})
	inc := env.declare("Elevated errors", change("elb-us-east-1", incidents.PartialOutage, "12.5"))
	paths := []string{"/", "/history", fmt.Sprintf("/incidents/%d", inc.ID)}
	good := map[string]string{}
	for _, p := range paths {
		_, good[p] = env.publicGet(p)
	}

	failing.Store(true)
	env.declare("Written while rendering fails", change("elb-eu-west-1", incidents.MajorOutage, ""))
	env.passRevisionCheck()
	for _, p := range paths {
		resp, body := env.publicGet(p)
		if resp.StatusCode != http.StatusOK || body != good[p] {
			t.Errorf("%s while rendering fails: %d, last good copy served: %v", p, resp.StatusCode, body == good[p])
		}
		if resp, gz := env.request(http.MethodGet, p, http.Header{"Accept-Encoding": {"gzip"}}, nil); resp.StatusCode != http.StatusOK || len(gz) == 0 {
			t.Errorf("%s gzip while rendering fails: %d", p, resp.StatusCode)
		}
	}
	if resp, body := env.publicGet("/history?page=2"); resp.StatusCode != http.StatusInternalServerError || strings.Contains(body, errTestOutage.Error()) {
		t.Errorf("a page never rendered: %d (want 500, without the error's details)", resp.StatusCode)
	}
	_, metrics := env.publicGet("/metrics")
	if !strings.Contains(metrics, "amends_page_cache_stale_total ") || strings.Contains(metrics, "amends_page_cache_stale_total 0\n") {
		t.Error("stale serving is not counted in amends_page_cache_stale_total")
	}

	failing.Store(false)
	env.passRevisionCheck()
	if _, body := env.publicGet("/"); !strings.Contains(body, "Written while rendering fails") {
		t.Error("the page does not recover once rendering works again")
	}
}

// When the database cannot even say its revision, the last good copy is
// served too, and /healthz says the server is unhealthy.
func TestPageCacheServesLastGoodCopyWhenDatabaseIsDown(t *testing.T) {
	failing := new(atomic.Bool)
	env := newTestEnvWith(t, envOptions{wrapRevision: func(r Revisioner) Revisioner { return flakyRevision{r, failing} }})
	_, good := env.publicGet("/")
	failing.Store(true)
	env.passRevisionCheck()
	if resp, body := env.publicGet("/"); resp.StatusCode != http.StatusOK || body != good {
		t.Errorf("/ while the database is down: %d, last good copy: %v", resp.StatusCode, body == good)
	}
	if resp, _ := env.publicGet("/history"); resp.StatusCode < 500 {
		t.Errorf("/history never rendered, database down: %d, want 5xx", resp.StatusCode)
	}
	if resp, _ := env.publicGet("/healthz"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/healthz while the database is down: %d", resp.StatusCode)
	}
}

// Many readers at once during writes: run with -race.
func TestPageCacheConcurrentReadersAndWriters(t *testing.T) {
	env := newTestEnv(t)
	tok := env.token(auth.Support)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 15; j++ {
				h := http.Header{}
				if j%2 == 0 {
					h.Set("Accept-Encoding", "gzip")
				}
				req, _ := http.NewRequest(http.MethodGet, env.http.URL+"/", nil)
				req.Header = h
				resp, err := rawClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Errorf("GET /: %d", resp.StatusCode)
				}
			}
		}()
	}
	for i := 0; i < 5; i++ {
		env.api("POST", "/incidents", tok, map[string]any{"title": fmt.Sprintf("Concurrent %d", i), "message": "m", "no_components": true}).expect(t, http.StatusCreated)
		env.clock.Advance(revisionCheckEvery)
	}
	wg.Wait()
	if n := len(mustActive(t, env)); n != 5 {
		t.Errorf("%d active incidents", n)
	}
	if _, body := env.publicGet("/"); !strings.Contains(body, "Concurrent 4") {
		t.Error("the last write is not on the page")
	}
}

func mustActive(t *testing.T, env *testEnv) []incidents.Incident {
	t.Helper()
	list, err := env.incidents.ActiveIncidents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// Every size of page gets a gzip form that the standard library reads
// back to the same bytes, the fast level of pages of megabytes included.
func TestGzippedAtEveryLevel(t *testing.T) {
	for _, n := range []int{100, 200 << 10, 3 << 20} {
		var b strings.Builder
		for i := 0; b.Len() < n; i++ {
			fmt.Fprintf(&b, `<li class="day day--100" data-date="%d">day %d</li>`, i%90, i)
		}
		body := []byte(b.String())
		zr, err := gzip.NewReader(bytes.NewReader(gzipped(body)))
		if err != nil {
			t.Fatal(err)
		}
		back, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(back, body) {
			t.Fatalf("%d bytes: read back %d bytes, %v", len(body), len(back), err)
		}
	}
}

// A page rendered with its hash and gzip form made alongside is the
// page rendered alone, with the hash of its bytes and a gzip form of
// them, whatever the size guessed and however the render writes (one
// byte at a time, or writes larger than a chunk); a render that fails
// midway is its error, and nothing else.
func TestRenderStreamedIsThePage(t *testing.T) {
	for _, n := range []int{0, 100, streamChunk - 1, streamChunk, 200 << 10, 3 << 20} {
		for _, guess := range []int{0, n, 4 << 20} {
			for _, step := range []int{1, 7, 3 * streamChunk} {
				if step == 1 && n > 200<<10 {
					continue
				}
				var page strings.Builder
				for i := 0; page.Len() < n; i++ {
					fmt.Fprintf(&page, `<li class="day day--100" data-date="%d">day %d</li>`, i%90, i)
				}
				want := page.String()[:n]
				comp := templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
					for i := 0; i < len(want); i += step {
						if _, err := io.WriteString(w, want[i:min(i+step, len(want))]); err != nil {
							return err
						}
					}
					return nil
				})
				body, forms, err := renderStreamed(context.Background(), comp, guess)
				if err != nil || string(body) != want {
					t.Fatalf("%d bytes (guessed %d, written %d at a time): %d bytes back, %v", n, guess, step, len(body), err)
				}
				if forms.sum != sha256.Sum256(body) {
					t.Errorf("%d bytes (guessed %d, written %d at a time): the hash is not the body's", n, guess, step)
				}
				zr, err := gzip.NewReader(bytes.NewReader(forms.gz))
				if err != nil {
					t.Fatal(err)
				}
				if back, err := io.ReadAll(zr); err != nil || !bytes.Equal(back, body) {
					t.Errorf("%d bytes (guessed %d, written %d at a time): the gzip form reads back %d bytes, %v", n, guess, step, len(back), err)
				}
			}
		}
	}
	broken := errors.New("the view broke")
	comp := templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		io.WriteString(w, strings.Repeat("x", 3*streamChunk))
		return broken
	})
	if body, forms, err := renderStreamed(context.Background(), comp, 0); !errors.Is(err, broken) || body != nil || forms != nil {
		t.Errorf("a broken render gave %d bytes, %v, %v", len(body), forms, err)
	}
	before := runtime.NumGoroutine()
	func() {
		defer func() {
			if recover() == nil {
				t.Error("a render's panic was not passed on")
			}
		}()
		renderStreamed(context.Background(), templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
			io.WriteString(w, strings.Repeat("x", 3*streamChunk))
			panic("the view broke")
		}), 0)
	}()
	for range 100 {
		if runtime.NumGoroutine() <= before {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after a render that panicked, %d before", n, before)
	}
}

// gatedRevision holds one revision read, once armed, after it has read
// the database and before it returns, as a read that began just before a
// write and ends after it.
type gatedRevision struct {
	Revisioner
	mu            sync.Mutex
	hold, reading chan struct{}
}

func (g *gatedRevision) arm() (reading, hold chan struct{}) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.reading, g.hold = make(chan struct{}), make(chan struct{})
	return g.reading, g.hold
}

func (g *gatedRevision) Revision(ctx context.Context) (int64, error) {
	n, err := g.Revisioner.Revision(ctx)
	g.mu.Lock()
	reading, hold := g.reading, g.hold
	g.reading, g.hold = nil, nil
	g.mu.Unlock()
	if reading != nil {
		close(reading)
		<-hold
	}
	return n, err
}

// A revision read that began before a write and ends after the write's
// invalidation is not taken as current: the next request reads again and
// shows the write at once, not a revision check later.
func TestRevisionReadBeforeAWriteIsNotKept(t *testing.T) {
	gate := &gatedRevision{}
	env := newTestEnvWith(t, envOptions{wrapRevision: func(r Revisioner) Revisioner { gate.Revisioner = r; return gate }})
	ctx := context.Background()
	if _, body := env.publicGet("/"); strings.Contains(body, "Written during a read") {
		t.Fatal("the incident is there before it is written")
	}
	env.server.pages.invalidate()
	reading, hold := gate.arm()
	old := make(chan int64)
	go func() {
		n, err := env.server.pages.revision(ctx)
		if err != nil {
			t.Error(err)
		}
		old <- n
	}()
	<-reading
	env.declare("Written during a read", change("elb-us-east-1", incidents.MajorOutage, ""))
	env.server.pages.invalidate()
	close(hold)
	before := <-old
	now, err := env.server.pages.revision(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if now <= before {
		t.Errorf("revision after the write %d, the read from before it %d", now, before)
	}
	if _, body := env.publicGet("/"); !strings.Contains(body, "Written during a read") {
		t.Error("the status page does not show the write")
	}
}
