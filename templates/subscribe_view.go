package templates

// SubscribePage is "/subscribe": the form, or after a good POST what
// happens next.
type SubscribePage struct {
	Page
	Email      string
	WebhookURL string
	// Components are the checkboxes (name "components"); none checked
	// means everything.
	Components []Option
	// Services group the components, each with its "whole service" box.
	Services []SubscribeService
	// Incident, when set, is the one incident the form follows.
	Incident *SubscribeIncident
	// EmailEnabled is false when e-mail subscriptions are refused (a
	// server without a mail spool or SMTP server).
	EmailEnabled bool
	Error        FormError
	// Sent is true after a subscription was taken: SentTo is the address
	// or URL, Webhook whether it is a webhook, Secret its signing secret
	// (shown once; empty if it was already subscribed).
	Sent    bool
	SentTo  string
	Webhook bool
	Secret  string
}

// SubscriptionNotice is a one-message page: the confirmation, an expired
// link, the end of a subscription.
type SubscriptionNotice struct {
	Page
	Heading string
	Message string
	// Class is "operational" for good news, "major_outage" for a problem.
	Class string
}

// UnsubscribePage is "/unsubscribe/:token": the button that ends the
// subscription (a plain form, so it works without JavaScript).
type UnsubscribePage struct {
	Page
	Address   string
	ActionURL string
	// Done is true once the subscription has ended.
	Done bool
}

// AdminSubscribersPage is "/admin/subscribers".
type AdminSubscribersPage struct {
	Page
	Subscribers []SubscriberRow
	CanRemove   bool
}

// SubscriberRow is one subscriber in the admin list.
type SubscriberRow struct {
	ID         int64
	Channel    string // "E-mail" or "Webhook"
	Address    string
	Components string // "Everything" or the names
	State      StatusBadge
	Created    Time
	Confirmed  Time
	// Live is true while it can still be removed.
	Live   bool
	LogURL string
}

// AdminDeliveriesPage is "/admin/deliveries": the delivery log.
type AdminDeliveriesPage struct {
	Page
	Outcomes   []Option
	Kinds      []Option
	Subscriber string
	Attempts   []DeliveryRow
}

// DeliveryRow is one attempt in the delivery log.
type DeliveryRow struct {
	At         Time
	DeliveryID string
	What       string // the event type, "confirmation" or "challenge"
	Subscriber string
	Number     int
	OK         bool
	Result     string // "200", "250", "503: webhook answered 503 ..."
	State      StatusBadge
	Duration   string
}

// SubscribeService is one service of the subscribe form: a "whole
// service" box (name "services") and its components' boxes.
type SubscribeService struct {
	ID, Name   string
	Whole      bool
	Components []Option
}

// SubscribeIncident is the one incident a subscribe form follows.
type SubscribeIncident struct {
	ID, Title, URL string
	// Resolved is true when it can no longer be followed.
	Resolved bool
}
