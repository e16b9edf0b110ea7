package report

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
)

// IncidentNotices are the figures of the personal notices of one incident:
// one per affected customer.
type IncidentNotices struct {
	Incident incidents.Incident
	// Month is the month ("YYYY-MM") the incident began in, whose
	// figures the notices give.
	Month string
	// MonthOver says Month is over everywhere: its figures are final.
	MonthOver bool
	Services  []incidents.Service
	Catalog   []incidents.Component
	// Explanation is the published revision of the incident's
	// explanation, nil while none is published.
	Explanation *incidents.Revision
	Notices     []CustomerNotice
}

// CustomerNotice is one affected customer's figures.
type CustomerNotice struct {
	Account desk.Account
	// CustomerIncident is how it lived the incident: the resources hit,
	// its downtime per service and the worst of them.
	CustomerIncident
	// Named says an impact of the incident named the customer.
	Named bool
	// Month is its figures in the incident's month so far, in the
	// services the incident gave it downtime in (or, with none, the
	// services of the components it hit): uptime and tier reached.
	Month []desk.CustomerServiceMonth
	// Credits are its credits from the incident: the tier credits of
	// Month's services and the incident's goodwill.
	Credits []NoticeCredit
}

// NoticeCredit is one credit a notice tells of.
type NoticeCredit struct {
	Kind    desk.EntryKind // desk.EntryTier or desk.EntryGoodwill
	Service string         // a tier credit's service
	Period  string         // "YYYY-MM"
	// Minor is the amount in Currency: what the ledger holds when Paid,
	// else what a run computes now (pending).
	Minor    int64
	Currency string
	Paid     bool
	// Final is false while the month is not over: a pending tier credit
	// may still grow or vanish.
	Final bool
}

// IncidentNotices computes, as of now, the notice figures of every
// customer incident id affected: each customer an impact names, or whose
// resources were in a component during one of its impacts that applies to
// unnamed customers under the policy's unlisted rule (see incidentHits).
// Customers by name. errs.NotFound for an unknown incident.
func (r *Reports) IncidentNotices(ctx context.Context, id int64, now time.Time) (*IncidentNotices, error) {
	inc, err := r.incidents.Incident(ctx, id)
	if err != nil {
		return nil, err
	}
	out := &IncidentNotices{Incident: inc}
	if out.Services, err = r.incidents.Services(ctx); err != nil {
		return nil, err
	}
	if out.Catalog, err = r.incidents.Components(ctx); err != nil {
		return nil, err
	}
	ex, err := r.incidents.Explanation(ctx, id)
	switch {
	case errs.CodeOf(err) == errs.NotFound:
	case err != nil:
		return nil, err
	default:
		for i := len(ex.Revisions) - 1; i >= 0; i-- {
			if ex.Revisions[i].State == incidents.RevisionPublished {
				rev := ex.Revisions[i]
				out.Explanation = &rev
				break
			}
		}
	}
	from, to := incidentWindow(inc, now)
	if from.IsZero() {
		return out, nil
	}
	out.Month = from.UTC().Format("2006-01")
	accounts, err := r.desk.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	policies, err := r.desk.Policies(ctx)
	if err != nil {
		return nil, err
	}
	// Every customer's resources in the incident's months.
	resources := map[string][]desk.AccountResource{}
	seen := map[int64]bool{}
	for _, month := range incidentMonths(from, to, now) {
		d, err := r.desk.MonthData(ctx, month)
		if err != nil {
			return nil, err
		}
		for _, res := range d.Resources {
			if !seen[res.ID] {
				seen[res.ID] = true
				resources[res.Customer] = append(resources[res.Customer], res)
			}
		}
	}
	named := map[string]bool{}
	for _, sp := range inc.Timeline() {
		for _, ac := range sp.Customers {
			named[ac.Customer] = true
		}
	}
	goodwill, err := r.noticeGoodwill(ctx, inc, now)
	if err != nil {
		return nil, err
	}
	_, monthEnd, err := desk.MonthWindow(out.Month)
	if err != nil {
		return nil, err
	}
	final := !now.Before(monthEnd)
	out.MonthOver = final
	serviceOf := map[string]string{}
	for _, c := range out.Catalog {
		serviceOf[c.ID] = c.Service
	}
	eval := r.newMonthEvaluator(now, "")
	for _, a := range accounts {
		hits := incidentHits(inc, resourcesByComponent(resources[a.ID]), unlistedRule(policies, out.Catalog, a.ID), a.ID, now)
		if len(hits) == 0 && !named[a.ID] {
			continue
		}
		n := CustomerNotice{Account: a, Named: named[a.ID], CustomerIncident: CustomerIncident{Incident: inc, Hit: hits}}
		if n.Services, n.Downtime, err = eval.incidentDowntime(ctx, inc, a.ID); err != nil {
			return nil, err
		}
		wanted := map[string]bool{}
		for _, s := range n.Services {
			wanted[s.Service] = true
		}
		if len(wanted) == 0 {
			for _, h := range hits {
				wanted[serviceOf[h.Component]] = true
			}
		}
		cm, err := eval.customerMonth(ctx, out.Month, a.ID)
		if err != nil {
			return nil, err
		}
		ledger, err := r.ledgerEntries(ctx, desk.LedgerFilter{Customer: a.ID})
		if err != nil {
			return nil, err
		}
		for _, sm := range cm.Services {
			if !wanted[sm.Line.Service] {
				continue
			}
			n.Month = append(n.Month, sm)
			c := NoticeCredit{Kind: desk.EntryTier, Service: sm.Line.Service, Period: out.Month, Minor: sm.Line.PayableMinor, Currency: sm.Line.Currency, Final: final}
			if sum, ok := ledgerSum(ledger, func(e desk.LedgerEntry) bool {
				return e.CreditKind == desk.EntryTier && e.Service == c.Service && e.Period == c.Period
			}); ok {
				c.Minor, c.Paid, c.Final = sum, true, true
			}
			if c.Minor != 0 || c.Paid {
				n.Credits = append(n.Credits, c)
			}
		}
		incID := strconv.FormatInt(inc.ID, 10)
		if sum, ok := ledgerSum(ledger, func(e desk.LedgerEntry) bool {
			return e.CreditKind == desk.EntryGoodwill && e.Incident == incID
		}); ok {
			n.Credits = append(n.Credits, NoticeCredit{Kind: desk.EntryGoodwill, Period: goodwill.month, Minor: sum, Currency: a.Currency, Paid: true, Final: true})
		} else if l, ok := goodwill.lines[a.ID]; ok && l.PayableMinor != 0 {
			n.Credits = append(n.Credits, NoticeCredit{Kind: desk.EntryGoodwill, Period: goodwill.month, Minor: l.PayableMinor, Currency: l.Currency, Final: goodwill.final})
		}
		out.Notices = append(out.Notices, n)
	}
	slices.SortStableFunc(out.Notices, func(a, b CustomerNotice) int {
		if c := compareFold(a.Account.Name, b.Account.Name); c != 0 {
			return c
		}
		return compareFold(a.Account.ID, b.Account.ID)
	})
	return out, nil
}

