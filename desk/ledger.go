package desk

import (
	"slices"
	"strings"
	"time"

	"github.com/amends/amends/internal/errs"
)

// EntryKind says what a ledger entry credits.
type EntryKind string

// The ledger entry kinds.
const (
	EntryTier       EntryKind = "tier"       // a tier credit paid by a month run
	EntryGoodwill   EntryKind = "goodwill"   // a goodwill credit paid by an incident run
	EntryManual     EntryKind = "manual"     // a manual credit
	EntryAdjustment EntryKind = "adjustment" // a correction of earlier entries of one key
)

// LedgerEntry is one line of the append-only credit ledger: an amount in
// minor units credited to a customer, in its currency. Nothing in the ledger
// is ever changed or removed; a correction is a new adjustment entry whose
// Adjusts lists every earlier entry of its key, and whose CreditKind is
// their kind.
type LedgerEntry struct {
	ID          int64     `json:"id"`
	Customer    string    `json:"customer"`
	Currency    string    `json:"currency"`
	AmountMinor int64     `json:"amount_minor"`
	Kind        EntryKind `json:"kind"`
	// CreditKind is the kind of credit the entry belongs to: Kind itself,
	// or for an adjustment the kind of the entries it adjusts.
	CreditKind EntryKind `json:"credit_kind"`
	Service    string    `json:"service,omitempty"`
	Period     string    `json:"period,omitempty"`
	Incident   string    `json:"incident,omitempty"`
	Reason     string    `json:"reason"`
	RunID      int64     `json:"run,omitempty"`
	ManualID   int64     `json:"manual_credit,omitempty"`
	Adjusts    []int64   `json:"adjusts,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	// Actor is who made the entry be written: the approver of a run or of
	// a manual credit (the requester of one under the threshold).
	Actor string `json:"actor"`
}

// LedgerKey is what a run pays exactly once: one kind of credit for one
// customer, service and period (and incident, for goodwill).
type LedgerKey struct {
	Customer, Service, Period, Incident string
	Kind                                EntryKind
}

// Key is the key e counts under.
func (e LedgerEntry) Key() LedgerKey {
	return LedgerKey{Customer: e.Customer, Service: e.Service, Period: e.Period, Incident: e.Incident, Kind: e.CreditKind}
}

// Held is what the ledger already holds for one key: the sum of its entries
// and their ids, oldest first.
type Held struct {
	SumMinor int64
	IDs      []int64
	Currency string
}

// LedgerFilter selects ledger entries; empty fields select everything.
type LedgerFilter struct {
	Customer string
	Period   string
	RunID    int64
	Offset   int
	Limit    int // 0 means 100
}

// PlanIssue returns the ledger entries that issuing run writes, given what
// the ledger holds for the run's keys. For each line, the amount the run
// owes (its PayableMinor) minus what the ledger holds for the line's key is
// written: nothing when that is 0; a tier entry when the key has no entries
// yet; otherwise an adjustment (which may be negative) that adjusts every
// earlier entry of the key. So issuing the same month twice pays nothing
// more, and a run after corrected data pays only the difference. The
// entries are stamped with the run, its approver actor and its ApprovedAt.
// A month run covers every customer of its month, so a tier key of the
// month that the ledger holds and the run has no line for is owed 0, and
// gets an adjustment that takes back what it holds. An incident run does
// the same with goodwill keys of its incident: its lines are keyed by
// customer, service "" and the incident, and its entries are goodwill.
// errs.Conflict unless run is approved (ApprovedAt set) and not yet issued.
func PlanIssue(run CreditRun, lines []RunLine, held map[LedgerKey]Held, actor string) ([]LedgerEntry, error) {
	p, err := NewIssuePlan(run, held, actor)
	if err != nil {
		return nil, err
	}
	return p.Rest(p.Add(make([]LedgerEntry, 0, len(lines)), lines)), nil
}

// IssuePlan makes the entries of PlanIssue a part of the run's lines at a
// time, so that a run of 300,000 lines is issued without holding all its
// lines and entries at once: Add each part of the lines in the run's order,
// then Rest. The entries, and their order, are PlanIssue's.
type IssuePlan struct {
	run     CreditRun
	held    map[LedgerKey]Held
	actor   string
	at      time.Time
	kind    EntryKind
	matched map[LedgerKey]bool
}

// NewIssuePlan starts PlanIssue's entries of run: errs.Conflict unless run
// is approved (ApprovedAt set) and not yet issued.
func NewIssuePlan(run CreditRun, held map[LedgerKey]Held, actor string) (*IssuePlan, error) {
	if run.ApprovedAt == nil || run.State != RunIssued {
		return nil, errs.Conflictf("credit run %d is %s, not approved", run.ID, run.State)
	}
	return newIssuePlan(run, held, actor, *run.ApprovedAt), nil
}

func newIssuePlan(run CreditRun, held map[LedgerKey]Held, actor string, at time.Time) *IssuePlan {
	kind := EntryTier
	if run.Kind == RunIncident {
		kind = EntryGoodwill
	}
	return &IssuePlan{run: run, held: held, actor: actor, at: at, kind: kind, matched: make(map[LedgerKey]bool, len(held))}
}

// Outstanding is what issuing run would write if it were approved now,
// given what the ledger holds for its keys (see PlanIssue): how many
// entries, and their sum by currency. A run whose lines the ledger already
// holds (a second run of an unchanged month) has nothing outstanding, even
// though its lines still say what the month owes. It is a view of the
// moment: approval computes the entries again, in its own transaction.
func Outstanding(run CreditRun, lines []RunLine, held map[LedgerKey]Held) (RunIssue, error) {
	// The entries are summed a part at a time, not all held at once.
	p := newIssuePlan(run, held, "", time.Time{})
	var t IssueTotals
	buf := make([]LedgerEntry, 0, min(len(lines), 1024))
	for start := 0; start < len(lines); start += cap(buf) {
		if err := t.Add(p.Add(buf[:0], lines[start:min(len(lines), start+cap(buf))])); err != nil {
			return RunIssue{}, err
		}
	}
	if err := t.Add(p.Rest(buf[:0])); err != nil {
		return RunIssue{}, err
	}
	return *t.Issue(), nil
}

// SummarizeIssue counts entries and sums them by currency (in currency
// order), as a run's Issued reports them; an error when a total would not
// fit an int64 (see AddMinor).
func SummarizeIssue(entries []LedgerEntry) (*RunIssue, error) {
	var t IssueTotals
	if err := t.Add(entries); err != nil {
		return nil, err
	}
	return t.Issue(), nil
}

// IssueTotals is SummarizeIssue a part of the entries at a time: Add each
// part in order, then Issue.
type IssueTotals struct {
	iss RunIssue
	idx map[string]int
}

// Add counts entries and adds them to their currency's sums; an error when
// a total would not fit an int64 (see AddMinor).
func (t *IssueTotals) Add(entries []LedgerEntry) error {
	if t.idx == nil {
		t.idx, t.iss.Totals = map[string]int{}, []RunTotal{}
	}
	t.iss.Entries += len(entries)
	for i := range entries {
		e := &entries[i]
		j, ok := t.idx[e.Currency]
		if !ok {
			j = len(t.iss.Totals)
			t.idx[e.Currency] = j
			t.iss.Totals = append(t.iss.Totals, RunTotal{Currency: e.Currency})
		}
		sum, err := AddMinor(t.iss.Totals[j].PayableMinor, e.AmountMinor)
		if err != nil {
			return err
		}
		t.iss.Totals[j].PayableMinor, t.iss.Totals[j].CreditMinor = sum, sum
	}
	return nil
}

// Issue returns what the entries added so far sum to, as SummarizeIssue.
func (t *IssueTotals) Issue() *RunIssue {
	iss := &RunIssue{Entries: t.iss.Entries, Totals: slices.Clone(t.iss.Totals)}
	if iss.Totals == nil {
		iss.Totals = []RunTotal{}
	}
	slices.SortFunc(iss.Totals, func(a, b RunTotal) int { return strings.Compare(a.Currency, b.Currency) })
	return iss
}

// Add appends to out the entries of lines, the next part of the run's
// lines in its order, and returns it.
func (p *IssuePlan) Add(out []LedgerEntry, lines []RunLine) []LedgerEntry {
	run, kind := &p.run, p.kind
	for i := range lines {
		l := &lines[i]
		key := LedgerKey{Customer: l.Customer, Service: l.Service, Period: run.Period, Incident: run.Incident, Kind: kind}
		h, ok := p.held[key]
		if ok {
			p.matched[key] = true
		}
		diff := l.PayableMinor - h.SumMinor
		if diff == 0 {
			continue
		}
		e := LedgerEntry{Customer: l.Customer, Currency: l.Currency, AmountMinor: diff, Kind: kind, CreditKind: kind,
			Service: l.Service, Period: run.Period, Incident: run.Incident, Reason: l.Reason, RunID: run.ID, CreatedAt: p.at, Actor: p.actor}
		if len(h.IDs) > 0 {
			e.Kind = EntryAdjustment
			e.Adjusts = slices.Clone(h.IDs)
			e.Reason = "correction of " + FormatMoney(h.SumMinor, l.Currency) + " to " + FormatMoney(l.PayableMinor, l.Currency) + ": " + l.Reason
		}
		out = append(out, e)
	}
	return out
}

// Rest appends to out the entries that take back what the ledger holds
// for keys of the run's period, kind and incident that no line added so
// far matched, by customer and service, and returns it.
func (p *IssuePlan) Rest(out []LedgerEntry) []LedgerEntry {
	run, kind := &p.run, p.kind
	var gone []LedgerKey
	for k, h := range p.held {
		if !p.matched[k] && k.Period == run.Period && k.Kind == kind && k.Incident == run.Incident && h.SumMinor != 0 {
			gone = append(gone, k)
		}
	}
	slices.SortFunc(gone, func(a, b LedgerKey) int {
		if a.Customer != b.Customer {
			return strings.Compare(a.Customer, b.Customer)
		}
		return strings.Compare(a.Service, b.Service)
	})
	for _, k := range gone {
		h := p.held[k]
		out = append(out, LedgerEntry{Customer: k.Customer, Currency: h.Currency, AmountMinor: -h.SumMinor,
			Kind: EntryAdjustment, CreditKind: kind, Service: k.Service, Period: k.Period, Incident: k.Incident,
			Reason:  "correction of " + FormatMoney(h.SumMinor, h.Currency) + " to " + FormatMoney(0, h.Currency) + ": no longer owed",
			Adjusts: slices.Clone(h.IDs), RunID: run.ID, CreatedAt: p.at, Actor: p.actor})
	}
	return out
}
