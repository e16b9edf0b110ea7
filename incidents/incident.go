package incidents

import (
	"sort"
	"time"

	"github.com/amends/amends/sla"
)

// Incident is something that went wrong, with its timeline of updates.
type Incident struct {
	ID     int64  `json:"id"`
	Title  string `json:"title"`
	Impact Impact `json:"impact"`
	// Phase is the phase of the latest update.
	Phase Phase `json:"phase"`
	// StartedAt is when the incident began (it may be backfilled); the
	// first update is at this instant.
	StartedAt time.Time `json:"started_at"`
	// ResolvedAt is the instant of the resolving update, nil while active.
	ResolvedAt *time.Time `json:"resolved_at,omitempty"`
	// Excluded incidents are shown but count for no SLA.
	Excluded  bool      `json:"excluded"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Updates is the timeline, oldest first. It is append-only.
	Updates []Update `json:"updates"`
	// ExternalID is the incident's id on the Statuspage page it was
	// imported from, empty for an incident declared here.
	ExternalID string `json:"external_id,omitempty"`
}

// Update is one published entry of an incident's timeline.
type Update struct {
	ID         int64  `json:"id"`
	IncidentID int64  `json:"incident_id"`
	Phase      Phase  `json:"phase"`
	Message    string `json:"message"`
	// At is when it happened (it may be backfilled); CreatedAt is when it
	// was written.
	At        time.Time `json:"at"`
	CreatedAt time.Time `json:"created_at"`
	Author    string    `json:"author"`
	// EditedAt is when the message was last corrected (Message is then
	// the corrected text), nil if it never was.
	EditedAt *time.Time `json:"edited_at,omitempty"`
	// Components are the components this update set, in the order given.
	Components []ComponentStatus `json:"components"`
	// ExternalID is the update's id on the Statuspage page it was imported
	// from, empty for an update written here.
	ExternalID string `json:"external_id,omitempty"`
	// UpdatedAt is when an imported update was last edited at its origin
	// (the newest edit a later import recorded, else as first imported);
	// nil for updates written here. A text its origin changed is Message
	// without EditedAt, which marks corrections made here.
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
}

// ComponentStatus is the status of one component, and the share of its
// resources affected.
type ComponentStatus struct {
	Component       string      `json:"component"`
	Status          Status      `json:"status"`
	AffectedPercent sla.Percent `json:"affected_percent"`
	// Customers, when not empty, names the customers this status hits (and
	// so no one else, for the credit desk).
	Customers []AffectedCustomer `json:"customers,omitempty"`
	// OldStatus is the status before this update as an imported update's
	// origin recorded it; empty for updates written here, whose previous
	// status is worked out from the timeline.
	OldStatus Status `json:"old_status,omitempty"`
}

// AffectedCustomer names a customer of the credit desk hit by a
// component's status, and how many of its resources in the component were
// hit (nil: all of them).
type AffectedCustomer struct {
	Customer          string `json:"customer"`
	AffectedResources *int64 `json:"affected_resources,omitempty"`
}

// Span is one stretch of time during which a component stayed at one status
// and affected share because of an incident.
type Span struct {
	Component       string      `json:"component"`
	Status          Status      `json:"status"`
	AffectedPercent sla.Percent `json:"affected_percent"`
	// Customers are the customers the span's status names, if any.
	Customers []AffectedCustomer `json:"customers,omitempty"`
	Start     time.Time          `json:"start"`
	// End is nil while the span goes on.
	End *time.Time `json:"end,omitempty"`
}

// Active reports whether the incident is not yet resolved.
func (inc Incident) Active() bool { return inc.Phase != Resolved }

// Latest returns the newest update, or the zero Update if there is none.
func (inc Incident) Latest() Update {
	if len(inc.Updates) == 0 {
		return Update{}
	}
	return inc.Updates[len(inc.Updates)-1]
}

// AffectedComponents returns every component the incident's updates ever
// named, first named first.
func (inc Incident) AffectedComponents() []string {
	var out []string
	seen := map[string]bool{}
	for _, u := range inc.Updates {
		for _, cs := range u.Components {
			if !seen[cs.Component] {
				seen[cs.Component] = true
				out = append(out, cs.Component)
			}
		}
	}
	return out
}

// ComponentStates returns the current state of each component the incident
// affects: the updates are folded oldest to newest, each setting the
// components it names and leaving the others as they were. Components back
// at operational are left out, and a resolved incident affects none. The
// order is the order in which components were first named.
func (inc Incident) ComponentStates() []ComponentStatus {
	if !inc.Active() {
		return nil
	}
	var order []string
	cur := map[string]ComponentStatus{}
	for _, u := range inc.Updates {
		for _, cs := range u.Components {
			if _, ok := cur[cs.Component]; !ok {
				order = append(order, cs.Component)
			}
			cur[cs.Component] = cs
		}
	}
	var out []ComponentStatus
	for _, id := range order {
		if cs := cur[id]; cs.Status != Operational {
			out = append(out, cs)
		}
	}
	return out
}

// Timeline returns the incident's effect on each component as spans of
// constant status and affected share. A span starts at the update that sets
// a component to a non-operational status or a new share, and ends at the
// next update that changes either (End is that update's At), at ResolvedAt,
// or not yet (End nil) while the incident is active; updates after the
// resolution are not read. Operational stretches
// and spans of zero length (two updates at one instant) are left out. Spans
// are ordered by Start, then by the order in which components were first
// named.
func (inc Incident) Timeline() []Span {
	first := map[string]int{}
	open := map[string]*Span{}
	var out []Span
	end := func(id string, at time.Time) {
		sp := open[id]
		if sp == nil {
			return
		}
		delete(open, id)
		if at.After(sp.Start) {
			e := at
			sp.End = &e
			out = append(out, *sp)
		}
	}
	for _, u := range inc.Updates {
		if inc.ResolvedAt != nil && u.At.After(*inc.ResolvedAt) {
			// A note after the resolution (kept from an imported history)
			// changes nothing: the resolution ended every span.
			break
		}
		for _, cs := range u.Components {
			if _, ok := first[cs.Component]; !ok {
				first[cs.Component] = len(first)
			}
			if sp := open[cs.Component]; sp != nil && sp.Status == cs.Status && sp.AffectedPercent == cs.AffectedPercent &&
				sameCustomers(sp.Customers, cs.Customers) {
				continue // nothing changed: the span goes on
			}
			end(cs.Component, u.At)
			if cs.Status != Operational {
				open[cs.Component] = &Span{Component: cs.Component, Status: cs.Status, AffectedPercent: cs.AffectedPercent,
					Customers: cs.Customers, Start: u.At}
			}
		}
	}
	for id, sp := range open {
		if inc.ResolvedAt != nil {
			end(id, *inc.ResolvedAt)
		} else {
			out = append(out, *sp)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Start.Equal(out[j].Start) {
			return out[i].Start.Before(out[j].Start)
		}
		return first[out[i].Component] < first[out[j].Component]
	})
	return out
}

// sameCustomers reports whether a and b name the same customers with the
// same counts, in the same order.
func sameCustomers(a, b []AffectedCustomer) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Customer != b[i].Customer || (a[i].AffectedResources == nil) != (b[i].AffectedResources == nil) ||
			(a[i].AffectedResources != nil && *a[i].AffectedResources != *b[i].AffectedResources) {
			return false
		}
	}
	return true
}
