package sla_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
)

// TestRejections covers every rejection in the spec's "Bad input" list: each
// case edits a valid scenario and expects the exact message with its path.
func TestRejections(t *testing.T) {
	valid := readFile(t, "testdata/valid.json")
	if _, err := evaluateJSON(t, valid); err != nil {
		t.Fatalf("the valid scenario is rejected: %v", err)
	}
	const (
		pct6_8   = `"affected_percent": "6.8"`
		tier1    = `{"below": "99.0", "credit_percent": "30"}`
		impEnd   = `"end": "2012-12-25T18:30:00Z"`
		acmeRes  = `"resources": [{"component": "elb-us-east-1", "count": 4`
		acmeChg  = `"charges": [{"component": "elb-us-east-1", "amount_minor": 250000}]`
		comp1    = `{"id": "ec2-us-east-1a", "service": "EC2"`
		period   = `"period": {"month": "2012-12", "timezone": "UTC"}`
		policy   = `"policies": [{"id": "elb", "service": "ELB"`
		named    = `"customers": [{"customer": "acme", "affected_resources": 1}]`
		goodwill = `"goodwill": {"days": 10, "services": ["ELB"], "components": ["elb-us-east-1"]}`
		maint    = `"maintenance": [{"id": "mw-1", "components": ["elb-us-east-1"]`
		status   = `"status": "partial_outage"`
	)
	tests := []struct{ name, old, new, want string }{
		// A percentage outside 0–100.
		{"percent above 100", pct6_8, `"affected_percent": "120"`, `incidents[2].impacts[0].affected_percent: 120 is above 100`},
		{"percent above 100 as a JSON number", pct6_8, `"affected_percent": 120`, `incidents[2].impacts[0].affected_percent: 120 is above 100`},
		{"percent below 0", pct6_8, `"affected_percent": -0.5`, `incidents[2].impacts[0].affected_percent: -0.5 is below 0`},
		{"huge percent", pct6_8, `"affected_percent": 1e999999999`, `incidents[2].impacts[0].affected_percent: 1e999999999 is above 100`},
		{"target above 100", `"target": "99.95"`, `"target": "100.5"`, `policies[0].target: 100.5 is above 100`},
		{"below above 100", `{"below": "99.95"`, `{"below": "101"`, `policies[0].tiers[0].below: 101 is above 100`},
		{"credit_percent above 100", tier1, `{"below": "99.0", "credit_percent": "130"}`, `policies[0].tiers[1].credit_percent: 130 is above 100`},
		{"cap_percent above 100", `"cap_percent": "100"`, `"cap_percent": "150"`, `policies[0].cap_percent: 150 is above 100`},
		// More than 4 decimals in a percentage.
		{"5 decimals", pct6_8, `"affected_percent": "6.80001"`, `incidents[2].impacts[0].affected_percent: 6.80001 has more than 4 decimals`},
		{"5 decimals as a JSON number", `"target": "99.95"`, `"target": 99.95001`, `policies[0].target: 99.95001 has more than 4 decimals`},
		{"5 decimals in an exponent", pct6_8, `"affected_percent": 1e-5`, `incidents[2].impacts[0].affected_percent: 1e-5 has more than 4 decimals`},
		{"not a number", pct6_8, `"affected_percent": "6.8%"`, `incidents[2].impacts[0].affected_percent: "6.8%" is not a number`},
		// An end not after its start.
		{"impact ends at its start", impEnd, `"end": "2012-12-24T20:24:00Z"`, `incidents[2].impacts[0].end: 2012-12-24T20:24:00Z is not after start 2012-12-24T20:24:00Z`},
		{"impact ends before its start", impEnd, `"end": "2012-12-24T00:00:00Z"`, `incidents[2].impacts[0].end: 2012-12-24T00:00:00Z is not after start 2012-12-24T20:24:00Z`},
		{"maintenance ends before its start", `"end": "2012-12-10T04:00:00Z"`, `"end": "2012-12-10T01:00:00Z"`, `maintenance[0].end: 2012-12-10T01:00:00Z is not after start 2012-12-10T02:00:00Z`},
		{"resource ends before it starts", `"to": "2013-06-01T00:00:00Z"`, `"to": "2011-06-01T00:00:00Z"`, `customers[0].resources[0].to: 2011-06-01T00:00:00Z is not after from 2012-01-01T00:00:00Z`},
		{"period ends before it starts", period, `"period": {"start": "2012-12-02T00:00:00Z", "end": "2012-12-01T00:00:00Z"}`, `period.end: 2012-12-01T00:00:00Z is not after start 2012-12-02T00:00:00Z`},
		// A reference to an unknown component, customer or service.
		{"impact on an unknown component", `"component": "elb-us-east-1", "status": "partial_outage"`, `"component": "elb-us-west-2", "status": "partial_outage"`, `incidents[2].impacts[0].component: "elb-us-west-2" is not a known component`},
		{"maintenance on an unknown component", maint, `"maintenance": [{"id": "mw-1", "components": ["elb-us-east-1", "elb-eu-west-1"]`, `maintenance[0].components[1]: "elb-eu-west-1" is not a known component`},
		{"resource in an unknown component", acmeRes, `"resources": [{"component": "rds-us-east-1", "count": 4`, `customers[0].resources[0].component: "rds-us-east-1" is not a known component`},
		{"charge for an unknown component", acmeChg, `"charges": [{"component": "rds-us-east-1", "amount_minor": 250000}]`, `customers[0].charges[0].component: "rds-us-east-1" is not a known component`},
		{"goodwill for an unknown component", goodwill, `"goodwill": {"days": 10, "services": ["ELB"], "components": ["elb-us-east-2"]}`, `incidents[2].goodwill.components[0]: "elb-us-east-2" is not a known component`},
		{"impact naming an unknown customer", named, `"customers": [{"customer": "initech", "affected_resources": 1}]`, `incidents[2].impacts[0].customers[0].customer: "initech" is not a known customer`},
		{"policy for an unknown service", policy, `"policies": [{"id": "elb", "service": "RDS"`, `policies[0].service: "RDS" is not the service of any component`},
		{"goodwill eligible in an unknown component", goodwill, `"goodwill": {"days": 10, "services": ["ELB"], "components": ["elb-us-east-1"], "eligible_components": ["elb-us-east-1", "ebs-us-east-9"]}`, `incidents[2].goodwill.eligible_components[1]: "ebs-us-east-9" is not a known component`},
		{"goodwill eligible outside its components", goodwill, `"goodwill": {"days": 10, "services": ["ELB", "EC2"], "components": ["elb-us-east-1"], "eligible_components": ["ec2-us-east-1a"]}`, `incidents[2].goodwill.eligible_components[0]: "ec2-us-east-1a" is outside the goodwill's scope`},
		{"goodwill eligible outside its services", goodwill, `"goodwill": {"days": 10, "services": ["ELB"], "eligible_components": ["ec2-us-east-1a"]}`, `incidents[2].goodwill.eligible_components[0]: "ec2-us-east-1a" is outside the goodwill's scope`},
		{"goodwill for an unknown service", goodwill, `"goodwill": {"days": 10, "services": ["ELB", "RDS"], "components": ["elb-us-east-1"]}`, `incidents[2].goodwill.services[1]: "RDS" is not the service of any component`},
		// Duplicate ids.
		{"duplicate component", comp1, `{"id": "elb-us-east-1", "service": "EC2"`, `components[1].id: "elb-us-east-1" is already the id of components[0]`},
		{"duplicate policy", policy, `"policies": [{"id": "elb", "service": "EC2", "target": "99.99", "tiers": []}, {"id": "elb", "service": "ELB"`, `policies[1].id: "elb" is already the id of policies[0]`},
		{"second policy for a service", policy, `"policies": [{"id": "elb2", "service": "ELB", "target": "99.99", "tiers": []}, {"id": "elb", "service": "ELB"`, `policies[1].service: "ELB" already has policy "elb2"`},
		{"duplicate incident", `{"id": "inc-2"`, `{"id": "inc-1"`, `incidents[1].id: "inc-1" is already the id of incidents[0]`},
		{"duplicate customer", `{"id": "globex"`, `{"id": "acme"`, `customers[1].id: "acme" is already the id of customers[0]`},
		{"duplicate maintenance", maint, `"maintenance": [{"id": "mw-1", "components": ["elb-us-east-1"], "start": "2012-12-11T02:00:00Z", "end": "2012-12-11T04:00:00Z", "announced": "2012-12-01T00:00:00Z"}, {"id": "mw-1", "components": ["elb-us-east-1"]`, `maintenance[1].id: "mw-1" is already the id of maintenance[0]`},
		{"customer named twice in an impact", named, `"customers": [{"customer": "acme", "affected_resources": 1}, {"customer": "acme"}]`, `incidents[2].impacts[0].customers[1].customer: "acme" is already named in customers[0]`},
		// Negative counts or charges.
		{"negative fleet size", `"resources": 1000`, `"resources": -1`, `components[0].resources: -1 is below 0`},
		{"negative resource count", acmeRes, `"resources": [{"component": "elb-us-east-1", "count": -4`, `customers[0].resources[0].count: -4 is below 0`},
		{"negative affected resources", named, `"customers": [{"customer": "acme", "affected_resources": "-1"}]`, `incidents[2].impacts[0].customers[0].affected_resources: -1 is below 0`},
		{"negative charge", acmeChg, `"charges": [{"component": "elb-us-east-1", "amount_minor": -250000}]`, `customers[0].charges[0].amount_minor: -250000 is below 0`},
		{"negative min_credit_minor", `"min_credit_minor": 100`, `"min_credit_minor": -100`, `policies[0].min_credit_minor: -100 is below 0`},
		{"negative claim_periods", `"claim_periods": 2`, `"claim_periods": -2`, `policies[0].claim_periods: -2 is below 0`},
		{"negative notice", `"maintenance_notice_hours": 24`, `"maintenance_notice_hours": -24`, `policies[0].maintenance_notice_hours: -24 is below 0`},
		{"negative goodwill days", `"goodwill": {"days": 10`, `"goodwill": {"days": -10`, `incidents[2].goodwill.days: -10 is below 0`},
		{"fractional count", acmeRes, `"resources": [{"component": "elb-us-east-1", "count": 1.5`, `customers[0].resources[0].count: 1.5 is not a whole number`},
		// Tiers whose credit does not grow as below falls.
		{"credit falls as below falls", tier1, `{"below": "99.0", "credit_percent": "5"}`, `policies[0].tiers[1].credit_percent: 5 does not grow as below falls: tiers[0] has below 99.95 and credit_percent 10`},
		{"credit stays as below falls", tier1, `{"below": "99.0", "credit_percent": "10"}`, `policies[0].tiers[1].credit_percent: 10 does not grow as below falls: tiers[0] has below 99.95 and credit_percent 10`},
		{"two tiers with one below", tier1, `{"below": "99.95", "credit_percent": "30"}`, `policies[0].tiers[1].below: 99.95 is also the below of tiers[0]`},
		// An unknown time zone.
		{"unknown time zone", period, `"period": {"month": "2012-12", "timezone": "Mars/Olympus_Mons"}`, `period.timezone: "Mars/Olympus_Mons" is not a known IANA time zone`},
		// An unknown status.
		{"unknown impact status", status, `"status": "partial"`, `incidents[2].impacts[0].status: "partial" is not a known status (degraded_performance, partial_outage, major_outage)`},
		{"unknown counted status", `"count": ["partial_outage", "major_outage"]`, `"count": ["partial_outage", "outage"]`, `policies[0].count[1]: "outage" is not a known status (degraded_performance, partial_outage, major_outage)`},
		// Other rules the spec implies.
		{"unknown unlisted mode", `"unlisted": "fractional"`, `"unlisted": "some"`, `policies[0].unlisted: "some" is not fractional, full or none`},
		{"unknown basis", `"basis": "period"`, `"basis": "calendar"`, `policies[0].basis: "calendar" is not period or deployed`},
		{"bad month", period, `"period": {"month": "2012-13"}`, `period.month: "2012-13" is not a month like 2012-12`},
		{"month and year", period, `"period": {"month": "2012-12", "year": "2012"}`, `period: give exactly one of month, year, or start and end`},
		{"bad instant", `"from": "2012-01-01T00:00:00Z"`, `"from": "2012-01-01"`, `customers[0].resources[0].from: "2012-01-01" is not an RFC 3339 time`},
		{"missing start", `"start": "2012-12-01T00:00:00Z", `, ``, `incidents[0].impacts[0].start: is required`},
		{"missing id", comp1, `{"id": "", "service": "EC2"`, `components[1].id: is required`},
		{"maintenance without components", maint, `"maintenance": [{"id": "mw-1", "components": []`, `maintenance[0].components: names no component`},
		{"claim periods over the limit", `"claim_periods": 2`, `"claim_periods": 1001`, `policies[0].claim_periods: 1001 is above 1000`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(valid, tt.old) {
				t.Fatalf("the valid scenario has no %s", tt.old)
			}
			res, err := evaluateJSON(t, strings.Replace(valid, tt.old, tt.new, 1))
			if err == nil {
				t.Fatalf("accepted; want %s", tt.want)
			}
			if res != nil {
				t.Errorf("a result came with the error")
			}
			if err.Error() != tt.want {
				t.Errorf("got  %s\nwant %s", err, tt.want)
			}
			if errs.CodeOf(err) != errs.Invalid {
				t.Errorf("code %s, want invalid", errs.CodeOf(err))
			}
		})
	}
}

