package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/auth"
	"github.com/amends/amends/incidents"
)

// hostileMarkdown is an explanation body with everything that must never
// reach a page, among what must.
const hostileMarkdown = "## What happened\n\n" +
	"Load balancers failed.<script>alert('x')</script>\n\n" +
	"[details](javascript:alert(1)) and <img src=x onerror=alert(1)> and <iframe src=\"https://evil.example\"></iframe>\n\n" +
	"| Component | Peak |\n|---|---:|\n| ELB us-east-1 | 6.8% |\n\n" +
	"## Our apology\n\n- We are sorry.\n- [Our SLA](https://example.com/sla)\n"

// explanationFixture is a server with a resolved December 2012 incident
// (6.8% of ELB us-east-1 in partial outage for 22 h 6 min) and the clock
// two days later.
func explanationFixture(t *testing.T) (*testEnv, incidents.Incident) {
	t.Helper()
	env := newTestEnv(t)
	env.clock.Advance(48 * time.Hour)
	ctx := context.Background()
	start := time.Date(2012, 12, 24, 20, 24, 0, 0, time.UTC)
	inc, err := env.incidents.CreateIncident(ctx, audit.Person("ops@example.com"), incidents.IncidentInput{
		Title: "Degraded load balancers in us-east-1", Message: "Investigating API errors.", StartedAt: &start,
		Components: []incidents.ComponentChange{change("elb-us-east-1", incidents.PartialOutage, "6.8")},
	}, env.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	end := start.Add(22*time.Hour + 6*time.Minute)
	if inc, err = env.incidents.AddUpdate(ctx, audit.Person("ops@example.com"), inc.ID, incidents.UpdateInput{
		Phase: incidents.Resolved, Message: "Operating normally.", At: &end,
	}, env.clock.Now()); err != nil {
		t.Fatal(err)
	}
	return env, inc
}

// secondManager signs in a manager other than manager@example.com.
func secondManager(env *testEnv) *browser {
	env.t.Helper()
	env.user(auth.Manager) // the first admin exists from here on
	if _, err := env.accounts.CreateUser(context.Background(), audit.Person("test"), auth.NewUser{
		Email: "reviewer@example.com", Name: "Reviewer", Role: auth.Manager, Password: "correct horse battery staple",
	}, env.clock.Now()); err != nil {
		env.t.Fatal(err)
	}
	b := env.browser()
	resp := b.postForm("/login", url.Values{"email": {"reviewer@example.com"}, "password": {"correct horse battery staple"}})
	if resp.StatusCode != http.StatusOK {
		env.t.Fatalf("reviewer login: %d", resp.StatusCode)
	}
	return b
}

func (e *testEnv) explanation(id int64) incidents.Explanation {
	e.t.Helper()
	x, err := e.incidents.Explanation(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return x
}

func TestExplanationWriteReviewPublish(t *testing.T) {
	env, inc := explanationFixture(t)
	support, manager, reviewer := env.user(auth.Support), env.user(auth.Manager), secondManager(env)
	admin := "/admin/incidents/1/explanation"

	// The incident links to the editor, which starts from a prefilled draft.
	_, body := support.get("/admin/incidents/1")
	if link := parseHTML(t, body).Find(testid("explanation-editor-link")); !strings.HasPrefix(textOf(link), "Write the explanation") {
		t.Fatalf("editor link %q", textOf(link))
	}
	resp, body := support.get(admin)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("editor: %d", resp.StatusCode)
	}
	doc := parseHTML(t, body)
	draft := doc.Find(`textarea[name="body"]`).Text()
	for _, want := range []string{
		"## What happened", "- **24 Dec 2012, 20:24 UTC** · Investigating: Investigating API errors.",
		"| ELB us-east-1 | Partial outage | 6.8% | 22 h 6 min |",
		"Uptime in December 2012 (UTC)", "| ELB us-east-1 | 99.7980% | 5410.08 s (1 h 30 min) |",
		"## Why it happened", "## What we are changing", "## Our apology",
	} {
		if !strings.Contains(draft, want) {
			t.Errorf("prefilled draft lacks %q:\n%s", want, draft)
		}
	}
	if v, _ := doc.Find(`input[name="title"]`).Attr("value"); v != inc.Title {
		t.Errorf("prefilled title %q", v)
	}

	// Preview renders without saving, and never lets script through.
	resp = support.postForm(admin, url.Values{"action": {"preview"}, "title": {"Summary"}, "body": {hostileMarkdown}})
	body = readBody(t, resp)
	preview := parseHTML(t, body).Find(testid("explanation-preview"))
	if resp.StatusCode != http.StatusOK || preview.Find("table").Length() != 1 {
		t.Fatalf("preview: %d, %q", resp.StatusCode, textOf(preview))
	}
	if env.count("explanation_revisions") != 0 {
		t.Fatal("preview saved a revision")
	}

	// Submitting without a title is refused, naming the field, and saves nothing.
	resp = support.postForm(admin, url.Values{"action": {"submit"}, "title": {" "}, "body": {hostileMarkdown}})
	body = readBody(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || fieldError(parseHTML(t, body), "title") != "Error: must not be empty before it goes to review" {
		t.Fatalf("empty title: %d %q", resp.StatusCode, fieldError(parseHTML(t, body), "title"))
	}
	if env.count("explanation_revisions") != 0 {
		t.Fatal("a refused submission saved a revision")
	}

	// Support writes; a manager edits and submits.
	if resp := support.postForm(admin, url.Values{"action": {"save"}, "title": {"Summary of the ELB event"}, "body": {"First words."}}); resp.StatusCode != http.StatusOK || resp.Request.URL.Path != admin {
		t.Fatalf("save: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	_, body = support.get("/admin/incidents/1")
	if link := parseHTML(t, body).Find(testid("explanation-editor-link")); !strings.HasPrefix(textOf(link), "Edit the explanation") {
		t.Errorf("editor link after saving %q", textOf(link))
	}
	manager.get(admin)
	if resp := manager.postForm(admin, url.Values{"action": {"submit"}, "title": {"Summary of the ELB event"}, "body": {hostileMarkdown}}); resp.StatusCode != http.StatusOK {
		t.Fatalf("submit: %d", resp.StatusCode)
	}
	x := env.explanation(inc.ID)
	if r, _ := x.Pending(); r.State != incidents.RevisionInReview || r.Author != "support@example.com" || strings.Join(r.Editors, ",") != "manager@example.com" {
		t.Fatalf("pending revision: %+v", r)
	}

	// Unpublished text is not public.
	if resp, _ := env.publicGet("/incidents/1/explanation"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("public page before publishing: %d", resp.StatusCode)
	}

	// The manager who edited it cannot publish it; a viewer cannot either.
	_, body = manager.get(admin)
	if parseHTML(t, body).Find(testid("publish")).Length() != 0 {
		t.Error("the editor is offered the publish button")
	}
	resp = manager.postForm(admin+"/publish", url.Values{})
	if body := readBody(t, resp); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "nothing is published on one person") {
		t.Fatalf("self-publish: %d", resp.StatusCode)
	}
	viewer := env.user(auth.Viewer)
	viewer.get(admin)
	for _, path := range []string{admin, admin + "/publish", admin + "/return"} {
		if resp := viewer.postForm(path, url.Values{"action": {"save"}, "title": {"x"}, "body": {"y"}, "note": {"n"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("viewer posts %s: %d", path, resp.StatusCode)
		}
	}
	if support.postForm(admin+"/publish", url.Values{}).StatusCode != http.StatusForbidden {
		t.Error("support may publish")
	}
	if x := env.explanation(inc.ID); len(x.Published()) != 0 {
		t.Fatal("a refused publication published")
	}

	// Another manager publishes.
	_, body = reviewer.get(admin)
	if parseHTML(t, body).Find(testid("publish")).Length() != 1 {
		t.Fatal("the reviewer has no publish button")
	}
	if resp := reviewer.postForm(admin+"/publish", url.Values{}); resp.StatusCode != http.StatusOK {
		t.Fatalf("publish: %d", resp.StatusCode)
	}

	// The public page: sanitized Markdown, OpenGraph, no "Updated" yet.
	resp, body = env.publicGet("/incidents/1/explanation")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") == "" {
		t.Fatalf("public page: %d", resp.StatusCode)
	}
	doc = parseHTML(t, body)
	for prop, want := range map[string]string{
		"og:title": "Summary of the ELB event · Test Cloud", "og:type": "article", "og:url": "/incidents/1/explanation",
	} {
		if got, _ := doc.Find(`meta[property="` + prop + `"]`).Attr("content"); got != want {
			t.Errorf("%s = %q, want %q", prop, got, want)
		}
	}
	if d, _ := doc.Find(`meta[property="og:description"]`).Attr("content"); !strings.Contains(d, inc.Title) {
		t.Errorf("og:description %q", d)
	}
	prose := doc.Find(testid("explanation-body"))
	html, _ := prose.Html()
	for _, banned := range []string{"<script", "javascript:", "onerror", "<iframe", "evil.example"} {
		if strings.Contains(html, banned) {
			t.Errorf("public page holds %q:\n%s", banned, html)
		}
	}
	if prose.Find("h2").Length() != 2 || prose.Find("table td").Length() != 2 || prose.Find("ul li").Length() != 2 {
		t.Errorf("structure lost:\n%s", html)
	}
	if rel, _ := prose.Find(`a[href="https://example.com/sla"]`).Attr("rel"); rel != "nofollow noopener" {
		t.Errorf("link rel %q", rel)
	}
	if textOf(doc.Find(testid("explanation-published"))) != "26 Dec 2012, 20:00 UTC" || doc.Find(testid("explanation-updated")).Length() != 0 {
		t.Errorf("published %q, updated %d", textOf(doc.Find(testid("explanation-published"))), doc.Find(testid("explanation-updated")).Length())
	}

	// Linked from the incident and from the history.
	for _, path := range []string{"/incidents/1", "/history"} {
		_, body := env.publicGet(path)
		doc := parseHTML(t, body)
		if doc.Find(`a[href="/incidents/1/explanation"]`).Length() != 1 {
			t.Errorf("%s does not link the explanation", path)
		}
	}

	// A change is a new revision, prefilled from the published one.
	env.clock.Advance(6 * time.Hour) // within the sessions' idle time
	_, body = support.get(admin)
	doc = parseHTML(t, body)
	if v, _ := doc.Find(`input[name="title"]`).Attr("value"); v != "Summary of the ELB event" || !strings.Contains(doc.Find(`textarea[name="body"]`).Text(), "Load balancers failed.") {
		t.Fatalf("second revision not prefilled from the published one: %q", v)
	}
	if resp := support.postForm(admin, url.Values{"action": {"submit"}, "title": {"Summary of the ELB event"}, "body": {"## What happened\n\nCorrected account."}}); resp.StatusCode != http.StatusOK {
		t.Fatalf("second submit: %d", resp.StatusCode)
	}
	// manager edited revision 1, not revision 2: now they may publish.
	manager.get(admin)
	if resp := manager.postForm(admin+"/publish", url.Values{}); resp.StatusCode != http.StatusOK {
		t.Fatalf("second publish: %d", resp.StatusCode)
	}
	_, body = env.publicGet("/incidents/1/explanation")
	doc = parseHTML(t, body)
	if !strings.Contains(textOf(doc.Find(testid("explanation-body"))), "Corrected account.") {
		t.Error("public page does not show the newest revision")
	}
	if textOf(doc.Find(testid("explanation-updated"))) != "27 Dec 2012, 02:00 UTC" || textOf(doc.Find(testid("explanation-published"))) != "26 Dec 2012, 20:00 UTC" {
		t.Errorf("updated %q", textOf(doc.Find(testid("explanation-updated"))))
	}
	links := doc.Find(testid("revision-history")).Find("a")
	if links.Length() != 2 || links.First().AttrOr("href", "") != "/incidents/1/explanation/revisions/2" {
		t.Fatalf("revision history: %d links", links.Length())
	}
	resp, body = env.publicGet("/incidents/1/explanation/revisions/1")
	doc = parseHTML(t, body)
	if resp.StatusCode != http.StatusOK || doc.Find(testid("explanation-superseded")).Length() != 1 || !strings.Contains(textOf(doc.Find(testid("explanation-body"))), "Load balancers failed.") {
		t.Fatalf("revision 1: %d", resp.StatusCode)
	}
	for _, path := range []string{"/incidents/1/explanation/revisions/3", "/incidents/1/explanation/revisions/x", "/incidents/99/explanation"} {
		if resp, _ := env.publicGet(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
	}
}

func TestExplanationReturnAndCSRF(t *testing.T) {
	env, inc := explanationFixture(t)
	support, manager := env.user(auth.Support), env.user(auth.Manager)
	admin := "/admin/incidents/1/explanation"
	support.get(admin)

	// Without the form's token, nothing is written.
	resp, _ := support.post(admin, url.Values{"action": {"save"}, "title": {"T"}, "body": {"B"}}, nil)
	if resp.StatusCode != http.StatusForbidden || env.count("explanation_revisions") != 0 {
		t.Fatalf("no token: %d", resp.StatusCode)
	}
	resp, _ = support.post(admin, url.Values{"_csrf": {"wrong-token-wrong-token-wrong-token-wrong-t"}, "action": {"save"}, "title": {"T"}, "body": {"B"}}, nil)
	if resp.StatusCode != http.StatusForbidden || env.count("explanation_revisions") != 0 {
		t.Fatalf("wrong token: %d", resp.StatusCode)
	}

	// A body over the limit is refused by field.
	resp = support.postForm(admin, url.Values{"action": {"save"}, "title": {"T"}, "body": {strings.Repeat("x", incidents.MaxExplanationBodyLen+1)}})
	if body := readBody(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || fieldError(parseHTML(t, body), "body") != "Error: is longer than 100000 characters" {
		t.Fatalf("long body: %d %q", resp.StatusCode, fieldError(parseHTML(t, body), "body"))
	}

	if resp := support.postForm(admin, url.Values{"action": {"submit"}, "title": {"T"}, "body": {"B"}}); resp.StatusCode != http.StatusOK {
		t.Fatalf("submit: %d", resp.StatusCode)
	}
	// In review the text is fixed.
	if resp := support.postForm(admin, url.Values{"action": {"save"}, "title": {"T"}, "body": {"changed"}}); resp.StatusCode != http.StatusConflict {
		t.Fatalf("save in review: %d", resp.StatusCode)
	}

	// A return needs a note; with one, the draft goes back to its author.
	manager.get(admin)
	before := env.lastAuditID()
	resp = manager.postForm(admin+"/return", url.Values{"note": {" "}})
	if body := readBody(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || fieldError(parseHTML(t, body), "note") != "Error: must not be empty" {
		t.Fatalf("empty note: %d", resp.StatusCode)
	}
	if env.lastAuditID() != before {
		t.Fatal("a refused return was audited")
	}
	if resp := manager.postForm(admin+"/return", url.Values{"note": {"Say what changes."}}); resp.StatusCode != http.StatusOK {
		t.Fatalf("return: %d", resp.StatusCode)
	}
	_, body := support.get(admin)
	doc := parseHTML(t, body)
	if !strings.Contains(textOf(doc.Find(testid("return-note"))), "Say what changes.") || doc.Find(`textarea[name="body"]`).Length() != 1 {
		t.Fatalf("author does not see the note and the editor")
	}
	rows, _ := env.auditsAfter(before)
	if len(rows) != 1 || rows[0].Action != "explanation.return" || rows[0].Actor != "manager@example.com" || rows[0].EntityID != "1/1" {
		t.Fatalf("audit: %+v", rows)
	}
	if x := env.explanation(inc.ID); x.Revisions[0].State != incidents.RevisionDraft {
		t.Fatalf("state %s", x.Revisions[0].State)
	}
	// Unknown incidents are 404 for the editor too.
	if resp, _ := support.get("/admin/incidents/9/explanation"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown incident: %d", resp.StatusCode)
	}
}

// Once the month is over, the draft counts the customers affected and the
// credits the month's run would pay them, from the credit desk's data.
func TestExplanationDraftCountsCreditsOffered(t *testing.T) {
	env := newTestEnv(t)
	env.seedDesk(env.personToken("support@example.com", auth.Support), env.personToken("manager@example.com", auth.Manager))
	support := env.user(auth.Support)
	_, body := support.get("/admin/incidents/1/explanation")
	draft := parseHTML(t, body).Find(`textarea[name="body"]`).Text()
	// A one-hour full outage of acme's 4 load balancers: 99.8655% in
	// December, below 99.95%, so 10% of its 2,500.00 USD.
	want := "Customers: 1 of the 1 customers with resources in the affected services lost uptime under their SLA that month. The service credits this comes to: 250.00 USD"
	if !strings.Contains(draft, want) {
		t.Fatalf("draft lacks %q:\n%s", want, draft)
	}
}
