package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/amends/amends/desk"
)

// TestCreditDeskAcceptance is the credit desk's "done when", on the demo
// data through the binary's own server and pages: a support user previews
// December 2012 and requests it, a manager approves it; the ledger then
// holds, customer by customer, service by service and currency by
// currency, exactly what `amends sla scenario --month 2012-12` piped into
// `amends sla evaluate` gives; a second run of the month has nothing to pay
// and writes nothing; the April 2011 goodwill reaches every customer that
// had an EBS volume or RDS instance in the zone during the incident, and no
// one else; and a customer's statement link shows all of it without login.
func TestCreditDeskAcceptance(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "amends.db")
	base, link, _ := startServeOn(t, db)

	// The admin adds a support user and a manager; each signs in.
	admin := newWebClient(t, base)
	admin.becomeFirstAdmin(link)
	const password = "a long enough password"
	for _, u := range []struct{ email, name, role string }{
		{"sam@example.com", "Sam Support", "support"},
		{"max@example.com", "Max Manager", "manager"},
	} {
		resp := admin.post("/admin/users", admin.get("/admin/users"), url.Values{
			"email": {u.email}, "name": {u.name}, "role": {u.role}, "password": {password}})
		if resp.Request.URL.Path != "/admin/users" || resp.StatusCode != 200 {
			t.Fatalf("adding %s ended at %s (%d)", u.email, resp.Request.URL, resp.StatusCode)
		}
	}
	support, manager := newWebClient(t, base), newWebClient(t, base)
	support.signIn("sam@example.com", password)
	manager.signIn("max@example.com", password)
	var token bytes.Buffer
	if code := run2(ctx, []string{"token", "create", "--db", db, "--user", "sam@example.com", "--name", "acceptance"}, nil, &token, &bytes.Buffer{}); code != 0 {
		t.Fatalf("token create: exit %d", code)
	}
	api := &apiClient{t: t, base: base, token: strings.TrimSpace(token.String())}

	// December 2012: support previews and requests, the manager approves.
	dec := support.previewMonth("2012-12")
	if page := support.get(dec); !strings.Contains(page, `data-testid="request-form"`) || strings.Contains(page, `data-testid="approve-form"`) {
		t.Fatalf("the support user's view of the previewed run:\n%s", page)
	}
	if pending := pendingText(t, support.get(dec)); !strings.Contains(pending, "ledger entries") {
		t.Errorf("the first run's page says approving pays %q", pending)
	}
	support.runAction(dec, "request")
	if status := support.postStatus(dec+"/approve", support.get(dec), url.Values{}); status != http.StatusForbidden {
		t.Errorf("the support user approving: %d, want 403", status)
	}
	manager.runAction(dec, "approve")
	if page := manager.get(dec); !strings.Contains(page, "Approved and issued") {
		t.Fatalf("the run is not issued after approval:\n%s", page)
	}
	var decRun struct {
		Run desk.CreditRun `json:"run"`
	}
	api.call("GET", "/api/v1/credit-runs/"+path.Base(dec), nil, &decRun, http.StatusOK)

	// The ledger equals the engine on the exported scenario.
	ledger := manager.ledgerCSV("period=2012-12")
	paid := map[string]int64{}
	for _, e := range ledger {
		if e["kind"] != "tier" {
			t.Errorf("ledger entry %s of the first run is %s", e["id"], e["kind"])
		}
		paid[e["customer"]+" "+e["service"]+" "+e["currency"]] += mustInt(t, e["amount_minor"])
	}
	asOf := decRun.Run.AsOf.Format(time.RFC3339)
	decEval := scenarioEvaluate(t, ctx, "--month", "2012-12", "--as-of", asOf, "--db", db)
	owed := map[string]int64{}
	for _, c := range decEval.Customers {
		for _, s := range c.Services {
			if s.CreditMinor != 0 {
				owed[c.ID+" "+s.Service+" "+c.Currency] = s.CreditMinor
			}
		}
	}
	if len(owed) < 3 || len(decEval.Customers) < 30 {
		t.Fatalf("December 2012 should pay several credits to the demo's customers: %d customers, credits %v", len(decEval.Customers), owed)
	}
	for _, k := range sortedKeys(owed, paid) {
		if owed[k] != paid[k] {
			t.Errorf("%s: the ledger holds %d, sla evaluate gives %d", k, paid[k], owed[k])
		}
	}

	// The manager's dashboard shows what December 2012 paid for ELB: per
	// currency, the ledger's sum, entries and customers.
	type paidSum struct {
		minor     int64
		entries   int
		customers map[string]bool
	}
	elb := map[string]*paidSum{}
	for _, e := range ledger {
		if e["service"] != "ELB" {
			continue
		}
		p := elb[e["currency"]]
		if p == nil {
			p = &paidSum{customers: map[string]bool{}}
			elb[e["currency"]] = p
		}
		p.minor += mustInt(t, e["amount_minor"])
		p.entries++
		p.customers[e["customer"]] = true
	}
	if len(elb) == 0 {
		t.Fatal("December 2012 paid nothing for ELB")
	}
	rows, err := csv.NewReader(strings.NewReader(manager.get("/admin/dashboard.csv?table=credits&month=2012-12&service=ELB"))).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("dashboard credits CSV: %v, %v", rows, err)
	}
	currencies := 0
	for _, r := range rows[1:] {
		if r[0] != "December 2012" {
			continue
		}
		currencies++
		p := elb[r[1]]
		if p == nil || r[2] != desk.FormatMoney(p.minor, r[1]) || r[3] != strconv.Itoa(p.entries) || r[4] != strconv.Itoa(len(p.customers)) {
			t.Errorf("the dashboard shows December 2012 %v; the ledger holds %+v", r, p)
		}
	}
	if currencies != len(elb) {
		t.Errorf("the dashboard shows %d currencies for December 2012, the ledger %d", currencies, len(elb))
	}

	// A second run of the month has nothing to pay and writes nothing.
	again := support.previewMonth("2012-12")
	if again == dec {
		t.Fatal("the second preview did not make a new run")
	}
	if pending := pendingText(t, support.get(again)); !strings.Contains(pending, "pays nothing") {
		t.Errorf("the second run's page says approving pays %q", pending)
	}
	support.runAction(again, "request")
	manager.runAction(again, "approve")
	var againRun struct {
		Run desk.CreditRun `json:"run"`
	}
	api.call("GET", "/api/v1/credit-runs/"+path.Base(again), nil, &againRun, http.StatusOK)
	if againRun.Run.State != desk.RunIssued || againRun.Run.Issued == nil || againRun.Run.Issued.Entries != 0 {
		t.Errorf("the second run: %+v", againRun.Run)
	}
	if n := len(manager.ledgerCSV("period=2012-12")); n != len(ledger) {
		t.Errorf("the ledger of 2012-12 has %d entries after the second run, %d before", n, len(ledger))
	}

	// April 2011: the demo's approved goodwill, previewed by API, approved
	// by the manager on the run page.
	april := demoIncidentNamed(t, api, "Stuck volumes")
	var grants struct {
		Items []desk.GoodwillGrant `json:"items"`
	}
	api.call("GET", fmt.Sprintf("/api/v1/incidents/%d/goodwill", april.ID), nil, &grants, http.StatusOK)
	if len(grants.Items) != 1 || grants.Items[0].State != desk.GoodwillApproved {
		t.Fatalf("the April 2011 incident's grants: %+v", grants.Items)
	}
	grant := grants.Items[0]
	var gwRun desk.CreditRun
	api.call("POST", "/api/v1/credit-runs", map[string]any{"incident": april.ID}, &gwRun, http.StatusCreated)
	gw := runPath(gwRun.ID)
	support.runAction(gw, "request")
	manager.runAction(gw, "approve")

	// Who should have it, from the demo's own data: every customer with an
	// EBS or RDS resource in the zone at some instant of the incident, for
	// the grant's days of its April charges in the grant's scope.
	var comps struct {
		Items []struct{ ID, Service, Zone string } `json:"items"`
	}
	api.call("GET", "/api/v1/components", nil, &comps, http.StatusOK)
	service, zoneOf := map[string]string{}, map[string]string{}
	for _, c := range comps.Items {
		service[c.ID], zoneOf[c.ID] = c.Service, c.Zone
	}
	zone := ""
	for _, c := range grant.Components {
		if zone != "" && zoneOf[c] != zone || zoneOf[c] == "" {
			t.Fatalf("the grant's components %v are not in one zone", grant.Components)
		}
		zone = zoneOf[c]
	}
	from, to := april.StartedAt, *april.ResolvedAt
	var customers struct {
		Items []desk.Account `json:"items"`
	}
	api.call("GET", "/api/v1/customers", nil, &customers, http.StatusOK)
	wantGoodwill := map[string]int64{}
	var outside []string // customers in the zone without EBS or RDS there
	for _, a := range customers.Items {
		var res struct {
			Items []desk.AccountResource `json:"items"`
		}
		api.call("GET", "/api/v1/customers/"+a.ID+"/resources", nil, &res, http.StatusOK)
		eligible, inZone := false, false
		for _, r := range res.Items {
			during := r.Count > 0 && (r.From == nil || r.From.Before(to)) && (r.To == nil || r.To.After(from))
			if zoneOf[r.Component] != zone || !during {
				continue
			}
			inZone = true
			if s := service[r.Component]; s == "EBS" || s == "RDS" {
				eligible = true
			}
		}
		if !eligible {
			if inZone {
				outside = append(outside, a.ID)
			}
			continue
		}
		var charges struct {
			Items []desk.AccountCharge `json:"items"`
		}
		api.call("GET", "/api/v1/customers/"+a.ID+"/charges?month=2011-04", nil, &charges, http.StatusOK)
		var scope int64
		for _, ch := range charges.Items {
			if slices.Contains(grant.Components, ch.Component) && slices.Contains(grant.Services, service[ch.Component]) {
				scope += ch.AmountMinor
			}
		}
		// days of April's 30, rounded half away from zero.
		wantGoodwill[a.ID] = (2*scope*grant.Days + 30) / 60
	}
	if len(wantGoodwill) < 5 || len(outside) == 0 {
		t.Fatalf("the demo should have several eligible customers (%v) and some in the zone without EBS or RDS (%v)", wantGoodwill, outside)
	}
	gotGoodwill := map[string]int64{}
	for _, e := range manager.ledgerCSV("run=" + strconv.FormatInt(gwRun.ID, 10)) {
		if e["kind"] != "goodwill" || e["period"] != "2011-04" || e["incident"] != strconv.FormatInt(april.ID, 10) {
			t.Errorf("goodwill ledger entry %v", e)
		}
		gotGoodwill[e["customer"]] += mustInt(t, e["amount_minor"])
	}
	for _, k := range sortedKeys(wantGoodwill, gotGoodwill) {
		if wantGoodwill[k] != gotGoodwill[k] {
			t.Errorf("goodwill of %s: the ledger holds %d, want %d", k, gotGoodwill[k], wantGoodwill[k])
		}
	}
	// The goodwill run exported as a scenario gives the same credits.
	gwEval := scenarioEvaluate(t, ctx, "--incident", strconv.FormatInt(april.ID, 10), "--as-of", gwRun.AsOf.Format(time.RFC3339), "--db", db)
	evaluated, reached := map[string]int64{}, map[string]int64{}
	for _, c := range gwEval.Customers {
		if len(c.Services) != 0 {
			t.Errorf("the goodwill scenario gives %s tier figures: %+v", c.ID, c.Services)
		}
		for _, g := range c.Goodwill {
			if g.Incident != strconv.FormatInt(april.ID, 10) || g.Days != grant.Days {
				t.Errorf("%s: goodwill %+v", c.ID, g)
			}
			reached[c.ID] = 1
			if g.CreditMinor != 0 {
				evaluated[c.ID] += g.CreditMinor
			}
		}
	}
	for _, k := range sortedKeys(evaluated, gotGoodwill) {
		if evaluated[k] != gotGoodwill[k] {
			t.Errorf("goodwill of %s: the ledger holds %d, sla evaluate gives %d", k, gotGoodwill[k], evaluated[k])
		}
	}
	for _, k := range sortedKeys(reached, wantGoodwill) {
		if _, ok := wantGoodwill[k]; !ok || reached[k] == 0 {
			t.Errorf("sla evaluate gives goodwill to %v, want %v", reached, wantGoodwill)
			break
		}
	}

	// One such customer's statement, without login.
	var who string
	for _, k := range sortedKeys(gotGoodwill) {
		for p := range paid {
			if strings.HasPrefix(p, k+" ") && who == "" {
				who = k
			}
		}
	}
	if who == "" {
		t.Fatal("no customer has both December 2012 credits and the April 2011 goodwill")
	}
	link = manager.rotateStatement(who)
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "no-store") {
		t.Fatalf("statement: %d, Cache-Control %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	cells := func(sel *goquery.Selection) []string {
		var out []string
		sel.Find("th, td").Each(func(_ int, c *goquery.Selection) { out = append(out, strings.Join(strings.Fields(c.Text()), " ")) })
		return out
	}

	var res struct {
		Items []desk.AccountResource `json:"items"`
	}
	api.call("GET", "/api/v1/customers/"+who+"/resources", nil, &res, http.StatusOK)
	// The statement names components and services as the status page does.
	var catalog struct {
		Items []struct{ ID, Name, Service string } `json:"items"`
	}
	api.call("GET", "/api/v1/components", nil, &catalog, http.StatusOK)
	var services struct {
		Items []struct{ ID, Name string } `json:"items"`
	}
	api.call("GET", "/api/v1/services", nil, &services, http.StatusOK)
	name := map[string]string{}
	for _, c := range catalog.Items {
		name[c.ID] = c.Name
	}
	for _, s := range services.Items {
		name["service "+s.ID] = s.Name
	}
	var shown [][]string
	doc.Find(`[data-testid="resource-row"]`).Each(func(_ int, r *goquery.Selection) { shown = append(shown, cells(r)) })
	for _, r := range res.Items {
		if !slices.ContainsFunc(shown, func(row []string) bool {
			return row[0] == name[r.Component] && row[1] == strconv.FormatInt(r.Count, 10)
		}) {
			t.Errorf("the statement lacks the resource %s × %d: %v", r.Component, r.Count, shown)
		}
	}

	// Uptime per service per month, as the engine gives it.
	aprEval := scenarioEvaluate(t, ctx, "--month", "2011-04", "--as-of", asOf, "--db", db)
	months := map[string]map[string][]string{}
	doc.Find(`[data-testid="statement-month"]`).Each(func(_ int, m *goquery.Selection) {
		rows := map[string][]string{}
		m.Find(`[data-testid="statement-line"]`).Each(func(_ int, r *goquery.Selection) { c := cells(r); rows[c[0]] = c })
		months[strings.TrimSpace(m.Find("caption").Text())] = rows
	})
	for month, ev := range map[string]evalResult{"December 2012": decEval, "April 2011": aprEval} {
		found := false
		for _, c := range ev.Customers {
			if c.ID != who {
				continue
			}
			found = true
			for _, s := range c.Services {
				row := months[month][name["service "+s.Service]]
				if len(row) < 4 || row[1] != s.UptimePercent+"%" || row[3] != desk.FormatMoney(s.CreditMinor, c.Currency) {
					t.Errorf("%s %s on the statement: %v; sla evaluate: uptime %s%%, credit %d", month, s.Service, row, s.UptimePercent, s.CreditMinor)
				}
			}
			if len(months[month]) != len(c.Services) {
				t.Errorf("%s on the statement: %v; sla evaluate has %d services", month, months[month], len(c.Services))
			}
		}
		if !found {
			t.Errorf("%s is not in the scenario of %s", who, month)
		}
	}

	// Every credit the ledger holds for the customer, with its reason: the
	// December 2012 tier credits and the April 2011 goodwill.
	var credits [][]string
	doc.Find(`[data-testid="statement-credit"]`).Each(func(_ int, r *goquery.Selection) { credits = append(credits, cells(r)) })
	var mine []map[string]string
	kinds := map[string]bool{}
	for _, e := range manager.ledgerCSV("customer=" + who) {
		mine = append(mine, e)
		kinds[e["kind"]+" "+e["period"]] = true
		amount := desk.FormatMoney(mustInt(t, e["amount_minor"]), e["currency"])
		if !slices.ContainsFunc(credits, func(row []string) bool {
			month, _ := time.Parse("2006-01", e["period"])
			return len(row) >= 4 && row[0] == month.Format("January 2006") && row[2] == amount && row[3] == e["reason"]
		}) {
			t.Errorf("the statement lacks the credit %s %s %s %q: %v", e["period"], e["service"], amount, e["reason"], credits)
		}
	}
	if !kinds["tier 2012-12"] || !kinds["goodwill 2011-04"] || len(credits) != len(mine) {
		t.Errorf("the statement shows %d credits, the ledger holds %v", len(credits), mine)
	}
	for _, row := range credits {
		if row[0] == "2011-04" && !strings.Contains(row[3], "goodwill") {
			t.Errorf("the April 2011 credit's reason: %q", row[3])
		}
	}
}

