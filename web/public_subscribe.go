package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
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
	// CheckWebhookURL checks a webhook URL as subscribing checks one
	// (errs.Invalid on field), for a customer's own webhook.
	CheckWebhookURL(ctx context.Context, field, raw string) (string, error)
}

// checkWebhookURL checks a customer's webhook URL as a subscriber's is
// checked, and returns it in its normal form ("" stays ""): with the
// Notifier's resolver and private-address rule, or without a Notifier by
// notify.CheckWebhookURL with no resolver (only public IP literals pass).
func (s *Server) checkWebhookURL(ctx context.Context, field, raw string) (string, error) {
	if strings.TrimSpace(raw) == "" {
		return "", nil
	}
	if s.cfg.Notify == nil {
		return notify.CheckWebhookURL(ctx, field, raw, nil, false)
	}
	return s.cfg.Notify.CheckWebhookURL(ctx, field, raw)
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

// subscribeView fills the form's choices: the components grouped by
// service, with chosen components and whole services checked, or the one
// incident the form subscribes to.
func (s *Server) subscribeView(c echo.Context, v templates.SubscribePage, chosen, wholeServices map[string]bool) (templates.SubscribePage, []incidents.Component, error) {
	ctx := c.Request().Context()
	components, err := s.incidents.Components(ctx)
	if err != nil {
		return v, nil, err
	}
	services, err := s.incidents.Services(ctx)
	if err != nil {
		return v, nil, err
	}
	v.Page = s.page(c, "Subscribe", "Get "+s.cfg.SiteName+" status updates by e-mail or webhook.")
	v.EmailEnabled = s.cfg.Notify.EmailEnabled()
	byService := map[string]int{}
	for _, svc := range services {
		byService[svc.ID] = len(v.Services)
		v.Services = append(v.Services, templates.SubscribeService{ID: svc.ID, Name: svc.Name, Whole: wholeServices[svc.ID]})
	}
	for _, comp := range components {
		label := comp.Name
		if comp.Region != "" && !strings.Contains(label, comp.Region) {
			label += " (" + comp.Region + ")"
		}
		o := templates.Option{Value: comp.ID, Label: label, Selected: chosen[comp.ID]}
		v.Components = append(v.Components, o)
		k, ok := byService[comp.Service]
		if !ok {
			byService[comp.Service] = len(v.Services)
			k = len(v.Services)
			v.Services = append(v.Services, templates.SubscribeService{ID: comp.Service, Name: comp.Service, Whole: wholeServices[comp.Service]})
		}
		v.Services[k].Components = append(v.Services[k].Components, o)
	}
	kept := v.Services[:0]
	for _, svc := range v.Services {
		if len(svc.Components) > 0 {
			kept = append(kept, svc)
		}
	}
	v.Services = kept
	return v, components, nil
}

// subscribeIncident reads the incident a form subscribes to ("incident",
// from the query or the form): 0 for none; errs.Invalid on "incident" for
// one that does not exist or has resolved.
func (s *Server) subscribeIncident(c echo.Context, raw string) (*templates.SubscribeIncident, int64, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, 0, nil
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return nil, 0, errs.Invalidf("incident", "%q is not an incident", raw)
	}
	inc, err := s.incidents.Incident(c.Request().Context(), id)
	if errs.CodeOf(err) == errs.NotFound {
		return nil, 0, errs.Invalidf("incident", "there is no incident %d", id)
	}
	if err != nil {
		return nil, 0, err
	}
	v := &templates.SubscribeIncident{ID: strconv.FormatInt(id, 10), Title: inc.Title, URL: "/incidents/" + strconv.FormatInt(id, 10)}
	if !inc.Active() {
		return v, id, errs.Invalidf("incident", "%q has resolved; subscribe to the whole status page instead", inc.Title)
	}
	return v, id, nil
}

