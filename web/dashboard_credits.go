package web

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/templates"
)

// ledgerEntries reads the whole ledger that f selects, oldest first.
func (s *Server) ledgerEntries(ctx context.Context, f desk.LedgerFilter) ([]desk.LedgerEntry, error) {
	if s.desk == nil {
		return nil, nil
	}
	var out []desk.LedgerEntry
	f.Limit = 10000
	for {
		page, total, err := s.desk.Ledger(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		f.Offset += len(page)
		if len(page) == 0 || f.Offset >= total {
			return out, nil
		}
	}
}

// entryMonth is the month a ledger entry credits: its period when that is
// a month, else the month it was written in.
func entryMonth(e desk.LedgerEntry) time.Time {
	if m, err := time.Parse("2006-01", e.Period); err == nil {
		return m
	}
	return monthStart(e.CreatedAt)
}

// dashCredits fills the credits paid per month and currency and the ten
// costliest incidents, from the ledger entries of months [from, to) (of
// the chosen service, when there is one).
func (s *Server) dashCredits(ctx context.Context, v *templates.DashboardPage, d *dashData, f dashFilter, from, to time.Time, q string) error {
	entries, err := s.ledgerEntries(ctx, desk.LedgerFilter{})
	if err != nil {
		return err
	}
	caption := "Credits paid by month, " + from.Format("January 2006") + " to " + to.AddDate(0, -1, 0).Format("January 2006")
	if f.service != "" {
		caption += ", " + f.service
	}
	v.Credits = templates.DataTable{ID: "credits", Caption: caption, CSV: "/admin/dashboard.csv?table=credits&" + q,
		Head:  []string{"Month", "Currency", "Credited", "Entries", "Customers"},
		Empty: "No credits were paid in these months."}
	type sum struct {
		month     time.Time
		currency  string
		minor     int64
		entries   int
		customers map[string]bool
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
		if m.Before(from) || !m.Before(to) || (f.service != "" && e.Service != f.service) {
			continue
		}
		k := key{m, e.Currency}
		x := sums[k]
		if x == nil {
			x = &sum{month: m, currency: e.Currency, customers: map[string]bool{}}
			sums[k] = x
		}
		x.minor += e.AmountMinor
		x.entries++
		x.customers[e.Customer] = true
		if e.Incident != "" {
			ik := incKey{e.Incident, e.Currency}
			y := costs[ik]
			if y == nil {
				y = &sum{month: m, currency: e.Currency, customers: map[string]bool{}}
				costs[ik] = y
			}
			y.minor += e.AmountMinor
			y.entries++
			y.customers[e.Customer] = true
		}
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
	for _, k := range keys {
		x := sums[k]
		v.Credits.Rows = append(v.Credits.Rows, templates.DataRow{Level: "month", Cells: []templates.DataCell{
			{Text: k.month.Format("January 2006")}, {Text: x.currency}, num(desk.FormatMoney(x.minor, x.currency)),
			num(strconv.Itoa(x.entries)), num(strconv.Itoa(len(x.customers))),
		}})
	}

	v.Costly = templates.DataTable{ID: "costly", Caption: "The ten incidents whose credits cost most, per currency", CSV: "/admin/dashboard.csv?table=costly&" + q,
		Head: []string{"Incident", "Started", "Currency", "Credited", "Customers"}}
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
	perCurrency := map[string]int{}
	for _, k := range ikeys {
		if perCurrency[k.currency] == 10 {
			continue
		}
		perCurrency[k.currency]++
		x := costs[k]
		title, started := "Incident "+k.incident, ""
		if id, err := strconv.ParseInt(k.incident, 10, 64); err == nil {
			if inc, err := s.incidents.Incident(ctx, id); err == nil {
				title, started = inc.Title, dayText(inc.StartedAt)
			}
		}
		v.Costly.Rows = append(v.Costly.Rows, templates.DataRow{Level: "incident", Cells: []templates.DataCell{
			{Text: title}, {Text: started}, {Text: x.currency}, num(desk.FormatMoney(x.minor, x.currency)), num(strconv.Itoa(len(x.customers))),
		}})
	}
	if len(v.Costly.Rows) == 0 {
		v.CostlyNote = "No ledger entry of these months names an incident. Tier credits are paid per customer, service and month, so they cannot be put on one incident; only goodwill and manual credits that name an incident are counted here."
	} else {
		v.CostlyNote = "Only goodwill and manual credits name an incident; tier credits are paid per customer, service and month and are not counted here. Amounts in different currencies are ranked apart."
	}
	return nil
}

// incidentStats counts, per month, the incidents that started in it on
// the chosen components, with the median time to the first update after
// the opening one and the median time to recover (to resolution).
func incidentStats(d *dashData, groups []dashGroup, months []time.Time, asOf time.Time, q string) templates.DataTable {
	t := templates.DataTable{ID: "incidents", Caption: "Incidents per month, time to first update and time to recover", CSV: "/admin/dashboard.csv?table=incidents&" + q,
		Head:  []string{"Month", "Incidents", "Still open", "Median time to first update", "Median time to recover", "Longest time to recover"},
		Empty: "No incidents in these 12 months."}
	scope := map[string]bool{}
	for _, g := range groups {
		for _, c := range g.components {
			scope[c.ID] = true
		}
	}
	for i := len(months) - 1; i >= 0; i-- {
		m := months[i]
		end := m.AddDate(0, 1, 0)
		var n, open int
		var firsts, recovers []time.Duration
		for _, inc := range d.incs {
			if inc.StartedAt.Before(m) || !inc.StartedAt.Before(end) || !touches(inc, scope) {
				continue
			}
			n++
			if len(inc.Updates) > 1 {
				firsts = append(firsts, inc.Updates[1].At.Sub(inc.StartedAt))
			}
			if inc.ResolvedAt != nil && !inc.ResolvedAt.After(asOf) {
				recovers = append(recovers, inc.ResolvedAt.Sub(inc.StartedAt))
			} else {
				open++
			}
		}
		if n == 0 {
			continue // a month without incidents is a row of dashes
		}
		longest := "—"
		if len(recovers) > 0 {
			mx := recovers[0]
			for _, r := range recovers {
				mx = max(mx, r)
			}
			longest = durationText(mx)
		}
		t.Rows = append(t.Rows, templates.DataRow{Level: "month", Cells: []templates.DataCell{
			{Text: monthLabel(m, asOf)}, num(strconv.Itoa(n)), num(strconv.Itoa(open)),
			num(medianText(firsts)), num(medianText(recovers)), num(longest),
		}})
	}
	return t
}

// touches reports whether inc set the status of a component in scope.
func touches(inc incidents.Incident, scope map[string]bool) bool {
	for _, u := range inc.Updates {
		for _, cs := range u.Components {
			if scope[cs.Component] {
				return true
			}
		}
	}
	return false
}

// medianText is the median of ds (the lower middle one of an even count),
// "—" for none.
func medianText(ds []time.Duration) string {
	if len(ds) == 0 {
		return "—"
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return durationText(ds[(len(ds)-1)/2])
}

// durationText is a duration in whole minutes: "2 d 3 h 5 min", "45 min".
func durationText(d time.Duration) string {
	m := int64(d / time.Minute)
	days, hours, mins := m/1440, m/60%24, m%60
	var parts []string
	if days > 0 {
		parts = append(parts, strconv.FormatInt(days, 10)+" d")
	}
	if hours > 0 {
		parts = append(parts, strconv.FormatInt(hours, 10)+" h")
	}
	if mins > 0 || len(parts) == 0 {
		parts = append(parts, strconv.FormatInt(mins, 10)+" min")
	}
	return strings.Join(parts, " ")
}
