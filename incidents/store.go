package incidents

import (
	"context"
	"time"

	"github.com/amends/amends/audit"
)

// Store keeps services, components, incidents and maintenance. Every write
// checks its input first (the rules of this package, then that the named
// service or components exist), runs in one transaction with its audit
// entry recording by (its AuditLabel), and on any error changes nothing. The
// explanation rules compare by.Who(): the same person with another token or
// session is still the same person. Instants are kept in UTC whole seconds.
// Errors are *errs.Error: Invalid (naming the field), NotFound, Conflict;
// anything else is internal.
type Store interface {
	// Services returns every service by position, then ID.
	Services(ctx context.Context) ([]Service, error)
	// Service returns one service; errs.NotFound if there is none.
	Service(ctx context.Context, id string) (Service, error)
	// CreateService adds s; errs.Conflict if its ID is taken.
	CreateService(ctx context.Context, by audit.Actor, s Service, now time.Time) (Service, error)
	// UpdateService replaces the service with s's ID; errs.NotFound if none.
	UpdateService(ctx context.Context, by audit.Actor, s Service, now time.Time) (Service, error)

	// Components returns every component, ordered by service position and
	// ID, then by group (groups in the order of their first component's
	// position), then position and ID.
	Components(ctx context.Context) ([]Component, error)
	// Component returns one component; errs.NotFound if there is none.
	Component(ctx context.Context, id string) (Component, error)
	// CreateComponent adds c: an unknown service is errs.Invalid on
	// "service", a taken ID errs.Conflict.
	CreateComponent(ctx context.Context, by audit.Actor, c Component, now time.Time) (Component, error)
	// UpdateComponent replaces the component with c's ID; errs.NotFound if
	// none, an unknown service errs.Invalid on "service".
	UpdateComponent(ctx context.Context, by audit.Actor, c Component, now time.Time) (Component, error)

	// CreateIncident declares an incident (see NewIncident); an unknown
	// component is errs.Invalid on "components[i].component".
	CreateIncident(ctx context.Context, by audit.Actor, in IncidentInput, now time.Time) (Incident, error)
	// AddUpdate appends an update to an incident (see Incident.Apply):
	// errs.NotFound, errs.Conflict if it is resolved, errs.Invalid.
	AddUpdate(ctx context.Context, by audit.Actor, incidentID int64, in UpdateInput, now time.Time) (Incident, error)
	// CorrectIncident corrects the title or impact of incident id (see
	// Incident.Correct); a correction that changes nothing writes
	// nothing. The audit entry holds the incident before and after.
	// errs.NotFound, errs.Invalid.
	CorrectIncident(ctx context.Context, by audit.Actor, id int64, c IncidentCorrection, now time.Time) (Incident, error)
	// CorrectUpdate corrects the message of update updateID of incident
	// id (see Incident.CorrectUpdate): the update stays as published and
	// the correction is recorded beside it, append-only; readers get the
	// newest text with EditedAt. The audit entry holds the message before
	// and after. errs.NotFound, errs.Invalid.
	CorrectUpdate(ctx context.Context, by audit.Actor, id, updateID int64, message string, now time.Time) (Incident, error)
	// DeleteIncident removes a mistaken incident from every reader: it is
	// kept, marked deleted, and no read of this Store returns it again;
	// the stored daily uptime of the days it touched is recomputed. The
	// audit entry ("incident.delete") holds the whole incident as it was.
	// Whether credits were paid for it is for the caller to check first.
	// errs.NotFound (also for one already deleted).
	DeleteIncident(ctx context.Context, by audit.Actor, id int64, now time.Time) (Incident, error)
	// Import records a batch (see ImportBatch.Validate) in one
	// transaction: services and components whose IDs exist are reused as
	// they are (a service no new component goes into is not created),
	// incidents whose Source was imported before are updated from the
	// batch (new updates appended, changed text corrected with the old
	// kept, a resolution applied; unchanged ones counted as skipped), and
	// everything else is written with its audit entries. An
	// incident naming a component that neither the batch nor the store has
	// is errs.Invalid on "incidents[i].updates[j].components[k].component".
	// On any error nothing is written.
	Import(ctx context.Context, by audit.Actor, batch ImportBatch, now time.Time) (ImportResult, error)
	// IncidentByExternalID returns the ID of the incident imported with
	// the external id ext (its id at its origin); errs.NotFound if none.
	IncidentByExternalID(ctx context.Context, ext string) (int64, error)
	// SetExcluded sets whether the incident counts for SLAs; setting the
	// value it already has writes nothing.
	SetExcluded(ctx context.Context, by audit.Actor, id int64, excluded bool, now time.Time) (Incident, error)
	// Incident returns one incident with its updates; errs.NotFound.
	Incident(ctx context.Context, id int64) (Incident, error)
	// ActiveIncidents returns the unresolved incidents, newest StartedAt
	// first, with their updates.
	ActiveIncidents(ctx context.Context) ([]Incident, error)
	// ResolvedIncidents returns a page of resolved incidents, newest
	// StartedAt first, with their updates, and how many there are in all.
	ResolvedIncidents(ctx context.Context, offset, limit int) ([]Incident, int, error)
	// LatestResolved returns up to limit incidents resolved at or before
	// until, the most recently resolved first, without their updates (for
	// the status page's "Past incidents"). errs.Invalid on "limit" below 1.
	LatestResolved(ctx context.Context, until time.Time, limit int) ([]Incident, error)
	// FirstRecorded returns the earliest instant the history holds: the
	// StartedAt of the incident that started first, or the StartsAt of the
	// first maintenance if that is earlier; false when there is neither.
	FirstRecorded(ctx context.Context) (time.Time, bool, error)
	// EarliestResolvedStart returns the StartedAt of the resolved incident
	// that started first, and false when none is resolved.
	EarliestResolvedStart(ctx context.Context) (time.Time, bool, error)
	// IncidentsBetween returns, oldest StartedAt first with their updates,
	// every incident whose [StartedAt, ResolvedAt or now) overlaps
	// [from, to), and those that started in [from, to).
	IncidentsBetween(ctx context.Context, from, to time.Time) ([]Incident, error)
	// IncidentTimelines returns the incidents of IncidentsBetween with
	// what their timelines (Incident.Timeline) are made of: each
	// incident's own fields, and its updates with their ID, phase,
	// instant and component statuses (with the customers they name), but
	// no message, author, other instants, external id or correction. For
	// the SLA figures of many months.
	IncidentTimelines(ctx context.Context, from, to time.Time) ([]Incident, error)
	// IncidentTimelineChanges returns a mark of the writes that may have
	// changed the timeline (what IncidentTimelines reads) of any incident
	// before the month holding before: the same text as long as none
	// did, another once one did. A write whose changes start in that month
	// or later leaves it as it was. What a reader derived from the
	// timelines before that month stays true while the mark stays the
	// same (read the mark first, then the timelines).
	IncidentTimelineChanges(ctx context.Context, before time.Time) (string, error)
	// IncidentTitles returns the title of each of ids that is stored, by
	// ID (without the updates: for pages that only name incidents).
	IncidentTitles(ctx context.Context, ids []int64) (map[int64]string, error)
	// IncidentHeads returns each of ids that is stored, by ID, without
	// its updates (for pages that list incidents by title, start and
	// phase): one read for many.
	IncidentHeads(ctx context.Context, ids []int64) (map[int64]Incident, error)

	// CreateMaintenance schedules a maintenance (see NewMaintenance); an
	// unknown component is errs.Invalid on "components[i]".
	CreateMaintenance(ctx context.Context, by audit.Actor, in MaintenanceInput, now time.Time) (Maintenance, error)
	// AdvanceMaintenance moves a maintenance's phase forward from
	// PhaseAt(now) (see Maintenance.Advance): errs.NotFound, errs.Invalid,
	// errs.Conflict.
	AdvanceMaintenance(ctx context.Context, by audit.Actor, id int64, to MaintenancePhase, now time.Time) (Maintenance, error)
	// Maintenance returns one maintenance; errs.NotFound.
	Maintenance(ctx context.Context, id int64) (Maintenance, error)
	// Maintenances returns the maintenances not completed at now, soonest
	// StartsAt first.
	Maintenances(ctx context.Context, now time.Time) ([]Maintenance, error)
	// PastMaintenances returns a page of completed maintenances, latest
	// StartsAt first, and how many there are in all.
	PastMaintenances(ctx context.Context, offset, limit int) ([]Maintenance, int, error)
	// MaintenancesBetween returns every maintenance whose window
	// [StartsAt, EndsAt) overlaps [from, to), soonest StartsAt first.
	MaintenancesBetween(ctx context.Context, from, to time.Time) ([]Maintenance, error)

	// DailyUptime returns the uptime of every component on each UTC day
	// that overlaps [from, to) (see UptimeDays and ComputeDailyUptime):
	// days that are over come from the pre-computed table (a missing one
	// is computed and stored first); a day that ends after to, or after
	// the Store's clock, is evaluated on the spot over [day, to) and never
	// stored. errs.Invalid on "to" when to is not after from.
	DailyUptime(ctx context.Context, from, to time.Time) (UptimeDays, error)

	// Templates returns every incident template, by name.
	Templates(ctx context.Context) ([]Template, error)
	// Template returns one incident template; errs.NotFound.
	Template(ctx context.Context, id int64) (Template, error)
	// CreateTemplate stores a new incident template (see NewTemplate): a
	// name another template has is errs.Invalid on "name", an unknown
	// component errs.Invalid on "components[i].component".
	CreateTemplate(ctx context.Context, by audit.Actor, in TemplateInput, now time.Time) (Template, error)
	// UpdateTemplate replaces template id with in, under the same rules;
	// errs.NotFound. The audit entry holds it before and after; an edit
	// that changes nothing writes nothing.
	UpdateTemplate(ctx context.Context, by audit.Actor, id int64, in TemplateInput, now time.Time) (Template, error)
	// DeleteTemplate removes template id (incidents declared from it are
	// not touched); the audit entry holds what was removed. errs.NotFound.
	DeleteTemplate(ctx context.Context, by audit.Actor, id int64, now time.Time) (Template, error)

	// Explanation returns the explanation of an incident with all its
	// revisions, drafts included (an explanation with no revisions yet if
	// none was started); errs.NotFound if there is no such incident.
	Explanation(ctx context.Context, incidentID int64) (Explanation, error)
	// StartExplanation starts a new draft revision (see Explanation.Start):
	// errs.NotFound, errs.Conflict while another is unpublished,
	// errs.Invalid on "title" or "body".
	StartExplanation(ctx context.Context, by audit.Actor, incidentID int64, title, body string, now time.Time) (Revision, error)
	// EditExplanation replaces the text of the draft revision (see
	// Explanation.Edit); unchanged text writes nothing. errs.NotFound,
	// errs.Conflict when there is no draft, errs.Invalid.
	EditExplanation(ctx context.Context, by audit.Actor, incidentID int64, title, body string, now time.Time) (Revision, error)
	// SubmitExplanation sends the draft for review (see
	// Explanation.Submit): errs.NotFound, errs.Conflict, errs.Invalid.
	SubmitExplanation(ctx context.Context, by audit.Actor, incidentID int64, now time.Time) (Revision, error)
	// ReturnExplanation sends the revision in review back to draft with a
	// note (see Explanation.Return): errs.NotFound, errs.Conflict,
	// errs.Invalid on "note".
	ReturnExplanation(ctx context.Context, by audit.Actor, incidentID int64, note string, now time.Time) (Revision, error)
	// PublishExplanation publishes the revision in review (see
	// Explanation.Publish): errs.Forbidden when by wrote or edited it,
	// errs.NotFound, errs.Conflict.
	PublishExplanation(ctx context.Context, by audit.Actor, incidentID int64, now time.Time) (Revision, error)
	// PublishedExplanations lists every incident with a published
	// explanation, the latest publication first.
	PublishedExplanations(ctx context.Context) ([]ExplanationSummary, error)
}
