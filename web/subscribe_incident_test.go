package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/notify"
	"github.com/amends/amends/notify/deliver"
	notifysqlite "github.com/amends/amends/notify/sqlite"
)

// TestSubscribeToOneIncident: from an unresolved incident's page a visitor
// follows that incident alone; after confirming, its updates arrive and
// another incident's do not; once it has resolved it can no longer be
// followed.
func TestSubscribeToOneIncident(t *testing.T) {
	e := newSubscribeEnv(t)
	support := e.token(auth.Support)
	var first, second struct {
		ID int64 `json:"id"`
	}
	e.api(http.MethodPost, "/incidents", support, map[string]any{
		"title": "Load balancers degraded", "message": "Investigating",
		"components": []map[string]any{{"component": "elb-us-east-1", "status": "partial_outage"}},
	}).expect(t, http.StatusCreated).decode(t, &first)
	e.api(http.MethodPost, "/incidents", support, map[string]any{
		"title": "Volumes slow", "message": "Investigating",
		"components": []map[string]any{{"component": "elb-us-east-1", "status": "degraded_performance"}},
	}).expect(t, http.StatusCreated).decode(t, &second)
	e.drain()

	_, page := e.publicGet("/incidents/" + idText(first.ID))
	follow, ok := parseHTML(t, page).Find(testid("follow-incident")).Attr("href")
	if !ok || follow != "/subscribe?incident="+idText(first.ID) {
		t.Fatalf("the incident page's follow link: %q", follow)
	}
	b := e.browser()
	if resp, body := b.get(follow); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Load balancers degraded") || strings.Contains(body, `name="components"`) {
		t.Fatalf("the incident's subscribe form: %d\n%s", resp.StatusCode, body)
	}
	resp := b.postForm("/subscribe", url.Values{"email": {"dana@example.com"}, "incident": {idText(first.ID)}})
	if body := readBody(t, resp); resp.StatusCode != http.StatusOK {
		t.Fatalf("subscribe to the incident: %d\n%s", resp.StatusCode, body)
	}
	e.drain()
	msgs := e.smtp.messages()
	link := confirmLink.FindString(parseMail(t, msgs[len(msgs)-1]).text)
	if resp, _ := b.get(strings.TrimPrefix(link, e.http.URL)); resp.StatusCode != http.StatusOK {
		t.Fatalf("confirm: %d", resp.StatusCode)
	}
	before := len(e.smtp.messages())

	e.api(http.MethodPost, "/incidents/"+idText(second.ID)+"/updates", support, map[string]any{"phase": "identified", "message": "Other news"}).expect(t, http.StatusCreated)
	e.api(http.MethodPost, "/incidents/"+idText(first.ID)+"/updates", support, map[string]any{"phase": "resolved", "message": "Restored"}).expect(t, http.StatusCreated)
	e.drain()
	msgs = e.smtp.messages()[before:]
	if len(msgs) != 1 {
		t.Fatalf("after one update of each incident the follower got %d messages, want 1", len(msgs))
	}
	if got := parseMail(t, msgs[0]); !strings.Contains(got.text, "Restored") || strings.Contains(got.text, "Other news") {
		t.Errorf("the follower's message:\n%s", got.text)
	}

	// Resolved: no follow link, and the form refuses it by name.
	_, page = e.publicGet("/incidents/" + idText(first.ID))
	if parseHTML(t, page).Find(testid("follow-incident")).Length() != 0 {
		t.Error("a resolved incident still offers to follow it")
	}
	subs := e.count("notify_subscribers")
	resp = b.postForm("/subscribe", url.Values{"email": {"erin@example.com"}, "incident": {idText(first.ID)}})
	if body := readBody(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "has resolved") {
		t.Errorf("following a resolved incident: %d\n%s", resp.StatusCode, body)
	}
	if resp, _ := b.get("/subscribe?incident=" + idText(first.ID)); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("the form of a resolved incident: %d", resp.StatusCode)
	}
	if n := e.count("notify_subscribers"); n != subs {
		t.Errorf("a refused subscription stored a subscriber")
	}
}

