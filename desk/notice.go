package desk

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/amends/amends/internal/check"
	"github.com/amends/amends/internal/errs"
)

// A personal notice tells one customer what an incident did to it: the
// wording comes from one template the team edits (Markdown with
// placeholders such as {{customer}}), filled per customer with its own
// figures.

// NoticeTemplate is the wording of every personal notice.
type NoticeTemplate struct {
	Subject   string    `json:"subject"`
	Body      string    `json:"body"` // Markdown with placeholders
	UpdatedBy string    `json:"updated_by,omitempty"`
	UpdatedAt time.Time `json:"updated_at,omitempty"`
}

// Length limits of a notice template, in characters.
const (
	MaxNoticeSubjectLen = 200
	MaxNoticeBodyLen    = 20000
)

// NoticePlaceholder is a name a notice template may use as {{name}}.
type NoticePlaceholder struct {
	Name, Means string
}

// NoticePlaceholders are the placeholders a notice template may use, in
// the order the editor lists them.
var NoticePlaceholders = []NoticePlaceholder{
	{"customer", "the customer's name"},
	{"site_name", "this status page's name"},
	{"incident_title", "the incident's title"},
	{"incident_url", "the incident's public page"},
	{"incident_window", "when the incident began and ended"},
	{"resources", "a list of the customer's resources it hit: component, count, interval"},
	{"downtime", "the customer's downtime from the incident, as the SLA counts it"},
	{"month", "the month the incident began in (\"December 2012\")"},
	{"uptime", "a list of the customer's uptime per service that month so far, with the credit tier reached"},
	{"credits", "a list of the customer's credits from the incident, paid or pending"},
	{"statement_url", "the customer's own status and statement page (a new link, made when the notice is sent)"},
	{"explanation_url", "the published explanation's page (empty while none is published)"},
	{"apology", "the published explanation's apology paragraph (empty while none is published)"},
}

// placeholderRe finds {{name}} (spaces allowed inside the braces).
var placeholderRe = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)

// DefaultNoticeTemplate is the wording used until the team saves its own.
var DefaultNoticeTemplate = NoticeTemplate{
	Subject: "{{incident_title}}: what it meant for {{customer}}",
	Body: `Dear {{customer}},

On {{incident_window}} we had an incident: [{{incident_title}}]({{incident_url}}). This is what it meant for you.

**Your resources it hit**

{{resources}}

**Your downtime**, as your service level agreement counts it: {{downtime}}.

**Your uptime in {{month}}**

{{uptime}}

**Your credits from this incident**

{{credits}}

You need not claim anything listed as paid or pending. Your own status page, with every figure above, is at {{statement_url}}.

{{apology}}

What happened and what we are changing: {{explanation_url}}

{{site_name}}
`,
}

// Normalize trims t's subject and body ends.
func (t NoticeTemplate) Normalize() NoticeTemplate {
	t.Subject = strings.TrimSpace(t.Subject)
	t.Body = strings.TrimSpace(t.Body) + "\n"
	return t
}

// Validate checks t: a subject of one line and a body, within their
// lengths, with no placeholder that NoticePlaceholders does not name
// (errs.Invalid on "subject" or "body" naming the first unknown one).
func (t NoticeTemplate) Validate() error {
	if t.Subject == "" {
		return errs.Invalidf("subject", "is required")
	}
	if n := utf8.RuneCountInString(t.Subject); n > MaxNoticeSubjectLen {
		return errs.Invalidf("subject", "is %d characters, at most %d", n, MaxNoticeSubjectLen)
	}
	if err := check.Line("subject", t.Subject); err != nil {
		return err
	}
	if strings.TrimSpace(t.Body) == "" {
		return errs.Invalidf("body", "is required")
	}
	if n := utf8.RuneCountInString(t.Body); n > MaxNoticeBodyLen {
		return errs.Invalidf("body", "is %d characters, at most %d", n, MaxNoticeBodyLen)
	}
	if err := check.Body("body", t.Body); err != nil {
		return err
	}
	for _, f := range []struct{ field, s string }{{"subject", t.Subject}, {"body", t.Body}} {
		if bad := UnknownPlaceholders(f.s); len(bad) > 0 {
			return errs.Invalidf(f.field, "unknown placeholder %s: the placeholders are %s", strings.Join(bad, ", "), placeholderList())
		}
	}
	return nil
}

