package desk

import (
	"context"
	"time"

	"github.com/amends/amends/audit"
)

// RunLineFilter selects which of a run's lines RunLines lists.
type RunLineFilter int

const (
	// AllLines is every line of a run.
	AllLines RunLineFilter = iota
	// CreditingLines is the lines whose credit is not zero.
	CreditingLines
)

// Store keeps the credit desk: accounts with their resources and
// charges, policies, claims, credit runs with their lines, the append-only
// ledger, manual credits and their thresholds. Every write checks its input
// with this package's rules, runs in one transaction together with its
// audit entry (by.AuditLabel() as the actor, before and after), and on any
// error changes nothing; the two-person rules compare by.Who(). Instants are
// kept in UTC whole seconds. Errors are *errs.Error: Invalid (naming the
// field), NotFound, Conflict, Forbidden; anything else is internal. The
// store does not know the status catalog: callers check that components and
// services exist.
type Store interface {
	// Accounts returns every account by ID.
	Accounts(ctx context.Context) ([]Account, error)
	// Account returns one account; errs.NotFound.
	Account(ctx context.Context, id string) (Account, error)
	// CreateAccount adds a (see Account.Validate); errs.Conflict if its ID is taken.
	CreateAccount(ctx context.Context, by audit.Actor, a Account, now time.Time) (Account, error)
	// UpdateAccount replaces the account with a's ID: errs.NotFound;
	// errs.Conflict on a currency change once it has charges or ledger entries.
	UpdateAccount(ctx context.Context, by audit.Actor, a Account, now time.Time) (Account, error)

	// Resources returns a customer's resource entries, oldest first.
	Resources(ctx context.Context, customer string) ([]AccountResource, error)
	// ResourcesPage returns a page of a customer's resource entries in
	// Resources' order and how many it has: errs.Invalid on "offset" or
	// "limit".
	ResourcesPage(ctx context.Context, customer string, offset, limit int) ([]AccountResource, int, error)
	// AddResource adds a resource entry (see AccountResource.ValidateAt); an
	// unknown customer is errs.Invalid on "customer".
	AddResource(ctx context.Context, by audit.Actor, r AccountResource, now time.Time) (AccountResource, error)
	// UpdateResource replaces resource entry r.ID of r.Customer (a
	// correction of its count or dates): errs.NotFound, errs.Invalid.
	UpdateResource(ctx context.Context, by audit.Actor, r AccountResource, now time.Time) (AccountResource, error)

	// Charges returns a customer's charges of month ("" for every month),
	// by month then component.
	Charges(ctx context.Context, customer, month string) ([]AccountCharge, error)
	// ChargesPage returns a page of a customer's charges of every month in
	// Charges' order and how many it has: errs.Invalid on "offset" or
	// "limit".
	ChargesPage(ctx context.Context, customer string, offset, limit int) ([]AccountCharge, int, error)
	// ChargeMonths returns the months ("YYYY-MM") a customer has charges
	// in, oldest first.
	ChargeMonths(ctx context.Context, customer string) ([]string, error)
	// PutCharge sets the charge of ch's customer, component and month,
	// correcting any earlier one (see AccountCharge.Validate: another
	// currency than the customer's is errs.Invalid on "currency"); an
	// unknown customer is errs.Invalid on "customer".
	PutCharge(ctx context.Context, by audit.Actor, ch AccountCharge, now time.Time) (AccountCharge, error)

	// Policies returns every policy: defaults first, by service, then
	// overrides by customer and service.
	Policies(ctx context.Context) ([]ServicePolicy, error)
	// Policy returns one policy; errs.NotFound.
	Policy(ctx context.Context, id string) (ServicePolicy, error)
	// PutPolicy creates p or replaces the policy with its ID (see
	// ServicePolicy.Validate); errs.Conflict when another policy is
	// already the default of its service (or the customer's override),
	// errs.Invalid on "customer" for an unknown customer.
	PutPolicy(ctx context.Context, by audit.Actor, p ServicePolicy, now time.Time) (ServicePolicy, error)
	// CreatePolicy adds p, never replacing a policy: errs.Conflict on
	// "id" when a policy already has p's ID (checked in the same
	// transaction as the write), else as PutPolicy.
	CreatePolicy(ctx context.Context, by audit.Actor, p ServicePolicy, now time.Time) (ServicePolicy, error)

	// Claims returns a customer's claims, by month then service.
	Claims(ctx context.Context, customer string) ([]Claim, error)
	// ClaimsPage returns a page of a customer's claims in Claims' order
	// and how many it has: errs.Invalid on "offset" or "limit".
	ClaimsPage(ctx context.Context, customer string, offset, limit int) ([]Claim, int, error)
	// RecordClaim records c under the policy that applies (see NewClaim):
	// errs.Invalid on "customer" or "service" (no policy), errs.Conflict
	// if the customer already claimed that service and month.
	RecordClaim(ctx context.Context, by audit.Actor, c Claim, now time.Time) (Claim, error)

	// MonthData returns what a run of month needs (see MonthData and MonthWindow).
	MonthData(ctx context.Context, month string) (*MonthData, error)
	// MonthDataFor is MonthData of the given customers only (every policy
	// still): what one customer's figures need, read without the rest of
	// the desk. Unknown customers are left out.
	MonthDataFor(ctx context.Context, month string, customers []string) (*MonthData, error)
	// CreateRun stores a previewed run with its lines (see NewMonthRun) in
	// one transaction and returns it with its ID.
	CreateRun(ctx context.Context, by audit.Actor, run CreditRun, lines []RunLine, now time.Time) (CreditRun, error)
	// Run returns one run; errs.NotFound.
	Run(ctx context.Context, id int64) (CreditRun, error)
	// RunLines returns a page of a run's lines that filter selects, in
	// the run's order, and how many it selects: errs.NotFound,
	// errs.Invalid on "offset" or "limit".
	RunLines(ctx context.Context, id int64, filter RunLineFilter, offset, limit int) ([]RunLine, int, error)
	// RequestRun asks for run id to be paid (see CreditRun.Request).
	RequestRun(ctx context.Context, by audit.Actor, id int64, now time.Time) (CreditRun, error)
	// ApproveRun approves run id (see CreditRun.Approve: errs.Forbidden
	// for its requester, errs.Conflict the second time) and, in the same
	// transaction, writes its ledger entries (see PlanIssue). A failure
	// leaves the run requested and the ledger as it was.
	ApproveRun(ctx context.Context, by audit.Actor, id int64, now time.Time) (CreditRun, error)
	// Outstanding returns what approving run id now would write (see
	// Outstanding): errs.NotFound, errs.Conflict unless it is previewed
	// or requested.
	Outstanding(ctx context.Context, id int64) (RunIssue, error)
	// RejectRun refuses run id (see CreditRun.Reject).
	RejectRun(ctx context.Context, by audit.Actor, id int64, reason string, now time.Time) (CreditRun, error)

	// Ledger returns a page of ledger entries that f selects, oldest
	// first, and how many it selects; errs.Invalid on "offset" or "limit".
	Ledger(ctx context.Context, f LedgerFilter) ([]LedgerEntry, int, error)

	// ManualThresholds returns, per currency, the largest manual credit
	// issued without a second person.
	ManualThresholds(ctx context.Context) (map[string]int64, error)
	// SetManualThreshold lowers (or keeps) the threshold of currency at
	// once, dropping any raise waiting for it; a raise, or a first
	// threshold, only waits (true) until another person confirms it
	// (ConfirmManualThreshold). errs.Invalid on "currency" or
	// "above_minor" (below 0 or above MaxMinor).
	SetManualThreshold(ctx context.Context, by audit.Actor, currency string, aboveMinor int64, now time.Time) (bool, error)
	// ThresholdRaises returns the raises waiting, by currency.
	ThresholdRaises(ctx context.Context) ([]ThresholdRaise, error)
	// ConfirmManualThreshold puts the raise waiting for currency in force:
	// errs.NotFound when none waits, errs.Forbidden for its requester or
	// an account they made (see CheckApprover).
	ConfirmManualThreshold(ctx context.Context, by audit.Actor, currency string, now time.Time) error
	// CreateManualCredit records m (see NewManualCredit) and, when it is
	// within its currency's threshold, writes its ledger entry in the same
	// transaction; an unknown customer is errs.Invalid on "customer".
	CreateManualCredit(ctx context.Context, by audit.Actor, m ManualCredit, now time.Time) (ManualCredit, error)
	// ManualCredits returns a page of the manual credits f selects, newest
	// first, and how many it selects; errs.Invalid on "state", "offset" or
	// "limit".
	ManualCredits(ctx context.Context, f ManualFilter) ([]ManualCredit, int, error)
	// ManualCredit returns one manual credit; errs.NotFound.
	ManualCredit(ctx context.Context, id int64) (ManualCredit, error)
	// ApproveManualCredit approves a pending manual credit and writes its
	// ledger entry (see ManualCredit.Approve).
	ApproveManualCredit(ctx context.Context, by audit.Actor, id int64, now time.Time) (ManualCredit, error)
	// RejectManualCredit refuses a pending manual credit (see ManualCredit.Reject).
	RejectManualCredit(ctx context.Context, by audit.Actor, id int64, now time.Time) (ManualCredit, error)

	// GoodwillGrants returns the goodwill grants of incident ("" for every
	// incident), oldest first.
	GoodwillGrants(ctx context.Context, incident string) ([]GoodwillGrant, error)
	// GoodwillGrant returns one grant; errs.NotFound.
	GoodwillGrant(ctx context.Context, id int64) (GoodwillGrant, error)
	// RequestGoodwill records a pending grant (see NewGoodwillGrant):
	// errs.Conflict when its incident already has one pending or
	// approved. The caller checks that the incident, services and
	// components exist.
	RequestGoodwill(ctx context.Context, by audit.Actor, g GoodwillGrant, now time.Time) (GoodwillGrant, error)
	// ApproveGoodwill approves a pending grant (see GoodwillGrant.Approve:
	// errs.Forbidden for its requester, errs.Conflict the second time).
	ApproveGoodwill(ctx context.Context, by audit.Actor, id int64, now time.Time) (GoodwillGrant, error)
	// WithdrawGoodwill withdraws a pending grant with a reason, as its
	// requester or, when manager is set, as a manager (see
	// GoodwillGrant.Withdraw: errs.Conflict unless pending, errs.Forbidden,
	// errs.Invalid on "reason"); the incident is then free for a new grant.
	WithdrawGoodwill(ctx context.Context, by audit.Actor, id int64, manager bool, reason string, now time.Time) (GoodwillGrant, error)

	// Runs returns a page of credit runs, newest first, and how many there
	// are; errs.Invalid on "offset" or "limit".
	Runs(ctx context.Context, offset, limit int) ([]CreditRun, int, error)
	// ImportAccountData adds resource entries and sets charges (as
	// AddResource and PutCharge do, each with its audit entry) all in one
	// transaction: on any error, errs.Invalid naming "resources[i].field"
	// or "charges[i].field", nothing is stored.
	ImportAccountData(ctx context.Context, by audit.Actor, resources []AccountResource, charges []AccountCharge, now time.Time) error

	// RotateStatementLink gives customer a new statement token, replacing
	// any earlier one (which stops working at once), and returns it; only
	// its SHA-256 is kept. errs.NotFound for an unknown customer.
	RotateStatementLink(ctx context.Context, by audit.Actor, customer string, now time.Time) (string, error)
	// StatementLinkMade returns when customer's current statement link was
	// made, nil if it has none.
	StatementLinkMade(ctx context.Context, customer string) (*time.Time, error)
	// StatementAccount returns the account whose current statement token is
	// token; errs.NotFound for any other string.
	StatementAccount(ctx context.Context, token string) (Account, error)
	// RevokeStatementLink ends customer's statement link: its address is
	// a 404 at once, and the customer has no link until one is made
	// again. errs.NotFound when the customer has none (or is unknown).
	RevokeStatementLink(ctx context.Context, by audit.Actor, customer string, now time.Time) error

	// NoticeTemplate returns the wording of personal notices:
	// DefaultNoticeTemplate until one is saved.
	NoticeTemplate(ctx context.Context) (NoticeTemplate, error)
	// PutNoticeTemplate saves t as the wording of personal notices (see
	// NoticeTemplate.Validate: errs.Invalid on "subject" or "body", naming
	// an unknown placeholder).
	PutNoticeTemplate(ctx context.Context, by audit.Actor, t NoticeTemplate, now time.Time) (NoticeTemplate, error)
	// RequestNoticeBatch stores a requested batch of incident's notices
	// (correcting batch correctionOf when not 0) with msgs as drafts, each
	// with a new delivery id: errs.Invalid on "messages" when empty,
	// errs.Conflict while the incident has a batch waiting.
	RequestNoticeBatch(ctx context.Context, by audit.Actor, incident string, correctionOf int64, msgs []NoticeMessage, now time.Time) (NoticeBatch, error)
	// ApproveNoticeBatch approves a requested batch and queues its
	// messages, each customer's with a new statement link in place of
	// StatementMarker: errs.Forbidden for its requester, an account the
	// requester made (CheckApprover) or one created after the request;
	// errs.Conflict once approved; errs.NotFound.
	ApproveNoticeBatch(ctx context.Context, by audit.Actor, id int64, now time.Time) (NoticeBatch, error)
	// NoticeBatch returns one batch; errs.NotFound.
	NoticeBatch(ctx context.Context, id int64) (NoticeBatch, error)
	// NoticeBatches returns an incident's batches, oldest first.
	NoticeBatches(ctx context.Context, incident string) ([]NoticeBatch, error)
	// NoticeMessages returns a batch's messages by customer and contact.
	NoticeMessages(ctx context.Context, batch int64) ([]NoticeMessage, error)
	// ClaimNoticeMessages takes up to limit pending messages that are due
	// at now (or whose sender's lease ran out: that attempt is counted
	// as failed) and leases them to the caller until now+lease, each
	// with its Claim; a message already sent is never claimed again.
	ClaimNoticeMessages(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]NoticeMessage, error)
	// FinishNoticeMessage records the attempt to send a claimed message:
	// sent when failure is "", else due again at next, or failed when
	// next is nil. A finish whose claim was taken over changes nothing.
	FinishNoticeMessage(ctx context.Context, m NoticeMessage, failure string, next *time.Time, now time.Time) error

	// Approvals returns every request waiting for a second person, oldest
	// first: requested credit runs, pending goodwill grants and manual
	// credits, threshold raises and requested notice batches.
	Approvals(ctx context.Context) ([]Approval, error)
	// MayApprove returns, for each of waiting, nil when approver may
	// approve it, else CheckApprover's errs.Forbidden saying why (its
	// requester, an account its requester made what it is within
	// SponsorWindow, the person who made its requester's account what it
	// is within it, or one made what it is after the request), with the
	// audit log's records as of now.
	MayApprove(ctx context.Context, approver string, waiting []Approval, now time.Time) ([]error, error)
}
