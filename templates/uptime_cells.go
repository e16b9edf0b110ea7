package templates

import (
	"context"
	"html"
	"io"
	"strings"

	"github.com/a-h/templ"
)

// UptimeCell is one cell of an uptime bar as HTML, made from an UptimeDay
// by NewUptimeCell, one <li> per day:
//
//	<li class="day day--99 day--incident" data-date="2012-12-24">
//	  <a href="/incidents/2"><span class="day__tip">TEXT
//	TITLE
//	TITLE</span></a>
//	</li>
//
// (the link only on a day with incidents). The words, with each
// incident's title on a line of its own, are the cell's text for screen
// readers and, by CSS, its tooltip on hover and keyboard focus: one copy
// for both. A status page of 500
// components has 45,000 of them, and most are a day without downtime or
// incidents whose cell is the same on every bar: a view makes such a cell
// once and shares it, and the page writes each cell as it is. Only this
// package makes a cell, so every value in it is escaped.
type UptimeCell struct{ html string }

// Len is the length of the cell's HTML.
func (c UptimeCell) Len() int { return len(c.html) }

// NewUptimeCell returns the cell of d, every value escaped, and a link
// only when d.URL is a path on this site.
func NewUptimeCell(d UptimeDay) UptimeCell {
	var b strings.Builder
	b.Grow(100 + len(d.Class) + len(d.Date) + len(d.Text) + 64*len(d.Incidents) + len(d.URL))
	b.WriteString(`<li class="`)
	b.WriteString(html.EscapeString(d.Class))
	b.WriteString(`" data-date="`)
	b.WriteString(html.EscapeString(d.Date))
	b.WriteString(`">`)
	url := d.URL
	if url != "" && (!strings.HasPrefix(url, "/") || strings.HasPrefix(url, "//")) {
		url = "" // only links within the site
	}
	if url != "" {
		b.WriteString(`<a href="`)
		b.WriteString(html.EscapeString(url))
		b.WriteString(`">`)
	}
	b.WriteString(`<span class="day__tip">`)
	b.WriteString(html.EscapeString(d.Text))
	for _, t := range d.Incidents {
		b.WriteString("\n")
		b.WriteString(html.EscapeString(t))
	}
	b.WriteString(`</span>`)
	if url != "" {
		b.WriteString(`</a>`)
	}
	b.WriteString(`</li>`)
	return UptimeCell{b.String()}
}

// uptimeCells writes the cells of an uptime bar straight to w.
func uptimeCells(cells []UptimeCell) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		for _, c := range cells {
			if _, err := io.WriteString(w, c.html); err != nil {
				return err
			}
		}
		return nil
	})
}
