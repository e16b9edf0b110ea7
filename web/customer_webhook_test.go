package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/notify"
	"github.com/amends/amends/notify/deliver"
	notifysqlite "github.com/amends/amends/notify/sqlite"
	"github.com/amends/amends/web/api"
)

// hookRequest is one request a test webhook received.
type hookRequest struct {
	header http.Header
	body   []byte
}

// hookServer stands for a customer's webhook: it records every request
// and answers 204.
type hookServer struct {
	*httptest.Server
	mu  sync.Mutex
	got []hookRequest
}

func newHookServer(t *testing.T) *hookServer {
	h := &hookServer{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.got = append(h.got, hookRequest{header: r.Header.Clone(), body: b})
		h.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookServer) requests() []hookRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]hookRequest(nil), h.got...)
}

// validSignature checks an Amends-Signature header ("t=<unix>,v1=<hex>")
// against body under secret.
func validSignature(header, secret string, body []byte) bool {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	return ts != "" && hmac.Equal([]byte(sig), []byte(hex.EncodeToString(mac.Sum(nil))))
}

// A customer with a webhook (set on its admin page, checked as a
// subscriber's webhook is; the test server is on loopback, which this
// server allows as --allow-private-webhooks does) gets each approved
// notice twice: one e-mail and one signed webhook POST, each under its own
// delivery id; the batch page shows both messages sent; after a restart a
// second approval is refused and nothing is sent again.
func TestCustomerWebhookGetsTheNoticeOnce(t *testing.T) {
	var spool *notifysqlite.Spool
	holder := &notifyHolder{}
	config := func(c *Config) { c.MailSpool = spoolHolder{&spool}; c.MailSpooled = true; c.Notify = holder }
	env := newTestEnvWith(t, envOptions{demo: true, start: demoNow, config: config})
	ns, err := notifysqlite.New(env.db)
	if err != nil {
		t.Fatal(err)
	}
	spool = ns.Spool(env.clock.Now)
	holder.Service = notify.NewService(ns, notify.Options{AllowPrivateWebhooks: true})
	hook := newHookServer(t)

	support := env.token(auth.Support)
	zoe := env.personToken("zoe@example.com", auth.Manager)
	b := env.loginAs("sue@example.com", auth.Support)
	if st, body := b.send("/admin/customers/snowcap-retail/contact", url.Values{"contact_email": {"billing@snowcap-retail.example"}, "webhook_url": {hook.URL + "/amends"}}); st != http.StatusSeeOther {
		t.Fatalf("saving the contacts: %d\n%s", st, body)
	}
	var snow api.Customer
	env.api("GET", "/customers/snowcap-retail", support, nil).expect(t, http.StatusOK).decode(t, &snow)
	if snow.WebhookURL != hook.URL+"/amends" || !strings.HasPrefix(snow.WebhookSecret, "whsec_") {
		t.Fatalf("customer %+v", snow)
	}
	var seen api.Customer
	env.api("GET", "/customers/snowcap-retail", env.token(auth.Viewer), nil).expect(t, http.StatusOK).decode(t, &seen)
	if seen.WebhookURL != snow.WebhookURL || seen.WebhookSecret != "" {
		t.Errorf("a viewer sees %+v", seen)
	}
	_, page := b.get("/admin/customers/snowcap-retail")
	if got := textOf(parseHTML(t, page).Find(testid("customer-webhook-secret"))); got != snow.WebhookSecret {
		t.Errorf("the customer page shows the secret %q", got)
	}
	var logged, leaked int
	if err := env.db.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'customer.update' AND entity_id = 'snowcap-retail' AND json_extract(after_json, '$.webhook_url') = ?`,
		snow.WebhookURL).Scan(&logged); err != nil {
		t.Fatal(err)
	}
	if err := env.db.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE instr(COALESCE(before_json, '') || COALESCE(after_json, ''), ?) > 0`, snow.WebhookSecret).Scan(&leaked); err != nil {
		t.Fatal(err)
	}
	if logged != 1 || leaked != 0 {
		t.Errorf("%d audit entries of the new webhook, %d holding its secret", logged, leaked)
	}

	elb := env.demoIncident("Degraded load balancers")
	var batch api.NoticeBatch
	env.api("POST", fmt.Sprintf("/incidents/%d/notices/request", elb.ID), support, nil).expect(t, http.StatusCreated).decode(t, &batch)
	var mail, webhook desk.NoticeMessage
	for _, m := range batch.Messages {
		if m.Customer == "snowcap-retail" {
			switch m.Channel {
			case "email":
				mail = m
			case "webhook":
				webhook = m
			}
		} else if m.Channel != "email" {
			t.Errorf("customer %s without a webhook has a %s message", m.Customer, m.Channel)
		}
	}
	if mail.DeliveryID == "" || webhook.DeliveryID == "" || mail.DeliveryID == webhook.DeliveryID || webhook.Contact != hook.URL+"/amends" {
		t.Fatalf("snowcap's messages: %+v and %+v", mail, webhook)
	}
	path := fmt.Sprintf("/notices/%d", batch.ID)
	env.api("POST", path+"/approve", zoe, nil).expect(t, http.StatusOK)
	if n := env.sendNotices(); n != len(batch.Messages) {
		t.Fatalf("sent %d of %d messages", n, len(batch.Messages))
	}

	got := hook.requests()
	if len(got) != 1 {
		t.Fatalf("the webhook got %d requests, want 1", len(got))
	}
	r := got[0]
	if r.header.Get("Amends-Delivery") != webhook.DeliveryID || r.header.Get("Amends-Event") != "notice" ||
		!validSignature(r.header.Get("Amends-Signature"), snow.WebhookSecret, r.body) {
		t.Errorf("webhook headers %v", r.header)
	}
	var body deliver.NoticeWebhookBody
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatal(err)
	}
	if body.ID != webhook.DeliveryID || body.Type != "notice" || body.Customer != "snowcap-retail" || body.Incident != fmt.Sprint(elb.ID) ||
		body.Subject != webhook.Subject || !sentStatement.MatchString(body.Text) || !sentStatement.MatchString(body.HTML) {
		t.Errorf("webhook body %s", r.body)
	}
	if strings.Contains(string(r.body), "Streamflix") {
		t.Error("snowcap's webhook names another customer")
	}
	mails, _, err := spool.Messages(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var toSnow int
	for _, m := range mails {
		if m.To == "billing@snowcap-retail.example" {
			toSnow++
		}
	}
	if toSnow != 1 || len(mails) != len(batch.Messages)-1 {
		t.Errorf("%d e-mails to snowcap, %d in all for %d messages", toSnow, len(mails), len(batch.Messages))
	}

	var after api.NoticeBatch
	env.api("GET", path, support, nil).expect(t, http.StatusOK).decode(t, &after)
	for _, c := range after.Customers {
		want := 1
		if c.Customer == "snowcap-retail" {
			want = 2
		}
		if c.Sent != want || c.Pending != 0 || c.Failed != 0 {
			t.Errorf("customer %+v, want %d sent", c, want)
		}
	}
	_, page = b.get("/admin" + path)
	doc := parseHTML(t, page)
	rows := doc.Find(testid("batch-message-row"))
	if rows.Length() != len(batch.Messages) {
		t.Errorf("the batch page lists %d messages", rows.Length())
	}
	var hookRow string
	rows.Each(func(_ int, s *goquery.Selection) {
		if strings.Contains(textOf(s), "Webhook") {
			hookRow = textOf(s)
		}
	})
	if !strings.Contains(hookRow, "snowcap-retail") || !strings.Contains(hookRow, "sent") {
		t.Errorf("the batch page's webhook row: %q", hookRow)
	}

	// Restarted: the same file, a new server and a new worker.
	again := env.reopen(config)
	again.api("POST", path+"/approve", zoe, nil).expect(t, http.StatusConflict)
	if n := again.sendNotices(); n != 0 {
		t.Errorf("the restarted worker sent %d messages again", n)
	}
	if n := len(hook.requests()); n != 1 {
		t.Errorf("the webhook got %d requests after the restart", n)
	}
}

