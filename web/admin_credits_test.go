package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/auth"
)

// loginAs creates a user with email and role and returns a browser signed in as them.
func (e *testEnv) loginAs(email string, role auth.Role) *browser {
	e.t.Helper()
	e.user(auth.Viewer) // the first admin exists
	if _, err := e.accounts.CreateUser(context.Background(), audit.Person("test"), auth.NewUser{Email: email, Name: "Test " + email, Role: role, Password: testPassword}, e.clock.Now()); err != nil {
		e.t.Fatal(err)
	}
	b := e.browser()
	resp := b.postForm("/login", url.Values{"email": {email}, "password": {testPassword}})
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("login as %s: %d", email, resp.StatusCode)
	}
	return b
}

// send posts form to path (with the browser's CSRF token) without
// following redirects and returns the status and body.
func (b *browser) send(path string, form url.Values) (int, string) {
	b.env.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set(csrfField, b.csrf)
	resp, body := b.noFollow().post(path, form, nil)
	return resp.StatusCode, body
}

// upload posts a multipart form with file as "file" (and the CSRF token).
func (b *browser) upload(path, name string, file []byte, csrf bool) (int, string) {
	b.env.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if csrf {
		w.WriteField(csrfField, b.csrf)
	}
	fw, _ := w.CreateFormFile("file", name)
	fw.Write(file)
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, b.env.http.URL+path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := b.noFollow().client.Do(req)
	if err != nil {
		b.env.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

var runLocation = regexp.MustCompile(`^/admin/credits/runs/(\d+)$`)

// The admin flow: support previews December and requests it, the
// requesting manager may not approve (403, with why), another manager
// approves (then 409), the ledger page shows the credit, and both CSV
// exports parse.
func TestAdminCreditRunFlow(t *testing.T) {
	env := newTestEnv(t)
	supportTok := env.token(auth.Support)
	maxTok := env.personToken("max@example.com", auth.Manager)
	env.seedDesk(supportTok, maxTok)
	// Globex's only resource came after the outage: its line credits nothing.
	env.api("POST", "/customers", supportTok, map[string]any{"id": "globex", "name": "Globex", "currency": "USD", "contact_email": "billing@globex.example"}).expect(t, http.StatusCreated)
	env.api("POST", "/customers/globex/resources", supportTok, map[string]any{"component": "elb-us-east-1", "count": 1, "from": "2012-12-27T00:00:00Z"}).expect(t, http.StatusCreated)
	env.api("POST", "/customers/globex/charges", supportTok, map[string]any{"component": "elb-us-east-1", "month": "2012-12", "amount_minor": 100000}).expect(t, http.StatusOK)
	sup := env.user(auth.Support)
	max := env.loginAs("max2@example.com", auth.Manager)
	zoe := env.loginAs("zoe@example.com", auth.Manager)
	viewer := env.user(auth.Viewer)

	sup.get("/admin/credits")
	// A month not over yet is refused on its field; nothing is stored.
	before := env.count("credit_runs")
	if st, body := sup.send("/admin/credits/runs", url.Values{"month": {"2013-01"}}); st != http.StatusUnprocessableEntity ||
		fieldError(parseHTML(t, body), "month") == "" {
		t.Fatalf("unfinished month: %d", st)
	}
	if env.count("credit_runs") != before {
		t.Fatal("a refused preview stored a run")
	}
	resp, _ := sup.noFollow().post("/admin/credits/runs", url.Values{"month": {"2012-12"}, csrfField: {sup.csrf}}, nil)
	m := runLocation.FindStringSubmatch(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("preview: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	path := m[0]
	_, body := sup.get(path)
	doc := parseHTML(t, body)
	line := textOf(doc.Find(testid("run-line")))
	for _, want := range []string{"acme", "ELB", "99.8655%", "10%", "250.00 USD", "not required", "uptime 99.8655% below 99.95%"} {
		if !strings.Contains(line, want) {
			t.Errorf("run line %q lacks %q", line, want)
		}
	}
	// Only the lines that credit something are listed, the rest a link away.
	var all int
	if _, err := fmt.Sscanf(textOf(doc.Find(testid("run-lines-filter"))), "1 of %d lines credits something.", &all); err != nil ||
		doc.Find(testid("run-line")).Length() != 1 {
		t.Errorf("lines filter %q with %d lines", textOf(doc.Find(testid("run-lines-filter"))), doc.Find(testid("run-line")).Length())
	}
	_, allBody := sup.get(path + "?lines=all")
	if got := parseHTML(t, allBody).Find(testid("run-line")).Length(); got != all || all < 2 {
		t.Errorf("every line: %d rows, the filter said %d", got, all)
	}
	if got := textOf(doc.Find(testid("run-totals")).Find("tbody td")); got != "250.00 USD250.00 USD" {
		t.Errorf("totals %q", got)
	}
	if doc.Find(testid("approve-link")).Length() != 0 {
		t.Error("a previewed run offers approval")
	}
	if got := textOf(doc.Find(testid("run-pending"))); !strings.Contains(got, "writes 1 ledger entry paying 250.00 USD") {
		t.Errorf("what approving pays: %q", got)
	}
	// Viewers may read but not request; support may not approve.
	viewer.get(path)
	if st, _ := viewer.send(path+"/request", nil); st != http.StatusForbidden {
		t.Errorf("viewer request: %d", st)
	}
	if st, _ := sup.send(path+"/approve", nil); st != http.StatusForbidden {
		t.Errorf("support approve: %d", st)
	}
	// No CSRF token: refused.
	if resp, _ := max.noFollow().post(path+"/request", url.Values{}, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("request without CSRF: %d", resp.StatusCode)
	}
	max.get(path)
	if st, _ := max.send(path+"/request", nil); st != http.StatusSeeOther {
		t.Fatalf("request: %d", st)
	}
	_, body = max.get(path)
	// Its requester is told it waits for another manager, and is offered
	// no approval; the confirmation step refuses them with 403.
	if doc := parseHTML(t, body); textOf(doc.Find(testid("run-state"))) != "Requested" || doc.Find(testid("approve-link")).Length() != 0 ||
		!strings.Contains(textOf(doc.Find(testid("run-waiting"))), "Waiting for a manager") {
		t.Fatalf("requested run page, for its requester: %q", textOf(doc.Find(testid("run-state"))))
	}
	if resp, body := max.get(path + "/approve"); resp.StatusCode != http.StatusForbidden || parseHTML(t, body).Find(testid("approve-form")).Length() != 0 ||
		!strings.Contains(body, "another manager must approve it") {
		t.Fatalf("the requester's confirmation step: %d", resp.StatusCode)
	}
	st, body := max.send(path+"/approve", nil)
	if st != http.StatusForbidden || !strings.Contains(body, "another manager must approve it") {
		t.Fatalf("self-approval: %d\n%s", st, body)
	}
	if env.count("ledger") != 0 {
		t.Fatal("self-approval wrote the ledger")
	}
	// Another manager follows "Approve…" to the confirmation step, which
	// shows the totals per currency and the lines, then issues it.
	_, body = zoe.get(path)
	link := parseHTML(t, body).Find(testid("approve-link")).AttrOr("href", "")
	if link != path+"/approve" {
		t.Fatalf("approve link %q", link)
	}
	resp, body = zoe.get(link)
	confirm := parseHTML(t, body)
	if resp.StatusCode != http.StatusOK || textOf(confirm.Find(testid("confirm-totals")).Find("tbody td")) != "250.00 USD250.00 USD" ||
		!strings.Contains(textOf(confirm.Find(testid("confirm-lines"))), "1 of them paying something") ||
		!strings.Contains(textOf(confirm.Find(testid("confirm-outstanding"))), "writes 1 ledger entry paying 250.00 USD") {
		t.Fatalf("confirmation step: %d %q %q", resp.StatusCode, textOf(confirm.Find(testid("confirm-totals"))), textOf(confirm.Find(testid("confirm-lines"))))
	}
	if env.count("ledger") != 0 {
		t.Fatal("the confirmation step wrote the ledger")
	}
	if st, _ := zoe.send(path+"/approve", nil); st != http.StatusSeeOther {
		t.Fatalf("approve: %d", st)
	}
	if resp, _ := zoe.get(path + "/approve"); resp.StatusCode != http.StatusConflict {
		t.Errorf("confirmation step of an issued run: %d", resp.StatusCode)
	}
	if st, _ := zoe.send(path+"/approve", nil); st != http.StatusConflict {
		t.Fatalf("second approval: %d", st)
	}
	if n := env.count("ledger"); n != 1 {
		t.Fatalf("%d ledger entries", n)
	}

	// A second preview is rejected by a manager, with a reason.
	sup.get("/admin/credits")
	resp, _ = sup.noFollow().post("/admin/credits/runs", url.Values{"month": {"2012-12"}, csrfField: {sup.csrf}}, nil)
	second := resp.Header.Get("Location")
	_, body = zoe.get(second)
	if got := textOf(parseHTML(t, body).Find(testid("run-pending"))); !strings.Contains(got, "pays nothing") {
		t.Errorf("what approving the second run pays: %q", got)
	}
	if st, _ := zoe.send(second+"/reject", url.Values{"reason": {""}}); st != http.StatusConflict && st != http.StatusUnprocessableEntity {
		t.Errorf("reject a previewed run without a reason: %d", st)
	}
	if st, _ := zoe.send(second+"/reject", url.Values{"reason": {"Charges are being corrected."}}); st != http.StatusSeeOther {
		t.Errorf("reject: %d", st)
	}
	_, body = zoe.get(second)
	if doc := parseHTML(t, body); !strings.Contains(textOf(doc.Find(testid("run-steps"))), "Rejected (Charges are being corrected.)") ||
		doc.Find(testid("run-pending")).Length() != 0 {
		t.Error("the rejection is not shown, or the rejected run still says what approving it pays")
	}

	// The runs list and the ledger page show it.
	_, body = viewer.get("/admin/credits")
	if got := textOf(parseHTML(t, body).Find(testid("run-row")).Last()); !strings.Contains(got, "December 2012") || !strings.Contains(got, "Approved and issued") {
		t.Errorf("runs list %q", got)
	}
	_, body = viewer.get("/admin/credits/ledger?customer=acme&period=2012-12")
	doc = parseHTML(t, body)
	if got := textOf(doc.Find(testid("ledger-amount"))); got != "250.00 USD" {
		t.Errorf("ledger amount %q", got)
	}
	if _, body = viewer.get("/admin/credits/ledger?customer=nobody"); parseHTML(t, body).Find(testid("ledger-row")).Length() != 0 {
		t.Error("the customer filter does not filter")
	}
	csvURL, _ := doc.Find(testid("ledger-csv")).Attr("href")
	resp, body = viewer.get(csvURL)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("ledger CSV type %q", ct)
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0][4] != "amount_minor" || recs[1][2] != "acme" || recs[1][4] != "25000" || recs[1][3] != "USD" || recs[1][5] != "tier" {
		t.Errorf("ledger CSV %q", recs)
	}
	_, body = viewer.get(path + ".csv")
	recs, err = csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// The CSV has every line, the one that credits nothing too.
	if len(recs) != 3 || recs[0][0] != "run" || recs[1][2] != "acme" || recs[1][6] != "99.8655" || recs[1][11] != "25000" ||
		recs[2][2] != "globex" || recs[2][11] != "0" {
		t.Errorf("run CSV %q", recs)
	}
}

// A CSV of resources or charges is stored whole, or with any bad row
// refused whole, every bad row named by line, nothing stored.
func TestAdminCustomerImport(t *testing.T) {
	env := newTestEnv(t)
	supportTok := env.token(auth.Support)
	env.api("POST", "/customers", supportTok, map[string]any{"id": "acme", "name": "Acme", "currency": "USD", "contact_email": "billing@acme.example"}).expect(t, http.StatusCreated)
	env.api("POST", "/customers", supportTok, map[string]any{"id": "yen", "name": "Yen Co", "currency": "JPY", "contact_email": "billing@yen.example"}).expect(t, http.StatusCreated)
	sup := env.user(auth.Support)
	sup.get("/admin/customers/import")

	bad := "customer,component,month,amount_minor,currency\n" +
		"acme,elb-us-east-1,2012-12,250000,USD\n" +
		"nobody,elb-us-east-1,2012-12,100,USD\n" +
		"acme,nowhere,2012-12,100,\n" +
		"yen,elb-us-east-1,2012-12,100,USD\n" +
		"acme,elb-us-east-1,2012-13,-5,USD\n"
	before := env.count("customer_charges")
	audits := env.lastAuditID()
	st, body := sup.upload("/admin/customers/import", "charges.csv", []byte(bad), true)
	if st != http.StatusUnprocessableEntity {
		t.Fatalf("bad CSV: %d", st)
	}
	var got []string
	parseHTML(t, body).Find(testid("import-problem")).Each(func(_ int, s *goquery.Selection) { got = append(got, textOf(s)) })
	want := []string{"Line 3: customer: unknown customer \"nobody\"", "Line 4: component: unknown component \"nowhere\"",
		"Line 5: currency: USD is not the currency of customer yen, which pays in JPY", "Line 6: month: \"2012-13\" is not a month such as 2012-12"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if env.count("customer_charges") != before || env.lastAuditID() != audits {
		t.Fatal("a refused import stored something")
	}
	// A wrong header, and a missing CSRF token, are refused too.
	if st, body := sup.upload("/admin/customers/import", "x.csv", []byte("a,b\n1,2\n"), true); st != http.StatusUnprocessableEntity || !strings.Contains(body, "must be the header") {
		t.Errorf("bad header: %d", st)
	}
	if st, _ := sup.upload("/admin/customers/import", "x.csv", []byte(bad), false); st != http.StatusForbidden {
		t.Errorf("no CSRF: %d", st)
	}
	big := append([]byte("customer,component,count,from,to\n"), bytes.Repeat([]byte("acme,elb-us-east-1,1,,\n"), (5<<20)/23+1)...)
	if st, body := sup.upload("/admin/customers/import", "big.csv", big, true); st != http.StatusUnprocessableEntity || !strings.Contains(body, "larger than 5 MiB") {
		t.Errorf("over 5 MiB: %d", st)
	}
	viewer := env.user(auth.Viewer)
	viewer.get("/admin/customers")
	if st, _ := viewer.upload("/admin/customers/import", "x.csv", []byte(bad), true); st != http.StatusForbidden {
		t.Errorf("viewer import: %d", st)
	}

	good := "customer,component,count,from,to\n" +
		"acme,elb-us-east-1,4,2012-01-01 00:00,\n" +
		"yen,elb-us-east-1,2,,2013-01-01T00:00:00Z\n"
	if st, _ := sup.upload("/admin/customers/import", "resources.csv", []byte(good), true); st != http.StatusSeeOther {
		t.Fatalf("good CSV: %d", st)
	}
	if n := env.count("customer_resources"); n != 2 {
		t.Fatalf("%d resources stored", n)
	}
	charges := "customer,component,month,amount_minor,currency\nacme,elb-us-east-1,2012-12,250000,USD\nyen,elb-us-east-1,2012-12,3000,\n"
	if st, _ := sup.upload("/admin/customers/import", "charges.csv", []byte(charges), true); st != http.StatusSeeOther {
		t.Fatalf("charges CSV: %d", st)
	}
	_, body = sup.get("/admin/customers/yen")
	doc := parseHTML(t, body)
	if got := textOf(doc.Find(testid("charge-row"))); !strings.Contains(got, "3,000 JPY") {
		t.Errorf("charges %q", got)
	}
	if doc.Find(testid("resource-row")).Length() != 1 {
		t.Error("resources not shown")
	}
	_, body = sup.get("/admin/customers?q=ACM")
	if rows := parseHTML(t, body).Find(testid("customer-row")); rows.Length() != 1 || !strings.Contains(textOf(rows), "acme") {
		t.Errorf("search: %q", textOf(rows))
	}
}

// The customers pages' forms: create, resource, charge (another currency
// is refused on its field), claim; role and CSRF checks.
func TestAdminCustomerForms(t *testing.T) {
	env := newTestEnv(t)
	sup := env.user(auth.Support)
	sup.get("/admin/customers")
	if st, _ := sup.send("/admin/customers", url.Values{"id": {"acme"}, "name": {"Acme"}, "currency": {"usd"}, "contact_email": {"billing@acme.example"}}); st != http.StatusSeeOther {
		t.Fatalf("create: %d", st)
	}
	st, body := sup.send("/admin/customers", url.Values{"id": {"Bad Id"}, "name": {"X"}, "currency": {"USD"}, "contact_email": {"x@example.com"}})
	if st != http.StatusUnprocessableEntity || fieldError(parseHTML(t, body), "id") == "" {
		t.Errorf("bad id: %d", st)
	}
	sup.get("/admin/customers/acme")
	if st, _ := sup.send("/admin/customers/acme/resources", url.Values{"component": {"elb-us-east-1"}, "count": {"4"}, "from": {"2012-01-01 00:00"}}); st != http.StatusSeeOther {
		t.Errorf("resource: %d", st)
	}
	st, body = sup.send("/admin/customers/acme/charges", url.Values{"component": {"elb-us-east-1"}, "month": {"2012-12"}, "amount_minor": {"x"}})
	if st != http.StatusUnprocessableEntity || formFieldError(parseHTML(t, body), "charge-form", "amount_minor") == "" {
		t.Errorf("bad charge: %d", st)
	}
	// The form takes the amount in the customer's currency; minor units are stored.
	if st, _ := sup.send("/admin/customers/acme/charges", url.Values{"component": {"elb-us-east-1"}, "month": {"2012-12"}, "amount_minor": {"2500.00"}}); st != http.StatusSeeOther {
		t.Errorf("charge: %d", st)
	}
	var charged int64
	if err := env.db.QueryRow(`SELECT amount_minor FROM customer_charges WHERE customer_id = 'acme' AND month = '2012-12'`).Scan(&charged); err != nil || charged != 250000 {
		t.Errorf("stored charge %d, %v", charged, err)
	}
	if st, body := sup.send("/admin/customers/acme/charges", url.Values{"component": {"elb-us-east-1"}, "month": {"2012-12"}, "amount_minor": {"2500.001"}}); st != http.StatusUnprocessableEntity ||
		!strings.Contains(formFieldError(parseHTML(t, body), "charge-form", "amount_minor"), "more than 2 decimals") {
		t.Errorf("a charge with 3 decimals: %d", st)
	}
	viewer := env.user(auth.Viewer)
	viewer.get("/admin/customers/acme")
	for _, p := range []string{"/admin/customers", "/admin/customers/acme/resources", "/admin/customers/acme/charges", "/admin/customers/acme/claims", "/admin/customers/acme/statement", "/admin/credits/runs"} {
		if st, _ := viewer.send(p, url.Values{}); st != http.StatusForbidden {
			t.Errorf("viewer POST %s: %d", p, st)
		}
		if resp, _ := sup.noFollow().post(p, url.Values{}, nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s without CSRF: %d", p, resp.StatusCode)
		}
	}
	_, body = viewer.get("/admin/customers/acme")
	doc := parseHTML(t, body)
	if !strings.Contains(textOf(doc.Find(testid("charge-row"))), "2,500.00 USD") || doc.Find(testid("charge-form")).Length() != 0 {
		t.Error("viewer's customer page")
	}
}

var statementURL = regexp.MustCompile(`/statement/[A-Za-z0-9_-]{43}`)

// The statement link works without login, shows the credit with its
// reason and the month's uptime, is private, and rotating it makes the old
// link 404 at once.
func TestStatementLink(t *testing.T) {
	env := newTestEnv(t)
	supportTok := env.token(auth.Support)
	maxTok := env.personToken("max@example.com", auth.Manager)
	zoeTok := env.personToken("zoe@example.com", auth.Manager)
	env.seedDesk(supportTok, maxTok)
	var run struct{ ID int64 }
	env.api("POST", "/credit-runs", supportTok, map[string]any{"month": "2012-12"}).expect(t, http.StatusCreated).decode(t, &run)
	env.api("POST", fmt.Sprintf("/credit-runs/%d/request", run.ID), maxTok, nil).expect(t, http.StatusOK)
	env.api("POST", fmt.Sprintf("/credit-runs/%d/approve", run.ID), zoeTok, nil).expect(t, http.StatusOK)

	sup := env.user(auth.Support)
	sup.get("/admin/customers/acme")
	st, body := sup.send("/admin/customers/acme/statement", nil)
	link := statementURL.FindString(body)
	if st != http.StatusOK || link == "" {
		t.Fatalf("rotate: %d, no link", st)
	}
	resp, page := env.publicGet(link)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("statement: %d", resp.StatusCode)
	}
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "private") || !strings.Contains(cc, "no-store") {
		t.Errorf("Cache-Control %q", cc)
	}
	if !strings.Contains(resp.Header.Get("X-Robots-Tag"), "noindex") || !strings.Contains(page, `<meta name="robots" content="noindex, nofollow">`) {
		t.Error("the statement may be indexed")
	}
	doc := parseHTML(t, page)
	credit := textOf(doc.Find(testid("statement-credit")))
	if !strings.Contains(credit, "250.00 USD") || !strings.Contains(credit, "uptime 99.8655% below 99.95%") {
		t.Errorf("credit %q", credit)
	}
	if got := textOf(doc.Find(testid("statement-line"))); !strings.Contains(got, "99.8655%") {
		t.Errorf("uptime line %q", got)
	}
	if doc.Find(testid("resource-row")).Length() != 1 {
		t.Error("resources not shown")
	}
	_, body = sup.get("/admin/customers/acme")
	if parseHTML(t, body).Find(testid("statement-made")).Length() != 1 {
		t.Error("the customer page does not say a link exists")
	}
	_, body = sup.send("/admin/customers/acme/statement", nil)
	next := statementURL.FindString(body)
	if next == "" || next == link {
		t.Fatal("rotating gave no new link")
	}
	if resp, _ := env.publicGet(link); resp.StatusCode != http.StatusNotFound {
		t.Errorf("old link: %d", resp.StatusCode)
	}
	if resp, _ := env.publicGet(next); resp.StatusCode != http.StatusOK {
		t.Errorf("new link: %d", resp.StatusCode)
	}
	if resp, _ := env.publicGet("/statement/guess"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("guessed link: %d", resp.StatusCode)
	}
	var raw string
	if err := env.db.QueryRow(`SELECT token_sha256 FROM customer_statement_links`).Scan(&raw); err != nil || strings.Contains(next, raw) || len(raw) != 64 {
		t.Errorf("stored %q (%v)", raw, err)
	}
}

// The audit page lists writes newest first, filters by actor, entity,
// action and date, shows before and after, and is for managers and admins.
func TestAdminAuditPage(t *testing.T) {
	env := newTestEnv(t)
	supportTok := env.token(auth.Support)
	env.api("POST", "/customers", supportTok, map[string]any{"id": "acme", "name": "Acme", "currency": "USD", "contact_email": "billing@acme.example"}).expect(t, http.StatusCreated)
	env.api("PUT", "/customers/acme", supportTok, map[string]any{"name": "Acme Corp", "currency": "USD", "contact_email": "billing@acme.example"}).expect(t, http.StatusOK)
	mgr := env.user(auth.Manager)
	_, body := mgr.get("/admin/audit?entity=customer")
	doc := parseHTML(t, body)
	rows := doc.Find(testid("audit-row"))
	if rows.Length() != 2 {
		t.Fatalf("%d customer rows", rows.Length())
	}
	if first := textOf(rows.First()); !strings.Contains(first, "customer.update") || !strings.Contains(first, "Acme Corp") || !strings.Contains(first, `"name": "Acme"`) {
		t.Errorf("newest row %q", first)
	}
	_, body = mgr.get("/admin/audit?action=customer.create&actor=SUPPORT")
	if rows := parseHTML(t, body).Find(testid("audit-row")); rows.Length() != 1 {
		t.Errorf("action+actor filter: %d rows", rows.Length())
	}
	// The action filter offers the actions the log holds, in words, with the chosen one selected.
	picker := parseHTML(t, body).Find(`select[name="action"]`)
	if got := picker.Find(`option[value="customer."]`).Text(); got != "Customer: every action" {
		t.Errorf("the prefix option reads %q", got)
	}
	if got := picker.Find(`option[selected]`); got.AttrOr("value", "") != "customer.create" || got.Text() != "Customer: create" {
		t.Errorf("selected action %q %q", got.AttrOr("value", ""), got.Text())
	}
	_, body = mgr.get("/admin/audit?action=customer.")
	if rows := parseHTML(t, body).Find(testid("audit-row")); rows.Length() != 2 {
		t.Errorf("action prefix: %d rows", rows.Length())
	}
	_, body = mgr.get("/admin/audit?entity=customer&from=2012-12-25")
	if rows := parseHTML(t, body).Find(testid("audit-row")); rows.Length() != 0 {
		t.Errorf("from filter: %d rows", rows.Length())
	}
	_, body = mgr.get("/admin/audit?entity=customer&from=2012-12-24&to=2012-12-24")
	if rows := parseHTML(t, body).Find(testid("audit-row")); rows.Length() != 2 {
		t.Errorf("date filter: %d rows", rows.Length())
	}
	if resp, _ := mgr.get("/admin/audit?from=yesterday"); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("bad date: %d", resp.StatusCode)
	}
	if resp, _ := env.user(auth.Support).get("/admin/audit"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("support: %d", resp.StatusCode)
	}
	if resp, _ := env.user(auth.Admin).get("/admin/audit"); resp.StatusCode != http.StatusOK {
		t.Errorf("admin: %d", resp.StatusCode)
	}
}

// acmeStatementLink is the link to acme's statement, as support makes it.
func acmeStatementLink(t *testing.T, env *testEnv) string {
	t.Helper()
	sup := env.user(auth.Support)
	sup.get("/admin/customers/acme")
	_, body := sup.send("/admin/customers/acme/statement", nil)
	link := statementURL.FindString(body)
	if link == "" {
		t.Fatal("no statement link")
	}
	return link
}

// statementDecember reads the statement at link, and returns it and its
// first line of December 2012.
func statementDecember(t *testing.T, env *testEnv, link string) (*goquery.Document, *goquery.Selection) {
	t.Helper()
	resp, page := env.publicGet(link)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("statement: %d", resp.StatusCode)
	}
	doc := parseHTML(t, page)
	var line *goquery.Selection
	doc.Find(testid("statement-month")).Each(func(_ int, m *goquery.Selection) {
		if strings.TrimSpace(m.Find("caption").Text()) == "December 2012" {
			line = m.Find(testid("statement-line")).First()
		}
	})
	if line == nil || line.Length() == 0 {
		t.Fatal("no 2012-12 line on the statement")
	}
	return doc, line
}

