package main

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestPagesAreValidHTML fetches every kind of page from the demo, public
// and admin, and runs html-validate (installed by .ci/run with npm into
// scripts/node_modules) over them with its recommended rules.
func TestPagesAreValidHTML(t *testing.T) {
	validator, err := filepath.Abs("../../scripts/node_modules/.bin/html-validate")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(validator); err != nil {
		t.Fatal("html-validate is not installed: run `npm ci --prefix scripts` (CI's .ci/run does)")
	}
	base, link, _ := startServe(t)
	web := newWebClient(t, base)
	pages := []string{"/", "/uptime", "/uptime?year=2012", "/history", "/incidents/1", "/incidents/2", "/incidents/2/explanation", "/login", "/subscribe"}
	var files []string
	save := func(path string) {
		name := filepath.Join(t.TempDir(), fmt.Sprintf("page-%02d.html", len(files)))
		var page string
		if p, ok := strings.CutPrefix(path, "403:"); ok {
			// A page that refuses this user, with the reason.
			resp, err := web.client.Get(base + p)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("GET %s: %d, want 403", p, resp.StatusCode)
			}
			page = string(b)
		} else {
			page = web.get(path)
		}
		if err := os.WriteFile(name, []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, name)
		t.Logf("%s is %s", name, path)
	}
	for _, p := range pages {
		save(p)
	}
	web.becomeFirstAdmin(link)
	for _, p := range []string{"/admin", "/admin/incidents", "/admin/incidents/new", "/admin/incidents/2", "/admin/incidents/2/correct",
		"/admin/incidents/2/explanation", "/admin/maintenance", "/admin/services", "/admin/users", "/admin/account",
		"/admin/incident-templates", "/admin/incident-templates/new", "/admin/incident-templates/1", "/admin/incidents/new?template=1"} {
		save(p)
	}
	for _, p := range seedOutbox(web) {
		save(p)
	}
	for _, p := range seedDeskPages(web) {
		save(p)
	}
	for _, p := range seedGoodwillPages(web) {
		save(p)
	}
	// The SLA dashboard and report, after the desk has its data.
	for _, p := range dashboardPages {
		save(p)
	}
	args := append([]string{"--config", "../../scripts/.htmlvalidate.json"}, files...)
	out, err := exec.Command(validator, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("html-validate found problems (%v):\n%s", err, out)
	}
}

var statementLink = regexp.MustCompile(`/statement/[A-Za-z0-9_-]{43}`)

