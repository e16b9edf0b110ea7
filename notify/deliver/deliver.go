// Package deliver sends what the notify outbox holds: webhook requests
// over HTTP (signed with HMAC-SHA256) and e-mail over SMTP (plain text and
// HTML, with one-click unsubscribe headers). It implements notify.Sender.
package deliver

import (
	"context"
	"errors"
	"fmt"
	"net/textproto"
	"strings"
	"time"

	"github.com/amends/amends/notify"
)

// Mailer hands one message to a mail server.
type Mailer interface {
	// Send delivers msg (a complete RFC 5322 message with CRLF line ends)
	// from from to to.
	Send(ctx context.Context, from, to string, msg []byte) error
}

// Config is what the sender needs to know.
type Config struct {
	// SiteName names the site in subjects and bodies.
	SiteName string
	// BaseURL is the public address links point to ("https://status.example.com").
	BaseURL string
	// From is the From address of e-mail.
	From string
	// Mailer sends e-mail; nil fails every e-mail delivery.
	Mailer Mailer
	// Webhooks sends webhook requests (see NewWebhookClient).
	Webhooks *WebhookClient
	// Now is the clock for signatures and Date headers (time.Now).
	Now func() time.Time
}

// Sender implements notify.Sender.
type Sender struct{ cfg Config }

var _ notify.Sender = (*Sender)(nil)

// New returns a Sender.
func New(cfg Config) *Sender {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SiteName == "" {
		cfg.SiteName = "Amends"
	}
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	return &Sender{cfg: cfg}
}

// Send sends one job by its subscriber's channel.
func (s *Sender) Send(ctx context.Context, job notify.Job) notify.Result {
	start := time.Now()
	var r notify.Result
	if job.Notice != nil {
		r = s.sendNotice(ctx, job)
		r.Duration = time.Since(start)
		return r
	}
	switch job.Subscriber.Channel {
	case notify.Webhook:
		if s.cfg.Webhooks == nil {
			r.Err = errors.New("webhooks are not set up")
			break
		}
		r = s.sendWebhook(ctx, job)
	case notify.Email:
		r = s.sendMail(ctx, job)
	default:
		r.Err = fmt.Errorf("unknown channel %q", job.Subscriber.Channel)
	}
	r.Duration = time.Since(start)
	return r
}

func (s *Sender) sendMail(ctx context.Context, job notify.Job) notify.Result {
	if s.cfg.Mailer == nil {
		return notify.Result{Err: errors.New("e-mail is not set up (no SMTP server)")}
	}
	msg, err := s.Message(job)
	if err != nil {
		return notify.Result{Err: err}
	}
	return s.mailResult(s.cfg.Mailer.Send(ctx, s.cfg.From, job.Subscriber.Address, msg))
}

// sendNotice sends a personal notice to its contact: an e-mail, or a
// signed request to the customer's webhook (see sendNoticeWebhook).
func (s *Sender) sendNotice(ctx context.Context, job notify.Job) notify.Result {
	switch notify.Channel(job.Notice.Channel) {
	case notify.Email:
	case notify.Webhook:
		if s.cfg.Webhooks == nil {
			return notify.Result{Err: errors.New("webhooks are not set up")}
		}
		return s.sendNoticeWebhook(ctx, job)
	default:
		return notify.Result{Err: fmt.Errorf("a notice cannot be sent by %q", job.Notice.Channel)}
	}
	if s.cfg.Mailer == nil {
		return notify.Result{Err: errors.New("e-mail is not set up (no SMTP server)")}
	}
	msg, err := s.NoticeMessage(job)
	if err != nil {
		return notify.Result{Err: err}
	}
	return s.mailResult(s.cfg.Mailer.Send(ctx, s.cfg.From, job.Notice.Contact, msg))
}

// mailResult turns a mailer's answer into a Result.
func (s *Sender) mailResult(err error) notify.Result {
	if err != nil {
		var te *textproto.Error
		if errors.As(err, &te) {
			return notify.Result{Code: te.Code, Err: err}
		}
		return notify.Result{Err: err}
	}
	return notify.Result{Code: 250}
}

func (s *Sender) unsubscribeURL(sub notify.Subscriber) string {
	return s.cfg.BaseURL + "/unsubscribe/" + sub.UnsubscribeToken
}
