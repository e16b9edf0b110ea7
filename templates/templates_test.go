package templates

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"
)

// render renders c and parses the result.
func render(t *testing.T, c templ.Component) (*goquery.Document, string) {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Render(context.Background(), &buf); err != nil {
		t.Fatalf("render: %v", err)
	}
	html := buf.String()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(html))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return doc, html
}

// byTestID finds elements by data-testid.
func byTestID(doc *goquery.Document, id string) *goquery.Selection {
	return doc.Find(`[data-testid="` + id + `"]`)
}

// mustOne asserts exactly one element has the data-testid and returns it.
func mustOne(t *testing.T, doc *goquery.Document, id string) *goquery.Selection {
	t.Helper()
	s := byTestID(doc, id)
	if s.Length() != 1 {
		t.Fatalf("data-testid=%q: found %d elements, want 1", id, s.Length())
	}
	return s
}

func text(s *goquery.Selection) string {
	return strings.Join(strings.Fields(s.Text()), " ")
}

func mustContain(t *testing.T, s *goquery.Selection, what, want string) {
	t.Helper()
	if got := text(s); !strings.Contains(got, want) {
		t.Errorf("%s: %q does not contain %q", what, got, want)
	}
}

// checkPage runs the checks every page must pass.
func checkPage(t *testing.T, doc *goquery.Document) {
	t.Helper()
	if lang, _ := doc.Find("html").Attr("lang"); lang != "en" {
		t.Errorf(`html lang = %q, want "en"`, lang)
	}
	if n := doc.Find("h1").Length(); n != 1 {
		t.Errorf("found %d h1 elements, want exactly 1", n)
	}
	if doc.Find("title").Text() == "" {
		t.Error("empty <title>")
	}
	for _, sel := range []string{`meta[name="viewport"]`, `meta[name="description"]`} {
		if v, _ := doc.Find(sel).Attr("content"); v == "" {
			t.Errorf("%s: missing or empty", sel)
		}
	}
	assets := map[string]string{
		`link[rel="icon"]`:       "href",
		`link[rel="stylesheet"]`: "href",
		`script[defer]`:          "src",
	}
	for sel, attr := range assets {
		v, _ := doc.Find(sel).Attr(attr)
		if !strings.HasPrefix(v, "/static/") || !strings.Contains(v, "?v=") {
			t.Errorf("%s %s = %q, want a versioned /static/ URL", sel, attr, v)
		}
	}
	if doc.Find("main#main").Length() != 1 {
		t.Error("no <main id=main>")
	}
	if href, _ := byTestID(doc, "skip-link").Attr("href"); href != "#main" {
		t.Errorf("skip link href = %q, want #main", href)
	}
	// A strict CSP: no inline scripts or styles.
	doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		if _, ok := s.Attr("src"); !ok {
			t.Error("inline <script> found")
		}
	})
	if doc.Find("style, [style]").Length() > 0 {
		t.Error("inline style found")
	}
	doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		for _, a := range s.Nodes[0].Attr {
			if strings.HasPrefix(a.Key, "on") {
				t.Errorf("inline event handler %s found", a.Key)
			}
		}
	})
	checkHeadingOrder(t, doc)
	checkCSRF(t, doc)
	checkLabels(t, doc)
	checkTimes(t, doc)
	checkUniqueIDs(t, doc)
	checkDescribedBy(t, doc)
}

// checkHeadingOrder asserts no heading skips a level going down.
func checkHeadingOrder(t *testing.T, doc *goquery.Document) {
	t.Helper()
	prev := 0
	doc.Find("h1, h2, h3, h4, h5, h6").Each(func(_ int, s *goquery.Selection) {
		level, _ := strconv.Atoi(goquery.NodeName(s)[1:])
		if prev == 0 && level != 1 {
			t.Errorf("first heading is h%d (%q), want h1", level, text(s))
		}
		if prev != 0 && level > prev+1 {
			t.Errorf("heading h%d %q follows h%d: a level is skipped", level, text(s), prev)
		}
		prev = level
	})
}

// checkCSRF asserts every POST form carries a non-empty _csrf field.
func checkCSRF(t *testing.T, doc *goquery.Document) {
	t.Helper()
	doc.Find("form").Each(func(_ int, f *goquery.Selection) {
		method, _ := f.Attr("method")
		action, _ := f.Attr("action")
		if !strings.EqualFold(method, "post") {
			t.Errorf("form %s has method %q, want post", action, method)
			return
		}
		in := f.Find(`input[type="hidden"][name="_csrf"]`)
		if in.Length() != 1 {
			t.Errorf("form %s: %d _csrf fields, want 1", action, in.Length())
			return
		}
		if v, _ := in.Attr("value"); v == "" {
			t.Errorf("form %s: empty _csrf", action)
		}
	})
}

