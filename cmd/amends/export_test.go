package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestExportDemoSite: `amends export` of the demo data writes a site whose
// index names every component, whose every link between its own pages
// resolves to a file (incidents, explanations, history, uptime and each
// year's, feeds and assets), with a .gz sibling of each file holding the same bytes; a
// second export swaps the link over at once, so a reader reading the
// index meanwhile always gets a whole page; older versions are pruned.
func TestExportDemoSite(t *testing.T) {
	ctx := context.Background()
	tmp := t.TempDir()
	db := filepath.Join(tmp, "amends.db")
	if code := run2(ctx, []string{"demo", "--db", db}, nil, &bytes.Buffer{}, &bytes.Buffer{}); code != 0 {
		t.Fatalf("demo: exit %d", code)
	}
	site := filepath.Join(tmp, "site")
	var out, errOut bytes.Buffer
	if code := run2(ctx, []string{"export", "--db", db, "--base-url", "https://status.example.com/", site}, nil, &out, &errOut); code != 0 {
		t.Fatalf("export: exit %d\n%s%s", code, out.String(), errOut.String())
	}

	st, err := openStores(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	components, err := st.incidents.Components(ctx)
	st.Close()
	if err != nil || len(components) == 0 {
		t.Fatalf("components: %v %v", components, err)
	}
	index := readDoc(t, filepath.Join(site, "index.html"))
	text := index.Text()
	for _, c := range components {
		if !strings.Contains(text, c.Name) {
			t.Errorf("index.html does not name the component %q", c.Name)
		}
	}

	// Every file has its .gz; every link of every page resolves.
	var pages []string
	incidentsLinked := 0
	filepath.WalkDir(site+"/", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".gz") {
			return err
		}
		body, _ := os.ReadFile(p)
		if gz := gunzipFile(t, p+".gz"); !bytes.Equal(gz, body) {
			t.Errorf("%s.gz does not hold %s", p, p)
		}
		if strings.HasSuffix(p, ".html") {
			pages = append(pages, p)
		}
		return nil
	})
	for _, want := range []string{"index.html", "history/index.html", "uptime/index.html", "uptime/2012/index.html", "uptime/2011/index.html", "history.atom", "history.rss",
		"api/v2/summary.json", "api/v2/incidents/unresolved.json", "static/amends.css", "incidents/2/explanation/index.html"} {
		if _, err := os.Stat(filepath.Join(site, want)); err != nil {
			t.Errorf("the mirror has no %s: %v", want, err)
		}
	}
	// The uptime pages link to each other relatively: the last 12 months
	// to each year, a year back to the last 12 months.
	if href := readDoc(t, filepath.Join(site, "uptime", "index.html")).Find(`nav.period-nav a:contains("2012")`).AttrOr("href", ""); href != "2012/index.html" {
		t.Errorf("uptime/index.html links to 2012 as %q", href)
	}
	if href := readDoc(t, filepath.Join(site, "uptime", "2012", "index.html")).Find(`nav.period-nav a:contains("Last 12 months")`).AttrOr("href", ""); href != "../index.html" {
		t.Errorf("uptime/2012/index.html links to the last 12 months as %q", href)
	}
	for _, p := range pages {
		readDoc(t, p).Find("a[href], link[href], script[src], form[action]").Each(func(_ int, s *goquery.Selection) {
			link := s.AttrOr("href", s.AttrOr("src", s.AttrOr("action", "")))
			u, err := url.Parse(link)
			if err != nil {
				t.Errorf("%s: bad link %q", p, link)
				return
			}
			switch {
			case u.Scheme == "https" && u.Host == "status.example.com":
				if u.Path != "/login" && u.Path != "/subscribe" {
					t.Errorf("%s: a link to the live site that the mirror should hold: %q", p, link)
				}
				return
			case u.Scheme != "" || u.Path == "":
				return
			case strings.HasPrefix(u.Path, "/"):
				t.Errorf("%s: a root-relative link left in the mirror: %q", p, link)
				return
			}
			target := filepath.Join(filepath.Dir(p), filepath.FromSlash(u.Path))
			if _, err := os.Stat(target); err != nil {
				t.Errorf("%s: the link %q resolves to nothing: %v", p, link, err)
			}
			if strings.HasPrefix(path.Clean(path.Join(path.Dir(p), u.Path)), path.Join(site, "incidents")) {
				incidentsLinked++
			}
		})
	}
	if incidentsLinked == 0 {
		t.Errorf("no page links to an incident")
	}

	// A reader of the index while the site is exported again sees whole pages.
	var stop atomic.Bool
	var wg sync.WaitGroup
	var torn atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			b, err := os.ReadFile(filepath.Join(site, "index.html"))
			if err != nil || !bytes.Contains(b, []byte("</html>")) {
				torn.Add(1)
			}
		}
	}()
	for range 3 {
		if code := run2(ctx, []string{"export", "--db", db, "--base-url", "https://status.example.com", site}, nil, &bytes.Buffer{}, &errOut); code != 0 {
			t.Fatalf("export again: exit %d\n%s", code, errOut.String())
		}
	}
	stop.Store(true)
	wg.Wait()
	if torn.Load() > 0 {
		t.Errorf("a reader got %d torn or missing index pages during exports", torn.Load())
	}
	versions, _ := filepath.Glob(filepath.Join(tmp, ".site.v*"))
	if len(versions) != 2 {
		t.Errorf("after 4 exports %d versions are kept, want the current and the previous: %v", len(versions), versions)
	}
}

