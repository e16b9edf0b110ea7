package web

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/sla"
	"github.com/amends/amends/templates"
	"github.com/amends/amends/web/richtext"
)

// This file turns domain values into the ready-formatted strings of the
// view models. Every page shows instants in UTC; the page script adds the
// reader's local time.

// viewTime is an instant in the pages' one date style (templates.At).
func viewTime(t time.Time) templates.Time { return templates.At(t) }

func viewTimePtr(t *time.Time) templates.Time {
	if t == nil {
		return templates.Time{}
	}
	return viewTime(*t)
}

func statusBadge(s incidents.Status) templates.StatusBadge {
	return templates.StatusBadge{Class: string(s), Label: s.Label()}
}

// overallBadge is the banner: a sentence for the worst status.
func overallBadge(s incidents.Status) templates.StatusBadge {
	label := map[incidents.Status]string{
		incidents.Operational:         "All systems operational",
		incidents.UnderMaintenance:    "Scheduled maintenance in progress",
		incidents.DegradedPerformance: "Degraded performance",
		incidents.PartialOutage:       "Partial outage",
		incidents.MajorOutage:         "Major outage",
	}[s]
	return templates.StatusBadge{Class: string(s), Label: label}
}

// overallBanner is the banner of a page that knows the active incidents:
// while one is active, the page never says "All systems operational",
// even when it affects no component (or none any more).
func overallBanner(s incidents.Status, active int) templates.StatusBadge {
	if s == incidents.Operational && active > 0 {
		return templates.StatusBadge{Class: "incident_in_progress", Label: "Incident in progress"}
	}
	return overallBadge(s)
}

func percentText(p sla.Percent) string { return p.String() + "%" }

// componentNames maps component ids to the names pages show.
type componentNames map[string]string

func namesOf(components []incidents.Component) componentNames {
	n := make(componentNames, len(components))
	for _, c := range components {
		n[c.ID] = c.Name
	}
	return n
}

func (n componentNames) name(id string) string {
	if name, ok := n[id]; ok && name != "" {
		return name
	}
	return id
}

func (n componentNames) names(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = n.name(id)
	}
	return out
}

func impactBadge(i incidents.Impact) templates.StatusBadge {
	return templates.StatusBadge{Class: string(i), Label: i.Label()}
}

// incidentSummary is an incident in a list; urlPrefix is "/incidents/" on
// public pages and "/admin/incidents/" in admin.
func incidentSummary(inc incidents.Incident, names componentNames, urlPrefix string, now time.Time) templates.IncidentSummary {
	v := templates.IncidentSummary{
		URL:        urlPrefix + strconv.FormatInt(inc.ID, 10),
		Title:      inc.Title,
		Impact:     impactBadge(inc.Impact),
		Phase:      inc.Phase.Label(),
		Started:    viewTime(inc.StartedAt),
		Resolved:   viewTimePtr(inc.ResolvedAt),
		Components: names.names(inc.AffectedComponents()),
	}
	if inc.ResolvedAt != nil {
		v.Duration = incidents.FormatDuration(inc.ResolvedAt.Sub(inc.StartedAt))
	} else {
		v.Duration = "ongoing for " + incidents.FormatDuration(now.Sub(inc.StartedAt))
	}
	if len(inc.Updates) > 0 {
		last := inc.Latest()
		v.Latest = last.Message
		if htmlBody(last) {
			v.Latest = richtext.Text(last.Message)
		}
		v.LatestAt = viewTime(last.At)
	}
	return v
}

// explainedSet holds the ids of the incidents that have a published
// explanation.
type explainedSet map[int64]bool

// explained returns the incidents with a published explanation.
func (s *Server) explained(ctx context.Context) (explainedSet, error) {
	list, err := s.incidents.PublishedExplanations(ctx)
	if err != nil {
		return nil, err
	}
	out := make(explainedSet, len(list))
	for _, x := range list {
		out[x.IncidentID] = true
	}
	return out, nil
}

