package templates

import (
	"context"
	"html"
	"io"
	"strings"

	"github.com/a-h/templ"
)

// uptimeCells writes the cells of an uptime bar, one <li> per day:
//
//	<li class="day day--99 day--incident" data-date="2012-12-24" title="TOOLTIP">
//	  <a href="/incidents/2"><span class="sr-only">TEXT</span></a>
//	</li>
//
// (the link only on a day with incidents). A status page of 500 components
// has 45,000 of them, so they are written here directly rather than
// through templ's attribute handling; every value is escaped all the same,
// and a URL must be a path on this site.
func uptimeCells(days []UptimeDay) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		var b strings.Builder
		b.Grow(200 * len(days))
		for _, d := range days {
			b.WriteString(`<li class="`)
			b.WriteString(html.EscapeString(d.Class))
			b.WriteString(`" data-date="`)
			b.WriteString(html.EscapeString(d.Date))
			b.WriteString(`" title="`)
			b.WriteString(html.EscapeString(d.Title))
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
			b.WriteString(`<span class="sr-only">`)
			b.WriteString(html.EscapeString(d.Text))
			b.WriteString(`</span>`)
			if url != "" {
				b.WriteString(`</a>`)
			}
			b.WriteString(`</li>`)
		}
		_, err := io.WriteString(w, b.String())
		return err
	})
}
