// Package richtext is how the pages and feeds show text that may hold
// HTML: the sanitising policy the explanations use, and the bodies of
// imported incident updates, which Statuspage let authors write in HTML
// (links, line breaks, lists).
package richtext

import (
	"html"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
)

// Policy returns a new copy of the policy every rendered explanation and
// imported HTML body goes through: bluemonday's UGC policy (no script,
// iframe, event handlers, javascript: or data: links), links marked
// nofollow (rel="nofollow noopener" where the Markdown set it), table
// cells' alignment classes and disabled task-list checkboxes.
func Policy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^nofollow noopener$`)).OnElements("a")
	p.RequireNoFollowOnLinks(true)
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^align-(left|center|right)$`)).OnElements("th", "td")
	// Task list checkboxes, disabled, as goldmark renders them.
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^checkbox$`)).OnElements("input")
	p.AllowAttrs("checked", "disabled").Matching(regexp.MustCompile(`^$|^checked$|^disabled$`)).OnElements("input")
	return p
}

// The policies are built once and never changed; bluemonday policies are
// safe for concurrent use.
var (
	bodyPolicy = Policy()
	textPolicy = bluemonday.StrictPolicy()
)

// htmlTag matches the start or end of an element an author writes in an
// update: a body with none is plain text ("a < b" stays as written).
var htmlTag = regexp.MustCompile(`(?i)</?(a|abbr|b|blockquote|br|code|dd|del|div|dl|dt|em|h[1-6]|hr|i|img|ins|li|ol|p|pre|s|small|span|strike|strong|sub|sup|table|tbody|td|th|thead|tr|u|ul|script|style|iframe|object|embed)(\s[^<>]*)?/?>`)

// IsHTML reports whether body holds HTML markup.
func IsHTML(body string) bool { return htmlTag.MatchString(body) }

// HTML returns body, which holds HTML, sanitised to be put in a page.
func HTML(body string) string { return bodyPolicy.Sanitize(body) }

// Text returns the text of body without its markup, for a one-line
// summary: a body that holds no HTML is returned as it is.
func Text(body string) string {
	if !IsHTML(body) {
		return body
	}
	s := htmlTag.ReplaceAllStringFunc(body, func(tag string) string {
		if t := strings.ToLower(tag); strings.HasPrefix(t, "<br") || strings.HasPrefix(t, "<li") || strings.HasPrefix(t, "</p") {
			return " " + tag
		}
		return tag
	})
	return strings.Join(strings.Fields(html.UnescapeString(textPolicy.Sanitize(s))), " ")
}
