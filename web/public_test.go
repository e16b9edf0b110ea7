package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/incidents"
)

// statusPage loads "/" as an anonymous reader and parses it.
func (e *testEnv) statusPage() *goquery.Document {
	e.t.Helper()
	resp, body := e.publicGet("/")
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("GET /: %d\n%s", resp.StatusCode, body)
	}
	return parseHTML(e.t, body)
}

// componentStatus returns the status class and text of a component row on
// the status page.
func componentStatus(doc *goquery.Document, id string) (class, label string) {
	row := doc.Find(testid("component-" + id))
	for _, c := range strings.Fields(row.AttrOr("class", "")) {
		if s, ok := strings.CutPrefix(c, "component--"); ok {
			class = s
		}
	}
	return class, textOf(row.Find(testid("component-status")))
}

func TestStatusBanner(t *testing.T) {
	start := time.Date(2012, 12, 24, 20, 0, 0, 0, time.UTC)
	cases := []struct {
		name      string
		setup     func(*testEnv)
		class     string
		banner    string
		component string // status class of elb-us-east-1
		percent   string // its "affected" text, "" for none
	}{
		{"all operational", func(*testEnv) {}, "operational", "All systems operational", "operational", ""},
		{"an incident that affects no component", func(e *testEnv) {
			e.declare("Reports of slow sign-in")
		}, "incident_in_progress", "Incident in progress", "operational", ""},
		{"an incident whose components are back to operational", func(e *testEnv) {
			inc := e.declare("Elevated errors", change("elb-us-east-1", incidents.PartialOutage, "5"))
			e.update(inc.ID, change("elb-us-east-1", incidents.Operational, ""))
		}, "incident_in_progress", "Incident in progress", "operational", ""},
		{"degraded", func(e *testEnv) {
			e.declare("Slow responses", change("elb-us-east-1", incidents.DegradedPerformance, "30"))
		}, "degraded_performance", "Degraded performance", "degraded_performance", "30% affected"},
		{"partial outage", func(e *testEnv) {
			e.declare("Elevated errors", change("elb-us-east-1", incidents.PartialOutage, "6.8"))
		}, "partial_outage", "Partial outage", "partial_outage", "6.8% affected"},
		{"major outage, the worst wins", func(e *testEnv) {
			e.declare("Slow responses", change("elb-us-east-1", incidents.DegradedPerformance, ""))
			e.declare("Load balancers down", change("elb-us-east-1", incidents.MajorOutage, ""), change("elb-eu-west-1", incidents.PartialOutage, "10"))
		}, "major_outage", "Major outage", "major_outage", "100% affected"},
		{"maintenance in progress", func(e *testEnv) {
			e.maintenance("Load balancer upgrade", start.Add(-time.Hour), start.Add(time.Hour), "elb-us-east-1")
		}, "under_maintenance", "Scheduled maintenance in progress", "under_maintenance", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := newTestEnv(t)
			tc.setup(env)
			doc := env.statusPage()
			overall := doc.Find(testid("overall"))
			if !overall.HasClass("overall--"+tc.class) || !strings.Contains(textOf(overall), tc.banner) {
				t.Errorf("banner: class %q text %q; want class overall--%s and %q", overall.AttrOr("class", ""), textOf(overall), tc.class, tc.banner)
			}
			class, label := componentStatus(doc, "elb-us-east-1")
			if class != tc.component {
				t.Errorf("elb-us-east-1 is %q (%s), want %q", class, label, tc.component)
			}
			got := textOf(doc.Find(testid("component-elb-us-east-1")).Find(testid("component-percent")))
			if got != tc.percent {
				t.Errorf("elb-us-east-1 percent %q, want %q", got, tc.percent)
			}
			if doc.Find(`time[datetime]`).Length() == 0 {
				t.Error("no <time datetime> on the page")
			}
		})
	}
}