// TestMalformed covers input that is not a scenario at all.
func TestMalformed(t *testing.T) {
	valid := readFile(t, "testdata/valid.json")
	tests := []struct{ name, input, want string }{
		{"empty", "", "the input is empty"},
		{"truncated", valid[:len(valid)/2], "the input ends in the middle of the JSON"},
		{"truncated after a key", `{"period": `, "the input ends in the middle of the JSON"},
		{"truncated in the customers", `{"customers": [{"id": "a"}, `, "the input ends in the middle of the JSON"},
		{"only spaces", "  \n", "the input is empty"},
		{"duplicate key", `{"customers": [], "customers": []}`, "appears twice"},
		{"customers not a list", `{"customers": {}}`, "expected an array"},
		{"syntax", `{"period": }`, "invalid JSON at byte"},
		{"unknown field", strings.Replace(valid, `"region": "us-east-1"`, `"regio": "us-east-1"`, 1), `unknown field "regio"`},
		{"wrong type", strings.Replace(valid, `"excluded": false`, `"excluded": "no"`, 1), "excluded"},
		{"trailing data", valid + "{}", "unexpected data after the scenario"},
		{"a list", `[]`, "expected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sla.DecodeScenario(strings.NewReader(tt.input))
			if err == nil {
				t.Fatal("accepted")
			}
			if errs.CodeOf(err) != errs.Malformed || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %s (%s), want malformed containing %q", err, errs.CodeOf(err), tt.want)
			}
		})
	}
}

