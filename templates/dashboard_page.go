package templates

import (
	"context"
	"io"

	"github.com/a-h/templ"
)

// Dashboard is "/admin/dashboard". At scale the page is 1.3 MB (565 rows
// in each of its tables); rendered into a writer that can grow (the
// bytes.Buffer a page is rendered into), it grows it once to about the
// page's size, instead of by doubling as the page fills it: each doubling
// allocated and cleared a new buffer and copied the old one.
func Dashboard(v DashboardPage) templ.Component {
	page := dashboardPage(v)
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		if g, ok := w.(interface{ Grow(int) }); ok {
			g.Grow(v.sizeHint())
		}
		return page.Render(ctx, w)
	})
}

// sizeHint is about how many bytes v's page has: its tables' cells with
// their markup, and the rest of the page.
func (v DashboardPage) sizeHint() int {
	n := 64 << 10
	tables := []DataTable{v.Budget, v.Burn, v.History, v.Credits, v.Costly, v.Incidents}
	for _, c := range v.Charts {
		tables = append(tables, c.Table)
		n += 2048 + 256*len(c.Bars)
	}
	for _, t := range tables {
		for _, r := range t.Rows {
			n += 32
			for _, c := range r.Cells {
				n += 24 + len(c.Text) + len(c.Class) + len(c.Title) + len(c.URL)
				if c.Mark != "" {
					n += 72 + 2*len(c.Mark)
				}
			}
		}
	}
	return n
}
