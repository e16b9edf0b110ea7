package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/notify"
	"github.com/amends/amends/templates"
	"github.com/amends/amends/web/form"
)

// Notifier is the subscriptions side that the server calls: subscribing,
// confirming, unsubscribing, the admin lists, and publishing events after
// a write. notify.Service is one.
type Notifier interface {
	Publish(ctx context.Context, ev notify.Event, now time.Time) error
	Subscribe(ctx context.Context, by audit.Actor, in notify.SubscribeInput, known []string, now time.Time) (notify.Subscription, error)
	Confirm(ctx context.Context, by audit.Actor, token string, now time.Time) (notify.Subscriber, error)
	Subscriber(ctx context.Context, token string) (notify.Subscriber, error)
	Unsubscribe(ctx context.Context, by audit.Actor, token string, now time.Time) (notify.Subscriber, error)
	Remove(ctx context.Context, by audit.Actor, id int64, now time.Time) (notify.Subscriber, error)
	Subscribers(ctx context.Context) ([]notify.Subscriber, error)
	Log(ctx context.Context, f notify.LogFilter) ([]notify.Attempt, error)
	EmailEnabled() bool
}

// publish tells subscribers about a write that has just succeeded. The
// write stands whatever happens here, so a failure is logged, not
// answered; the event is then missing from the outbox (see
// ARCHITECTURE.md, "Subscriptions").
func (s *Server) publish(ctx context.Context, ev notify.Event) {
	if s.cfg.Notify == nil {
		return
	}
	if err := s.cfg.Notify.Publish(ctx, ev, s.now()); err != nil {
		s.log.Error("publishing an event to subscribers", "event", ev.Key, "err", err)
	}
}

// notifier returns the Notifier, or errs.NotFound when subscriptions are
// not set up.
func (s *Server) notifier() (Notifier, error) {
	if s.cfg.Notify == nil {
		return nil, errs.NotFoundf("subscriptions are not available on this site")
	}
	return s.cfg.Notify, nil
}

// visitor is who the audit log names for a visitor's write.
func visitor(c echo.Context) audit.Actor { return audit.Named("visitor " + c.RealIP()) }

func (s *Server) subscribeView(c echo.Context, v templates.SubscribePage, chosen map[string]bool) (templates.SubscribePage, []incidents.Component, error) {
	components, err := s.incidents.Components(c.Request().Context())
	if err != nil {
		return v, nil, err
	}
	v.Page = s.page(c, "Subscribe", "Get "+s.cfg.SiteName+" status updates by e-mail or webhook.")
	v.EmailEnabled = s.cfg.Notify.EmailEnabled()
	for _, comp := range components {
		label := comp.Name
		if comp.Region != "" && !strings.Contains(label, comp.Region) {
			label += " (" + comp.Region + ")"
		}
		v.Components = append(v.Components, templates.Option{Value: comp.ID, Label: label, Selected: chosen[comp.ID]})
	}
	return v, components, nil
}

// handleSubscribeForm shows "/subscribe".
func (s *Server) handleSubscribeForm(c echo.Context) error {
	if _, err := s.notifier(); err != nil {
		return err
	}
	v, _, err := s.subscribeView(c, templates.SubscribePage{Email: c.QueryParam("email")}, nil)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, templates.Subscribe(v))
}

// handleSubscribe takes a subscription from the form and queues its
// confirmation e-mail or webhook challenge.
func (s *Server) handleSubscribe(c echo.Context) error {
	n, err := s.notifier()
	if err != nil {
		return err
	}
	params, _ := c.FormParams()
	in := notify.SubscribeInput{
		Email:      strings.TrimSpace(c.FormValue("email")),
		WebhookURL: strings.TrimSpace(c.FormValue("webhook_url")),
		Components: params["components"],
	}
	chosen := map[string]bool{}
	for _, id := range in.Components {
		chosen[id] = true
	}
	v, components, err := s.subscribeView(c, templates.SubscribePage{Email: in.Email, WebhookURL: in.WebhookURL}, chosen)
	if err != nil {
		return err
	}
	known := make([]string, len(components))
	for i, comp := range components {
		known[i] = comp.ID
	}
	sub, err := n.Subscribe(c.Request().Context(), visitor(c), in, known, s.now())
	if err != nil {
		if errs.CodeOf(err) != errs.Invalid {
			return err
		}
		v.Error = form.Error(err, func(f string) string {
			if strings.HasPrefix(f, "components") {
				return "components"
			}
			return f
		})
		return s.render(c, http.StatusUnprocessableEntity, templates.Subscribe(v))
	}
	v.Sent, v.SentTo = true, sub.Subscriber.Address
	v.Webhook = sub.Subscriber.Channel == notify.Webhook
	if !sub.Existed {
		v.Secret = sub.Subscriber.Secret
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return s.render(c, http.StatusOK, templates.Subscribe(v))
}

// handleConfirmSubscription follows the e-mailed confirmation link.
func (s *Server) handleConfirmSubscription(c echo.Context) error {
	n, err := s.notifier()
	if err != nil {
		return err
	}
	sub, err := n.Confirm(c.Request().Context(), visitor(c), c.Param("token"), s.now())
	v := templates.SubscriptionNotice{Page: s.page(c, "Subscription", "")}
	status := http.StatusOK
	switch errs.CodeOf(err) {
	case "":
		v.Heading, v.Class = "Subscribed", "operational"
		v.Message = sub.Address + " will receive " + s.cfg.SiteName + " status updates. Every message has a link to unsubscribe."
	case errs.NotFound:
		status, v.Heading, v.Class, v.Message = http.StatusNotFound, "This link does not work", "major_outage", errs.MessageOf(err)
	default:
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return s.render(c, status, templates.SubscriptionMessage(v))
}

// handleUnsubscribeForm shows the one-button page of an unsubscribe link.
func (s *Server) handleUnsubscribeForm(c echo.Context) error {
	n, err := s.notifier()
	if err != nil {
		return err
	}
	token := c.Param("token")
	sub, err := n.Subscriber(c.Request().Context(), token)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return s.render(c, http.StatusOK, templates.Unsubscribe(templates.UnsubscribePage{
		Page:      s.page(c, "Unsubscribe", ""),
		Address:   sub.Address,
		ActionURL: "/unsubscribe/" + token,
		Done:      sub.State == notify.Unsubscribed || sub.State == notify.Removed,
	}))
}

// handleUnsubscribe ends a subscription: the page's button, or a mail
// client's one-click POST (RFC 8058, body "List-Unsubscribe=One-Click").
// The unguessable token is the authority, so there is no CSRF token; the
// request changes nothing but this one subscription, and repeating it is
// harmless.
func (s *Server) handleUnsubscribe(c echo.Context) error {
	n, err := s.notifier()
	if err != nil {
		return err
	}
	sub, err := n.Unsubscribe(c.Request().Context(), visitor(c), c.Param("token"), s.now())
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return s.render(c, http.StatusOK, templates.Unsubscribe(templates.UnsubscribePage{
		Page: s.page(c, "Unsubscribed", ""), Address: sub.Address, Done: true,
	}))
}