// A page of more than 10 components folds away the components of each
// service whose components are all operational, under the service's own
// bar (a closed <details>, opened without JavaScript); a service with an
// outage or maintenance keeps them in view. A page of few components
// shows them all.
func TestStatusPageFoldsServicesOfManyComponents(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	now := env.clock.Now()
	folded := func(doc *goquery.Document, service string) bool {
		t.Helper()
		d := doc.Find(testid("service-"+service) + " details" + testid("fold"))
		if d.Length() != 1 || d.Find("summary").Length() != 1 {
			t.Fatalf("%s: %d folds", service, d.Length())
		}
		_, open := d.Attr("open")
		return !open
	}
	if folded(env.statusPage(), "elb") {
		t.Fatal("a page of 2 components folds them")
	}
	if _, err := env.incidents.CreateService(ctx, audit.Person("test"), incidents.Service{ID: "EC2", Name: "Elastic Compute Cloud", Position: 2}, now); err != nil {
		t.Fatal(err)
	}
	for i := range 8 {
		c := incidents.Component{ID: fmt.Sprintf("ec2-%d", i), Service: "EC2", Name: fmt.Sprintf("EC2 %d", i), Region: "us-east-1", Position: i}
		if _, err := env.incidents.CreateComponent(ctx, audit.Person("test"), c, now); err != nil {
			t.Fatal(err)
		}
	}
	env.passRevisionCheck()
	doc := env.statusPage()
	if folded(doc, "elb") || folded(doc, "ec2") { // 10 components
		t.Fatal("a page of 10 components folds them")
	}
	if _, err := env.incidents.CreateComponent(ctx, audit.Person("test"), incidents.Component{ID: "ec2-8", Service: "EC2", Name: "EC2 8", Region: "us-east-1", Position: 8}, now); err != nil {
		t.Fatal(err)
	}
	env.passRevisionCheck()
	doc = env.statusPage()
	if !folded(doc, "elb") || !folded(doc, "ec2") {
		t.Fatal("a page of 11 operational components keeps them in view")
	}
	if got := textOf(doc.Find(testid("service-ec2") + " summary")); got != "9 components" {
		t.Errorf("the fold says %q", got)
	}
	// Folded, the components are still on the page, with their bars.
	if n := doc.Find(testid("service-ec2") + " " + testid("uptime")).Length(); n != 9 {
		t.Errorf("%d bars under the fold", n)
	}

	env.declare("Instances unreachable", change("ec2-3", incidents.PartialOutage, "20"))
	env.passRevisionCheck()
	doc = env.statusPage()
	if !folded(doc, "elb") || folded(doc, "ec2") {
		t.Errorf("with EC2 in partial outage: ELB folded %v, EC2 folded %v", folded(doc, "elb"), folded(doc, "ec2"))
	}
	start := env.clock.Now().Add(-time.Minute)
	if _, err := env.incidents.CreateMaintenance(ctx, audit.Person("ops@example.com"), incidents.MaintenanceInput{
		Title: "Upgrade", Message: "Planned.", Components: []string{"elb-eu-west-1"}, StartsAt: start, EndsAt: start.Add(time.Hour), AnnouncedAt: &start,
	}, env.clock.Now()); err != nil {
		t.Fatal(err)
	}
	env.passRevisionCheck()
	if doc = env.statusPage(); folded(doc, "elb") {
		t.Error("ELB under maintenance is folded")
	}
}

