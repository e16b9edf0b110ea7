package desk

import (
	"cmp"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/amends/amends/internal/check"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/prefault"
	"github.com/amends/amends/sla"
)

// RunKind is what a credit run pays.
type RunKind string

// The run kinds.
const (
	RunMonth    RunKind = "month"    // the tier credits of one billing month
	RunIncident RunKind = "incident" // the goodwill credits of one incident
)

// RunState is where a credit run stands: previewed → requested → issued,
// or rejected.
type RunState string

// The credit run states.
const (
	RunPreviewed RunState = "previewed" // computed and stored; nothing paid
	RunRequested RunState = "requested" // a support user asks for it to be paid
	RunIssued    RunState = "issued"    // approved by another person and written to the ledger
	RunRejected  RunState = "rejected"  // refused; pays nothing
)

// CreditRun is one computation of what a month owes every customer, kept
// with its lines (the snapshot that approval pays, exactly as previewed)
// and who moved it along. Approval and issue are one step: an approved run
// is issued.
type CreditRun struct {
	ID     int64   `json:"id"`
	Kind   RunKind `json:"kind"`
	Period string  `json:"period"` // "YYYY-MM"
	// Incident is the incident whose goodwill an incident run pays.
	Incident string   `json:"incident,omitempty"`
	State    RunState `json:"state"`
	// AsOf is the evaluation instant: ongoing impacts counted up to it.
	AsOf         time.Time  `json:"as_of"`
	PreviewedBy  string     `json:"previewed_by"`
	PreviewedAt  time.Time  `json:"previewed_at"`
	RequestedBy  string     `json:"requested_by,omitempty"`
	RequestedAt  *time.Time `json:"requested_at,omitempty"`
	ApprovedBy   string     `json:"approved_by,omitempty"`
	ApprovedAt   *time.Time `json:"approved_at,omitempty"`
	RejectedBy   string     `json:"rejected_by,omitempty"`
	RejectedAt   *time.Time `json:"rejected_at,omitempty"`
	RejectReason string     `json:"reject_reason,omitempty"`
	// Lines is how many lines the run has; Totals what they owe and pay,
	// by currency.
	Lines  int        `json:"lines"`
	Totals []RunTotal `json:"totals"`
	Issued *RunIssue  `json:"issued,omitempty"`
}

// RunTotal sums a run's lines in one currency: what the engine computes
// (CreditMinor) and what is payable after the claim rules.
type RunTotal struct {
	Currency     string `json:"currency"`
	CreditMinor  int64  `json:"credit_minor"`
	PayableMinor int64  `json:"payable_minor"`
}

// RunIssue is what issuing a run wrote: how many ledger entries, and
// their sum by currency (only the differences to what the ledger held).
type RunIssue struct {
	Entries int        `json:"entries"`
	Totals  []RunTotal `json:"totals"`
}

// RunLine is one customer's figures in one service for a run's month: the
// exact uptime shown with 4 decimals, the tier reached, the engine's
// credit, what is payable after the claim rules, and why.
type RunLine struct {
	Customer string `json:"customer"`
	Service  string `json:"service"`
	Policy   string `json:"policy"`
	Currency string `json:"currency"`
	// Downtime is the customer's downtime in seconds (at most 6 decimals);
	// Uptime its uptime percent with 4 decimals, rounded toward zero.
	Downtime      string      `json:"downtime_seconds"`
	Uptime        string      `json:"uptime_percent"`
	CreditPercent sla.Percent `json:"credit_percent"`
	ChargesMinor  int64       `json:"charges_minor"`
	CreditMinor   int64       `json:"credit_minor"`
	PayableMinor  int64       `json:"payable_minor"`
	ClaimDeadline time.Time   `json:"claim_deadline"`
	Claim         ClaimStatus `json:"claim"`
	Reason        string      `json:"reason"`
}

