package report

import (
	"context"

	"github.com/amends/amends/desk"
)

// ledgerPage is how many ledger entries one read of the whole ledger
// takes.
const ledgerPage = 10000

// ledgerEntries reads the whole ledger that f selects, oldest first; none
// without a credit desk.
func (r *Reports) ledgerEntries(ctx context.Context, f desk.LedgerFilter) ([]desk.LedgerEntry, error) {
	if r.desk == nil {
		return nil, nil
	}
	var out []desk.LedgerEntry
	f.Limit = ledgerPage
	for {
		page, total, err := r.desk.Ledger(ctx, f)
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

// customerLedgerPage is how many ledger entries one read of a customer's
// month takes.
const customerLedgerPage = 500

// customerLedger returns every ledger entry of customer for month,
// oldest first.
func (r *Reports) customerLedger(ctx context.Context, customer, month string) ([]desk.LedgerEntry, error) {
	var out []desk.LedgerEntry
	for {
		list, total, err := r.desk.Ledger(ctx, desk.LedgerFilter{Customer: customer, Period: month, Offset: len(out), Limit: customerLedgerPage})
		if err != nil {
			return nil, err
		}
		out = append(out, list...)
		if len(list) == 0 || len(out) >= total {
			return out, nil
		}
	}
}