func TestStatusGroupsComponentsByService(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	now := env.clock.Now()
	if _, err := env.incidents.CreateService(ctx, audit.Person("test"), incidents.Service{ID: "EC2", Name: "Elastic Compute Cloud", Description: "Virtual servers", Position: 2}, now); err != nil {
		t.Fatal(err)
	}
	for i, z := range []string{"us-east-1a", "us-east-1b"} {
		c := incidents.Component{ID: "ec2-" + z, Service: "EC2", Name: "EC2 " + z, Region: "us-east-1", Zone: z, Group: "US East (N. Virginia)", Position: i}
		if _, err := env.incidents.CreateComponent(ctx, audit.Person("test"), c, now); err != nil {
			t.Fatal(err)
		}
	}
	env.declare("Instance connectivity", change("ec2-us-east-1b", incidents.MajorOutage, "12.5"))

	doc := env.statusPage()
	elb, ec2 := doc.Find(testid("service-elb")), doc.Find(testid("service-ec2"))
	if elb.Length() != 1 || ec2.Length() != 1 {
		t.Fatalf("want one section per service, got ELB %d, EC2 %d", elb.Length(), ec2.Length())
	}
	for service, want := range map[*goquery.Selection][]string{
		elb: {"component-elb-us-east-1", "component-elb-eu-west-1"},
		ec2: {"component-ec2-us-east-1a", "component-ec2-us-east-1b"},
	} {
		var got []string
		service.Find(`li[data-testid^="component-"]`).Each(func(_ int, s *goquery.Selection) {
			got = append(got, s.AttrOr("data-testid", ""))
		})
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("service %s lists %v, want %v", service.AttrOr("data-testid", ""), got, want)
		}
	}
	if !strings.Contains(textOf(ec2), "US East (N. Virginia)") || !strings.Contains(textOf(ec2), "Virtual servers") {
		t.Errorf("EC2 section lacks its group heading or description: %s", textOf(ec2))
	}
	// Each service shows its own worst status.
	if !ec2.Find(".service__head .status--major_outage").Is("*") || !elb.Find(".service__head .status--operational").Is("*") {
		t.Errorf("service statuses: ELB %q, EC2 %q", textOf(elb.Find(".service__head")), textOf(ec2.Find(".service__head")))
	}
	if got := textOf(doc.Find(testid("component-ec2-us-east-1b")).Find(testid("component-percent"))); got != "12.5% affected" {
		t.Errorf("ec2-us-east-1b percent %q", got)
	}
	if class, _ := componentStatus(doc, "ec2-us-east-1a"); class != "operational" {
		t.Errorf("ec2-us-east-1a is %s, want operational", class)
	}
}

func TestStatusShowsActiveIncidentsWithLatestUpdate(t *testing.T) {
	env := newTestEnv(t)
	inc := env.declare("Elevated errors", change("elb-us-east-1", incidents.PartialOutage, "6.8"))
	env.clock.Advance(20 * time.Minute)
	if _, err := env.incidents.AddUpdate(context.Background(), audit.Person("ops@example.com"), inc.ID, incidents.UpdateInput{
		Phase: incidents.Identified, Message: "We found a faulty configuration change.",
	}, env.clock.Now()); err != nil {
		t.Fatal(err)
	}
	resolved := env.backfill("Old trouble", time.Date(2012, 11, 1, 10, 0, 0, 0, time.UTC))
	env.passRevisionCheck()

	doc := env.statusPage()
	cards := doc.Find(testid("active-incidents")).Find(testid("incident-card"))
	if cards.Length() != 1 {
		t.Fatalf("%d active incident cards, want 1 (the resolved one is history)", cards.Length())
	}
	card := cards.First()
	if href := card.Find("a").AttrOr("href", ""); href != fmt.Sprintf("/incidents/%d", inc.ID) {
		t.Errorf("card links to %q", href)
	}
	latest := textOf(card.Find(testid("incident-latest")))
	if !strings.Contains(latest, "faulty configuration change") || strings.Contains(latest, "investigating") {
		t.Errorf("card shows %q, want the latest update", latest)
	}
	if !strings.Contains(textOf(card), "Identified") || !strings.Contains(textOf(card), "ELB us-east-1") {
		t.Errorf("card lacks its phase or affected component: %s", textOf(card))
	}
	if dt := card.Find("time").First().AttrOr("datetime", ""); dt != "2012-12-24T20:20:00Z" {
		t.Errorf("card's first time is %q, want the latest update's instant in UTC", dt)
	}
	if strings.Contains(textOf(doc.Find(testid("active-incidents"))), "Old trouble") || resolved.Active() {
		t.Error("a resolved incident shows among the active ones")
	}
}