// UnknownPlaceholders returns each {{…}} in s that is not a known
// placeholder, as written, in order of first use.
func UnknownPlaceholders(s string) []string {
	var out []string
	for _, m := range placeholderRe.FindAllStringSubmatch(s, -1) {
		if !slices.ContainsFunc(NoticePlaceholders, func(p NoticePlaceholder) bool { return p.Name == m[1] }) && !slices.Contains(out, m[0]) {
			out = append(out, m[0])
		}
	}
	return out
}

func placeholderList() string {
	names := make([]string, len(NoticePlaceholders))
	for i, p := range NoticePlaceholders {
		names[i] = "{{" + p.Name + "}}"
	}
	return strings.Join(names, ", ")
}

// Fill returns t's subject and body with each placeholder replaced by its
// value in values ("" for one values lacks). The subject's values are put
// on one line.
func (t NoticeTemplate) Fill(values map[string]string) (subject, body string) {
	subject = placeholderRe.ReplaceAllStringFunc(t.Subject, func(m string) string {
		return strings.Join(strings.Fields(values[placeholderRe.FindStringSubmatch(m)[1]]), " ")
	})
	body = placeholderRe.ReplaceAllStringFunc(t.Body, func(m string) string {
		return values[placeholderRe.FindStringSubmatch(m)[1]]
	})
	return subject, body
}

// NoticeBatchState is where a batch of notices stands.
type NoticeBatchState string

const (
	NoticeRequested NoticeBatchState = "requested" // by support, waiting for a second person
	NoticeApproved  NoticeBatchState = "approved"  // its messages are queued
)

// NoticeBatch is the notices of one incident, requested by one person and
// approved by another.
type NoticeBatch struct {
	ID       int64            `json:"id"`
	Incident string           `json:"incident"`
	State    NoticeBatchState `json:"state"`
	// CorrectionOf is the batch this one corrects (0 for none): it holds
	// only the customers whose figures changed since.
	CorrectionOf int64      `json:"correction_of,omitempty"`
	RequestedBy  string     `json:"requested_by"`
	RequestedAt  time.Time  `json:"requested_at"`
	ApprovedBy   string     `json:"approved_by,omitempty"`
	ApprovedAt   *time.Time `json:"approved_at,omitempty"`
}

// NoticeMessageState is where one message stands: a draft until its batch
// is approved, then pending until sent (or failed).
type NoticeMessageState string

const (
	MessageDraft   NoticeMessageState = "draft"
	MessagePending NoticeMessageState = "pending"
	MessageSent    NoticeMessageState = "sent"
	MessageFailed  NoticeMessageState = "failed"
)

// NoticeMessage is one notice to one customer contact.
type NoticeMessage struct {
	ID       int64  `json:"id"`
	Batch    int64  `json:"batch"`
	Customer string `json:"customer"`
	Contact  string `json:"contact"`
	Channel  string `json:"channel"` // "email" or "webhook"
	// DeliveryID names the message to its receiver, once.
	DeliveryID string `json:"delivery_id"`
	// Fingerprint is a digest of the customer's figures, which a
	// correction compares.
	Fingerprint string             `json:"fingerprint"`
	Subject     string             `json:"subject"`
	Text        string             `json:"text"`
	HTML        string             `json:"html"`
	State       NoticeMessageState `json:"state"`
	// Error is the last failed attempt's reason.
	Error  string     `json:"error,omitempty"`
	SentAt *time.Time `json:"sent_at,omitempty"`
	// Attempts counts the attempts to send it.
	Attempts int `json:"attempts"`
	// QueuedAt is when approval queued it (nil for a draft).
	QueuedAt *time.Time `json:"queued_at,omitempty"`
	// Claim identifies the sender's claim of a message being sent
	// (ClaimNoticeMessages); FinishNoticeMessage needs it.
	Claim string `json:"-"`
	// Incident is the batch's incident, which a webhook's body names.
	Incident string `json:"-"`
	// Secret signs a webhook message: the customer's WebhookSecret while
	// its webhook URL is still Contact, else "" (its webhook changed since
	// the message was queued, and the message is not sent to the old one).
	Secret string `json:"-"`
}

// StatementMarker stands in a requested message's text and HTML for the
// customer's statement token, which approval makes (only hashes are kept,
// so a draft cannot hold one).
const StatementMarker = "STATEMENT-LINK-MADE-WHEN-SENT"
