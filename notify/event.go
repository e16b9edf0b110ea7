package notify

import (
	"fmt"
	"strconv"
	"time"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
)

// EventType names what happened.
type EventType string

const (
	IncidentCreated      EventType = "incident.created"
	IncidentUpdated      EventType = "incident.updated"
	IncidentResolved     EventType = "incident.resolved"
	MaintenanceScheduled EventType = "maintenance.scheduled"
	MaintenanceStarted   EventType = "maintenance.started"
	MaintenanceCompleted EventType = "maintenance.completed"
	ExplanationPublished EventType = "explanation.published"
)

// EventTypes lists every event type, in the order of a thing's life.
var EventTypes = []EventType{
	IncidentCreated, IncidentUpdated, IncidentResolved,
	MaintenanceScheduled, MaintenanceStarted, MaintenanceCompleted,
	ExplanationPublished,
}

// Valid reports whether t is one of EventTypes.
func (t EventType) Valid() bool {
	for _, v := range EventTypes {
		if t == v {
			return true
		}
	}
	return false
}

// Event is something subscribers are told about. It is what a webhook
// receives as "data" and what an e-mail says.
type Event struct {
	ID   int64     `json:"-"`
	Type EventType `json:"type"`
	// Key makes the event happen once: publishing a second event with the
	// same key does nothing ("incident.updated:12:40").
	Key string    `json:"-"`
	At  time.Time `json:"at"`
	// Title is the incident's or maintenance's title.
	Title string `json:"title"`
	// Phase is the phase after the event ("identified", "in_progress").
	Phase   string `json:"phase,omitempty"`
	Message string `json:"message,omitempty"`
	// Path is the public page about it ("/incidents/12").
	Path          string              `json:"path"`
	IncidentID    int64               `json:"incident_id,omitempty"`
	MaintenanceID int64               `json:"maintenance_id,omitempty"`
	Impact        string              `json:"impact,omitempty"`
	Components    []string            `json:"components"`
	Statuses      []ComponentStatusJS `json:"component_statuses,omitempty"`
	StartsAt      *time.Time          `json:"starts_at,omitempty"`
	EndsAt        *time.Time          `json:"ends_at,omitempty"`
}

// ComponentStatusJS is one component's status as an event carries it.
type ComponentStatusJS struct {
	Component       string `json:"component"`
	Status          string `json:"status"`
	AffectedPercent string `json:"affected_percent"`
}

// Validate checks that e can be published.
func (e Event) Validate() error {
	if !e.Type.Valid() {
		return errs.Invalidf("type", "%q is not an event type", e.Type)
	}
	if e.Key == "" {
		return errs.Invalidf("key", "must not be empty")
	}
	if e.At.IsZero() {
		return errs.Invalidf("at", "must not be empty")
	}
	return nil
}

func incidentPath(id int64) string { return "/incidents/" + strconv.FormatInt(id, 10) }

func incidentEvent(t EventType, inc incidents.Incident) Event {
	u := inc.Latest()
	ev := Event{
		Type: t, At: u.At, Title: inc.Title, Phase: string(u.Phase), Message: u.Message,
		Path: incidentPath(inc.ID), IncidentID: inc.ID, Impact: string(inc.Impact),
		Components: inc.AffectedComponents(),
	}
	for _, cs := range u.Components {
		ev.Statuses = append(ev.Statuses, ComponentStatusJS{Component: cs.Component, Status: string(cs.Status), AffectedPercent: cs.AffectedPercent.String()})
	}
	if ev.Components == nil {
		ev.Components = []string{}
	}
	return ev
}

// ForNewIncident is incident.created for a newly declared incident.
func ForNewIncident(inc incidents.Incident) Event {
	ev := incidentEvent(IncidentCreated, inc)
	ev.Key = fmt.Sprintf("incident.created:%d", inc.ID)
	return ev
}