// A customer's webhook URL is checked as a subscriber's is: a private,
// loopback or NAT64 address, or another scheme, is a 422 naming
// webhook_url, from the API and the admin forms alike, and nothing is
// stored or changed.
func TestCustomerWebhookRefusesBadURLs(t *testing.T) {
	holder := &notifyHolder{}
	env := newTestEnvWith(t, envOptions{demo: true, start: demoNow, config: func(c *Config) { c.Notify = holder }})
	ns, err := notifysqlite.New(env.db)
	if err != nil {
		t.Fatal(err)
	}
	holder.Service = notify.NewService(ns, notify.Options{})
	support := env.token(auth.Support)
	b := env.loginAs("sue@example.com", auth.Support)
	var before desk.Account
	env.api("GET", "/customers/snowcap-retail", support, nil).expect(t, http.StatusOK).decode(t, &before)
	counts := env.counts()

	for _, tc := range []struct{ url, says string }{
		{"http://127.0.0.1:8080/hook", "loopback"},
		{"https://10.1.2.3/hook", "private"},
		{"http://[64:ff9b::a00:1]/hook", "NAT64"},
		{"ftp://example.com/hook", "https://"},
		{"https://user:pw@203.0.113.9/", "user name"},
	} {
		put := map[string]any{"name": before.Name, "external_id": before.ExternalID, "currency": before.Currency, "contact_email": before.Email, "webhook_url": tc.url}
		e := env.api("PUT", "/customers/snowcap-retail", support, put).expect(t, http.StatusUnprocessableEntity).apiError(t)
		if e.Field != "webhook_url" || !strings.Contains(e.Message, tc.says) {
			t.Errorf("PUT %s: %+v", tc.url, e)
		}
		post := map[string]any{"id": "new-co", "name": "New Co", "currency": "USD", "contact_email": "billing@new.example", "webhook_url": tc.url}
		if e := env.api("POST", "/customers", support, post).expect(t, http.StatusUnprocessableEntity).apiError(t); e.Field != "webhook_url" {
			t.Errorf("POST %s: %+v", tc.url, e)
		}
		st, page := b.send("/admin/customers/snowcap-retail/contact", url.Values{"contact_email": {"ops@snowcap.example"}, "webhook_url": {tc.url}})
		if st != http.StatusUnprocessableEntity || !strings.Contains(fieldError(parseHTML(t, page), "webhook_url"), tc.says) {
			t.Errorf("contact form %s: %d, %q", tc.url, st, fieldError(parseHTML(t, page), "webhook_url"))
		}
		st, page = b.send("/admin/customers", url.Values{"id": {"new-co"}, "name": {"New Co"}, "currency": {"USD"}, "contact_email": {"billing@new.example"}, "webhook_url": {tc.url}})
		if st != http.StatusUnprocessableEntity || fieldError(parseHTML(t, page), "webhook_url") == "" {
			t.Errorf("new-customer form %s: %d", tc.url, st)
		}
	}
	env.assertNothingStored(counts)
	var after desk.Account
	env.api("GET", "/customers/snowcap-retail", support, nil).expect(t, http.StatusOK).decode(t, &after)
	if after != before {
		t.Errorf("the customer changed: %+v, was %+v", after, before)
	}
	env.api("GET", "/customers/new-co", support, nil).expect(t, http.StatusNotFound)
}
