package report

import (
	"reflect"
	"testing"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
)

// A statement holds, newest first, the lines MonthLines computes for the
// customer in every month it was charged for that is over, and the
// credits the ledger holds with their total.
func TestStatementIsTheMonthsLines(t *testing.T) {
	f := newFixture(t)
	f.christmas()
	f.policy(elbPolicy)
	f.customer("acme", "USD", "elb-us-east-1", 4, "2012-12", 250000)
	f.charge("acme", "elb-us-east-1", "2012-11", 240000)
	f.charge("acme", "elb-us-east-1", "2013-01", 260000) // not over
	f.customer("globex", "USD", "elb-us-east-1", 1, "2012-12", 100000)
	token, err := f.desk.RotateStatementLink(f.ctx, sam, "acme", f.now)
	if err != nil {
		t.Fatal(err)
	}

	st, err := f.r.Statement(f.ctx, token, f.now)
	if err != nil {
		t.Fatal(err)
	}
	if st.Account.ID != "acme" || len(st.Ledger) != 0 || st.TotalMinor != 0 {
		t.Errorf("%+v", st)
	}
	if len(st.Months) != 2 || st.Months[0].Month != "2012-12" || st.Months[1].Month != "2012-11" {
		t.Fatalf("months %+v", st.Months)
	}
	for _, m := range st.Months {
		want, err := f.r.MonthLines(f.ctx, m.Month, f.now, "acme")
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Lines) != 1 || !reflect.DeepEqual(m.Lines, want) {
			t.Errorf("%s: %+v, MonthLines %+v", m.Month, m.Lines, want)
		}
	}
	if st.Months[0].Lines[0].PayableMinor != 25000 || st.Months[1].Lines[0].PayableMinor != 0 {
		t.Errorf("payable %d in December, %d in November", st.Months[0].Lines[0].PayableMinor, st.Months[1].Lines[0].PayableMinor)
	}
	if st.Months[0].Paid[0] != (LinePaid{}) || len(st.Paid) != 0 || !reflect.DeepEqual(st.Owed, []CurrencyMinor{{"USD", 25000}}) {
		t.Errorf("before the run: December %+v, paid %+v, owed %+v", st.Months[0].Paid, st.Paid, st.Owed)
	}

	f.issue("2012-12")
	if st, err = f.r.Statement(f.ctx, token, f.now); err != nil {
		t.Fatal(err)
	}
	if len(st.Ledger) != 1 || st.Ledger[0].Customer != "acme" || st.TotalMinor != 25000 {
		t.Errorf("after the run: %+v, total %d", st.Ledger, st.TotalMinor)
	}
	if st.Months[0].Paid[0] != (LinePaid{Issued: true, Minor: 25000}) || !reflect.DeepEqual(st.Paid, []CurrencyMinor{{"USD", 25000}}) || len(st.Owed) != 0 {
		t.Errorf("after the run: December %+v, paid %+v, owed %+v", st.Months[0].Paid, st.Paid, st.Owed)
	}
	if _, err := f.r.Statement(f.ctx, "not-a-token", f.now); errs.CodeOf(err) != errs.NotFound {
		t.Errorf("an unknown token: %v", err)
	}
}

// A customer with more credits than a statement lists still has every
// one of them in what was paid and what is owed: the month's tier credit,
// issued after a thousand small manual credits, is paid, not owed, and
// the statement lists the newest entries.
func TestStatementCountsEveryCredit(t *testing.T) {
	f := newFixture(t)
	f.christmas()
	f.policy(elbPolicy)
	f.customer("acme", "USD", "elb-us-east-1", 4, "2012-12", 250000)
	token, err := f.desk.RotateStatementLink(f.ctx, sam, "acme", f.now)
	if err != nil {
		t.Fatal(err)
	}
	for range StatementLedgerMax {
		m, err := f.desk.CreateManualCredit(f.ctx, sam, desk.ManualCredit{Customer: "acme", AmountMinor: 1, Reason: "sorry"}, f.now)
		if err == nil && m.State == desk.ManualPending {
			m, err = f.desk.ApproveManualCredit(f.ctx, audit.Actor{Person: "max@example.com"}, m.ID, f.now)
		}
		if err != nil || m.State != desk.ManualIssued {
			t.Fatalf("%+v %v", m, err)
		}
	}
	f.issue("2012-12")
	st, err := f.r.Statement(f.ctx, token, f.now)
	if err != nil {
		t.Fatal(err)
	}
	if st.Entries != StatementLedgerMax+1 || len(st.Ledger) != StatementLedgerMax || st.Ledger[len(st.Ledger)-1].Kind != desk.EntryTier {
		t.Errorf("%d entries, %d listed, the last %+v", st.Entries, len(st.Ledger), st.Ledger[len(st.Ledger)-1])
	}
	want := int64(StatementLedgerMax + 25000)
	if st.TotalMinor != want || !reflect.DeepEqual(st.Paid, []CurrencyMinor{{"USD", want}}) || len(st.Owed) != 0 ||
		st.Months[0].Paid[0] != (LinePaid{Issued: true, Minor: 25000}) {
		t.Errorf("total %d, paid %+v, owed %+v, December %+v", st.TotalMinor, st.Paid, st.Owed, st.Months[0].Paid)
	}
}
