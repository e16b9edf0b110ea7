package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/report"
	"github.com/amends/amends/templates"
)

// dashCredits is the dashboard's tables of the credits paid per month and
// currency in months [from, to] (of the chosen service, region or
// component, when there is one) and of the ten costliest incidents per
// currency, with the notes on what each counts.
func dashCredits(d *report.Dashboard, f dashFilter, from, to time.Time, q string) (credits, costly templates.DataTable, creditsNote, note string) {
	caption := "Credits paid by month, " + from.Format("January 2006") + " to " + to.Format("January 2006")
	for _, x := range []string{f.service, f.region} {
		if x != "" {
			caption += ", " + x
		}
	}
	if f.component != "" {
		name, service := f.component, f.service
		for _, c := range d.Components {
			if c.ID == f.component {
				name, service = c.Name, c.Service
			}
		}
		caption += ", " + name
		creditsNote = "Tier and manual credits are paid per customer, service and month and name no component, so they are counted here under their service, " +
			service + ". Goodwill is counted where its grant credited " + name + "."
	} else if f.region != "" {
		creditsNote = "Tier and manual credits are paid per customer, service and month and name no region, so they are counted here under their service. " +
			"Goodwill is counted where its grant credited a component in " + f.region + "."
	}
	credits = templates.DataTable{ID: "credits", Caption: caption, CSV: "/admin/dashboard.csv?table=credits&" + q,
		Head:  []string{"Month", "Currency", "Credited", "Entries", "Customers"},
		Empty: "No credits were paid in these months."}
	for _, x := range d.Credits {
		credits.Rows = append(credits.Rows, templates.DataRow{Level: "month", Cells: []templates.DataCell{
			{Text: x.Month.Format("January 2006")}, {Text: x.Currency}, num(desk.FormatMoney(x.Minor, x.Currency)),
			num(strconv.Itoa(x.Entries)), num(strconv.Itoa(x.Customers)),
		}})
	}

	costly = templates.DataTable{ID: "costly", Caption: "The ten incidents whose credits cost most, per currency", CSV: "/admin/dashboard.csv?table=costly&" + q,
		Head: []string{"Incident", "Started", "Currency", "Credited", "Customers"}}
	for _, x := range d.Costly {
		title, started := "Incident "+x.Incident, ""
		if x.Found {
			title, started = x.Title, dayText(x.StartedAt)
		}
		costly.Rows = append(costly.Rows, templates.DataRow{Level: "incident", Cells: []templates.DataCell{
			{Text: title}, {Text: started}, {Text: x.Currency}, num(desk.FormatMoney(x.Minor, x.Currency)), num(strconv.Itoa(x.Customers)),
		}})
	}
	if len(costly.Rows) == 0 {
		note = "No ledger entry of these months names an incident. Tier credits are paid per customer, service and month, so they cannot be put on one incident; only goodwill and manual credits that name an incident are counted here."
	} else {
		note = "Only goodwill and manual credits name an incident; tier credits are paid per customer, service and month and are not counted here. Amounts in different currencies are ranked apart."
	}
	return credits, costly, creditsNote, note
}

// incidentStats is the dashboard's table of incidents per month: how many
// started on the chosen components, with the median time to the first
// update after the opening one and the median and longest time to recover
// (to resolution), for each month that had any.
func incidentStats(d *report.Dashboard, asOf time.Time, q string) templates.DataTable {
	t := templates.DataTable{ID: "incidents", Caption: "Incidents per month, time to first update and time to recover", CSV: "/admin/dashboard.csv?table=incidents&" + q,
		Head:  []string{"Month", "Incidents", "Still open", "Median time to first update", "Median time to recover", "Longest time to recover"},
		Empty: "No incidents in these 12 months."}
	for _, m := range d.Incidents {
		first, recover, longest := "—", "—", "—"
		if m.Updated > 0 {
			first = durationText(m.MedianFirstUpdate)
		}
		if m.Incidents > m.Open {
			recover, longest = durationText(m.MedianRecover), durationText(m.LongestRecover)
		}
		t.Rows = append(t.Rows, templates.DataRow{Level: "month", Cells: []templates.DataCell{
			{Text: monthLabel(m.Month, asOf)}, num(strconv.Itoa(m.Incidents)), num(strconv.Itoa(m.Open)),
			num(first), num(recover), num(longest),
		}})
	}
	return t
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