// NewMonthRun returns a previewed run of month as of asOf with lines, by by
// at now, its totals summed from lines. errs.Invalid on "month"; an error
// when a total would not fit an int64 (see AddMinor).
func NewMonthRun(month string, asOf time.Time, lines []RunLine, by string, now time.Time) (CreditRun, error) {
	if err := CheckMonth("month", month); err != nil {
		return CreditRun{}, err
	}
	if first, _ := time.Parse("2006-01", month); first.After(now.AddDate(check.YearsAhead, 0, 0)) {
		return CreditRun{}, errs.Invalidf("month", "%s is more than %d years from now", month, check.YearsAhead)
	}
	r := CreditRun{Kind: RunMonth, Period: month, State: RunPreviewed, AsOf: asOf.UTC().Truncate(time.Second),
		PreviewedBy: by, PreviewedAt: now.UTC().Truncate(time.Second), Lines: len(lines)}
	idx := map[string]int{}
	j := -1 // the total of the line before's currency, which most lines share
	for i := range lines {
		l := &lines[i]
		if j < 0 || r.Totals[j].Currency != l.Currency {
			var ok bool
			if j, ok = idx[l.Currency]; !ok {
				j = len(r.Totals)
				idx[l.Currency] = j
				r.Totals = append(r.Totals, RunTotal{Currency: l.Currency})
			}
		}
		var err error
		if r.Totals[j].CreditMinor, err = AddMinor(r.Totals[j].CreditMinor, l.CreditMinor); err != nil {
			return CreditRun{}, err
		}
		if r.Totals[j].PayableMinor, err = AddMinor(r.Totals[j].PayableMinor, l.PayableMinor); err != nil {
			return CreditRun{}, err
		}
	}
	slices.SortFunc(r.Totals, func(a, b RunTotal) int { return strings.Compare(a.Currency, b.Currency) })
	return r, nil
}

// Request returns r requested by by at now: errs.Conflict unless previewed.
func (r CreditRun) Request(by string, now time.Time) (CreditRun, error) {
	if r.State != RunPreviewed {
		return CreditRun{}, errs.Conflictf("credit run %d is %s; only a previewed run can be requested", r.ID, r.State)
	}
	now = now.UTC().Truncate(time.Second)
	r.State, r.RequestedBy, r.RequestedAt = RunRequested, by, &now
	return r, nil
}

// Approve returns r approved (and so to be issued) by by at now: a second
// approval, or approving a run that is not requested, is errs.Conflict; the
// person who requested it gets errs.Forbidden.
func (r CreditRun) Approve(by string, now time.Time) (CreditRun, error) {
	switch r.State {
	case RunIssued:
		return CreditRun{}, errs.Conflictf("credit run %d is already approved and issued", r.ID)
	case RunRequested:
	default:
		return CreditRun{}, errs.Conflictf("credit run %d is %s; only a requested run can be approved", r.ID, r.State)
	}
	if by == r.RequestedBy {
		return CreditRun{}, errs.Forbiddenf("no credit is paid on one person's say: you requested credit run %d, so another manager must approve it", r.ID)
	}
	now = now.UTC().Truncate(time.Second)
	r.State, r.ApprovedBy, r.ApprovedAt = RunIssued, by, &now
	return r, nil
}

// Reject returns r rejected by by at now with a reason: errs.Conflict
// unless it is previewed or requested, errs.Invalid on "reason".
func (r CreditRun) Reject(by, reason string, now time.Time) (CreditRun, error) {
	if r.State != RunPreviewed && r.State != RunRequested {
		return CreditRun{}, errs.Conflictf("credit run %d is %s and can no longer be rejected", r.ID, r.State)
	}
	reason = strings.TrimSpace(reason)
	if err := checkBody("reason", reason, MaxReasonLen, true); err != nil {
		return CreditRun{}, err
	}
	now = now.UTC().Truncate(time.Second)
	r.State, r.RejectedBy, r.RejectedAt, r.RejectReason = RunRejected, by, &now, reason
	return r, nil
}

// MonthData is what the desk keeps that a month's run needs: every account,
// the resource entries that may overlap the month (in any time zone), the
// month's charges, every policy, and the month's claims.
type MonthData struct {
	Accounts  []Account // a run reads each one's ID and Currency
	Resources []AccountResource
	Charges   []AccountCharge
	Policies  []ServicePolicy
	Claims    []Claim
}

// MonthWindow is the span whose resources and incidents a month's run
// reads: the month in UTC widened by 14 hours on each side, so that it
// holds the month in every time zone a policy may name.
func MonthWindow(month string) (from, to time.Time, err error) {
	if err := CheckMonth("month", month); err != nil {
		return time.Time{}, time.Time{}, err
	}
	start, end, err := sla.Period{Month: month}.Bounds()
	if err != nil {
		return time.Time{}, time.Time{}, errs.Prefix("month", err)
	}
	return start.Add(-14 * time.Hour), end.Add(14 * time.Hour), nil
}