// signIn signs in on /login as email.
func (w *webClient) signIn(email, password string) {
	w.t.Helper()
	resp := w.post("/login", w.get("/login"), url.Values{"email": {email}, "password": {password}})
	if resp.Request.URL.Path != "/admin" || resp.StatusCode != 200 {
		w.t.Fatalf("signing in as %s ended at %s (%d)", email, resp.Request.URL, resp.StatusCode)
	}
}

// postStatus posts form from page and returns the final status.
func (w *webClient) postStatus(path, page string, form url.Values) int {
	w.t.Helper()
	return w.post(path, page, form).StatusCode
}

// previewMonth previews month on /admin/credits and returns the run's path.
func (w *webClient) previewMonth(month string) string {
	w.t.Helper()
	resp := w.post("/admin/credits/runs", w.get("/admin/credits"), url.Values{"month": {month}})
	if resp.StatusCode != 200 || !regexp.MustCompile(`^/admin/credits/runs/\d+$`).MatchString(resp.Request.URL.Path) {
		w.t.Fatalf("previewing %s ended at %s (%d)", month, resp.Request.URL, resp.StatusCode)
	}
	return resp.Request.URL.Path
}

// runAction posts the run page's form for action (request, approve: the
// form of the confirmation step the run page links to).
func (w *webClient) runAction(run, action string) {
	w.t.Helper()
	page := w.get(run)
	if action == "approve" {
		if !strings.Contains(page, `data-testid="approve-link"`) {
			w.t.Fatalf("the page of %s has no approve link:\n%s", run, page)
		}
		page = w.get(run + "/approve")
	}
	if !strings.Contains(page, `data-testid="`+action+`-form"`) {
		w.t.Fatalf("the page of %s has no %s form:\n%s", run, action, page)
	}
	resp := w.post(run+"/"+action, page, url.Values{})
	if resp.StatusCode != 200 || resp.Request.URL.Path != run {
		w.t.Fatalf("%s %s ended at %s (%d)", action, run, resp.Request.URL, resp.StatusCode)
	}
}