// seedDeskPages stores, through the admin pages, a customer with
// resources and a December 2012 charge, previews that month, makes a
// statement link, a policy override, a manual credit threshold and two
// manual credits, and returns the credit desk's pages to check: the
// lists, the customer, the run, the ledger, the audit log, the statement,
// the policies, one policy, the manual credits and the settings.
func seedDeskPages(w *webClient) []string {
	w.t.Helper()
	page := w.get("/admin/customers")
	landed := func(resp *http.Response, what string) {
		w.t.Helper()
		if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/admin/customers/pagecheck" {
			w.t.Fatalf("%s: %d at %s", what, resp.StatusCode, resp.Request.URL.Path)
		}
	}
	landed(w.post("/admin/customers", page, url.Values{"id": {"pagecheck"}, "name": {"Page Check Co"}, "currency": {"USD"}, "contact_email": {"billing@pagecheck.example"}}), "customer")
	page = w.get("/admin/customers/pagecheck")
	landed(w.post("/admin/customers/pagecheck/resources", page, url.Values{"component": {"elb-us-east-1"}, "count": {"40"}, "from": {"2012-01-01 00:00"}}), "resource")
	// The form reads the amount in the customer's currency: 2,500.00 USD.
	landed(w.post("/admin/customers/pagecheck/charges", page, url.Values{"component": {"elb-us-east-1"}, "month": {"2012-12"}, "amount_minor": {"2500.00"}}), "charge")
	page = w.get("/admin/credits")
	run := w.post("/admin/credits/runs", page, url.Values{"month": {"2012-12"}})
	if run.StatusCode != http.StatusOK || !strings.HasPrefix(run.Request.URL.Path, "/admin/credits/runs/") {
		w.t.Fatalf("preview: %d at %s", run.StatusCode, run.Request.URL)
	}
	page = w.get("/admin/customers/pagecheck")
	m := csrfValue.FindStringSubmatch(page)
	if m == nil {
		w.t.Fatal("no CSRF token on the customer page")
	}
	resp, err := w.client.PostForm(w.base+"/admin/customers/pagecheck/statement", url.Values{"_csrf": {m[1]}})
	if err != nil {
		w.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	link := statementLink.FindString(string(body))
	if link == "" {
		w.t.Fatalf("no statement link (%d)", resp.StatusCode)
	}
	// A policy override with every field, a threshold, and two manual
	// credits: one issued at once, one waiting for approval.
	page = w.get("/admin/policies")
	w.post("/admin/policies", page, url.Values{"id": {"elb-pagecheck"}, "service": {"ELB"}, "customer": {"pagecheck"}, "target": {"99.99"},
		"tiers[0].below": {"99.99"}, "tiers[0].credit_percent": {"10"}, "tiers[1].below": {"99"}, "tiers[1].credit_percent": {"30"},
		"count": {"degraded_performance", "partial_outage", "major_outage"}, "maintenance_notice_hours": {"48"}, "unlisted": {"full"},
		"basis": {"deployed"}, "timezone": {"Europe/Dublin"}, "cap_percent": {"50"}, "min_credit_minor": {"100"},
		"requires_claim": {"true"}, "claim_periods": {"1"}})
	page = w.get("/admin/credits/settings")
	w.post("/admin/credits/settings", page, url.Values{"currency": {"USD"}, "above": {"100.00"}})
	page = w.get("/admin/credits/manual")
	for _, amount := range []string{"25.00", "1250.00"} {
		made := w.post("/admin/credits/manual", page, url.Values{"customer": {"pagecheck"}, "amount": {amount}, "service": {"ELB"},
			"month": {"2012-12"}, "reason": {"Page check: a credit of " + amount + "."}})
		if made.StatusCode != http.StatusOK || made.Request.URL.Path != "/admin/credits/manual" {
			w.t.Fatalf("manual credit: %d at %s", made.StatusCode, made.Request.URL)
		}
	}
	if !strings.Contains(w.get("/admin/policies"), "/admin/policies/elb-pagecheck") {
		w.t.Fatal("the policy override was not stored")
	}
	// The run, requested: its page and /admin say it waits for a manager.
	if resp := w.post(run.Request.URL.Path+"/request", w.get(run.Request.URL.Path), url.Values{}); resp.StatusCode != http.StatusOK {
		w.t.Fatalf("request: %d", resp.StatusCode)
	}
	// The pending manual credit's confirmation step refuses its requester.
	pendingManual := manualPending.FindStringSubmatch(w.get("/admin/credits/manual?state=pending"))
	if pendingManual == nil {
		w.t.Fatal("no pending manual credit")
	}
	// Enough resources and charges that the customer page and the
	// statement page them (100 to a page): imported as CSV files.
	var resources, charges strings.Builder
	resources.WriteString("customer,component,count,from,to\n")
	for i := range 150 {
		fmt.Fprintf(&resources, "pagecheck,elb-us-east-1,%d,2012-01-01 00:00,\n", i+1)
	}
	charges.WriteString("customer,component,month,amount_minor,currency\n")
	components := []string{"ebs-eu-west-1", "ebs-us-east-1a", "ebs-us-east-1b", "ebs-us-east-1c", "ebs-us-west-2", "ec2-eu-west-1", "ec2-us-east-1a",
		"ec2-us-east-1b", "ec2-us-east-1c", "ec2-us-west-2", "elb-eu-west-1", "elb-us-west-2", "rds-eu-west-1", "rds-us-east-1a", "rds-us-west-2"}
	for i := range 150 { // ten months of 2012 (the statement computes each)
		fmt.Fprintf(&charges, "pagecheck,%s,2012-%02d,100,\n", components[i%15], i/15+1)
	}
	w.importCSV("resources.csv", resources.String())
	w.importCSV("charges.csv", charges.String())
	return []string{"/admin/customers", "/admin/customers/import", "/admin/customers/pagecheck", "/admin/customers/pagecheck?resources_page=2&charges_page=2",
		"/admin/credits", run.Request.URL.Path, "/admin/credits/ledger", "/admin/audit", link, link + "?resources_page=2",
		"/admin/policies", "/admin/policies/elb-pagecheck", "/admin/credits/manual", "/admin/credits/settings", "/admin",
		"403:/admin/credits/manual/" + pendingManual[1] + "/approve"}
}