// ForUpdate is the event of the incident's latest update: incident.resolved
// when it resolved the incident, incident.updated otherwise.
func ForUpdate(inc incidents.Incident) Event {
	t := IncidentUpdated
	if !inc.Active() {
		t = IncidentResolved
	}
	ev := incidentEvent(t, inc)
	ev.Key = fmt.Sprintf("%s:%d:%d", t, inc.ID, inc.Latest().ID)
	return ev
}

// IncidentEvents returns the event of each update of inc recorded at or
// after since, as the handlers publish them when the update is written:
// incident.created for the first update, incident.updated or
// incident.resolved for the others, each as of that update. Updates
// recorded more than relayWindow after the instant they describe
// (backfilled history) have none.
func IncidentEvents(inc incidents.Incident, since time.Time) []Event {
	var out []Event
	for k, u := range inc.Updates {
		if u.CreatedAt.Before(since) || u.CreatedAt.Sub(u.At) > relayWindow {
			continue
		}
		then := inc
		then.Updates = inc.Updates[:k+1]
		then.Phase, then.ResolvedAt = u.Phase, nil
		if u.Phase == incidents.Resolved {
			at := u.At
			then.ResolvedAt = &at
		}
		if k == 0 {
			out = append(out, ForNewIncident(then))
		} else {
			out = append(out, ForUpdate(then))
		}
	}
	return out
}

// ForExplanation is explanation.published for revision rev of inc's
// explanation.
func ForExplanation(inc incidents.Incident, rev incidents.Revision) Event {
	ev := incidentEvent(ExplanationPublished, inc)
	ev.Key = fmt.Sprintf("explanation.published:%d:%d", inc.ID, rev.Number)
	ev.Title = rev.Title
	ev.Phase, ev.Message, ev.Statuses = "", "", nil
	if rev.PublishedAt != nil {
		ev.At = *rev.PublishedAt
	}
	ev.Path = incidentPath(inc.ID) + "/explanation"
	return ev
}

func maintenanceEvent(t EventType, m incidents.Maintenance, at time.Time, phase incidents.MaintenancePhase) Event {
	starts, ends := m.StartsAt, m.EndsAt
	return Event{
		Type: t, Key: fmt.Sprintf("%s:%d", t, m.ID), At: at, Title: m.Title, Phase: string(phase),
		Message: m.Message, Path: "/", MaintenanceID: m.ID,
		Components: append([]string{}, m.Components...), StartsAt: &starts, EndsAt: &ends,
	}
}

// ForNewMaintenance is maintenance.scheduled.
func ForNewMaintenance(m incidents.Maintenance) Event {
	return maintenanceEvent(MaintenanceScheduled, m, m.AnnouncedAt, incidents.Scheduled)
}

// ForAdvance is maintenance.started or maintenance.completed for a manual
// advance to m.Phase at now; the same transition by the clock (see
// MaintenanceTransitions) has the same key, so it is told once.
func ForAdvance(m incidents.Maintenance, now time.Time) (Event, bool) {
	switch m.Phase {
	case incidents.InProgress:
		return maintenanceEvent(MaintenanceStarted, m, now.UTC().Truncate(time.Second), incidents.InProgress), true
	case incidents.Completed:
		return maintenanceEvent(MaintenanceCompleted, m, now.UTC().Truncate(time.Second), incidents.Completed), true
	}
	return Event{}, false
}

// MaintenanceTransitions returns the started and completed events that the
// clock has caused for m by now. A window that was already open or over
// when it was recorded (a backfill) causes none, and neither does one that
// was completed by hand (its events came from ForAdvance).
func MaintenanceTransitions(m incidents.Maintenance, now time.Time) []Event {
	if m.Phase == incidents.Completed {
		return nil
	}
	var out []Event
	if !now.Before(m.StartsAt) && !m.StartsAt.Before(m.CreatedAt) && m.Phase != incidents.InProgress {
		out = append(out, maintenanceEvent(MaintenanceStarted, m, m.StartsAt, incidents.InProgress))
	}
	if !now.Before(m.EndsAt) && !m.EndsAt.Before(m.CreatedAt) {
		out = append(out, maintenanceEvent(MaintenanceCompleted, m, m.EndsAt, incidents.Completed))
	}
	return out
}