// GroupScenario is one spec scenario of a month's run: the customers that
// share the same policies (every customer without an override, or one
// customer with its overrides), for the policies of one time zone.
type GroupScenario struct {
	// Customer is "" for the customers under the default policies, else
	// the one customer whose overrides the scenario uses.
	Customer string
	TimeZone string
	Scenario *sla.Scenario
}

// MonthScenarios splits a month's run into spec scenarios, each of which
// sla.Evaluate (or `amends sla evaluate`) computes exactly as the desk pays it.
// base holds the components, incidents and maintenance (as
// incidents.SLAScenarioNamed builds them: impacts name their customers);
// its period, policies and customers are ignored. Each scenario gets base's components, incidents and
// maintenance (shared, not copied), AsOf asOf, the month in its time zone,
// its policies (a default or, for an overriding customer, its override; a
// policy of a service with no component is left out, since nobody can have
// resources there), and its customers with their resources and charges. A
// customer with neither resources nor charges in d is in no scenario. The
// default group comes first and is there even with no customers.
// errs.Invalid on "month".
func MonthScenarios(month string, asOf time.Time, base *sla.Scenario, d *MonthData) ([]GroupScenario, error) {
	if err := CheckMonth("month", month); err != nil {
		return nil, err
	}
	hasComp := map[string]bool{}
	for _, c := range base.Components {
		hasComp[c.Service] = true
	}
	var defaults []ServicePolicy
	overrides := map[string][]ServicePolicy{}
	for _, p := range d.Policies {
		if !hasComp[p.Service] {
			continue
		}
		if p.Customer == "" {
			defaults = append(defaults, p)
		} else {
			overrides[p.Customer] = append(overrides[p.Customer], p)
		}
	}
	// Each account's resources and charges are carved out of one list of
	// each, counted first: a map of 100,000 growing lists cost several
	// times the data itself. Each entry's account is found once, and
	// mostly without a lookup (see AccountIndex).
	accounts := NewAccountIndex(d.Accounts)
	// The resources and the charges are carved on two goroutines at once,
	// each with an index of its own (it remembers where it found the last).
	var res []sla.Resource
	var chg []sla.Charge
	var resAt, chgAt []int // account i's are res[resAt[i]:resAt[i+1]], chg[chgAt[i]:chgAt[i+1]]
	var wg sync.WaitGroup
	wg.Go(func() {
		x := *accounts
		res, resAt = carve(&x, d.Resources, func(r *AccountResource) (string, bool) { return r.Customer, true },
			func(dst *sla.Resource, r *AccountResource) {
				dst.Component, dst.Count = r.Component, r.Count
				if r.From != nil {
					dst.From = *r.From
				}
				if r.To != nil {
					dst.To = *r.To
				}
			})
	})
	x := *accounts
	chg, chgAt = carve(&x, d.Charges, func(c *AccountCharge) (string, bool) { return c.Customer, c.Month == month }, func(dst *sla.Charge, c *AccountCharge) {
		*dst = sla.Charge{Component: c.Component, AmountMinor: c.AmountMinor}
	})
	wg.Wait()
	// part is a[at[i]:at[i+1]], nil when empty (as a customer without
	// any was before).
	part := func(at []int, i int) (lo, hi int, ok bool) { return at[i], at[i+1], at[i] < at[i+1] }
	plain := prefault.Slice(make([]sla.Customer, 0, len(d.Accounts)))
	var own []sla.Customer
	for k, a := range d.Accounts {
		i := accounts.first(k)
		var r []sla.Resource
		var c []sla.Charge
		if lo, hi, ok := part(resAt, i); ok {
			r = res[lo:hi:hi]
		}
		if lo, hi, ok := part(chgAt, i); ok {
			c = chg[lo:hi:hi]
		}
		if len(r) == 0 && len(c) == 0 {
			continue
		}
		sc := sla.Customer{ID: a.ID, Currency: a.Currency, Resources: r, Charges: c}
		if len(overrides[a.ID]) > 0 {
			own = append(own, sc)
		} else {
			plain = append(plain, sc)
		}
	}
	if len(plain) == 0 {
		plain = nil
	}
	currency := func(id string) (string, bool) {
		i, ok := accounts.Find(id)
		if !ok {
			return "", false
		}
		return d.Accounts[i].Currency, true
	}
	var out []GroupScenario
	group := func(customer string, policies []ServicePolicy, customers []sla.Customer) {
		customers = withNamed(customers, base.Incidents, currency)
		zones := map[string][]sla.Policy{}
		var order []string
		for _, p := range policies {
			if _, ok := zones[p.TimeZone]; !ok {
				order = append(order, p.TimeZone)
			}
			zones[p.TimeZone] = append(zones[p.TimeZone], p.Policy)
		}
		if len(order) == 0 {
			order = []string{""} // no policies: the engine's defaults, in UTC
		}
		for _, tz := range order {
			s := &sla.Scenario{Period: sla.Period{Month: month, TimeZone: tz}, AsOf: asOf,
				Components: base.Components, Incidents: base.Incidents, Maintenance: base.Maintenance,
				Policies: zones[tz], Customers: customers}
			if tz == "" {
				s.Period.TimeZone = "UTC"
			}
			out = append(out, GroupScenario{Customer: customer, TimeZone: s.Period.TimeZone, Scenario: s})
		}
	}
	group("", defaults, plain)
	for _, c := range own {
		ps := slices.Clone(overrides[c.ID])
		for _, p := range defaults {
			if !slices.ContainsFunc(ps, func(o ServicePolicy) bool { return o.Service == p.Service }) {
				ps = append(ps, p)
			}
		}
		group(c.ID, ps, []sla.Customer{c})
	}
	return out, nil
}