// checkLabels asserts every visible form control has a label.
func checkLabels(t *testing.T, doc *goquery.Document) {
	t.Helper()
	doc.Find("input, select, textarea").Each(func(_ int, s *goquery.Selection) {
		typ, _ := s.Attr("type")
		if typ == "hidden" || typ == "submit" || typ == "button" {
			return
		}
		name, _ := s.Attr("name")
		if v, ok := s.Attr("aria-label"); ok && v != "" {
			return
		}
		if s.ParentsFiltered("label").Length() > 0 {
			return
		}
		id, ok := s.Attr("id")
		if !ok || id == "" {
			t.Errorf("control %q has no id and no label", name)
			return
		}
		label := doc.Find(`label[for="` + id + `"]`)
		if label.Length() != 1 || text(label) == "" {
			t.Errorf("control %q (id %q) has %d labels", name, id, label.Length())
		}
	})
}

// checkTimes asserts every <time> has a datetime and data-local.
func checkTimes(t *testing.T, doc *goquery.Document) {
	t.Helper()
	doc.Find("time").Each(func(_ int, s *goquery.Selection) {
		if v, _ := s.Attr("datetime"); v == "" {
			t.Errorf("time %q has no datetime", text(s))
		}
		if _, ok := s.Attr("data-local"); !ok {
			t.Errorf("time %q has no data-local", text(s))
		}
	})
}

func checkUniqueIDs(t *testing.T, doc *goquery.Document) {
	t.Helper()
	seen := map[string]bool{}
	doc.Find("[id]").Each(func(_ int, s *goquery.Selection) {
		id, _ := s.Attr("id")
		if seen[id] {
			t.Errorf("duplicate id %q", id)
		}
		seen[id] = true
	})
}

// checkDescribedBy asserts aria-describedby and aria-labelledby point at
// elements that exist.
func checkDescribedBy(t *testing.T, doc *goquery.Document) {
	t.Helper()
	for _, attr := range []string{"aria-describedby", "aria-labelledby"} {
		doc.Find("[" + attr + "]").Each(func(_ int, s *goquery.Selection) {
			v, _ := s.Attr(attr)
			for _, id := range strings.Fields(v) {
				if doc.Find("#"+id).Length() == 0 {
					t.Errorf("%s=%q: no element with id %q", attr, v, id)
				}
			}
		})
	}
}

func TestStatus(t *testing.T) {
	doc, _ := render(t, Status(sampleStatus()))
	checkPage(t, doc)

	overall := mustOne(t, doc, "overall")
	if !overall.HasClass("overall--partial_outage") {
		t.Errorf("overall classes = %q", overall.AttrOr("class", ""))
	}
	mustContain(t, overall.Find("h1"), "overall h1", "Partial outage")
	if overall.Find("svg").Length() != 1 {
		t.Error("overall banner has no icon: colour would be the only cue")
	}
	mustContain(t, mustOne(t, doc, "generated-at"), "generated at", "25 Dec 2012, 01:02 UTC")

	elb := mustOne(t, doc, "component-elb-us-east-1")
	mustContain(t, elb, "ELB row", "ELB us-east-1")
	mustContain(t, elb.Find(`[data-testid="component-status"]`), "ELB status", "Partial outage")
	mustContain(t, elb.Find(`[data-testid="component-percent"]`), "ELB percent", "6.8% affected")
	if elb.Find(".dot--partial_outage").Length() != 1 {
		t.Error("ELB row has no partial-outage dot")
	}
	ec2 := mustOne(t, doc, "component-ec2-us-east-1")
	mustContain(t, ec2, "EC2 row", "Operational")
	if ec2.Find(`[data-testid="component-percent"]`).Length() != 0 {
		t.Error("an operational component shows a percentage")
	}
	if n := doc.Find(`[data-testid^="service-"]`).Length(); n != 4 {
		t.Errorf("%d service cards, want 4", n)
	}
	if n := mustOne(t, doc, "service-ebs").Find("h4.component-group").Length(); n != 2 {
		t.Errorf("EBS has %d component group headings, want 2", n)
	}

	card := mustOne(t, doc, "incident-card")
	if !card.HasClass("impact--major") {
		t.Errorf("incident card classes = %q", card.AttrOr("class", ""))
	}
	if href, _ := card.Find("h3 a").Attr("href"); href != "/incidents/2" {
		t.Errorf("incident link = %q", href)
	}
	mustContain(t, card, "incident card", elbTitle)
	mustContain(t, card.Find(`[data-testid="incident-latest"]`), "latest", "6.8% of running load balancers")
	mustContain(t, card.Find(`[data-testid="phase"]`), "phase", "Identified")
	mustContain(t, card.Find("time"), "latest at", "25 Dec 2012, 01:00 UTC")

	m := mustOne(t, doc, "maintenance-card")
	mustContain(t, m, "maintenance", "EBS storage fleet upgrade in eu-west-1")
	if m.Find("time").Length() != 2 {
		t.Error("maintenance window does not show start and end")
	}
	if href, _ := mustOne(t, doc, "history-link").Attr("href"); href != "/history" {
		t.Errorf("history link = %q", href)
	}
	// Visitors get no admin navigation and no sign-out form.
	if byTestID(doc, "admin-nav").Length() != 0 || byTestID(doc, "signout").Length() != 0 {
		t.Error("admin navigation shown to a visitor")
	}
	if cur, _ := doc.Find(`[data-testid="nav"] a[aria-current="page"]`).Attr("href"); cur != "/" {
		t.Errorf("current nav link = %q, want /", cur)
	}
}

