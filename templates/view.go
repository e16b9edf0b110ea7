// Package templates holds the templ components of every Amends page and the
// view models they take. A view model is shaped like its page and carries
// ready-formatted strings (times, percentages, labels, URLs); components never
// query or compute anything.
package templates

// Time is an instant as a page shows it: Text in UTC for readers without
// JavaScript ("24 Dec 2012, 20:24 UTC"), ISO (RFC 3339, UTC) for the
// datetime attribute that the small script turns into the reader's local time.
type Time struct {
	ISO  string
	Text string
}

// IsZero reports whether no instant is set.
func (t Time) IsZero() bool { return t.ISO == "" }

// Nav is what the page header needs to know about who is looking.
type Nav struct {
	SiteName string
	// UserName is empty for a visitor who is not signed in.
	UserName string
	// UserRole is the signed-in user's role ("admin", "manager", ...).
	UserRole string
	// CSRF is the token every form of the page posts back (field "_csrf").
	CSRF string
	// Admin is true on admin pages (they get the admin navigation).
	Admin bool
	// Current is the path of the page, to mark the current navigation link.
	Current string
	// Waiting is how many requests wait for the signed-in manager or admin
	// to decide (shown in the admin navigation).
	Waiting int
}

// Page is the frame around every page.
type Page struct {
	Title       string // the page's own title; the site name is appended
	Description string // meta description and og:description
	Nav         Nav
	// Flash is a one-time notice shown at the top ("Update posted.").
	Flash string
	// OGType and OGURL, when set, become og:type ("article") and og:url
	// (absolute when the server knows its base URL).
	OGType string
	OGURL  string
	// NoIndex asks search engines not to index the page (private pages
	// such as a customer's statement).
	NoIndex bool
}

// StatusBadge is a status as shown: Class is the machine value used for CSS
// ("operational", "degraded_performance", "partial_outage", "major_outage",
// "under_maintenance"), Label the words ("Partial outage").
type StatusBadge struct {
	Class string
	Label string
}

// StatusPage is the public front page, "/".
type StatusPage struct {
	Page
	// Overall: Class one of the status classes; Label a sentence such as
	// "All systems operational" or "Partial outage".
	Overall     StatusBadge
	Services    []ServiceGroup
	Active      []IncidentSummary
	Maintenance []MaintenanceSummary // in progress and upcoming, soonest first
	// Past are the last few incidents resolved by GeneratedAt, the most
	// recently resolved first: URL, Title, Impact, Resolved and Duration.
	Past        []IncidentSummary
	GeneratedAt Time
	// Subscribe shows the "Get updates" section linking to /subscribe.
	Subscribe bool
	// UptimeFrom and UptimeTo are the first and last days of the uptime
	// bars ("7 Oct 2012", "4 Jan 2013"), on every screen.
	UptimeFrom string
	UptimeTo   string
}

// UptimePage is "/uptime" (the last 12 months) or "/uptime?year=2012"
// (that year's months): monthly uptime of every component.
type UptimePage struct {
	Page
	// Year is the year shown ("2012"), empty for the last 12 months.
	Year string
	// Periods are the links to the other views: the last 12 months, then
	// every year with figures, newest first; the one shown is Current.
	Periods  []UptimePeriod
	Services []UptimeService
	// AsOf is when the figures were computed (the current month so far).
	AsOf Time
}

// UptimeService is one service's table on the uptime page: its
// components down the side, the months across (oldest first).
type UptimeService struct {
	ID     string
	Name   string
	Target string // "99.95%", "" without a policy
	// Months are the column heads, oldest first.
	Months     []UptimeMonthHead
	Components []UptimeComponent
}

// UptimePeriod is a link to one view of "/uptime": "Last 12 months" or
// a year.
type UptimePeriod struct {
	Label, URL string
	Current    bool
}

// UptimeMonthHead is one month's column: "Dec 2012", "December 2012";
// SoFar marks the current month.
type UptimeMonthHead struct {
	Short, Long string
	SoFar       bool
}

// UptimeComponent is one component's row: its uptime in each month, in
// the order of its service's Months.
type UptimeComponent struct {
	ID     string
	Name   string // "ELB (us-east-1)"
	Months []UptimeMonth
}

// UptimeMonth is one calendar month (UTC) of a component.
type UptimeMonth struct {
	// Uptime is the figure shown, two decimals rounded toward zero
	// ("99.79%", "100%" for a month without downtime); Exact has four
	// ("99.7980%").
	Uptime, Exact string
	// Met is "met", "missed", or "" without a target.
	Met string
}

// Title is the cell's tooltip: the exact figure and whether it met the
// target ("99.7980%, missed").
func (m UptimeMonth) Title() string {
	if m.Met == "" {
		return m.Exact
	}
	return m.Exact + ", " + m.Met
}