// ledgerSum is the sum of the entries match selects, and whether any did.
func ledgerSum(ledger []desk.LedgerEntry, match func(desk.LedgerEntry) bool) (int64, bool) {
	var sum int64
	var any bool
	for _, e := range ledger {
		if match(e) {
			sum += e.AmountMinor
			any = true
		}
	}
	return sum, any
}

// noticeGoodwill is what the incident's approved goodwill grant gives each
// customer as of now, by customer (none without an approved grant).
type goodwillPreview struct {
	month string
	final bool
	lines map[string]desk.RunLine
}

func (r *Reports) noticeGoodwill(ctx context.Context, inc incidents.Incident, now time.Time) (goodwillPreview, error) {
	out := goodwillPreview{lines: map[string]desk.RunLine{}}
	grants, err := r.desk.GoodwillGrants(ctx, strconv.FormatInt(inc.ID, 10))
	if err != nil {
		return out, err
	}
	if !slices.ContainsFunc(grants, func(g desk.GoodwillGrant) bool { return g.State == desk.GoodwillApproved }) {
		return out, nil
	}
	month, err := incidents.GoodwillMonth(inc)
	if err != nil {
		return out, nil // no impact: nothing granted yet
	}
	from, to, err := desk.MonthWindow(month)
	if err != nil {
		return out, err
	}
	out.month, out.final = month, !now.Before(to) && !inc.Active()
	base, err := incidents.StoredScenario(ctx, r.incidents, sla.Period{Month: month}, from, to, now)
	if err != nil {
		return out, err
	}
	data, err := r.desk.MonthData(ctx, month)
	if err != nil {
		return out, err
	}
	lines, err := desk.PreviewGoodwill(strconv.FormatInt(inc.ID, 10), month, now, desk.WithGoodwill(base, grants), data)
	if err != nil {
		return out, err
	}
	for _, l := range lines {
		out.lines[l.Customer] = l
	}
	return out, nil
}

// compareFold orders a and b case-insensitively, then exactly.
func compareFold(a, b string) int {
	if c := strings.Compare(strings.ToLower(a), strings.ToLower(b)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}
