package main

import (
	"html"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestSMTPFlags: no --smtp-addr means no SMTP mailer (e-mail goes to the
// local mail spool); a bad address or From is
// refused; the password comes from the file, else from AMENDS_SMTP_PASSWORD.
func TestSMTPFlags(t *testing.T) {
	if m, err := (smtpFlags{}).mailer(); m != nil || err != nil {
		t.Errorf("no server: %v, %v", m, err)
	}
	for _, f := range []smtpFlags{
		{addr: "mail.example.com", from: "status@example.com"},
		{addr: "mail.example.com:587", from: "not an address"},
		{addr: "mail.example.com:587", from: "status@example.com", passwordFile: filepath.Join(t.TempDir(), "missing")},
	} {
		if _, err := f.mailer(); err == nil {
			t.Errorf("%+v accepted", f)
		}
	}
	t.Setenv("AMENDS_SMTP_PASSWORD", "from-env")
	m, err := smtpFlags{addr: "mail.example.com:587", from: "status@example.com", user: "amends"}.mailer()
	if err != nil || m.Password != "from-env" || m.User != "amends" {
		t.Fatalf("env password: %+v, %v", m, err)
	}
	file := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(file, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	m, err = smtpFlags{addr: "mail.example.com:587", from: "status@example.com", passwordFile: file}.mailer()
	if err != nil || m.Password != "from-file" {
		t.Fatalf("file password: %+v, %v", m, err)
	}
}

// TestEmailSubscriptionWithoutSMTP: on `serve --demo` with no SMTP server a
// visitor subscribes by e-mail (one whole service), the confirmation lands
// in admin's outbox with its headers and both bodies, and following its
// link there confirms the subscription.
func TestEmailSubscriptionWithoutSMTP(t *testing.T) {
	base, link, _ := startServe(t)
	admin := newWebClient(t, base)
	admin.becomeFirstAdmin(link)
	if page := admin.get("/admin/outbox"); !strings.Contains(page, `data-testid="outbox-spooled"`) {
		t.Fatalf("the outbox does not say e-mail is kept here:\n%s", page)
	}

	visitor := newWebClient(t, base)
	form := visitor.get("/subscribe")
	if !strings.Contains(form, `name="email"`) || !strings.Contains(form, `name="services" value="ELB"`) {
		t.Fatalf("the subscribe form lacks the e-mail field or the whole-service boxes:\n%s", form)
	}
	resp := visitor.post("/subscribe", form, url.Values{"email": {"reader@example.com"}, "services": {"ELB"}})
	if resp.StatusCode != 200 {
		t.Fatalf("subscribe: %d", resp.StatusCode)
	}

	var outbox string
	confirm := regexp.MustCompile(`href="(http://[^"]+/subscribe/confirm/[^"]+)"`)
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		outbox = admin.get("/admin/outbox")
		if confirm.MatchString(outbox) {
			break
		}
	}
	m := confirm.FindStringSubmatch(outbox)
	if m == nil {
		t.Fatalf("no confirmation link in the outbox:\n%s", outbox)
	}
	for _, want := range []string{"reader@example.com", "Confirm your subscription", "Message-Id", `data-testid="outbox-html"`} {
		if !strings.Contains(outbox, want) {
			t.Errorf("the outbox lacks %q", want)
		}
	}
	done := visitor.get(html.UnescapeString(m[1]))
	if !strings.Contains(done, "reader@example.com will receive") {
		t.Fatalf("following the link did not confirm:\n%s", done)
	}
	subs := admin.get("/admin/subscribers")
	row := regexp.MustCompile(`(?s)reader@example\.com.*?</tr>`).FindString(subs)
	if !strings.Contains(row, "Active") || !strings.Contains(row, "ELB") {
		t.Errorf("the subscriber is not active on ELB's components:\n%s", row)
	}
}