func TestStatusAllOperationalAndEmpty(t *testing.T) {
	v := sampleStatus()
	v.Overall = StatusBadge{Class: "operational", Label: "All systems operational"}
	v.Active, v.Maintenance = nil, nil
	doc, _ := render(t, Status(v))
	checkPage(t, doc)
	mustContain(t, mustOne(t, doc, "overall"), "overall", "All systems operational")
	if byTestID(doc, "active-incidents").Length() != 0 || byTestID(doc, "maintenance").Length() != 0 {
		t.Error("empty sections shown")
	}
}

func TestIncident(t *testing.T) {
	doc, _ := render(t, Incident(sampleIncident()))
	checkPage(t, doc)
	mustContain(t, mustOne(t, doc, "incident-title"), "title", elbTitle)
	if goquery.NodeName(mustOne(t, doc, "incident-title")) != "h1" {
		t.Error("incident title is not the h1")
	}
	mustContain(t, mustOne(t, doc, "incident-started"), "started", "24 Dec 2012, 20:24 UTC")
	mustContain(t, mustOne(t, doc, "incident-resolved"), "resolved", "25 Dec 2012, 20:05 UTC")
	mustContain(t, mustOne(t, doc, "incident-duration"), "duration", "23 h 41 min")

	aff := byTestID(doc, "affected-component")
	if aff.Length() != 2 {
		t.Fatalf("%d affected components, want 2", aff.Length())
	}
	cells := aff.First().Children()
	for i, want := range []string{"ELB us-east-1", "Partial outage", "6.8%"} {
		mustContain(t, cells.Eq(i), "affected cell", want)
	}

	ups := byTestID(doc, "incident-update")
	if ups.Length() != 4 {
		t.Fatalf("%d updates, want 4", ups.Length())
	}
	first := ups.First()
	mustContain(t, first.Find(`[data-testid="update-phase"]`), "first phase", "Resolved")
	if n := first.Find(`[data-testid="update-message"] p`).Length(); n != 2 {
		t.Errorf("first update has %d paragraphs, want 2", n)
	}
	identified := ups.Eq(2)
	mustContain(t, identified.Find(`[data-testid="update-time"] time`), "identified time", "25 Dec 2012, 01:00 UTC")
	if iso, _ := identified.Find("time").Attr("datetime"); iso != "2012-12-25T01:00:00Z" {
		t.Errorf("datetime = %q", iso)
	}
	mustContain(t, identified.Find(`[data-testid="update-change"]`).First(), "change", "ELB us-east-1 Partial outage 6.8% affected")
	// Authors are for admin pages only.
	if byTestID(doc, "update-author").Length() != 0 {
		t.Error("public page shows update authors")
	}
}

func TestHistory(t *testing.T) {
	doc, _ := render(t, History(sampleHistory()))
	checkPage(t, doc)
	months := byTestID(doc, "history-month")
	if months.Length() != 2 {
		t.Fatalf("%d months, want 2", months.Length())
	}
	mustContain(t, months.First().Find("h2"), "month", "December 2012")
	if n := months.First().Find(`[data-testid="history-incident"]`).Length(); n != 2 {
		t.Errorf("December has %d incidents, want 2", n)
	}
	inc := months.First().Find(`[data-testid="history-incident"]`).First()
	if href, _ := inc.Find("a").Attr("href"); href != "/incidents/2" {
		t.Errorf("link = %q", href)
	}
	mustContain(t, inc, "history incident", "23 h 41 min")
	if href, _ := mustOne(t, doc, "pagination-next").Attr("href"); href != "/history?page=3" {
		t.Errorf("next = %q", href)
	}
	if href, _ := mustOne(t, doc, "pagination-prev").Attr("href"); href != "/history?page=1" {
		t.Errorf("prev = %q", href)
	}
	mustContain(t, mustOne(t, doc, "pagination-status"), "pagination", "Page 2 of 3")
}