// importCSV uploads a CSV file of resources or charges through
// /admin/customers/import and fails the test unless it is imported.
func (w *webClient) importCSV(name, data string) {
	w.t.Helper()
	m := csrfValue.FindStringSubmatch(w.get("/admin/customers/import"))
	if m == nil {
		w.t.Fatal("no CSRF token on the import page")
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("_csrf", m[1])
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write([]byte(data))
	mw.Close()
	resp, err := w.client.Post(w.base+"/admin/customers/import", mw.FormDataContentType(), &body)
	if err != nil {
		w.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Request.URL.RawQuery, "imported=") {
		w.t.Fatalf("import %s: %d at %s\n%s", name, resp.StatusCode, resp.Request.URL, b)
	}
}

var manualPending = regexp.MustCompile(`<tr data-testid="manual-row"><th scope="row">(\d+)</th>`)

var withdrawAction = regexp.MustCompile(`action="(/admin/goodwill/\d+/withdraw)"`)

// seedGoodwillPages, through the admin incident pages, requests goodwill
// on the demo's third incident, withdraws it and requests it again, and
// previews the April 2011 incident's approved goodwill. It returns the
// pages that show each state: the April 2011 incident (its approved grant
// and the preview), the third incident (a withdrawn and a pending grant,
// the requester's note and withdraw form) and the goodwill run.
func seedGoodwillPages(w *webClient) []string {
	w.t.Helper()
	request := func() {
		page := w.get("/admin/incidents/3")
		resp := w.post("/admin/incidents/3/goodwill", page, url.Values{"days": {"3"}, "services": {"EC2"}, "components": {"ec2-us-west-2"},
			"reason": {"Launches in us-west-2 were slow for almost an hour."}})
		if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/admin/incidents/3" {
			w.t.Fatalf("goodwill request: %d at %s", resp.StatusCode, resp.Request.URL)
		}
	}
	request()
	page := w.get("/admin/incidents/3")
	m := withdrawAction.FindStringSubmatch(page)
	if m == nil {
		w.t.Fatal("no withdraw form for the pending grant")
	}
	if resp := w.post(m[1], page, url.Values{"reason": {"Asked for the wrong zone."}}); resp.StatusCode != http.StatusOK {
		w.t.Fatalf("withdraw: %d", resp.StatusCode)
	}
	request()
	pending := withdrawAction.FindStringSubmatch(w.get("/admin/incidents/3"))
	if pending == nil {
		w.t.Fatal("no withdraw form for the grant requested again")
	}
	page = w.get("/admin/incidents/1")
	run := w.post("/admin/credits/runs", page, url.Values{"incident": {"1"}})
	if run.StatusCode != http.StatusOK || !strings.HasPrefix(run.Request.URL.Path, "/admin/credits/runs/") {
		w.t.Fatalf("goodwill preview: %d at %s", run.StatusCode, run.Request.URL)
	}
	// Its requester's confirmation step refuses them.
	return []string{"/admin/incidents/1", "/admin/incidents/3", run.Request.URL.Path, "403:" + strings.TrimSuffix(pending[1], "/withdraw") + "/approve"}
}

// seedOutbox subscribes a visitor by e-mail, waits until its confirmation
// is in the outbox (the server has no SMTP server), and returns the
// subscription pages to check: the outbox, subscribers and deliveries.
func seedOutbox(w *webClient) []string {
	w.t.Helper()
	visitor := newWebClient(w.t, w.base)
	if resp := visitor.post("/subscribe", visitor.get("/subscribe"), url.Values{"email": {"reader@example.com"}}); resp.StatusCode != 200 {
		w.t.Fatalf("subscribe: %d", resp.StatusCode)
	}
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if strings.Contains(w.get("/admin/outbox"), "/subscribe/confirm/") {
			break
		}
		if time.Now().After(deadline) {
			w.t.Fatal("the confirmation never reached the outbox")
		}
	}
	return []string{"/admin/outbox", "/admin/subscribers", "/admin/deliveries"}
}
