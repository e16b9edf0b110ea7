package desk_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
)

var deskNow = time.Date(2013, 1, 5, 0, 0, 0, 0, time.UTC)

// exampleBase is the spec's example: ELB in us-east-1 with 6.8% of its load
// balancers in partial outage for 22 h 6 min on 24-25 December 2012, and
// acme named with 1 of its 4.
func exampleBase() *sla.Scenario {
	n := int64(1000)
	return &sla.Scenario{
		Components: []sla.Component{{ID: "elb-us-east-1", Service: "ELB", Region: "us-east-1", Resources: &n}},
		Incidents: []sla.Incident{{ID: "1", Impacts: []sla.Impact{{
			Component: "elb-us-east-1", Status: sla.PartialOutage, AffectedPercent: P("6.8"),
			Start: time.Date(2012, 12, 24, 20, 24, 0, 0, time.UTC), End: time.Date(2012, 12, 25, 18, 30, 0, 0, time.UTC),
			Customers: []sla.AffectedCustomer{{Customer: "acme", AffectedResources: i64(1)}},
		}}}},
	}
}

func elbPolicy(requiresClaim bool) desk.ServicePolicy {
	return desk.ServicePolicy{Policy: sla.Policy{ID: "elb", Service: "ELB", Target: P("99.95"),
		Tiers: []sla.Tier{{Below: P("99.95"), CreditPercent: P("10")}, {Below: P("99.0"), CreditPercent: P("30")}, {Below: P("95.0"), CreditPercent: P("100")}}},
		RequiresClaim: requiresClaim}
}

func exampleData(policies ...desk.ServicePolicy) *desk.MonthData {
	from := time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC)
	return &desk.MonthData{
		Accounts: []desk.Account{
			{ID: "acme", Name: "Acme", Currency: "USD", Email: "billing@acme.example"},
			{ID: "globex", Name: "Globex", Currency: "EUR", Email: "ap@globex.example"},
			{ID: "idle", Name: "Idle", Currency: "USD", Email: "x@idle.example"},
		},
		Resources: []desk.AccountResource{
			{Customer: "acme", Component: "elb-us-east-1", Count: 4, From: &from},
			{Customer: "globex", Component: "elb-us-east-1", Count: 10},
		},
		Charges: []desk.AccountCharge{
			{Customer: "acme", Component: "elb-us-east-1", Month: "2012-12", AmountMinor: 250000, Currency: "USD"},
			{Customer: "globex", Component: "elb-us-east-1", Month: "2012-12", AmountMinor: 100000, Currency: "EUR"},
			{Customer: "globex", Component: "elb-us-east-1", Month: "2012-11", AmountMinor: 999999, Currency: "EUR"},
		},
		Policies: policies,
	}
}

func wantCode(t *testing.T, err error, code errs.Code, field string) {
	t.Helper()
	if errs.CodeOf(err) != code || errs.FieldOf(err) != field {
		t.Fatalf("got %v (code %q, field %q), want code %q on field %q", err, errs.CodeOf(err), errs.FieldOf(err), code, field)
	}
}

