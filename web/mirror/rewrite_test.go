package mirror

import (
	"net/url"
	"slices"
	"testing"
)

func TestFileFor(t *testing.T) {
	for _, c := range []struct{ url, file, query string }{
		{"/", "index.html", ""},
		{"/history", "history/index.html", ""},
		{"/history?page=1", "history/index.html", ""},
		{"/history?page=3", "history/page/3/index.html", ""},
		{"/uptime?year=2012", "uptime/2012/index.html", ""},
		{"/uptime", "uptime/index.html", ""},
		{"/incidents/12", "incidents/12/index.html", ""},
		{"/incidents/12/explanation", "incidents/12/explanation/index.html", ""},
		{"/incidents/12/explanation/revisions/2", "incidents/12/explanation/revisions/2/index.html", ""},
		{"/history.atom", "history.atom", ""},
		{"/api/v2/incidents/unresolved.json", "api/v2/incidents/unresolved.json", ""},
		{"/static/amends.css?v=abc", "static/amends.css", "v=abc"},
	} {
		u, _ := url.Parse(c.url)
		file, query, ok := fileFor(u)
		if !ok || file != c.file || query != c.query {
			t.Errorf("fileFor(%s) = %q %q %v, want %q %q", c.url, file, query, ok, c.file, c.query)
		}
	}
	for _, s := range []string{"/login", "/subscribe", "/admin", "/statement/x", "/history?page=0", "/history?page=02",
		"/history?page=2&x=1", "/incidents/0", "/incidents/1/../2", "/uptime?x", "/uptime?year=12", "/uptime?year=1e3x", "/uptime?year=2012&year=2013", "/uptime?year=2012&page=2", "/api/v2/../x.json", "/static/x.css?w=1", "/healthz"} {
		u, _ := url.Parse(s)
		if file, _, ok := fileFor(u); ok {
			t.Errorf("fileFor(%s) = %q, want not held", s, file)
		}
	}
}

func TestRewriteHTML(t *testing.T) {
	page := `<!DOCTYPE html><html><head><link rel="stylesheet" href="/static/amends.css?v=1"/><script defer src="/static/amends.js?v=2"></script></head>` +
		`<body><a href="#main">Skip</a><a href="/">Status</a> <a href="/history?page=2">Older &amp; more</a><a href="/login">Sign in</a>` +
		`<a href="https://example.org/x">out</a><form method="post" action="/subscribe"></form><p title="/incidents/1">kept</p>` +
		`<script>if (a < b && "</p>") {}</script></body></html>`
	out, links, err := rewriteHTML([]byte(page), "incidents/7/index.html", "https://status.example.com")
	if err != nil {
		t.Fatal(err)
	}
	want := `<!DOCTYPE html><html><head><link rel="stylesheet" href="../../static/amends.css?v=1"/><script defer="" src="../../static/amends.js?v=2"></script></head>` +
		`<body><a href="#main">Skip</a><a href="../../index.html">Status</a> <a href="../../history/page/2/index.html">Older &amp; more</a><a href="https://status.example.com/login">Sign in</a>` +
		`<a href="https://example.org/x">out</a><form method="post" action="https://status.example.com/subscribe"></form><p title="/incidents/1">kept</p>` +
		`<script>if (a < b && "</p>") {}</script></body></html>`
	if string(out) != want {
		t.Errorf("rewritten:\n%s\nwant:\n%s", out, want)
	}
	if wantLinks := []string{"/static/amends.css?v=1", "/static/amends.js?v=2", "/", "/history?page=2"}; !slices.Equal(links, wantLinks) {
		t.Errorf("links %q, want %q", links, wantLinks)
	}
	if got := relative("index.html", "incidents/3/index.html"); got != "incidents/3/index.html" {
		t.Errorf("relative from the root: %q", got)
	}
	if got := relative("incidents/3/index.html", "incidents/3/explanation/index.html"); got != "explanation/index.html" {
		t.Errorf("relative to a child: %q", got)
	}
}
