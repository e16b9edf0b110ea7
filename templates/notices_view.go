package templates

// NoticeRow is one customer's draft notice on an incident's notices page.
type NoticeRow struct {
	CustomerID, Customer, CustomerURL, Email string
	Resources                                []string
	Downtime, DowntimeExact                  string
	Uptime                                   []string
	Credits                                  []string
	Subject                                  string
	// HTML is the message rendered from sanitized Markdown.
	HTML string
}

// NoticesPage is "/admin/incidents/:id/notices".
type NoticesPage struct {
	Page
	IncidentTitle, IncidentURL string
	Month                      string
	StatementNote              string
	TemplateURL                string
	Notices                    []NoticeRow
	// RequestURL requests a batch (support); Batches are the incident's
	// batches, oldest first.
	RequestURL string
	CanRequest bool
	Batches    []NoticeBatchRef
}

// NoticeTemplatePage is "/admin/notices/template": the editor, the
// placeholders, and a preview against a real customer.
type NoticeTemplatePage struct {
	Page
	Subject, Body string
	UpdatedBy     string
	UpdatedAt     Time
	Placeholders  []Option // Value "{{name}}", Label what it means
	CanWrite      bool
	Error         FormError
	Saved         bool
	// Incident and Customer choose the preview; Incidents offers the
	// incidents to preview with.
	Incident, Customer string
	Incidents          []Option
	// Preview is the message for Customer (or the first customer the
	// incident affected), empty when there is none.
	PreviewFor, PreviewSubject, PreviewHTML string
	PreviewNote                             string
}

// NoticeBatchRef is a batch in a list.
type NoticeBatchRef struct {
	ID, URL, State, Requested, Approved string
	Correction                          bool
}

// NoticeBatchPage is "/admin/notices/:id": a batch's messages and, per
// customer, how many are sent, failed and pending.
type NoticeBatchPage struct {
	Page
	ID, State, IncidentTitle, IncidentURL string
	Correction                            string
	RequestedBy, ApprovedBy               string
	RequestedAt, ApprovedAt               Time
	CanApprove                            bool
	// Spooled says e-mail goes to admin's Outbox (no SMTP server).
	Spooled   bool
	Customers []NoticeBatchCustomerRow
	Messages  []NoticeMessageRow
}

// NoticeBatchCustomerRow counts one customer's messages.
type NoticeBatchCustomerRow struct {
	Customer, URL                 string
	Sent, Failed, Pending, Drafts string
}

// NoticeMessageRow is one message to one contact.
type NoticeMessageRow struct {
	Customer, Contact, Channel, DeliveryID, State, Subject, Error string
	// ChannelText is the channel in words ("E-mail", "Webhook"), and
	// Attempts how many attempts were made to send it.
	ChannelText, Attempts string
	SentAt                Time
	HTML                  string
}
