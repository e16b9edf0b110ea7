package web

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/report"
	"github.com/amends/amends/sla"
	"github.com/amends/amends/templates"
)

var statusWords = map[sla.Status]string{
	sla.DegradedPerformance: "degraded performance",
	sla.PartialOutage:       "partial outage",
	sla.MajorOutage:         "major outage",
}

// reportView builds the SLA report of service ("" for the first) for the
// month starting at month, as of now, from the figures of
// report.Reports.ServiceReport.
func (s *Server) reportView(ctx context.Context, page templates.Page, service string, month, now time.Time) (templates.ReportPage, error) {
	r, err := s.reports.ServiceReport(ctx, service, month, now)
	if err != nil {
		return templates.ReportPage{}, err
	}
	service = r.Service.ID
	v := templates.ReportPage{Page: page, MonthLabel: monthLabel(month, r.AsOf), AsOf: viewTime(r.AsOf), Months: s.monthOptions(ctx, now, month),
		Month: month.Format("2006-01"), ServiceName: r.Service.Name}
	for _, svc := range r.Services {
		v.Services = append(v.Services, templates.Option{Value: svc.ID, Label: svc.Name, Selected: svc.ID == service})
	}
	v.Page.Title = "SLA report: " + v.ServiceName + ", " + v.MonthLabel
	v.Method = reportMethod(r)

	q := "service=" + service + "&month=" + month.Format("2006-01")
	v.Figures = templates.DataTable{ID: "figures", Caption: "Uptime of " + v.ServiceName + ", " + v.MonthLabel, CSV: "/admin/reports/sla.csv?table=figures&" + q,
		Head: []string{"Scope", "Seconds counted", "Downtime (s)", "Uptime", "Target", "Result", "Budget allowed (min)", "Budget used (min)", "Budget left (min)"}}
	// The service's row says which region missed, though the report
	// lists components alone: its regions are weighed after the rows.
	weighed := append([]report.ServiceScope{}, r.Scopes[:min(1, len(r.Scopes))]...)
	weighed = append(append(weighed, r.Regions...), r.Scopes[min(1, len(r.Scopes)):]...)
	verdicts := make([]verdictRow, 0, len(weighed))
	for _, g := range weighed {
		verdicts = append(verdicts, verdictRow{level: g.Level, region: g.Region, label: scopeLabel(g.Scope), missed: r.HasTarget && g.Uptime.CmpPercent(r.Target) < 0})
	}
	parts := make([]string, len(r.Scopes))
	if len(r.Scopes) > 0 {
		parts[0] = partlyMissed(verdicts)[0]
	}
	for i, g := range r.Scopes {
		label := scopeLabel(g.Scope)
		if g.Level == report.LevelService {
			label += " (fleet)"
		}
		u := g.Uptime
		row := templates.DataRow{Level: string(g.Level), Cells: []templates.DataCell{{Text: label}, num(fmt.Sprint(r.Seconds)), num(g.Downtime.Round(6)), num(u.Truncate(4) + "%")}}
		if r.HasTarget {
			b := g.Budget
			row.Cells = append(row.Cells, num(r.Target.String()+"%"), resultCell(u, r.Target, true, parts[i]),
				num(sla.MinutesText(b.Allowed)), num(sla.MinutesText(b.Used)), leftCell(b))
		} else {
			row.Cells = append(row.Cells, num("—"), metCell(u, r.Target, false), num("—"), num("—"), num("—"))
		}
		v.Figures.Rows = append(v.Figures.Rows, row)
	}

	v.Credits = templates.DataTable{ID: "credits", Caption: "Credits in the ledger for " + v.ServiceName + ", " + v.MonthLabel, CSV: "/admin/reports/sla.csv?table=credits&" + q,
		Head:  []string{"Customer", "Kind", "Currency", "Amount", "Reason", "Written"},
		Empty: "No credits for " + v.ServiceName + " in " + v.MonthLabel + " are in the ledger yet."}
	for _, e := range r.Credits {
		v.Credits.Rows = append(v.Credits.Rows, templates.DataRow{Level: "entry", Cells: []templates.DataCell{
			{Text: e.Customer, URL: customerReportPath(e.Customer, month.Format("2006-01"))}, {Text: string(e.Kind)}, {Text: e.Currency}, num(desk.FormatMoney(e.AmountMinor, e.Currency)), {Text: e.Reason}, {Text: e.CreatedAt.UTC().Format("2 Jan 2006")},
		}})
	}
	for _, t := range r.Totals {
		v.Credits.Rows = append(v.Credits.Rows, templates.DataRow{Level: "total", Cells: []templates.DataCell{
			{Text: "Total"}, {Text: ""}, {Text: t.Currency}, num(desk.FormatMoney(t.Minor, t.Currency)), {Text: ""}, {Text: ""},
		}})
	}
	return v, nil
}

