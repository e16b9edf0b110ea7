package notify

import (
	"context"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/desk"
)

// Kind is what a delivery carries.
type Kind string

const (
	// KindEvent is an event for an active subscriber.
	KindEvent Kind = "event"
	// KindConfirm is the e-mail with the confirmation link.
	KindConfirm Kind = "confirm"
	// KindChallenge is the request a webhook must echo to be confirmed.
	KindChallenge Kind = "challenge"
	// KindMessage is a Message to a person of the team, not to a
	// subscriber.
	KindMessage Kind = "message"
	// KindNotice is a personal notice to one customer contact, queued by
	// the desk when a manager approves a notice batch (Job.Notice).
	KindNotice Kind = "notice"
)

// Message is an e-mail to a person of the team rather than to a
// subscriber: a manager told that a request waits for their approval. Key
// makes it once: a message whose key was queued before is not queued
// again, however often it is offered.
type Message struct {
	Key     string `json:"-"`
	To      string `json:"-"`
	Subject string `json:"-"`
	// Heading, Lines and the link (Path, under the site's base URL, and
	// LinkText) are what it says.
	Heading  string   `json:"heading"`
	Lines    []string `json:"lines"`
	Path     string   `json:"path"`
	LinkText string   `json:"link_text"`
}

// MessageSource returns the messages that should have been queued by now;
// the worker offers them to the outbox every pass, and their keys keep each
// to one.
type MessageSource func(ctx context.Context, now time.Time) ([]Message, error)

// DeliveryState is where a delivery stands in the outbox.
type DeliveryState string

const (
	Due       DeliveryState = "pending"   // waiting for NextAt
	Sending   DeliveryState = "sending"   // claimed by a worker until its lease ends
	Sent      DeliveryState = "sent"      // done
	Failed    DeliveryState = "failed"    // given up after GiveUpAfter
	Cancelled DeliveryState = "cancelled" // its subscriber left first
)

// Retry policy: full jitter over an exponential ceiling, from
// BackoffBase doubling to BackoffCap; a delivery still failing
// GiveUpAfter its creation is marked failed.
const (
	BackoffBase = 10 * time.Second
	BackoffCap  = time.Hour
	GiveUpAfter = 72 * time.Hour
)

// Backoff returns how long to wait after the attempts-th failed attempt
// (from 1): one second plus a random share (random(n) returns 0..n-1) of
// min(BackoffCap, BackoffBase·2^(attempts-1)), in whole seconds.
func Backoff(attempts int, random func(n int64) int64) time.Duration {
	ceiling := BackoffCap
	if attempts < 1 {
		attempts = 1
	}
	if attempts <= 20 {
		if d := BackoffBase << (attempts - 1); d < ceiling {
			ceiling = d
		}
	}
	secs := int64(ceiling / time.Second)
	return time.Second + time.Duration(random(secs+1))*time.Second
}

// Delivery is one message to one subscriber in the outbox.
type Delivery struct {
	// ID is unique and stays the same over retries: a receiver that sees
	// it twice has seen the same message twice.
	ID           string        `json:"id"`
	Kind         Kind          `json:"kind"`
	SubscriberID int64         `json:"subscriber_id"`
	EventID      int64         `json:"event_id,omitempty"`
	EventType    EventType     `json:"event_type,omitempty"`
	State        DeliveryState `json:"state"`
	Attempts     int           `json:"attempts"`
	NextAt       time.Time     `json:"next_at"`
	CreatedAt    time.Time     `json:"created_at"`
	FinishedAt   *time.Time    `json:"finished_at,omitempty"`
	LastError    string        `json:"last_error,omitempty"`
}

// Job is a claimed delivery with what sending it needs.
type Job struct {
	Delivery   Delivery
	Subscriber Subscriber
	// Event is set for KindEvent.
	Event *Event
	// Message is set for KindMessage; Subscriber is then only its
	// address, as an e-mail subscriber with no id.
	Message *Message
	// Secret is the confirmation token (KindConfirm) or the challenge
	// (KindChallenge); the outbox forgets it once the delivery is done.
	Secret string
	// Claim identifies this claim; Finish needs it.
	Claim string
	// Notice is set for KindNotice: the message to send to its contact,
	// kept and finished by the desk's queue (WorkerOptions.Notices), not
	// the outbox; Delivery then carries its delivery id, attempts and
	// queueing time.
	Notice *desk.NoticeMessage
}