func TestHistoryEmptyFirstPage(t *testing.T) {
	doc, _ := render(t, History(HistoryPage{Page: Page{Title: "History", Nav: publicNav("/history")}, Pagination: Pagination{Page: 1, Pages: 1}}))
	checkPage(t, doc)
	mustOne(t, doc, "history-empty")
	if byTestID(doc, "pagination").Length() != 0 {
		t.Error("pagination shown for a single page")
	}
}

func TestError(t *testing.T) {
	doc, _ := render(t, Error(ErrorPage{
		Page:    Page{Title: "Page not found", Nav: publicNav("/nope")},
		Status:  404,
		Heading: "Page not found",
		Message: "There is no incident 99.",
	}))
	checkPage(t, doc)
	mustContain(t, mustOne(t, doc, "error-status"), "status", "404")
	mustContain(t, mustOne(t, doc, "error-heading"), "heading", "Page not found")
	mustContain(t, mustOne(t, doc, "error-message"), "message", "There is no incident 99.")
}

func TestLogin(t *testing.T) {
	doc, _ := render(t, Login(LoginPage{
		Page:  Page{Title: "Sign in", Nav: publicNav("/login")},
		Email: "ada@example.com",
		Next:  "/admin/incidents",
		Error: "Wrong email or password.",
	}))
	checkPage(t, doc)
	form := mustOne(t, doc, "login-form")
	if a, _ := form.Attr("action"); a != "/login" {
		t.Errorf("action = %q", a)
	}
	if v, _ := form.Find(`input[name="next"]`).Attr("value"); v != "/admin/incidents" {
		t.Errorf("next = %q", v)
	}
	if v, _ := form.Find(`input[name="email"]`).Attr("value"); v != "ada@example.com" {
		t.Errorf("email = %q", v)
	}
	if v, _ := form.Find(`input[name="password"]`).Attr("value"); v != "" {
		t.Error("password echoed back")
	}
	alert := mustOne(t, doc, "form-error")
	if r, _ := alert.Attr("role"); r != "alert" {
		t.Errorf("alert role = %q", r)
	}
}

func TestSetup(t *testing.T) {
	doc, _ := render(t, Setup(SetupPage{
		Page:  Page{Title: "Set up", Nav: publicNav("/setup")},
		Code:  "one-time-code",
		Email: "ada@example.com",
		Error: FormError{Summary: "Check the password.", Fields: map[string]string{"password": "Use at least 12 characters."}},
	}))
	checkPage(t, doc)
	form := mustOne(t, doc, "setup-form")
	if v, _ := form.Find(`input[name="code"]`).Attr("value"); v != "one-time-code" {
		t.Errorf("code = %q", v)
	}
	pw := form.Find(`input[name="password"]`)
	if v, _ := pw.Attr("aria-invalid"); v != "true" {
		t.Error("password not marked invalid")
	}
	if d, _ := pw.Attr("aria-describedby"); !strings.Contains(d, "setup-password-error") {
		t.Errorf("password aria-describedby = %q", d)
	}
	for _, name := range []string{"email", "name", "password"} {
		if form.Find(`input[name="`+name+`"]`).Length() != 1 {
			t.Errorf("no %s field", name)
		}
	}
}

func TestAdminNavigation(t *testing.T) {
	doc, _ := render(t, AdminHomePage(sampleAdminHome()))
	checkPage(t, doc)
	nav := mustOne(t, doc, "admin-nav")
	for _, href := range []string{"/admin/incidents", "/admin/maintenance", "/admin/services", "/admin/customers", "/admin/policies", "/admin/credits", "/admin/users"} {
		if nav.Find(`a[href="`+href+`"]`).Length() != 1 {
			t.Errorf("admin nav has no link to %s", href)
		}
	}
	out := mustOne(t, doc, "signout")
	if a, _ := out.Attr("action"); a != "/logout" {
		t.Errorf("sign-out action = %q", a)
	}
	mustContain(t, out, "sign-out", "Ada Okafor")
	if v, _ := out.Find(`[data-testid="csrf"]`).Attr("value"); v != sampleCSRF {
		t.Errorf("sign-out csrf = %q", v)
	}
	if cur, _ := doc.Find(`[data-testid="nav"] a[aria-current="page"]`).Attr("href"); cur != "/admin" {
		t.Errorf("current = %q, want /admin", cur)
	}
	if doc.Find("body.admin").Length() != 1 {
		t.Error("admin page body has no admin class")
	}
	mustOne(t, doc, "declare-link")
	if byTestID(doc, "incident-row").Length() != 1 {
		t.Error("active incident not listed")
	}

	// Support staff see no Users link.
	v := sampleAdminHome()
	v.Nav.UserRole = "support"
	doc, _ = render(t, AdminHomePage(v))
	if byTestID(doc, "admin-nav").Find(`a[href="/admin/users"]`).Length() != 0 {
		t.Error("Users link shown to a non-admin")
	}
}

