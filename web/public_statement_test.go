package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/web/api"
)

// demoNow is the instant the statement tests look from: the demo's two
// outages are over, the December one within the last 90 days.
var demoNow = time.Date(2013, 1, 5, 0, 0, 0, 0, time.UTC)

// newDemoEnv is a server over the demo data loaded as of demoNow.
func newDemoEnv(t *testing.T) *testEnv {
	return newTestEnvWith(t, envOptions{demo: true, start: demoNow})
}

// demoIncident returns the demo incident whose title starts with prefix.
func (e *testEnv) demoIncident(prefix string) incidents.Incident {
	e.t.Helper()
	incs, err := e.incidents.IncidentsBetween(context.Background(), time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC), e.clock.Now().AddDate(1, 0, 0))
	if err != nil {
		e.t.Fatal(err)
	}
	for _, inc := range incs {
		if strings.HasPrefix(inc.Title, prefix) {
			return inc
		}
	}
	e.t.Fatalf("no demo incident %q", prefix)
	return incidents.Incident{}
}

// statementLink makes customer's statement link through the API and
// returns its path.
func (e *testEnv) statementLink(token, customer string) string {
	e.t.Helper()
	var got api.StatementLink
	e.api("POST", "/customers/"+customer+"/statement-link", token, nil).expect(e.t, http.StatusCreated).decode(e.t, &got)
	i := strings.Index(got.URL, "/statement/")
	if i < 0 || got.Customer != customer {
		e.t.Fatalf("link %+v", got)
	}
	return got.URL[i:]
}

// The statement link is the customer's own status page: only its
// components, with names and status; the incidents that hit it with its
// own resources and downtime as the engine counts it; its month so far;
// nothing of another customer hit by the same incident; never cached.
func TestStatementIsTheCustomersStatusPage(t *testing.T) {
	env := newDemoEnv(t)
	support := env.token(auth.Support)
	elb := env.demoIncident("Degraded load balancers")
	stream := env.statementLink(support, "streamflix")
	snow := env.statementLink(support, "snowcap-retail")

	resp, page := env.publicGet(stream)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("statement: %d", resp.StatusCode)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "private, no-store" || resp.Header.Get("ETag") != "" {
		t.Errorf("Cache-Control %q, ETag %q", cc, resp.Header.Get("ETag"))
	}
	doc := parseHTML(t, page)
	comps := doc.Find(testid("statement-components")).Find("tbody tr")
	if comps.Length() != 7 {
		t.Errorf("%d components, want Streamflix's 7", comps.Length())
	}
	if got := textOf(doc.Find(testid("statement-component-elb-us-east-1"))); !strings.Contains(got, "ELB us-east-1") || !strings.Contains(got, "40") || !strings.Contains(got, "Operational") {
		t.Errorf("ELB row %q", got)
	}
	if doc.Find(testid("statement-component-elb-eu-west-1")).Length() != 0 {
		t.Error("a component the customer has no resources in is listed")
	}
	if strings.Contains(textOf(doc.Find(testid("resources-table"))), "ebs-us-east-1a") {
		t.Error("resources are named by raw id")
	}
	var row string
	doc.Find(testid("statement-recent-row")).Each(func(_ int, s *goquery.Selection) {
		if strings.Contains(s.Text(), elb.Title) {
			row = textOf(s)
		}
	})
	if !strings.Contains(row, "30 of 40 in ELB us-east-1") {
		t.Errorf("ELB incident row %q", row)
	}
	// The downtime is the engine's, as the customer's SLA report counts it.
	rep, err := env.server.reports.CustomerReport(context.Background(), "streamflix", "2012-12", demoNow)
	if err != nil {
		t.Fatal(err)
	}
	var want string
	for _, sm := range rep.Figures.Services {
		for _, d := range sm.Incidents {
			if d.Incident == strconv.FormatInt(elb.ID, 10) {
				want = d.Downtime.String() + " s"
			}
		}
	}
	if want == "" || want == "0 s" {
		t.Fatalf("the engine gives Streamflix no ELB downtime")
	}
	var title string
	doc.Find(testid("statement-recent-row")).Each(func(_ int, s *goquery.Selection) {
		if strings.Contains(s.Text(), elb.Title) {
			title = s.Find(testid("statement-downtime")).AttrOr("title", "")
		}
	})
	if title != want {
		t.Errorf("downtime %q, the engine says %q", title, want)
	}
	if mtd := textOf(doc.Find(testid("statement-month-to-date"))); !strings.Contains(page, "January 2013 so far") || !strings.Contains(mtd, "Elastic Load Balancing") {
		t.Errorf("month so far %q", mtd)
	}
	if got := textOf(doc.Find(testid("statement-month")).First().Find("caption")); got != "December 2012" {
		t.Errorf("month caption %q", got)
	}

	// Two customers in one incident: neither sees the other.
	_, other := env.publicGet(snow)
	if strings.Contains(other, "Streamflix") || strings.Contains(other, "30 of 40") {
		t.Error("Snowcap's statement shows Streamflix")
	}
	if !strings.Contains(textOf(parseHTML(t, other).Find(testid("statement-recent"))), "2 of 3 in ELB us-east-1") {
		t.Error("Snowcap's own hit is missing")
	}
	if strings.Contains(page, "Snowcap") {
		t.Error("Streamflix's statement shows Snowcap")
	}
}