// carve returns what each entry of entries makes (by fill), grouped by
// account in the accounts' order (x's), each account's in the entries'
// order, and where each account's start: account i's are
// out[at[i]:at[i+1]]. An entry whose customer (as customer says) is no
// account, or that customer says to leave out, is left out.
func carve[E, T any](x *AccountIndex, entries []E, customer func(*E) (string, bool), fill func(*T, *E)) (out []T, at []int) {
	acc := make([]int32, len(entries)) // entry j's account, -1 for none
	at = make([]int, len(x.accounts)+1)
	for j := range entries {
		acc[j] = -1
		id, ok := customer(&entries[j])
		if !ok {
			continue
		}
		i, ok := x.Find(id)
		if !ok {
			continue
		}
		acc[j] = int32(i)
		at[i+1]++
	}
	for i := range x.accounts {
		at[i+1] += at[i]
	}
	out = prefault.Slice(make([]T, at[len(x.accounts)]))
	next := slices.Clone(at[:len(x.accounts)])
	for j := range entries {
		if i := acc[j]; i >= 0 {
			fill(&out[next[i]], &entries[j])
			next[i]++
		}
	}
	return out, at
}

// AccountIndex finds an account's index in a list of accounts (the first
// with that ID). A month's data lists its accounts in ID order, each once,
// and its entries grouped by customer: then an entry's account is the one
// found for the entry before, or the next one, or else found by binary
// search, and no map of 100,000 IDs is made. Accounts in another order
// are found through a map.
type AccountIndex struct {
	accounts []Account
	sorted   bool // IDs strictly ascending, so each ID once
	last     int  // the index found last
	pos      map[string]int
}

// NewAccountIndex indexes accounts, which it keeps and does not change.
func NewAccountIndex(accounts []Account) *AccountIndex {
	x := &AccountIndex{accounts: accounts, sorted: slices.IsSortedFunc(accounts, func(a, b Account) int { return strings.Compare(a.ID, b.ID) })}
	for i := 1; x.sorted && i < len(accounts); i++ {
		x.sorted = accounts[i-1].ID != accounts[i].ID
	}
	if !x.sorted {
		x.pos = make(map[string]int, len(accounts))
		for i := len(accounts) - 1; i >= 0; i-- {
			x.pos[accounts[i].ID] = i
		}
	}
	return x
}