// summary is incidentSummary with ExplanationURL set to the public
// explanation when inc has a published one.
func (x explainedSet) summary(inc incidents.Incident, names componentNames, urlPrefix string, now time.Time) templates.IncidentSummary {
	v := incidentSummary(inc, names, urlPrefix, now)
	if x[inc.ID] {
		v.ExplanationURL = publicExplanationPath(inc.ID)
	}
	return v
}

// updateViews lists an incident's updates newest first.
// updateViews is the timeline, newest first; withCustomers adds the
// customers each status names (for admin pages: customers are private).
func updateViews(inc incidents.Incident, names componentNames, withCustomers bool) []templates.UpdateView {
	out := make([]templates.UpdateView, 0, len(inc.Updates))
	for i := len(inc.Updates) - 1; i >= 0; i-- {
		u := inc.Updates[i]
		v := templates.UpdateView{
			Phase:      u.Phase.Label(),
			PhaseClass: string(u.Phase),
			Paragraphs: paragraphs(u.Message),
			At:         viewTime(u.At),
			Edited:     viewTimePtr(u.EditedAt),
			Author:     u.Author,
		}
		if htmlBody(u) {
			v.HTML, v.Paragraphs = richtext.HTML(u.Message), nil
		}
		for _, cs := range u.Components {
			cv := templates.ComponentChangeView{Name: names.name(cs.Component), Status: statusBadge(cs.Status)}
			if cs.Status != incidents.Operational {
				cv.Percent = percentText(cs.AffectedPercent)
			}
			if withCustomers {
				for _, ac := range cs.Customers {
					label := ac.Customer + " (all its resources)"
					if n := ac.AffectedResources; n != nil {
						label = fmt.Sprintf("%s (%d %s)", ac.Customer, *n, plural(*n, "resource", "resources"))
					}
					cv.Customers = append(cv.Customers, templates.NamedCustomer{Label: label, URL: customerPath(ac.Customer)})
				}
			}
			v.Components = append(v.Components, cv)
		}
		out = append(out, v)
	}
	return out
}

// affected is every component an incident touched, with its worst status
// and peak affected percentage.
func affected(inc incidents.Incident, names componentNames) []templates.AffectedComponent {
	type peak struct {
		status  incidents.Status
		percent sla.Percent
	}
	peaks := map[string]peak{}
	for _, u := range inc.Updates {
		for _, cs := range u.Components {
			p := peaks[cs.Component]
			if cs.Status.Severity() > p.status.Severity() || p.status == "" {
				p.status = cs.Status
			}
			if cs.Status != incidents.Operational && cs.AffectedPercent > p.percent {
				p.percent = cs.AffectedPercent
			}
			peaks[cs.Component] = p
		}
	}
	var out []templates.AffectedComponent
	for _, id := range inc.AffectedComponents() {
		p := peaks[id]
		a := templates.AffectedComponent{Name: names.name(id), Worst: statusBadge(p.status)}
		if p.percent > 0 {
			a.PeakPercent = percentText(p.percent)
		}
		out = append(out, a)
	}
	return out
}

// htmlBody reports whether u's message is shown as markup: an imported
// update written in HTML (updates written here are plain text).
func htmlBody(u incidents.Update) bool {
	return u.ExternalID != "" && richtext.IsHTML(u.Message)
}

// paragraphs splits a message at blank lines.
func paragraphs(msg string) []string {
	msg = strings.ReplaceAll(msg, "\r\n", "\n")
	var out []string
	for _, p := range strings.Split(msg, "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func maintenanceSummary(m incidents.Maintenance, names componentNames, now time.Time) templates.MaintenanceSummary {
	phase := m.PhaseAt(now)
	return templates.MaintenanceSummary{
		ID:         m.ID,
		Title:      m.Title,
		Message:    m.Message,
		Phase:      phase.Label(),
		PhaseClass: string(phase),
		Starts:     viewTime(m.StartsAt),
		Ends:       viewTime(m.EndsAt),
		Components: names.names(m.Components),
	}
}

// where is the location shown beside a component's name, unless the name
// already says it.
func where(c incidents.Component) string {
	w := c.Region
	if c.Zone != "" {
		w = c.Zone
	}
	if strings.Contains(c.Name, w) {
		return ""
	}
	return w
}

// plural is one when n is 1, many otherwise.
func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
