package sla_test

import (
	"bytes"
	"encoding/json"
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