// TestExportBadUsage: a bad flag exits 2 naming it; a plain directory at
// DIR is refused and left as it was.
func TestExportBadUsage(t *testing.T) {
	ctx := context.Background()
	tmp := t.TempDir()
	db := filepath.Join(tmp, "amends.db")
	if code := run2(ctx, []string{"demo", "--db", db}, nil, &bytes.Buffer{}, &bytes.Buffer{}); code != 0 {
		t.Fatalf("demo: exit %d", code)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"export", "--db", db, "--base-url", "ftp://x", filepath.Join(tmp, "s")}, "--base-url"},
		{[]string{"export", "--db", db, "--as-of", "yesterday", filepath.Join(tmp, "s")}, "--as-of"},
		{[]string{"export", "--db", filepath.Join(tmp, "none.db"), filepath.Join(tmp, "s")}, "--db"},
		{[]string{"export", "--db", db}, "usage"},
	} {
		var errOut bytes.Buffer
		if code := run2(ctx, c.args, nil, &bytes.Buffer{}, &errOut); code != 2 || !strings.Contains(errOut.String(), c.want) {
			t.Errorf("%v: exit %d, %q; want 2 naming %s", c.args, code, errOut.String(), c.want)
		}
	}
	plain := filepath.Join(tmp, "plain")
	os.Mkdir(plain, 0o755)
	os.WriteFile(filepath.Join(plain, "keep"), []byte("x"), 0o644)
	var errOut bytes.Buffer
	if code := run2(ctx, []string{"export", "--db", db, plain}, nil, &bytes.Buffer{}, &errOut); code != 1 || !strings.Contains(errOut.String(), "not a symbolic link") {
		t.Errorf("export over a directory: exit %d, %q", code, errOut.String())
	}
	errOut.Reset()
	if code := run2(ctx, []string{"serve", "--db", db, "--export-dir", plain}, nil, &bytes.Buffer{}, &errOut); code != 2 || !strings.Contains(errOut.String(), "--export-dir") {
		t.Errorf("serve --export-dir over a directory: exit %d, %q", code, errOut.String())
	}
	if _, err := os.Stat(filepath.Join(plain, "keep")); err != nil {
		t.Errorf("the directory was changed: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, ".plain.*")); len(left) != 0 {
		t.Errorf("a refused export left %v", left)
	}
}

func readDoc(t *testing.T, file string) *goquery.Selection {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := goquery.NewDocumentFromReader(f)
	if err != nil {
		t.Fatal(err)
	}
	return doc.Selection
}

func gunzipFile(t *testing.T, file string) []byte {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return b
}