// ledgerCSV downloads /admin/credits/ledger.csv?query as one map per row.
func (w *webClient) ledgerCSV(query string) []map[string]string {
	w.t.Helper()
	rows, err := csv.NewReader(strings.NewReader(w.get("/admin/credits/ledger.csv?" + query))).ReadAll()
	if err != nil || len(rows) == 0 {
		w.t.Fatalf("ledger.csv?%s: %v", query, err)
	}
	var out []map[string]string
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

// rotateStatement makes customer's statement link on its page and returns it.
func (w *webClient) rotateStatement(customer string) string {
	w.t.Helper()
	page := w.get("/admin/customers/" + customer)
	m := csrfValue.FindStringSubmatch(page)
	if m == nil {
		w.t.Fatal("no CSRF token on the customer page")
	}
	resp, err := w.client.PostForm(w.base+"/admin/customers/"+customer+"/statement", url.Values{"_csrf": {m[1]}})
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	link := regexp.MustCompile(`data-testid="statement-url">([^<]+)<`).FindSubmatch(b)
	if resp.StatusCode != 200 || link == nil {
		w.t.Fatalf("making the statement link of %s: %d\n%s", customer, resp.StatusCode, b)
	}
	return string(link[1])
}

// pendingText is what a run's page says approving it now would pay.
func pendingText(t *testing.T, page string) string {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	sel := doc.Find(`[data-testid="run-pending"]`)
	if sel.Length() != 1 {
		t.Errorf("the run page does not say what approving it pays (%d elements)", sel.Length())
	}
	return strings.Join(strings.Fields(sel.Text()), " ")
}

func runPath(id int64) string { return "/admin/credits/runs/" + strconv.FormatInt(id, 10) }

// apiClient calls the JSON API with a bearer token.
type apiClient struct {
	t     *testing.T
	base  string
	token string
}

// call sends body as JSON, fails unless the status is want, and decodes
// the answer into out.
func (a *apiClient) call(method, path string, body, out any, want int) {
	a.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, a.base+path, r)
	req.Header.Set("Authorization", "Bearer "+a.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		a.t.Fatalf("%s %s: %d, want %d\n%s", method, path, resp.StatusCode, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			a.t.Fatalf("%s %s: %v\n%s", method, path, err, b)
		}
	}
}