// The spec's worked example becomes acme's line with the spec's figures and
// the reason in words; a customer the impact does not name gets nothing.
func TestPreviewMonthSpecExample(t *testing.T) {
	lines, err := desk.PreviewMonth("2012-12", deskNow, exampleBase(), exampleData(elbPolicy(false)))
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 2 {
		t.Fatalf("%d lines, want acme and globex: %+v", len(lines), lines)
	}
	acme := lines[0]
	if acme.Customer != "acme" || acme.Uptime != "99.2573" || acme.Downtime != "19890" || acme.CreditPercent != P("10") ||
		acme.CreditMinor != 25000 || acme.PayableMinor != 25000 || acme.Claim != desk.ClaimNotRequired ||
		!acme.ClaimDeadline.Equal(time.Date(2013, 3, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("acme: %+v", acme)
	}
	if want := "uptime 99.2573% below 99.95%: 10% of 2,500.00 USD"; acme.Reason != want {
		t.Errorf("reason %q, want %q", acme.Reason, want)
	}
	globex := lines[1]
	if globex.Customer != "globex" || globex.Uptime != "100.0000" || globex.PayableMinor != 0 || globex.ChargesMinor != 100000 || globex.Currency != "EUR" {
		t.Errorf("globex: %+v", globex)
	}
	if want := "uptime 100.0000% not below 99.95%: no credit"; globex.Reason != want {
		t.Errorf("reason %q, want %q", globex.Reason, want)
	}
	run, err := desk.NewMonthRun("2012-12", deskNow, lines, "ann@example.com", deskNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Totals) != 2 || run.Totals[1] != (desk.RunTotal{Currency: "USD", CreditMinor: 25000, PayableMinor: 25000}) {
		t.Errorf("totals %+v", run.Totals)
	}
}

// A customer with an override is evaluated under its own policy, in its
// own time zone; everyone else under the default.
func TestPreviewMonthOverride(t *testing.T) {
	own := elbPolicy(false)
	own.ID, own.Customer, own.TimeZone = "elb-acme", "acme", "America/Los_Angeles"
	own.Tiers = []sla.Tier{{Below: P("99.95"), CreditPercent: P("25")}}
	lines, err := desk.PreviewMonth("2012-12", deskNow, exampleBase(), exampleData(elbPolicy(false), own))
	if err != nil {
		t.Fatal(err)
	}
	if lines[0].Policy != "elb-acme" || lines[0].CreditMinor != 62500 ||
		!lines[0].ClaimDeadline.Equal(time.Date(2013, 3, 1, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("acme under its override: %+v", lines[0])
	}
	if lines[1].Policy != "elb" {
		t.Errorf("globex under the default: %+v", lines[1])
	}
}

// A customer named by an impact but evaluated in its own scenario (it has
// an override) is in the default group as its real account, without
// resources, so the impact applies to nobody there; a named customer the
// desk does not keep is refused, naming the field.
func TestMonthScenariosNamedCustomers(t *testing.T) {
	own := elbPolicy(false)
	own.ID, own.Customer = "elb-acme", "acme"
	groups, err := desk.MonthScenarios("2012-12", deskNow, exampleBase(), exampleData(elbPolicy(false), own))
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 2 || groups[0].Customer != "" || groups[1].Customer != "acme" {
		t.Fatalf("groups %+v", groups)
	}
	got := fmt.Sprint(groups[0].Scenario.Customers)
	if want := "[{globex EUR [{elb-us-east-1 10 0001-01-01 00:00:00 +0000 UTC 0001-01-01 00:00:00 +0000 UTC}] [{elb-us-east-1 100000}]} {acme USD [] []}]"; got != want {
		t.Errorf("the default group's customers:\n got %s\nwant %s", got, want)
	}
	if one, ok := groups[0].Only("globex"); !ok || fmt.Sprint(one.Scenario.Customers[1]) != "{acme USD [] []}" {
		t.Errorf("globex alone: %+v", one.Scenario.Customers)
	}

	base := exampleBase()
	base.Incidents[0].Impacts[0].Customers = []sla.AffectedCustomer{{Customer: "acme"}, {Customer: "ghost"}}
	_, err = desk.PreviewMonth("2012-12", deskNow, base, exampleData(elbPolicy(false)))
	wantCode(t, err, errs.Invalid, "incidents[0].impacts[0].customers[1].customer")
}

// requires_claim: the credit is paid only when claimed before the deadline;
// a late claim is recorded and pays nothing.
func TestPreviewMonthClaims(t *testing.T) {
	p := elbPolicy(true)
	deadline, err := p.ClaimDeadline("2012-12")
	if err != nil {
		t.Fatal(err)
	}
	claim := func(at time.Time) []desk.Claim {
		c, err := desk.NewClaim(desk.Claim{Customer: "acme", Service: "ELB", Month: "2012-12", ClaimedAt: at}, p, "sam@example.com", at.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		return []desk.Claim{c}
	}
	for _, tc := range []struct {
		name     string
		requires bool
		claims   []desk.Claim
		status   desk.ClaimStatus
		payable  int64
	}{
		{"not required", false, nil, desk.ClaimNotRequired, 25000},
		{"required, none", true, nil, desk.ClaimMissing, 0},
		{"required, in time", true, claim(deadline.Add(-time.Second)), desk.ClaimInTime, 25000},
		{"required, at the deadline", true, claim(deadline), desk.ClaimLate, 0},
		{"required, late", true, claim(deadline.Add(72 * time.Hour)), desk.ClaimLate, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := exampleData(elbPolicy(tc.requires))
			d.Claims = tc.claims
			lines, err := desk.PreviewMonth("2012-12", deskNow, exampleBase(), d)
			if err != nil {
				t.Fatal(err)
			}
			l := lines[0]
			if l.Claim != tc.status || l.PayableMinor != tc.payable || l.CreditMinor != 25000 {
				t.Errorf("claim %s payable %d credit %d, want %s %d 25000 (%s)", l.Claim, l.PayableMinor, l.CreditMinor, tc.status, tc.payable, l.Reason)
			}
		})
	}
	late := claim(deadline.Add(time.Hour))[0]
	if !late.Late || !late.Deadline.Equal(deadline) {
		t.Errorf("late claim recorded as %+v", late)
	}
	if _, err := desk.NewClaim(desk.Claim{Customer: "acme", Service: "ELB", Month: "2012-12", ClaimedAt: deskNow.Add(time.Hour)}, p, "sam", deskNow); errs.FieldOf(err) != "claimed_at" {
		t.Errorf("a claim in the future: %v", err)
	}
}

// Nobody approves their own request; a run is approved once.
func TestCreditRunTwoPersonRule(t *testing.T) {
	run, err := desk.NewMonthRun("2012-12", deskNow, nil, "sam@example.com", deskNow)
	if err != nil {
		t.Fatal(err)
	}
	_, err = run.Approve("max@example.com", deskNow)
	wantCode(t, err, errs.Conflict, "") // not requested yet
	req, err := run.Request("ann@example.com", deskNow)
	if err != nil {
		t.Fatal(err)
	}
	_, err = req.Request("ann@example.com", deskNow)
	wantCode(t, err, errs.Conflict, "")
	_, err = req.Approve("ann@example.com", deskNow)
	wantCode(t, err, errs.Forbidden, "")
	ok, err := req.Approve("max@example.com", deskNow)
	if err != nil || ok.State != desk.RunIssued || ok.ApprovedBy != "max@example.com" {
		t.Fatalf("approve: %+v, %v", ok, err)
	}
	_, err = ok.Approve("zoe@example.com", deskNow)
	wantCode(t, err, errs.Conflict, "")
	_, err = ok.Reject("zoe@example.com", "too late", deskNow)
	wantCode(t, err, errs.Conflict, "")
	_, err = req.Reject("zoe@example.com", " ", deskNow)
	wantCode(t, err, errs.Invalid, "reason")
	rej, err := req.Reject("zoe@example.com", "charges are wrong", deskNow)
	if err != nil || rej.State != desk.RunRejected {
		t.Fatalf("reject: %+v, %v", rej, err)
	}
	_, err = rej.Approve("max@example.com", deskNow)
	wantCode(t, err, errs.Conflict, "")
}

// What a run writes is what it owes minus what the ledger holds per key.
func TestPlanIssueIdempotency(t *testing.T) {
	at := deskNow
	run := desk.CreditRun{ID: 7, Kind: desk.RunMonth, Period: "2012-12", State: desk.RunIssued, ApprovedAt: &at}
	line := func(customer, service string, payable int64) desk.RunLine {
		return desk.RunLine{Customer: customer, Service: service, Currency: "USD", PayableMinor: payable, Reason: "r"}
	}
	key := func(customer, service string) desk.LedgerKey {
		return desk.LedgerKey{Customer: customer, Service: service, Period: "2012-12", Kind: desk.EntryTier}
	}
	type want struct {
		customer string
		amount   int64
		kind     desk.EntryKind
		adjusts  int
	}
	for _, tc := range []struct {
		name  string
		lines []desk.RunLine
		held  map[desk.LedgerKey]desk.Held
		want  []want
	}{
		{"first run pays every non-zero line", []desk.RunLine{line("a", "ELB", 25000), line("b", "ELB", 0)}, nil,
			[]want{{"a", 25000, desk.EntryTier, 0}}},
		{"second run pays nothing", []desk.RunLine{line("a", "ELB", 25000), line("b", "ELB", 0)},
			map[desk.LedgerKey]desk.Held{key("a", "ELB"): {SumMinor: 25000, IDs: []int64{1}, Currency: "USD"}}, nil},
		{"more owed after a correction", []desk.RunLine{line("a", "ELB", 30000)},
			map[desk.LedgerKey]desk.Held{key("a", "ELB"): {SumMinor: 25000, IDs: []int64{1}, Currency: "USD"}},
			[]want{{"a", 5000, desk.EntryAdjustment, 1}}},
		{"less owed after a correction", []desk.RunLine{line("a", "ELB", 20000)},
			map[desk.LedgerKey]desk.Held{key("a", "ELB"): {SumMinor: 25000, IDs: []int64{1, 4}, Currency: "USD"}},
			[]want{{"a", -5000, desk.EntryAdjustment, 2}}},
		{"a key no longer owed is taken back", nil,
			map[desk.LedgerKey]desk.Held{key("a", "ELB"): {SumMinor: 25000, IDs: []int64{1}, Currency: "USD"}},
			[]want{{"a", -25000, desk.EntryAdjustment, 1}}},
		{"other periods are left alone", []desk.RunLine{line("a", "ELB", 100)},
			map[desk.LedgerKey]desk.Held{{Customer: "a", Service: "ELB", Period: "2012-11", Kind: desk.EntryTier}: {SumMinor: 500, IDs: []int64{9}}},
			[]want{{"a", 100, desk.EntryTier, 0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := desk.PlanIssue(run, tc.lines, tc.held, "max@example.com")
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("%d entries, want %d: %+v", len(got), len(tc.want), got)
			}
			for i, w := range tc.want {
				e := got[i]
				if e.Customer != w.customer || e.AmountMinor != w.amount || e.Kind != w.kind || len(e.Adjusts) != w.adjusts ||
					e.CreditKind != desk.EntryTier || e.RunID != 7 || e.Actor != "max@example.com" || !e.CreatedAt.Equal(at) {
					t.Errorf("entry %d: %+v, want %+v", i, e, w)
				}
			}
		})
	}
	_, err := desk.PlanIssue(desk.CreditRun{ID: 8, State: desk.RunRequested}, nil, nil, "max")
	wantCode(t, err, errs.Conflict, "")
}

// Outstanding is what approving a run now writes: a first run its lines, a
// second run of the same month nothing, a corrected one the difference.
func TestOutstanding(t *testing.T) {
	run := desk.CreditRun{ID: 9, Kind: desk.RunMonth, Period: "2012-12", State: desk.RunRequested}
	lines := []desk.RunLine{
		{Customer: "a", Service: "ELB", Currency: "USD", PayableMinor: 25000},
		{Customer: "b", Service: "ELB", Currency: "EUR", PayableMinor: 900},
		{Customer: "c", Service: "ELB", Currency: "USD", PayableMinor: 0},
	}
	held := func(a, b int64) map[desk.LedgerKey]desk.Held {
		k := func(c string) desk.LedgerKey {
			return desk.LedgerKey{Customer: c, Service: "ELB", Period: "2012-12", Kind: desk.EntryTier}
		}
		return map[desk.LedgerKey]desk.Held{k("a"): {SumMinor: a, IDs: []int64{1}, Currency: "USD"}, k("b"): {SumMinor: b, IDs: []int64{2}, Currency: "EUR"}}
	}
	for _, tc := range []struct {
		name string
		held map[desk.LedgerKey]desk.Held
		want string
	}{
		{"first run", nil, "2 [{EUR 900 900} {USD 25000 25000}]"},
		{"second run", held(25000, 900), "0 []"},
		{"after a correction", held(20000, 1000), "2 [{EUR -100 -100} {USD 5000 5000}]"},
	} {
		out, err := desk.Outstanding(run, lines, tc.held)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(out.Entries, " ", out.Totals); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

// Up to its currency's threshold a manual credit is issued at once; above
// it, or with no threshold, another person approves it.
func TestManualCreditThreshold(t *testing.T) {
	acme := desk.Account{ID: "acme", Currency: "USD"}
	th := map[string]desk.ManualThreshold{"USD": {AboveMinor: 10000, SetBy: "ann@example.com"}}
	for _, tc := range []struct {
		name   string
		in     desk.ManualCredit
		state  desk.ManualState
		field  string
		thresh map[string]desk.ManualThreshold
	}{
		{"below", desk.ManualCredit{Customer: "acme", AmountMinor: 500, Reason: "sorry"}, desk.ManualIssued, "", th},
		{"at the threshold", desk.ManualCredit{Customer: "acme", AmountMinor: 10000, Reason: "sorry"}, desk.ManualIssued, "", th},
		{"above", desk.ManualCredit{Customer: "acme", AmountMinor: 10001, Reason: "sorry"}, desk.ManualPending, "", th},
		{"no threshold for the currency", desk.ManualCredit{Customer: "acme", AmountMinor: 1, Reason: "sorry"}, desk.ManualPending, "", nil},
		{"within a threshold the requester set", desk.ManualCredit{Customer: "acme", AmountMinor: 1, Reason: "sorry"}, desk.ManualPending, "",
			map[string]desk.ManualThreshold{"USD": {AboveMinor: 10000, SetBy: "sam@example.com"}}},
		{"no reason", desk.ManualCredit{Customer: "acme", AmountMinor: 5, Reason: "  "}, "", "reason", th},
		{"zero", desk.ManualCredit{Customer: "acme", AmountMinor: 0, Reason: "x"}, "", "amount_minor", th},
		{"other currency", desk.ManualCredit{Customer: "acme", AmountMinor: 5, Reason: "x", Currency: "EUR"}, "", "currency", th},
		{"bad month", desk.ManualCredit{Customer: "acme", AmountMinor: 5, Reason: "x", Month: "2012-13"}, "", "month", th},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := desk.NewManualCredit(tc.in, acme, tc.thresh, "sam@example.com", deskNow)
			if tc.field != "" {
				wantCode(t, err, errs.Invalid, tc.field)
				return
			}
			if err != nil || m.State != tc.state || m.Currency != "USD" {
				t.Fatalf("%+v, %v; want state %s", m, err, tc.state)
			}
		})
	}
	m, _ := desk.NewManualCredit(desk.ManualCredit{Customer: "acme", AmountMinor: 20000, Reason: "outage"}, acme, th, "sam@example.com", deskNow)
	_, err := m.Approve("sam@example.com", deskNow)
	wantCode(t, err, errs.Forbidden, "")
	ok, err := m.Approve("max@example.com", deskNow)
	if err != nil || ok.State != desk.ManualIssued || ok.DecidedBy != "max@example.com" {
		t.Fatalf("%+v, %v", ok, err)
	}
	_, err = ok.Approve("zoe@example.com", deskNow)
	wantCode(t, err, errs.Conflict, "")
	if e := ok.Entry("max (token)"); e.Kind != desk.EntryManual || e.AmountMinor != 20000 || e.Reason != "outage" {
		t.Errorf("entry %+v", e)
	}
}

// A charge in another currency than its customer's is refused on
// "currency"; the other rules name their fields too.
func TestDeskValidation(t *testing.T) {
	acme := desk.Account{ID: "acme", Name: "Acme", Currency: "USD", Email: "billing@acme.example"}
	for _, tc := range []struct {
		name  string
		err   error
		field string
	}{
		{"charge currency", desk.AccountCharge{Component: "c", Month: "2012-12", AmountMinor: 1, Currency: "EUR"}.Validate(acme), "currency"},
		{"charge negative", desk.AccountCharge{Component: "c", Month: "2012-12", AmountMinor: -1}.Validate(acme), "amount_minor"},
		{"charge month", desk.AccountCharge{Component: "c", Month: "Dec 2012"}.Validate(acme), "month"},
		{"account id", desk.Account{ID: "Acme!", Name: "A", Currency: "USD", Email: "a@b.c"}.Validate(), "id"},
		{"account currency", desk.Account{ID: "a", Name: "A", Currency: "usd1", Email: "a@b.c"}.Validate(), "currency"},
		{"account email", desk.Account{ID: "a", Name: "A", Currency: "USD", Email: "nobody"}.Validate(), "contact_email"},
		{"resource count", desk.AccountResource{Customer: "a", Component: "c", Count: -1}.Validate(), "count"},
		{"policy tiers", desk.ServicePolicy{Policy: sla.Policy{ID: "p", Service: "S", Target: P("99.9"),
			Tiers: []sla.Tier{{Below: P("99"), CreditPercent: P("10")}, {Below: P("98"), CreditPercent: P("5")}}}}.Validate(), "tiers[1].credit_percent"},
		{"policy zone", desk.ServicePolicy{Policy: sla.Policy{ID: "p", Service: "S"}, TimeZone: "Mars/Olympus"}.Validate(), "timezone"},
	} {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.err, errs.Invalid, tc.field) })
	}
	if err := (desk.AccountCharge{Component: "c", Month: "2012-12", AmountMinor: 1}).Validate(acme); err != nil {
		t.Errorf("a charge with no currency takes the customer's: %v", err)
	}
}