// find returns the index of the first account with ID id.
// Find returns the index of the account with id, and whether there is one.
func (x *AccountIndex) Find(id string) (int, bool) {
	if !x.sorted {
		i, ok := x.pos[id]
		return i, ok
	}
	for _, i := range [2]int{x.last, x.last + 1} {
		if i < len(x.accounts) && x.accounts[i].ID == id {
			x.last = i
			return i, true
		}
	}
	i, ok := slices.BinarySearchFunc(x.accounts, id, func(a Account, id string) int { return strings.Compare(a.ID, id) })
	if ok {
		x.last = i
	}
	return i, ok
}

// first returns the index of the first account with the ID of account k.
func (x *AccountIndex) first(k int) int {
	if x.sorted {
		return k
	}
	return x.pos[x.accounts[k].ID]
}

// withNamed returns customers followed by each customer that an impact
// names and customers lacks: the real account (currency is each account's
// currency), without resources or charges, since those are evaluated in
// the account's own scenario. So an impact naming only customers of
// another scenario still names them here, and applies to nobody here;
// such a customer gets no lines. A named customer that is no account is
// not added: sla.Evaluate then refuses the impact's reference to an unknown
// customer, naming its field.
func withNamed(customers []sla.Customer, incs []sla.Incident, currency func(id string) (string, bool)) []sla.Customer {
	var have map[string]bool
	for _, inc := range incs {
		for _, im := range inc.Impacts {
			for _, ac := range im.Customers {
				if have == nil {
					have = make(map[string]bool, len(customers))
					for _, c := range customers {
						have[c.ID] = true
					}
				}
				cur, ok := currency(ac.Customer)
				if have[ac.Customer] || !ok {
					continue
				}
				have[ac.Customer] = true
				customers = append(slices.Clip(customers), sla.Customer{ID: ac.Customer, Currency: cur})
			}
		}
	}
	return customers
}

// Only returns g narrowed to one of its customers (and the customers its
// impacts name, without resources or charges), and false if g does not
// hold that customer with resources or charges.
func (g GroupScenario) Only(customer string) (GroupScenario, bool) {
	for _, c := range g.Scenario.Customers {
		if c.ID == customer && (len(c.Resources) > 0 || len(c.Charges) > 0) {
			s := *g.Scenario
			currency := map[string]string{}
			for _, o := range g.Scenario.Customers {
				currency[o.ID] = o.Currency
			}
			s.Customers = withNamed([]sla.Customer{c}, s.Incidents, func(id string) (string, bool) { cur, ok := currency[id]; return cur, ok })
			g.Scenario = &s
			return g, true
		}
	}
	return GroupScenario{}, false
}

// PreviewMonth computes the lines of a month's run: every scenario of
// MonthScenarios evaluated by sla.Evaluate, one line per customer and service
// that has a policy, ordered by customer, then service. The line's credit
// is the engine's; it is payable unless the policy requires a claim and no
// claim in d came before the engine's claim deadline (a late claim, or
// none, pays 0). errs.Invalid from sla.Evaluate for data it refuses, with the
// scenario's field path.
func PreviewMonth(month string, asOf time.Time, base *sla.Scenario, d *MonthData) ([]RunLine, error) {
	groups, err := MonthScenarios(month, asOf, base, d)
	if err != nil {
		return nil, err
	}
	rules := newLineRules(month, d)
	// Every group is evaluated first, so that the lines are made once, in
	// place, in one slice of the right length: 300,000 lines of a large
	// month are 70 MB, and each copy of them cost more than making them.
	results := make([]*sla.Result, len(groups))
	n := 0
	for i, g := range groups {
		if results[i], err = evaluateGroup(g); err != nil {
			return nil, err
		}
		for j := range results[i].Customers {
			n += len(results[i].Customers[j].Services)
		}
	}
	lines := prefault.Slice(make([]RunLine, n))
	at := 0
	for _, res := range results {
		at += rules.fill(lines[at:], res.Customers)
	}
	byKey := func(a, b RunLine) int {
		return cmp.Or(strings.Compare(a.Customer, b.Customer), strings.Compare(a.Service, b.Service))
	}
	if !slices.IsSortedFunc(lines, byKey) { // one scenario's lines usually are
		slices.SortFunc(lines, byKey)
	}
	return lines, nil
}