// Result is the outcome of one attempt to send.
type Result struct {
	// Code is the HTTP status or SMTP reply code, 0 if none came.
	Code int
	// Err is nil when the message was accepted.
	Err      error
	Duration time.Duration
}

// Attempt is one line of the delivery log.
type Attempt struct {
	ID           int64         `json:"id"`
	DeliveryID   string        `json:"delivery_id"`
	Number       int           `json:"number"`
	At           time.Time     `json:"at"`
	OK           bool          `json:"ok"`
	Code         int           `json:"code,omitempty"`
	Error        string        `json:"error,omitempty"`
	Duration     time.Duration `json:"duration"`
	Kind         Kind          `json:"kind"`
	EventType    EventType     `json:"event_type,omitempty"`
	SubscriberID int64         `json:"subscriber_id"`
	Channel      Channel       `json:"channel"`
	Address      string        `json:"address"`
	State        DeliveryState `json:"state"` // of the delivery now
}

// LogFilter narrows the delivery log; zero fields do not filter.
type LogFilter struct {
	// Outcome is "ok" or "failed".
	Outcome      string
	Kind         Kind
	EventType    EventType
	SubscriberID int64
	Limit        int
}

// Store keeps subscribers, events and the outbox. Every write that a
// person causes (subscribe, confirm, unsubscribe, removal) is audited in
// its own transaction. Errors are *errs.Error (NotFound, Conflict,
// Invalid) or internal.
type Store interface {
	// AddSubscriber stores s (pending) with the hash of its confirmation
	// token (e-mail) and queues first, its confirmation or challenge. If a
	// pending subscriber with the same channel and address exists, its
	// components, token and secret are replaced and first is queued for it
	// instead; if an active one exists, nothing changes and it is returned
	// with existed true.
	AddSubscriber(ctx context.Context, by audit.Actor, s Subscriber, confirmHash string, first Delivery, secret string, now time.Time) (out Subscriber, existed bool, err error)
	// ConfirmEmail activates the pending e-mail subscriber whose token
	// hashes to hash, if the token is not older than ConfirmValidFor;
	// errs.NotFound otherwise. Confirming an active one returns it.
	ConfirmEmail(ctx context.Context, by audit.Actor, hash string, now time.Time) (Subscriber, error)
	// SubscriberByToken returns the subscriber with this unsubscribe token;
	// errs.NotFound.
	SubscriberByToken(ctx context.Context, token string) (Subscriber, error)
	// Unsubscribe ends the subscriber with this unsubscribe token and
	// cancels its queued deliveries; a second call changes nothing.
	// errs.NotFound.
	Unsubscribe(ctx context.Context, by audit.Actor, token string, now time.Time) (Subscriber, error)
	// RemoveSubscriber ends subscriber id (an admin's removal) and cancels
	// its queued deliveries; errs.NotFound, errs.Conflict if it already
	// ended.
	RemoveSubscriber(ctx context.Context, by audit.Actor, id int64, now time.Time) (Subscriber, error)
	// Subscribers lists every subscriber, newest first.
	Subscribers(ctx context.Context) ([]Subscriber, error)

	// Publish records ev unless an event with its key exists, and queues
	// one delivery for every active subscriber that follows its
	// components, in one transaction. It reports whether ev was new.
	Publish(ctx context.Context, ev Event, now time.Time) (bool, error)
	// Claim takes up to limit deliveries that are due at now (or whose
	// lease ran out) and leases them until now+lease.
	Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Job, error)
	// Finish records the attempt of a claimed job and moves the delivery
	// on: sent; due again at next; or failed when next is nil. A
	// successful challenge activates its subscriber.
	Finish(ctx context.Context, job Job, r Result, next *time.Time, now time.Time) error
	// Log returns the delivery log, newest first.
	Log(ctx context.Context, f LogFilter) ([]Attempt, error)
	// Deliveries returns the newest limit deliveries (200 if limit is
	// not positive), newest first (for tests and the admin page).
	Deliveries(ctx context.Context, limit int) ([]Delivery, error)
	// QueueMessages stores each of msgs whose key is new, with its
	// delivery, due at now, in one transaction, and returns how many were
	// new.
	QueueMessages(ctx context.Context, msgs []Message, now time.Time) (int, error)
}