func TestFormatMoney(t *testing.T) {
	for _, tc := range []struct {
		minor    int64
		currency string
		want     string
	}{
		{250000, "USD", "2,500.00 USD"}, {5, "EUR", "0.05 EUR"}, {1500, "JPY", "1,500 JPY"},
		{-123456789, "USD", "-1,234,567.89 USD"}, {1, "KWD", "0.001 KWD"}, {0, "USD", "0.00 USD"},
	} {
		if got := desk.FormatMoney(tc.minor, tc.currency); got != tc.want {
			t.Errorf("FormatMoney(%d, %s) = %q, want %q", tc.minor, tc.currency, got, tc.want)
		}
	}
}

// ParseMoney reads major units into minor units exactly, with the
// currency's decimals, and refuses anything it would have to guess.
func TestParseMoney(t *testing.T) {
	for _, tc := range []struct {
		text, currency string
		want           int64
	}{
		{"125.50", "USD", 12550}, {"125.5", "USD", 12550}, {"125", "USD", 12500}, {" 0.01 ", "EUR", 1},
		{"1500", "JPY", 1500}, {"1500.000", "JPY", 1500}, {"0.001", "KWD", 1}, {"2500.00", "USD", 250000},
		{"0", "USD", 0}, {"000.10", "USD", 10}, {"10000000000000.00", "USD", desk.MaxMinor}, {"1000000000000000", "JPY", desk.MaxMinor},
	} {
		got, err := desk.ParseMoney("amount", tc.text, tc.currency)
		if err != nil || got != tc.want {
			t.Errorf("ParseMoney(%q, %s) = %d, %v; want %d", tc.text, tc.currency, got, err, tc.want)
		}
		if back := desk.FormatMoney(got, tc.currency); tc.want != 0 && !strings.HasSuffix(back, " "+tc.currency) {
			t.Errorf("FormatMoney(%d, %s) = %q", got, tc.currency, back)
		}
	}
	for _, tc := range []struct{ text, currency, msg string }{
		{"", "USD", "is required"},
		{"12.345", "USD", "12.345 has more than 2 decimals, the most USD has"},
		{"1.5", "JPY", "1.5 has decimals, and JPY has no minor unit"},
		{"-5", "USD", "-5 is below 0"},
		{"1,250.00", "USD", "thousands separators"},
		{"125,50", "EUR", "thousands separators"},
		{"12,5x", "EUR", `"12,5x" is not an amount such as 1250.50: write digits only`},
		{"1e3", "USD", "is not an amount"}, {"12.", "USD", "is not an amount"}, {".5", "USD", "is not an amount"},
		{"+5", "USD", "is not an amount"}, {"5 USD", "USD", "is not an amount"}, {"NaN", "USD", "is not an amount"},
		{"92233720368547758.08", "USD", "is too large"}, {"92233720368547758.07", "USD", "is too large"},
		{"10000000000000.01", "USD", "is too large: the most an amount may be is 10,000,000,000,000.00 USD"},
	} {
		_, err := desk.ParseMoney("amount", tc.text, tc.currency)
		if errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != "amount" || !strings.Contains(errs.MessageOf(err), tc.msg) {
			t.Errorf("ParseMoney(%q, %s): %v, want amount: …%s…", tc.text, tc.currency, err, tc.msg)
		}
	}
}

