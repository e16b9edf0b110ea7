package web

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/mail"
	"net/textproto"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/notify"
	"github.com/amends/amends/notify/deliver"
	notifysqlite "github.com/amends/amends/notify/sqlite"
)

// smtpServer is a minimal real SMTP server on 127.0.0.1 (RFC 5321: EHLO,
// MAIL, RCPT, DATA, RSET, NOOP, QUIT) that keeps every message it accepts.
type smtpServer struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []smtpMessage
	wg   sync.WaitGroup
}

type smtpMessage struct {
	from, to string
	data     []byte
}

func startSMTP(t *testing.T) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{ln: ln}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() { defer s.wg.Done(); s.session(conn) }()
		}
	}()
	t.Cleanup(func() { ln.Close(); s.wg.Wait() })
	return s
}

func (s *smtpServer) session(conn net.Conn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	tp := textproto.NewConn(conn)
	tp.PrintfLine("220 localhost ESMTP test")
	var from, to string
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		switch verb {
		case "EHLO":
			tp.PrintfLine("250-localhost\r\n250 8BITMIME")
		case "HELO", "NOOP":
			tp.PrintfLine("250 ok")
		case "RSET":
			from, to = "", ""
			tp.PrintfLine("250 ok")
		case "MAIL":
			from = strings.Trim(strings.TrimPrefix(strings.ToUpper(line[:10]), "MAIL FROM:")+line[10:], "<> ")
			tp.PrintfLine("250 ok")
		case "RCPT":
			to = strings.Trim(line[len("RCPT TO:"):], "<> ")
			tp.PrintfLine("250 ok")
		case "DATA":
			tp.PrintfLine("354 end with .")
			data, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.msgs = append(s.msgs, smtpMessage{from, to, data})
			s.mu.Unlock()
			tp.PrintfLine("250 queued")
		case "QUIT":
			tp.PrintfLine("221 bye")
			return
		default:
			tp.PrintfLine("502 not implemented")
		}
	}
}

func (s *smtpServer) messages() []smtpMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]smtpMessage(nil), s.msgs...)
}

// parsed is an e-mail taken apart: its headers and its text and HTML parts.
type parsed struct {
	header     mail.Header
	text, html string
}

func parseMail(t *testing.T, m smtpMessage) parsed {
	t.Helper()
	msg, err := mail.ReadMessage(bufio.NewReader(strings.NewReader(string(m.data))))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	out := parsed{header: msg.Header}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart() // decodes quoted-printable
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		switch ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); ct {
		case "text/plain":
			out.text = string(b)
		case "text/html":
			out.html = string(b)
		}
	}
	if out.text == "" || out.html == "" {
		t.Fatalf("want a plain-text and an HTML part:\n%s", m.data)
	}
	return out
}

// notifyHolder lets the server get its Notifier before the database that
// the Notifier needs exists.
type notifyHolder struct{ *notify.Service }

// subscribeEnv is the test server with subscriptions, a real SMTP server
// and a worker over the same database.
type subscribeEnv struct {
	*testEnv
	smtp   *smtpServer
	store  *notifysqlite.Store
	worker *notify.Worker
}

