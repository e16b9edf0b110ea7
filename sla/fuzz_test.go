package sla_test

import (
	"bytes"
	"encoding/json"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
)

// FuzzEvaluate: any input gives a result or an Invalid/Malformed error, never
// a panic, and a result always encodes to valid JSON.
//
//	go test ./sla -run '^$' -fuzz FuzzEvaluate -fuzztime 60s
func FuzzEvaluate(f *testing.F) {
	example := readFile(f, "testdata/example.json")
	f.Add([]byte(example))
	f.Add([]byte(strings.Replace(example, exampleMaintenance["verbatim"], exampleMaintenance["window elsewhere"], 1)))
	f.Add([]byte(readFile(f, "testdata/valid.json")))
	f.Add([]byte(`{"period": {"start": "2013-04-01T00:00:00Z", "end": "2013-04-02T00:00:00Z"}, "components": [], "policies": [], "incidents": [], "maintenance": [], "customers": []}`))
	var buf bytes.Buffer
	if err := sla.EncodeScenario(&buf, randomScenario(1)); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := sla.DecodeScenario(bytes.NewReader(data))
		if err != nil {
			if c := errs.CodeOf(err); c != errs.Invalid && c != errs.Malformed {
				t.Fatalf("decode: %v (%s)", err, c)
			}
			return
		}
		if s.AsOf.IsZero() {
			s.AsOf = time.Date(2013, 1, 5, 0, 0, 0, 0, time.UTC)
		}
		res, err := sla.Evaluate(s)
		if err != nil {
			if c := errs.CodeOf(err); c != errs.Invalid {
				t.Fatalf("evaluate: %v (%s)", err, c)
			}
			return
		}
		out, err := json.Marshal(res)
		if err != nil || !json.Valid(out) {
			t.Fatalf("result does not encode: %v", err)
		}
	})
}

// FuzzParsePercent: any text gives a Percent within 0–100 or an errs.Invalid
// with no field, never a panic; a parsed value is the text's exact value, and
// its text reads back as the same value (also through JSON, as a string and
// as a number).
//
//	go test ./sla -run '^$' -fuzz FuzzParsePercent -fuzztime 60s
func FuzzParsePercent(f *testing.F) {
	for _, s := range []string{"6.8", "100", "0", "0.0001", "1e2", "1E2", "100e0", "0.5e2", "1e-2", "12.5", " 7 ", "1e400", "1e-400",
		"-0e99999999999999999999", "-0", "+5", ".5", "5.", "", "abc", "18e1", "100.0001", "6.12345", "-1", "007.50", "1e999999999999", "1000e-1",
		"1E+2", "100.0e0", "1e-5", "1E+3", "-1e0", "-0.0", "0e0", "12.5e-1", "NaN", "Infinity", "0x10", "1_0", "\u00a05", "1e", "e2", "1e+", "--1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := sla.ParsePercent(s)
		if err != nil {
			if errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != "" || errs.MessageOf(err) == "" {
				t.Fatalf("ParsePercent(%q): %v is not an errs.Invalid with no field", s, err)
			}
			return
		}
		if p < 0 || p > sla.Hundred {
			t.Fatalf("ParsePercent(%q) = %d, outside 0–100", s, int64(p))
		}
		// Exact: the text's value in ten-thousandths of a percent. (math/big
		// reads the same syntax, but refuses an exponent beyond int64 even
		// after a zero.)
		if x, ok := new(big.Rat).SetString(strings.TrimSpace(s)); ok && x.Cmp(big.NewRat(int64(p), int64(sla.PercentUnit))) != 0 || !ok && p != 0 {
			t.Fatalf("ParsePercent(%q) = %s, not the text's value %v", s, p, x)
		}
		text := p.String()
		if back, err := sla.ParsePercent(text); err != nil || back != p {
			t.Fatalf("ParsePercent(%q) = %s, which reads back as %v, %v", s, text, back, err)
		}
		for _, j := range []string{text, `"` + text + `"`} {
			var back sla.Percent
			if err := json.Unmarshal([]byte(j), &back); err != nil || back != p {
				t.Fatalf("ParsePercent(%q) = %s, whose JSON %s reads back as %v, %v", s, text, j, back, err)
			}
		}
	})
}