// handleSubscribeForm shows "/subscribe", or with ?incident=ID the form that
// follows one unresolved incident.
func (s *Server) handleSubscribeForm(c echo.Context) error {
	if _, err := s.notifier(); err != nil {
		return err
	}
	v, _, err := s.subscribeView(c, templates.SubscribePage{Email: c.QueryParam("email")}, nil, nil)
	if err != nil {
		return err
	}
	status := http.StatusOK
	v.Incident, _, err = s.subscribeIncident(c, c.QueryParam("incident"))
	if err != nil {
		if errs.CodeOf(err) != errs.Invalid {
			return err
		}
		v.Error, status = subscribeError(err), http.StatusUnprocessableEntity
		if v.Incident != nil {
			v.Incident.Resolved = true
		}
	}
	return s.render(c, status, templates.Subscribe(v))
}

// handleSubscribe takes a subscription from the form and queues its
// confirmation e-mail or webhook challenge. A checked "services" box
// follows every component of that service.
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
	chosen, whole := map[string]bool{}, map[string]bool{}
	for _, id := range in.Components {
		chosen[id] = true
	}
	for _, id := range params["services"] {
		whole[id] = true
	}
	v, components, err := s.subscribeView(c, templates.SubscribePage{Email: in.Email, WebhookURL: in.WebhookURL}, chosen, whole)
	if err != nil {
		return err
	}
	known := make([]string, len(components))
	for i, comp := range components {
		known[i] = comp.ID
	}
	fail := func(err error) error {
		if errs.CodeOf(err) != errs.Invalid {
			return err
		}
		v.Error = subscribeError(err)
		return s.render(c, http.StatusUnprocessableEntity, templates.Subscribe(v))
	}
	if v.Incident, in.IncidentID, err = s.subscribeIncident(c, c.FormValue("incident")); err != nil {
		if v.Incident != nil {
			v.Incident.Resolved = true
		}
		return fail(err)
	}
	if in.IncidentID == 0 {
		if in.Components, err = wholeServiceComponents(in.Components, params["services"], components); err != nil {
			return fail(err)
		}
	}
	sub, err := n.Subscribe(c.Request().Context(), visitor(c), in, known, s.now())
	if err != nil {
		return fail(err)
	}
	v.Sent, v.SentTo = true, sub.Subscriber.Address
	v.Webhook = sub.Subscriber.Channel == notify.Webhook
	if !sub.Existed {
		v.Secret = sub.Subscriber.Secret
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return s.render(c, http.StatusOK, templates.Subscribe(v))
}

// subscribeLabels are the subscribe form's fields by the name errors give.
var subscribeLabels = map[string]string{"email": "E-mail address", "webhook_url": "Webhook URL", "components": "Components"}

// subscribeError is the form's error: marked on the field it names, and
// the summary says which field that is; one about the incident (which has
// no field of its own) is the summary alone.
func subscribeError(err error) templates.FormError {
	fe := form.Error(err, func(f string) string {
		if strings.HasPrefix(f, "components") || strings.HasPrefix(f, "services") {
			return "components"
		}
		return f
	})
	for f, msg := range fe.Fields {
		label, ok := subscribeLabels[f]
		if !ok {
			return templates.FormError{Summary: msg}
		}
		fe.Summary = "Please correct the field marked below, " + label + ": " + msg
	}
	return fe
}

// wholeServiceComponents adds to chosen every component of each service in
// services (the form's "whole service" boxes), each once; errs.Invalid on
// "services[i]" for a service with no components.
func wholeServiceComponents(chosen, services []string, components []incidents.Component) ([]string, error) {
	if len(services) == 0 {
		return chosen, nil
	}
	out := append([]string{}, chosen...)
	seen := map[string]bool{}
	for _, c := range chosen {
		seen[strings.TrimSpace(c)] = true
	}
	for i, svc := range services {
		found := false
		for _, comp := range components {
			if comp.Service != svc {
				continue
			}
			found = true
			if !seen[comp.ID] {
				seen[comp.ID] = true
				out = append(out, comp.ID)
			}
		}
		if !found {
			return nil, errs.Invalidf(fmt.Sprintf("services[%d]", i), "unknown service %q", svc)
		}
	}
	return out, nil
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