// evaluateGroup evaluates g's scenario; an error of a customer's own group
// names the customer.
func evaluateGroup(g GroupScenario) (*sla.Result, error) {
	res, err := sla.Evaluate(g.Scenario)
	if err != nil && g.Customer != "" {
		return nil, fmt.Errorf("customer %s: %w", g.Customer, err)
	}
	return res, err
}

// lineRules is what turns the engine's figures into a run's line: the
// month's policies by ID and its claims by customer and service.
type lineRules struct {
	policies map[string]*ServicePolicy
	claims   map[claimKey]*Claim
}

type claimKey struct{ customer, service string }

func newLineRules(month string, d *MonthData) lineRules {
	r := lineRules{policies: make(map[string]*ServicePolicy, len(d.Policies)), claims: map[claimKey]*Claim{}}
	for i := range d.Policies {
		r.policies[d.Policies[i].ID] = &d.Policies[i]
	}
	for i := range d.Claims {
		c := &d.Claims[i]
		if c.Month == month {
			r.claims[claimKey{c.Customer, c.Service}] = c
		}
	}
	return r
}

// fill writes the run lines of customers, in their order, at the start of
// dst (which has room for them) and returns how many it wrote. They are
// made on every core in chunks of consecutive customers (a line depends on
// its customer and service alone), each chunk in its own place in dst.
func (r lineRules) fill(dst []RunLine, customers []sla.CustomerResult) int {
	const per = 4096
	chunks := (len(customers) + per - 1) / per
	offset := make([]int, chunks+1) // chunk c's lines go at dst[offset[c]:offset[c+1]]
	for c := range chunks {
		n := 0
		for i := c * per; i < min(len(customers), (c+1)*per); i++ {
			n += len(customers[i].Services)
		}
		offset[c+1] = offset[c] + n
	}
	work := func(c int) {
		k := offset[c]
		var memo figureMemo
		var reason []byte
		var text reasonText
		for i := c * per; i < min(len(customers), (c+1)*per); i++ {
			cr := &customers[i]
			for j := range cr.Services {
				reason = r.fillLine(&dst[k], cr, &cr.Services[j], &memo, reason[:0])
				text.add(dst, k, reason)
				k++
			}
		}
		text.flush(dst)
	}
	workers := min(runtime.GOMAXPROCS(0), chunks)
	if workers <= 1 {
		for c := range chunks {
			work(c)
		}
	} else {
		var wg sync.WaitGroup
		var next atomic.Int64
		for range workers {
			wg.Go(func() {
				for c := int(next.Add(1)) - 1; c < chunks; c = int(next.Add(1)) - 1 {
					work(c)
				}
			})
		}
		wg.Wait()
	}
	return offset[chunks]
}

// reasonText writes the reasons of consecutive lines one after another
// into one text of about 64 KiB, which they then share: a run makes
// 300,000 reasons, and one allocation for hundreds of them costs less
// than one each.
type reasonText struct {
	b     strings.Builder
	first int   // the line whose reason b starts with
	ends  []int // where each line's reason in b ends
}

// add writes line k's reason, after those of lines first to k-1.
func (t *reasonText) add(lines []RunLine, k int, reason []byte) {
	if t.b.Cap()-t.b.Len() < len(reason) {
		t.flush(lines)
		t.first = k
		t.b.Grow(max(64<<10, len(reason)))
	}
	t.b.Write(reason)
	t.ends = append(t.ends, t.b.Len())
}

// flush gives the lines their reasons, and starts a new text.
func (t *reasonText) flush(lines []RunLine) {
	s, from := t.b.String(), 0
	for j, end := range t.ends {
		lines[t.first+j].Reason = s[from:end]
		from = end
	}
	t.b, t.ends = strings.Builder{}, t.ends[:0]
}

// figureMemo keeps the downtimes and uptimes written as text (up to
// figuresKept of them): the customers of one component set share their
// figures, so the lines share the strings too, and most are written once.
type figureMemo struct {
	kept map[figures]figureText
	// last is the figures asked for last and their text (has: there are
	// some): consecutive lines often share them, and == is cheaper than
	// the map.
	last     figures
	lastText figureText
	has      bool
}

type figures struct{ down, up sla.Ratio }

type figureText struct{ down, up string }

const figuresKept = 4096

