// Package mirror writes the public site as static files: the status page,
// every incident and explanation page, every page of the history, the
// uptime pages (the last 12 months and each year), the feeds, the Statuspage-compatible /api/v2 JSON and the
// static assets, each with a .gz sibling, and links made relative so that
// any static web server (or object storage behind a CDN) can serve the
// copy while the Amends host is down.
//
// Every page comes from the server's own render path (web.Server's
// RenderPublic), so the mirror holds the bytes the live site serves. Each
// export is written to a new directory beside the mirror's path, which is a
// symbolic link renamed over to the new directory at the end: a reader
// sees the old site or the new one, never half of one.
package mirror

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/amends/amends/static"
)

// Renderer answers a GET of a public URL as the live server does;
// web.Server implements it.
type Renderer interface {
	RenderPublic(ctx context.Context, target string) (status int, header http.Header, body []byte, err error)
}

// Options are the settings of an export.
type Options struct {
	// BaseURL is the live site's address ("https://status.example.com").
	// Links to what the mirror does not hold (sign-in, subscribing) point
	// there; without it they stay root-relative ("/subscribe"), which works
	// only where the mirror and Amends share an origin.
	BaseURL string
	// Keep is how many versions stay on disk, the current one included
	// (at least 2, the default: the one readers may still be reading is
	// kept until the next export).
	Keep int
}

// Result says what an export wrote.
type Result struct {
	// Version is the directory the mirror's link now names.
	Version string
	// Files is the number of files written, not counting .gz siblings;
	// Reused the number of them that were unchanged since the previous
	// version and were linked rather than written again.
	Files, Reused int
	// Bytes is the size of those files, uncompressed.
	Bytes int64
	// Took is how long the export took, rendering included.
	Took time.Duration
}

// seeds are the URLs every export starts from; the rest are found by
// following the links of the HTML pages.
func seeds() []string {
	s := []string{"/", "/history", "/uptime", "/history.atom", "/history.rss",
		"/api/v2/summary.json", "/api/v2/status.json", "/api/v2/components.json",
		"/api/v2/incidents.json", "/api/v2/incidents/unresolved.json",
		"/api/v2/scheduled-maintenances.json", "/api/v2/scheduled-maintenances/upcoming.json",
		"/api/v2/scheduled-maintenances/active.json"}
	entries, _ := fs.ReadDir(static.FS, ".")
	for _, e := range entries {
		if !e.IsDir() {
			s = append(s, static.URL(e.Name()))
		}
	}
	return s
}

// Export renders the public site with r and makes dir name it: dir becomes
// a symbolic link to a new directory beside it holding the whole site, and
// versions older than opts.Keep are removed. dir must not exist or be such
// a link; a plain directory or file there is refused, and so is a parent
// directory that does not exist. On any error (a page that answers other
// than 200, a full disk) dir keeps naming the previous version and the
// partial one is removed. One export at a time may write a given dir.
func Export(ctx context.Context, r Renderer, dir string, opts Options) (res Result, err error) {
	began := time.Now()
	if opts.Keep < 2 {
		opts.Keep = 2
	}
	base := strings.TrimRight(opts.BaseURL, "/")
	dir = filepath.Clean(dir)
	parent, name := filepath.Split(dir)
	if parent == "" {
		parent = "."
	}
	if name == "" || name == "." || name == ".." {
		return res, fmt.Errorf("mirror: %q is not a directory name", dir)
	}
	if st, err := os.Stat(parent); err != nil {
		return res, fmt.Errorf("mirror: the directory %s that holds %s: %w", parent, name, err)
	} else if !st.IsDir() {
		return res, fmt.Errorf("mirror: %s is not a directory", parent)
	}
	previous := ""
	if st, err := os.Lstat(dir); err == nil {
		if st.Mode()&os.ModeSymlink == 0 {
			return res, fmt.Errorf("mirror: %s exists and is not a symbolic link: the export replaces it with a link to each new version, so remove it or choose another path", dir)
		}
		if to, err := os.Readlink(dir); err == nil && !filepath.IsAbs(to) && filepath.Dir(to) == "." {
			previous = filepath.Join(parent, to)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return res, fmt.Errorf("mirror: %w", err)
	}

	prefix := "." + name + ".v"
	version := prefix + fmt.Sprintf("%020d", began.UnixNano())
	res.Version = filepath.Join(parent, version)
	if err := os.Mkdir(res.Version, 0o755); err != nil {
		return res, fmt.Errorf("mirror: %w", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(res.Version)
		}
	}()

	w := &writer{root: res.Version, previous: previous}
	// The site is crawled in waves, from the seeds to the pages they link
	// to and on; the pages of a wave are rendered a few at a time.
	wave := seeds()
	from := map[string]string{}
	done := map[string]bool{}
	for len(wave) > 0 {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		type job struct{ target, file string }
		var jobs []job
		for _, target := range wave {
			u, err := url.Parse(target)
			if err != nil {
				return res, fmt.Errorf("mirror: %s: %w", target, err)
			}
			if file, _, ok := fileFor(u); ok && !done[file] {
				done[file] = true
				jobs = append(jobs, job{target, file})
			}
		}
		links := make([][]string, len(jobs))
		errs := make([]error, len(jobs))
		var wg sync.WaitGroup
		sem := make(chan struct{}, renderers)
		for i, j := range jobs {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				links[i], errs[i] = w.page(ctx, r, j.target, j.file, base)
			}()
		}
		wg.Wait()
		wave = nil
		for i, j := range jobs {
			if err := errs[i]; err != nil {
				if by := from[j.target]; by != "" {
					return res, fmt.Errorf("mirror: %s (linked from %s): %w", j.target, by, err)
				}
				return res, fmt.Errorf("mirror: %s: %w", j.target, err)
			}
			for _, l := range links[i] {
				if _, ok := from[l]; !ok {
					from[l] = j.target
					wave = append(wave, l)
				}
			}
		}
	}
	res.Files, res.Reused, res.Bytes = w.files, w.reused, w.bytes
	if err := w.sync(); err != nil {
		return res, err
	}

	// The swap: a new link beside dir, renamed over it.
	link := filepath.Join(parent, "."+name+".link")
	os.Remove(link)
	if err := os.Symlink(version, link); err != nil {
		return res, fmt.Errorf("mirror: %w", err)
	}
	if err := os.Rename(link, dir); err != nil {
		os.Remove(link)
		return res, fmt.Errorf("mirror: %w", err)
	}
	if err := syncPath(parent); err != nil {
		return res, err
	}
	prune(parent, prefix, opts.Keep)
	res.Took = time.Since(began)
	return res, nil
}

