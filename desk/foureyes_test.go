package desk_test

import (
	"testing"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
)

// An approver may be neither the requester nor an account the requester
// created, re-enabled or changed the role of within the last 90 days, nor
// the person who did so to the requester's account within them, nor an
// account anyone made what it is after the request.
func TestCheckApprover(t *testing.T) {
	now := time.Date(2013, 4, 1, 12, 0, 0, 0, time.UTC)
	at := func(days int) time.Time { return now.Add(-time.Duration(days) * 24 * time.Hour) }
	for _, tc := range []struct {
		name      string
		approver  string
		sponsored []desk.Sponsorship
		forbidden bool
		requested time.Time // default: a day before now
	}{
		{"the requester", "ann", nil, true, time.Time{}},
		{"another person", "max", nil, false, time.Time{}},
		{"created by the requester today", "max", []desk.Sponsorship{{By: "ann", Account: "max", Action: "user.create", At: now}}, true, time.Time{}},
		{"re-enabled 90 days ago", "max", []desk.Sponsorship{{By: "ann", Account: "max", Action: "user.enable", At: at(90)}}, true, time.Time{}},
		{"role changed 89 days ago", "max", []desk.Sponsorship{{By: "ann", Account: "max", Action: "user.role", At: at(89)}}, true, time.Time{}},
		{"created 91 days ago", "max", []desk.Sponsorship{{By: "ann", Account: "max", Action: "user.create", At: at(91)}}, false, time.Time{}},
		{"created by someone else before the request", "max", []desk.Sponsorship{{By: "zoe", Account: "max", Action: "user.create", At: at(96)}}, false, time.Time{}},
		{"created by someone else after the request", "max", []desk.Sponsorship{{By: "zoe", Account: "max", Action: "user.create", At: now}}, true, time.Time{}},
		{"made a manager by someone else after the request", "max", []desk.Sponsorship{{By: "zoe", Account: "max", Action: "user.role", At: now}}, true, time.Time{}},
		{"re-enabled by someone else in the second of the request", "max", []desk.Sponsorship{{By: "zoe", Account: "max", Action: "user.enable", At: at(1)}}, false, time.Time{}},
		{"made a manager after the request, 120 days ago", "max", []desk.Sponsorship{{By: "zoe", Account: "max", Action: "user.role", At: at(120)}}, true, at(121)},
		{"another account made after the request", "max", []desk.Sponsorship{{By: "zoe", Account: "eve", Action: "user.create", At: now}}, false, time.Time{}},
		{"disabled by the requester", "max", []desk.Sponsorship{{By: "ann", Account: "max", Action: "user.disable", At: now}}, false, time.Time{}},
		{"who created the requester's account today", "max", []desk.Sponsorship{{By: "max", Account: "ann", Action: "user.create", At: at(2)}}, true, time.Time{}},
		{"who made the requester support 90 days ago", "max", []desk.Sponsorship{{By: "max", Account: "ann", Action: "user.role", At: at(90)}}, true, time.Time{}},
		{"who re-enabled the requester after the request", "max", []desk.Sponsorship{{By: "max", Account: "ann", Action: "user.enable", At: now}}, true, time.Time{}},
		{"who created the requester's account 91 days ago", "max", []desk.Sponsorship{{By: "max", Account: "ann", Action: "user.create", At: at(91)}}, false, time.Time{}},
		{"who created another account", "max", []desk.Sponsorship{{By: "max", Account: "eve", Action: "user.create", At: at(2)}}, false, time.Time{}},
		{"who disabled the requester", "max", []desk.Sponsorship{{By: "max", Account: "ann", Action: "user.disable", At: at(2)}}, false, time.Time{}},
	} {
		requested := tc.requested
		if requested.IsZero() {
			requested = at(1)
		}
		err := desk.CheckApprover("credit run 1", "ann", requested, tc.approver, tc.sponsored, now)
		if got := errs.CodeOf(err) == errs.Forbidden; got != tc.forbidden || (err != nil && !got) {
			t.Errorf("%s: %v, want forbidden %v", tc.name, err, tc.forbidden)
		}
	}
}

// Above the ceiling (1,000,000.00 in major units) a manual credit waits
// for a second person whatever the threshold; at it, the threshold rules.
func TestManualCeiling(t *testing.T) {
	now := time.Date(2013, 4, 1, 12, 0, 0, 0, time.UTC)
	th := map[string]desk.ManualThreshold{"USD": {AboveMinor: 100_000_000_000, SetBy: "admin"}, "JPY": {AboveMinor: desk.MaxMinor, SetBy: "admin"}}
	for _, tc := range []struct {
		customer desk.Account
		amount   int64
		want     desk.ManualState
	}{
		{desk.Account{ID: "acme", Currency: "USD"}, 99_999_999_999, desk.ManualPending}, // 999,999,999.99 USD
		{desk.Account{ID: "acme", Currency: "USD"}, 100_000_001, desk.ManualPending},    // 1,000,000.01 USD
		{desk.Account{ID: "acme", Currency: "USD"}, 100_000_000, desk.ManualIssued},     // 1,000,000.00 USD
		{desk.Account{ID: "yen", Currency: "JPY"}, 1_000_001, desk.ManualPending},
		{desk.Account{ID: "yen", Currency: "JPY"}, 1_000_000, desk.ManualIssued},
	} {
		m, err := desk.NewManualCredit(desk.ManualCredit{Customer: tc.customer.ID, AmountMinor: tc.amount, Reason: "r"}, tc.customer, th, "sue", now)
		if err != nil || m.State != tc.want {
			t.Errorf("%d %s: %s, %v; want %s", tc.amount, tc.customer.Currency, m.State, err, tc.want)
		}
	}
	if got := desk.ManualCeiling("KWD"); got != 1_000_000_000 {
		t.Errorf("KWD ceiling %d", got)
	}
}