func TestStatusShowsUpcomingMaintenance(t *testing.T) {
	env := newTestEnv(t)
	now := env.clock.Now()
	env.maintenance("Database failover test", now.Add(10*time.Minute), now.Add(70*time.Minute), "elb-eu-west-1")
	env.maintenance("Long gone", now.Add(-48*time.Hour), now.Add(-47*time.Hour), "elb-eu-west-1")

	doc := env.statusPage()
	cards := doc.Find(testid("maintenance")).Find(testid("maintenance-card"))
	if cards.Length() != 1 {
		t.Fatalf("%d maintenance cards, want the 1 upcoming", cards.Length())
	}
	card := cards.First()
	if !strings.Contains(textOf(card), "Database failover test") || !strings.Contains(textOf(card), "Scheduled") || !strings.Contains(textOf(card), "ELB eu-west-1") {
		t.Errorf("maintenance card: %s", textOf(card))
	}
	var times []string
	card.Find(testid("maintenance-window")).Find("time").Each(func(_ int, s *goquery.Selection) {
		times = append(times, s.AttrOr("datetime", "")+" "+s.Text())
	})
	want := []string{"2012-12-24T20:10:00Z 24 Dec 2012, 20:10 UTC", "2012-12-24T21:10:00Z 24 Dec 2012, 21:10 UTC"}
	if strings.Join(times, "|") != strings.Join(want, "|") {
		t.Errorf("window %q, want %q", times, want)
	}
	if doc.Find(testid("overall")).HasClass("overall--under_maintenance") {
		t.Error("banner says maintenance before it starts")
	}

	// No write happens, yet the page changes when the window opens and
	// again when it closes.
	env.clock.Advance(10 * time.Minute)
	doc = env.statusPage()
	if !doc.Find(testid("overall")).HasClass("overall--under_maintenance") {
		t.Errorf("at the window's start the banner is %q", textOf(doc.Find(testid("overall"))))
	}
	if class, _ := componentStatus(doc, "elb-eu-west-1"); class != "under_maintenance" {
		t.Errorf("elb-eu-west-1 is %s during its maintenance", class)
	}
	env.clock.Advance(time.Hour)
	doc = env.statusPage()
	if !doc.Find(testid("overall")).HasClass("overall--operational") || doc.Find(testid("maintenance-card")).Length() != 0 {
		t.Errorf("after the window: banner %q, %d maintenance cards", textOf(doc.Find(testid("overall"))), doc.Find(testid("maintenance-card")).Length())
	}
}