// A month's credit the ledger does not hold yet shows on the statement as
// owed and not yet issued, outside the paid total; once the month's run is
// requested and approved by two people it shows as paid, in the paid
// total, and nothing is owed any more.
func TestStatementPaidAndOwed(t *testing.T) {
	env := newTestEnv(t)
	supportTok := env.token(auth.Support)
	maxTok := env.personToken("max@example.com", auth.Manager)
	zoeTok := env.personToken("zoe@example.com", auth.Manager)
	env.seedDesk(supportTok, maxTok)
	link := acmeStatementLink(t, env)
	look := func() (status, credit, paid, owed string) {
		t.Helper()
		doc, line := statementDecember(t, env, link)
		return textOf(line.Find(testid("statement-line-status"))), textOf(line.Find("td.num").Eq(2)),
			textOf(doc.Find(testid("statement-total"))), textOf(doc.Find(testid("statement-owed")))
	}

	status, credit, paid, owed := look()
	if status != "Owed, not yet issued" || credit != "250.00 USD" {
		t.Errorf("before the run: status %q, credit %q", status, credit)
	}
	if !strings.Contains(owed, "Owed, not yet issued") || !strings.Contains(owed, "250.00 USD") {
		t.Errorf("before the run, owed %q", owed)
	}
	if !strings.Contains(paid, "0.00 USD") || strings.Contains(paid, "250.00") {
		t.Errorf("before the run, paid %q", paid)
	}

	var run struct{ ID int64 }
	env.api("POST", "/credit-runs", supportTok, map[string]any{"month": "2012-12"}).expect(t, http.StatusCreated).decode(t, &run)
	env.api("POST", fmt.Sprintf("/credit-runs/%d/request", run.ID), maxTok, nil).expect(t, http.StatusOK)
	if status, _, _, owed := look(); status != "Owed, not yet issued" || !strings.Contains(owed, "250.00 USD") {
		t.Errorf("requested, not approved: status %q, owed %q", status, owed)
	}
	env.api("POST", fmt.Sprintf("/credit-runs/%d/approve", run.ID), zoeTok, nil).expect(t, http.StatusOK)

	status, credit, paid, owed = look()
	if status != "Paid" || credit != "250.00 USD" {
		t.Errorf("after the run: status %q, credit %q", status, credit)
	}
	if !strings.Contains(paid, "250.00 USD") {
		t.Errorf("after the run, paid %q", paid)
	}
	if owed != "" {
		t.Errorf("after the run, still owed %q", owed)
	}
}