// Support revokes a statement link through the API or admin, audited;
// the address is then the same 404 as a guessed one; viewers cannot.
func TestStatementLinkRevoke(t *testing.T) {
	env := newDemoEnv(t)
	support := env.token(auth.Support)
	viewer := env.token(auth.Viewer)
	link := env.statementLink(support, "streamflix")
	env.api("DELETE", "/customers/streamflix/statement-link", viewer, nil).expect(t, http.StatusForbidden)
	if resp, _ := env.publicGet(link); resp.StatusCode != http.StatusOK {
		t.Fatalf("before revoking: %d", resp.StatusCode)
	}
	from := env.lastAuditID()
	env.api("DELETE", "/customers/streamflix/statement-link", support, nil).expect(t, http.StatusNoContent)
	guessed, guessBody := env.publicGet("/statement/" + strings.Repeat("A", 43))
	resp, body := env.publicGet(link)
	if resp.StatusCode != http.StatusNotFound || guessed.StatusCode != http.StatusNotFound {
		t.Errorf("revoked %d, guessed %d", resp.StatusCode, guessed.StatusCode)
	}
	if textOf(parseHTML(t, body).Find("main")) != textOf(parseHTML(t, guessBody).Find("main")) {
		t.Error("a revoked link answers differently from a guessed one")
	}
	rows, _ := env.auditsAfter(from)
	if len(rows) != 1 || rows[0].Action != "statement_link.revoke" || rows[0].EntityID != "streamflix" {
		t.Errorf("audit %+v", rows)
	}
	env.api("DELETE", "/customers/streamflix/statement-link", support, nil).expect(t, http.StatusNotFound)
	env.api("POST", "/customers/nobody/statement-link", support, nil).expect(t, http.StatusNotFound)

	// The admin page's buttons.
	sup := env.user(auth.Support)
	sup.get("/admin/customers/streamflix")
	_, page := sup.send("/admin/customers/streamflix/statement", nil)
	link = statementURL.FindString(page)
	if link == "" || parseHTML(t, page).Find(testid("revoke-form")).Length() != 1 {
		t.Fatal("no link or no revoke button")
	}
	if st, _ := sup.send("/admin/customers/streamflix/statement/revoke", nil); st != http.StatusSeeOther {
		t.Errorf("revoke: %d", st)
	}
	if resp, _ := env.publicGet(link); resp.StatusCode != http.StatusNotFound {
		t.Errorf("after the admin revoked it: %d", resp.StatusCode)
	}
	if st, _ := env.user(auth.Viewer).send("/admin/customers/streamflix/statement/revoke", nil); st != http.StatusForbidden {
		t.Errorf("viewer: %d", st)
	}
}
