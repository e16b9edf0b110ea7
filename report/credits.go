package report

import (
	"context"
	"slices"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
)

// MonthLines computes the run lines of month from stored data as of now:
// every customer's, or with customer set only that customer's, reading
// only its own data and the accounts the month's impacts name (which its
// scenario must hold; see desk.MonthScenarios), so that one customer costs
// what its data costs. A customer's figures do not depend on the other
// customers, so they are the lines a run of everyone gives it.
// errs.Invalid on "month" unless the month is over everywhere.
func (r *Reports) MonthLines(ctx context.Context, month string, now time.Time, customer string) ([]desk.RunLine, error) {
	from, to, err := desk.MonthWindow(month)
	if err != nil {
		return nil, err
	}
	if now.Before(to) {
		return nil, errs.Invalidf("month", "%s is not over everywhere until %s", month, to.Format(time.RFC3339))
	}
	base, err := incidents.StoredScenario(ctx, r.incidents, sla.Period{Month: month}, from, to, now)
	if err != nil {
		return nil, err
	}
	if customer == "" {
		data, err := r.desk.MonthData(ctx, month)
		if err != nil {
			return nil, err
		}
		return desk.PreviewMonth(month, now, base, data)
	}
	data, err := r.CustomerMonthData(ctx, month, base, customer)
	if err != nil {
		return nil, err
	}
	lines, err := desk.PreviewMonth(month, now, base, data)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(lines, func(l desk.RunLine) bool { return l.Customer != customer }), nil
}

// CustomerMonthData reads the month's data that customer's figures need:
// its own and that of the accounts the impacts of base name (which its
// scenario must hold; see desk.MonthScenarios), not every customer's.
func (r *Reports) CustomerMonthData(ctx context.Context, month string, base *sla.Scenario, customer string) (*desk.MonthData, error) {
	read := []string{customer}
	for _, inc := range base.Incidents {
		for _, im := range inc.Impacts {
			for _, ac := range im.Customers {
				read = append(read, ac.Customer)
			}
		}
	}
	return r.desk.MonthDataFor(ctx, month, read)
}

// PreviewRun computes every customer's lines for a month that is over and
// keeps them as a run previewed by who, for someone to request and another
// person to approve.
func (r *Reports) PreviewRun(ctx context.Context, who audit.Actor, month string, now time.Time) (desk.CreditRun, error) {
	lines, err := r.MonthLines(ctx, month, now, "")
	if err != nil {
		return desk.CreditRun{}, err
	}
	run, err := desk.NewMonthRun(month, now, lines, who.Person, now)
	if err != nil {
		return desk.CreditRun{}, err
	}
	return r.desk.CreateRun(ctx, who, run, lines, now)
}
