package templates

// ApprovalRow is one request waiting for a second person, as the admin
// home lists it.
type ApprovalRow struct {
	What string // "Credit run 4: December 2012 tier credits"
	// Pays is what approving it would write to the ledger now: a run's
	// entries after what the ledger already holds ("0.00 USD" for a second
	// run of a month paid), a manual credit's amount; "" when approving it
	// pays nothing itself (a goodwill grant, a threshold raise, notices).
	Pays string
	// PaysNote qualifies Pays: what a run's lines owe ("Its lines owe
	// 250.00 USD"), or who pays for a goodwill grant.
	PaysNote    string
	URL         string // where it is decided
	RequestedBy string
	RequestedAt Time
}

// Approvals is the admin home's "Waiting for you" (requests someone else
// made, for a manager or admin to decide) and "Waiting for a manager"
// (the signed-in user's own requests).
type Approvals struct {
	// Decides is set for those who may decide (managers and admins).
	Decides bool
	ForYou  []ApprovalRow
	// Counts says how many of each kind wait: "2 credit runs, 1 goodwill
	// grant".
	Counts string
	Yours  []ApprovalRow
}

// ConfirmRunPage is the step between "Approve…" and issuing a run: what
// it pays per currency, its lines, and what approving it now writes.
type ConfirmRunPage struct {
	Page
	Run    RunRow
	Totals []RunTotalRow
	// Lines says how many lines there are and how many pay something.
	Lines string
	// Outstanding says what approving it now writes after what the ledger
	// holds.
	Outstanding string
	RequestedBy string
	// Refused is why this person may not approve it ("" when they may).
	Refused string
}

// ConfirmApprovalPage is the step between "Approve…" and approving a
// goodwill grant or a manual credit: what approving it commits to pay per
// currency and to how many customers, what it is, and the button.
type ConfirmApprovalPage struct {
	Page
	Title     string // "Approve goodwill grant 2?"
	BackURL   string
	BackText  string
	Lede      string
	Facts     []Pair
	Totals    []TotalRow
	Customers string // "16 customers would be paid."
	// TotalsNote says why there are no totals yet, or what they are.
	TotalsNote string
	ActionURL  string
	Button     string
	// Refused is why this person may not approve it ("" when they may).
	Refused string
}

// TotalRow is one currency's amount.
type TotalRow struct{ Currency, Amount string }