// TestValidateGo checks that a scenario built in Go meets the same rules.
func TestValidateGo(t *testing.T) {
	tests := []struct {
		name string
		edit func(s *sla.Scenario)
		want string
	}{
		{"percent above 100", func(s *sla.Scenario) {
			addIncident(s, impact("i", "c1", major, "100", T("04-10T00:00"), T("04-10T01:00")))
			s.Incidents[0].Impacts[0].AffectedPercent = 120 * sla.PercentUnit
		}, "incidents[0].impacts[0].affected_percent: 120 is above 100"},
		{"negative cap", func(s *sla.Scenario) { c := sla.Percent(-1); s.Policies[0].CapPercent = &c }, "policies[0].cap_percent: -0.0001 is below 0"},
		{"no as_of", func(s *sla.Scenario) { s.AsOf = time.Time{} }, "as_of: is required"},
		{"no period", func(s *sla.Scenario) { s.Period = sla.Period{} }, "period: give exactly one of month, year, or start and end"},
		{"range without end", func(s *sla.Scenario) { s.Period = sla.Period{Start: T("04-01T00:00")} }, "period.end: is required"},
		{"zero-length resource", func(s *sla.Scenario) {
			s.Customers[0].Resources[0].From, s.Customers[0].Resources[0].To = T("04-01T00:00"), T("04-01T00:00")
		},
			"customers[0].resources[0].to: 2013-04-01T00:00:00Z is not after from 2013-04-01T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := base()
			tt.edit(s)
			res, err := sla.Evaluate(s)
			if err == nil || err.Error() != tt.want || res != nil {
				t.Errorf("got %v, want %s", err, tt.want)
			}
		})
	}
	if err := base().Validate(); err != nil {
		t.Errorf("base: %v", err)
	}
	var nilScenario *sla.Scenario
	if _, err := sla.Evaluate(nilScenario); err == nil {
		t.Error("nil scenario accepted")
	}
}