func TestAdminIncidents(t *testing.T) {
	doc, _ := render(t, AdminIncidents(sampleAdminIncidents()))
	checkPage(t, doc)
	if n := byTestID(doc, "incident-row").Length(); n != 2 {
		t.Errorf("%d incident rows, want 2", n)
	}
	if href, _ := mustOne(t, doc, "pagination-next").Attr("href"); href != "/admin/incidents?page=2" {
		t.Errorf("next = %q", href)
	}
	if cur, _ := doc.Find(`[data-testid="admin-nav"] a[aria-current="page"]`).Attr("href"); cur != "/admin/incidents" {
		t.Errorf("current = %q", cur)
	}
}

func TestNewIncident(t *testing.T) {
	doc, _ := render(t, NewIncident(sampleNewIncident()))
	checkPage(t, doc)
	form := mustOne(t, doc, "incident-form")
	if a, _ := form.Attr("action"); a != "/admin/incidents" {
		t.Errorf("action = %q", a)
	}
	for _, name := range []string{"title", "impact", "phase", "message", "started_at", "status.elb-us-east-1", "percent.elb-us-east-1", "status.ec2-us-east-1"} {
		if form.Find(`[name="`+name+`"]`).Length() != 1 {
			t.Errorf("no field %q", name)
		}
	}
	if v, _ := form.Find(`select[name="impact"] option[selected]`).Attr("value"); v != "major" {
		t.Errorf("selected impact = %q", v)
	}
	if v, _ := form.Find(`select[name="status.elb-us-east-1"] option[selected]`).Attr("value"); v != "partial_outage" {
		t.Errorf("selected status = %q", v)
	}
	mustContain(t, form.Find(`#incident-started-at-hint`), "hint", "UTC, e.g. 2012-12-24 20:24")
	mustContain(t, form.Find(`textarea[name="message"]`), "message", "elevated error rates")
	row := mustOne(t, doc, "component-field-elb-us-east-1")
	mustContain(t, row.Find(`[data-testid="field-error"]`), "row error", "between 0 and 100")
	pct := row.Find(`input[name="percent.elb-us-east-1"]`)
	if v, _ := pct.Attr("aria-invalid"); v != "true" {
		t.Error("percent not marked invalid")
	}
	if v, _ := pct.Attr("value"); v != "106.8" {
		t.Errorf("percent value = %q", v)
	}
	mustContain(t, mustOne(t, doc, "form-error"), "summary", "not declared")
	if n := form.Find("details.cf-group").Length(); n != 3 {
		t.Errorf("%d service groups, want 3", n)
	}
}

func TestAdminIncident(t *testing.T) {
	doc, _ := render(t, AdminIncident(sampleAdminIncident()))
	checkPage(t, doc)
	form := mustOne(t, doc, "update-form")
	if a, _ := form.Attr("action"); a != "/admin/incidents/2/updates" {
		t.Errorf("action = %q", a)
	}
	for _, name := range []string{"phase", "message", "at", "status.elb-us-east-1", "percent.elb-us-east-1"} {
		if form.Find(`[name="`+name+`"]`).Length() != 1 {
			t.Errorf("no field %q", name)
		}
	}
	if byTestID(doc, "form-error").Length() != 0 {
		t.Error("alert shown without an error")
	}
	if n := byTestID(doc, "incident-update").Length(); n != 2 {
		t.Errorf("%d updates, want 2", n)
	}
	mustContain(t, byTestID(doc, "update-author").First(), "author", "Grace Mensah")
	if href, _ := mustOne(t, doc, "public-link").Attr("href"); href != "/incidents/2" {
		t.Errorf("public link = %q", href)
	}
	mustContain(t, mustOne(t, doc, "flash"), "flash", "Update posted.")

	v := sampleAdminIncident()
	v.Resolved = true
	doc, _ = render(t, AdminIncident(v))
	checkPage(t, doc)
	mustOne(t, doc, "resolved-notice")
	if byTestID(doc, "update-form").Length() != 0 {
		t.Error("update form shown on a resolved incident")
	}

	v = sampleAdminIncident()
	v.CanWrite = false
	doc, _ = render(t, AdminIncident(v))
	mustOne(t, doc, "readonly-notice")
	if byTestID(doc, "update-form").Length() != 0 {
		t.Error("update form shown to a viewer")
	}
}

