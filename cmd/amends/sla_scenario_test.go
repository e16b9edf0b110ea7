package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/sla"
)

// The scenario `amends sla scenario` prints for a month, evaluated by
// `amends sla evaluate`, gives exactly the credits the desk wrote to the
// ledger for that month, customer by customer and service by service
// (for the customers under the default policies, and for one with its own).
func TestSLAScenarioMatchesLedger(t *testing.T) {
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "amends.db")
	st, err := openStores(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2013, 1, 10, 0, 0, 0, 0, time.UTC)
	asOf := now.Format(time.RFC3339)
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for i, s := range []incidents.Service{{ID: "ELB", Name: "Load balancing"}, {ID: "EBS", Name: "Block storage"}} {
		s.Position = i
		_, err := st.incidents.CreateService(ctx, audit.Person("seed"), s, now)
		check(err)
	}
	for _, c := range []incidents.Component{
		{ID: "elb-us-east-1", Service: "ELB", Name: "ELB", Region: "us-east-1", Resources: 1000},
		{ID: "ebs-us-east-1a", Service: "EBS", Name: "EBS a", Region: "us-east-1", Zone: "us-east-1a"},
		{ID: "ebs-us-east-1b", Service: "EBS", Name: "EBS b", Region: "us-east-1", Zone: "us-east-1b"},
	} {
		_, err := st.incidents.CreateComponent(ctx, audit.Person("seed"), c, now)
		check(err)
	}
	incident := func(start time.Time, hours int, comp string, status incidents.Status, pct string) {
		p, err := sla.ParsePercent(pct)
		check(err)
		inc, err := st.incidents.CreateIncident(ctx, audit.Person("ops"), incidents.IncidentInput{Title: "Outage in " + comp, Message: "Investigating.",
			StartedAt: &start, Components: []incidents.ComponentChange{{Component: comp, Status: status, AffectedPercent: &p}}}, now)
		check(err)
		end := start.Add(time.Duration(hours) * time.Hour)
		_, err = st.incidents.AddUpdate(ctx, audit.Person("ops"), inc.ID, incidents.UpdateInput{Phase: incidents.Resolved, Message: "Resolved.", At: &end}, now)
		check(err)
	}
	incident(time.Date(2012, 12, 24, 20, 24, 0, 0, time.UTC), 22, "elb-us-east-1", incidents.PartialOutage, "6.8")
	incident(time.Date(2012, 12, 10, 3, 0, 0, 0, time.UTC), 5, "ebs-us-east-1a", incidents.MajorOutage, "100")
	incident(time.Date(2012, 12, 31, 22, 0, 0, 0, time.UTC), 4, "ebs-us-east-1b", incidents.MajorOutage, "40")

	sam := audit.Actor{Person: "sam@example.com"}
	mid := time.Date(2012, 12, 15, 0, 0, 0, 0, time.UTC)
	for _, a := range []desk.Account{
		{ID: "acme", Name: "Acme", Currency: "USD", Email: "b@acme.example"},
		{ID: "globex", Name: "Globex", Currency: "EUR", Email: "b@globex.example"},
		{ID: "initech", Name: "Initech", Currency: "JPY", Email: "b@initech.example"},
	} {
		_, err := st.desk.CreateAccount(ctx, sam, a, now)
		check(err)
	}
	for _, r := range []desk.AccountResource{
		{Customer: "acme", Component: "elb-us-east-1", Count: 4},
		{Customer: "acme", Component: "ebs-us-east-1a", Count: 10, To: &mid},
		{Customer: "acme", Component: "ebs-us-east-1b", Count: 10},
		{Customer: "globex", Component: "elb-us-east-1", Count: 2},
		{Customer: "globex", Component: "ebs-us-east-1a", Count: 1},
		{Customer: "initech", Component: "ebs-us-east-1b", Count: 3, From: &mid},
	} {
		_, err := st.desk.AddResource(ctx, sam, r, now)
		check(err)
	}
	for _, ch := range []desk.AccountCharge{
		{Customer: "acme", Component: "elb-us-east-1", Month: "2012-12", AmountMinor: 250000},
		{Customer: "acme", Component: "ebs-us-east-1a", Month: "2012-12", AmountMinor: 120000},
		{Customer: "acme", Component: "ebs-us-east-1b", Month: "2012-12", AmountMinor: 130000},
		{Customer: "globex", Component: "elb-us-east-1", Month: "2012-12", AmountMinor: 90000},
		{Customer: "globex", Component: "ebs-us-east-1a", Month: "2012-12", AmountMinor: 7000},
		{Customer: "initech", Component: "ebs-us-east-1b", Month: "2012-12", AmountMinor: 48000},
	} {
		_, err := st.desk.PutCharge(ctx, sam, ch, now)
		check(err)
	}
	tiers := []sla.Tier{{Below: sla.MustPercent("99.95"), CreditPercent: sla.MustPercent("10")}, {Below: sla.MustPercent("99"), CreditPercent: sla.MustPercent("30")}}
	for _, p := range []desk.ServicePolicy{
		{Policy: sla.Policy{ID: "elb", Service: "ELB", Target: sla.MustPercent("99.95"), Tiers: tiers}},
		{Policy: sla.Policy{ID: "ebs", Service: "EBS", Target: sla.MustPercent("99.99"), Tiers: tiers, Unlisted: sla.Full}},
		{Policy: sla.Policy{ID: "ebs-globex", Service: "EBS", Target: sla.MustPercent("99.9"),
			Tiers: []sla.Tier{{Below: sla.MustPercent("99.9"), CreditPercent: sla.MustPercent("50")}}}, Customer: "globex"},
	} {
		_, err := st.desk.PutPolicy(ctx, sam, p, now)
		check(err)
	}

	// The desk: preview, request, approve, exactly as the API does it.
	from, to, err := desk.MonthWindow("2012-12")
	check(err)
	base, err := incidents.StoredScenario(ctx, st.incidents, sla.Period{Month: "2012-12"}, from, to, now)
	check(err)
	data, err := st.desk.MonthData(ctx, "2012-12")
	check(err)
	lines, err := desk.PreviewMonth("2012-12", now, base, data)
	check(err)
	run, err := desk.NewMonthRun("2012-12", now, lines, sam.Person, now)
	check(err)
	run, err = st.desk.CreateRun(ctx, sam, run, lines, now)
	check(err)
	_, err = st.desk.RequestRun(ctx, sam, run.ID, now)
	check(err)
	_, err = st.desk.ApproveRun(ctx, audit.Actor{Person: "max@example.com"}, run.ID, now)
	check(err)
	entries, _, err := st.desk.Ledger(ctx, desk.LedgerFilter{Period: "2012-12", Limit: 1000})
	check(err)
	st.Close()
	paid := map[string]int64{}
	var total int64
	for _, e := range entries {
		paid[e.Customer+"/"+e.Service] += e.AmountMinor
		total += e.AmountMinor
	}
	if len(entries) < 4 || total == 0 {
		t.Fatalf("the dataset should pay several credits: %+v", entries)
	}

	evaluated := map[string]int64{}
	customers := map[string]bool{}
	for _, args := range [][]string{{}, {"--customer", "globex"}} {
		var scen, out, errOut bytes.Buffer
		if code := run2(ctx, append([]string{"sla", "scenario", "--month", "2012-12", "--as-of", asOf, "--db", dbPath}, args...), nil, &scen, &errOut); code != 0 {
			t.Fatalf("sla scenario %v: exit %d: %s", args, code, errOut.String())
		}
		if len(args) == 0 && !strings.Contains(errOut.String(), "1 customers with their own policies are left out") {
			t.Errorf("stderr: %q", errOut.String())
		}
		if code := run2(ctx, []string{"sla", "evaluate", "-"}, &scen, &out, &errOut); code != 0 {
			t.Fatalf("sla evaluate: exit %d: %s", code, errOut.String())
		}
		var res struct {
			Customers []struct {
				ID       string `json:"id"`
				Services []struct {
					Service     string `json:"service"`
					CreditMinor int64  `json:"credit_minor"`
				} `json:"services"`
			} `json:"customers"`
		}
		if err := json.Unmarshal(out.Bytes(), &res); err != nil {
			t.Fatal(err)
		}
		for _, c := range res.Customers {
			customers[c.ID] = true
			for _, s := range c.Services {
				evaluated[c.ID+"/"+s.Service] += s.CreditMinor
			}
		}
	}
	if len(customers) != 3 {
		t.Errorf("the scenarios hold customers %v, want all 3", customers)
	}
	// An incident without an approved goodwill grant has no goodwill run.
	var out, errOut bytes.Buffer
	if code := run2(ctx, []string{"sla", "scenario", "--incident", "1", "--db", dbPath}, nil, &out, &errOut); code != 2 ||
		!strings.Contains(errOut.String(), "no approved goodwill grant") {
		t.Errorf("--incident without a grant: exit %d, %q", code, errOut.String())
	}
	for k, v := range evaluated {
		if paid[k] != v {
			t.Errorf("%s: ledger %d, sla evaluate %d", k, paid[k], v)
		}
	}
	for k, v := range paid {
		if evaluated[k] != v {
			t.Errorf("%s: ledger %d, sla evaluate %d", k, v, evaluated[k])
		}
	}
}

// run2 runs the binary's entry point with stdin.
func run2(ctx context.Context, args []string, stdin *bytes.Buffer, stdout, stderr *bytes.Buffer) int {
	if stdin == nil {
		stdin = &bytes.Buffer{}
	}
	return run(ctx, args, stdin, stdout, stderr)
}

func TestSLAScenarioBadFlags(t *testing.T) {
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "amends.db")
	for _, args := range [][]string{
		{"sla", "scenario"},
		{"sla", "scenario", "--month", "2012-13", "--db", dbPath},
		{"sla", "scenario", "--month", "2012-12", "--as-of", "soon", "--db", dbPath},
		{"sla", "scenario", "--month", "2012-12", "--customer", "nobody", "--db", dbPath},
		{"sla", "scenario", "--incident", "one", "--db", dbPath},
		{"sla", "scenario", "--incident", "1", "--month", "2012-12", "--db", dbPath},
		{"sla", "scenario", "--incident", "7", "--db", dbPath},
	} {
		var out, errOut bytes.Buffer
		if code := run2(ctx, args, nil, &out, &errOut); code != 2 || errOut.Len() == 0 {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut.String())
		}
	}
}