func newSubscribeEnv(t *testing.T) *subscribeEnv {
	holder := &notifyHolder{}
	e := newTestEnvWith(t, envOptions{config: func(c *Config) { c.Notify = holder }})
	st, err := notifysqlite.New(e.db)
	if err != nil {
		t.Fatal(err)
	}
	smtp := startSMTP(t)
	holder.Service = notify.NewService(st, notify.Options{Email: true, AllowPrivateWebhooks: false, Resolver: net.DefaultResolver})
	sender := deliver.New(deliver.Config{
		SiteName: "Test Cloud", BaseURL: e.http.URL, From: "status@example.com",
		Mailer: &deliver.SMTP{Addr: smtp.ln.Addr().String()}, Now: e.clock.Now,
		Webhooks: deliver.NewWebhookClient(true, 5*time.Second),
	})
	w := notify.NewWorker(st, sender, notify.WorkerOptions{Now: e.clock.Now, Maintenances: e.incidents, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return &subscribeEnv{testEnv: e, smtp: smtp, store: st, worker: w}
}

func (e *subscribeEnv) drain() {
	e.t.Helper()
	if _, err := e.worker.RunOnce(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}

var confirmLink = regexp.MustCompile(`https?://\S+/subscribe/confirm/[A-Za-z0-9_-]+`)

// TestEmailSubscription: subscribe by e-mail, get nothing before
// confirming, confirm by the e-mailed link, receive the next update as
// plain text and HTML with one-click unsubscribe headers, unsubscribe with
// the one-click POST, and receive nothing after.
func TestEmailSubscription(t *testing.T) {
	e := newSubscribeEnv(t)
	support := e.token(auth.Support)

	// The status page links to the form; the form takes the address.
	if _, body := e.publicGet("/"); !strings.Contains(body, `action="/subscribe"`) {
		t.Fatal("the status page has no subscribe form")
	}
	b := e.browser()
	b.get("/subscribe")
	resp := b.postForm("/subscribe", url.Values{"email": {"alice@example.com"}})
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="subscribe-sent"`) {
		t.Fatalf("subscribe: %d\n%s", resp.StatusCode, body)
	}

	// An incident before confirmation: only the confirmation goes out.
	e.api(http.MethodPost, "/incidents", support, map[string]any{
		"title": "Load balancers degraded", "message": "Investigating",
		"components": []map[string]any{{"component": "elb-us-east-1", "status": "partial_outage"}},
	}).expect(t, http.StatusCreated)
	e.drain()
	msgs := e.smtp.messages()
	if len(msgs) != 1 || msgs[0].to != "alice@example.com" {
		t.Fatalf("want only the confirmation mail, got %d messages", len(msgs))
	}
	confirm := parseMail(t, msgs[0])
	if confirm.header.Get("List-Unsubscribe") != "" {
		t.Error("the confirmation mail has List-Unsubscribe")
	}
	link := confirmLink.FindString(confirm.text)
	if link == "" || !strings.Contains(confirm.html, link) {
		t.Fatalf("no confirmation link in both parts:\n%s\n%s", confirm.text, confirm.html)
	}
	resp, body = b.get(strings.TrimPrefix(link, e.http.URL))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "alice@example.com will receive") {
		t.Fatalf("confirm: %d\n%s", resp.StatusCode, body)
	}

	// The next update arrives as an e-mail with both parts and RFC 8058 headers.
	var inc incidents.Incident
	if err := e.db.QueryRow(`SELECT id FROM incidents ORDER BY id DESC LIMIT 1`).Scan(&inc.ID); err != nil {
		t.Fatal(err)
	}
	e.api(http.MethodPost, "/incidents/"+idText(inc.ID)+"/updates", support, map[string]any{"phase": "identified", "message": "A deleted state table"}).expect(t, http.StatusCreated)
	e.drain()
	msgs = e.smtp.messages()
	if len(msgs) != 2 {
		t.Fatalf("after the update: %d messages, want 2", len(msgs))
	}
	upd := parseMail(t, msgs[1])
	if !strings.Contains(upd.header.Get("Subject"), "Load balancers degraded") || !strings.Contains(upd.text, "A deleted state table") || !strings.Contains(upd.html, "A deleted state table") {
		t.Errorf("update mail: subject %q\n%s", upd.header.Get("Subject"), upd.text)
	}
	lu := upd.header.Get("List-Unsubscribe")
	m := regexp.MustCompile(`^<(https?://\S+/unsubscribe/[A-Za-z0-9_-]{43})>$`).FindStringSubmatch(lu)
	if m == nil || upd.header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Fatalf("List-Unsubscribe %q, List-Unsubscribe-Post %q", lu, upd.header.Get("List-Unsubscribe-Post"))
	}
	unsub := strings.TrimPrefix(m[1], e.http.URL)

	// GET shows a button and changes nothing.
	if resp, body := e.publicGet(unsub); resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="unsubscribe-form"`) {
		t.Fatalf("unsubscribe page: %d", resp.StatusCode)
	}
	// The mail provider's one-click POST: no cookies, no CSRF token.
	resp2, _ := e.request(http.MethodPost, unsub, http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, strings.NewReader("List-Unsubscribe=One-Click"))
	if resp2.StatusCode != http.StatusOK {
		t.Fatalf("one-click unsubscribe: %d", resp2.StatusCode)
	}

	e.api(http.MethodPost, "/incidents/"+idText(inc.ID)+"/updates", support, map[string]any{"phase": "resolved", "message": "Restored"}).expect(t, http.StatusCreated)
	e.drain()
	if n := len(e.smtp.messages()); n != 2 {
		t.Errorf("after unsubscribing: %d messages, want still 2", n)
	}

	// Every subscriber write is audited.
	rows, _ := e.auditsAfter(0)
	seen := map[string]bool{}
	for _, r := range rows {
		seen[r.Action] = true
	}
	for _, a := range []string{"subscriber.subscribe", "subscriber.confirm", "subscriber.unsubscribe"} {
		if !seen[a] {
			t.Errorf("no %s in the audit log", a)
		}
	}

	// A confirmation link older than 48 hours does not work.
	b.get("/subscribe")
	b.postForm("/subscribe", url.Values{"email": {"bob@example.com"}})
	e.drain()
	msgs = e.smtp.messages()
	late := confirmLink.FindString(parseMail(t, msgs[len(msgs)-1]).text)
	e.clock.Advance(49 * time.Hour)
	if resp, _ := b.get(strings.TrimPrefix(late, e.http.URL)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a 49-hour-old confirmation link: %d, want 404", resp.StatusCode)
	}
}

func idText(n int64) string { return strconv.FormatInt(n, 10) }

// TestSubscribeFormErrors: bad webhook URLs and components are refused with
// the field named, and nothing is stored.
func TestSubscribeFormErrors(t *testing.T) {
	e := newSubscribeEnv(t)
	b := e.browser()
	b.get("/subscribe")
	for _, tc := range []struct {
		form  url.Values
		field string
	}{
		{url.Values{}, "email"},
		{url.Values{"webhook_url": {"ftp://example.com/hook"}}, "webhook_url"},
		{url.Values{"webhook_url": {"http://127.0.0.1:9/hook"}}, "webhook_url"},
		{url.Values{"webhook_url": {"http://10.0.0.1/hook"}}, "webhook_url"},
		{url.Values{"webhook_url": {"http://169.254.169.254/"}}, "webhook_url"},
		{url.Values{"webhook_url": {"http://[::1]/hook"}}, "webhook_url"},
		{url.Values{"webhook_url": {"http://[64:ff9b::7f00:1]/hook"}}, "webhook_url"},
		{url.Values{"webhook_url": {"http://198.18.0.1/hook"}}, "webhook_url"},
		{url.Values{"webhook_url": {"http://240.0.0.1/hook"}}, "webhook_url"},
		{url.Values{"webhook_url": {"http://255.255.255.255/hook"}}, "webhook_url"},
		{url.Values{"webhook_url": {"http://100.64.0.1/hook"}}, "webhook_url"},
		{url.Values{"webhook_url": {"http://[2001:db8::1]/hook"}}, "webhook_url"},
		{url.Values{"webhook_url": {"http://[::ffff:192.168.0.1]/hook"}}, "webhook_url"},
		{url.Values{"email": {"not an address"}}, "email"},
		{url.Values{"email": {"a@example.com"}, "components": {"nope"}}, "components"},
	} {
		resp := b.postForm("/subscribe", tc.form)
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%v: status %d", tc.form, resp.StatusCode)
			continue
		}
		if msg := fieldError(parseHTML(t, body), tc.field); msg == "" {
			t.Errorf("%v: no error on %s", tc.form, tc.field)
		}
	}
	if n := e.count("notify_subscribers"); n != 0 {
		t.Errorf("%d subscribers stored by refused forms", n)
	}
	// Without the CSRF token the form is refused.
	resp, err := e.browser().client.PostForm(e.http.URL+"/subscribe", url.Values{"email": {"a@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("subscribe without a CSRF token: %d", resp.StatusCode)
	}
}

// TestAdminSubscribers: managers see subscribers and the delivery log and
// can remove a subscriber (audited); support staff cannot.
func TestAdminSubscribers(t *testing.T) {
	e := newSubscribeEnv(t)
	b := e.browser()
	b.get("/subscribe")
	b.postForm("/subscribe", url.Values{"email": {"carol@example.com"}, "components": {"elb-us-east-1"}})
	e.drain()

	if resp, _ := e.user(auth.Support).get("/admin/subscribers"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("support sees subscribers: %d", resp.StatusCode)
	}
	mgr := e.user(auth.Manager)
	resp, body := mgr.get("/admin/subscribers")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "carol@example.com") {
		t.Fatalf("subscribers page: %d", resp.StatusCode)
	}
	resp, body = mgr.get("/admin/deliveries?outcome=ok&what=confirm")
	doc := parseHTML(t, body)
	if resp.StatusCode != http.StatusOK || doc.Find(testid("delivery-row")).Length() != 1 || !strings.Contains(body, "250") {
		t.Fatalf("delivery log: %d, %d rows", resp.StatusCode, doc.Find(testid("delivery-row")).Length())
	}
	if resp, _ := mgr.get("/admin/deliveries?outcome=failed"); resp.StatusCode != http.StatusOK {
		t.Errorf("filtered log: %d", resp.StatusCode)
	}
	var id int64
	if err := e.db.QueryRow(`SELECT id FROM notify_subscribers`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	resp = mgr.postForm("/admin/subscribers/"+idText(id)+"/remove", url.Values{})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("remove: %d", resp.StatusCode)
	}
	var state string
	e.db.QueryRow(`SELECT state FROM notify_subscribers WHERE id = ?`, id).Scan(&state)
	rows, _ := e.auditsAfter(0)
	if state != "removed" || rows[len(rows)-1].Action != "subscriber.remove" || rows[len(rows)-1].Actor != "manager@example.com" {
		t.Errorf("after removal: state %s, last audit %+v", state, rows[len(rows)-1])
	}
}
