// Package notify is how Amends tells subscribers that something changed:
// subscribers (by e-mail or webhook, to everything or to chosen
// components), their confirmation (double opt-in for e-mail, a challenge
// for webhooks), the events (incident created, updated, resolved;
// maintenance scheduled, started, completed; explanation published) and the
// outbox that delivers each event to each subscriber exactly once by
// delivery id, retrying with capped exponential backoff and full jitter.
//
// The package is pure: it holds the types, their rules, the Service that
// the web layer calls and the Worker that drains the outbox, and the
// interfaces that storage (notify/sqlite) and sending (notify/deliver)
// implement. It imports no SQL, HTTP or HTML.
package notify

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"
)

// Channel is how a subscriber is reached.
type Channel string

const (
	Email   Channel = "email"
	Webhook Channel = "webhook"
)

// State is where a subscriber stands: pending until confirmed, active while
// it receives events, unsubscribed (by its own link) or removed (by an
// admin). Nothing is deleted.
type State string

const (
	Pending      State = "pending"
	Active       State = "active"
	Unsubscribed State = "unsubscribed"
	Removed      State = "removed"
)

// Subscriber is one e-mail address or webhook URL that wants events.
type Subscriber struct {
	ID      int64   `json:"id"`
	Channel Channel `json:"channel"`
	// Address is the e-mail address or the webhook URL.
	Address string `json:"address"`
	// Components are the components it follows; empty means everything.
	Components []string `json:"components"`
	// IncidentID, when not 0, is the one incident it follows (until the
	// incident resolves): it receives that incident's events only.
	IncidentID  int64      `json:"incident_id,omitempty"`
	State       State      `json:"state"`
	CreatedAt   time.Time  `json:"created_at"`
	ConfirmedAt *time.Time `json:"confirmed_at,omitempty"`
	// EndedAt is when it unsubscribed or was removed.
	EndedAt *time.Time `json:"ended_at,omitempty"`
	// UnsubscribeToken is the secret of its one-click unsubscribe link.
	UnsubscribeToken string `json:"-"`
	// Secret signs its webhook deliveries (empty for e-mail).
	Secret string `json:"-"`
}

// Follows reports whether s wants an event about components: a subscriber
// to everything wants every event, one to chosen components only events
// that name one of them.
func (s Subscriber) Follows(components []string) bool {
	if len(s.Components) == 0 {
		return true
	}
	for _, c := range components {
		for _, mine := range s.Components {
			if c == mine {
				return true
			}
		}
	}
	return false
}

// FollowsEvent reports whether s wants ev: a subscriber to one incident
// wants the events of that incident only, any other what Follows says of
// the event's components.
func (s Subscriber) FollowsEvent(ev Event) bool {
	if s.IncidentID != 0 {
		return ev.IncidentID == s.IncidentID
	}
	return s.Follows(ev.Components)
}

// ConfirmValidFor is how long an e-mail confirmation link works.
const ConfirmValidFor = 48 * time.Hour

// NewToken returns an unguessable URL-safe token (256 random bits).
func NewToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// NewDeliveryID returns a unique delivery id, "dlv_" and 32 hex digits.
func NewDeliveryID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return "dlv_" + hex.EncodeToString(b)
}

// HashToken is how a confirmation token is stored: only its SHA-256.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// SpooledMail is one e-mail kept in the local mail spool, where messages go
// when no SMTP server is set up: the complete message as it would have been
// sent.
type SpooledMail struct {
	ID        int64
	From, To  string
	Message   []byte
	CreatedAt time.Time
}
