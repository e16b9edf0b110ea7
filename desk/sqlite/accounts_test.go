package sqlite

import (
	"fmt"
	"slices"
	"testing"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
)

// A customer's resources, charges and claims read a page at a time give,
// page after page, what the whole lists give, with how many there are;
// another customer's rows are not counted, and a bad offset or limit is
// refused naming it.
func TestCustomerListsByPage(t *testing.T) {
	st, _ := newStore(t)
	seed(t, st) // acme and globex with one resource and one charge each
	var ims []desk.AccountResource
	var ics []desk.AccountCharge
	for i := range 24 {
		ims = append(ims, desk.AccountResource{Customer: "acme", Component: elbComp, Count: int64(i + 1)})
		ics = append(ics, desk.AccountCharge{Customer: "acme", Component: elbComp, Month: fmt.Sprintf("%d-%02d", 2010+i/12, i%12+1), AmountMinor: int64(100 * (i + 1)), Currency: "USD"})
	}
	if err := st.ImportAccountData(ctx, sam, ims, nil, now); err != nil {
		t.Fatal(err)
	}
	if err := st.ImportAccountData(ctx, sam, nil, ics, now); err != nil {
		t.Fatal(err)
	}
	for _, month := range []string{"2012-10", "2012-11", "2012-12"} {
		must[desk.Claim](t)(st.RecordClaim(ctx, sam, desk.Claim{Customer: "acme", Service: "ELB", Month: month, ClaimedAt: now}, now))
	}

	allResources := must[[]desk.AccountResource](t)(st.Resources(ctx, "acme"))
	allCharges := must[[]desk.AccountCharge](t)(st.Charges(ctx, "acme", ""))
	allClaims := must[[]desk.Claim](t)(st.Claims(ctx, "acme"))
	if len(allResources) != 25 || len(allCharges) != 25 || len(allClaims) != 3 {
		t.Fatalf("acme has %d resources, %d charges, %d claims", len(allResources), len(allCharges), len(allClaims))
	}
	pages := func(name string, want int, read func(offset, limit int) (int, int, error)) {
		t.Helper()
		got := 0
		for offset := 0; offset < want+10; offset += 10 {
			n, total, err := read(offset, 10)
			if err != nil || total != want || n != min(10, max(0, want-offset)) {
				t.Errorf("%s at %d: %d of %d, %v; want %d in all", name, offset, n, total, err, want)
			}
			got += n
		}
		if got != want {
			t.Errorf("%s: %d read by page, want %d", name, got, want)
		}
	}
	var resources []desk.AccountResource
	pages("resources", 25, func(offset, limit int) (int, int, error) {
		list, total, err := st.ResourcesPage(ctx, "acme", offset, limit)
		resources = append(resources, list...)
		return len(list), total, err
	})
	var charges []desk.AccountCharge
	pages("charges", 25, func(offset, limit int) (int, int, error) {
		list, total, err := st.ChargesPage(ctx, "acme", offset, limit)
		charges = append(charges, list...)
		return len(list), total, err
	})
	var claims []desk.Claim
	pages("claims", 3, func(offset, limit int) (int, int, error) {
		list, total, err := st.ClaimsPage(ctx, "acme", offset, limit)
		claims = append(claims, list...)
		return len(list), total, err
	})
	if !slices.EqualFunc(resources, allResources, func(a, b desk.AccountResource) bool { return a.ID == b.ID }) {
		t.Error("the pages of resources are not the resources in order")
	}
	if !slices.Equal(charges, allCharges) {
		t.Error("the pages of charges are not the charges in order")
	}
	if !slices.EqualFunc(claims, allClaims, func(a, b desk.Claim) bool { return a.ID == b.ID }) {
		t.Error("the pages of claims are not the claims in order")
	}

	months := must[[]string](t)(st.ChargeMonths(ctx, "acme"))
	if len(months) != 25 || months[0] != "2010-01" || months[23] != "2011-12" || months[24] != "2012-12" { // 2012-12 from seed
		t.Errorf("charge months %v", months)
	}
	if none := must[[]string](t)(st.ChargeMonths(ctx, "nobody")); len(none) != 0 {
		t.Errorf("an unknown customer's charge months %v", none)
	}

	for _, tc := range []struct {
		offset, limit int
		field         string
	}{{-1, 10, "offset"}, {0, 0, "limit"}, {0, -5, "limit"}} {
		_, _, err1 := st.ResourcesPage(ctx, "acme", tc.offset, tc.limit)
		_, _, err2 := st.ChargesPage(ctx, "acme", tc.offset, tc.limit)
		_, _, err3 := st.ClaimsPage(ctx, "acme", tc.offset, tc.limit)
		for _, err := range []error{err1, err2, err3} {
			if errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != tc.field {
				t.Errorf("offset %d, limit %d: %v, want errs.Invalid on %s", tc.offset, tc.limit, err, tc.field)
			}
		}
	}
}
