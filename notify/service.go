package notify

import (
	"context"
	"strings"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/internal/errs"
)

// Service is what the web layer calls: subscribing, confirming,
// unsubscribing, removing, and publishing events into the outbox.
type Service struct {
	store        Store
	resolver     Resolver
	allowPrivate bool
	email        bool
	wake         func()
}

// Options configure a Service.
type Options struct {
	// Resolver looks up webhook hosts; nil refuses host names unless
	// AllowPrivateWebhooks.
	Resolver Resolver
	// AllowPrivateWebhooks lets webhooks point to loopback, link-local and
	// private addresses.
	AllowPrivateWebhooks bool
	// Email says e-mail can be sent (an SMTP server is configured);
	// otherwise e-mail subscriptions are refused.
	Email bool
}

// NewService returns a Service over store.
func NewService(store Store, opts Options) *Service {
	return &Service{store: store, resolver: opts.Resolver, allowPrivate: opts.AllowPrivateWebhooks, email: opts.Email}
}

// OnPublish sets what to call after a new delivery is queued, usually the
// worker's Wake.
func (s *Service) OnPublish(wake func()) { s.wake = wake }

func (s *Service) poke() {
	if s.wake != nil {
		s.wake()
	}
}

// CheckWebhookURL checks raw exactly as Subscribe checks a subscriber's
// webhook URL (see the function CheckWebhookURL), with s's resolver and
// private-address rule: the desk checks a customer's webhook with it.
func (s *Service) CheckWebhookURL(ctx context.Context, field, raw string) (string, error) {
	return CheckWebhookURL(ctx, field, raw, s.resolver, s.allowPrivate)
}

// EmailEnabled reports whether e-mail subscriptions are possible.
func (s *Service) EmailEnabled() bool { return s.email }

// Subscription is the outcome of Subscribe.
type Subscription struct {
	Subscriber Subscriber
	// Existed is true when the address was already subscribed and
	// confirmed: nothing changed and nothing is sent.
	Existed bool
}

// Subscribe records a pending subscriber from in and queues its
// confirmation e-mail or webhook challenge. known are the components that
// exist. Errors are errs.Invalid on "email", "webhook_url" or
// "components[i]". A webhook subscriber's Secret (for checking signatures)
// is in the result; it is shown once.
func (s *Service) Subscribe(ctx context.Context, by audit.Actor, in SubscribeInput, known []string, now time.Time) (Subscription, error) {
	now = now.UTC().Truncate(time.Second)
	email, hook := strings.TrimSpace(in.Email), strings.TrimSpace(in.WebhookURL)
	if email == "" && hook == "" {
		return Subscription{}, errs.Invalidf("email", "give an e-mail address or a webhook URL")
	}
	if email != "" && hook != "" {
		return Subscription{}, errs.Invalidf("webhook_url", "give an e-mail address or a webhook URL, not both")
	}
	sub := Subscriber{State: Pending, CreatedAt: now, UnsubscribeToken: NewToken()}
	var err error
	if email != "" {
		if !s.email {
			return Subscription{}, errs.Invalidf("email", "e-mail updates are not available on this site; use a webhook or a feed")
		}
		sub.Channel = Email
		if sub.Address, err = CheckEmail("email", email); err != nil {
			return Subscription{}, err
		}
	} else {
		sub.Channel = Webhook
		if sub.Address, err = CheckWebhookURL(ctx, "webhook_url", hook, s.resolver, s.allowPrivate); err != nil {
			return Subscription{}, err
		}
		sub.Secret = "whsec_" + NewToken()
	}
	if in.IncidentID < 0 {
		return Subscription{}, errs.Invalidf("incident_id", "%d is not an incident", in.IncidentID)
	}
	if sub.IncidentID = in.IncidentID; sub.IncidentID != 0 {
		sub.Components = []string{}
	} else if sub.Components, err = CheckComponents(in.Components, known); err != nil {
		return Subscription{}, err
	}
	first := Delivery{ID: NewDeliveryID(), Kind: KindConfirm, State: Due, NextAt: now, CreatedAt: now}
	secret, hash := NewToken(), ""
	if sub.Channel == Email {
		hash = HashToken(secret)
	} else {
		first.Kind = KindChallenge
	}
	out, existed, err := s.store.AddSubscriber(ctx, by, sub, hash, first, secret, now)
	if err != nil {
		return Subscription{}, err
	}
	if !existed {
		s.poke()
	}
	return Subscription{Subscriber: out, Existed: existed}, nil
}

// Confirm activates the e-mail subscriber of a confirmation token;
// errs.NotFound if the token is unknown or older than ConfirmValidFor.
func (s *Service) Confirm(ctx context.Context, by audit.Actor, token string, now time.Time) (Subscriber, error) {
	if token == "" || len(token) > 100 {
		return Subscriber{}, errs.NotFoundf("this confirmation link is not valid")
	}
	return s.store.ConfirmEmail(ctx, by, HashToken(token), now.UTC().Truncate(time.Second))
}

// Subscriber returns the subscriber of an unsubscribe token; errs.NotFound.
func (s *Service) Subscriber(ctx context.Context, token string) (Subscriber, error) {
	if token == "" || len(token) > 100 {
		return Subscriber{}, errs.NotFoundf("this unsubscribe link is not valid")
	}
	return s.store.SubscriberByToken(ctx, token)
}

// Unsubscribe ends the subscriber of an unsubscribe token; doing it twice
// is no error. errs.NotFound.
func (s *Service) Unsubscribe(ctx context.Context, by audit.Actor, token string, now time.Time) (Subscriber, error) {
	if token == "" || len(token) > 100 {
		return Subscriber{}, errs.NotFoundf("this unsubscribe link is not valid")
	}
	return s.store.Unsubscribe(ctx, by, token, now.UTC().Truncate(time.Second))
}

// Remove ends subscriber id on an admin's behalf.
func (s *Service) Remove(ctx context.Context, by audit.Actor, id int64, now time.Time) (Subscriber, error) {
	return s.store.RemoveSubscriber(ctx, by, id, now.UTC().Truncate(time.Second))
}

// Subscribers lists every subscriber, newest first.
func (s *Service) Subscribers(ctx context.Context) ([]Subscriber, error) {
	return s.store.Subscribers(ctx)
}

// Log returns the delivery log, newest first.
func (s *Service) Log(ctx context.Context, f LogFilter) ([]Attempt, error) {
	return s.store.Log(ctx, f)
}

// Publish queues ev for every active subscriber that follows it, once per
// event key, and wakes the worker.
func (s *Service) Publish(ctx context.Context, ev Event, now time.Time) error {
	ev.At = ev.At.UTC().Truncate(time.Second)
	if err := ev.Validate(); err != nil {
		return err
	}
	added, err := s.store.Publish(ctx, ev, now.UTC().Truncate(time.Second))
	if err != nil {
		return err
	}
	if added {
		s.poke()
	}
	return nil
}