// prune removes all but the newest keep versions named prefix+number.
func prune(parent, prefix string, keep int) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	var versions []string
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), prefix) {
			versions = append(versions, e.Name())
		}
	}
	sort.Strings(versions)
	for _, v := range versions[:max(0, len(versions)-keep)] {
		os.RemoveAll(filepath.Join(parent, v))
	}
}

// renderers is how many pages an export renders at once.
const renderers = 4

// writer writes the files of one version; its methods may be called from
// several goroutines.
type writer struct {
	root, previous string

	mu            sync.Mutex
	files, reused int
	bytes         int64
	madeDirs      map[string]bool
	written       []string // files and directories to flush to disk
}

// page renders target, writes its file and .gz sibling, and returns the
// public URLs its HTML links to.
func (w *writer) page(ctx context.Context, r Renderer, target, file, base string) ([]string, error) {
	status, header, body, err := r.RenderPublic(ctx, target)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("answered %d", status)
	}
	var links []string
	if ct, _, _ := mime.ParseMediaType(header.Get("Content-Type")); ct == "text/html" {
		if body, links, err = rewriteHTML(body, file, base); err != nil {
			return nil, err
		}
	}
	return links, w.write(file, body)
}

// write writes body to file and its gzip form to file.gz, or links both
// from the previous version when body is the same there.
func (w *writer) write(file string, body []byte) error {
	dst := filepath.Join(w.root, filepath.FromSlash(file))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	w.mu.Lock()
	if w.madeDirs == nil {
		w.madeDirs = map[string]bool{}
	}
	for p := path.Dir(file); p != "." && !w.madeDirs[p]; p = path.Dir(p) {
		w.madeDirs[p] = true
		w.written = append(w.written, filepath.Join(w.root, filepath.FromSlash(p)))
	}
	w.files++
	w.bytes += int64(len(body))
	w.mu.Unlock()
	if w.previous != "" {
		old := filepath.Join(w.previous, filepath.FromSlash(file))
		if b, err := os.ReadFile(old); err == nil && bytes.Equal(b, body) {
			if os.Link(old, dst) == nil && os.Link(old+".gz", dst+".gz") == nil {
				w.mu.Lock()
				w.reused++
				w.mu.Unlock()
				return nil
			}
			os.Remove(dst)
		}
	}
	w.mu.Lock()
	w.written = append(w.written, dst, dst+".gz")
	w.mu.Unlock()
	if err := writeFile(dst, body); err != nil {
		return err
	}
	return writeFile(dst+".gz", gzipped(body))
}

// sync flushes every file and directory written to disk, several at once:
// the file system commits concurrent flushes together, where one after
// another each waits for the disk.
func (w *writer) sync() error {
	names := append(w.written, w.root)
	errc := make(chan error, len(names))
	work := make(chan string)
	var wg sync.WaitGroup
	for range min(16, len(names)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for name := range work {
				if err := syncPath(name); err != nil {
					errc <- err
				}
			}
		}()
	}
	for _, name := range names {
		work <- name
	}
	close(work)
	wg.Wait()
	close(errc)
	return <-errc
}

// writeFile writes b to the new file name.
func writeFile(name string, b []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncPath flushes the file or directory name to disk.
func syncPath(name string) error {
	d, err := os.Open(name)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("mirror: flushing %s: %w", name, err)
	}
	return nil
}

// gzipped returns b compressed at the best level: a static server sends
// the .gz sibling as it is, many times.
func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}
