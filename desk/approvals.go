package desk

import (
	"strconv"
	"time"
)

// ApprovalKind is what waits for a second person.
type ApprovalKind string

// The things that wait for a second person.
const (
	ApprovalRun       ApprovalKind = "credit_run"     // a requested credit run
	ApprovalGoodwill  ApprovalKind = "goodwill_grant" // a pending goodwill grant
	ApprovalManual    ApprovalKind = "manual_credit"  // a pending manual credit
	ApprovalThreshold ApprovalKind = "threshold"      // a threshold raise
	ApprovalNotices   ApprovalKind = "notice_batch"   // a requested batch of personal notices
)

// Approval is one request that waits for a second person: a requested
// credit run, a pending goodwill grant or manual credit, a raise of a
// manual-credit threshold, or a requested batch of personal notices.
type Approval struct {
	Kind ApprovalKind `json:"kind"`
	// ID is the run's, grant's, manual credit's or notice batch's id (0
	// for a threshold).
	ID int64 `json:"id,omitempty"`
	// Period is a run's month; Incident a goodwill run's, grant's or
	// notice batch's incident; Customer a manual credit's.
	Period   string `json:"period,omitempty"`
	Incident string `json:"incident,omitempty"`
	Customer string `json:"customer,omitempty"`
	// Currency and AmountMinor are a manual credit's amount or a
	// threshold's new value; Totals a run's payable totals.
	Currency    string     `json:"currency,omitempty"`
	AmountMinor int64      `json:"amount_minor,omitempty"`
	Totals      []RunTotal `json:"totals,omitempty"`
	// Lines is a run's line count, Days a grant's days; Customers a
	// notice batch's customers, Messages its messages.
	Lines       int       `json:"lines,omitempty"`
	Customers   int       `json:"customers,omitempty"`
	Messages    int       `json:"messages,omitempty"`
	Days        int64     `json:"days,omitempty"`
	RequestedBy string    `json:"requested_by"`
	RequestedAt time.Time `json:"requested_at"`
}

// ApprovalsFor splits waiting into what who may decide (every request
// someone else made) and what who requested, which waits for another
// person: the two lists of the admin home's "Waiting for you" and
// "Waiting for a manager".
func ApprovalsFor(waiting []Approval, who string) (forYou, yours []Approval) {
	for _, a := range waiting {
		if a.RequestedBy == who {
			yours = append(yours, a)
		} else {
			forYou = append(forYou, a)
		}
	}
	return forYou, yours
}

// What names a in a sentence: "credit run 4", "goodwill grant 2",
// "manual credit 7", "the raise of the USD threshold", "notice batch 1".
func (a Approval) What() string {
	id := strconv.FormatInt(a.ID, 10)
	switch a.Kind {
	case ApprovalRun:
		return "credit run " + id
	case ApprovalGoodwill:
		return "goodwill grant " + id
	case ApprovalManual:
		return "manual credit " + id
	case ApprovalThreshold:
		return "the raise of the " + a.Currency + " threshold"
	case ApprovalNotices:
		return "notice batch " + id
	}
	return string(a.Kind) + " " + id
}