func TestIncidentPageTimeline(t *testing.T) {
	env := newTestEnv(t)
	env.clock.Advance(30 * time.Hour) // 26 Dec 2012, 02:00 UTC
	tok := env.token("support")

	// The instants are given in Pacific time; the page says UTC.
	r := env.api("POST", "/incidents", tok, map[string]any{
		"title": "Elastic Load Balancing in US-East-1", "impact": "major", "message": "We are investigating elevated error rates.",
		"started_at": "2012-12-24T12:24:00-08:00",
		"components": []map[string]any{{"component": "elb-us-east-1", "status": "degraded_performance", "affected_percent": "2"}},
	}).expect(t, http.StatusCreated)
	var inc incidents.Incident
	r.decode(t, &inc)
	for _, u := range []map[string]any{
		{"phase": "identified", "message": "Some load balancers lost their configuration.", "at": "2012-12-24T15:00:00-08:00",
			"components": []map[string]any{{"component": "elb-us-east-1", "status": "partial_outage", "affected_percent": 6.8}}},
		{"phase": "resolved", "message": "All load balancers are recovered.", "at": "2012-12-25T10:30:00-08:00"},
	} {
		env.api("POST", fmt.Sprintf("/incidents/%d/updates", inc.ID), tok, u).expect(t, http.StatusCreated)
	}

	resp, body := env.publicGet(fmt.Sprintf("/incidents/%d", inc.ID))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("incident page: %d", resp.StatusCode)
	}
	doc := parseHTML(t, body)
	if got := textOf(doc.Find(testid("incident-title"))); got != "Elastic Load Balancing in US-East-1" {
		t.Errorf("title %q", got)
	}
	timeOf := func(s *goquery.Selection) string {
		el := s.Find("time")
		return el.AttrOr("datetime", "") + " " + textOf(el)
	}
	if got := timeOf(doc.Find(testid("incident-started"))); got != "2012-12-24T20:24:00Z 24 Dec 2012, 20:24 UTC" {
		t.Errorf("started %q", got)
	}
	if got := timeOf(doc.Find(testid("incident-resolved"))); got != "2012-12-25T18:30:00Z 25 Dec 2012, 18:30 UTC" {
		t.Errorf("resolved %q", got)
	}
	if got := textOf(doc.Find(testid("incident-duration"))); got != "22 h 6 min" {
		t.Errorf("duration %q", got)
	}

	// Newest first, each update with its phase, instant and message.
	var got []string
	doc.Find(testid("incident-update")).Each(func(_ int, u *goquery.Selection) {
		got = append(got, textOf(u.Find(testid("update-phase")))+" | "+timeOf(u.Find(testid("update-time")))+" | "+textOf(u.Find(testid("update-message"))))
	})
	want := []string{
		"Resolved | 2012-12-25T18:30:00Z 25 Dec 2012, 18:30 UTC | All load balancers are recovered.",
		"Identified | 2012-12-24T23:00:00Z 24 Dec 2012, 23:00 UTC | Some load balancers lost their configuration.",
		"Investigating | 2012-12-24T20:24:00Z 24 Dec 2012, 20:24 UTC | We are investigating elevated error rates.",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("timeline:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	changes := textOf(doc.Find(testid("incident-update")).Eq(1).Find(testid("update-change")))
	if !strings.Contains(changes, "ELB us-east-1") || !strings.Contains(changes, "Partial outage") || !strings.Contains(changes, "6.8% affected") {
		t.Errorf("identified update's changes: %q", changes)
	}

	// Affected components: the worst status and the peak percentage.
	rows := doc.Find(testid("affected-component"))
	if rows.Length() != 1 {
		t.Fatalf("%d affected rows, want 1", rows.Length())
	}
	if row := textOf(rows); !strings.Contains(row, "ELB us-east-1") || !strings.Contains(row, "Partial outage") || !strings.Contains(row, "6.8%") {
		t.Errorf("affected row %q", row)
	}
	// Staff stay anonymous on the public page.
	if strings.Contains(body, "support@example.com") {
		t.Error("the public page names the staff member who posted")
	}
}

func TestIncidentPageNotFound(t *testing.T) {
	env := newTestEnv(t)
	env.declare("Real one")
	for _, path := range []string{"/incidents/999", "/incidents/0", "/incidents/-1", "/incidents/abc", "/incidents/1x"} {
		resp, body := env.publicGet(path)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, resp.StatusCode)
		}
		if !strings.Contains(body, "Page not found") {
			t.Errorf("%s: not the error page:\n%s", path, body)
		}
	}
	if resp, _ := env.publicGet("/no-such-page"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("/no-such-page: %d", resp.StatusCode)
	}
}

