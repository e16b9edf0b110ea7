package deliver

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"syscall"
	"time"

	"github.com/amends/amends/notify"
)

// WebhookClient posts webhook requests. Unless private addresses are
// allowed, it refuses at connection time to reach any address that
// notify.NonPublic names, so a host that resolved to a public address when
// it subscribed cannot later point the server at its own network.
type WebhookClient struct {
	client *http.Client
}

// NewWebhookClient returns a client with a per-request timeout that does
// not follow redirects.
func NewWebhookClient(allowPrivate bool, timeout time.Duration) *WebhookClient {
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	if !allowPrivate {
		dialer.Control = publicOnly
	}
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         dialer.DialContext,
		TLSHandshakeTimeout: 10 * time.Second,
		MaxIdleConnsPerHost: 2,
		IdleConnTimeout:     90 * time.Second,
	}
	return &WebhookClient{client: &http.Client{
		Transport: tr,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
}

// publicOnly is the dialer's check of the address it is about to connect
// to: the same notify.NonPublic that CheckWebhookURL applies when a webhook
// subscribes, now to the address the host resolves to at this moment.
func publicOnly(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("webhook address %q: %w", address, err)
	}
	if why := notify.NonPublic(ap.Addr()); why != "" {
		return fmt.Errorf("webhook refused: %s is a %s address", ap.Addr(), why)
	}
	return nil
}

// Sign returns the Amends-Signature header value for body at t:
// "t=<unix>,v1=<hex HMAC-SHA256 of "<unix>.<body>" under secret>".
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write([]byte("."))
	mac.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// WebhookBody is what every webhook request carries.
type WebhookBody struct {
	// ID is the delivery id (also in Amends-Delivery): the same on every
	// retry of one message.
	ID string `json:"id"`
	// Type is the event type, or "challenge".
	Type string `json:"type"`
	// Challenge is set on a challenge; the endpoint echoes it.
	Challenge string `json:"challenge,omitempty"`
	// CreatedAt is when the event happened.
	CreatedAt      *time.Time    `json:"created_at,omitempty"`
	Data           *notify.Event `json:"data,omitempty"`
	URL            string        `json:"url,omitempty"`
	UnsubscribeURL string        `json:"unsubscribe_url,omitempty"`
}

const maxResponse = 64 << 10

func (s *Sender) sendWebhook(ctx context.Context, job notify.Job) notify.Result {
	body := WebhookBody{ID: job.Delivery.ID, UnsubscribeURL: s.unsubscribeURL(job.Subscriber)}
	eventType := "challenge"
	switch job.Delivery.Kind {
	case notify.KindChallenge:
		body.Type, body.Challenge = "challenge", job.Secret
	case notify.KindEvent:
		if job.Event == nil {
			return notify.Result{Err: fmt.Errorf("delivery %s has no event", job.Delivery.ID)}
		}
		eventType = string(job.Event.Type)
		at := job.Event.At
		body.Type, body.CreatedAt, body.Data, body.URL = eventType, &at, job.Event, s.cfg.BaseURL+job.Event.Path
	default:
		return notify.Result{Err: fmt.Errorf("a webhook gets no %s deliveries", job.Delivery.Kind)}
	}
	b, err := json.Marshal(body)
	if err != nil {
		return notify.Result{Err: err}
	}
	r := s.post(ctx, job.Subscriber.Address, job.Subscriber.Secret, job.Delivery.ID, eventType, b)
	if r.Err == nil && job.Delivery.Kind == notify.KindChallenge && !bytes.Contains(r.body, []byte(job.Secret)) {
		return notify.Result{Code: r.Code, Err: fmt.Errorf("the response did not echo the challenge")}
	}
	return r.Result
}

// NoticeWebhookBody is what a customer's webhook gets for a personal
// notice (Amends-Event: notice): the notice as its e-mail has it.
type NoticeWebhookBody struct {
	// ID is the delivery id (also in Amends-Delivery): the same on every
	// retry of one message, and never the same for two messages.
	ID       string     `json:"id"`
	Type     string     `json:"type"` // "notice"
	QueuedAt *time.Time `json:"created_at,omitempty"`
	Customer string     `json:"customer"`
	// Incident is the incident's id, and URL its public page.
	Incident string `json:"incident"`
	URL      string `json:"url"`
	Subject  string `json:"subject"`
	Text     string `json:"text"`
	HTML     string `json:"html"`
}

// sendNoticeWebhook POSTs a personal notice to its customer's webhook,
// signed with the customer's webhook secret. A notice whose customer has
// changed or removed its webhook since it was queued has no secret and is
// not sent to the old address.
func (s *Sender) sendNoticeWebhook(ctx context.Context, job notify.Job) notify.Result {
	m := job.Notice
	if job.Subscriber.Secret == "" {
		return notify.Result{Err: fmt.Errorf("customer %s no longer has the webhook %s; the notice is not sent to it", m.Customer, m.Contact)}
	}
	b, err := json.Marshal(NoticeWebhookBody{ID: m.DeliveryID, Type: "notice", QueuedAt: m.QueuedAt, Customer: m.Customer, Incident: m.Incident,
		URL: s.cfg.BaseURL + "/incidents/" + m.Incident, Subject: m.Subject, Text: m.Text, HTML: m.HTML})
	if err != nil {
		return notify.Result{Err: err}
	}
	return s.post(ctx, m.Contact, job.Subscriber.Secret, m.DeliveryID, "notice", b).Result
}

// posted is a webhook's answer: its Result and the start of its body.
type posted struct {
	notify.Result
	body []byte
}

// post sends one signed webhook request: body to url under delivery id,
// Amends-Signature made with secret, Amends-Event eventType. A status
// other than 2xx is an error.
func (s *Sender) post(ctx context.Context, url, secret, id, eventType string, body []byte) posted {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return posted{Result: notify.Result{Err: err}}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Amends-Webhook/1")
	req.Header.Set("Amends-Signature", Sign(secret, s.cfg.Now(), body))
	req.Header.Set("Amends-Delivery", id)
	req.Header.Set("Amends-Event", eventType)
	resp, err := s.cfg.Webhooks.client.Do(req)
	if err != nil {
		return posted{Result: notify.Result{Err: err}}
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return posted{Result: notify.Result{Code: resp.StatusCode, Err: fmt.Errorf("webhook answered %s", resp.Status)}}
	}
	return posted{Result: notify.Result{Code: resp.StatusCode}, body: got}
}
