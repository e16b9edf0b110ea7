package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/web/api"
)

// resolvedIncidentID is the id of the newest resolved incident.
func (e *testEnv) resolvedIncidentID(token string) int64 {
	e.t.Helper()
	var list api.List[incidents.Incident]
	e.api("GET", "/incidents?state=resolved", token, nil).expect(e.t, http.StatusOK).decode(e.t, &list)
	if len(list.Items) == 0 {
		e.t.Fatal("no resolved incident")
	}
	return list.Items[0].ID
}

// The whole goodwill flow in the browser, on the resolved December ELB
// outage: bad requests are refused at their field and store nothing; a
// viewer may not request; the requester withdraws a grant (others may
// not), which stays in the history and frees the incident; a manager's
// own request waits for another manager, who approves it once; an
// approved grant cannot be withdrawn; its goodwill run is previewed from
// the incident page, requested, approved by another person, and pays the
// ledger with the grant's reason.
func TestAdminGoodwillFlow(t *testing.T) {
	env := newTestEnv(t)
	supportTok := env.token(auth.Support)
	env.seedDesk(supportTok, env.personToken("max@example.com", auth.Manager))
	inc := env.resolvedIncidentID(supportTok)
	page := fmt.Sprintf("/admin/incidents/%d", inc)
	request := page + "/goodwill"
	sup := env.user(auth.Support)
	kim := env.loginAs("kim@example.com", auth.Support)
	max := env.loginAs("max2@example.com", auth.Manager)
	zoe := env.loginAs("zoe@example.com", auth.Manager)
	viewer := env.user(auth.Viewer)

	_, body := viewer.get(page)
	doc := parseHTML(t, body)
	if doc.Find(testid("goodwill-empty")).Length() != 1 || doc.Find(testid("goodwill-form")).Length() != 0 {
		t.Fatal("a viewer is offered the goodwill form, or grants are shown")
	}
	before := env.counts()
	if st, body := viewer.send(request, url.Values{"days": {"10"}, "services": {"ELB"}}); st != http.StatusForbidden || !strings.Contains(body, "needs the support role") {
		t.Fatalf("viewer request: %d", st)
	}
	env.assertNothingStored(before)

	_, body = sup.get(page)
	doc = parseHTML(t, body)
	form := doc.Find(testid("goodwill-form"))
	if form.Find(`input[name="services"][value="ELB"]`).Length() != 1 || form.Find(`input[name="components"][value="elb-eu-west-1"]`).Length() != 1 ||
		textOf(form.Find(".goodwill-components legend").First()) != "Elastic Load Balancing" || form.Find(`input[name="eligible_components"][value="elb-us-east-1"]`).Length() != 1 {
		t.Fatalf("goodwill form: %s", textOf(form))
	}
	// Unticked components mean the affected ones; widening is its own box.
	if hint := textOf(form.Find("#goodwill-components-hint")); !strings.Contains(hint, "marked non-operational: ELB us-east-1.") || strings.Contains(hint, "eu-west-1") {
		t.Errorf("components hint %q", hint)
	}
	if form.Find(`input[name="all_components"]`).Length() != 1 || !strings.Contains(textOf(form.Find(`label[for="goodwill-all-components"]`)), "Widen to every component") {
		t.Error("no deliberate widening choice on the form")
	}
	for _, tc := range []struct {
		form        url.Values
		field, want string
	}{
		{url.Values{"days": {""}, "services": {"ELB"}}, "days", "is required"},
		{url.Values{"days": {"ten"}, "services": {"ELB"}}, "days", `"ten" is not a whole number of days`},
		{url.Values{"days": {"400"}, "services": {"ELB"}}, "days", "400 is not a whole number of days from 1 to 366"},
		{url.Values{"days": {"10"}}, "services", "must name at least one service"},
		{url.Values{"days": {"10"}, "services": {"S3"}}, "services", `unknown service "S3"`},
		{url.Values{"days": {"10"}, "services": {"ELB"}, "components": {"nope"}}, "components", `unknown component "nope"`},
		{url.Values{"days": {"10"}, "services": {"ELB"}, "eligible_components": {"nope"}}, "eligible_components", `unknown component "nope"`},
		{url.Values{"days": {"10"}, "services": {"ELB"}, "reason": {strings.Repeat("x", 2001)}}, "reason", "more than 2000"},
		{url.Values{"days": {"10"}, "services": {"ELB"}, "components": {"elb-eu-west-1"}, "all_components": {"1"}}, "components", "not both"},
	} {
		before := env.counts()
		st, body := sup.send(request, tc.form)
		doc := parseHTML(t, body)
		if got := formFieldError(doc, "goodwill-form", tc.field); st != http.StatusUnprocessableEntity || !strings.Contains(got, tc.want) {
			t.Errorf("%v: %d, error at %s %q, want %q", tc.form, st, tc.field, got, tc.want)
		}
		if v, _ := doc.Find(`#goodwill-days`).Attr("value"); v != tc.form.Get("days") {
			t.Errorf("%v: days shown again as %q", tc.form, v)
		}
		env.assertNothingStored(before)
	}

	// Support requests; the page shows the pending grant to everyone.
	st, _ := sup.send(request, url.Values{"days": {"10"}, "services": {"ELB"}, "components": {"elb-us-east-1", "elb-eu-west-1"},
		"eligible_components": {"elb-us-east-1"}, "reason": {"Christmas Eve"}})
	if st != http.StatusSeeOther {
		t.Fatalf("request: %d", st)
	}
	_, body = viewer.get(page)
	doc = parseHTML(t, body)
	row := textOf(doc.Find(testid("goodwill-grant")))
	for _, want := range []string{"Grant 1", "10 days", "Elastic Load Balancing", "in ELB us-east-1, ELB eu-west-1; for customers with a resource in ELB us-east-1", "Christmas Eve", "Pending approval", "support@example.com"} {
		if !strings.Contains(row, want) {
			t.Errorf("grant row %q lacks %q", row, want)
		}
	}
	if doc.Find(testid("goodwill-approve-form")).Length()+doc.Find(testid("goodwill-withdraw-form")).Length()+doc.Find(testid("goodwill-form")).Length() != 0 {
		t.Error("a viewer is offered a goodwill form")
	}
	_, body = sup.get(page)
	doc = parseHTML(t, body)
	if doc.Find(testid("goodwill-withdraw-form")).Length() != 1 || doc.Find(testid("goodwill-approve-form")).Length() != 0 || doc.Find(testid("goodwill-form")).Length() != 0 {
		t.Error("the requester should be offered only the withdraw form")
	}
	before = env.counts()
	if st, body := sup.send(request, url.Values{"days": {"3"}, "services": {"ELB"}}); st != http.StatusConflict ||
		!strings.Contains(textOf(parseHTML(t, body).Find(testid("form-error"))), "already has a pending or approved goodwill grant") {
		t.Errorf("second request: %d", st)
	}
	if st, _ := sup.send("/admin/goodwill/1/approve", nil); st != http.StatusForbidden {
		t.Errorf("support approved: %d", st)
	}
	if st, _ := viewer.send("/admin/goodwill/1/withdraw", url.Values{"reason": {"no"}}); st != http.StatusForbidden {
		t.Errorf("viewer withdrew: %d", st)
	}
	if st, body := kim.send("/admin/goodwill/1/withdraw", url.Values{"reason": {"not yours"}}); st != http.StatusForbidden ||
		!strings.Contains(body, "only support@example.com, who requested goodwill grant 1, or a manager may withdraw it") {
		t.Errorf("another support user withdrew: %d", st)
	}
	st, body = sup.send("/admin/goodwill/1/withdraw", url.Values{"reason": {"  "}})
	if got := formFieldError(parseHTML(t, body), "goodwill-withdraw-form", "reason"); st != http.StatusUnprocessableEntity || got != "Error: is required" {
		t.Errorf("withdraw without a reason: %d %q", st, got)
	}
	if st, _ := sup.send("/admin/goodwill/99/withdraw", url.Values{"reason": {"x"}}); st != http.StatusNotFound {
		t.Errorf("unknown grant: %d", st)
	}
	env.assertNothingStored(before)

	// The requester withdraws it: it stays, withdrawn, and the incident is free.
	if st, _ := sup.send("/admin/goodwill/1/withdraw", url.Values{"reason": {"Wrong component."}}); st != http.StatusSeeOther {
		t.Fatalf("withdraw: %d", st)
	}
	if st, _ := zoe.send("/admin/goodwill/1/withdraw", url.Values{"reason": {"again"}}); st != http.StatusConflict {
		t.Errorf("withdrawn twice: %d", st)
	}
	if st, _ := zoe.send("/admin/goodwill/1/approve", nil); st != http.StatusConflict {
		t.Errorf("a withdrawn grant approved: %d", st)
	}
	_, body = max.get(page)
	doc = parseHTML(t, body)
	if row := textOf(doc.Find(testid("goodwill-grant"))); !strings.Contains(row, "Withdrawn") || !strings.Contains(row, "Withdrawn: Wrong component.") {
		t.Errorf("withdrawn row %q", row)
	}
	if doc.Find(testid("goodwill-form")).Length() != 1 {
		t.Fatal("no request form after the withdrawal")
	}

	// A customer with load balancers only in eu-west-1, which the incident
	// did not affect: the default scope leaves it out.
	supTok := env.token(auth.Support)
	env.api("POST", "/customers", supTok, map[string]any{"id": "westco", "name": "Westco", "currency": "USD", "contact_email": "billing@westco.example"}).expect(t, http.StatusCreated)
	env.api("POST", "/customers/westco/resources", supTok, map[string]any{"component": "elb-eu-west-1", "count": 2, "from": "2012-01-01T00:00:00Z"}).expect(t, http.StatusCreated)
	env.api("POST", "/customers/westco/charges", supTok, map[string]any{"component": "elb-eu-west-1", "month": "2012-12", "amount_minor": 100000}).expect(t, http.StatusOK)

	// A manager's own request: no approve button for them, 403 with why.
	if st, _ := max.send(request, url.Values{"days": {"10"}, "services": {"ELB"}, "reason": {"Christmas Eve"}}); st != http.StatusSeeOther {
		t.Fatalf("manager request: %d", st)
	}
	_, body = max.get(page)
	doc = parseHTML(t, body)
	if doc.Find(testid("goodwill-own-request")).Length() != 1 || doc.Find(testid("goodwill-approve-form")).Length() != 0 {
		t.Error("the requesting manager is offered approval")
	}
	if doc.Find(testid("goodwill-preview-form")).Length() != 0 {
		t.Error("a pending grant offers the goodwill preview")
	}
	if st, body := max.send("/admin/goodwill/2/approve", nil); st != http.StatusForbidden || !strings.Contains(body, "another manager must approve it") {
		t.Fatalf("self-approval: %d\n%s", st, body)
	}
	_, body = zoe.get(page)
	doc = parseHTML(t, body)
	if doc.Find(testid("goodwill-approve-form")).Length() != 1 {
		t.Fatal("another manager is not offered approval")
	}
	// The approver sees the scope and who it makes eligible, per component.
	pending := doc.Find(testid("goodwill-grant")).Last()
	if got := textOf(pending); !strings.Contains(got, "in ELB us-east-1") || strings.Contains(got, "eu-west-1") {
		t.Errorf("pending grant's scope %q", got)
	}
	if got := textOf(pending.Find(testid("goodwill-eligible"))); got != "Eligible: ELB us-east-1: 1 customer" {
		t.Errorf("eligible %q", got)
	}
	if st, _ := zoe.send("/admin/goodwill/2/approve", nil); st != http.StatusSeeOther {
		t.Fatalf("approve: %d", st)
	}
	before = env.counts()
	if st, _ := zoe.send("/admin/goodwill/2/approve", nil); st != http.StatusConflict {
		t.Errorf("second approval: %d", st)
	}
	if st, body := max.send("/admin/goodwill/2/withdraw", url.Values{"reason": {"too late"}}); st != http.StatusConflict || !strings.Contains(body, "already approved") {
		t.Errorf("an approved grant withdrawn: %d", st)
	}
	env.assertNothingStored(before)

	// The approved grant on the resolved incident: preview its goodwill run.
	_, body = sup.get(page)
	doc = parseHTML(t, body)
	rows := doc.Find(testid("goodwill-grant"))
	if rows.Length() != 2 || !strings.Contains(textOf(rows.Last()), "Approved") || !strings.Contains(textOf(rows.Last()), "zoe@example.com") ||
		!strings.Contains(textOf(rows.Last()), "in ELB us-east-1") {
		t.Fatalf("grants %q", textOf(rows))
	}
	preview := doc.Find(testid("goodwill-preview-form"))
	if v, _ := preview.Find(`input[name="incident"]`).Attr("value"); v != fmt.Sprint(inc) {
		t.Fatalf("preview form incident %q", v)
	}
	if doc.Find(testid("goodwill-form")).Length() != 0 {
		t.Error("a request form beside an approved grant")
	}
	// The credits page offers the incident in its goodwill picker.
	_, body = sup.get("/admin/credits")
	picker := parseHTML(t, body).Find(testid("preview-goodwill-form")).Find(`select[name="incident"] option`)
	if picker.Length() != 1 || picker.AttrOr("value", "") != fmt.Sprint(inc) || !strings.Contains(textOf(picker), fmt.Sprintf("Incident %d, ", inc)) {
		t.Fatalf("goodwill picker %d options: %q", picker.Length(), textOf(picker))
	}
	resp, _ := sup.noFollow().post("/admin/credits/runs", url.Values{"incident": {fmt.Sprint(inc)}, csrfField: {sup.csrf}}, nil)
	m := runLocation.FindStringSubmatch(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("goodwill preview: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	run := m[0]
	_, body = sup.get(run)
	doc = parseHTML(t, body)
	if got := textOf(doc.Find(testid("run-kind"))); !strings.Contains(got, fmt.Sprintf("Goodwill of incident %d", inc)) {
		t.Errorf("run kind %q", got)
	}
	if n := doc.Find(testid("run-line")).Length(); n != 1 {
		t.Fatalf("%d goodwill lines, want acme's alone (westco has no load balancer the incident hit)", n)
	}
	// The line reads as goodwill: the service credited, no uptime or
	// tier, the charges in scope and the amount, a short reason with the
	// whole one behind it.
	var cells []string
	doc.Find(testid("run-line")).Children().Each(func(_ int, c *goquery.Selection) { cells = append(cells, textOf(c)) })
	if len(cells) != 8 || cells[1] != "ELB" || cells[2] != "—" || cells[3] != "—" || cells[4] != "2,500.00 USD" || cells[5] != "806.45 USD" {
		t.Errorf("run line cells %q", cells)
	}
	reason := doc.Find(testid("run-line")).Find(testid("line-reason"))
	if got := textOf(reason.Find("summary")); got != fmt.Sprintf("Goodwill for incident %d: 10 days of usage", inc) {
		t.Errorf("short reason %q", got)
	}
	if got := textOf(reason); !strings.Contains(got, fmt.Sprintf("goodwill for incident %d: 10 days of ELB in elb-us-east-1 usage of 2012-12 (2,500.00 USD); reason: Christmas Eve", inc)) {
		t.Errorf("reason detail %q", got)
	}
	// Who is eligible, and by which resources, over which window.
	if got := textOf(doc.Find(testid("run-eligibility"))); !strings.Contains(got, "a resource in elb-us-east-1 at some instant between 24 Dec 2012") {
		t.Errorf("eligibility %q", got)
	}
	if got := textOf(doc.Find(testid("run-line")).Find(testid("line-eligible"))); got != "Eligible by 4 in elb-us-east-1 (since 1 Jan 2012)" {
		t.Errorf("line eligibility %q", got)
	}
	_, csvBody := sup.get(run + ".csv")
	csvLines := strings.Split(strings.TrimSpace(csvBody), "\n")
	if len(csvLines) != 2 || !strings.Contains(csvLines[1], ",acme,ELB,,USD,,,,250000,80645,80645,") {
		t.Errorf("goodwill CSV %q", csvBody)
	}
	if st, _ := sup.send(run+"/request", nil); st != http.StatusSeeOther {
		t.Fatalf("request the run: %d", st)
	}
	if st, _ := sup.send(run+"/approve", nil); st != http.StatusForbidden {
		t.Errorf("support approved the run: %d", st)
	}
	if env.count("ledger") != 0 {
		t.Fatal("the ledger was written before approval")
	}
	max.get(run)
	if st, _ := max.send(run+"/approve", nil); st != http.StatusSeeOther {
		t.Fatalf("approve the run: %d", st)
	}
	_, body = viewer.get("/admin/credits/ledger?run=" + m[1])
	doc = parseHTML(t, body)
	entry := textOf(doc.Find(testid("ledger-row")))
	if doc.Find(testid("ledger-row")).Length() != 1 || !strings.Contains(entry, "goodwill") || !strings.Contains(entry, "806.45 USD") ||
		!strings.Contains(entry, "reason: Christmas Eve") || !strings.Contains(entry, "max2@example.com") {
		t.Fatalf("ledger %q", entry)
	}
	_, body = viewer.get("/admin/credits")
	if got := textOf(parseHTML(t, body).Find(testid("run-row")).First()); !strings.Contains(got, fmt.Sprintf("Goodwill of incident %d", inc)) {
		t.Errorf("runs list %q", got)
	}
	var audits []string
	rows2, err := env.db.Query(`SELECT action FROM audit_log WHERE entity = 'goodwill_grant' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows2.Close()
	for rows2.Next() {
		var a string
		rows2.Scan(&a)
		audits = append(audits, a)
	}
	if got := strings.Join(audits, " "); got != "goodwill.request goodwill.withdraw goodwill.request goodwill.approve" {
		t.Errorf("audit %q", got)
	}
}

// The credits page's goodwill form: bad incident numbers, an incident
// with no approved grant and a month with an incident are refused at the
// incident field with nothing stored; the month form keeps its own errors.
func TestAdminGoodwillPreviewForm(t *testing.T) {
	env := newTestEnv(t)
	supportTok := env.token(auth.Support)
	env.seedDesk(supportTok, env.personToken("max@example.com", auth.Manager))
	inc := env.resolvedIncidentID(supportTok)
	sup := env.user(auth.Support)
	viewer := env.user(auth.Viewer)
	_, body := viewer.get("/admin/credits")
	if parseHTML(t, body).Find(testid("preview-goodwill-form")).Length() != 0 {
		t.Error("a viewer is offered the goodwill preview")
	}
	if st, _ := viewer.send("/admin/credits/runs", url.Values{"incident": {fmt.Sprint(inc)}}); st != http.StatusForbidden {
		t.Errorf("viewer preview: %d", st)
	}
	// No incident has an approved grant: support is told so instead of a form.
	_, body = sup.get("/admin/credits")
	if doc := parseHTML(t, body); doc.Find(testid("preview-goodwill-form")).Length() != 0 || doc.Find(testid("preview-goodwill-none")).Length() != 1 {
		t.Fatal("a goodwill preview form with nothing to pick, or no word why there is none")
	}
	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"incident": {"seven"}}, `"seven" is not an incident number`},
		{url.Values{"incident": {"99"}}, "unknown incident 99"},
		{url.Values{"incident": {fmt.Sprint(inc)}}, fmt.Sprintf("incident %d has no approved goodwill grant", inc)},
		{url.Values{"incident": {fmt.Sprint(inc)}, "month": {"2012-12"}}, "give either a month or an incident, not both"},
	} {
		before := env.counts()
		st, body := sup.send("/admin/credits/runs", tc.form)
		doc := parseHTML(t, body)
		if got := formFieldError(doc, "preview-goodwill-form", "incident"); st != http.StatusUnprocessableEntity || !strings.Contains(got, tc.want) {
			t.Errorf("%v: %d %q, want %q", tc.form, st, got, tc.want)
		}
		if got := formFieldError(doc, "preview-form", "month"); got != "" {
			t.Errorf("%v: the month form shows %q", tc.form, got)
		}
		env.assertNothingStored(before)
	}
	st, body := sup.send("/admin/credits/runs", url.Values{"month": {"2013-01"}})
	doc := parseHTML(t, body)
	if st != http.StatusUnprocessableEntity || formFieldError(doc, "preview-form", "month") == "" || formFieldError(doc, "preview-goodwill-form", "incident") != "" {
		t.Errorf("month error: %d", st)
	}
}
