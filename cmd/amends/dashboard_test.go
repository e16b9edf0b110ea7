package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/amends/amends/sla"
)

// dashboardPages are the SLA dashboard's and reports' pages that the HTML
// and accessibility checks fetch from the demo: the service report, and
// the report of Streamflix (load balancers in us-east-1) in December 2012.
var dashboardPages = []string{"/admin/dashboard", "/admin/dashboard?month=2012-12&service=ELB&region=us-east-1", "/admin/dashboard?month=2012-12&component=elb-us-east-1",
	"/admin/reports/sla?service=ELB&month=2012-12", "/admin/reports/sla/customer?customer=streamflix&month=2012-12"}

// On the demo, the dashboard's December 2012 shows ELB us-east-1 under
// its 99.95% target with the budget the Christmas Eve outage burned.
func TestDemoDashboardDecember2012(t *testing.T) {
	base, link, _ := startServe(t)
	web := newWebClient(t, base)
	web.becomeFirstAdmin(link)

	// A token, to give ELB the 99.95% policy if the demo has none.
	page := web.get("/admin/users")
	m := csrfValue.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no CSRF token on /admin/users")
	}
	resp, err := web.client.PostForm(base+"/admin/tokens", url.Values{"_csrf": {m[1]}, "name": {"dashboard test"}, "role": {"admin"}})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(doc.Find(`[data-testid="new-token"]`).Text())
	if token == "" {
		t.Fatal("no token shown")
	}
	apiDo := func(method, path string, body any) int {
		var r io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			r = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, base+"/api/v1"+path, r)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// 409: the demo already has a default ELB policy.
	if code := apiDo("PUT", "/sla-policies/elb", map[string]any{"service": "ELB", "target": "99.95",
		"tiers": []map[string]any{{"below": "99.95", "credit_percent": "10"}}}); code != http.StatusOK && code != http.StatusConflict {
		t.Fatalf("PUT policy: %d", code)
	}

	body := web.get("/admin/dashboard?month=2012-12&service=ELB&region=us-east-1")
	doc, err = goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var row []string
	doc.Find(`[data-testid="budget"] tbody tr`).Each(func(_ int, s *goquery.Selection) {
		if strings.Contains(s.Children().First().Text(), "us-east-1") && s.HasClass("data-row--region") {
			s.Children().Each(func(_ int, c *goquery.Selection) { row = append(row, strings.TrimSpace(c.Text())) })
		}
	})
	if len(row) != 7 {
		t.Fatalf("no us-east-1 row: %v", row)
	}
	// Uptime, target, result, budget allowed (31 days at 0.05%: 22.32
	// min), used and left (overspent), in minutes.
	want := []string{"99.8585%", "99.95%", "Missed", "22.32", "63.13", "-40.81"}
	if strings.Join(row[1:7], "|") != strings.Join(want, "|") {
		t.Errorf("ELB us-east-1, December 2012: %v, want %v", row[1:7], want)
	}
	if u, err := sla.ParsePercent(strings.TrimSuffix(row[1], "%")); err != nil || u >= sla.MustPercent("99.95") {
		t.Errorf("uptime %s is not under 99.95%% (%v)", row[1], err)
	}
	t.Logf("ELB us-east-1, December 2012: %v", row)

	// The whole dashboard of December 2012: the month is over, so no
	// projection; ELB met its target as a fleet, and its row says that
	// us-east-1 did not; every table says how it counts.
	body = web.get("/admin/dashboard?month=2012-12")
	doc, err = goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(body, "Projected") || strings.Contains(body, "(misses)") {
		t.Error("December 2012 is over but the dashboard projects it")
	}
	var elb []string
	doc.Find(`[data-testid="budget"] tbody tr.data-row--service`).Each(func(_ int, s *goquery.Selection) {
		if strings.TrimSpace(s.Children().First().Text()) == "Elastic Load Balancing" {
			s.Children().Each(func(_ int, c *goquery.Selection) { elb = append(elb, strings.TrimSpace(c.Text())) })
		}
	})
	if len(elb) < 4 || elb[3] != "Met overall, missed in us-east-1" {
		t.Errorf("the ELB row, December 2012: %v", elb)
	}
	if doc.Find(`[data-testid="budget-how"] dt`).Length() == 0 || doc.Find(`[data-testid="burn-how"] dt`).Length() == 0 {
		t.Error("the tables do not say how their figures are counted")
	}
	report := web.get("/admin/reports/sla?service=ELB&month=2012-12")
	if !strings.Contains(report, "Met overall, missed in us-east-1") {
		t.Error("the ELB report does not flag us-east-1")
	}
}