// TestSubscribeFormGroupsComponents: the form offers e-mail, groups the
// components by service with a "whole service" box each, and an empty
// submit names the e-mail field in the summary and marks it.
func TestSubscribeFormGroupsComponents(t *testing.T) {
	e := newSubscribeEnv(t)
	b := e.browser()
	_, body := b.get("/subscribe")
	doc := parseHTML(t, body)
	if doc.Find(`input[name="email"]`).Length() != 1 {
		t.Error("no e-mail field")
	}
	groups := doc.Find(`fieldset.subscribe-service`)
	if groups.Length() == 0 || groups.First().Find(`input[name="services"]`).Length() != 1 {
		t.Fatalf("components are not grouped by service with a whole-service box:\n%s", body)
	}
	resp := b.postForm("/subscribe", url.Values{})
	body = readBody(t, resp)
	doc = parseHTML(t, body)
	if resp.StatusCode != http.StatusUnprocessableEntity || fieldError(doc, "email") == "" {
		t.Fatalf("an empty submit: %d, e-mail error %q", resp.StatusCode, fieldError(doc, "email"))
	}
	if alert := textOf(doc.Find(`[role="alert"]`)); !strings.Contains(alert, "E-mail address") {
		t.Errorf("the summary does not name the field: %q", alert)
	}
	// A whole service follows each of its components.
	var svc string
	e.db.QueryRow(`SELECT service_id FROM components ORDER BY id LIMIT 1`).Scan(&svc)
	resp = b.postForm("/subscribe", url.Values{"email": {"fay@example.com"}, "services": {svc}})
	readBody(t, resp)
	var want, got int
	e.db.QueryRow(`SELECT COUNT(*) FROM components WHERE service_id = ?`, svc).Scan(&want)
	e.db.QueryRow(`SELECT COUNT(*) FROM notify_subscriber_components`).Scan(&got)
	if resp.StatusCode != http.StatusOK || want == 0 || got != want {
		t.Errorf("whole service %q: %d, follows %d components, want %d", svc, resp.StatusCode, got, want)
	}
	resp = b.postForm("/subscribe", url.Values{"email": {"gus@example.com"}, "services": {"nope"}})
	if body := readBody(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || fieldError(parseHTML(t, body), "components") == "" {
		t.Errorf("an unknown service: %d", resp.StatusCode)
	}
}

// TestOutboxShowsSpooledMail: support and above read the local mail spool,
// newest first, with headers, both bodies and followable links; a viewer
// cannot.
func TestOutboxShowsSpooledMail(t *testing.T) {
	var spool *notifysqlite.Spool
	e := newTestEnvWith(t, envOptions{config: func(c *Config) { c.MailSpool = spoolHolder{&spool}; c.MailSpooled = true }})
	st, err := notifysqlite.New(e.db)
	if err != nil {
		t.Fatal(err)
	}
	spool = st.Spool(e.clock.Now)
	sender := deliver.New(deliver.Config{SiteName: "Test Cloud", BaseURL: "https://status.example.com", From: "status@localhost", Mailer: spool, Now: e.clock.Now})
	for _, to := range []string{"old@example.com", "new@example.com"} {
		job := notify.Job{Delivery: notify.Delivery{ID: notify.NewDeliveryID(), Kind: notify.KindConfirm}, Subscriber: notify.Subscriber{Channel: notify.Email, Address: to}, Secret: "tok-" + strings.Split(to, "@")[0]}
		if r := sender.Send(context.Background(), job); r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	if resp, _ := e.user(auth.Viewer).get("/admin/outbox"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a viewer reads the outbox: %d", resp.StatusCode)
	}
	resp, body := e.user(auth.Support).get("/admin/outbox")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("outbox: %d", resp.StatusCode)
	}
	doc := parseHTML(t, body)
	msgs := doc.Find(testid("outbox-message"))
	if msgs.Length() != 2 || !strings.Contains(textOf(msgs.First()), "new@example.com") {
		t.Fatalf("want 2 messages, newest first:\n%s", body)
	}
	if href, _ := msgs.First().Find(testid("outbox-text") + " a").Attr("href"); href != "https://status.example.com/subscribe/confirm/tok-new" {
		t.Errorf("the text body's link: %q", href)
	}
	if href, _ := msgs.First().Find(testid("outbox-html-links") + " a").Attr("href"); href != "https://status.example.com/subscribe/confirm/tok-new" {
		t.Errorf("the HTML body's link: %q", href)
	}
	if h := textOf(msgs.First().Find(testid("outbox-headers"))); !strings.Contains(h, "Subject") || !strings.Contains(h, "Confirm your subscription to Test Cloud") {
		t.Errorf("headers: %q", h)
	}
	if resp, _ := e.user(auth.Support).get("/admin/outbox?page=0"); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("page 0: %d", resp.StatusCode)
	}
}

// spoolHolder lets the server be built before the spool it reads.
type spoolHolder struct{ sp **notifysqlite.Spool }

func (h spoolHolder) Messages(ctx context.Context, offset, limit int) ([]notify.SpooledMail, int, error) {
	return (*h.sp).Messages(ctx, offset, limit)
}