// ServiceGroup is one service and its components on the status page.
type ServiceGroup struct {
	ID          string
	Name        string
	Description string
	Status      StatusBadge // the worst of its components
	Components  []ComponentRow
	// Uptime is the service's bar of daily uptime: each day the worst of
	// its components' days (see report.GroupDay), every day with its
	// words; no days when not shown. Uptime90 is the service's uptime over
	// the bar, its components' fleet uptime ("99.9873%").
	Uptime   UptimeBar
	Uptime90 string
	// Folded keeps the components folded away (a closed <details>, opened
	// without JavaScript) under the service's own bar.
	Folded bool
}

// ComponentRow is one component's line on the status page.
type ComponentRow struct {
	ID     string
	Name   string
	Where  string // "us-east-1", "us-east-1a", or "" when not set
	Group  string
	Status StatusBadge
	// Percent is the affected-resource percentage of the worst active impact
	// ("6.8%"), empty when operational.
	Percent string
	// Uptime is the bar of daily uptime, oldest day first (90 days on the
	// status page); no days when not shown.
	Uptime UptimeBar
	// Uptime90 is the uptime over the whole bar ("99.9873%"), as the sla
	// engine gives it for that range (weighted by time, not an average of
	// the days' percents).
	Uptime90 string
}

// UptimeDay is what one cell of an uptime bar says (see NewUptimeCell).
type UptimeDay struct {
	// Class is "" (no downtime), "day--999" (at least 99.9%), "day--99",
	// "day--95" or "day--low" (below 95%), with "day--incident" added
	// when an incident touched the day.
	Class string
	// Text says the day in words: "24 Dec 2012: 99.7980% uptime, 1 incident".
	Text string
	// Incidents are the titles of the day's incidents.
	Incidents []string
	// URL links to the day's first incident; empty when there was none.
	URL string
}

// IncidentSummary is an incident in a list (active incidents, history).
type IncidentSummary struct {
	URL        string
	Title      string
	Impact     StatusBadge // Class "none", "minor", "major", "critical"
	Phase      string      // "Investigating", ..., "Resolved"
	Started    Time
	Resolved   Time   // zero while active
	Duration   string // "22 h 6 min", or "ongoing"
	Latest     string // the latest update's message
	LatestAt   Time
	Components []string // names of the affected components
	// ExplanationURL is the public explanation, empty until one is published.
	ExplanationURL string
}

// MaintenanceSummary is a scheduled maintenance in a list.
type MaintenanceSummary struct {
	ID         int64
	Title      string
	Message    string
	Phase      string // "Scheduled", "In progress", "Completed"
	PhaseClass string // "scheduled", "in_progress", "completed"
	Starts     Time
	Ends       Time
	Components []string
}

// IncidentPage is "/incidents/{id}": the whole timeline.
type IncidentPage struct {
	Page
	Incident IncidentSummary
	// Affected lists every component the incident touched with its worst
	// status and peak percentage during the incident.
	Affected []AffectedComponent
	Updates  []UpdateView // newest first, as status pages show them
	// FollowURL subscribes to this incident's updates while it is
	// unresolved ("" once resolved or without subscriptions).
	FollowURL string
}

// AffectedComponent is a component an incident touched.
type AffectedComponent struct {
	Name        string
	Worst       StatusBadge
	PeakPercent string // "6.8%"
}

// UpdateView is one update of an incident's timeline.
type UpdateView struct {
	Phase      string
	PhaseClass string
	// Paragraphs is the message split at blank lines; shown as escaped text.
	Paragraphs []string
	// HTML, when set, is an imported message written in HTML, sanitised:
	// shown as markup instead of Paragraphs.
	HTML       string
	At         Time
	Edited     Time   // when the message was last corrected; zero if never
	Author     string // shown on admin pages only
	Components []ComponentChangeView
}

// ComponentChangeView is what one update set for one component.
type ComponentChangeView struct {
	Name    string
	Status  StatusBadge
	Percent string // "12.5%"; empty for operational
	// Customers are the customers the status names (admin pages only).
	Customers []NamedCustomer
}

// NamedCustomer is a customer an update names as hit: Label such as
// "acme (2 resources)" or "globex (all its resources)", URL its admin page.
type NamedCustomer struct {
	Label, URL string
}

// HistoryPage is "/history": resolved incidents by month, paginated.
type HistoryPage struct {
	Page
	Months     []HistoryMonth
	Pagination Pagination
}

// HistoryMonth is one calendar month (UTC) of resolved incidents.
type HistoryMonth struct {
	Label     string // "December 2012"
	Incidents []IncidentSummary
}

