package desk_test

import (
	"testing"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
)

func TestParseInstantReadsTheLayoutsInUTC(t *testing.T) {
	want := time.Date(2012, 12, 24, 20, 24, 0, 0, time.UTC)
	for _, text := range []string{"2012-12-24 20:24", " 2012-12-24T20:24 ", "2012-12-24 20:24:00", "2012-12-24T20:24:00", "2012-12-24T20:24:00Z", "2012-12-25T05:24:00+09:00"} {
		got, err := desk.ParseInstant("at", text)
		if err != nil || got == nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("ParseInstant(%q) = %v, %v; want %v in UTC", text, got, err, want)
		}
	}
	if got, err := desk.ParseInstant("at", "  "); got != nil || err != nil {
		t.Errorf("blank: %v, %v", got, err)
	}
	for _, text := range []string{"24/12/2012", "2012-12-24", "2012-12-24 25:00", "now"} {
		_, err := desk.ParseInstant("at", text)
		if errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != "at" || errs.MessageOf(err) != `"`+text+`" is not a time; write it as 2012-12-24 20:24 (UTC)` {
			t.Errorf("ParseInstant(%q): %v", text, err)
		}
	}
}

func TestParseWholeNumber(t *testing.T) {
	for text, want := range map[string]int64{"": 0, " ": 0, "7": 7, " -3 ": -3, "+4": 4, "9223372036854775807": 1<<63 - 1} {
		if got, err := desk.ParseWholeNumber("n", text); got != want || err != nil {
			t.Errorf("ParseWholeNumber(%q) = %d, %v; want %d", text, got, err, want)
		}
	}
	for _, text := range []string{"1.5", "1e3", "x", "9223372036854775808", "1 000"} {
		_, err := desk.ParseWholeNumber("n", text)
		if errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != "n" || errs.MessageOf(err) != `"`+text+`" is not a whole number` {
			t.Errorf("ParseWholeNumber(%q): %v", text, err)
		}
	}
}

// The component is checked first, and the amount is read only once it is
// known; the rest is the entry's own Validate.
func TestFromTextChecksInOrder(t *testing.T) {
	unknown := func(field, id string) error { return errs.Invalidf(field, "unknown component %q", id) }
	known := func(string, string) error { return nil }
	if _, err := desk.ResourceFromText(unknown, "acme", " x ", "", "bad", ""); errs.FieldOf(err) != "component" || errs.MessageOf(err) != `unknown component "x"` {
		t.Errorf("resource, unknown component: %v", err)
	}
	for _, tc := range []struct{ count, from, to, field string }{
		{"", "bad", "", "count"}, {"1", "bad", "bad", "from"}, {"1", "", "bad", "to"}, {"-1", "", "", "count"},
		{"1", "2013-01-01 00:00", "2013-01-01 00:00", "to"},
	} {
		if _, err := desk.ResourceFromText(known, "acme", "x", tc.count, tc.from, tc.to); errs.FieldOf(err) != tc.field {
			t.Errorf("resource %+v: %v, want an error on %s", tc, err, tc.field)
		}
	}
	r, err := desk.ResourceFromText(known, "acme", " x ", " 3 ", "", "2013-01-01 00:00")
	if err != nil || r.Component != "x" || r.Count != 3 || r.From != nil || r.To == nil {
		t.Errorf("resource = %+v, %v", r, err)
	}

	acme := desk.Account{ID: "acme", Currency: "USD"}
	called := false
	amount := func() (int64, error) { called = true; return 5, nil }
	if _, err := desk.ChargeFromText(unknown, acme, "x", "2012-12", amount, ""); errs.FieldOf(err) != "component" || called {
		t.Errorf("charge, unknown component: %v, amount read: %v", err, called)
	}
	if _, err := desk.ChargeFromText(known, acme, "x", "2012-12", func() (int64, error) { return 0, errs.Invalidf("amount_minor", "is required") }, ""); errs.FieldOf(err) != "amount_minor" {
		t.Errorf("charge, no amount: %v", err)
	}
	ch, err := desk.ChargeFromText(known, acme, " x ", " 2012-12 ", amount, " usd ")
	if err != nil || ch != (desk.AccountCharge{Customer: "acme", Component: "x", Month: "2012-12", AmountMinor: 5, Currency: "USD"}) {
		t.Errorf("charge = %+v, %v", ch, err)
	}
}

func TestFormatMoneyWritesAWholeDigitAndEveryDecimal(t *testing.T) {
	for _, c := range []struct {
		minor    int64
		currency string
		want     string
	}{
		{0, "USD", "0.00 USD"}, {5, "USD", "0.05 USD"}, {-5, "USD", "-0.05 USD"}, {99, "USD", "0.99 USD"}, {100, "USD", "1.00 USD"},
		{123456789, "USD", "1,234,567.89 USD"}, {0, "JPY", "0 JPY"}, {1500, "JPY", "1,500 JPY"}, {7, "KWD", "0.007 KWD"},
		{-1 << 63, "USD", "-92,233,720,368,547,758.08 USD"}, {1<<63 - 1, "KWD", "9,223,372,036,854,775.807 KWD"},
	} {
		if got := desk.FormatMoney(c.minor, c.currency); got != c.want {
			t.Errorf("FormatMoney(%d, %s) = %q; want %q", c.minor, c.currency, got, c.want)
		}
	}
}
