package web

import (
	"strconv"

	"github.com/amends/amends/report"
	"github.com/amends/amends/sla"
	"github.com/amends/amends/templates"
)

// verdictRow is one row of a table whose rows are a service, its regions
// and their components in that order (the dashboard's and the service
// report's), as far as its Result cell needs it.
type verdictRow struct {
	level  report.Level
	region string
	label  string
	missed bool
}

// partlyMissed says, for each row that met its target, which of its parts
// did not: "in us-east-1" for a service whose regions missed, "on ELB
// (us-east-1)" for a service (or region) of which only components missed;
// "" where every part met. A fleet can meet its target while one region
// misses its own, and that region's customers are owed credits, so the
// row must not read as a plain "Met".
func partlyMissed(rows []verdictRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		if r.missed || r.level == report.LevelComponent {
			continue
		}
		var regions, comps []string
		for _, p := range rows[i+1:] {
			if p.level == report.LevelService || (r.level == report.LevelRegion && p.level == report.LevelRegion) {
				break
			}
			if !p.missed {
				continue
			}
			switch p.level {
			case report.LevelRegion:
				name := p.region
				if name == "" {
					name = "(no region)"
				}
				regions = append(regions, name)
			case report.LevelComponent:
				comps = append(comps, p.label)
			}
		}
		switch {
		case len(regions) > 0:
			out[i] = "in " + listOf(regions)
		case len(comps) > 0:
			out[i] = "on " + listOf(comps)
		}
	}
	return out
}

// listOf is "a", "a and b", "a, b and 3 more".
func listOf(names []string) string {
	switch n := len(names); {
	case n == 1:
		return names[0]
	case n == 2:
		return names[0] + " and " + names[1]
	case n == 3:
		return names[0] + ", " + names[1] + " and " + names[2]
	default:
		return names[0] + ", " + names[1] + " and " + strconv.Itoa(n-2) + " more"
	}
}

// resultCell is metCell that says when a met row's part missed: "Met
// overall, missed in us-east-1".
func resultCell(u sla.Ratio, target sla.Percent, ok bool, part string) templates.DataCell {
	c := metCell(u, target, ok)
	if ok && part != "" && c.Class == "met" {
		c.Text = "Met overall, missed " + part
		c.Class = "met-partly"
	}
	return c
}

// budgetHowCounted says in one line each how the budget table's figures
// are counted.
func budgetHowCounted(finished bool) []templates.HowCounted {
	out := []templates.HowCounted{
		{Figure: "Uptime", How: "100 × (1 − downtime ÷ the month's seconds so far); a service's or region's is the fleet uptime of its components, each weighted by its resources."},
		{Figure: "Target", How: "The target of the service's SLA policy."},
		{Figure: "Result", How: "Met when the uptime is at or above the target; “met overall, missed in …” when the fleet met it but a region or component did not, whose customers are owed credits."},
		{Figure: "Budget allowed", How: "(100% − target) × the month's minutes: the downtime the target allows."},
		{Figure: "Budget used", How: "The downtime counted so far, in minutes: each outage's length × the share of the fleet affected."},
		{Figure: "Budget left", How: "Allowed − used; negative once the target is missed."},
	}
	if !finished {
		out = append(out, templates.HowCounted{Figure: "Projected month-end uptime", How: "The month so far plus the rest of it losing downtime at the rate of the last 3 days."})
	}
	return out
}

// burnHowCounted says how the burn table's figures are counted.
var burnHowCounted = []templates.HowCounted{
	{Figure: "Burn rate", How: "The downtime in the window ÷ the downtime the target allows in a window that long: 1 spends the budget exactly by the month's end."},
	{Figure: "Windows", How: "Each ends at now, or at the month's last second once it is over."},
}
