package report

import (
	"context"
	"sort"
	"strconv"
	"time"

	"github.com/amends/amends/desk"
)

// MonthCredits is what the ledger credited for one month in one currency.
type MonthCredits struct {
	Month    time.Time // its start, UTC
	Currency string
	// Minor is the sum of the entries, in minor units.
	Minor int64
	// Entries is how many entries there are, Customers how many customers
	// they credit.
	Entries, Customers int
}

// IncidentCredits is what the ledger credited for one incident in one
// currency (goodwill and manual credits that name it).
type IncidentCredits struct {
	// Incident is the incident's id as the ledger names it.
	Incident string
	// Found says whether the incident is stored; Title and StartedAt are
	// its own then, and empty otherwise.
	Found     bool
	Title     string
	StartedAt time.Time
	Currency  string
	// Minor is the sum of the entries, in minor units.
	Minor              int64
	Entries, Customers int
}

// costliestPerCurrency is how many incidents the dashboard ranks per
// currency.
const costliestPerCurrency = 10

// dashboardCredits sums the ledger entries that credit months [from, to)
// and that f's service, region and component select (see creditSelector): per
// month and currency, newest month first and by currency within it; and
// per incident and currency, the ten costliest of each currency, by
// currency, then amount (largest first), then incident id. The month an
// entry credits is its period when that is a month, else the month it was
// written in.
func (r *Reports) dashboardCredits(ctx context.Context, f DashboardFilter, from, to time.Time) ([]MonthCredits, []IncidentCredits, error) {
	entries, err := r.ledgerEntries(ctx, desk.LedgerFilter{})
	if err != nil {
		return nil, nil, err
	}
	sel, err := r.creditSelector(ctx, f.Service, f.Region, f.Component)
	if err != nil {
		return nil, nil, err
	}
	type sum struct {
		minor     int64
		entries   int
		customers map[string]bool
	}
	var overflow error
	add := func(x *sum, e desk.LedgerEntry) {
		m, err := desk.AddMinor(x.minor, e.AmountMinor)
		if err != nil && overflow == nil {
			overflow = err
		}
		x.minor = m
		x.entries++
		x.customers[e.Customer] = true
	}
	type key struct {
		month    time.Time
		currency string
	}
	sums := map[key]*sum{}
	type incKey struct{ incident, currency string }
	costs := map[incKey]*sum{}
	for _, e := range entries {
		m := entryMonth(e)
		if m.Before(from) || !m.Before(to) {
			continue
		}
		if ok, err := sel.selects(ctx, e); err != nil {
			return nil, nil, err
		} else if !ok {
			continue
		}
		k := key{m, e.Currency}
		if sums[k] == nil {
			sums[k] = &sum{customers: map[string]bool{}}
		}
		add(sums[k], e)
		if e.Incident != "" {
			ik := incKey{e.Incident, e.Currency}
			if costs[ik] == nil {
				costs[ik] = &sum{customers: map[string]bool{}}
			}
			add(costs[ik], e)
		}
	}
	if overflow != nil {
		return nil, nil, overflow
	}
	keys := make([]key, 0, len(sums))
	for k := range sums {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if !keys[i].month.Equal(keys[j].month) {
			return keys[i].month.After(keys[j].month)
		}
		return keys[i].currency < keys[j].currency
	})
	var months []MonthCredits
	for _, k := range keys {
		x := sums[k]
		months = append(months, MonthCredits{Month: k.month, Currency: k.currency, Minor: x.minor, Entries: x.entries, Customers: len(x.customers)})
	}

	ikeys := make([]incKey, 0, len(costs))
	for k := range costs {
		ikeys = append(ikeys, k)
	}
	sort.Slice(ikeys, func(i, j int) bool {
		a, b := ikeys[i], ikeys[j]
		if a.currency != b.currency {
			return a.currency < b.currency
		}
		if costs[a].minor != costs[b].minor {
			return costs[a].minor > costs[b].minor
		}
		return a.incident < b.incident
	})
	var costly []IncidentCredits
	perCurrency := map[string]int{}
	for _, k := range ikeys {
		if perCurrency[k.currency] == costliestPerCurrency {
			continue
		}
		perCurrency[k.currency]++
		x := costs[k]
		ic := IncidentCredits{Incident: k.incident, Currency: k.currency, Minor: x.minor, Entries: x.entries, Customers: len(x.customers)}
		if id, err := strconv.ParseInt(k.incident, 10, 64); err == nil {
			if inc, err := r.incidents.Incident(ctx, id); err == nil {
				ic.Found, ic.Title, ic.StartedAt = true, inc.Title, inc.StartedAt
			}
		}
		costly = append(costly, ic)
	}
	return months, costly, nil
}
