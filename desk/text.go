package desk

import (
	"strconv"
	"strings"
	"time"

	"github.com/amends/amends/internal/errs"
)

// Reading the desk's values from text as people type them in the admin
// forms and as the CSV import gives them: the same layouts and messages for
// both.

// instantLayouts are the instants text may give, all read as UTC unless
// they carry an offset.
var instantLayouts = []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02 15:04:05"}

// ParseInstant reads an optional instant: nil for blank text; RFC 3339, or
// "2006-01-02 15:04" (a "T" or seconds allowed) in UTC. It returns
// errs.Invalid on field for anything else.
func ParseInstant(field, text string) (*time.Time, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, nil
	}
	for _, layout := range instantLayouts {
		if t, err := time.ParseInLocation(layout, text, time.UTC); err == nil {
			t = t.UTC()
			return &t, nil
		}
	}
	return nil, errs.Invalidf(field, "%q is not a time; write it as 2012-12-24 20:24 (UTC)", text)
}

// ParseWholeNumber reads an optional whole number: 0 for blank text,
// errs.Invalid on field for anything but an integer.
func ParseWholeNumber(field, text string) (int64, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return 0, errs.Invalidf(field, "%q is not a whole number", text)
	}
	return n, nil
}

// requiredWholeNumber is ParseWholeNumber for a value that must be given:
// errs.Invalid on field when text is blank.
func requiredWholeNumber(field, text string) (int64, error) {
	if strings.TrimSpace(text) == "" {
		return 0, errs.Invalidf(field, "is required")
	}
	return ParseWholeNumber(field, text)
}

// ResourceFromText reads a resource entry of customer from text, as the
// admin form and the CSV import give it; known checks the component (the
// form asks the stored components, the import its list). It returns
// errs.Invalid on "component", "count", "from" or "to", in that order, or
// what Validate finds.
func ResourceFromText(known func(field, id string) error, customer, component, count, from, to string) (AccountResource, error) {
	r := AccountResource{Customer: customer, Component: strings.TrimSpace(component)}
	if err := known("component", r.Component); err != nil {
		return r, err
	}
	n, err := requiredWholeNumber("count", count)
	if err != nil {
		return r, err
	}
	r.Count = n
	if r.From, err = ParseInstant("from", from); err != nil {
		return r, err
	}
	if r.To, err = ParseInstant("to", to); err != nil {
		return r, err
	}
	return r, r.Validate()
}

// ChargeFromText reads a charge of customer a from text; known checks the
// component, and amount, called once the component is known, reads the
// amount in minor units (the form takes major units with ParseMoney, the
// CSV import minor units). An empty currency means a's. It returns
// errs.Invalid on "component", what amount returns, or what Validate finds
// ("month", "amount_minor", "currency").
func ChargeFromText(known func(field, id string) error, a Account, component, month string, amount func() (int64, error), currency string) (AccountCharge, error) {
	ch := AccountCharge{Customer: a.ID, Component: strings.TrimSpace(component), Month: strings.TrimSpace(month), Currency: strings.ToUpper(strings.TrimSpace(currency))}
	if err := known("component", ch.Component); err != nil {
		return ch, err
	}
	n, err := amount()
	if err != nil {
		return ch, err
	}
	ch.AmountMinor = n
	return ch, ch.Validate(a)
}
