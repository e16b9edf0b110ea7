package report

import (
	"context"
	"slices"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
)

// StatementLedgerMax is how many ledger entries a statement lists.
const StatementLedgerMax = 1000

// Statement is a customer's own statement: its resources, its uptime and
// credit per service in every month it was charged for that is over, and
// the credits the ledger holds.
type Statement struct {
	Account   desk.Account
	Resources []desk.AccountResource
	// Months are the months the customer was charged for that are over
	// everywhere and have lines for it, newest first.
	Months []StatementMonth
	// Ledger is the customer's ledger entries, oldest first, at most
	// StatementLedgerMax of them, and TotalMinor their sum.
	Ledger     []desk.LedgerEntry
	TotalMinor int64
}

// StatementMonth is a customer's lines of one month, as a run of that
// month computes them now.
type StatementMonth struct {
	Month string // "YYYY-MM"
	Lines []desk.RunLine
}

// Statement computes the statement of the customer whose statement link
// has token, as of now: each month's lines by MonthLines, on the
// customer's own data only. errs.NotFound when no customer has that token
// (desk.Store.StatementAccount).
func (r *Reports) Statement(ctx context.Context, token string, now time.Time) (*Statement, error) {
	a, err := r.desk.StatementAccount(ctx, token)
	if err != nil {
		return nil, err
	}
	st := &Statement{Account: a}
	if st.Resources, err = r.desk.Resources(ctx, a.ID); err != nil {
		return nil, err
	}
	charges, err := r.desk.Charges(ctx, a.ID, "")
	if err != nil {
		return nil, err
	}
	var months []string
	for _, ch := range charges {
		if !slices.Contains(months, ch.Month) {
			months = append(months, ch.Month)
		}
	}
	for i := len(months) - 1; i >= 0; i-- { // newest first
		lines, err := r.MonthLines(ctx, months[i], now, a.ID)
		if errs.CodeOf(err) == errs.Invalid && errs.FieldOf(err) == "month" {
			continue // not over yet
		}
		if err != nil {
			return nil, err
		}
		if len(lines) > 0 {
			st.Months = append(st.Months, StatementMonth{Month: months[i], Lines: lines})
		}
	}
	if st.Ledger, _, err = r.desk.Ledger(ctx, desk.LedgerFilter{Customer: a.ID, Limit: StatementLedgerMax}); err != nil {
		return nil, err
	}
	for _, e := range st.Ledger {
		if st.TotalMinor, err = desk.AddMinor(st.TotalMinor, e.AmountMinor); err != nil {
			return nil, err
		}
	}
	return st, nil
}