func TestMaintenance(t *testing.T) {
	doc, _ := render(t, Maintenance(sampleMaintenance()))
	checkPage(t, doc)
	form := mustOne(t, doc, "maintenance-form")
	for _, name := range []string{"title", "message", "starts_at", "ends_at"} {
		if form.Find(`[name="`+name+`"]`).Length() != 1 {
			t.Errorf("no field %q", name)
		}
	}
	boxes := form.Find(`input[type="checkbox"][name="components"]`)
	if boxes.Length() != 3 {
		t.Errorf("%d component checkboxes, want 3", boxes.Length())
	}
	if _, ok := boxes.First().Attr("checked"); !ok {
		t.Error("selected component not checked")
	}
	ends := form.Find(`input[name="ends_at"]`)
	if v, _ := ends.Attr("aria-invalid"); v != "true" {
		t.Error("ends_at not marked invalid")
	}
	mustContain(t, form.Find("#maintenance-ends-at-error"), "ends error", "after starts at")

	adv := byTestID(doc, "advance-form")
	if adv.Length() != 2 {
		t.Fatalf("%d advance forms, want 2", adv.Length())
	}
	if a, _ := adv.First().Attr("action"); a != "/admin/maintenance/3/advance" {
		t.Errorf("advance action = %q", a)
	}
	b := adv.First().Find(`button[name="phase"]`)
	if v, _ := b.Attr("value"); v != "in_progress" || !strings.HasPrefix(text(b), "Start now") {
		t.Errorf("scheduled button = %q %q", v, text(b))
	}
	b = adv.Eq(1).Find(`button[name="phase"]`)
	if v, _ := b.Attr("value"); v != "completed" || !strings.HasPrefix(text(b), "Complete now") {
		t.Errorf("in-progress button = %q %q", v, text(b))
	}
}

func TestServices(t *testing.T) {
	doc, _ := render(t, Services(sampleServices()))
	checkPage(t, doc)
	mustOne(t, doc, "admin-service-elb")
	mustContain(t, mustOne(t, doc, "admin-component-elb-us-east-1"), "component", "12000")
	sf := mustOne(t, doc, "service-form")
	if a, _ := sf.Attr("action"); a != "/admin/services" {
		t.Errorf("service action = %q", a)
	}
	for _, name := range []string{"id", "name", "description", "position"} {
		if sf.Find(`[name="`+name+`"]`).Length() != 1 {
			t.Errorf("service form has no %q", name)
		}
	}
	cf := mustOne(t, doc, "component-form")
	if a, _ := cf.Attr("action"); a != "/admin/components" {
		t.Errorf("component action = %q", a)
	}
	for _, name := range []string{"id", "service", "name", "region", "zone", "resources", "group", "position"} {
		if cf.Find(`[name="`+name+`"]`).Length() != 1 {
			t.Errorf("component form has no %q", name)
		}
	}
	if v, _ := cf.Find(`select[name="service"] option[selected]`).Attr("value"); v != "elb" {
		t.Errorf("selected service = %q", v)
	}
	// The region error belongs to the component form only.
	if cf.Parent().Find(`[data-testid="form-error"]`).Length() != 1 || sf.Parent().Find(`[data-testid="form-error"]`).Length() != 0 {
		t.Error("error summary shown on the wrong form")
	}
	if v, _ := cf.Find(`input[name="region"]`).Attr("aria-invalid"); v != "true" {
		t.Error("region not marked invalid")
	}

	v := sampleServices()
	v.CanWrite = false
	doc, _ = render(t, Services(v))
	if doc.Find("form").Length() != 1 { // sign-out only
		t.Error("forms shown to a non-admin")
	}
}

