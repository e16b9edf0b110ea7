package report

import (
	"context"
	"sort"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
)

// ServiceReport is one service's SLA report for a month: the service's
// fleet uptime and each component's, with the error budget, under the
// service's default policy, and the credits the ledger holds for it.
type ServiceReport struct {
	// Month and End are the month's bounds (UTC); AsOf is End, or now
	// while the month lasts.
	Month, End, AsOf time.Time
	// Services is the whole catalog, for the choice of service.
	Services []incidents.Service
	Service  incidents.Service
	// Policy is the service's default policy, when HasPolicy.
	Policy    sla.Policy
	HasPolicy bool
	// Target is the policy's target; HasTarget is false without a policy
	// or with a target of 0.
	Target    sla.Percent
	HasTarget bool
	// Seconds are those counted, from Month to AsOf; MonthSeconds those of
	// the whole month, of which the error budget is a share.
	Seconds, MonthSeconds int64
	// Scopes are the service (its fleet), then each of its components, in
	// catalog order.
	Scopes []ServiceScope
	// Regions are the fleet uptime of each of the service's regions (only
	// Uptime is set), so the service's row can say which region missed.
	Regions []ServiceScope
	// Credits are the ledger's entries that credit the month (entryMonth)
	// and count under the service (creditScopes.of: goodwill under each
	// service its incident's grant credited, whole), oldest first, and
	// Totals their sum per currency, by currency: the SLA dashboard's
	// credits of the month with Service = the service.
	Credits []desk.LedgerEntry
	Totals  []CurrencyAmount
}

// ServiceScope is the figures of the service or of one of its components
// in a ServiceReport.
type ServiceScope struct {
	Scope
	Uptime   sla.Ratio
	Downtime sla.Ratio // in the seconds counted (sla.DowntimeOf)
	// Budget is the month's error budget and what was used, with a target.
	Budget sla.ErrorBudget
}

// CurrencyAmount is an amount in minor units of a currency.
type CurrencyAmount struct {
	Currency string
	Minor    int64
}

// ServiceReport computes service's report ("" for the catalog's first
// service) of the month starting at month (UTC) as of now. errs.Invalid
// on "service" when there is no such service.
func (r *Reports) ServiceReport(ctx context.Context, service string, month, now time.Time) (*ServiceReport, error) {
	end := month.AddDate(0, 1, 0)
	asOf := now
	if end.Before(asOf) {
		asOf = end
	}
	h, err := r.loadHistory(ctx, month, asOf)
	if err != nil {
		return nil, err
	}
	if service == "" && len(h.services) > 0 {
		service = h.services[0].ID
	}
	rep := &ServiceReport{Month: month, End: end, AsOf: asOf, Services: h.services,
		Seconds: seconds(month, asOf), MonthSeconds: seconds(month, end)}
	found := false
	for _, svc := range h.services {
		if svc.ID == service {
			rep.Service, found = svc, true
		}
	}
	if !found {
		return nil, errs.Invalidf("service", "%q is not a service", service)
	}
	rep.Policy, rep.HasPolicy = h.policies[service]
	rep.Target, rep.HasTarget = h.target(service)

	res, err := h.eval(month, asOf, asOf)
	if err != nil {
		return nil, err
	}
	for _, sc := range h.scopes(service, "") {
		s := ServiceScope{Scope: sc, Uptime: sc.uptime(res)}
		if sc.Level == LevelRegion {
			rep.Regions = append(rep.Regions, s)
			continue
		}
		s.Downtime = sla.DowntimeOf(s.Uptime, rep.Seconds)
		if rep.HasTarget {
			s.Budget = sla.NewErrorBudget(rep.Target, rep.MonthSeconds, s.Downtime)
		}
		rep.Scopes = append(rep.Scopes, s)
	}

	// The ledger's credits of the month for the service, as the SLA
	// dashboard selects them with Service = service.
	entries, err := r.ledgerEntries(ctx, desk.LedgerFilter{})
	if err != nil {
		return nil, err
	}
	sel, err := r.creditSelector(ctx, service, "", "")
	if err != nil {
		return nil, err
	}
	totals := map[string]int64{}
	for _, e := range entries {
		if !entryMonth(e).Equal(month) {
			continue
		}
		if ok, err := sel.selects(ctx, e); err != nil {
			return nil, err
		} else if !ok {
			continue
		}
		if totals[e.Currency], err = desk.AddMinor(totals[e.Currency], e.AmountMinor); err != nil {
			return nil, err
		}
		rep.Credits = append(rep.Credits, e)
	}
	for cur, n := range totals {
		rep.Totals = append(rep.Totals, CurrencyAmount{Currency: cur, Minor: n})
	}
	sort.Slice(rep.Totals, func(i, j int) bool { return rep.Totals[i].Currency < rep.Totals[j].Currency })
	return rep, nil
}
