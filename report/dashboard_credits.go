package report

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
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

// entryMonth is the month a ledger entry credits: its period when that is
// a month, else the month it was written in.
func entryMonth(e desk.LedgerEntry) time.Time {
	if m, err := time.Parse("2006-01", e.Period); err == nil {
		return m
	}
	return MonthStart(e.CreatedAt)
}

// creditSelector says which ledger entries a dashboard filter selects. A
// goodwill entry (or an adjustment of one) names no service: it counts for
// the services and components its incident's approved grant credited
// (every component of its services when the grant names none). A service
// selects the entries of that service and the goodwill that credited it;
// a region selects the goodwill that credited a component there, and a
// component the goodwill that credited it; tier and manual entries name
// no region or component, so a region leaves them to the service alone,
// and a component counts those of its own service.
type creditSelector struct {
	r                          *Reports
	service, region, component string
	components                 []incidents.Component
	// grants caches each incident's approved grant (nil without one).
	grants map[string]*desk.GoodwillGrant
}

func (r *Reports) creditSelector(ctx context.Context, service, region, component string) (*creditSelector, error) {
	sel := &creditSelector{r: r, service: service, region: region, component: component, grants: map[string]*desk.GoodwillGrant{}}
	if service == "" && region == "" && component == "" {
		return sel, nil
	}
	var err error
	if sel.components, err = r.incidents.Components(ctx); err != nil {
		return nil, err
	}
	if component != "" {
		// The component's service is the service its tier and manual
		// entries name; a component outside the chosen service or region
		// selects nothing.
		i := slices.IndexFunc(sel.components, func(c incidents.Component) bool { return c.ID == component })
		if i < 0 || (service != "" && sel.components[i].Service != service) || (region != "" && sel.components[i].Region != region) {
			sel.components = nil
		} else {
			sel.components = sel.components[i : i+1]
			sel.service = sel.components[0].Service
		}
	}
	return sel, nil
}

// selects reports whether the filter selects e.
func (s *creditSelector) selects(ctx context.Context, e desk.LedgerEntry) (bool, error) {
	if s.service == "" && s.region == "" && s.component == "" {
		return true, nil
	}
	if s.component != "" && len(s.components) == 0 {
		return false, nil
	}
	if e.CreditKind != desk.EntryGoodwill || e.Incident == "" || e.Service != "" {
		return s.service == "" || e.Service == s.service, nil
	}
	g, ok := s.grants[e.Incident]
	if !ok {
		grants, err := s.r.desk.GoodwillGrants(ctx, e.Incident)
		if err != nil {
			return false, err
		}
		for i := range grants {
			if grants[i].State == desk.GoodwillApproved {
				g = &grants[i]
			}
		}
		s.grants[e.Incident] = g
	}
	if g == nil {
		return false, nil // no grant says what it credited
	}
	if s.service != "" && !slices.Contains(g.Services, s.service) {
		return false, nil
	}
	if s.region == "" && s.component == "" {
		return true, nil
	}
	for _, c := range s.components {
		credited := slices.Contains(g.Components, c.ID) || (len(g.Components) == 0 && slices.Contains(g.Services, c.Service))
		if credited && (s.region == "" || c.Region == s.region) && (s.service == "" || c.Service == s.service) {
			return true, nil
		}
	}
	return false, nil
}
