package templates

import (
	"context"
	"io"
	"strings"

	"github.com/a-h/templ"
)

// The body rows of a DataTable. The SLA dashboard at scale has 565 rows in
// each of its tables, 14,000 cells in all, 6,780 of them in the history;
// written as a templ component per cell (each with its class list and its
// own buffer), they took more time than building the page's figures. So
// the rows are written here, every value escaped:
//
//	<tr class="data-row--LEVEL"><th scope="row">TEXT</th><td class="CLASS"
//	title="TITLE">TEXT<span class="cell-mark cell-mark--MARK"><span
//	class="sr-only"> (MARK)</span></span></td></tr>
//
// with the class and title left out when empty, and the text a link
// (<a href="URL">) when the cell has a URL. The mark's symbol is CSS
// content with empty alternative text (static/amends.css), so one element
// holds both the symbol on screen and the words screen readers read.
func tableRows(rows []DataRow) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		hw := newHTMLWriter(w)
		for _, r := range rows {
			hw.raw(`<tr class="data-row--`)
			hw.text(r.Level)
			hw.raw(`">`)
			for i, c := range r.Cells {
				if i == 0 {
					hw.raw(`<th scope="row">`)
				} else {
					hw.raw(`<td`)
					if c.Class != "" {
						hw.raw(` class="`)
						hw.text(c.Class)
						hw.raw(`"`)
					}
					if c.Title != "" {
						hw.raw(` title="`)
						hw.text(c.Title)
						hw.raw(`"`)
					}
					hw.raw(`>`)
				}
				if c.URL != "" {
					hw.raw(`<a href="`)
					hw.text(c.URL)
					hw.raw(`">`)
					hw.text(c.Text)
					hw.raw(`</a>`)
				} else {
					hw.text(c.Text)
				}
				if c.Mark != "" {
					hw.raw(`<span class="cell-mark cell-mark--`)
					hw.text(c.Mark)
					hw.raw(`"><span class="sr-only"> (`)
					hw.text(c.Mark)
					hw.raw(`)</span></span>`)
				}
				if i == 0 {
					hw.raw(`</th>`)
				} else {
					hw.raw(`</td>`)
				}
			}
			hw.raw(`</tr>`)
		}
		return hw.err
	})
}

// htmlWriter writes markup and escaped text to a writer, keeping the
// first error.
type htmlWriter struct {
	w   io.StringWriter
	err error
}

func newHTMLWriter(w io.Writer) *htmlWriter {
	if sw, ok := w.(io.StringWriter); ok {
		return &htmlWriter{w: sw}
	}
	return &htmlWriter{w: stringWriter{w}}
}

type stringWriter struct{ io.Writer }

func (w stringWriter) WriteString(s string) (int, error) { return w.Write([]byte(s)) }

// raw writes s, markup, as it is.
func (h *htmlWriter) raw(s string) {
	if h.err == nil {
		_, h.err = h.w.WriteString(s)
	}
}

// text writes s escaped as html.EscapeString (and so templ) escapes it,
// for text and attribute values alike.
func (h *htmlWriter) text(s string) {
	for h.err == nil {
		i := strings.IndexAny(s, `<>&'"`)
		if i < 0 {
			h.raw(s)
			return
		}
		h.raw(s[:i])
		switch s[i] {
		case '<':
			h.raw("&lt;")
		case '>':
			h.raw("&gt;")
		case '&':
			h.raw("&amp;")
		case '\'':
			h.raw("&#39;")
		case '"':
			h.raw("&#34;")
		}
		s = s[i+1:]
	}
}
