package deliver

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"html/template"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"

	"github.com/amends/amends/notify"
)

// SMTP sends e-mail through one SMTP server, upgrading to TLS with
// STARTTLS whenever the server offers it, and authenticating (PLAIN) when
// User is set; Go's net/smtp allows PLAIN only over TLS or to localhost.
type SMTP struct {
	// Addr is host:port of the server.
	Addr     string
	User     string
	Password string
	// TLS configures STARTTLS; nil verifies the server's certificate for
	// the host of Addr.
	TLS *tls.Config
	// Hello is the name sent in EHLO ("localhost" if empty).
	Hello string
}

// Send implements Mailer.
func (m *SMTP) Send(ctx context.Context, from, to string, msg []byte) error {
	host, _, err := net.SplitHostPort(m.Addr)
	if err != nil {
		return fmt.Errorf("smtp address %q: %w", m.Addr, err)
	}
	d := net.Dialer{Timeout: 15 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", m.Addr)
	if err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	} else {
		conn.SetDeadline(time.Now().Add(time.Minute))
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if m.Hello != "" {
		if err := c.Hello(m.Hello); err != nil {
			return err
		}
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := m.TLS
		if cfg == nil {
			cfg = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
		}
		if err := c.StartTLS(cfg); err != nil {
			return fmt.Errorf("starttls: %w", err)
		}
	}
	if m.User != "" {
		if err := c.Auth(smtp.PlainAuth("", m.User, m.Password, host)); err != nil {
			return err
		}
	}
	if err := c.Mail(from); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// mailContent is what one e-mail says.
type mailContent struct {
	Site, Subject, Heading, Intro string
	Lines                         []string
	Link, LinkText                string
	Unsubscribe                   string
	Footer                        string
}

var htmlMail = template.Must(template.New("mail").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family: system-ui, sans-serif; line-height: 1.5; color: #1b1f24; max-width: 40em; margin: 0 auto; padding: 1em;">
<p style="color: #555;">{{.Site}}</p>
<h1 style="font-size: 1.3em;">{{.Heading}}</h1>
{{if .Intro}}<p>{{.Intro}}</p>{{end}}
{{range .Lines}}<p>{{.}}</p>{{end}}
{{if .Link}}<p><a href="{{.Link}}">{{.LinkText}}</a></p>{{end}}
<hr>
<p style="color: #555; font-size: 0.9em;">{{.Footer}}{{if .Unsubscribe}} <a href="{{.Unsubscribe}}">Unsubscribe</a>.{{end}}</p>
</body></html>
`))

func (c mailContent) text() string {
	var b strings.Builder
	b.WriteString(c.Heading + "\n\n")
	if c.Intro != "" {
		b.WriteString(c.Intro + "\n\n")
	}
	for _, l := range c.Lines {
		b.WriteString(l + "\n\n")
	}
	if c.Link != "" {
		b.WriteString(c.LinkText + ":\n" + c.Link + "\n\n")
	}
	b.WriteString("-- \n" + c.Footer + "\n")
	if c.Unsubscribe != "" {
		b.WriteString("Unsubscribe: " + c.Unsubscribe + "\n")
	}
	return b.String()
}

// Message returns the complete e-mail of an e-mail job: multipart/
// alternative with a plain-text and an HTML part; event mails carry
// List-Unsubscribe and List-Unsubscribe-Post (RFC 8058) headers.
func (s *Sender) Message(job notify.Job) ([]byte, error) {
	c := mailContent{Site: s.cfg.SiteName}
	switch job.Delivery.Kind {
	case notify.KindConfirm:
		c.Subject = "Confirm your subscription to " + s.cfg.SiteName + " status updates"
		c.Heading = "Please confirm your subscription"
		c.Intro = "Someone (we hope you) asked to receive " + s.cfg.SiteName + " status updates at " + job.Subscriber.Address + "."
		c.Lines = []string{"Nothing will be sent until you confirm. The link works for 48 hours; if you did not ask, ignore this message."}
		c.Link, c.LinkText = s.cfg.BaseURL+"/subscribe/confirm/"+job.Secret, "Confirm the subscription"
		c.Footer = "You received this because this address was entered on the " + s.cfg.SiteName + " status page."
	case notify.KindEvent:
		if job.Event == nil {
			return nil, fmt.Errorf("delivery %s has no event", job.Delivery.ID)
		}
		ev := job.Event
		c.Subject, c.Heading = eventSubject(s.cfg.SiteName, ev), eventHeading(ev)
		c.Lines = eventLines(ev)
		c.Link, c.LinkText = s.cfg.BaseURL+ev.Path, "Open the status page"
		c.Unsubscribe = s.unsubscribeURL(job.Subscriber)
		c.Footer = "You receive this because you subscribed to " + s.cfg.SiteName + " status updates."
	case notify.KindMessage:
		if job.Message == nil {
			return nil, fmt.Errorf("delivery %s has no message", job.Delivery.ID)
		}
		m := job.Message
		c.Subject, c.Heading, c.Lines = "["+s.cfg.SiteName+"] "+m.Subject, m.Heading, m.Lines
		if m.Path != "" {
			c.Link, c.LinkText = s.cfg.BaseURL+m.Path, m.LinkText
		}
		c.Footer = "You receive this because your account on " + s.cfg.SiteName + " may approve what others request."
	default:
		return nil, fmt.Errorf("an e-mail subscriber gets no %s deliveries", job.Delivery.Kind)
	}

	var htmlBody bytes.Buffer
	if err := htmlMail.Execute(&htmlBody, c); err != nil {
		return nil, err
	}
	var extra [][2]string
	if c.Unsubscribe != "" {
		extra = append(extra, [2]string{"List-Unsubscribe", "<" + c.Unsubscribe + ">"}, [2]string{"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"})
	}
	return s.compose(job.Delivery.ID, job.Subscriber.Address, c.Subject, c.text(), htmlBody.String(), extra)
}

var noticeMail = template.Must(template.New("notice").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family: system-ui, sans-serif; line-height: 1.5; color: #1b1f24; max-width: 40em; margin: 0 auto; padding: 1em;">
{{.Body}}
</body></html>
`))

// NoticeMessage returns the complete e-mail of a personal notice
// (Job.Notice): its subject, its Markdown text as the plain-text part and
// its rendered (sanitised) HTML as the HTML part, under its delivery id as
// Message-ID and X-Amends-Delivery, so a receiver that gets it twice can
// tell. It carries no unsubscribe headers: it is a message about the
// customer's own account, not a subscription.
func (s *Sender) NoticeMessage(job notify.Job) ([]byte, error) {
	n := job.Notice
	if n == nil {
		return nil, fmt.Errorf("delivery %s is not a notice", job.Delivery.ID)
	}
	var htmlBody bytes.Buffer
	// The HTML was rendered and sanitised when the notice was drafted.
	if err := noticeMail.Execute(&htmlBody, struct {
		Subject string
		Body    template.HTML
	}{n.Subject, template.HTML(n.HTML)}); err != nil {
		return nil, err
	}
	return s.compose(n.DeliveryID, n.Contact, n.Subject, n.Text, htmlBody.String(), [][2]string{{"X-Amends-Delivery", n.DeliveryID}})
}

// compose returns an RFC 5322 message from the site's From to to:
// multipart/alternative of text and html, with the extra headers.
func (s *Sender) compose(id, to, subject, text, html string, extra [][2]string) ([]byte, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, part := range []struct{ typ, content string }{
		{"text/plain; charset=utf-8", text},
		{"text/html; charset=utf-8", html},
	} {
		h := textproto.MIMEHeader{}
		h.Set("Content-Type", part.typ)
		h.Set("Content-Transfer-Encoding", "quoted-printable")
		pw, err := mw.CreatePart(h)
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(pw)
		if _, err := qp.Write([]byte(strings.ReplaceAll(part.content, "\n", "\r\n"))); err != nil {
			return nil, err
		}
		if err := qp.Close(); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}

	var msg bytes.Buffer
	header := func(k, v string) { msg.WriteString(k + ": " + v + "\r\n") }
	header("From", s.cfg.From)
	header("To", to)
	header("Subject", mime.QEncoding.Encode("utf-8", subject))
	header("Date", s.cfg.Now().UTC().Format(time.RFC1123Z))
	header("Message-ID", "<"+id+"@amends>")
	header("MIME-Version", "1.0")
	header("Auto-Submitted", "auto-generated")
	for _, h := range extra {
		header(h[0], h[1])
	}
	header("Content-Type", "multipart/alternative; boundary="+mw.Boundary())
	msg.WriteString("\r\n")
	msg.Write(body.Bytes())
	return msg.Bytes(), nil
}

func eventSubject(site string, ev *notify.Event) string {
	switch ev.Type {
	case notify.IncidentCreated:
		return "[" + site + "] New incident: " + ev.Title
	case notify.IncidentResolved:
		return "[" + site + "] Resolved: " + ev.Title
	case notify.IncidentUpdated:
		return "[" + site + "] Update: " + ev.Title
	case notify.MaintenanceScheduled:
		return "[" + site + "] Maintenance scheduled: " + ev.Title
	case notify.MaintenanceStarted:
		return "[" + site + "] Maintenance started: " + ev.Title
	case notify.MaintenanceCompleted:
		return "[" + site + "] Maintenance completed: " + ev.Title
	case notify.ExplanationPublished:
		return "[" + site + "] What happened: " + ev.Title
	}
	return "[" + site + "] " + ev.Title
}

func eventHeading(ev *notify.Event) string {
	switch ev.Type {
	case notify.ExplanationPublished:
		return "Explanation published: " + ev.Title
	}
	return ev.Title
}

func eventLines(ev *notify.Event) []string {
	var out []string
	if ev.Phase != "" {
		out = append(out, "Status: "+strings.ReplaceAll(ev.Phase, "_", " ")+" (as of "+ev.At.UTC().Format("2 Jan 2006, 15:04 UTC")+")")
	}
	if ev.Message != "" {
		out = append(out, ev.Message)
	}
	if ev.StartsAt != nil && ev.EndsAt != nil {
		out = append(out, "Window: "+ev.StartsAt.UTC().Format("2 Jan 2006, 15:04")+" to "+ev.EndsAt.UTC().Format("2 Jan 2006, 15:04 UTC"))
	}
	if len(ev.Components) > 0 {
		out = append(out, "Affects: "+strings.Join(ev.Components, ", "))
	}
	if ev.Type == notify.ExplanationPublished {
		out = append(out, "We have published what happened, why, what we are changing, and our apology.")
	}
	return out
}
