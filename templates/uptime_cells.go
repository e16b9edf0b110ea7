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
	if url != "" && (!strings.HasPrefix(url, "/") || strings.HasPrefix(url, "//") || strings.HasPrefix(url, `/\`)) { // browsers read /\ as //
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

// QuietDays is the cells of a page's days on which nothing happened to a
// component (no downtime, no incident), one per day of the bars' range,
// oldest first: the same on every bar of the page, so made once.
type QuietDays struct {
	html string
	ends []int // where each day's cell ends in html
}

// NewQuietDays makes the cells of days (see NewUptimeCell).
func NewQuietDays(days []UptimeDay) QuietDays {
	var b strings.Builder
	q := QuietDays{ends: make([]int, len(days))}
	for i, d := range days {
		b.WriteString(NewUptimeCell(d).html)
		q.ends[i] = b.Len()
	}
	q.html = b.String()
	return q
}

// Days is how many days q has a cell for.
func (q QuietDays) Days() int { return len(q.ends) }

// cells is the HTML of the quiet cells of days [i, j).
func (q QuietDays) cells(i, j int) string {
	start := 0
	if i > 0 {
		start = q.ends[i-1]
	}
	return q.html[start:q.ends[j-1]]
}

// UptimeBar is the cells of a component's uptime bar (see NewUptimeCell):
// its days' own cells where something happened, and the page's quiet
// cells, shared, between them.
type UptimeBar struct {
	parts []string
	days  int
}

// Bar returns the bar whose day i has cells[i], or the quiet cell of day
// i where cells[i] is the zero UptimeCell. cells must have one entry per
// day of q; Bar keeps none of it.
func (q QuietDays) Bar(cells []UptimeCell) UptimeBar {
	bar := UptimeBar{days: len(cells)}
	run := 0 // the first quiet day not yet added
	for i, c := range cells {
		if c.html == "" {
			continue
		}
		if run < i {
			bar.parts = append(bar.parts, q.cells(run, i))
		}
		bar.parts = append(bar.parts, c.html)
		run = i + 1
	}
	if run < len(cells) {
		bar.parts = append(bar.parts, q.cells(run, len(cells)))
	}
	return bar
}

// Days is how many days the bar shows.
func (b UptimeBar) Days() int { return b.days }

// Len is the length of the bar's HTML.
func (b UptimeBar) Len() int {
	n := 0
	for _, p := range b.parts {
		n += len(p)
	}
	return n
}

// uptimeCells writes the cells of an uptime bar straight to w.
func uptimeCells(bar UptimeBar) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		for _, p := range bar.parts {
			if _, err := io.WriteString(w, p); err != nil {
				return err
			}
		}
		return nil
	})
}