// texts returns down and up as a line shows them.
func (m *figureMemo) texts(down, up sla.Ratio) (downText, upText string) {
	if m == nil {
		return down.Round(sla.DowntimePlaces), up.Truncate(sla.UptimePlaces)
	}
	f := figures{down, up}
	if m.has && f == m.last {
		return m.lastText.down, m.lastText.up
	}
	t, ok := m.kept[f]
	if !ok {
		t = figureText{down.Round(sla.DowntimePlaces), up.Truncate(sla.UptimePlaces)}
		if m.kept == nil || len(m.kept) == figuresKept {
			m.kept = make(map[figures]figureText)
		}
		m.kept[f] = t
	}
	m.last, m.lastText, m.has = f, t, true
	return t.down, t.up
}

// line writes the run line of customer cr in service cs to l; memo, if
// not nil, may give the downtime and uptime text.
func (r lineRules) line(l *RunLine, cr *sla.CustomerResult, cs *sla.CustomerService, memo *figureMemo) {
	l.Reason = string(r.fillLine(l, cr, cs, memo, nil))
}

// fillLine is line without the reason, which it appends to reasons
// instead.
func (r lineRules) fillLine(l *RunLine, cr *sla.CustomerResult, cs *sla.CustomerService, memo *figureMemo, reasons []byte) []byte {
	p := r.policies[cs.Policy]
	claim := r.claims[claimKey{cr.ID, cs.Service}]
	up := cs.UptimePercent()
	downText, upText := memo.texts(cs.DowntimeSeconds, up)
	*l = RunLine{Customer: cr.ID, Service: cs.Service, Policy: cs.Policy, Currency: cr.Currency,
		Downtime: downText, CreditPercent: cs.CreditPercent,
		ChargesMinor: cs.ChargesMinor, CreditMinor: cs.CreditMinor, ClaimDeadline: cs.ClaimDeadline.UTC()}
	l.Uptime = upText
	l.Claim = claimStatus(p.RequiresClaim, claim, cs.ClaimDeadline)
	if l.Claim == ClaimNotRequired || l.Claim == ClaimInTime {
		l.PayableMinor = l.CreditMinor
	}
	return appendReason(reasons, l, up, p, claim)
}

// appendReason appends to b one sentence that says why a line pays what
// it pays, such as "uptime 99.2573% below 99.95%: 10% of 2,500.00 USD".
func appendReason(b []byte, l *RunLine, up sla.Ratio, p *ServicePolicy, c *Claim) []byte {
	// Written with appends, not fmt: a run makes 300,000 of these.
	b = append(b, "uptime "...)
	b = append(b, l.Uptime...)
	b = append(b, '%')
	if l.CreditPercent == 0 {
		lowest := sla.Percent(-1)
		for _, t := range p.Tiers {
			lowest = max(lowest, t.Below)
		}
		if lowest < 0 {
			b = append(b, ": the policy has no credit tiers"...)
		} else {
			b = append(b, " not below "...)
			b = lowest.Append(b)
			b = append(b, "%: no credit"...)
		}
		return b
	}
	below := sla.Percent(-1)
	for _, t := range p.Tiers {
		if t.CreditPercent == l.CreditPercent && up.CmpPercent(t.Below) < 0 {
			below = t.Below
		}
	}
	b = append(b, " below "...)
	b = below.Append(b)
	b = append(b, "%: "...)
	b = l.CreditPercent.Append(b)
	b = append(b, "% of "...)
	b = AppendMoney(b, l.ChargesMinor, l.Currency)
	if l.CreditMinor == 0 && l.ChargesMinor > 0 && p.MinCreditMinor > 0 {
		b = append(b, ", not above the minimum credit of "...)
		b = AppendMoney(b, p.MinCreditMinor, l.Currency)
	}
	switch l.Claim {
	case ClaimMissing:
		if l.CreditMinor > 0 {
			b = append(b, "; not paid: the policy requires a claim before "...)
			b = l.ClaimDeadline.AppendFormat(b, time.RFC3339)
			b = append(b, " and none is recorded"...)
		}
	case ClaimLate:
		if l.CreditMinor > 0 {
			b = append(b, "; not paid: claimed "...)
			b = c.ClaimedAt.UTC().AppendFormat(b, time.RFC3339)
			b = append(b, ", not before the deadline "...)
			b = l.ClaimDeadline.AppendFormat(b, time.RFC3339)
		}
	}
	return b
}