func TestUsers(t *testing.T) {
	doc, _ := render(t, Users(sampleUsers()))
	checkPage(t, doc)
	mustContain(t, mustOne(t, doc, "new-token"), "token", "am_3f9a_7Qe2p9LxWmZt4RkB")
	rows := byTestID(doc, "user-row")
	if rows.Length() != 2 {
		t.Fatalf("%d user rows, want 2", rows.Length())
	}
	role := rows.First().Find(`[data-testid="role-form"]`)
	if a, _ := role.Attr("action"); a != "/admin/users/1/role" {
		t.Errorf("role action = %q", a)
	}
	if v, _ := role.Find(`option[selected]`).Attr("value"); v != "admin" {
		t.Errorf("selected role = %q", v)
	}
	dis := rows.First().Find(`[data-testid="disable-form"]`)
	if a, _ := dis.Attr("action"); a != "/admin/users/1/disabled" {
		t.Errorf("disable action = %q", a)
	}
	if v, _ := dis.Find(`input[name="disabled"]`).Attr("value"); v != "true" {
		t.Errorf("active user's disable form posts disabled=%q", v)
	}
	if v, _ := rows.Eq(1).Find(`input[name="disabled"]`).Attr("value"); v != "false" {
		t.Errorf("disabled user's form posts disabled=%q", v)
	}
	toks := byTestID(doc, "token-row")
	if toks.Length() != 2 {
		t.Fatalf("%d token rows, want 2", toks.Length())
	}
	if a, _ := toks.First().Find(`[data-testid="revoke-form"]`).Attr("action"); a != "/admin/tokens/1/revoke" {
		t.Errorf("revoke action = %q", a)
	}
	if toks.Eq(1).Find(`[data-testid="revoke-form"]`).Length() != 0 {
		t.Error("revoked token can be revoked again")
	}
	uf := mustOne(t, doc, "user-form")
	for _, name := range []string{"email", "name", "role", "password"} {
		if uf.Find(`[name="`+name+`"]`).Length() != 1 {
			t.Errorf("user form has no %q", name)
		}
	}
	if v, _ := uf.Find(`select[name="role"] option[selected]`).Attr("value"); v != "support" {
		t.Errorf("user form role = %q", v)
	}
	if uf.Parent().Find(`[data-testid="form-error"]`).Length() != 1 {
		t.Error("user form error not shown")
	}
	tf := mustOne(t, doc, "token-form")
	if a, _ := tf.Attr("action"); a != "/admin/tokens" {
		t.Errorf("token action = %q", a)
	}
	if tf.Parent().Find(`[data-testid="form-error"]`).Length() != 0 {
		t.Error("user form error shown on the token form")
	}
}

// TestEscaping puts markup into every kind of user text and checks it comes
// out as text.
func TestEscaping(t *testing.T) {
	const evil = `<script>alert("x")</script><img src=x onerror=alert(1)>`
	st := sampleStatus()
	st.Active[0].Title = evil
	st.Active[0].Latest = evil
	st.Services[0].Name = evil
	st.Services[0].Components[0].Name = evil
	st.Maintenance[0].Message = evil
	st.Page.Flash = evil
	in := sampleIncident()
	in.Incident.Title = evil
	in.Updates[0].Paragraphs = []string{evil}
	in.Affected[0].Name = evil
	nf := sampleNewIncident()
	nf.Title = evil
	nf.Message = evil
	nf.Error.Summary = evil
	us := sampleUsers()
	us.Users[0].Name = evil
	us.NewToken = evil

	for name, c := range map[string]templ.Component{
		"status":       Status(st),
		"incident":     Incident(in),
		"new incident": NewIncident(nf),
		"users":        Users(us),
	} {
		doc, html := render(t, c)
		if strings.Contains(html, "<script>alert") || strings.Contains(html, "<img src=x") {
			t.Errorf("%s: user markup rendered unescaped", name)
		}
		if doc.Find("img").Length() != 0 {
			t.Errorf("%s: injected element parsed", name)
		}
		if n := doc.Find("script").Length(); n != 1 {
			t.Errorf("%s: %d script elements, want 1 (the asset)", name, n)
		}
		if !strings.Contains(html, "&lt;script&gt;") {
			t.Errorf("%s: escaped text missing", name)
		}
	}
}

