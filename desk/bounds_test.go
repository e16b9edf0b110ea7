package desk_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
)

// Every amount the desk takes is at most 10^15 minor units and every
// resource count at most 10^9: one more is errs.Invalid naming the field.
func TestBoundsRefuseTheAmountPastTheBound(t *testing.T) {
	a := desk.Account{ID: "acme", Currency: "USD"}
	now := time.Date(2013, 1, 5, 0, 0, 0, 0, time.UTC)
	manual := func(n int64) error {
		_, err := desk.NewManualCredit(desk.ManualCredit{Customer: "acme", AmountMinor: n, Reason: "r"}, a, nil, "ann", now)
		return err
	}
	for _, tc := range []struct {
		name  string
		err   error
		field string
	}{
		{"charge at the bound", desk.AccountCharge{Component: "c", Month: "2012-12", AmountMinor: desk.MaxMinor}.Validate(a), ""},
		{"charge past it", desk.AccountCharge{Component: "c", Month: "2012-12", AmountMinor: desk.MaxMinor + 1}.Validate(a), "amount_minor"},
		{"count at the bound", desk.AccountResource{Customer: "acme", Component: "c", Count: desk.MaxCount}.Validate(), ""},
		{"count past it", desk.AccountResource{Customer: "acme", Component: "c", Count: desk.MaxCount + 1}.Validate(), "count"},
		{"manual credit at the bound", manual(desk.MaxMinor), ""},
		{"manual credit past it", manual(desk.MaxMinor + 1), "amount_minor"},
		{"manual credit of 2^63-1", manual(math.MaxInt64), "amount_minor"},
	} {
		if tc.field == "" {
			if tc.err != nil {
				t.Errorf("%s: %v", tc.name, tc.err)
			}
			continue
		}
		if errs.CodeOf(tc.err) != errs.Invalid || errs.FieldOf(tc.err) != tc.field {
			t.Errorf("%s: %v, want errs.Invalid on %q", tc.name, tc.err, tc.field)
		}
	}
	if n, err := desk.ParseMoney("amount", "10000000000000.00", "USD"); err != nil || n != desk.MaxMinor {
		t.Errorf("ParseMoney at the bound: %d, %v", n, err)
	}
	for _, s := range []string{"10000000000000.01", "92233720368547758.07"} {
		if _, err := desk.ParseMoney("amount", s, "USD"); errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != "amount" {
			t.Errorf("ParseMoney(%s): %v, want errs.Invalid on amount", s, err)
		}
	}
}

// 9,000 amounts at the bound sum exactly (9 * 10^18 fits an int64); a run
// whose lines would sum past the int64 range is refused, never wrapped.
func TestTotalsAtTheBoundAreExact(t *testing.T) {
	now := time.Date(2013, 1, 5, 0, 0, 0, 0, time.UTC)
	line := desk.RunLine{Currency: "USD", CreditMinor: desk.MaxMinor, PayableMinor: desk.MaxMinor}
	lines := make([]desk.RunLine, 9000)
	entries := make([]desk.LedgerEntry, 9000)
	for i := range lines {
		lines[i] = line
		entries[i] = desk.LedgerEntry{Currency: "USD", AmountMinor: desk.MaxMinor}
	}
	r, err := desk.NewMonthRun("2012-12", now, lines, "ann", now)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(r.Totals); got != "[{USD 9000000000000000000 9000000000000000000}]" {
		t.Errorf("run totals %s", got)
	}
	iss, err := desk.SummarizeIssue(entries)
	if err != nil || fmt.Sprint(iss.Totals) != "[{USD 9000000000000000000 9000000000000000000}]" {
		t.Errorf("issue totals %v, %v", iss, err)
	}
	lines = append(lines, make([]desk.RunLine, 300)...)
	entries = append(entries, make([]desk.LedgerEntry, 300)...)
	for i := 9000; i < len(lines); i++ {
		lines[i], entries[i] = line, desk.LedgerEntry{Currency: "USD", AmountMinor: desk.MaxMinor}
	}
	if _, err := desk.NewMonthRun("2012-12", now, lines, "ann", now); err == nil {
		t.Error("a run summing past 2^63-1 was made")
	}
	if _, err := desk.SummarizeIssue(entries); err == nil {
		t.Error("entries summing past 2^63-1 were summarized")
	}
	if _, err := desk.AddMinor(math.MinInt64, -1); err == nil {
		t.Error("AddMinor wrapped below")
	}
}
