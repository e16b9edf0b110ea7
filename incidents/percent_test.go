package incidents

import (
	"encoding/json"
	"testing"

	"github.com/amends/amends/internal/errs"
)

func TestParsePercent(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Percent
		err  string
	}{
		{"6.8", 68000, ""},
		{"12.5", 125000, ""},
		{"100", 1000000, ""},
		{"100.0000", 1000000, ""},
		{"0", 0, ""},
		{"-0", 0, ""},
		{"0.0001", 1, ""},
		{"007.50", 75000, ""},
		{" 12.5 ", 125000, ""},
		{".5", 5000, ""},
		{"5.", 50000, ""},
		{"1e1", 100000, ""},
		{"6.8E-1", 6800, ""},
		{"6.80000", 68000, ""},
		{"120", 0, "120 is above 100"},
		{"100.0001", 0, "100.0001 is above 100"},
		{"1000", 0, "1000 is above 100"},
		{"1e3", 0, "1e3 is above 100"},
		{"1e999999999999", 0, "1e999999999999 is above 100"},
		{"-1", 0, "-1 is below 0"},
		{"-0.0001", 0, "-0.0001 is below 0"},
		{"6.12345", 0, "6.12345 has more than 4 decimals"},
		{"1e-5", 0, "1e-5 has more than 4 decimals"},
		{"1e-999999999999", 0, "1e-999999999999 has more than 4 decimals"},
		{"abc", 0, `"abc" is not a number`},
		{"", 0, `"" is not a number`},
		{".", 0, `"." is not a number`},
		{"1/2", 0, `"1/2" is not a number`},
		{"0x10", 0, `"0x10" is not a number`},
		{"NaN", 0, `"NaN" is not a number`},
		{"1,5", 0, `"1,5" is not a number`},
	} {
		got, err := ParsePercent(tc.in)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err || errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != "" {
				t.Errorf("ParsePercent(%q) = %v, %v; want error %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParsePercent(%q) = %v, %v; want %v", tc.in, int64(got), err, int64(tc.want))
		}
	}
}

func TestPercentString(t *testing.T) {
	for p, want := range map[Percent]string{
		68000: "6.8", 125000: "12.5", 1000000: "100", 0: "0", 1: "0.0001", 10: "0.001",
		123456: "12.3456", -68000: "-6.8", 50000: "5",
	} {
		if got := p.String(); got != want {
			t.Errorf("Percent(%d).String() = %q, want %q", int64(p), got, want)
		}
		if p >= 0 {
			back, err := ParsePercent(want)
			if err != nil || back != p {
				t.Errorf("round trip of %q: %v %v", want, back, err)
			}
		}
	}
}

func TestPercentJSON(t *testing.T) {
	b, err := json.Marshal(struct {
		P Percent  `json:"p"`
		Q *Percent `json:"q"`
	}{68000, nil})
	if err != nil || string(b) != `{"p":"6.8","q":null}` {
		t.Fatalf("marshal: %s %v", b, err)
	}
	for in, want := range map[string]Percent{
		`"6.8"`: 68000, `6.8`: 68000, `12.5`: 125000, `100`: 1000000, `"0"`: 0,
		// Exact: 0.1+0.2 style float noise never enters.
		`0.3`: 3000, `99.9999`: 999999, `6.8e0`: 68000,
	} {
		var p Percent
		if err := json.Unmarshal([]byte(in), &p); err != nil || p != want {
			t.Errorf("unmarshal %s = %d %v, want %d", in, int64(p), err, int64(want))
		}
	}
	for in, want := range map[string]string{
		`"120"`:     "120 is above 100",
		`-1`:        "-1 is below 0",
		`6.12345`:   "6.12345 has more than 4 decimals",
		`"abc"`:     `"abc" is not a number`,
		`true`:      `"true" is not a number`,
		`{"a": 1}`:  `"{\"a\": 1}" is not a number`,
		`"1e-9999"`: "1e-9999 has more than 4 decimals",
	} {
		var p Percent
		err := (&p).UnmarshalJSON([]byte(in))
		if err == nil || err.Error() != want || errs.CodeOf(err) != errs.Invalid {
			t.Errorf("unmarshal %s: %v, want %q", in, err, want)
		}
	}
	// Through encoding/json, the domain error comes back as is.
	var in ComponentChange
	err = json.Unmarshal([]byte(`{"component":"x","status":"partial_outage","affected_percent":120}`), &in)
	if errs.CodeOf(err) != errs.Invalid || errs.MessageOf(err) != "120 is above 100" {
		t.Errorf("json.Unmarshal: %v", err)
	}
	if err := json.Unmarshal([]byte(`{"affected_percent":"12.5"}`), &in); err != nil || *in.AffectedPercent != 125000 {
		t.Errorf("json.Unmarshal pointer: %v", err)
	}
}

func TestPercentValidate(t *testing.T) {
	for p, want := range map[Percent]string{0: "", Percent100: "", 68000: "", Percent100 + 1: "100.0001 is above 100", -10000: "-1 is below 0"} {
		got := ""
		if err := p.Validate(); err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("%d: %q, want %q", int64(p), got, want)
		}
	}
}
