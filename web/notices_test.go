package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/web/api"
)

// The December 2012 ELB incident's notices list exactly the customers with
// load balancers in us-east-1 during it, each with its own resources,
// downtime (the engine's) and credits, and nothing of another customer.
func TestIncidentNoticesListTheCustomersHit(t *testing.T) {
	env := newDemoEnv(t)
	support := env.token(auth.Support)
	elb := env.demoIncident("Degraded load balancers")
	var got api.Notices
	env.api("GET", fmt.Sprintf("/incidents/%d/notices", elb.ID), support, nil).expect(t, http.StatusOK).decode(t, &got)

	ctx := context.Background()
	accounts, err := env.desk.Accounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	start, end := time.Date(2012, 12, 24, 20, 24, 0, 0, time.UTC), time.Date(2012, 12, 25, 20, 5, 0, 0, time.UTC)
	var want []string
	for _, a := range accounts {
		rs, err := env.desk.Resources(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(rs, func(r desk.AccountResource) bool {
			return r.Component == "elb-us-east-1" && r.Count > 0 && (r.From == nil || r.From.Before(end)) && (r.To == nil || r.To.After(start))
		}) {
			want = append(want, a.ID)
		}
	}
	var ids []string
	for _, n := range got.Notices {
		ids = append(ids, n.Customer.ID)
	}
	slices.Sort(ids)
	slices.Sort(want)
	if len(want) < 5 || !slices.Equal(ids, want) {
		t.Fatalf("notices for %v, want %v", ids, want)
	}
	var stream, snow api.Notice
	for _, n := range got.Notices {
		switch n.Customer.ID {
		case "streamflix":
			stream = n
		case "snowcap-retail":
			snow = n
		}
	}
	if len(stream.Resources) != 1 || stream.Resources[0].ComponentName != "ELB us-east-1" || stream.Resources[0].Count != 40 || stream.Resources[0].Affected != 30 {
		t.Errorf("Streamflix's resources %+v", stream.Resources)
	}
	rep, err := env.server.reports.CustomerReport(ctx, "streamflix", "2012-12", demoNow)
	if err != nil {
		t.Fatal(err)
	}
	engine := ""
	for _, sm := range rep.Figures.Services {
		for _, d := range sm.Incidents {
			if d.Incident == strconv.FormatInt(elb.ID, 10) {
				engine = d.Downtime.String()
			}
		}
	}
	if engine == "" || stream.DowntimeSeconds != engine {
		t.Errorf("downtime %q, the engine says %q", stream.DowntimeSeconds, engine)
	}
	if i := slices.IndexFunc(stream.Credits, func(c api.NoticeCreditEntry) bool { return c.Kind == desk.EntryTier && c.Service == "ELB" }); i < 0 ||
		stream.Credits[i].State != "pending" || stream.Credits[i].AmountMinor != 18000 || stream.Credits[i].Period != "2012-12" {
		t.Errorf("Streamflix's credits %+v", stream.Credits)
	}
	if len(stream.Uptime) != 1 || stream.Uptime[0].Service != "ELB" || !stream.Uptime[0].Final {
		t.Errorf("Streamflix's uptime %+v", stream.Uptime)
	}
	if stream.StatementURL != nil || stream.StatementURLNote == "" || !strings.Contains(stream.Text, "made when this notice is sent") {
		t.Errorf("a draft's statement link: %v %q", stream.StatementURL, stream.StatementURLNote)
	}
	if !strings.Contains(stream.Subject, "Streamflix") || !strings.Contains(stream.Text, "30 of your 40 in ELB us-east-1") || !strings.Contains(stream.HTML, "<li>") {
		t.Errorf("Streamflix's message %q\n%s", stream.Subject, stream.Text)
	}
	if !strings.Contains(stream.Text, "/incidents/"+strconv.FormatInt(elb.ID, 10)+"/explanation") {
		t.Error("the published explanation's link is missing")
	}
	if strings.Contains(snow.Text+snow.HTML, "Streamflix") || !strings.Contains(snow.Text, "2 of your 3") {
		t.Errorf("Snowcap's notice %q", snow.Text)
	}

	env.api("GET", fmt.Sprintf("/incidents/%d/notices", elb.ID), env.token(auth.Viewer), nil).expect(t, http.StatusForbidden)
	env.api("GET", "/incidents/99999/notices", support, nil).expect(t, http.StatusNotFound)
}

// The template: an unknown placeholder is a 422 naming it and stores
// nothing; a saved template is audited, used by every draft, and its
// Markdown is sanitized.
func TestNoticeTemplate(t *testing.T) {
	env := newDemoEnv(t)
	support := env.token(auth.Support)
	elb := env.demoIncident("Degraded load balancers")
	before := env.lastAuditID()
	e := env.api("PUT", "/notice-template", support, map[string]any{"subject": "About {{incident_title}}", "body": "Dear {{customer}}, {{refund}} and {{ downtime }}"}).
		expect(t, http.StatusUnprocessableEntity).apiError(t)
	if e.Field != "body" || !strings.Contains(e.Message, "{{refund}}") || strings.Contains(e.Message, "{{ downtime }}") {
		t.Errorf("error %+v", e)
	}
	e = env.api("PUT", "/notice-template", support, map[string]any{"subject": "About {{title}}", "body": "Dear {{customer}}"}).
		expect(t, http.StatusUnprocessableEntity).apiError(t)
	if e.Field != "subject" || !strings.Contains(e.Message, "{{title}}") {
		t.Errorf("error %+v", e)
	}
	if env.count("notice_template") != 0 || env.lastAuditID() != before {
		t.Fatal("a refused template was stored")
	}
	env.api("PUT", "/notice-template", support, map[string]any{"subject": "Your {{month}} with us", "body": "Hello {{customer}}: {{downtime}} down.\n\n<script>alert(1)</script> [x](javascript:alert(1))\n\n{{apology}}"}).
		expect(t, http.StatusOK)
	rows, _ := env.auditsAfter(before)
	if len(rows) != 1 || rows[0].Action != "notice_template.update" {
		t.Errorf("audit %+v", rows)
	}
	var got api.Notices
	env.api("GET", fmt.Sprintf("/incidents/%d/notices", elb.ID), support, nil).expect(t, http.StatusOK).decode(t, &got)
	n := got.Notices[0]
	if n.Subject != "Your December 2012 with us" || !strings.HasPrefix(n.Text, "Hello "+n.Customer.Name) {
		t.Errorf("filled %q %q", n.Subject, n.Text)
	}
	if strings.Contains(n.HTML, "<script") || strings.Contains(n.HTML, "javascript:") {
		t.Errorf("unsanitized %s", n.HTML)
	}
	if !strings.Contains(n.Text, "sorry") {
		t.Errorf("the apology paragraph is missing: %q", n.Text)
	}
}

// The admin page shows each customer's draft beside its figures; the
// editor refuses an unknown placeholder with the field marked and saves
// nothing, previews against a real customer, and saves.
func TestNoticesAdminPages(t *testing.T) {
	env := newDemoEnv(t)
	elb := env.demoIncident("Degraded load balancers")
	sup := env.user(auth.Support)
	resp, body := sup.get(fmt.Sprintf("/admin/incidents/%d/notices", elb.ID))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("notices page: %d", resp.StatusCode)
	}
	doc := parseHTML(t, body)
	row := doc.Find(testid("notice-streamflix"))
	if !strings.Contains(textOf(row.Find(testid("notice-resources"))), "30 of 40 in ELB us-east-1") || row.Find(testid("notice-message")).Find("li").Length() == 0 {
		t.Errorf("Streamflix's row %q", textOf(row))
	}
	if resp, _ := env.user(auth.Viewer).get(fmt.Sprintf("/admin/incidents/%d/notices", elb.ID)); resp.StatusCode != http.StatusForbidden {
		t.Errorf("viewer: %d", resp.StatusCode)
	}

	sup.get("/admin/notices/template")
	st, body := sup.send("/admin/notices/template", url.Values{"subject": {"Hi"}, "body": {"{{nope}} {{customer}}"}, "action": {"save"}, "incident": {strconv.FormatInt(elb.ID, 10)}})
	if st != http.StatusUnprocessableEntity || !strings.Contains(fieldError(parseHTML(t, body), "body"), "{{nope}}") {
		t.Errorf("unknown placeholder: %d %q", st, fieldError(parseHTML(t, body), "body"))
	}
	if env.count("notice_template") != 0 {
		t.Error("a refused template was saved")
	}
	st, body = sup.send("/admin/notices/template", url.Values{"subject": {"For {{customer}}"}, "body": {"Your downtime: {{downtime}}"}, "action": {"preview"},
		"incident": {strconv.FormatInt(elb.ID, 10)}, "customer": {"snowcap-retail"}})
	if got := textOf(parseHTML(t, body).Find(testid("template-preview"))); st != http.StatusOK || !strings.Contains(got, "For Snowcap Retail") || !strings.Contains(got, "Your downtime:") {
		t.Errorf("preview %d %q", st, got)
	}
	if env.count("notice_template") != 0 {
		t.Error("a preview saved the template")
	}
	if st, _ := sup.send("/admin/notices/template", url.Values{"subject": {"For {{customer}}"}, "body": {"Your downtime: {{downtime}}"}, "action": {"save"}}); st != http.StatusSeeOther {
		t.Errorf("save: %d", st)
	}
	var tpl desk.NoticeTemplate
	env.api("GET", "/notice-template", env.token(auth.Support), nil).expect(t, http.StatusOK).decode(t, &tpl)
	if tpl.Subject != "For {{customer}}" || tpl.UpdatedBy == "" {
		t.Errorf("saved %+v", tpl)
	}
}