// TestManyCustomers checks the parallel checks against the sequential
// messages: the first broken customer is reported, whatever the scheduling.
func TestManyCustomers(t *testing.T) {
	many := func() *sla.Scenario {
		s := base()
		for i := range 3000 {
			s.Customers = append(s.Customers, customer(fmt.Sprintf("m%d", i), 10, sla.Resource{Component: "c2", Count: 1}))
		}
		return s
	}
	tests := []struct {
		name string
		edit func(s *sla.Scenario)
		want string
	}{
		{"duplicate id", func(s *sla.Scenario) { s.Customers[2900].ID, s.Customers[1500].ID = "m7", "m7" },
			`customers[1500].id: "m7" is already the id of customers[8]`},
		{"missing id", func(s *sla.Scenario) { s.Customers[2900].ID, s.Customers[2000].ID = "", "" }, `customers[2000].id: is required`},
		{"bad resources", func(s *sla.Scenario) {
			s.Customers[2999].Resources[0].Count = -1
			s.Customers[1234].Resources[0].Component = "nope"
			s.Customers[2345].Charges[0].AmountMinor = -5
		}, `customers[1234].resources[0].component: "nope" is not a known component`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 5 {
				s := many()
				tt.edit(s)
				if err := s.Validate(); err == nil || err.Error() != tt.want {
					t.Fatalf("Validate: %v, want %s", err, tt.want)
				}
				if _, err := sla.Evaluate(s); err == nil || err.Error() != tt.want {
					t.Fatalf("Evaluate: %v, want %s", err, tt.want)
				}
			}
		})
	}
	res := evaluate(t, many())
	if len(res.Customers) != 3001 || res.Customers[3000].ID != "m2999" {
		t.Errorf("%d customers", len(res.Customers))
	}
}

