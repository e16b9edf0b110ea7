package report

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
)

// StatementLedgerMax is how many ledger entries a statement lists.
const StatementLedgerMax = 1000

// Statement is a customer's own statement: its uptime and credit per
// service in every month it was charged for that is over, and the credits
// the ledger holds. (Its resources, which may be tens of thousands, the
// page reads a page at a time with desk.Store.ResourcesPage.)
type Statement struct {
	Account desk.Account
	// Months are the months the customer was charged for that are over
	// everywhere and have lines for it, newest first.
	Months []StatementMonth
	// Ledger is the customer's newest ledger entries, oldest first, at
	// most StatementLedgerMax of them; Entries is how many the ledger
	// holds for the customer, and TotalMinor the sum of them all.
	Ledger     []desk.LedgerEntry
	Entries    int
	TotalMinor int64
	// Paid is TotalMinor by currency: what the ledger holds. Owed is, by
	// currency, what Months' lines are payable now above what the ledger
	// holds for them: the whole payable tier credit of a line the ledger
	// holds no tier entry for, and the rest of one whose charges were
	// corrected upwards after it was paid (owed, not yet issued: what a
	// run of the month would pay now). Both sorted by currency, without
	// zero sums.
	Paid, Owed []CurrencyMinor
}

// CurrencyMinor is a sum of money in minor units of one currency.
type CurrencyMinor struct {
	Currency string
	Minor    int64
}

// LinePaid is what the ledger holds for one line of a StatementMonth: Issued
// when it has a tier credit entry (or an adjustment of one) for the line's
// customer, service and month, and Minor the sum of those entries.
type LinePaid struct {
	Issued bool
	Minor  int64
}

// Owed is what line is payable now beyond what p says the ledger holds
// for it: its payable amount when nothing was issued for it, the
// difference when its charges were corrected since (negative when the
// ledger holds more than it is payable now), 0 when they agree.
func (p LinePaid) Owed(line desk.RunLine) int64 {
	if !p.Issued {
		return line.PayableMinor
	}
	return line.PayableMinor - p.Minor
}

// StatementMonth is a customer's lines of one month, as a run of that
// month computes them now.
type StatementMonth struct {
	Month string // "YYYY-MM"
	Lines []desk.RunLine
	// Paid is, for each of Lines (same index), what the ledger holds for it.
	Paid []LinePaid
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
	months, err := r.desk.ChargeMonths(ctx, a.ID)
	if err != nil {
		return nil, err
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
	// Every entry counts in what was paid and what is owed; the newest
	// StatementLedgerMax are listed.
	all, err := r.ledgerEntries(ctx, desk.LedgerFilter{Customer: a.ID})
	if err != nil {
		return nil, err
	}
	st.Entries = len(all)
	st.Ledger = all[max(0, len(all)-StatementLedgerMax):]
	type key struct{ service, period string }
	paid := map[key]LinePaid{}
	for _, e := range all {
		if st.TotalMinor, err = desk.AddMinor(st.TotalMinor, e.AmountMinor); err != nil {
			return nil, err
		}
		if st.Paid, err = addCurrency(st.Paid, e.Currency, e.AmountMinor); err != nil {
			return nil, err
		}
		if e.CreditKind != desk.EntryTier {
			continue
		}
		k := key{e.Service, e.Period}
		p := paid[k]
		p.Issued = true
		if p.Minor, err = desk.AddMinor(p.Minor, e.AmountMinor); err != nil {
			return nil, err
		}
		paid[k] = p
	}
	for i := range st.Months {
		m := &st.Months[i]
		m.Paid = make([]LinePaid, len(m.Lines))
		for j, l := range m.Lines {
			m.Paid[j] = paid[key{l.Service, m.Month}]
			if owed := m.Paid[j].Owed(l); owed > 0 {
				if st.Owed, err = addCurrency(st.Owed, l.Currency, owed); err != nil {
					return nil, err
				}
			}
		}
	}
	return st, nil
}

// addCurrency adds minor to the sum of currency in sums, keeping sums
// sorted by currency and without zero sums; an error when the sum would
// not fit an int64 (see desk.AddMinor).
func addCurrency(sums []CurrencyMinor, currency string, minor int64) ([]CurrencyMinor, error) {
	i, found := slices.BinarySearchFunc(sums, currency, func(c CurrencyMinor, cur string) int { return strings.Compare(c.Currency, cur) })
	if !found {
		if minor == 0 {
			return sums, nil
		}
		return slices.Insert(sums, i, CurrencyMinor{Currency: currency, Minor: minor}), nil
	}
	sum, err := desk.AddMinor(sums[i].Minor, minor)
	if err != nil {
		return sums, err
	}
	if sum == 0 {
		return slices.Delete(sums, i, i+1), nil
	}
	sums[i].Minor = sum
	return sums, nil
}
