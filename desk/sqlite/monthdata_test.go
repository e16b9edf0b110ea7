package sqlite

import (
	"database/sql"
	"fmt"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/sqlitedb"
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

// The whole desk's accounts, resources and charges are read packed in
// runs of packedRun; a customer's charges split over two runs, resource
// entries with and without instants, and names with spaces, read as the
// row-by-row read does, and an account name that holds the runs'
// separator sends the accounts back to it.
func TestMonthDataPackedInRuns(t *testing.T) {
	st, db := newStore(t)
	const customers = packedRun + 900 // more accounts than one run holds, and charges for three
	id := func(i int) string { return fmt.Sprintf("r%05d", i) }
	err := sqlitedb.InTx(ctx, db, func(tx *sql.Tx) error {
		at := sqlitedb.FormatTime(now)
		err := insertBatch(ctx, tx, "customers", []string{"id", "name", "external_id", "currency", "email", "created_at", "updated_at"}, customers,
			func(i int, a []any) {
				a[0], a[1], a[2], a[3], a[4], a[5], a[6] = id(i), "Customer  "+id(i)+" ", "", []string{"USD", "EUR", "JPY"}[i%3], id(i)+"@example.com", at, at
			})
		if err != nil {
			return err
		}
		err = insertBatch(ctx, tx, "customer_resources", []string{"customer_id", "component_id", "count", "from_at", "to_at"}, customers*3, func(i int, a []any) {
			a[0], a[1], a[2], a[3], a[4] = id((i*7)%customers), []string{"ebs-us-east-1a", "ec2-us-east-1a", elbComp}[i%3], int64(i%5), nil, nil
			if i%4 == 0 {
				a[3] = "2012-12-03T00:00:00Z"
			}
			if i%6 == 0 {
				a[4] = "2012-12-20T00:00:00Z"
			}
			if i%9 == 0 {
				a[3], a[4] = "2012-10-01T00:00:00Z", "2012-10-02T00:00:00Z" // before the month: not read
			}
		})
		if err != nil {
			return err
		}
		return insertBatch(ctx, tx, "customer_charges", []string{"customer_id", "component_id", "month", "amount_minor"}, customers*3, func(i int, a []any) {
			a[0], a[1], a[2], a[3] = id(i/3), []string{"ebs-us-east-1a", "ec2-us-east-1a", elbComp}[i%3], "2012-12", int64(i*7919%90_000)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	same := func(what string, packed bool) {
		t.Helper()
		all := must[*desk.MonthData](t)(st.MonthData(ctx, "2012-12"))
		var every []string
		for _, a := range all.Accounts {
			every = append(every, a.ID)
		}
		rows := must[*desk.MonthData](t)(st.MonthDataFor(ctx, "2012-12", every))
		accounts := customers
		if !packed {
			accounts++ // the one with the separator, which has no charges
		}
		if len(all.Accounts) != accounts || len(all.Charges) != 3*customers || len(all.Resources) != 3*customers-(3*customers+8)/9 {
			t.Fatalf("%s: %d accounts, %d charges, %d resources", what, len(all.Accounts), len(all.Charges), len(all.Resources))
		}
		if !reflect.DeepEqual(all.Accounts, rows.Accounts) || !reflect.DeepEqual(all.Charges, rows.Charges) || !reflect.DeepEqual(all.Resources, rows.Resources) {
			t.Errorf("%s: packed and row-by-row differ", what)
		}
		var p monthParts
		var d desk.MonthData
		_, err := st.inReadTx(ctx, func(q sqlitedb.Queryer) error {
			ok, err := packedAccounts(ctx, q, &d)
			if err == nil && ok != packed {
				t.Errorf("%s: accounts packed %v", what, ok)
			}
			p.month = "2012-12"
			if ok, err := p.packedCharges(ctx, q, &d); err != nil || !ok {
				t.Errorf("%s: charges packed %v, %v", what, ok, err)
			}
			overlaps := `(from_at IS NULL OR from_at < ?) AND (to_at IS NULL OR to_at > ?)`
			if _, ok, err := packedResources(ctx, q, overlaps, "2013-01-01T14:00:00Z", "2012-11-30T10:00:00Z"); err != nil || !ok {
				t.Errorf("%s: resources packed %v, %v", what, ok, err)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	same("runs", true)
	if _, err := db.ExecContext(ctx, `INSERT INTO customers (id, name, currency, email, created_at, updated_at) VALUES ('r00100-x', 'a'||char(31)||'b', 'USD', 'x@example.com', '2012-12-01T00:00:00Z', '2012-12-01T00:00:00Z')`); err != nil {
		t.Fatal(err)
	}
	same("a name that holds the separator", false)
}

// A packed text's integers read as strconv reads them, and anything that
// is not one is bad (and the month is read again row by row).
func TestPackedFieldsReadIntegersAsStrconv(t *testing.T) {
	for _, text := range []string{"0", "7", "-7", "123456789012345678", "-123456789012345678", "9223372036854775807", "-9223372036854775808",
		"9223372036854775808", "", "-", "+7", "7x", "x7", "1.5", "--7", "0x10", "٣"} {
		f := fields{s: text}
		got := f.int()
		want, err := strconv.ParseInt(text, 10, 64)
		if f.bad != (err != nil) || (err == nil && got != want) {
			t.Errorf("%q: %d, bad %v; want %d, %v", text, got, f.bad, want, err)
		}
	}
	f := fields{s: "12 -3 c-1"}
	if a, b, c := f.int(), f.int(), f.name(); a != 12 || b != -3 || c != "c-1" || f.bad || !f.done() {
		t.Errorf("12 -3 c-1: %d %d %q, bad %v", a, b, c, f.bad)
	}
}
