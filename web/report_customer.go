package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/report"
	"github.com/amends/amends/sla"
	"github.com/amends/amends/templates"
)

// One customer's SLA report ("/admin/reports/sla/customer"): its month per
// service as a credit run computes it (report.Reports.CustomerReport, on
// the same stored data a run reads), the accounting method of the policy
// applied, the incidents that counted, and what the ledger holds.

// customerReportPath is the customer report of customer for month ("" for
// the current month).
func customerReportPath(customer, month string) string {
	q := url.Values{"customer": {customer}}
	if month != "" {
		q.Set("month", month)
	}
	return "/admin/reports/sla/customer?" + q.Encode()
}

// handleCustomerReport shows "/admin/reports/sla/customer?customer=&month=".
func (s *Server) handleCustomerReport(c echo.Context) error {
	v, err := s.customerReportFor(c)
	if err != nil {
		return err
	}
	if v.Customers, err = s.customerPicker(c.Request().Context(), "", v.Customer.ID); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, templates.CustomerReport(v))
}

// customerPicker are the customers as choices, "Name (id)", after first
// when it is not empty, with selected chosen.
func (s *Server) customerPicker(ctx context.Context, first, selected string) ([]templates.Option, error) {
	accounts, err := s.desk.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	return customerOptions(accounts, first, selected, false), nil
}

// handleCustomerReportCSV serves
// "/admin/reports/sla/customer.csv?table=services|ledger&customer=&month=".
func (s *Server) handleCustomerReportCSV(c echo.Context) error {
	v, err := s.customerReportFor(c)
	if err != nil {
		return err
	}
	return writeTableCSV(c, []templates.DataTable{v.Summary, v.Ledger}, "sla-report-"+v.Customer.ID+"-"+v.Month)
}

// customerReportFor reads ?month= (errs.Invalid on "month") and ?customer=
// (errs.Invalid on "customer" when absent, errs.NotFound when unknown) and
// builds the report as of now.
func (s *Server) customerReportFor(c echo.Context) (templates.CustomerReportPage, error) {
	now := s.now()
	m, err := parseMonth("month", c.QueryParam("month"), now)
	if err != nil {
		return templates.CustomerReportPage{}, err
	}
	id := strings.TrimSpace(c.QueryParam("customer"))
	if id == "" {
		return templates.CustomerReportPage{}, errs.Invalidf("customer", "is required")
	}
	ctx := c.Request().Context()
	r, err := s.reports.CustomerReport(ctx, id, m.Format("2006-01"), now)
	if err != nil {
		return templates.CustomerReportPage{}, err
	}
	return s.customerReportView(ctx, s.page(c, "SLA report", ""), r, m, now), nil
}

