package form

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/amends/amends/incidents"
)

func n64(v int64) *int64 { return &v }

func TestParseCustomerLines(t *testing.T) {
	got, lines, err := parseCustomerLines("\ufeffCustomer, Affected_Resources\r\n acme\r\n\r\n  \nglobex, 3\n\"initech\",\n")
	want := []incidents.AffectedCustomer{{Customer: "acme"}, {Customer: "globex", AffectedResources: n64(3)}, {Customer: "initech"}}
	if err != nil || !reflect.DeepEqual(got, want) || fmt.Sprint(lines) != "[2 5 6]" {
		t.Errorf("parseCustomerLines = %v, %v, %v", got, lines, err)
	}
	if text := customerLinesText(got); text != "acme\nglobex, 3\ninitech\n" {
		t.Errorf("customerLinesText = %q", text)
	}
	if again, _, err := parseCustomerLines(customerLinesText(got)); err != nil || !sameCustomers(again, got) {
		t.Errorf("the text reads back as %v, %v", again, err)
	}
	// The header is only a header on the first line.
	if got, _, _ := parseCustomerLines("acme\ncustomer\n"); len(got) != 2 || got[1].Customer != "customer" {
		t.Errorf("a later customer line: %v", got)
	}
	for text, msg := range map[string]string{
		"acme\nglobex, three\n": `line 2: affected resources "three" is not a whole number`,
		"acme, 1, 2\n":          "line 1: has 3 values; write customer-id, or customer-id, affected resources",
	} {
		if _, _, err := parseCustomerLines(text); err == nil || err.Error() != msg {
			t.Errorf("parseCustomerLines(%q): %v, want %s", text, err, msg)
		}
	}
}

func TestSameCustomers(t *testing.T) {
	a := []incidents.AffectedCustomer{{Customer: "acme"}, {Customer: "globex", AffectedResources: n64(3)}}
	for _, tc := range []struct {
		b    []incidents.AffectedCustomer
		same bool
	}{
		{[]incidents.AffectedCustomer{{Customer: "acme"}, {Customer: "globex", AffectedResources: n64(3)}}, true},
		{[]incidents.AffectedCustomer{{Customer: "globex", AffectedResources: n64(3)}, {Customer: "acme"}}, false},
		{[]incidents.AffectedCustomer{{Customer: "acme"}, {Customer: "globex", AffectedResources: n64(4)}}, false},
		{[]incidents.AffectedCustomer{{Customer: "acme"}, {Customer: "globex"}}, false},
		{[]incidents.AffectedCustomer{{Customer: "acme", AffectedResources: n64(0)}, {Customer: "globex", AffectedResources: n64(3)}}, false},
		{a[:1], false},
	} {
		if got := sameCustomers(a, tc.b); got != tc.same {
			t.Errorf("sameCustomers(%v, %v) = %v", a, tc.b, got)
		}
	}
}