// TestParsePercent: every text gives its exact value or an errs.Invalid with
// no field and the reason, never a panic (the status page's percentages and
// the engine's read the same way).
func TestParsePercent(t *testing.T) {
	zeros := strings.Repeat("0", 1_000_000) // more digits than the exponent bound could offset
	tests := []struct{ in, want, err string }{
		{"6.8", "6.8", ""}, {"99.95", "99.95", ""}, {"100", "100", ""}, {"0", "0", ""}, {"-0", "0", ""},
		{"6.8000", "6.8", ""}, {"6.80000", "6.8", ""}, {"1e1", "10", ""}, {"1E-4", "0.0001", ""}, {"0.0001", "0.0001", ""},
		{"100.0000", "100", ""}, {"00099.5", "99.5", ""}, {"007.50", "7.5", ""}, {"12.5", "12.5", ""}, {" 12.5 ", "12.5", ""},
		{" 7 ", "7", ""}, {"\t5\n", "5", ""}, {"6.8E-1", "0.68", ""}, {"-0.0", "0", ""}, {"0e999999999", "0", ""},
		// An exponent that carries the whole part to 3 digits or more.
		{"1e2", "100", ""}, {"1E2", "100", ""}, {"1e+2", "100", ""}, {"01E2", "100", ""}, {"100e0", "100", ""},
		{"0.5e2", "50", ""}, {"1e-2", "0.01", ""}, {"1000e-1", "100", ""}, {"10000e-2", "100", ""}, {"0.000001e6", "1", ""},
		{"9e2", "", "9e2 is above 100"}, {"18e1", "", "18e1 is above 100"}, {"1001e-1", "", "1001e-1 is above 100"},
		{"1e400", "", "1e400 is above 100"}, {"1e3", "", "1e3 is above 100"},
		{"1e999999999999", "", "1e999999999999 is above 100"}, {"1e99999999999999999999", "", "1e99999999999999999999 is above 100"},
		{"1e-400", "", "1e-400 has more than 4 decimals"}, {"1e-5", "", "1e-5 has more than 4 decimals"},
		{"1e-999999999999", "", "1e-999999999999 has more than 4 decimals"},
		// A mantissa longer than the exponent bound: the written exponent still decides.
		{"1" + zeros + "e-1000004", "0.0001", ""},
		{"1" + zeros + "e-99999999", "", "1" + zeros + "e-99999999 has more than 4 decimals"},
		{"0." + zeros + "1e99999999", "", "0." + zeros + "1e99999999 is above 100"},
		{"100.0001", "", "100.0001 is above 100"}, {"100.00001", "", "100.00001 is above 100"}, {"1000", "", "1000 is above 100"},
		{"120", "", "120 is above 100"},
		{"0.00001", "", "0.00001 has more than 4 decimals"}, {"6.12345", "", "6.12345 has more than 4 decimals"},
		{"-1", "", "-1 is below 0"}, {"-0.0001", "", "-0.0001 is below 0"}, {"-1e-9", "", "-1e-9 is below 0"},
		// JSON number syntax only.
		{"", "", `"" is not a number`}, {" ", "", `" " is not a number`}, {"abc", "", `"abc" is not a number`},
		{"1.", "", `"1." is not a number`}, {"5.", "", `"5." is not a number`}, {".5", "", `".5" is not a number`},
		{".", "", `"." is not a number`}, {"+1", "", `"+1" is not a number`}, {"+5", "", `"+5" is not a number`},
		{"1.e2", "", `"1.e2" is not a number`}, {".5e2", "", `".5e2" is not a number`},
		{"1e", "", `"1e" is not a number`}, {"-", "", `"-" is not a number`}, {"NaN", "", `"NaN" is not a number`},
		{"1/2", "", `"1/2" is not a number`}, {"0x10", "", `"0x10" is not a number`}, {"1,5", "", `"1,5" is not a number`},
		{"6.8%", "", `"6.8%" is not a number`},
	}
	for _, tt := range tests {
		p, err := sla.ParsePercent(tt.in)
		in := tt.in
		if len(in) > 40 {
			in = in[:20] + "…"
		}
		switch {
		case tt.err != "" && (err == nil || err.Error() != tt.err || errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != ""):
			t.Errorf("ParsePercent(%q) = %v, %v; want error %.60s", in, p, err, tt.err)
		case tt.err == "" && (err != nil || p.String() != tt.want):
			t.Errorf("ParsePercent(%q) = %v, %v; want %s", in, p, err, tt.want)
		}
	}
}