// customerReportView builds the page of customer report r, of the month
// starting at m (UTC), as of now.
func (s *Server) customerReportView(ctx context.Context, page templates.Page, r *report.CustomerReport, m, now time.Time) templates.CustomerReportPage {
	a, month := r.Account, r.Month
	v := templates.CustomerReportPage{Page: page, Customer: customerRow(a), Month: month, MonthLabel: monthLabel(m, now),
		Months: s.monthOptions(ctx, now, m), AsOf: viewTime(now), Over: !now.Before(m.AddDate(0, 1, 0))}
	v.Page.Title = "SLA report: " + a.Name + ", " + v.MonthLabel
	serviceName := serviceNameMap(r.Services)
	names := namesOf(r.Components)

	csv := "/admin/reports/sla/customer.csv?" + url.Values{"customer": {a.ID}, "month": {month}}.Encode() + "&table="
	v.Summary = templates.DataTable{ID: "services", Caption: "SLA figures and credits of " + a.Name + ", " + v.MonthLabel, CSV: csv + "services",
		Head:  []string{"Service", "Policy", "Downtime (s)", "Downtime (min)", "Uptime", "Target", "Result", "Credit tier", "Charges", "Credit", "Claim", "Payable", "Paid in the ledger"},
		Empty: a.Name + " has no resources or charges under an SLA policy in " + v.MonthLabel + "."}
	var charges, credit, payable int64
	anyPaid := false
	for _, sm := range r.Figures.Services {
		l := sm.Line
		name := serviceName[l.Service]
		if name == "" {
			name = l.Service
		}
		kind := "default"
		if sm.Override {
			kind = "override"
		}
		paid, hasPaid := r.Paid[l.Service]
		paidCell := num("none")
		if hasPaid {
			paidCell = num(desk.FormatMoney(paid, a.Currency))
		}
		v.Summary.Rows = append(v.Summary.Rows, templates.DataRow{Level: "line", Cells: []templates.DataCell{
			{Text: name, URL: "#h-svc-" + l.Service}, {Text: sm.Policy.ID + " (" + kind + ")"},
			num(l.Downtime), num(sla.MinutesText(sm.Downtime.Rat())), num(l.Uptime + "%"), num(sm.Policy.Target.String() + "%"),
			metCell(sm.Uptime, sm.Policy.Target, sm.Policy.Target > 0), num(l.CreditPercent.String() + "%"),
			num(desk.FormatMoney(l.ChargesMinor, l.Currency)), num(desk.FormatMoney(l.CreditMinor, l.Currency)),
			{Text: claimLabels[l.Claim]}, num(desk.FormatMoney(l.PayableMinor, l.Currency)), paidCell,
		}})
		charges, credit, payable = charges+l.ChargesMinor, credit+l.CreditMinor, payable+l.PayableMinor
		anyPaid = anyPaid || hasPaid
		v.Services = append(v.Services, customerReportService(sm, name, a, names, r.Incidents, now))
	}
	if len(r.Figures.Services) > 1 {
		money := func(n int64) templates.DataCell { return num(desk.FormatMoney(n, a.Currency)) }
		v.Summary.Rows = append(v.Summary.Rows, templates.DataRow{Level: "total", Cells: []templates.DataCell{
			{Text: "Total"}, {}, {}, {}, {}, {}, {}, {}, money(charges), money(credit), {}, money(payable), money(r.PaidFigures)}})
		if !anyPaid {
			v.Summary.Rows[len(v.Summary.Rows)-1].Cells[12] = num("none")
		}
	}
	// The page shows the summary as two tables that fit a printed page.
	v.Figures = columnsOf(v.Summary, "figures", "Uptime of "+a.Name+" per service, "+v.MonthLabel, 0, 1, 2, 3, 4, 5, 6)
	v.Credits = columnsOf(v.Summary, "credits", "Credits of "+a.Name+" per service, "+v.MonthLabel, 0, 7, 8, 9, 10, 11, 12)
	v.Method = commonMethod(v.Services)
	if len(v.Services) > 0 {
		v.Method = append(v.Method, customerMethodLedger)
	}
	v.Unpolicied = unpoliciedNote(r.Unpolicied, serviceName)

	v.Ledger = templates.DataTable{ID: "ledger", Caption: "Ledger entries of " + a.Name + " for " + v.MonthLabel, CSV: csv + "ledger",
		Head:  []string{"Written", "Kind", "Service", "Incident", "Amount", "Reason", "Run", "By"},
		Empty: "The ledger holds nothing for " + a.Name + " in " + v.MonthLabel + " yet: no credit run, adjustment, manual credit or goodwill of this month has been issued."}
	for _, e := range r.Ledger {
		lr := ledgerRow(e)
		run := templates.DataCell{Text: "—"}
		if lr.Run != "" {
			run = templates.DataCell{Text: "run " + lr.Run, URL: lr.RunURL}
		} else if e.ManualID != 0 {
			run.Text = "manual credit " + strconv.FormatInt(e.ManualID, 10)
		}
		inc := templates.DataCell{Text: "—"}
		if e.Incident != "" {
			inc = templates.DataCell{Text: e.Incident, URL: "/admin/incidents/" + url.PathEscape(e.Incident)}
		}
		v.Ledger.Rows = append(v.Ledger.Rows, templates.DataRow{Level: "entry", Cells: []templates.DataCell{
			{Text: lr.At.Text}, {Text: lr.Kind}, {Text: orDash(e.Service)}, inc, num(lr.Amount), {Text: e.Reason}, run, {Text: e.Actor}}})
	}
	if len(r.Ledger) > 0 {
		v.Ledger.Rows = append(v.Ledger.Rows, templates.DataRow{Level: "total", Cells: []templates.DataCell{
			{Text: "Total"}, {}, {}, {}, num(desk.FormatMoney(r.PaidMinor, a.Currency)), {}, {}, {}}})
	}
	return v
}

// customerMethodLedger says what a customer report's "Paid in the
// ledger" counts, as the SLA dashboard counts the ledger under a service.
const customerMethodLedger = "Paid in the ledger is what the ledger holds for the customer's month under each service: credit runs, their adjustments and manual credits that name the service, and goodwill whose incident's grant credited the service, each whole, so goodwill granted on several services counts under each of them; the total counts each entry once."

