package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/sla"
)

func runSLATest(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = runSLA(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

const slaExample = `{
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
  "maintenance": [],
  "customers": [{"id": "acme", "currency": "USD",
    "resources": [{"component": "elb-us-east-1", "count": 4, "from": "2012-01-01T00:00:00Z"}],
    "charges": [{"component": "elb-us-east-1", "amount_minor": 250000}]}]
}`

const slaExampleResult = `{"period":{"start":"2012-12-01T00:00:00Z","end":"2013-01-01T00:00:00Z","seconds":2678400},` +
	`"components":[{"id":"elb-us-east-1","downtime_seconds":"5410.08","uptime_percent":"99.7980"}],` +
	`"services":[{"service":"ELB","uptime_percent":"99.7980"}],` +
	`"customers":[{"id":"acme","currency":"USD","services":[{"service":"ELB","policy":"elb","downtime_seconds":"19890",` +
	`"uptime_percent":"99.2573","credit_percent":"10","charges_minor":250000,"credit_minor":25000,` +
	`"claim_deadline":"2013-03-01T00:00:00Z"}],"goodwill":[{"incident":"elb-2012-12-24","days":10,"credit_minor":80645}],` +
	`"total_credit_minor":105645}]}` + "\n"

func TestSLAEvaluate(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "scenario.json")
	if err := os.WriteFile(file, []byte(slaExample), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(strings.Replace(slaExample, `"6.8"`, `"120"`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		stdin      string
		args       []string
		code       int
		stdout     string
		stderrHas  string
		stdoutNone bool
	}{
		{"file", "", []string{"evaluate", file}, 0, slaExampleResult, "", false},
		{"standard input", slaExample, []string{"evaluate", "-"}, 0, slaExampleResult, "", false},
		{"as-of is ignored when the scenario has one", slaExample, []string{"evaluate", "--as-of", "2012-12-25T00:00:00Z", "-"}, 0, slaExampleResult, "", false},
		{"bad input names the field", "", []string{"evaluate", bad}, 2, "", "incidents[0].impacts[0].affected_percent: 120 is above 100", true},
		{"bad input on standard input", `{"period": {"month": "2012-12", "timezone": "Mars/Base"}}`, []string{"evaluate", "-"}, 2, "", `period.timezone: "Mars/Base" is not a known IANA time zone`, true},
		{"malformed JSON", `{"period": `, []string{"evaluate", "-"}, 2, "", "the input ends in the middle of the JSON", true},
		{"unknown field", `{"peroid": {}}`, []string{"evaluate", "-"}, 2, "", `unknown field "peroid"`, true},
		{"no file", "", []string{"evaluate"}, 2, "", "give one FILE", true},
		{"two files", "", []string{"evaluate", file, file}, 2, "", "give one FILE", true},
		{"bad flag", "", []string{"evaluate", "--frobnicate", file}, 2, "", "frobnicate", true},
		{"bad as-of", "", []string{"evaluate", "--as-of", "yesterday", file}, 2, "", "--as-of", true},
		{"missing file", "", []string{"evaluate", filepath.Join(dir, "nope.json")}, 1, "", "nope.json", true},
		{"no subcommand", "", nil, 2, "", "usage:", true},
		{"unknown subcommand", "", []string{"frobnicate"}, 2, "", `unknown subcommand "frobnicate"`, true},
		{"help", "", []string{"help"}, 0, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runSLATest(t, tt.stdin, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, errOut)
			}
			if tt.stdout != "" && out != tt.stdout {
				t.Errorf("stdout\n%s\nwant\n%s", out, tt.stdout)
			}
			if tt.stdoutNone && out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
			if !strings.Contains(errOut, tt.stderrHas) {
				t.Errorf("stderr %q, want it to contain %q", errOut, tt.stderrHas)
			}
		})
	}
}

// TestSLAEvaluateAsOf: a scenario without as_of is evaluated as of --as-of,
// or as of now.
func TestSLAEvaluateAsOf(t *testing.T) {
	ongoing := strings.Replace(strings.Replace(slaExample, `"as_of": "2013-01-05T00:00:00Z",`, "", 1),
		`"end": "2012-12-25T18:30:00Z",`, "", 1)
	code, out, errOut := runSLATest(t, ongoing, "evaluate", "--as-of", "2012-12-24T21:24:00Z", "-")
	if code != 0 || !strings.Contains(out, `"downtime_seconds":"244.8"`) { // 3600 s at 6.8%
		t.Errorf("exit %d, stdout %s, stderr %s", code, out, errOut)
	}
	var got bytes.Buffer
	code = slaEvaluate(context.Background(), []string{"-"}, strings.NewReader(ongoing), &got, &bytes.Buffer{},
		func() time.Time { return time.Date(2012, 12, 24, 20, 34, 0, 0, time.UTC) })
	if code != 0 || !strings.Contains(got.String(), `"downtime_seconds":"40.8"`) { // 600 s at 6.8%
		t.Errorf("exit %d, stdout %s", code, got.String())
	}
}

func TestSLAGenerate(t *testing.T) {
	code, out, errOut := runSLATest(t, "", "generate", "--customers", "50", "--seed", "3")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	_, again, _ := runSLATest(t, "", "generate", "--customers", "50", "--seed", "3")
	if again != out {
		t.Error("the same flags gave other bytes")
	}
	_, other, _ := runSLATest(t, "", "generate", "--customers", "50", "--seed", "4")
	if other == out {
		t.Error("another seed gave the same bytes")
	}
	s, err := sla.DecodeScenario(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Customers) != 50 || len(s.Incidents) != 200 || len(s.Components) != 28 {
		t.Errorf("%d customers, %d incidents, %d components", len(s.Customers), len(s.Incidents), len(s.Components))
	}
	code, res, errOut := runSLATest(t, out, "evaluate", "-")
	if code != 0 {
		t.Fatalf("evaluate: exit %d: %s", code, errOut)
	}
	var doc struct {
		Customers []json.RawMessage `json:"customers"`
	}
	if err := json.Unmarshal([]byte(res), &doc); err != nil || len(doc.Customers) != 50 {
		t.Errorf("result: %v, %d customers", err, len(doc.Customers))
	}
	code, _, _ = runSLATest(t, "", "generate", "--customers", "50", "--incidents", "0", "--month", "2013-02")
	if code != 0 {
		t.Errorf("no incidents: exit %d", code)
	}
	for _, args := range [][]string{{"generate", "--customers", "0"}, {"generate", "--month", "2013-13"}, {"generate", "extra"}, {"generate", "--seed", "x"}} {
		if code, _, _ := runSLATest(t, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}
