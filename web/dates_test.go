package web

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/templates"
)

var (
	// instantText is the one style of an instant on the pages.
	instantText = regexp.MustCompile(`^[1-9][0-9]? (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4}, [0-2][0-9]:[0-5][0-9] UTC$`)
	// isoDate is a date written another way: "2012-12-24".
	isoDate = regexp.MustCompile(`\b[0-9]{4}-[0-9]{2}-[0-9]{2}\b`)
)

// One date style per page: on every public page of the demo (the status
// page, the uptime pages, the history, an incident, its explanation and a
// statement), each <time> reads "24 Dec 2012, 20:24 UTC" and its datetime
// attribute is that instant in RFC 3339, and no text writes a date as
// "2012-12-24" (the explanation's drafted timeline included).
func TestPublicPagesUseOneDateStyle(t *testing.T) {
	env := newDemoEnv(t)
	elb := env.demoIncident("Degraded load balancers")
	pages := []string{"/", "/uptime", "/uptime?year=2012", "/history",
		fmt.Sprintf("/incidents/%d", elb.ID), fmt.Sprintf("/incidents/%d/explanation", elb.ID),
		env.statementLink(env.token(auth.Support), "acme-corporation")}
	for _, path := range pages {
		resp, body := env.publicGet(path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		doc := parseHTML(t, body)
		times := doc.Find("time")
		if times.Length() == 0 {
			t.Errorf("%s shows no instant", path)
		}
		times.Each(func(_ int, s *goquery.Selection) {
			text, iso := textOf(s), s.AttrOr("datetime", "")
			at, err := time.Parse(time.RFC3339, iso)
			if !instantText.MatchString(text) || err != nil || templates.At(at).Text != text {
				t.Errorf("%s: <time datetime=%q>%s</time>", path, iso, text)
			}
		})
		doc.Find("script, style").Remove()
		if m := isoDate.FindAllString(doc.Find("body").Text(), 3); len(m) > 0 {
			t.Errorf("%s writes dates as %q", path, strings.Join(m, ", "))
		}
	}
}
