package templates

// View models of the credit desk's pages: customers, the CSV import,
// credit runs, the ledger, the customer's statement and the audit log.
// Money is already formatted (desk.FormatMoney), times are Time.

// CustomerRow is a customer in a list or at the head of its page.
type CustomerRow struct {
	ID, Name, ExternalID, Currency, Email string
	URL                                   string
	// WebhookURL is the customer's own webhook ("" for none), and
	// WebhookSecret the secret that signs its requests (set only on the
	// customer's own page, for support and above).
	WebhookURL, WebhookSecret string
}

// CustomerFields are the values of the new-customer form.
type CustomerFields struct {
	ID, Name, ExternalID, Currency, Email string
	WebhookURL                            string
}

// ContactFields are the values of a customer's contact form: its e-mail
// address and webhook, where personal notices go.
type ContactFields struct {
	Email, WebhookURL string
}

// CustomersPage is "/admin/customers".
type CustomersPage struct {
	Page
	Query     string
	Customers []CustomerRow
	Total     int
	CanWrite  bool
	Form      CustomerFields
	Error     FormError
}

// ResourceRow is a customer's resource entry.
type ResourceRow struct {
	Component string
	Count     string
	From, To  string // "since always" / "still there" when open
}

// ChargeRow is a customer's charge of one component and month.
type ChargeRow struct {
	Month, Component, Amount string
}

// ClaimRow is a recorded claim.
type ClaimRow struct {
	Service, Month string
	ClaimedAt      Time
	Deadline       Time
	Late           bool
	RecordedBy     string
	Note           string // the customer's, "" for none
}

// LedgerRow is one ledger entry.
type LedgerRow struct {
	ID, Customer, CustomerURL, Amount, Kind string
	Service, Period, Reason, Actor          string
	RunURL, Run                             string
	At                                      Time
}

// ResourceFields, ChargeFields and ClaimFields are the values of the
// customer page's forms.
type ResourceFields struct{ Component, Count, From, To string }
type ChargeFields struct{ Component, Month, Amount string }
type ClaimFields struct{ Service, Month, ClaimedAt string }

// CustomerPage is "/admin/customers/:id".
type CustomerPage struct {
	Page
	Customer CustomerRow
	// Resources, Charges and Claims are one page of each list, each paged
	// by its own query parameter (ResourcePages, ChargePages, ClaimPages).
	Resources     []ResourceRow
	ResourcePages Pagination
	Charges       []ChargeRow
	ChargePages   Pagination
	Claims        []ClaimRow
	ClaimPages    Pagination
	Ledger        []LedgerRow // the newest entries, oldest first
	LedgerHeld    int         // how many the ledger holds for the customer
	LedgerURL     string
	// ManualCredits are the customer's latest manual credits; ManualURL
	// lists them all, NewManualURL opens the form with the customer chosen.
	ManualCredits []ManualCreditRow
	ManualURL     string
	NewManualURL  string
	CanWrite      bool
	// Components and Services are the choices of the forms.
	Components, Services []Option
	ResourceForm         ResourceFields
	ChargeForm           ChargeFields
	ClaimForm            ClaimFields
	// ContactForm is the contact form as sent back after an error; its
	// fields are the customer's own otherwise.
	ContactForm ContactFields
	ErrorFor    string // "contact", "resource", "charge" or "claim"
	Error       FormError
	// StatementMade is when the current statement link was made (zero if
	// none); StatementURL is a new link, shown once after rotating.
	StatementMade Time
	StatementURL  string
	HasStatement  bool
	// CanReport shows the SLA report links (support and above): Reports
	// for each month the customer was charged for, newest first, and
	// ReportMonths for the form that opens any month.
	CanReport    bool
	Reports      []Link
	ReportMonths []Option
}

// ImportProblem is one bad row of a CSV import.
type ImportProblem struct {
	Line   int
	Reason string
}

// CustomerImportPage is "/admin/customers/import".
type CustomerImportPage struct {
	Page
	Error    FormError
	Problems []ImportProblem
}

// RunRow is a credit run in the list, or at the head of its page.
type RunRow struct {
	ID     string
	URL    string
	Period string
	Kind   string // "Tier credits" or "Goodwill of incident 7"
	State  StatusBadge
	Lines  string
	// Owed is what the run's lines owe after the claim rules, by
	// currency, as previewed: "100.00 USD, 50 JPY".
	Owed string
	// Paid is what approving the run wrote to the ledger, by currency
	// ("0.00 USD" for a second run of a month the ledger already paid),
	// or why it paid nothing ("Not issued"); Issued is false for the
	// latter.
	Paid        string
	Issued      bool
	PreviewedBy string
	PreviewedAt Time
}

// CreditRunsPage is "/admin/credits".
type CreditRunsPage struct {
	Page
	Runs       []RunRow
	CanPreview bool
	Month      string
	Incident   string // the goodwill form's incident number
	// Incidents are the resolved incidents with an approved goodwill
	// grant, the goodwill form's choices; none hides the form.
	Incidents []Option
	Error     FormError
	// ErrorFor is the form Error belongs to: "" for the month's,
	// "incident" for the goodwill form's.
	ErrorFor   string
	Pagination Pagination
}