func TestPercentString(t *testing.T) {
	for p, want := range map[sla.Percent]string{
		68000: "6.8", 125000: "12.5", 1000000: "100", 0: "0", 1: "0.0001", 10: "0.001",
		123456: "12.3456", -68000: "-6.8", 50000: "5",
	} {
		if got := p.String(); got != want {
			t.Errorf("Percent(%d).String() = %q, want %q", int64(p), got, want)
		}
		if p >= 0 {
			if back, err := sla.ParsePercent(want); err != nil || back != p {
				t.Errorf("round trip of %q: %v %v", want, back, err)
			}
		}
	}
}

func TestPercentJSON(t *testing.T) {
	b, err := json.Marshal(struct {
		P sla.Percent  `json:"p"`
		Q *sla.Percent `json:"q"`
	}{68000, nil})
	if err != nil || string(b) != `{"p":"6.8","q":null}` {
		t.Fatalf("marshal: %s %v", b, err)
	}
	for in, want := range map[string]sla.Percent{
		`"6.8"`: 68000, `6.8`: 68000, `12.5`: 125000, `100`: 1000000, `"0"`: 0,
		// Exact: 0.1+0.2 style float noise never enters.
		`0.3`: 3000, `99.9999`: 999999, `6.8e0`: 68000, `1e2`: 1000000, `"1e2"`: 1000000, `" 7 "`: 70000,
	} {
		var p sla.Percent
		if err := json.Unmarshal([]byte(in), &p); err != nil || p != want {
			t.Errorf("unmarshal %s = %d %v, want %d", in, int64(p), err, int64(want))
		}
	}
	p := sla.Percent(5)
	if err := json.Unmarshal([]byte(`null`), &p); err != nil || p != 5 {
		t.Errorf("null: %d %v, want unchanged", int64(p), err)
	}
	for in, want := range map[string]string{
		`"120"`:     "120 is above 100",
		`-1`:        "-1 is below 0",
		`6.12345`:   "6.12345 has more than 4 decimals",
		`1e400`:     "1e400 is above 100",
		`"abc"`:     `"abc" is not a number`,
		`".5"`:      `".5" is not a number`,
		`true`:      `"true" is not a number`,
		`{"a": 1}`:  `"{\"a\": 1}" is not a number`,
		`"1e-9999"`: "1e-9999 has more than 4 decimals",
		`"\x"`:      `"\x" is not a number`,
	} {
		var p sla.Percent
		err := (&p).UnmarshalJSON([]byte(in))
		if err == nil || err.Error() != want || errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != "" {
			t.Errorf("unmarshal %s: %v, want %q", in, err, want)
		}
	}
	// Through encoding/json, the domain error comes back as is.
	var in struct {
		P *sla.Percent `json:"affected_percent"`
	}
	err = json.Unmarshal([]byte(`{"affected_percent":120}`), &in)
	if errs.CodeOf(err) != errs.Invalid || errs.MessageOf(err) != "120 is above 100" {
		t.Errorf("json.Unmarshal: %v", err)
	}
	if err := json.Unmarshal([]byte(`{"affected_percent":"12.5"}`), &in); err != nil || *in.P != 125000 {
		t.Errorf("json.Unmarshal pointer: %v", err)
	}
}

func TestPercentValidate(t *testing.T) {
	for p, want := range map[sla.Percent]string{0: "", sla.Hundred: "", 68000: "", sla.Hundred + 1: "100.0001 is above 100", -10000: "-1 is below 0"} {
		got := ""
		if err := p.Validate(); err != nil {
			got = err.Error()
			if errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != "" {
				t.Errorf("%d: %v is not an errs.Invalid with no field", int64(p), err)
			}
		}
		if got != want {
			t.Errorf("%d: %q, want %q", int64(p), got, want)
		}
	}
}