type demoIncidentJSON struct {
	ID         int64      `json:"id"`
	Title      string     `json:"title"`
	StartedAt  time.Time  `json:"started_at"`
	ResolvedAt *time.Time `json:"resolved_at"`
}

// demoIncidentNamed finds the resolved incident whose title starts with title.
func demoIncidentNamed(t *testing.T, api *apiClient, title string) demoIncidentJSON {
	t.Helper()
	for page := 1; page < 100; page++ {
		var list struct {
			Items []demoIncidentJSON `json:"items"`
		}
		api.call("GET", fmt.Sprintf("/api/v1/incidents?state=resolved&page=%d", page), nil, &list, http.StatusOK)
		if len(list.Items) == 0 {
			break
		}
		for _, inc := range list.Items {
			if strings.HasPrefix(inc.Title, title) && inc.ResolvedAt != nil {
				return inc
			}
		}
	}
	t.Fatalf("no resolved incident is called %q…", title)
	return demoIncidentJSON{}
}

// evalResult is the part of `amends sla evaluate`'s output these tests read.
type evalResult struct {
	Customers []struct {
		ID       string `json:"id"`
		Currency string `json:"currency"`
		Services []struct {
			Service       string `json:"service"`
			UptimePercent string `json:"uptime_percent"`
			CreditMinor   int64  `json:"credit_minor"`
		} `json:"services"`
		Goodwill []struct {
			Incident    string `json:"incident"`
			Days        int64  `json:"days"`
			CreditMinor int64  `json:"credit_minor"`
		} `json:"goodwill"`
	} `json:"customers"`
}

// scenarioEvaluate runs `amends sla scenario ARGS | amends sla evaluate -`.
func scenarioEvaluate(t *testing.T, ctx context.Context, args ...string) evalResult {
	t.Helper()
	var scen, out, errOut bytes.Buffer
	if code := run2(ctx, append([]string{"sla", "scenario"}, args...), nil, &scen, &errOut); code != 0 {
		t.Fatalf("sla scenario %v: exit %d: %s", args, code, errOut.String())
	}
	if code := run2(ctx, []string{"sla", "evaluate", "-"}, &scen, &out, &errOut); code != 0 {
		t.Fatalf("sla evaluate (%v): exit %d: %s", args, code, errOut.String())
	}
	var res evalResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	return res
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("%q is not an integer", s)
	}
	return n
}

// sortedKeys returns the keys of every map, sorted, each once.
func sortedKeys(ms ...map[string]int64) []string {
	var out []string
	for _, m := range ms {
		for k := range m {
			if !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	slices.Sort(out)
	return out
}