// RunLineRow is one line of a credit run.
type RunLineRow struct {
	Customer, CustomerName, CustomerURL            string
	Service, Uptime, Downtime                      string
	CreditPercent, Charges, Credit, Payable, Claim string
	Reason                                         string
	// ReasonDetail, when set, is the full reason, shown behind Reason (a
	// short one) in a <details>: a goodwill line's.
	ReasonDetail string
	// Eligible, on a goodwill line, says which resources made the customer
	// eligible: "4 in elb-us-east-1 (since 1 Jan 2012)".
	Eligible string
}

// RunLinesFilter says which of a run's lines are listed: when any line
// credits something, by default only those (Only), with links to both.
// Shown is "" when no line credits anything.
type RunLinesFilter struct {
	Only            bool
	Shown           string // "1 of 84 lines credits something.", "All 84 lines."
	AllURL, OnlyURL string
}

// RunTotalRow is a run's total in one currency.
type RunTotalRow struct {
	Currency, Credit, Payable string
}

// RunStep is one step of a run's history: who did what when.
type RunStep struct {
	What, Who string
	At        Time
}

// CreditRunPage is "/admin/credits/runs/:id".
type CreditRunPage struct {
	Page
	Run    RunRow
	Steps  []RunStep
	Totals []RunTotalRow
	Issued string // "3 ledger entries: 250.00 USD", "" until issued
	// Outstanding says what approving the run now would pay, after what
	// the ledger already holds ("" once it is issued or rejected).
	Outstanding string
	Lines       []RunLineRow
	LinesFilter RunLinesFilter
	Pagination  Pagination
	CSVURL      string
	LedgerURL   string
	// IncidentURL is the incident whose goodwill a goodwill run pays ("" for a month run).
	IncidentURL string
	// Eligibility, on a goodwill run, says who is eligible: a resource in
	// which components during which window.
	Eligibility string
	CanRequest  bool
	CanDecide   bool
	// WaitingNote tells the requester of a requested run that it waits
	// for a manager.
	WaitingNote string
}

// LedgerPage is "/admin/credits/ledger".
type LedgerPage struct {
	Page
	Customer, Period, Run string
	// Customers are the customer filter's choices.
	Customers  []Option
	Entries    []LedgerRow
	Total      string // "12 entries"
	CSVURL     string
	Pagination Pagination
}

// StatementLine is a customer's uptime and credit in one service and month.
// Credit is the ledger's paid amount when Status is "Paid" and the
// computed amount otherwise: when it is "Owed, not yet issued", when the
// charges were corrected after it was paid (Status says what was paid and
// the difference: "250.00 USD paid, 50.00 USD owed, not yet issued"), and
// when Status is empty (no credit due).
type StatementLine struct {
	Service, Uptime, CreditPercent, Credit, Status, Reason string
}

// StatementMonth is one billing month of a statement.
type StatementMonth struct {
	Month string
	Lines []StatementLine
}

// StatementPage is "/statement/:token", the customer's own statement.
type StatementPage struct {
	Page
	Customer  string
	Currency  string
	Resources []ResourceRow
	// ResourcePages pages Resources (?resources_page=N).
	ResourcePages Pagination
	Months        []StatementMonth
	Credits       []LedgerRow
	// CreditsHeld is how many credits the ledger holds for the customer:
	// more than Credits (the newest) when there are too many to list.
	CreditsHeld int
	// Paid is what the ledger holds, Owed the computed credits not yet
	// issued, each one formatted amount per currency.
	Paid, Owed []string
	AsOf       Time
	// The customer's own status: its components now, its incidents going
	// on and of the last RecentDays days, and its month so far (MonthName,
	// "December 2012").
	Components  []StatementComponent
	Active      []StatementIncident
	Recent      []StatementIncident
	RecentDays  string
	MonthName   string
	MonthToDate []StatementMonthToDate
	// Claims are the credits of finished months that the customer's
	// policy pays only when claimed, each open one with its form posting
	// to ClaimURL; ClaimError says why the last claim was refused and
	// ClaimDone that one was recorded.
	Claims                          []StatementClaim
	ClaimURL, ClaimError, ClaimDone string
	// SubscribeURL, when set, is where the form that subscribes the
	// customer's contacts to its components posts (the normal double
	// opt-in); SubscribeEmail pre-fills its address.
	SubscribeURL, SubscribeEmail string
}

// StatementClaim is one credit the customer must claim: State is "open"
// (claimable until Deadline), "claimed" (in time, at ClaimedAt), "late"
// (claimed at or after the deadline) or "expired" (never claimed, and the
// deadline passed).
type StatementClaim struct {
	Key                string // unique on the page, for element ids
	ServiceID, Service string
	MonthID, Month     string
	Credit             string
	Deadline           Time
	State              string
	ClaimedAt          Time
	Note               string
}

// AuditRow is one audit log entry.
type AuditRow struct {
	ID               string
	At               Time
	Actor, Action    string
	Entity, EntityID string
	Before, After    string
}

// AuditPage is "/admin/audit".
type AuditPage struct {
	Page
	Actor, Entity, Action, From, To string
	// Actions are the action filter's choices.
	Actions    []Option
	Entries    []AuditRow
	Total      string
	Pagination Pagination
}