// reportMethod states how the report's figures are counted, in plain
// words, from the service's policy (the spec's defaults without one).
func reportMethod(r *report.ServiceReport) []string {
	p, month, end, asOf := r.Policy, r.Month, r.End, r.AsOf
	out := []string{
		fmt.Sprintf("The period is the calendar month in UTC, from %s to %s (%d seconds). Uptime is 100 × (1 − downtime ÷ the seconds counted); every second of the period is in the denominator.",
			month.Format("2 January 2006 15:04"), end.Format("2 January 2006 15:04"), r.MonthSeconds),
		methodStatuses(p),
		"Affected percentages weigh the time: an outage of 6.8% of a component's resources for one hour counts as 6.8% of 3,600 seconds, 244.8 seconds. " + methodOverlaps,
		methodMaintenance(p),
	}
	partial := "A month that is not over is counted up to the time shown and marked “so far”; its error budget is that of the whole month. Time before a component existed, or outside any incident, counts as available."
	if asOf.Before(end) {
		partial = "This month is not over: it is counted up to " + asOf.UTC().Format("2 January 2006 15:04 UTC") + ". The error budget is that of the whole month. Time before a component existed, or outside any incident, counts as available."
	}
	out = append(out, partial,
		"The service's figure is the average of its components' uptimes, weighted by each component's fleet size when every component states one, and equally otherwise. "+methodDisplay+" The error budget is (100% − target) of the month.")
	if !r.HasPolicy {
		out = append(out, "This service has no SLA policy yet: there is no target, no error budget and no credit; the spec's default rules above apply.")
		return out
	}
	return append(out, methodCredit(p, "")+" "+methodLedger)
}

// The accounting method's sentences that the service's and the
// customer's reports share, each from the policy applied.

// methodOverlaps says that no second counts twice.
const methodOverlaps = "When incidents overlap on a component, only the largest share at each second counts, so no second is counted twice. Incidents marked as excluded do not count."

// methodLedger says what the service report's credits table lists, as
// the SLA dashboard counts the ledger under a service.
const methodLedger = "The credits table above lists what the ledger has paid for the month under this service: credit runs, their adjustments and manual credits that name it, and goodwill whose incident's grant credited it, each whole, so goodwill granted on several services is listed under each of them."

// methodDisplay says how uptimes are shown and compared.
const methodDisplay = "Uptimes are shown with four decimals rounded down, so any downtime shows below 100.0000%; whether the target is met, and which credit tier applies, is decided on the exact value."

// methodStatuses says which statuses count as downtime under p.
func methodStatuses(p sla.Policy) string {
	count := p.Count
	if count == nil {
		count = []sla.Status{sla.PartialOutage, sla.MajorOutage}
	}
	var counted, not []string
	for _, st := range []sla.Status{sla.DegradedPerformance, sla.PartialOutage, sla.MajorOutage} {
		if slices.Contains(count, st) {
			counted = append(counted, statusWords[st])
		} else {
			not = append(not, statusWords[st])
		}
	}
	out := "No status counts as downtime under this policy."
	if len(counted) > 0 {
		out = "Statuses that count as downtime: " + strings.Join(counted, " and ") + "."
	}
	if len(not) > 0 {
		out += " Not counted: " + strings.Join(not, " and ") + "."
	}
	return out
}

// methodMaintenance says when maintenance does not count under p.
func methodMaintenance(p sla.Policy) string {
	if p.MaintenanceNoticeHours > 0 {
		return fmt.Sprintf("Maintenance announced at least %d hours before it starts does not count as downtime: that time counts as available. Maintenance announced later counts like any outage.", p.MaintenanceNoticeHours)
	}
	return "Maintenance windows on a component do not count as downtime whenever they were announced (no notice is required under this policy): that time counts as available."
}

// smallestUnits is an amount in the smallest unit of whichever currency a
// customer pays in, with what it is in two of them: "100 in the smallest
// unit of the customer's currency (1.00 USD, 100 JPY)".
func smallestUnits(n int64) string {
	return fmt.Sprintf("%d in the smallest unit of the customer's currency (%s, %s)", n, desk.FormatMoney(n, "USD"), desk.FormatMoney(n, "JPY"))
}

// methodCredit states p's target and credit tiers, its cap and its
// minimum credit (in currency, or in minor units of each customer's
// currency when currency is "").
func methodCredit(p sla.Policy, currency string) string {
	out := fmt.Sprintf("Target: %s%%.", p.Target.String())
	if len(p.Tiers) == 0 {
		return out + " The policy has no credit tiers: it pays no credit."
	}
	var tiers []string
	for _, t := range p.Tiers {
		tiers = append(tiers, fmt.Sprintf("below %s%%: %s%% of the month's charges", t.Below.String(), t.CreditPercent.String()))
	}
	out += " Credits per customer, on that customer's own uptime of the service: " + strings.Join(tiers, "; ") + "."
	if p.CapPercent != nil && *p.CapPercent != sla.MustPercent("100") {
		out += fmt.Sprintf(" A credit is at most %s%% of the charges.", p.CapPercent.String())
	}
	if p.MinCreditMinor > 0 {
		min := smallestUnits(p.MinCreditMinor)
		if currency != "" {
			min = desk.FormatMoney(p.MinCreditMinor, currency)
		}
		out += " A credit that is not greater than " + min + " is not paid (the tier reached is still shown)."
	}
	return out + " Each credit is computed exactly and rounded once, half away from zero, to the minor unit."
}

// leftCell is an error budget's minutes left, flagged when overspent.
func leftCell(b sla.ErrorBudget) templates.DataCell {
	left := b.Left()
	c := num(sla.MinutesText(left))
	if left.Sign() < 0 {
		c.Class += " missed"
	}
	return c
}