// columnsOf is the table of t's columns cols (the first one first), with
// the rows that have any text in them past the first column.
func columnsOf(t templates.DataTable, id, caption string, cols ...int) templates.DataTable {
	out := templates.DataTable{ID: id, Caption: caption, Empty: t.Empty}
	for _, c := range cols {
		out.Head = append(out.Head, t.Head[c])
	}
	for _, r := range t.Rows {
		row := templates.DataRow{Level: r.Level}
		text := false
		for i, c := range cols {
			row.Cells = append(row.Cells, r.Cells[c])
			text = text || (i > 0 && r.Cells[c].Text != "")
		}
		if text {
			out.Rows = append(out.Rows, row)
		}
	}
	return out
}

// commonMethod takes the method paragraphs that every service's has out
// of each and returns them, so that the page states them once; each
// service keeps those of its own policy.
func commonMethod(services []templates.CustomerReportService) []string {
	if len(services) == 0 {
		return nil
	}
	var common []string
	for _, p := range services[0].Method {
		all := true
		for _, s := range services[1:] {
			all = all && slices.Contains(s.Method, p)
		}
		if all {
			common = append(common, p)
		}
	}
	for i := range services {
		services[i].Method = slices.DeleteFunc(services[i].Method, func(p string) bool { return slices.Contains(common, p) })
	}
	return common
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// customerReportService is the detail of one service of a customer's
// month, whose incidents are in incs by the id the month names them with.
func customerReportService(sm desk.CustomerServiceMonth, name string, a desk.Account, names componentNames, incs map[string]incidents.Incident, now time.Time) templates.CustomerReportService {
	l := sm.Line
	out := templates.CustomerReportService{ID: l.Service, Name: name, Reason: l.Reason, Method: customerMethod(sm, a.Currency, now)}
	if sm.Override {
		out.Policy = "Policy " + sm.Policy.ID + ": this customer's own policy, which overrides the service's default."
	} else {
		out.Policy = "Policy " + sm.Policy.ID + ": the service's default (this customer has no override)."
	}

	out.Resources = templates.DataTable{ID: "resources-" + l.Service, Caption: "Resources of " + a.Name + " in " + name + " during the month",
		Head:  []string{"Component", "Count", "From", "To", "In the month"},
		Empty: "No resources of " + name + " in the month: only charges."}
	for _, r := range sm.Resources {
		row := resourceRow(desk.AccountResource{Component: r.Component, Count: r.Count, From: timePtr(r.From), To: timePtr(r.To)})
		out.Resources.Rows = append(out.Resources.Rows, templates.DataRow{Level: "resource", Cells: []templates.DataCell{
			{Text: names.name(r.Component)}, num(row.Count), {Text: row.From}, {Text: row.To}, {Text: partOfMonth(r, sm.Period)}}})
	}

	out.Incidents = templates.DataTable{ID: "incidents-" + l.Service, Caption: "Incidents that gave " + a.Name + " downtime in " + name,
		Head:  []string{"Incident, then its impacts", "When", "Status", "Applies to this customer", "Downtime alone (min)"},
		Empty: "No incident gave " + a.Name + " downtime in " + name + " in the month."}
	for _, id := range sm.Incidents {
		inc := incs[id.Incident]
		var end time.Time
		if inc.ResolvedAt != nil {
			end = *inc.ResolvedAt
		}
		out.Incidents.Rows = append(out.Incidents.Rows, templates.DataRow{Level: "incident", Cells: []templates.DataCell{
			{Text: inc.Title, URL: "/admin/incidents/" + id.Incident}, {Text: spanText(inc.StartedAt, end), Class: "when"}, {}, {},
			num(sla.MinutesText(id.Downtime.Rat()))}})
		for _, im := range id.Impacts {
			status := statusWords[im.Status]
			if !countsAsDowntime(sm.Policy.Policy, im.Status) {
				status += " (not counted)"
			}
			out.Incidents.Rows = append(out.Incidents.Rows, templates.DataRow{Level: "impact", Cells: []templates.DataCell{
				{Text: names.name(im.Component)}, {Text: spanText(im.Start, im.End), Class: "when"}, {Text: status},
				{Text: appliesTo(im, a.ID, sm.Policy.Unlisted)}, {}}})
		}
	}
	return out
}

// spanText shows [from, to) in UTC, shortly when both are on one day
// ("24 Dec 2012, 20:24–21:24 UTC"); a zero to is "ongoing".
func spanText(from, to time.Time) string {
	from = from.UTC()
	if to.IsZero() {
		return viewTime(from).Text + " – ongoing"
	}
	to = to.UTC()
	if y, m, d := from.Date(); to.Before(time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)) {
		return from.Format("2 Jan 2006, 15:04") + "–" + to.Format("15:04 UTC")
	}
	return viewTime(from).Text + " – " + viewTime(to).Text
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// partOfMonth says which part of the period a resource entry covers.
func partOfMonth(r sla.Resource, p sla.PeriodResult) string {
	starts := !r.From.IsZero() && r.From.After(p.Start)
	ends := !r.To.IsZero() && r.To.Before(p.End)
	switch {
	case starts && ends:
		return "part: from " + viewTime(r.From).Text + " until " + viewTime(r.To).Text
	case starts:
		return "part: from " + viewTime(r.From).Text
	case ends:
		return "part: until " + viewTime(r.To).Text
	}
	return "the whole month"
}

// countsAsDowntime reports whether st counts under p (nil Count: partial
// and major outages).
func countsAsDowntime(p sla.Policy, st sla.Status) bool {
	if p.Count == nil {
		return st == sla.PartialOutage || st == sla.MajorOutage
	}
	return slices.Contains(p.Count, st)
}

// appliesTo says how impact im applies to customer, as the engine takes it.
func appliesTo(im sla.Impact, customer string, unlisted sla.Unlisted) string {
	if len(im.Customers) > 0 {
		for _, ac := range im.Customers {
			if ac.Customer != customer {
				continue
			}
			if ac.AffectedResources == nil {
				return "names this customer: all of its resources there"
			}
			return fmt.Sprintf("names this customer: %d of its resources there", *ac.AffectedResources)
		}
		return "names other customers only: none of this customer's"
	}
	switch unlisted {
	case sla.Full:
		return "names no customer: all of its resources there, as its policy says"
	case sla.None:
		return "names no customer: none, as its policy says"
	}
	return "names no customer: " + im.AffectedPercent.String() + "% of its resources there, the share affected"
}

// unpoliciedNote names the services (by id) that a customer used in the
// month with no SLA policy, "" when there are none.
func unpoliciedNote(services []string, serviceName map[string]string) string {
	if len(services) == 0 {
		return ""
	}
	names := make([]string, len(services))
	for i, svc := range services {
		names[i] = svc
		if n := serviceName[svc]; n != "" {
			names[i] = n
		}
	}
	return "Also used in the month, with no SLA policy (no target and no credit): " + strings.Join(names, ", ") + "."
}

// customerMethod states, in plain words from the policy applied, how a
// customer's figures in one service are counted.
func customerMethod(sm desk.CustomerServiceMonth, currency string, now time.Time) []string {
	p := sm.Policy
	zone := p.TimeZone
	if zone == "" {
		zone = "UTC"
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc = time.UTC // the policy was validated when stored
	}
	const layout = "2 January 2006 15:04 MST"
	out := []string{fmt.Sprintf("The period is the calendar month in the policy's time zone, %s: from %s to %s (%d seconds).",
		zone, sm.Period.Start.In(loc).Format(layout), sm.Period.End.In(loc).Format(layout), sm.Period.Seconds)}
	if p.Basis == sla.BasisDeployed {
		out = append(out, fmt.Sprintf("Under this policy the customer's uptime is taken over only the seconds in which it had at least one resource of the service: %d seconds this month (100%% if there were none). Uptime is 100 × (1 − downtime ÷ those seconds).", sm.Seconds))
	} else {
		out = append(out, "Uptime is 100 × (1 − the customer's downtime ÷ the period's seconds). Time in which the customer had no resources of the service counts as available, so a resource that starts or ends within the month counts only while it is there.")
	}
	unlisted := "counts the share of the component it affected (its affected percentage) of the customer's resources there"
	switch p.Unlisted {
	case sla.Full:
		unlisted = "counts all of the customer's resources there"
	case sla.None:
		unlisted = "does not count for the customer"
	}
	out = append(out,
		"The customer's downtime at each second is the share of its resources of the service that were down, its components weighed by how many resources it had in each at that second. "+
			"On a component, an incident that names the customer counts the resources it names out of the customer's resources there (all of them when it gives no count); one that names only other customers does not count for it; one that names no customer "+unlisted+". "+methodOverlaps,
		methodStatuses(p.Policy),
		methodMaintenance(p.Policy))
	if now.Before(sm.Period.End) {
		out = append(out, "This month is not over: downtime is counted up to "+now.UTC().Format("2 January 2006 15:04 UTC")+" against the whole month, so the uptime and credit are what the month comes to if nothing more happens. A credit run can be previewed once the month is over everywhere.")
	} else {
		out = append(out, "The month is over: these are the figures a credit run computes for this customer now.")
	}
	out = append(out, methodDisplay, methodCredit(p.Policy, currency))
	deadline := viewTime(sm.Line.ClaimDeadline).Text
	if p.RequiresClaim {
		out = append(out, "The credit is paid only if the customer claims it before "+deadline+"; a claim at or after that instant is recorded and pays nothing.")
	} else {
		out = append(out, "The credit is paid without a claim (it is claimable until "+deadline+").")
	}
	return out
}
