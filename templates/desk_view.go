package templates

// View models of the credit desk's policy, manual credit and settings
// pages. Money is already formatted (desk.FormatMoney), times are Time, and
// form fields hold what was typed.

// PolicyTierRows is how many tier rows an empty policy form offers; a
// stored policy with more tiers gets one empty row after its own.
const PolicyTierRows = 4

// TierFields are one row of a policy form's credit tiers, as typed.
type TierFields struct {
	Below, CreditPercent string
}

// PolicyFields are the values of the policy form, as typed. Field names
// follow the spec's policy ("target", "tiers[1].credit_percent", ...).
type PolicyFields struct {
	ID, Service, Customer, Target string
	Tiers                         []TierFields
	// Count are the statuses that may count as downtime, Selected when they do.
	Count                                []Option
	MaintenanceNoticeHours, ClaimPeriods string
	CapPercent, MinCreditMinor, TimeZone string
	Unlisted, Basis                      []Option
	RequiresClaim                        bool
	Services, Customers                  []Option
	Action                               string // where the form posts
	IsNew                                bool   // a new policy: its id is asked for
	SubmitLabel                          string
}

// PolicyRow is a stored policy in the list, or at the head of its page.
type PolicyRow struct {
	ID, URL     string
	Service     string // the service's name
	AppliesTo   string // "Every customer (default)" or the customer's name
	CustomerURL string // "" for a default
	Target      string // "99.95%"
	Tiers       string // "below 99.95%: 10% · below 99%: 30%"
	Claims      string // "paid without a claim" or "claimed within 2 months"
	Changed     Time   // the last audited change; zero when unknown
	ChangedBy   string
}

// PolicyService is one service's stored policies: its default first, then
// the customers' overrides.
type PolicyService struct {
	ID, Name string
	Rows     []PolicyRow
}

// PoliciesPage is "/admin/policies".
type PoliciesPage struct {
	Page
	Services []PolicyService
	Total    int
	CanWrite bool
	Form     PolicyFields
	Error    FormError
}

// PolicySetting is one setting of a policy: what it means and its value.
type PolicySetting struct {
	Name, Value string
}

// PolicyTierRow is one credit tier of a stored policy.
type PolicyTierRow struct {
	Below, CreditPercent string
}

// PolicyChange is one audited change of a policy.
type PolicyChange struct {
	What, Who string
	At        Time
}

// PolicyPage is "/admin/policies/:id".
type PolicyPage struct {
	Page
	Policy   PolicyRow
	Settings []PolicySetting
	Tiers    []PolicyTierRow
	History  []PolicyChange
	AuditURL string // the audit log of this policy, for those who may read it
	CanWrite bool
	Form     PolicyFields
	Error    FormError
}

// ManualCreditRow is one manual credit.
type ManualCreditRow struct {
	ID                    string
	Customer, CustomerURL string
	Amount                string // "125.00 USD"
	Service, Month        string
	For                   string // "ELB, December 2012", "December 2012", "" for neither
	Reason                string
	State                 StatusBadge // Class "pending", "issued" or "rejected"
	RequestedBy           string
	RequestedAt           Time
	Decision              string // "Approved by max@example.com", "Issued within the threshold", ""
	DecidedAt             Time
	LedgerURL             string // the customer's ledger, once issued
	// CanDecide offers approve and reject (a pending credit, a manager who
	// did not request it); OwnRequest says why a manager who requested it
	// is not offered them.
	CanDecide  bool
	OwnRequest bool
	ApproveURL string
	RejectURL  string
}

// ManualCreditFields are the values of the manual credit form, as typed.
type ManualCreditFields struct {
	Customer, Service, Month, Amount, Reason string
}

// ManualCreditsPage is "/admin/credits/manual".
type ManualCreditsPage struct {
	Page
	Credits  []ManualCreditRow
	Customer string // the customer filter
	// FilterCustomers are the customer filter's choices.
	FilterCustomers []Option
	States          []Option // the state filter
	Total           string   // "3 manual credits"
	Pending         string   // "2 wait for a manager's approval", "" when none
	PendingURL      string
	Thresholds      string // "Issued at once up to 500.00 USD; …"
	Pagination      Pagination
	CanCreate       bool
	Form            ManualCreditFields
	Customers       []Option
	Services        []Option
	Error           FormError
}

// ThresholdRow is one currency's manual approval threshold.
type ThresholdRow struct {
	Currency, Above string
}

// ThresholdFields are the values of the threshold form, as typed.
type ThresholdFields struct {
	Currency, Above string
}

// ThresholdRaiseRow is a raise of a threshold waiting for a second person;
// ConfirmURL is set for those who may confirm it.
type ThresholdRaiseRow struct {
	Currency, Above, By, At, ConfirmURL string
}

// CreditSettingsPage is "/admin/credits/settings".
type CreditSettingsPage struct {
	Page
	Thresholds []ThresholdRow
	Raises     []ThresholdRaiseRow
	// Unset lists the currencies of customers with no threshold: every
	// manual credit in them waits for approval.
	Unset    string
	CanWrite bool
	Form     ThresholdFields
	Error    FormError
}

// TierName is the form name of a tier row's input: "tiers[1].credit_percent".
func TierName(row int, part string) string {
	return "tiers[" + itoa(row) + "]." + part
}