// TestWriteSamplePages writes every sample page to AMENDS_RENDER_DIR, for a
// look in a browser; it is skipped unless that variable is set.
func TestWriteSamplePages(t *testing.T) {
	dir := os.Getenv("AMENDS_RENDER_DIR")
	if dir == "" {
		t.Skip("AMENDS_RENDER_DIR not set")
	}
	allOK := sampleStatus()
	allOK.Overall = StatusBadge{Class: "operational", Label: "All systems operational"}
	allOK.Active = nil
	banner := func(class, label string) templ.Component {
		v := sampleStatus()
		v.Overall = StatusBadge{Class: class, Label: label}
		return Status(v)
	}
	pages := map[string]templ.Component{
		"status":             Status(sampleStatus()),
		"status-degraded":    banner("degraded_performance", "Degraded performance"),
		"status-major":       banner("major_outage", "Major outage"),
		"status-maintenance": banner("under_maintenance", "Under maintenance"),
		"status-ok":          Status(allOK),
		"incident":           Incident(sampleIncident()),
		"history":            History(sampleHistory()),
		"error":              Error(ErrorPage{Page: Page{Title: "Not found", Nav: publicNav("")}, Status: 404, Heading: "Page not found", Message: "There is no incident 99."}),
		"login":              Login(LoginPage{Page: Page{Title: "Sign in", Nav: publicNav("/login")}, Error: "Wrong email or password."}),
		"setup":              Setup(SetupPage{Page: Page{Title: "Set up", Nav: publicNav("/setup")}, Code: "c"}),
		"admin":              AdminHomePage(sampleAdminHome()),
		"admin-incidents":    AdminIncidents(sampleAdminIncidents()),
		"new-incident":       NewIncident(sampleNewIncident()),
		"admin-incident":     AdminIncident(sampleAdminIncident()),
		"maintenance":        Maintenance(sampleMaintenance()),
		"services":           Services(sampleServices()),
		"users":              Users(sampleUsers()),
	}
	for name, c := range pages {
		_, html := render(t, c)
		// Point the asset URLs at files next to the page.
		html = strings.NewReplacer(`href="/static/`, `href="static/`, `src="/static/`, `src="static/`).Replace(html)
		if err := os.WriteFile(filepath.Join(dir, name+".html"), []byte(html), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// A bar shares the page's quiet cells between its own: day by day it is
// what the cells one by one would be, every value escaped. A component's
// quiet day is an empty cell; a service's has its words.
func TestUptimeBar(t *testing.T) {
	days := []UptimeDay{
		{Text: "23 Dec 2012: 100.0000% uptime, no incidents"},
		{Text: "24 Dec 2012: 100.0000% uptime, no incidents"},
		{Text: "25 Dec 2012 (so far): 100.0000% uptime, no incidents"},
	}
	hit := UptimeDay{Class: "day--95 day--incident", Text: "24 Dec 2012: 98.9800% uptime, 1 incident",
		Incidents: []string{"<Load balancers> & more"}, URL: "/incidents/2"}
	render := func(bar UptimeBar) string {
		var b strings.Builder
		if err := uptimeCells(bar).Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	const tip = `<span class="day__tip">24 Dec 2012: 98.9800% uptime, 1 incident` + "\n" + `&lt;Load balancers&gt; &amp; more</span>`
	for _, tc := range []struct {
		name      string
		quiet     QuietDays
		cell      func(UptimeDay) UptimeCell
		hit, none string // the cells of hit and of days[0]
	}{
		{"component", NewQuietDays(3), NewUptimeCell,
			`<a class="day--95 day--incident" href="/incidents/2">` + tip + `</a>`, `<i></i>`},
		{"service", NewQuietServiceDays(days), NewServiceCell,
			`<li class="day--95 day--incident"><a href="/incidents/2">` + tip + `</a></li>`,
			`<li><span class="day__tip">23 Dec 2012: 100.0000% uptime, no incidents</span></li>`},
	} {
		if got := tc.cell(hit).html; got != tc.hit {
			t.Errorf("%s: cell %s, want %s", tc.name, got, tc.hit)
		}
		if tc.name == "service" {
			if got := tc.cell(days[0]).html; got != tc.none {
				t.Errorf("%s: quiet cell %s, want %s", tc.name, got, tc.none)
			}
		}
		if got := tc.quiet.cells(0, 1); got != tc.none {
			t.Errorf("%s: the first quiet cell %s, want %s", tc.name, got, tc.none)
		}
		want := tc.quiet.cells(0, 1) + tc.cell(hit).html + tc.quiet.cells(2, 3)
		bar := tc.quiet.Bar([]UptimeCell{{}, tc.cell(hit), {}})
		if got := render(bar); got != want {
			t.Errorf("%s: bar:\n%s\nwant\n%s", tc.name, got, want)
		}
		if bar.Days() != 3 || bar.Quiet() != 2 || bar.Len() != len(want) {
			t.Errorf("%s: %d days, %d quiet, %d bytes", tc.name, bar.Days(), bar.Quiet(), bar.Len())
		}
		if got := render(tc.quiet.Bar(make([]UptimeCell, 3))); got != tc.quiet.cells(0, 1)+tc.quiet.cells(1, 2)+tc.quiet.cells(2, 3) || tc.quiet.Days() != 3 {
			t.Errorf("%s: quiet bar %s", tc.name, got)
		}
		for _, off := range []string{"https://evil.example/", "//evil.example/", `/\evil.example/`} {
			if got := tc.cell(UptimeDay{Text: "x", URL: off}).html; strings.Contains(got, "evil") || strings.Contains(got, "<a") {
				t.Errorf("%s: a link off the site: %s", tc.name, got)
			}
		}
	}
	if got := NewUptimeCell(UptimeDay{Class: "day--99", Text: "x & y"}).html; got != `<i class="day--99"><span class="day__tip">x &amp; y</span></i>` {
		t.Errorf("a day with downtime and no incident: %s", got)
	}
	if got := NewQuietServiceDays(days).cells(2, 3); !strings.Contains(got, "(so far)") {
		t.Errorf("today's quiet cell %s", got)
	}
}