func TestHistoryByMonthWithPagination(t *testing.T) {
	env := newTestEnv(t)
	// 25 resolved incidents, one every 9 days back from 20 Dec 2012, and an
	// active one that stays off the history.
	first := time.Date(2012, 12, 20, 8, 0, 0, 0, time.UTC)
	var titles []string // newest first
	for i := 0; i < 25; i++ {
		title := fmt.Sprintf("Past incident %02d", i)
		env.backfill(title, first.AddDate(0, 0, -9*i), change("elb-eu-west-1", incidents.PartialOutage, "5"))
		titles = append(titles, title)
	}
	env.declare("Still going", change("elb-us-east-1", incidents.MajorOutage, ""))

	type month struct {
		label  string
		titles []string
	}
	page := func(n int) ([]month, *goquery.Document) {
		resp, body := env.publicGet(fmt.Sprintf("/history?page=%d", n))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("history page %d: %d", n, resp.StatusCode)
		}
		doc := parseHTML(t, body)
		var out []month
		doc.Find(testid("history-month")).Each(func(_ int, s *goquery.Selection) {
			m := month{label: textOf(s.Find("h2"))}
			s.Find(testid("history-incident")).Each(func(_ int, in *goquery.Selection) {
				m.titles = append(m.titles, textOf(in.Find("h3")))
			})
			out = append(out, m)
		})
		return out, doc
	}
	flat := func(ms []month) (labels, all []string) {
		for _, m := range ms {
			labels = append(labels, m.label)
			all = append(all, m.titles...)
		}
		return
	}

	p1, doc := page(1)
	labels, got := flat(p1)
	if strings.Join(got, ",") != strings.Join(titles[:20], ",") {
		t.Errorf("page 1 lists %v\nwant %v", got, titles[:20])
	}
	// 20 Dec back to 1 Jul 2012: December to July, each month once.
	if want := "December 2012,November 2012,October 2012,September 2012,August 2012,July 2012"; strings.Join(labels, ",") != want {
		t.Errorf("page 1 months %v", labels)
	}
	if n := len(p1[0].titles); n != 3 { // 20, 11 and 2 December
		t.Errorf("December has %d incidents, want 3", n)
	}
	if got := textOf(doc.Find(testid("pagination-status"))); got != "Page 1 of 2" {
		t.Errorf("pagination %q", got)
	}
	if href := doc.Find(testid("pagination-next")).AttrOr("href", ""); href != "/history?page=2" {
		t.Errorf("next link %q", href)
	}
	if doc.Find(testid("pagination-prev")).Length() != 0 {
		t.Error("page 1 links to a newer page")
	}
	if link := doc.Find(testid("history-incident")).First().Find("a").AttrOr("href", ""); !strings.HasPrefix(link, "/incidents/") {
		t.Errorf("history item links to %q", link)
	}
	if got := textOf(doc.Find(testid("history-duration")).First()); got != "1 h" {
		t.Errorf("duration %q", got)
	}
	if strings.Contains(textOf(doc.Selection), "Still going") {
		t.Error("an active incident is in the history")
	}

	// The default page is page 1.
	if resp, body := env.publicGet("/history"); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Past incident 00") {
		t.Errorf("/history: %d", resp.StatusCode)
	}

	p2, doc := page(2)
	_, got = flat(p2)
	if strings.Join(got, ",") != strings.Join(titles[20:], ",") {
		t.Errorf("page 2 lists %v, want %v", got, titles[20:])
	}
	if href := doc.Find(testid("pagination-prev")).AttrOr("href", ""); href != "/history?page=1" {
		t.Errorf("prev link %q", href)
	}
	if doc.Find(testid("pagination-next")).Length() != 0 {
		t.Error("the last page links to an older one")
	}

	for path, want := range map[string]int{
		"/history?page=3":      http.StatusNotFound,
		"/history?page=99":     http.StatusNotFound,
		"/history?page=abc":    http.StatusUnprocessableEntity,
		"/history?page=0":      http.StatusUnprocessableEntity,
		"/history?page=-2":     http.StatusUnprocessableEntity,
		"/history?page=1.5":    http.StatusUnprocessableEntity,
		"/history?page=999999": http.StatusUnprocessableEntity,
	} {
		resp, body := env.publicGet(path)
		if resp.StatusCode != want {
			t.Errorf("%s: %d, want %d", path, resp.StatusCode, want)
		}
		if want == http.StatusUnprocessableEntity && !strings.Contains(body, "page") {
			t.Errorf("%s: the message does not name the page parameter", path)
		}
	}
}

func TestHistoryEmpty(t *testing.T) {
	env := newTestEnv(t)
	resp, body := env.publicGet("/history")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	doc := parseHTML(t, body)
	if doc.Find(testid("history-empty")).Length() != 1 || doc.Find(testid("pagination")).Length() != 0 {
		t.Errorf("empty history:\n%s", body)
	}
}
