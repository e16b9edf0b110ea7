package mirror

import (
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// The public URLs a mirror holds, and the file each is written to. A URL
// without an extension is a directory with its index.html, so the mirror
// answers at the same paths as the live site on a server that serves
// index.html for a directory; links inside the mirror name the index.html
// itself, so they work on any static server and from the file system.
var (
	incidentPath = regexp.MustCompile(`^/incidents/[1-9][0-9]*(/explanation(/revisions/[1-9][0-9]*)?)?$`)
	v2Path       = regexp.MustCompile(`^/api/v2/[a-z0-9/_-]+\.json$`)
	staticPath   = regexp.MustCompile(`^/static/[A-Za-z0-9_-]+\.[a-z0-9]+$`)
)

// fileFor returns the file, relative to the mirror's root and with slashes,
// that holds the public URL u, and the query a link to it keeps (a static
// asset's version, so browsers fetch a changed file); ok is false for a URL
// the mirror does not hold (sign-in, subscriptions, admin, statements), which
// links keep pointing at on the live server.
func fileFor(u *url.URL) (file, keepQuery string, ok bool) {
	p := u.Path
	q := u.Query()
	switch {
	case p == "/" && u.RawQuery == "":
		return "index.html", "", true
	case (p == "/history" || p == "/history/") && (u.RawQuery == "" || onlyPage(q)):
		n, _ := strconv.Atoi(q.Get("page"))
		if n <= 1 {
			return "history/index.html", "", true
		}
		return "history/page/" + strconv.Itoa(n) + "/index.html", "", true
	case p == "/uptime" && u.RawQuery == "":
		return "uptime/index.html", "", true
	case p == "/uptime" && onlyYear(q):
		return "uptime/" + q.Get("year") + "/index.html", "", true
	case (p == "/history.atom" || p == "/history.rss") && u.RawQuery == "":
		return p[1:], "", true
	case incidentPath.MatchString(p) && u.RawQuery == "":
		return p[1:] + "/index.html", "", true
	case v2Path.MatchString(p) && u.RawQuery == "" && !strings.Contains(p, "//"):
		return p[1:], "", true
	case staticPath.MatchString(p) && (u.RawQuery == "" || (len(q) == 1 && q.Has("v"))):
		return p[1:], u.RawQuery, true
	}
	return "", "", false
}

// onlyPage tells whether q is exactly a page number of at least 1.
func onlyPage(q url.Values) bool {
	if len(q) != 1 || len(q["page"]) != 1 {
		return false
	}
	n, err := strconv.Atoi(q.Get("page"))
	return err == nil && n >= 1 && strconv.Itoa(n) == q.Get("page")
}

// onlyYear tells whether q is exactly a year of four digits.
func onlyYear(q url.Values) bool {
	if len(q) != 1 || len(q["year"]) != 1 {
		return false
	}
	y := q.Get("year")
	return len(y) == 4 && strings.Trim(y, "0123456789") == ""
}

// relative returns the link from the file from to the file to, both
// relative to the mirror's root: "../../history/index.html".
func relative(from, to string) string {
	fromParts := strings.Split(path.Dir(from), "/")
	if fromParts[0] == "." {
		fromParts = nil
	}
	toParts := strings.Split(to, "/")
	common := 0
	for common < len(fromParts) && common < len(toParts)-1 && fromParts[common] == toParts[common] {
		common++
	}
	return strings.Repeat("../", len(fromParts)-common) + strings.Join(toParts[common:], "/")
}
