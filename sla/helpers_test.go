package sla_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/sla"
)

// T parses a short UTC instant in 2013: "04-10T00:00" or "04-10T00:00:01".
func T(s string) time.Time {
	if strings.Count(s, ":") == 1 {
		s += ":00"
	}
	t, err := time.Parse(time.RFC3339Nano, "2013-"+s+"Z")
	if err != nil {
		panic(err)
	}
	return t
}

func i64(v int64) *int64 { return &v }

func P(s string) sla.Percent { return sla.MustPercent(s) }

func pp(s string) *sla.Percent { p := P(s); return &p }

// base is April 2013 (30 days, 2592000 s) in UTC: service S on components c1
// and c2 with policy p (99.95 → 10%, 99 → 30%, 95 → 100%), service D on d1
// without a policy, and customer x with 10 resources in c1 since always and a
// charge of 100000 on c1.
func base() *sla.Scenario {
	return &sla.Scenario{
		Period: sla.MonthPeriod(2013, time.April, "UTC"),
		AsOf:   T("05-05T00:00"),
		Components: []sla.Component{
			{ID: "c1", Service: "S"}, {ID: "c2", Service: "S"}, {ID: "d1", Service: "D"},
		},
		Policies: []sla.Policy{{ID: "p", Service: "S", Target: P("99.95"), Tiers: []sla.Tier{
			{Below: P("99.95"), CreditPercent: P("10")},
			{Below: P("99"), CreditPercent: P("30")},
			{Below: P("95"), CreditPercent: P("100")},
		}}},
		Customers: []sla.Customer{{ID: "x", Currency: "USD",
			Resources: []sla.Resource{{Component: "c1", Count: 10}},
			Charges:   []sla.Charge{{Component: "c1", AmountMinor: 100000}}}},
	}
}

// impact is an incident with one impact.
func impact(id, comp string, st sla.Status, pct string, start, end time.Time) sla.Incident {
	return sla.Incident{ID: id, Impacts: []sla.Impact{{Component: comp, Status: st, AffectedPercent: P(pct), Start: start, End: end}}}
}

func addIncident(s *sla.Scenario, inc ...sla.Incident) { s.Incidents = append(s.Incidents, inc...) }

func evaluate(t testing.TB, s *sla.Scenario) *sla.Result {
	t.Helper()
	res, err := sla.Evaluate(s)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	return res
}

// flatten turns a result into "what → shown value" pairs for table tests:
// "c1 downtime", "S uptime", "x S credit", "x goodwill inc", "x total", ...
func flatten(res *sla.Result) map[string]string {
	f := map[string]string{
		"period start":   res.Period.Start.Format(time.RFC3339),
		"period end":     res.Period.End.Format(time.RFC3339),
		"period seconds": fmt.Sprint(res.Period.Seconds),
	}
	for _, c := range res.Components {
		f[c.ID+" downtime"] = c.DowntimeSeconds.Round(6)
		f[c.ID+" uptime"] = c.UptimePercent().Truncate(4)
	}
	for _, s := range res.Services {
		f[s.Service+" uptime"] = s.UptimePercent().Truncate(4)
	}
	for _, c := range res.Customers {
		var names []string
		for _, s := range c.Services {
			k := c.ID + " " + s.Service + " "
			names = append(names, s.Service)
			f[k+"downtime"] = s.DowntimeSeconds.Round(6)
			f[k+"uptime"] = s.UptimePercent().Truncate(4)
			f[k+"credit_percent"] = s.CreditPercent.String()
			f[k+"charges"] = fmt.Sprint(s.ChargesMinor)
			f[k+"credit"] = fmt.Sprint(s.CreditMinor)
			f[k+"deadline"] = s.ClaimDeadline.Format(time.RFC3339)
		}
		f[c.ID+" services"] = strings.Join(names, ",")
		var goods []string
		for _, g := range c.Goodwill {
			f[c.ID+" goodwill "+g.Incident] = fmt.Sprint(g.CreditMinor)
			goods = append(goods, g.Incident)
		}
		f[c.ID+" goodwills"] = strings.Join(goods, ",")
		f[c.ID+" total"] = fmt.Sprint(c.TotalCreditMinor)
	}
	return f
}

type bytesBuffer = bytes.Buffer