// Pagination links a paginated list. An empty URL means no such page.
type Pagination struct {
	Page    int
	Pages   int
	PrevURL string
	NextURL string
	// Prev and Next name the links as the list's order makes them true:
	// "Newer" and "Older" for a list newest first, "Previous" and "Next"
	// (also when empty) for any other.
	Prev, Next string
	// Showing, when set, says which rows the page holds ("Showing
	// 101–200 of 20,000"), shown above the list by paginationShowing.
	Showing string
}

// ErrorPage is shown for 4xx and 5xx answers to browsers.
type ErrorPage struct {
	Page
	Status  int
	Heading string // "Page not found"
	Message string
}

// FormError is a form's errors: Fields maps a form field name to the message
// shown beside it; Summary is shown above the form.
type FormError struct {
	Summary string
	Fields  map[string]string
}

// Field returns the error for one field, or "".
func (e FormError) Field(name string) string {
	if e.Fields == nil {
		return ""
	}
	return e.Fields[name]
}

// Option is one choice of a select or radio group.
type Option struct {
	Value    string
	Label    string
	Selected bool
}

// LoginPage is "/login".
type LoginPage struct {
	Page
	Email string
	Next  string // where to go after signing in
	Error string
}

// SetupPage is "/setup?code=...": creating the first admin.
type SetupPage struct {
	Page
	Code  string
	Email string
	Name  string
	Error FormError
}

// AdminHome is "/admin": what needs attention.
type AdminHome struct {
	Page
	Active      []IncidentSummary // URL points to the admin incident page
	Maintenance []MaintenanceSummary
	Overall     StatusBadge
	CanWrite    bool // support and above
	Approvals   Approvals
}

// ComponentField is one component's row in an incident form: the status
// select (name "status."+ID) and the affected-percent input (name
// "percent."+ID).
type ComponentField struct {
	ID        string
	Name      string // "ELB us-east-1"
	Service   string
	ServiceID string // the service's id, which its "set whole service" row is named by
	Statuses  []Option
	Percent   string
	Error     string // the error for this row's status or percentage, if any
	// Customers is the text of the row's customers box ("customers."+ID):
	// lines "customer-id[, affected resources]"; CustomersError its error.
	Customers      string
	CustomersError string
}

// ServiceField is the "set whole service" row of a service's group in
// an incident form ("service_status.<id>", "service_percent.<id>"): the
// status and share that every component row of the service left at "As
// the service" takes. Open says the group starts unfolded: something in
// it is set or wrong. Summary says, folded, how the group stands ("2 of 5
// affected").
type ServiceField struct {
	ID       string
	Name     string
	Statuses []Option
	Percent  string
	Error    string
	Open     bool
	Summary  string
}

// IncidentForm is "/admin/incidents/new".
type IncidentForm struct {
	Page
	Title      string
	Impacts    []Option
	Phases     []Option
	Message    string
	StartedAt  string // optional backfill, "2012-12-24T20:24" (UTC) or RFC 3339
	Components []ComponentField
	// Services are the "set whole service" rows, one per service of
	// Components.
	Services []ServiceField
	Error    FormError
	// Preview is the first update rendered as the public page would show
	// it, after the Preview button.
	Preview *UpdateView
	// NoComponents is the box that says the incident affects none.
	NoComponents bool
	// Templates are the incident templates to start from (value: id);
	// FromTemplate names the one the form was filled from, if any.
	Templates    []Option
	FromTemplate string
}

// AdminIncidentPage is "/admin/incidents/{id}": the timeline and the form to
// post an update or resolve.
type AdminIncidentPage struct {
	Page
	ID         int64
	Incident   IncidentSummary
	PublicURL  string
	Updates    []UpdateView
	Resolved   bool
	CanWrite   bool
	Phases     []Option // the current phase and those after it
	Message    string
	At         string
	Components []ComponentField
	Error      FormError
	// Services are the "set whole service" rows of the update form.
	Services []ServiceField
	// ExplanationLabel is the link to the explanation's editor: "Write the
	// explanation" or "Edit the explanation".
	ExplanationLabel string
	Goodwill         GoodwillSection
}

