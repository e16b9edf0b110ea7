package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/auth"
	"github.com/amends/amends/incidents"
)

// pastIncidentsOn returns the titles, links, impacts and "when" lines of
// the status page's "Past incidents", in order.
func pastIncidentsOn(doc *goquery.Document) (titles, links, impacts, when []string) {
	doc.Find(testid("past-incidents") + " " + testid("past-incident")).Each(func(_ int, s *goquery.Selection) {
		a := s.Find("h3 a")
		href, _ := a.Attr("href")
		titles = append(titles, textOf(a))
		links = append(links, href)
		impacts = append(impacts, textOf(s.Find(testid("impact"))))
		when = append(when, textOf(s.Find(".history-item__when")))
	})
	return titles, links, impacts, when
}

// "/" lists the last 3 resolved incidents, the most recently resolved
// first, below the components: none while nothing is resolved; an
// incident resolved through the API moves to the top at once (the cached
// page is rendered again), and one deleted leaves it at once.
func TestStatusPagePastIncidents(t *testing.T) {
	env := newTestEnv(t)
	support := env.token(auth.Support)
	admin := env.token(auth.Admin)
	now := env.clock.Now()

	active := env.declare("Load balancers failing", change("elb-us-east-1", incidents.MajorOutage, ""))
	doc := env.statusPage()
	if n := doc.Find(testid("past-incidents")).Length(); n != 0 {
		t.Fatalf("a Past incidents section with nothing resolved (%d)", n)
	}

	// Four resolved an hour after they started, the latest started last.
	var resolved []incidents.Incident
	for i, title := range []string{"Oldest", "Second", "Third", "Fourth"} {
		resolved = append(resolved, env.backfill(title, now.Add(-time.Duration(10-2*i)*24*time.Hour), change("elb-eu-west-1", incidents.PartialOutage, "10")))
	}
	// "Long" started first but was resolved after the others: the list
	// goes by resolution.
	started, end := now.Add(-20*24*time.Hour), now.Add(-24*time.Hour)
	long, err := env.incidents.CreateIncident(t.Context(), audit.Person("ops@example.com"), incidents.IncidentInput{
		Title: "Long", Message: "Investigating.", StartedAt: &started, Components: []incidents.ComponentChange{change("elb-us-east-1", incidents.DegradedPerformance, "")},
	}, now)
	if err == nil {
		long, err = env.incidents.AddUpdate(t.Context(), audit.Person("ops@example.com"), long.ID, incidents.UpdateInput{Phase: incidents.Resolved, Message: "Resolved.", At: &end}, now)
	}
	if err != nil {
		t.Fatal(err)
	}
	env.passRevisionCheck()

	doc = env.statusPage()
	titles, links, impacts, when := pastIncidentsOn(doc)
	if want := []string{"Long", "Fourth", "Third"}; !slices.Equal(titles, want) {
		t.Fatalf("past incidents %q, want %q", titles, want)
	}
	if want := fmt.Sprintf("/incidents/%d", resolved[3].ID); links[1] != want {
		t.Errorf("link %q, want %q", links[1], want)
	}
	if impacts[0] != long.Impact.Label() || impacts[1] != resolved[3].Impact.Label() || impacts[0] == impacts[1] {
		t.Errorf("impacts %q, want %s and %s", impacts, long.Impact.Label(), resolved[3].Impact.Label())
	}
	if want := "Resolved " + end.UTC().Format("2 Jan 2006, 15:04 UTC") + " · lasted 19 d"; when[0] != want {
		t.Errorf("when %q, want %q", when[0], want)
	}
	r := resolved[3].ResolvedAt.UTC()
	if want := "Resolved " + r.Format("2 Jan 2006, 15:04 UTC") + " · lasted 1 h"; when[1] != want {
		t.Errorf("when %q, want %q", when[1], want)
	}
	if dt, _ := doc.Find(testid("past-incident") + " time").Eq(1).Attr("datetime"); dt != r.Format(time.RFC3339) {
		t.Errorf("datetime %q", dt)
	}
	// Below the active incidents and the components.
	html, _ := doc.Html()
	if a, c, p := strings.Index(html, `data-testid="active-incidents"`), strings.Index(html, `data-testid="services"`), strings.Index(html, `data-testid="past-incidents"`); a < 0 || !(a < c && c < p) {
		t.Errorf("sections at active %d, components %d, past %d", a, c, p)
	}

	// Resolving through the API: on the next request, without waiting for
	// the revision check, it leads the list and is no longer active.
	env.clock.Advance(time.Minute)
	env.api("POST", fmt.Sprintf("/incidents/%d/updates", active.ID), support, map[string]any{
		"phase": "resolved", "message": "Recovered.",
	}).expect(t, http.StatusCreated)
	doc = env.statusPage()
	if titles, _, _, when = pastIncidentsOn(doc); !slices.Equal(titles, []string{"Load balancers failing", "Long", "Fourth"}) {
		t.Fatalf("after resolving: %q", titles)
	} else if !strings.HasSuffix(when[0], "lasted 1 min") {
		t.Errorf("when %q", when[0])
	}
	if doc.Find(testid("active-incidents")).Length() != 0 {
		t.Error("the resolved incident is still active")
	}

	// Deleting: gone at once, and the next one comes up.
	env.api("DELETE", fmt.Sprintf("/incidents/%d", active.ID), admin, nil).expect(t, http.StatusOK)
	env.api("DELETE", fmt.Sprintf("/incidents/%d", long.ID), admin, nil).expect(t, http.StatusOK)
	if titles, _, _, _ = pastIncidentsOn(env.statusPage()); !slices.Equal(titles, []string{"Fourth", "Third", "Second"}) {
		t.Fatalf("after deleting: %q", titles)
	}
}

// With Config.AsOf, "Past incidents" holds only what was resolved by that
// instant: an incident resolved later (by the clock) is not shown.
func TestStatusPagePastIncidentsAsOf(t *testing.T) {
	env := newTestEnvWith(t, envOptions{config: func(c *Config) { c.AsOf = jan5 }})
	env.clock.Advance(time.Date(2013, 3, 1, 12, 0, 0, 0, time.UTC).Sub(env.clock.Now()))
	env.christmasOutage()
	env.backfill("In February", time.Date(2013, 2, 1, 10, 0, 0, 0, time.UTC), change("elb-eu-west-1", incidents.MajorOutage, ""))
	env.backfill("Resolved just after", jan5.Add(-30*time.Minute), change("elb-eu-west-1", incidents.MajorOutage, ""))
	if titles, _, _, _ := pastIncidentsOn(env.statusPage()); !slices.Equal(titles, []string{"Degraded load balancers"}) {
		t.Fatalf("as of 5 January 2013: %q", titles)
	}
}