// A stored policy goes through JSON and back unchanged.
func TestServicePolicyJSON(t *testing.T) {
	p := elbPolicy(true)
	p.Customer, p.TimeZone = "acme", "Europe/Dublin"
	capP := P("50")
	p.CapPercent = &capP
	b, err := p.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	back, err := desk.DecodeServicePolicy(b)
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := back.MarshalJSON()
	if string(b) != string(b2) {
		t.Errorf("round trip:\n%s\n%s", b, b2)
	}
	_, err = desk.DecodeServicePolicy([]byte(`{"id":"p","service":"S","target":"101","tiers":[]}`))
	wantCode(t, err, errs.Invalid, "target")
}

// Months and resource dates before 1990, or more than ten years ahead,
// are typos or probes: refused on their field.
func TestMonthsAndDatesInRange(t *testing.T) {
	for _, tc := range []struct {
		month string
		ok    bool
	}{{"1990-01", true}, {"2012-12", true}, {"1989-12", false}, {"0001-01", false}, {"0000-01", false}} {
		if err := desk.CheckMonth("month", tc.month); (err == nil) != tc.ok || (err != nil && errs.FieldOf(err) != "month") {
			t.Errorf("CheckMonth(%s) = %v, want accepted %v", tc.month, err, tc.ok)
		}
	}
	if _, err := desk.NewMonthRun("0001-01", deskNow, nil, "sam@example.com", deskNow); errs.FieldOf(err) != "month" {
		t.Errorf("run of 0001-01: %v", err)
	}
	if _, err := desk.NewMonthRun("2023-02", deskNow, nil, "sam@example.com", deskNow); errs.FieldOf(err) != "month" || !strings.Contains(err.Error(), "10 years") {
		t.Errorf("run of 2023-02 in 2013: %v", err)
	}
	at := func(y int) *time.Time { t := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC); return &t }
	for _, tc := range []struct {
		r     desk.AccountResource
		field string
	}{
		{desk.AccountResource{Customer: "acme", Component: "c", Count: 1, From: at(2012), To: at(2014)}, ""},
		{desk.AccountResource{Customer: "acme", Component: "c", Count: 1, From: at(1), To: at(2014)}, "from"},
		{desk.AccountResource{Customer: "acme", Component: "c", Count: 1, To: at(1989)}, "to"},
		{desk.AccountResource{Customer: "acme", Component: "c", Count: 1, From: at(9999)}, "from"},
		{desk.AccountResource{Customer: "acme", Component: "c", Count: 1, From: at(2012), To: at(2024)}, "to"},
	} {
		err := tc.r.ValidateAt(deskNow)
		if (err == nil) != (tc.field == "") || errs.FieldOf(err) != tc.field {
			t.Errorf("%v–%v: %v, want an error on %q", tc.r.From, tc.r.To, err, tc.field)
		}
	}
}

