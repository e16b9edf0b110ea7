package mirror

import (
	"bytes"
	"errors"
	"io"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// linkAttrs are the attributes that hold a URL on Amends' pages.
var linkAttrs = map[string]bool{"href": true, "src": true, "action": true}

// rewriteHTML returns page (the HTML of the mirror's file named file) with
// every link to a page the mirror holds made relative to file, and every
// other link to the live site (sign-in, subscribing) made absolute on base
// when base is set. It also returns the public URLs the page links to, as
// targets for the renderer, each once. Everything but the rewritten tags
// is copied byte for byte.
func rewriteHTML(page []byte, file, base string) ([]byte, []string, error) {
	var out bytes.Buffer
	out.Grow(len(page) + len(page)/32)
	var found []string
	seen := map[string]bool{}
	z := html.NewTokenizer(bytes.NewReader(page))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if err := z.Err(); !errors.Is(err, io.EOF) {
				return nil, nil, err
			}
			return out.Bytes(), found, nil
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			out.Write(z.Raw())
			continue
		}
		raw := append([]byte(nil), z.Raw()...)
		tok := z.Token()
		changed := false
		for i, a := range tok.Attr {
			if a.Namespace != "" || !linkAttrs[a.Key] {
				continue
			}
			link, target, ok := rewriteLink(a.Val, file, base)
			if target != "" && !seen[target] {
				seen[target] = true
				found = append(found, target)
			}
			if ok && link != a.Val {
				tok.Attr[i].Val = link
				changed = true
			}
		}
		if !changed {
			out.Write(raw)
			continue
		}
		out.WriteString(tok.String())
	}
}

// rewriteLink returns what the link v on the mirror's file file becomes,
// and the target to render when it names a page the mirror holds. ok is
// false when v stays as it is.
func rewriteLink(v, file, base string) (link, target string, ok bool) {
	if !strings.HasPrefix(v, "/") || strings.HasPrefix(v, "//") {
		return "", "", false // absolute, relative already, a fragment, mailto:
	}
	u, err := url.Parse(v)
	if err != nil {
		return "", "", false
	}
	to, query, held := fileFor(u)
	if !held {
		if base == "" {
			return "", "", false
		}
		return base + v, "", true
	}
	link = relative(file, to)
	if query != "" {
		link += "?" + query
	}
	if u.Fragment != "" {
		link += "#" + u.EscapedFragment()
	}
	target = u.EscapedPath()
	if u.RawQuery != "" {
		target += "?" + u.RawQuery
	}
	return link, target, true
}