// A charge corrected after its month was paid: the statement's line shows
// the credit as it is now (beside its reason), what the ledger paid, and
// the difference, which the statement's owed total counts, as a run of
// the month would pay it; once that run is approved the line is "Paid"
// again with nothing owed. A correction downwards is not owed, and the
// line says the ledger holds more than is due now.
func TestStatementOwesWhatACorrectionAdds(t *testing.T) {
	env := newTestEnv(t)
	supportTok := env.token(auth.Support)
	maxTok := env.personToken("max@example.com", auth.Manager)
	zoeTok := env.personToken("zoe@example.com", auth.Manager)
	env.seedDesk(supportTok, maxTok)
	link := acmeStatementLink(t, env)
	look := func() (status, credit, reason, owed string) {
		t.Helper()
		doc, line := statementDecember(t, env, link)
		return textOf(line.Find(testid("statement-line-status"))), textOf(line.Find("td.num").Eq(2)), textOf(line),
			textOf(doc.Find(testid("statement-owed")))
	}
	charge := func(minor int64) {
		t.Helper()
		env.api("POST", "/customers/acme/charges", supportTok, map[string]any{"component": "elb-us-east-1", "month": "2012-12", "amount_minor": minor}).expect(t, http.StatusOK)
	}

	env.payRun(supportTok, zoeTok, map[string]any{"month": "2012-12"})
	if status, credit, _, owed := look(); status != "Paid" || credit != "250.00 USD" || owed != "" {
		t.Fatalf("paid: status %q, credit %q, owed %q", status, credit, owed)
	}

	charge(300000) // 3,000.00 USD: 10% is 300.00
	status, credit, reason, owed := look()
	if status != "250.00 USD paid, 50.00 USD owed, not yet issued" || credit != "300.00 USD" || !strings.Contains(reason, "10% of 3,000.00 USD") {
		t.Errorf("corrected upwards: status %q, credit %q, line %q", status, credit, reason)
	}
	if !strings.Contains(owed, "50.00 USD") || strings.Contains(owed, "300.00") {
		t.Errorf("corrected upwards, owed %q, want the 50.00 USD a run would pay", owed)
	}

	second := env.payRun(supportTok, zoeTok, map[string]any{"month": "2012-12"})
	if second.Issued == nil || second.Issued.Entries != 1 || second.Issued.Totals[0].PayableMinor != 5000 {
		t.Fatalf("the second run issued %+v, want the 50.00 USD the statement owed", second.Issued)
	}
	if status, credit, _, owed := look(); status != "Paid" || credit != "300.00 USD" || owed != "" {
		t.Errorf("after the second run: status %q, credit %q, owed %q", status, credit, owed)
	}

	charge(200000) // 2,000.00 USD: 10% is 200.00
	if status, credit, _, owed := look(); status != "300.00 USD paid, 100.00 USD above what is due now" || credit != "200.00 USD" || owed != "" {
		t.Errorf("corrected downwards: status %q, credit %q, owed %q", status, credit, owed)
	}
}
