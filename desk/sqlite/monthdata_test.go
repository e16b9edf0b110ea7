package sqlite

import (
	"fmt"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/amends/amends/desk"
)

// The whole desk's month is read packed (many entries to a row); it reads
// exactly what the row-by-row read of every customer does, and falls back
// to that read where a stored name does not pack.
func TestMonthDataPackedAsRowByRow(t *testing.T) {
	st, _ := newStore(t)
	seed(t, st)
	from, to := time.Date(2012, 11, 20, 8, 0, 0, 0, time.UTC), time.Date(2012, 12, 3, 0, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 40 {
		id := fmt.Sprintf("c%d", 39-i)
		ids = append(ids, id)
		must[desk.Account](t)(st.CreateAccount(ctx, sam, desk.Account{ID: id, Name: "Customer " + id, Currency: "USD", Email: id + "@example.com"}, now))
	}
	for i := range 700 { // resource IDs interleave customers; some with instants
		r := desk.AccountResource{Customer: ids[(i*7)%len(ids)], Component: []string{elbComp, "ebs-us-east-1a"}[i%2], Count: int64(i % 6)}
		if i%3 == 0 {
			r.From = &from
		}
		if i%5 == 0 {
			r.To = &to
		}
		must[desk.AccountResource](t)(st.AddResource(ctx, sam, r, now))
	}
	for i, c := range ids {
		for _, comp := range []string{"ebs-us-east-1a", elbComp} {
			must[desk.AccountCharge](t)(st.PutCharge(ctx, sam, desk.AccountCharge{Customer: c, Component: comp, Month: "2012-12", AmountMinor: int64(1000 + i)}, now))
		}
	}
	same := func(what string) {
		t.Helper()
		all := must[*desk.MonthData](t)(st.MonthData(ctx, "2012-12"))
		var every []string
		for _, a := range all.Accounts {
			every = append(every, a.ID)
		}
		rows := must[*desk.MonthData](t)(st.MonthDataFor(ctx, "2012-12", every))
		if len(all.Resources) < 700 || len(all.Charges) < 80 {
			t.Fatalf("%s: %d resources, %d charges", what, len(all.Resources), len(all.Charges))
		}
		if !reflect.DeepEqual(all.Accounts, rows.Accounts) || !reflect.DeepEqual(all.Resources, rows.Resources) || !reflect.DeepEqual(all.Charges, rows.Charges) {
			t.Errorf("%s: packed and row-by-row differ", what)
		}
	}
	same("names that pack")
	must[desk.AccountCharge](t)(st.PutCharge(ctx, sam, desk.AccountCharge{Customer: "c3", Component: "Odd Name", Month: "2012-12", AmountMinor: 5}, now))
	must[desk.AccountResource](t)(st.AddResource(ctx, sam, desk.AccountResource{Customer: "c4", Component: "x 1 y", Count: 1}, now))
	same("names that do not pack")
}

// A packed text's integers read as strconv reads them, and anything that
// is not one is bad (and the month is read again row by row).
func TestPackedFieldsReadIntegersAsStrconv(t *testing.T) {
	for _, text := range []string{"0", "7", "-7", "123456789012345678", "-123456789012345678", "9223372036854775807", "-9223372036854775808",
		"9223372036854775808", "", "-", "+7", "7x", "x7", "1.5", "--7", "0x10", "٣"} {
		f := fields{s: text}
		got := f.int()
		want, err := strconv.ParseInt(text, 10, 64)
		if text == "+7" { // SQLite never writes a plus sign
			err = strconv.ErrSyntax
		}
		if f.bad != (err != nil) || (err == nil && got != want) {
			t.Errorf("%q: %d, bad %v; want %d, %v", text, got, f.bad, want, err)
		}
	}
	f := fields{s: "12 -3 c-1"}
	if a, b, c := f.int(), f.int(), f.name(); a != 12 || b != -3 || c != "c-1" || f.bad || !f.done() {
		t.Errorf("12 -3 c-1: %d %d %q, bad %v", a, b, c, f.bad)
	}
}
