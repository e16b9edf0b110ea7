package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/incidents"
)

// uptimeRead is what an uptime page says: its period links (label, href,
// and the current one's aria-current), the month heads of the ELB table
// and ELB us-east-1's exact figures, newest first, its title and heading.
type uptimeRead struct {
	labels, hrefs []string
	current       []string
	months, cells []string
	title, h1     string
}

// readUptime loads and reads an uptime page, which must answer 200.
func (e *testEnv) readUptime(path string) uptimeRead {
	e.t.Helper()
	resp, body := e.publicGet(path)
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
	doc := parseHTML(e.t, body)
	var r uptimeRead
	doc.Find(testid("uptime-periods") + " a").Each(func(_ int, s *goquery.Selection) {
		r.labels = append(r.labels, textOf(s))
		r.hrefs = append(r.hrefs, s.AttrOr("href", ""))
		if v, ok := s.Attr("aria-current"); ok {
			r.current = append(r.current, textOf(s)+"="+v)
		}
	})
	doc.Find(testid("uptime-table-elb") + " thead th abbr").Each(func(_ int, s *goquery.Selection) {
		r.months = append(r.months, s.AttrOr("title", ""))
	})
	doc.Find(testid("uptime-elb-us-east-1") + " " + testid("uptime-month")).Each(func(_ int, s *goquery.Selection) {
		r.cells = append(r.cells, s.AttrOr("title", ""))
	})
	r.title, r.h1 = textOf(doc.Find("title")), textOf(doc.Find("h1"))
	return r
}

// "/uptime?year=YYYY" shows each month of a year with figures, newest
// first, and every uptime page links to the last 12 months and to each
// such year, newest first, marking the one shown. A year without figures
// is 404 and one that is not four digits 400, never a 500; deleting the
// only incident of the first year takes that year away at once.
func TestUptimeYears(t *testing.T) {
	env := newTestEnv(t)
	env.clock.Advance(jan5.Add(12 * time.Hour).Sub(env.clock.Now()))
	env.christmasOutage()
	april := env.backfill("EBS volumes stuck", time.Date(2011, 4, 21, 8, 0, 0, 0, time.UTC), change("elb-us-east-1", incidents.MajorOutage, ""))

	wantLabels := []string{"Last 12 months", "2013", "2012", "2011"}
	wantHrefs := []string{"/uptime", "/uptime?year=2013", "/uptime?year=2012", "/uptime?year=2011"}
	last12 := env.readUptime("/uptime")
	if !slices.Equal(last12.labels, wantLabels) || !slices.Equal(last12.hrefs, wantHrefs) {
		t.Fatalf("periods %q %q", last12.labels, last12.hrefs)
	}
	if !slices.Equal(last12.current, []string{"Last 12 months=page"}) || len(last12.months) != 12 {
		t.Errorf("last 12 months: current %q, %d months", last12.current, len(last12.months))
	}

	y2012 := env.readUptime("/uptime?year=2012")
	if !slices.Equal(y2012.labels, wantLabels) || !slices.Equal(y2012.current, []string{"2012=page"}) {
		t.Errorf("2012: periods %q, current %q", y2012.labels, y2012.current)
	}
	var want []string
	for m := 12; m >= 1; m-- {
		want = append(want, time.Date(2012, time.Month(m), 1, 0, 0, 0, 0, time.UTC).Format("January 2006"))
	}
	if !slices.Equal(y2012.months, want) {
		t.Fatalf("2012's months %q, want %q", y2012.months, want)
	}
	if y2012.cells[0] != "99.7980%" || y2012.cells[1] != "100.0000%" {
		t.Errorf("ELB us-east-1 in December and November 2012: %q", y2012.cells[:2])
	}
	// The same December as the last 12 months show.
	if last12.cells[1] != y2012.cells[0] {
		t.Errorf("December 2012 is %s on /uptime, %s on its year", last12.cells[1], y2012.cells[0])
	}
	if y2012.h1 != "Uptime by month in 2012" || !strings.HasPrefix(y2012.title, "Uptime in 2012") {
		t.Errorf("2012: h1 %q, title %q", y2012.h1, y2012.title)
	}

	// The current year so far: January only.
	if y := env.readUptime("/uptime?year=2013"); !slices.Equal(y.months, []string{"January 2013"}) || !slices.Equal(y.current, []string{"2013=page"}) {
		t.Errorf("2013: months %q, current %q", y.months, y.current)
	}
	// The first year: April 2011 lost an hour (of 720).
	y2011 := env.readUptime("/uptime?year=2011")
	if len(y2011.months) != 12 || y2011.months[8] != "April 2011" || y2011.cells[8] != "99.8611%" || y2011.cells[7] != "100.0000%" {
		t.Errorf("2011: %q %q", y2011.months, y2011.cells)
	}

	status := func(path string) (int, string) {
		resp, body := env.publicGet(path)
		return resp.StatusCode, body
	}
	for _, y := range []string{"2010", "2014", "9999", "1000", "0000"} {
		if code, _ := status("/uptime?year=" + y); code != http.StatusNotFound {
			t.Errorf("year %s: %d, want 404", y, code)
		}
	}
	for _, q := range []string{"abc", "1e3", "0", "", "20120", "%202012", "%2B201", "2012.", "-201", "２０１２", "2012&year=2011"} {
		code, body := status("/uptime?year=" + q)
		if code != http.StatusBadRequest || !strings.Contains(body, "year") {
			t.Errorf("year %q: %d, want 400 naming the year", q, code)
		}
	}

	// Deleting 2011's only incident: 2011 has no figures any more, at once.
	env.api("DELETE", fmt.Sprintf("/incidents/%d", april.ID), env.token(auth.Admin), nil).expect(t, http.StatusOK)
	if code, _ := status("/uptime?year=2011"); code != http.StatusNotFound {
		t.Errorf("2011 after the delete: %d, want 404", code)
	}
	if got := env.readUptime("/uptime").labels; !slices.Equal(got, wantLabels[:3]) {
		t.Errorf("periods after the delete: %q", got)
	}
}

// With Config.AsOf, the years end with the as-of instant's: a year after
// it is 404 even with incidents recorded in it by the clock.
func TestUptimeYearsAsOf(t *testing.T) {
	env := newTestEnvWith(t, envOptions{config: func(c *Config) { c.AsOf = jan5 }})
	env.clock.Advance(time.Date(2014, 3, 1, 12, 0, 0, 0, time.UTC).Sub(env.clock.Now()))
	env.christmasOutage()
	env.backfill("In 2014", time.Date(2014, 2, 1, 10, 0, 0, 0, time.UTC), change("elb-eu-west-1", incidents.MajorOutage, ""))
	if y := env.readUptime("/uptime"); !slices.Equal(y.labels, []string{"Last 12 months", "2013", "2012"}) {
		t.Errorf("periods as of 5 January 2013: %q", y.labels)
	}
	if resp, _ := env.publicGet("/uptime?year=2014"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("2014 as of 2013: %d", resp.StatusCode)
	}
	if y := env.readUptime("/uptime?year=2013"); !slices.Equal(y.months, []string{"January 2013"}) {
		t.Errorf("2013 as of 5 January: %q", y.months)
	}
}
