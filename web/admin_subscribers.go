package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/notify"
	"github.com/amends/amends/templates"
	"github.com/amends/amends/web/form"
)

var subscriberStates = map[notify.State]string{
	notify.Pending: "Pending", notify.Active: "Active", notify.Unsubscribed: "Unsubscribed", notify.Removed: "Removed",
}

// handleAdminSubscribers shows "/admin/subscribers" (manager and above).
func (s *Server) handleAdminSubscribers(c echo.Context) error {
	n, err := s.notifier()
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	list, err := n.Subscribers(ctx)
	if err != nil {
		return err
	}
	components, err := s.incidents.Components(ctx)
	if err != nil {
		return err
	}
	names := namesOf(components)
	v := templates.AdminSubscribersPage{Page: s.page(c, "Subscribers", ""), CanRemove: true}
	for _, sub := range list {
		row := templates.SubscriberRow{
			ID: sub.ID, Channel: "E-mail", Address: sub.Address, Components: "Everything",
			State:   templates.StatusBadge{Class: string(sub.State), Label: subscriberStates[sub.State]},
			Created: viewTime(sub.CreatedAt), Confirmed: viewTimePtr(sub.ConfirmedAt),
			Live:   sub.State == notify.Pending || sub.State == notify.Active,
			LogURL: "/admin/deliveries?subscriber=" + strconv.FormatInt(sub.ID, 10),
		}
		if sub.Channel == notify.Webhook {
			row.Channel = "Webhook"
		}
		if sub.IncidentID != 0 {
			row.Components = "Incident " + strconv.FormatInt(sub.IncidentID, 10) + " until it resolves"
		} else if len(sub.Components) > 0 {
			var ns []string
			for _, id := range sub.Components {
				ns = append(ns, names.name(id))
			}
			row.Components = strings.Join(ns, ", ")
		}
		v.Subscribers = append(v.Subscribers, row)
	}
	return s.render(c, http.StatusOK, templates.AdminSubscribers(v))
}

// handleRemoveSubscriber ends a subscriber on an admin's behalf.
func (s *Server) handleRemoveSubscriber(c echo.Context) error {
	n, err := s.notifier()
	if err != nil {
		return err
	}
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	if _, err := n.Remove(c.Request().Context(), by(c), id, s.now()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/subscribers")
}

// handleAdminDeliveries shows "/admin/deliveries", the delivery log,
// filtered by outcome, what was sent, and subscriber.
func (s *Server) handleAdminDeliveries(c echo.Context) error {
	n, err := s.notifier()
	if err != nil {
		return err
	}
	f := notify.LogFilter{Outcome: c.QueryParam("outcome")}
	if f.Outcome != "" && f.Outcome != "ok" && f.Outcome != "failed" {
		return errs.Invalidf("outcome", "%q is not ok or failed", f.Outcome)
	}
	what := c.QueryParam("what")
	switch {
	case what == "":
	case what == string(notify.KindConfirm) || what == string(notify.KindChallenge) || what == string(notify.KindMessage):
		f.Kind = notify.Kind(what)
	case notify.EventType(what).Valid():
		f.EventType = notify.EventType(what)
	default:
		return errs.Invalidf("what", "%q is not an event type, confirm, challenge or message", what)
	}
	if raw := strings.TrimSpace(c.QueryParam("subscriber")); raw != "" {
		if f.SubscriberID, err = strconv.ParseInt(raw, 10, 64); err != nil || f.SubscriberID < 1 {
			return errs.Invalidf("subscriber", "must be a subscriber id")
		}
	}
	log, err := n.Log(c.Request().Context(), f)
	if err != nil {
		return err
	}
	v := templates.AdminDeliveriesPage{Page: s.page(c, "Delivery log", ""), Subscriber: c.QueryParam("subscriber")}
	for _, o := range []struct{ v, l string }{{"", "Any"}, {"ok", "OK"}, {"failed", "Failed"}} {
		v.Outcomes = append(v.Outcomes, templates.Option{Value: o.v, Label: o.l, Selected: o.v == f.Outcome})
	}
	v.Kinds = append(v.Kinds, templates.Option{Value: "", Label: "Anything", Selected: what == ""},
		templates.Option{Value: "confirm", Label: "Confirmation e-mails", Selected: what == "confirm"},
		templates.Option{Value: "challenge", Label: "Webhook challenges", Selected: what == "challenge"},
		templates.Option{Value: "message", Label: "Approvals waiting (to the team)", Selected: what == "message"})
	for _, t := range notify.EventTypes {
		v.Kinds = append(v.Kinds, templates.Option{Value: string(t), Label: string(t), Selected: what == string(t)})
	}
	for _, a := range log {
		row := templates.DeliveryRow{
			At: viewTime(a.At), DeliveryID: a.DeliveryID, Number: a.Number, OK: a.OK,
			Subscriber: "#" + strconv.FormatInt(a.SubscriberID, 10) + " " + a.Address,
			State:      templates.StatusBadge{Class: string(a.State), Label: "now " + string(a.State)},
			Duration:   a.Duration.String(),
		}
		switch a.Kind {
		case notify.KindConfirm:
			row.What = "confirmation"
		case notify.KindChallenge:
			row.What = "challenge"
		case notify.KindMessage:
			row.What, row.Subscriber = "approval waiting", a.Address
		default:
			row.What = string(a.EventType)
		}
		if a.Code != 0 {
			row.Result = strconv.Itoa(a.Code)
		}
		if a.Error != "" {
			row.Result = strings.TrimPrefix(row.Result+": "+a.Error, ": ")
		}
		v.Attempts = append(v.Attempts, row)
	}
	return s.render(c, http.StatusOK, templates.AdminDeliveries(v))
}
