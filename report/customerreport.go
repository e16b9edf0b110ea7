package report

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/sla"
)

// CustomerReport is one customer's SLA report for a month: its month per
// service as a credit run computes it, the incidents that counted, and
// what the ledger holds.
type CustomerReport struct {
	Account desk.Account
	Month   string // "YYYY-MM"
	// Figures are the customer's month per service, as a run computes it
	// (desk.EvaluateCustomerMonth, on the same stored data a run reads).
	Figures *desk.CustomerMonth
	// Services and Components are the catalog, which the figures name.
	Services   []incidents.Service
	Components []incidents.Component
	// Incidents are the incidents that Figures name, by the id they name
	// them with.
	Incidents map[string]incidents.Incident
	// Ledger is every ledger entry of the customer for the month, oldest
	// first, and Paid their sum per service they count under
	// (creditScopes.of, as on the SLA dashboard: goodwill under each
	// service its incident's grant credited, whole; a service nothing
	// counts under has no entry). PaidFigures is the sum of the entries
	// that count under any service of Figures, each entry once.
	Ledger      []desk.LedgerEntry
	Paid        map[string]int64
	PaidFigures int64
	// PaidMinor is the sum of Ledger, in the customer's currency.
	PaidMinor int64
	// Unpolicied are the services the customer used in the month (by its
	// resources and charges there) that have no SLA policy, in the order
	// first used.
	Unpolicied []string
}

// CustomerReport computes customer's report of month ("YYYY-MM") as of
// now, reading only its own data and that of the accounts the month's
// impacts name (see CustomerMonthData). errs.NotFound for an unknown
// customer, errs.Invalid on "month" for a month that is not one.
func (r *Reports) CustomerReport(ctx context.Context, customer, month string, now time.Time) (*CustomerReport, error) {
	a, err := r.desk.Account(ctx, customer)
	if err != nil {
		return nil, err
	}
	rep := &CustomerReport{Account: a, Month: month}
	from, to, err := desk.MonthWindow(month)
	if err != nil {
		return nil, err
	}
	base, err := incidents.StoredScenario(ctx, r.incidents, sla.Period{Month: month}, from, to, now)
	if err != nil {
		return nil, err
	}
	data, err := r.CustomerMonthData(ctx, month, base, a.ID)
	if err != nil {
		return nil, err
	}
	if rep.Figures, err = desk.EvaluateCustomerMonth(month, now, base, data, a.ID); err != nil {
		return nil, err
	}
	if rep.Services, err = r.incidents.Services(ctx); err != nil {
		return nil, err
	}
	if rep.Components, err = r.incidents.Components(ctx); err != nil {
		return nil, err
	}
	if rep.Ledger, err = r.customerLedger(ctx, a.ID, month); err != nil {
		return nil, err
	}
	rep.Paid = map[string]int64{}
	scopes := r.creditScopes()
	for _, e := range rep.Ledger {
		sc, err := scopes.of(ctx, e)
		if err != nil {
			return nil, err
		}
		figures := false
		for _, svc := range sc.Services {
			if rep.Paid[svc], err = desk.AddMinor(rep.Paid[svc], e.AmountMinor); err != nil {
				return nil, err
			}
			figures = figures || slices.ContainsFunc(rep.Figures.Services, func(sm desk.CustomerServiceMonth) bool { return sm.Line.Service == svc })
		}
		if figures {
			if rep.PaidFigures, err = desk.AddMinor(rep.PaidFigures, e.AmountMinor); err != nil {
				return nil, err
			}
		}
		if rep.PaidMinor, err = desk.AddMinor(rep.PaidMinor, e.AmountMinor); err != nil {
			return nil, err
		}
	}
	rep.Incidents = map[string]incidents.Incident{}
	for _, sm := range rep.Figures.Services {
		for _, id := range sm.Incidents {
			if _, ok := rep.Incidents[id.Incident]; ok {
				continue
			}
			n, err := strconv.ParseInt(id.Incident, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("incident id %q: %w", id.Incident, err)
			}
			if rep.Incidents[id.Incident], err = r.incidents.Incident(ctx, n); err != nil {
				return nil, err
			}
		}
	}
	rep.Unpolicied = unpolicied(rep.Figures, data, a.ID, rep.Components)
	return rep, nil
}

// unpolicied returns the services customer uses in the month (by its
// resources and charges in d) that cm has no line for, in the order first
// used.
func unpolicied(cm *desk.CustomerMonth, d *desk.MonthData, customer string, components []incidents.Component) []string {
	service := map[string]string{}
	for _, c := range components {
		service[c.ID] = c.Service
	}
	var used []string
	add := func(component string) {
		svc := service[component]
		if svc == "" || slices.Contains(used, svc) || slices.ContainsFunc(cm.Services, func(sm desk.CustomerServiceMonth) bool { return sm.Line.Service == svc }) {
			return
		}
		used = append(used, svc)
	}
	for _, r := range d.Resources {
		if r.Customer == customer {
			add(r.Component)
		}
	}
	for _, ch := range d.Charges {
		if ch.Customer == customer {
			add(ch.Component)
		}
	}
	return used
}
