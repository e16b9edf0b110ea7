package incidents

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/sla"
)

// The headings of a prefilled explanation, in order.
const (
	HeadingWhatHappened = "What happened"
	HeadingImpact       = "Impact"
	HeadingWhy          = "Why it happened"
	HeadingChanges      = "What we are changing"
	HeadingApology      = "Our apology"
)

// The guiding sentences of the sections the author writes; each is meant
// to be replaced.
const (
	GuideWhy      = "_Replace this: the cause in plain words — what failed, and why our safeguards did not stop it._"
	GuideChanges  = "_Replace this: what we have changed and will change so that this does not happen again, with dates where there are any._"
	GuideApology  = "_Replace this: an apology in your own words, to the customers this affected._"
	draftTimeText = "2 Jan 2006, 15:04 UTC" // the pages' style (templates.InstantLayout)
)

// IncidentMonth is the calendar month (UTC) in which inc started: the period
// whose uptime an explanation quotes.
func IncidentMonth(inc Incident) sla.Period {
	t := inc.StartedAt.UTC()
	return sla.MonthPeriod(t.Year(), t.Month(), "")
}

// DraftCredits is what the credit desk finds for an incident's month, for
// the explanation's draft: how many customers had resources in the affected
// services, how many of them lost uptime under their SLA, and the tier
// credits that comes to per currency (as the month's credit run would pay
// it, before claims where a policy needs one).
type DraftCredits struct {
	Customers    int
	CustomersHit int
	// CreditMinor is the credit per currency, in minor units.
	CreditMinor map[string]int64
}

