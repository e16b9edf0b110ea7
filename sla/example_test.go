package sla_test

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
)

// The spec's example maintenance entry holds "..." placeholders; the spec
// does not say when the window was. These stand-ins leave the numbers alone.
var exampleMaintenance = map[string]string{
	"verbatim": `"maintenance": [{"components": ["elb-us-east-1"], "start": "...", "end": "...", "announced": "..."}]`,
	// A window away from the incident, announced in time.
	"window elsewhere": `"maintenance": [{"components": ["elb-us-east-1"], "start": "2012-12-10T02:00:00Z", "end": "2012-12-10T04:00:00Z", "announced": "2012-12-01T00:00:00Z"}]`,
	// A window during the incident, announced only once it had begun.
	"window without notice": `"maintenance": [{"components": ["elb-us-east-1"], "start": "2012-12-25T00:00:00Z", "end": "2012-12-25T02:00:00Z", "announced": "2012-12-25T01:00:00Z"}]`,
	"no maintenance":        `"maintenance": []`,
}

func readFile(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func compact(t testing.TB, s string) string {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(s)); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func evaluateJSON(t testing.TB, input string) ([]byte, error) {
	t.Helper()
	s, err := sla.DecodeScenario(strings.NewReader(input))
	if err != nil {
		return nil, err
	}
	res, err := sla.Evaluate(s)
	if err != nil {
		return nil, err
	}
	return json.Marshal(res)
}

// TestSpecExample runs the spec's worked example: the input as printed, and
// its result byte for byte.
func TestSpecExample(t *testing.T) {
	input := readFile(t, "testdata/example.json")
	want := compact(t, readFile(t, "testdata/example-result.json"))
	verbatim := exampleMaintenance["verbatim"]
	if !strings.Contains(input, verbatim) {
		t.Fatal("testdata/example.json is not the spec's example")
	}
	_, err := evaluateJSON(t, input)
	if got := err.Error(); got != `maintenance[0].start: "..." is not an RFC 3339 time` || errs.CodeOf(err) != errs.Invalid {
		t.Errorf("verbatim input with placeholders: got %v", err)
	}
	for name, m := range exampleMaintenance {
		if name == "verbatim" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			got, err := evaluateJSON(t, strings.Replace(input, verbatim, m, 1))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != want {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}

// TestSpecExampleNumbers checks the exact values behind the example's display.
func TestSpecExampleNumbers(t *testing.T) {
	input := strings.Replace(readFile(t, "testdata/example.json"), exampleMaintenance["verbatim"], exampleMaintenance["no maintenance"], 1)
	s, err := sla.DecodeScenario(strings.NewReader(input))
	if err != nil {
		t.Fatal(err)
	}
	res, err := sla.Evaluate(s)
	if err != nil {
		t.Fatal(err)
	}
	// 22 h 6 min = 79560 s at 6.8% = 5410.08 s.
	if got := res.Components[0].DowntimeSeconds.Rat().RatString(); got != "135252/25" {
		t.Errorf("component downtime = %s, want 135252/25 (5410.08)", got)
	}
	cs := res.Customers[0].Services[0]
	// 1 of 4 resources for 79560 s = 19890 s; uptime 100 × (1 − 19890/2678400).
	if got := cs.DowntimeSeconds.Rat().RatString(); got != "19890" {
		t.Errorf("customer downtime = %s, want 19890", got)
	}
	if cs.UptimePercent().Cmp(sla.NewRatio(147695, 1488)) != 0 {
		t.Errorf("customer uptime = %s, want 147695/1488", cs.UptimePercent().Rat().RatString())
	}
	if cs.UptimePercent().CmpPercent(sla.MustPercent("99.95")) >= 0 || cs.UptimePercent().CmpPercent(sla.MustPercent("99.0")) <= 0 {
		t.Errorf("uptime %s is not between 99.0 and 99.95", cs.UptimePercent().Truncate(6))
	}
}

func ExampleEvaluate() {
	input := `{
  "period": {"month": "2012-12", "timezone": "UTC"},
  "as_of": "2013-01-05T00:00:00Z",
  "components": [{"id": "elb-us-east-1", "service": "ELB", "region": "us-east-1", "resources": 1000}],
  "policies": [{"id": "elb", "service": "ELB", "target": "99.95",
    "tiers": [{"below": "99.95", "credit_percent": "10"},
              {"below": "99.0",  "credit_percent": "30"},
              {"below": "95.0",  "credit_percent": "100"}]}],
  "incidents": [{"id": "elb-2012-12-24", "excluded": false,
    "impacts": [{"component": "elb-us-east-1", "status": "partial_outage", "affected_percent": "6.8",
                 "start": "2012-12-24T20:24:00Z", "end": "2012-12-25T18:30:00Z",
                 "customers": [{"customer": "acme", "affected_resources": 1}]}],
    "goodwill": {"days": 10, "services": ["ELB"], "components": ["elb-us-east-1"]}}],
  "customers": [{"id": "acme", "currency": "USD",
    "resources": [{"component": "elb-us-east-1", "count": 4, "from": "2012-01-01T00:00:00Z"}],
    "charges": [{"component": "elb-us-east-1", "amount_minor": 250000}]}]
}`
	s, err := sla.DecodeScenario(strings.NewReader(input))
	if err != nil {
		panic(err)
	}
	res, err := sla.Evaluate(s)
	if err != nil {
		panic(err)
	}
	var out bytes.Buffer
	if err := res.WriteJSON(&out); err != nil {
		panic(err)
	}
	var pretty bytes.Buffer
	json.Indent(&pretty, out.Bytes(), "", "  ")
	os.Stdout.Write(pretty.Bytes())
	// Output:
	// {
	//   "period": {
	//     "start": "2012-12-01T00:00:00Z",
	//     "end": "2013-01-01T00:00:00Z",
	//     "seconds": 2678400
	//   },
	//   "components": [
	//     {
	//       "id": "elb-us-east-1",
	//       "downtime_seconds": "5410.08",
	//       "uptime_percent": "99.7980"
	//     }
	//   ],
	//   "services": [
	//     {
	//       "service": "ELB",
	//       "uptime_percent": "99.7980"
	//     }
	//   ],
	//   "customers": [
	//     {
	//       "id": "acme",
	//       "currency": "USD",
	//       "services": [
	//         {
	//           "service": "ELB",
	//           "policy": "elb",
	//           "downtime_seconds": "19890",
	//           "uptime_percent": "99.2573",
	//           "credit_percent": "10",
	//           "charges_minor": 250000,
	//           "credit_minor": 25000,
	//           "claim_deadline": "2013-03-01T00:00:00Z"
	//         }
	//       ],
	//       "goodwill": [
	//         {
	//           "incident": "elb-2012-12-24",
	//           "days": 10,
	//           "credit_minor": 80645
	//         }
	//       ],
	//       "total_credit_minor": 105645
	//     }
	//   ]
	// }
}