// GoodwillSection is the goodwill part of "/admin/incidents/{id}": the
// incident's grants, oldest first, the request form (support and above,
// while no grant is pending or approved), the pending grant's approve and
// withdraw forms, and the goodwill run's preview once it can be paid.
type GoodwillSection struct {
	Grants     []GoodwillRow
	Pending    *GoodwillRow // the pending grant, if any
	CanRequest bool
	// Services are the request form's checkboxes: services (name
	// "services") with their components (name "components").
	Services []GoodwillService
	Days     string
	Reason   string
	// Affected names the components the incident marked non-operational,
	// the scope of a grant that ticks none ("" when it affected none);
	// AllComponents is the ticked "widen to every component" choice.
	Affected      string
	AllComponents bool
	Error         FormError // the request form's
	// WithdrawReason and WithdrawError are the withdraw form's.
	WithdrawReason string
	WithdrawError  FormError
	// PreviewIncident, when set, is the incident id the "Preview goodwill
	// credits" form posts (resolved, grant approved, support and above).
	PreviewIncident string
	// Note explains, when set, why goodwill cannot be asked for or paid.
	Note string
}

// GoodwillRow is one goodwill grant.
type GoodwillRow struct {
	ID         string
	Days       string // "10 days"
	Services   string // "Compute (EC2), Block Storage (EBS)"
	Components string // "every component of them", or the names
	// Eligible says, for a pending or approved grant, how many customers
	// are eligible in each component: "ELB us-east-1: 16 customers".
	Eligible    string
	Reason      string
	State       StatusBadge // Class "pending", "approved" or "withdrawn"
	RequestedBy string
	RequestedAt Time
	// DecidedBy, DecidedAt: who approved or withdrew it and when;
	// WithdrawReason why it was withdrawn.
	DecidedBy      string
	DecidedAt      Time
	WithdrawReason string
	ApproveURL     string
	WithdrawURL    string
	CanApprove     bool // a manager who did not request it
	OwnRequest     bool // a manager looking at their own request
	CanWithdraw    bool // its requester or a manager
}

// GoodwillService is a service of the goodwill form with its components.
type GoodwillService struct {
	ID, Name   string
	Checked    bool
	Components []Option // the scope's checkboxes (name "components")
	Eligible   []Option // who is eligible (name "eligible_components")
}

// AdminIncidentsPage is "/admin/incidents": active and recent incidents.
type AdminIncidentsPage struct {
	Page
	Active     []IncidentSummary
	Resolved   []IncidentSummary
	Pagination Pagination
	CanWrite   bool
}

// MaintenanceForm is "/admin/maintenance": the list and the form to schedule.
type MaintenanceForm struct {
	Page
	Upcoming   []MaintenanceSummary // not completed
	Past       []MaintenanceSummary
	CanWrite   bool
	Title      string
	Message    string
	StartsAt   string
	EndsAt     string
	Components []Option // checkboxes, name "components"
	Error      FormError
}

// ServicesPage is "/admin/services": services with their components, and
// the forms to add a service and a component.
type ServicesPage struct {
	Page
	Services     []AdminService
	CanWrite     bool // admin only
	ServiceForm  ServiceFields
	ComponentFrm ComponentFields
	ServiceOpts  []Option
	Error        FormError
	// ErrorFor names the form Error belongs to: "service" or "component".
	// When empty, the form is inferred from the fields in error (component
	// only fields mean the component form; otherwise the service form).
	ErrorFor string
}

// AdminService is a service and its components in admin.
type AdminService struct {
	ID          string
	Name        string
	Description string
	Position    string
	Components  []AdminComponent
}

// AdminComponent is a component in admin.
type AdminComponent struct {
	ID        string
	Name      string
	Region    string
	Zone      string
	Resources string // "" when not stated
	Group     string
	Position  string
	Status    StatusBadge
}

// ServiceFields are the values of the service form.
type ServiceFields struct {
	ID          string
	Name        string
	Description string
	Position    string
}

// ComponentFields are the values of the component form.
type ComponentFields struct {
	ID        string
	Service   string
	Name      string
	Region    string
	Zone      string
	Resources string
	Group     string
	Position  string
}

// UsersPage is "/admin/users": users and API tokens (admin only).
type UsersPage struct {
	Page
	Users  []UserRow
	Tokens []TokenRow
	Roles  []Option
	// NewToken is the secret of a token just created, shown once.
	NewToken  string
	UserForm  UserFields
	TokenName string
	Error     FormError
	// ErrorFor names the form Error belongs to: "user" or "token". When
	// empty, the form is inferred: email or password errors mean the user
	// form, a TokenName being set means the token form, else the user form.
	ErrorFor string
}

// UserRow is a user in the users table.
type UserRow struct {
	ID       int64
	Email    string
	Name     string
	Role     string
	Disabled bool
	Created  Time
	Roles    []Option // for the change-role form
}

// TokenRow is an API token in the tokens table.
type TokenRow struct {
	ID       int64
	Name     string
	Owner    string
	Role     string
	Prefix   string
	Created  Time
	LastUsed Time
	Revoked  Time
}

// UserFields are the values of the new-user form.
type UserFields struct {
	Email string
	Name  string
	Role  string
}