// DraftExplanation returns the title and Markdown body a new explanation
// starts from: headed sections "What happened" (the timeline of inc's
// updates with their UTC instants), "Impact" (the incident's span; a table
// of the affected components with their worst status, peak affected
// percentage and how long they were affected; and, when month is not nil,
// each affected component's uptime and counted downtime in the month and
// its service's fleet uptime, as sla.Evaluate found them; and, when credits
// is not nil, the customers affected and the credits offered), then "Why it
// happened", "What we are changing" and "Our apology", each with a guiding
// sentence for the author to replace. services and components name what
// inc's ids refer to; now measures what is still going on. It is pure: the
// same input gives the same text.
func DraftExplanation(inc Incident, services []Service, components []Component, month *sla.Result, credits *DraftCredits, now time.Time) (title, body string) {
	compName := map[string]string{}
	compService := map[string]string{}
	for _, c := range components {
		compName[c.ID] = c.Name
		compService[c.ID] = c.Service
	}
	svcName := map[string]string{}
	for _, s := range services {
		svcName[s.ID] = s.Name
	}
	name := func(id string) string {
		if n := compName[id]; n != "" {
			return n
		}
		return id
	}

	var b strings.Builder
	section := func(h string) {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString("## " + h + "\n\n")
	}

	section(HeadingWhatHappened)
	for _, u := range inc.Updates {
		fmt.Fprintf(&b, "- **%s** · %s: %s\n", u.At.UTC().Format(draftTimeText), u.Phase.Label(), markdownLine(u.Message))
	}
	if len(inc.Updates) == 0 {
		b.WriteString("_No updates were posted._\n")
	}

	section(HeadingImpact)
	if inc.ResolvedAt != nil {
		fmt.Fprintf(&b, "The incident lasted %s, from %s to %s.\n", FormatDuration(inc.ResolvedAt.Sub(inc.StartedAt)),
			inc.StartedAt.UTC().Format(draftTimeText), inc.ResolvedAt.UTC().Format(draftTimeText))
	} else {
		fmt.Fprintf(&b, "The incident began at %s and is still going on.\n", inc.StartedAt.UTC().Format(draftTimeText))
	}
	affected := inc.AffectedComponents()
	if len(affected) > 0 {
		type peak struct {
			status  Status
			percent sla.Percent
			length  time.Duration
			ongoing bool
		}
		peaks := map[string]*peak{}
		for _, id := range affected {
			peaks[id] = &peak{status: Operational}
		}
		for _, u := range inc.Updates {
			for _, cs := range u.Components {
				p := peaks[cs.Component]
				p.status = Worst(p.status, cs.Status)
				if cs.Status != Operational && cs.AffectedPercent > p.percent {
					p.percent = cs.AffectedPercent
				}
			}
		}
		for _, sp := range inc.Timeline() {
			p := peaks[sp.Component]
			if sp.End == nil {
				p.ongoing = true
				p.length += now.Sub(sp.Start)
			} else {
				p.length += sp.End.Sub(sp.Start)
			}
		}
		b.WriteString("\n| Component | Worst status | Peak affected | Affected for |\n|---|---|---:|---|\n")
		for _, id := range affected {
			p := peaks[id]
			pct, length := "—", "—"
			if p.percent > 0 {
				pct = p.percent.String() + "%"
			}
			if p.length > 0 {
				length = FormatDuration(p.length)
				if p.ongoing {
					length += " so far"
				}
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", markdownCell(name(id)), p.status.Label(), pct, length)
		}
	}
	if month != nil && len(affected) > 0 {
		label := month.Period.Start.UTC().Format("January 2006")
		byID := map[string]sla.ComponentResult{}
		for _, c := range month.Components {
			byID[c.ID] = c
		}
		fmt.Fprintf(&b, "\nUptime in %s (UTC), as our SLA engine counts it over the whole month:\n\n", label)
		b.WriteString("| Component | Uptime | Downtime counted |\n|---|---:|---:|\n")
		seen := map[string]bool{}
		for _, id := range affected {
			r, ok := byID[id]
			if !ok {
				continue
			}
			fmt.Fprintf(&b, "| %s | %s%% | %s |\n", markdownCell(name(id)), r.UptimePercent().Truncate(4), secondsText(r.DowntimeSeconds))
			seen[compService[id]] = true
		}
		b.WriteString("\nDowntime counted is not the outage's length: each second counts by the share of the component's resources affected then, so a second with 6.8% affected counts as 0.068 s and only a second with every resource affected counts whole. A long outage that hit a small share costs far less uptime than its length.\n")
		for _, svc := range month.Services {
			if !seen[svc.Service] {
				continue
			}
			n := svcName[svc.Service]
			if n == "" {
				n = svc.Service
			}
			fmt.Fprintf(&b, "\nFleet uptime of %s in %s: %s%%.\n", markdownLine(n), label, svc.UptimePercent().Truncate(4))
		}
	}
	if credits != nil && credits.Customers > 0 {
		fmt.Fprintf(&b, "\nCustomers: %d of the %d customers with resources in the affected services lost uptime under their SLA that month.", credits.CustomersHit, credits.Customers)
		currencies := make([]string, 0, len(credits.CreditMinor))
		for cur, minor := range credits.CreditMinor {
			if minor > 0 {
				currencies = append(currencies, cur)
			}
		}
		sort.Strings(currencies)
		if len(currencies) == 0 {
			b.WriteString(" Their uptime stayed above every credit tier, so no service credit is due.\n")
		} else {
			amounts := make([]string, len(currencies))
			for i, cur := range currencies {
				amounts[i] = desk.FormatMoney(credits.CreditMinor[cur], cur)
			}
			fmt.Fprintf(&b, " The service credits this comes to: %s, applied through the month's credit run.\n", strings.Join(amounts, ", "))
		}
	}

	section(HeadingWhy)
	b.WriteString(GuideWhy + "\n")
	section(HeadingChanges)
	b.WriteString(GuideChanges + "\n")
	section(HeadingApology)
	b.WriteString(GuideApology + "\n")

	title = inc.Title
	if title == "" {
		title = "Incident " + strconv.FormatInt(inc.ID, 10)
	}
	return title, strings.TrimRight(b.String(), "\n")
}

// secondsText is counted downtime: exact seconds, and in hours and
// minutes when it is a minute or more ("5410.08 s (1 h 30 min)").
func secondsText(x sla.Ratio) string {
	s := x.Round(6) + " s"
	whole, err := strconv.ParseInt(x.Round(0), 10, 64)
	if d := time.Duration(whole) * time.Second; err == nil && d >= time.Minute {
		s += " (" + FormatDuration(d) + ")"
	}
	return s
}

// durationText says a span as an incident report does: "22 h 6 min",
// "3 d 4 h", "under a minute".
func FormatDuration(d time.Duration) string {
	if d < time.Minute {
		return "under a minute"
	}
	mins := int64(d / time.Minute)
	days, hours, m := mins/(24*60), mins/60%24, mins%60
	var parts []string
	if days > 0 {
		parts = append(parts, strconv.FormatInt(days, 10)+" d")
	}
	if hours > 0 {
		parts = append(parts, strconv.FormatInt(hours, 10)+" h")
	}
	if m > 0 && days == 0 {
		parts = append(parts, strconv.FormatInt(m, 10)+" min")
	}
	return strings.Join(parts, " ")
}

// markdownLine puts text on one Markdown line: line breaks become spaces.
func markdownLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// markdownCell is markdownLine with the table separator escaped.
func markdownCell(s string) string {
	return strings.ReplaceAll(markdownLine(s), "|", `\|`)
}
