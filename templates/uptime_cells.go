package templates

import (
	"context"
	"html"
	"io"
	"strings"

	"github.com/a-h/templ"
)

// The cells of the uptime bars. A status page of 500 components has
// 45,000 of them, and on most days nothing happens to most components, so
// a cell says only what it must:
//
// A component's bar (a <div>) writes a day on which nothing happened to
// it as an empty <i></i>, coloured as a day without downtime by CSS: its
// words are the bar's summary sentence for screen readers ("no downtime
// and no incidents on 88 of the 90 days"). A day on which something
// happened has its class and words, and links to its first incident:
//
//	<a class="day--95 day--incident" href="/incidents/2"><span class="day__tip">TEXT
//	TITLE</span></a>
//
// (an <i> instead of the <a> without an incident). A service's bar (an
// <ol>, one <li> a day, 90 for a service of any size) gives every day its
// words:
//
//	<li class="day--95 day--incident"><a href="/incidents/2"><span class="day__tip">TEXT
//	TITLE</span></a></li>
//
// The words, with each incident's title on a line of its own, are the
// cell's text for screen readers and, by CSS, its tooltip on hover and
// keyboard focus: one copy for both. A day without downtime has no class.
// Only this package makes a cell, so every value in it is escaped.
type UptimeCell struct{ html string }

// NewUptimeCell returns the cell of d in a component's bar, every value
// escaped, and a link only when d.URL is a path on this site.
func NewUptimeCell(d UptimeDay) UptimeCell { return newCell(d, false) }

// NewServiceCell returns the cell of d in a service's bar (see
// NewUptimeCell).
func NewServiceCell(d UptimeDay) UptimeCell { return newCell(d, true) }

func newCell(d UptimeDay, item bool) UptimeCell {
	var b strings.Builder
	b.Grow(64 + len(d.Class) + len(d.Text) + 64*len(d.Incidents) + len(d.URL))
	url := d.URL
	if url != "" && (!strings.HasPrefix(url, "/") || strings.HasPrefix(url, "//") || strings.HasPrefix(url, `/\`)) { // browsers read /\ as //
		url = "" // only links within the site
	}
	open := func(tag string, class bool) {
		b.WriteString("<" + tag)
		if class && d.Class != "" {
			b.WriteString(` class="`)
			b.WriteString(html.EscapeString(d.Class))
			b.WriteString(`"`)
		}
		if tag == "a" {
			b.WriteString(` href="`)
			b.WriteString(html.EscapeString(url))
			b.WriteString(`"`)
		}
		b.WriteString(">")
	}
	var tags []string // the elements around the words, outermost first
	switch {
	case item && url != "":
		tags = []string{"li", "a"}
	case item:
		tags = []string{"li"}
	case url != "":
		tags = []string{"a"}
	default:
		tags = []string{"i"}
	}
	for i, t := range tags {
		open(t, i == 0)
	}
	b.WriteString(`<span class="day__tip">`)
	b.WriteString(html.EscapeString(d.Text))
	for _, t := range d.Incidents {
		b.WriteString("\n")
		b.WriteString(html.EscapeString(t))
	}
	b.WriteString(`</span>`)
	for i := len(tags) - 1; i >= 0; i-- {
		b.WriteString("</" + tags[i] + ">")
	}
	return UptimeCell{b.String()}
}

// quietCell is a component's day on which nothing happened.
const quietCell = "<i></i>"

// QuietDays is the cells of a page's days on which nothing happened, one
// per day of the bars' range, oldest first: the same on every bar of the
// page, so made once.
type QuietDays struct {
	html string
	ends []int // where each day's cell ends in html
}

// NewQuietDays returns the cells of days without anything on a
// component's bar (see NewUptimeCell): empty, as many as days.
func NewQuietDays(days int) QuietDays {
	q := QuietDays{html: strings.Repeat(quietCell, days), ends: make([]int, days)}
	for i := range q.ends {
		q.ends[i] = (i + 1) * len(quietCell)
	}
	return q
}

// NewQuietServiceDays returns the cells of days on a service's bar (see
// NewServiceCell), each with its words.
func NewQuietServiceDays(days []UptimeDay) QuietDays {
	var b strings.Builder
	q := QuietDays{ends: make([]int, len(days))}
	for i, d := range days {
		b.WriteString(NewServiceCell(d).html)
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

// UptimeBar is the cells of an uptime bar (see NewUptimeCell): its days'
// own cells where something happened, and the page's quiet cells, shared,
// between them.
type UptimeBar struct {
	parts []string
	days  int
	quiet int // of the days, those with a quiet cell
}

// Bar returns the bar whose day i has cells[i], or the quiet cell of day
// i where cells[i] is the zero UptimeCell. cells must have one entry per
// day of q; Bar keeps none of it.
func (q QuietDays) Bar(cells []UptimeCell) UptimeBar {
	bar := UptimeBar{days: len(cells)}
	run := 0 // the first quiet day not yet added
	for i, c := range cells {
		if c.html == "" {
			bar.quiet++
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

// Quiet is how many of the bar's days nothing happened on.
func (b UptimeBar) Quiet() int { return b.quiet }

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