// A month more than ten years ahead is refused like one before 1990.
func TestCheckMonthAt(t *testing.T) {
	now := time.Date(2012, 12, 24, 20, 0, 0, 0, time.UTC)
	for month, want := range map[string]string{
		"2012-12": "", "2022-12": "",
		"2023-01": "month: 2023-01 is more than 10 years from now",
		"9999-12": "month: 9999-12 is more than 10 years from now",
		"0001-01": "month: 0001-01 is before 1990-01",
		"2012-13": `month: "2012-13" is not a month such as 2012-12`,
	} {
		err := desk.CheckMonthAt("month", month, now)
		if got := fmt.Sprint(err); (want == "" && err != nil) || (want != "" && got != want) {
			t.Errorf("CheckMonthAt(%s) = %v, want %q", month, err, want)
		}
	}
}

// Each customer in a month's scenarios has its own resources and charges
// of the month, in the order the data lists them, whether the accounts are
// in ID order (found without a map) or not, or one is listed twice (both
// get its entries); an entry of an unknown customer is left out.
func TestMonthScenariosCarveEachAccountsEntries(t *testing.T) {
	from := time.Date(2012, 12, 3, 0, 0, 0, 0, time.UTC)
	d := &desk.MonthData{Policies: []desk.ServicePolicy{elbPolicy(false)}}
	for i := range 40 {
		d.Accounts = append(d.Accounts, desk.Account{ID: fmt.Sprintf("c%02d", i), Currency: []string{"USD", "EUR"}[i%2]})
	}
	for j := range 200 {
		c := fmt.Sprintf("c%02d", (j*7)%43) // c40 to c42 are no accounts
		r := desk.AccountResource{Customer: c, Component: "elb-us-east-1", Count: int64(j)}
		if j%3 == 0 {
			r.From = &from
		}
		d.Resources = append(d.Resources, r)
		d.Charges = append(d.Charges, desk.AccountCharge{Customer: c, Component: "elb-us-east-1", Month: []string{"2012-12", "2012-11"}[j%4/3], AmountMinor: int64(j)})
	}
	check := func(what string, d *desk.MonthData) {
		t.Helper()
		var want []sla.Customer // each account's, in the accounts' order
		for _, a := range d.Accounts {
			c := sla.Customer{ID: a.ID, Currency: a.Currency}
			for _, r := range d.Resources {
				if r.Customer == a.ID {
					x := sla.Resource{Component: r.Component, Count: r.Count}
					if r.From != nil {
						x.From = *r.From
					}
					c.Resources = append(c.Resources, x)
				}
			}
			for _, ch := range d.Charges {
				if ch.Customer == a.ID && ch.Month == "2012-12" {
					c.Charges = append(c.Charges, sla.Charge{Component: ch.Component, AmountMinor: ch.AmountMinor})
				}
			}
			want = append(want, c)
		}
		groups, err := desk.MonthScenarios("2012-12", deskNow, exampleBase(), d)
		if err != nil {
			t.Fatal(err)
		}
		got := groups[0].Scenario.Customers
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: the scenario's customers differ from each account's entries", what)
		}
	}
	check("accounts in ID order", d)
	shuffled := *d
	shuffled.Accounts = slices.Clone(d.Accounts)
	for i := range shuffled.Accounts {
		j := (i * 17) % len(shuffled.Accounts)
		shuffled.Accounts[i], shuffled.Accounts[j] = shuffled.Accounts[j], shuffled.Accounts[i]
	}
	check("accounts in another order", &shuffled)
	twice := *d
	twice.Accounts = append(slices.Clone(d.Accounts), desk.Account{ID: "c05", Currency: "JPY"})
	check("an account listed twice", &twice)
}

// A run's totals sum its lines by currency, however the currencies
// alternate, in currency order.
func TestNewMonthRunTotalsByCurrency(t *testing.T) {
	var lines []desk.RunLine
	for i, c := range []string{"USD", "USD", "EUR", "USD", "JPY", "JPY", "EUR", "USD"} {
		lines = append(lines, desk.RunLine{Currency: c, CreditMinor: int64(10 + i), PayableMinor: int64(i)})
	}
	run, err := desk.NewMonthRun("2012-12", deskNow, lines, "sam", deskNow)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(run.Totals), "[{EUR 28 8} {JPY 29 9} {USD 51 11}]"; got != want {
		t.Errorf("totals %s, want %s", got, want)
	}
}
