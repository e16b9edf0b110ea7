// Package statuspage builds the public JSON API that Atlassian
// Statuspage's public API v2 defines (/api/v2/summary.json and its parts),
// field for field, so that widgets and client libraries written for
// Statuspage read Amends unchanged, and the incident history as Atom and
// RSS feeds. It builds bytes from what package report loads; the web
// layer serves them, rendered once per data revision by its page cache.
//
// Mapping:
//   - a service is a component group ("group": true, "components": the ids of
//     its members; its id is "service_" + the service id, which no component
//     id can be, since component ids never hold "_"); a component is a
//     component with "group_id" set to its service's group;
//   - incident ids are the Amends ids as decimal strings ("7"); maintenance
//     ids are "maintenance-7", so the two never meet in one list;
//   - a resolved incident with a published explanation has status
//     "postmortem", as Statuspage shows an incident whose postmortem is
//     published; its updates stay as they are, and the explanation itself
//     is on its page (Statuspage's public API carries no postmortem body);
//   - Amends records no creation or change instants for components: a
//     component's updated_at is the last change that the loaded incidents and
//     maintenance show for it (created_at the first), else the page's;
//   - a maintenance has no updates of its own: its timeline is made of the
//     phases it reached (scheduled with its message, in progress, completed).
package statuspage

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strconv"
	"time"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/report"
)

const (
	// ContentType is the content type of every v2 endpoint.
	ContentType = "application/json"
	// MaxList is how many incidents or maintenances the lists hold, as on
	// Statuspage: the n that report.Reports.PublicRecord is asked for.
	MaxList = 50
	// timeLayout is RFC 3339 with milliseconds and an offset ("Z" in UTC),
	// as Statuspage writes its instants.
	timeLayout = "2006-01-02T15:04:05.000Z07:00"
	// groupPrefix turns a service id into its component group's id.
	groupPrefix = "service_"
	// statusPostmortem is the status of a resolved incident whose
	// explanation is published.
	statusPostmortem = "postmortem"
)

// The indicator of the page status, and the words Statuspage uses for it.
const (
	indicatorNone        = "none"
	indicatorMinor       = "minor"
	indicatorMajor       = "major"
	indicatorCritical    = "critical"
	indicatorMaintenance = "maintenance"
)

var indicatorWords = map[string]string{
	indicatorNone:        "All Systems Operational",
	indicatorMinor:       "Minor Service Outage",
	indicatorMajor:       "Partial System Outage",
	indicatorCritical:    "Major System Outage",
	indicatorMaintenance: "Service Under Maintenance",
}

// page is the "page" object every response starts with.
type page struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	URL       string `json:"url"`
	TimeZone  string `json:"time_zone"`
	UpdatedAt string `json:"updated_at"`
}

// pageStatus is the page's overall status.
type pageStatus struct {
	Indicator   string `json:"indicator"`
	Description string `json:"description"`
}

// component is a component or, with Group set, a component group.
type component struct {
	ID                 string           `json:"id"`
	Name               string           `json:"name"`
	Status             incidents.Status `json:"status"`
	CreatedAt          string           `json:"created_at"`
	UpdatedAt          string           `json:"updated_at"`
	Position           int              `json:"position"`
	Description        *string          `json:"description"`
	Showcase           bool             `json:"showcase"`
	StartDate          *string          `json:"start_date"`
	GroupID            *string          `json:"group_id"`
	PageID             string           `json:"page_id"`
	Group              bool             `json:"group"`
	OnlyShowIfDegraded bool             `json:"only_show_if_degraded"`
	// Components lists a group's members; components have no such key.
	Components []string `json:"components,omitempty"`
}

// incident is an incident, and the common part of a scheduled
// maintenance.
type incident struct {
	ID              string           `json:"id"`
	Name            string           `json:"name"`
	Status          string           `json:"status"`
	CreatedAt       string           `json:"created_at"`
	UpdatedAt       string           `json:"updated_at"`
	MonitoringAt    *string          `json:"monitoring_at"`
	ResolvedAt      *string          `json:"resolved_at"`
	Impact          string           `json:"impact"`
	Shortlink       string           `json:"shortlink"`
	StartedAt       string           `json:"started_at"`
	PageID          string           `json:"page_id"`
	IncidentUpdates []incidentUpdate `json:"incident_updates"`
	Components      []component      `json:"components"`
}

// maintenance is a scheduled maintenance: an incident with a window.
type maintenance struct {
	incident
	ScheduledFor   string `json:"scheduled_for"`
	ScheduledUntil string `json:"scheduled_until"`
}

// incidentUpdate is one entry of an incident's timeline.
type incidentUpdate struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	Body       string `json:"body"`
	IncidentID string `json:"incident_id"`
	CreatedAt  string `json:"created_at"`
	UpdatedAt  string `json:"updated_at"`
	DisplayAt  string `json:"display_at"`
	// AffectedComponents is null when the update changed no component.
	AffectedComponents   []affectedComponent `json:"affected_components"`
	DeliverNotifications bool                `json:"deliver_notifications"`
	CustomTweet          *string             `json:"custom_tweet"`
	TweetID              *string             `json:"tweet_id"`
}

// affectedComponent is a component's change in one update.
type affectedComponent struct {
	Code      string           `json:"code"`
	Name      string           `json:"name"`
	OldStatus incidents.Status `json:"old_status"`
	NewStatus incidents.Status `json:"new_status"`
}

// snapshot is everything the endpoints show, mapped from the public
// record.
type snapshot struct {
	page         page
	status       pageStatus
	components   []component // groups, each followed by its members
	unresolved   []incident  // newest first
	incidents    []incident  // the MaxList most recent, newest first
	maintenances []maintenance
	upcoming     []maintenance // soonest first
	active       []maintenance // soonest first
}

// Site is the status page the documents describe: its name and public
// address without a trailing slash ("https://status.example.com").
type Site struct {
	Name string
	URL  string
}

// The endpoints: each returns the JSON of one v2 resource, built from the
// public record as of now.

// Summary is /api/v2/summary.json: the page, its components, the
// unresolved incidents, the maintenance in progress and upcoming, and the
// page status.
func Summary(rec report.PublicRecord, site Site, now time.Time) ([]byte, error) {
	d := build(rec, site, now)
	return json.Marshal(struct {
		Page                  page          `json:"page"`
		Components            []component   `json:"components"`
		Incidents             []incident    `json:"incidents"`
		ScheduledMaintenances []maintenance `json:"scheduled_maintenances"`
		Status                pageStatus    `json:"status"`
	}{d.page, d.components, d.unresolved, append(append([]maintenance{}, d.active...), d.upcoming...), d.status})
}

// Status is /api/v2/status.json: the page and its status.
func Status(rec report.PublicRecord, site Site, now time.Time) ([]byte, error) {
	d := build(rec, site, now)
	return json.Marshal(struct {
		Page   page       `json:"page"`
		Status pageStatus `json:"status"`
	}{d.page, d.status})
}

// Components is /api/v2/components.json: the groups, each followed by its
// members.
func Components(rec report.PublicRecord, site Site, now time.Time) ([]byte, error) {
	d := build(rec, site, now)
	return json.Marshal(struct {
		Page       page        `json:"page"`
		Components []component `json:"components"`
	}{d.page, d.components})
}

// Incidents is /api/v2/incidents.json: the MaxList most recent incidents,
// newest first.
func Incidents(rec report.PublicRecord, site Site, now time.Time) ([]byte, error) {
	d := build(rec, site, now)
	return json.Marshal(incidentList{d.page, d.incidents})
}

// Unresolved is /api/v2/incidents/unresolved.json: the active incidents.
func Unresolved(rec report.PublicRecord, site Site, now time.Time) ([]byte, error) {
	d := build(rec, site, now)
	return json.Marshal(incidentList{d.page, d.unresolved})
}

// Maintenances is /api/v2/scheduled-maintenances.json: the maintenance
// not completed and the latest completed, MaxList in all, latest first.
func Maintenances(rec report.PublicRecord, site Site, now time.Time) ([]byte, error) {
	d := build(rec, site, now)
	return json.Marshal(maintenanceList{d.page, d.maintenances})
}

// Upcoming is /api/v2/scheduled-maintenances/upcoming.json: the
// maintenance scheduled and not yet in progress, soonest first.
func Upcoming(rec report.PublicRecord, site Site, now time.Time) ([]byte, error) {
	d := build(rec, site, now)
	return json.Marshal(maintenanceList{d.page, d.upcoming})
}

// Active is /api/v2/scheduled-maintenances/active.json: the maintenance in
// progress, soonest first.
func Active(rec report.PublicRecord, site Site, now time.Time) ([]byte, error) {
	d := build(rec, site, now)
	return json.Marshal(maintenanceList{d.page, d.active})
}

// ValidFor is how long the endpoints' bytes stay right without any write:
// a minute, or less when a maintenance window opens or closes sooner.
func ValidFor(rec report.PublicRecord, now time.Time) time.Duration {
	valid := time.Minute
	for _, mt := range rec.Maintenances {
		for _, edge := range []time.Time{mt.StartsAt, mt.EndsAt} {
			if dd := edge.Sub(now); dd > 0 && dd < valid {
				valid = dd
			}
		}
	}
	return valid
}

type incidentList struct {
	Page      page       `json:"page"`
	Incidents []incident `json:"incidents"`
}

type maintenanceList struct {
	Page                  page          `json:"page"`
	ScheduledMaintenances []maintenance `json:"scheduled_maintenances"`
}

// build maps everything the endpoints show, as of now.
func build(rec report.PublicRecord, site Site, now time.Time) *snapshot {
	base := site.URL
	m := mapper{base: base, now: now, pageID: pageIDOf(base), names: namesOf(rec.Components), explained: map[int64]bool{}}
	for _, x := range rec.Explained {
		m.explained[x.IncidentID] = true
	}
	m.statuses = incidents.CurrentStatuses(rec.Components, rec.Active, rec.Maintenances, now)
	m.span(rec.Recent, rec.Maintenances)

	d := &snapshot{}
	d.page = page{ID: m.pageID, Name: site.Name, URL: base, TimeZone: "Etc/UTC", UpdatedAt: formatTime(m.pageUpdated())}
	d.components, m.byID = m.components(rec.Services, rec.Components)
	for _, inc := range rec.Recent {
		d.incidents = append(d.incidents, m.incident(inc))
	}
	for _, inc := range rec.Active {
		d.unresolved = append(d.unresolved, m.incident(inc))
	}
	inProgress := false
	for _, mt := range rec.Maintenances {
		sm := m.maintenance(mt)
		switch mt.PhaseAt(now) {
		case incidents.Scheduled:
			d.upcoming = append(d.upcoming, sm)
		case incidents.InProgress:
			d.active = append(d.active, sm)
			inProgress = true
		}
		if len(d.maintenances) < MaxList {
			d.maintenances = append(d.maintenances, sm)
		}
	}
	sort.SliceStable(d.upcoming, func(i, j int) bool { return d.upcoming[i].ScheduledFor < d.upcoming[j].ScheduledFor })
	sort.SliceStable(d.active, func(i, j int) bool { return d.active[i].ScheduledFor < d.active[j].ScheduledFor })
	d.status = statusOf(rec.Active, inProgress)
	nonNil(d)
	return d
}

// nonNil makes empty lists [] rather than null, as Statuspage writes
// them.
func nonNil(d *snapshot) {
	if d.components == nil {
		d.components = []component{}
	}
	for _, l := range []*[]incident{&d.incidents, &d.unresolved} {
		if *l == nil {
			*l = []incident{}
		}
	}
	for _, l := range []*[]maintenance{&d.maintenances, &d.upcoming, &d.active} {
		if *l == nil {
			*l = []maintenance{}
		}
	}
}

// statusOf is the worst impact of the active incidents; failing any
// above none, "maintenance" while a maintenance is in progress.
func statusOf(active []incidents.Incident, maintenanceInProgress bool) pageStatus {
	rank := map[incidents.Impact]int{incidents.ImpactMinor: 1, incidents.ImpactMajor: 2, incidents.ImpactCritical: 3}
	worst := incidents.ImpactNone
	for _, inc := range active {
		if rank[inc.Impact] > rank[worst] {
			worst = inc.Impact
		}
	}
	ind := string(worst)
	if worst == incidents.ImpactNone {
		ind = indicatorNone
		if maintenanceInProgress {
			ind = indicatorMaintenance
		}
	}
	return pageStatus{Indicator: ind, Description: indicatorWords[ind]}
}

// pageIDOf is a stable id for the page: Statuspage ids are 12 lowercase
// letters and digits.
func pageIDOf(base string) string {
	sum := sha256.Sum256([]byte(base))
	return hex.EncodeToString(sum[:6])
}

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func formatTimePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	v := formatTime(*t)
	return &v
}

// mapper maps Amends values to Statuspage's.
type mapper struct {
	base, pageID string
	now          time.Time
	names        componentNames
	statuses     map[string]incidents.Status
	// byID is every listed component by its Amends ID.
	byID map[string]component
	// explained holds the incidents with a published explanation.
	explained map[int64]bool
	// first and last are the earliest and latest instants at which the
	// loaded data shows a component change; latest is the latest of all.
	first, last map[string]time.Time
	latest      time.Time
}

// span records when each component changed, by the incidents' updates and
// resolutions and the maintenance windows that have opened or closed.
func (m *mapper) span(recent []incidents.Incident, maint []incidents.Maintenance) {
	m.first, m.last = map[string]time.Time{}, map[string]time.Time{}
	seen := func(id string, t time.Time) {
		if f, ok := m.first[id]; !ok || t.Before(f) {
			m.first[id] = t
		}
		if t.After(m.last[id]) {
			m.last[id] = t
		}
	}
	for _, inc := range recent {
		m.bump(inc.UpdatedAt)
		for _, u := range inc.Updates {
			for _, cs := range u.Components {
				seen(cs.Component, u.At)
			}
		}
		if inc.ResolvedAt != nil {
			for _, id := range inc.AffectedComponents() {
				seen(id, *inc.ResolvedAt)
			}
		}
	}
	for _, mt := range maint {
		m.bump(mt.CreatedAt)
		for _, edge := range []time.Time{mt.StartsAt, mt.EndsAt} {
			if !edge.After(m.now) {
				m.bump(edge)
				for _, id := range mt.Components {
					seen(id, edge)
				}
			}
		}
	}
	for _, t := range m.last {
		m.bump(t)
	}
}

func (m *mapper) bump(t time.Time) {
	if t.After(m.latest) {
		m.latest = t
	}
}

// pageUpdated is the latest change the data shows, now if it shows none.
func (m *mapper) pageUpdated() time.Time {
	if m.latest.IsZero() || m.latest.After(m.now) {
		return m.now
	}
	return m.latest
}

// components returns the groups, each followed by its members, in page
// order, and every one of them by id.
func (m *mapper) components(services []incidents.Service, components []incidents.Component) ([]component, map[string]component) {
	members := map[string][]incidents.Component{}
	for _, c := range components {
		members[c.Service] = append(members[c.Service], c)
	}
	known := map[string]bool{}
	var out []component
	byID := map[string]component{}
	pos := 0
	for _, svc := range services {
		known[svc.ID] = true
		list := members[svc.ID]
		if len(list) == 0 {
			continue // Statuspage has no empty groups
		}
		if svc.PageRows {
			// An imported page's ungrouped components stand on their own.
			for _, c := range list {
				pos++
				k := m.component(c, pos, nil)
				out = append(out, k)
				byID[c.ID] = k
			}
			continue
		}
		pos++
		gid := groupPrefix + svc.ID
		if svc.ExternalID != "" {
			gid = svc.ExternalID
		}
		g := component{ID: gid, Name: svc.Name, Status: incidents.Operational, Position: pos, PageID: m.pageID, Group: true}
		if svc.Description != "" {
			desc := svc.Description
			g.Description = &desc
		}
		var first, last time.Time
		var kids []component
		for i, c := range list {
			k := m.component(c, i+1, &gid)
			kids = append(kids, k)
			g.Components = append(g.Components, c.ID)
			g.Status = incidents.Worst(g.Status, k.Status)
			if t, ok := m.first[c.ID]; ok && (first.IsZero() || t.Before(first)) {
				first = t
			}
			if t := m.last[c.ID]; t.After(last) {
				last = t
			}
		}
		g.CreatedAt, g.UpdatedAt = m.stamps(first, last)
		out = append(out, g)
		for i, k := range kids {
			out = append(out, k)
			byID[list[i].ID] = k
		}
	}
	// A component whose service is missing stands on its own.
	for _, c := range components {
		if !known[c.Service] {
			pos++
			k := m.component(c, pos, nil)
			out = append(out, k)
			byID[c.ID] = k
		}
	}
	return out, byID
}

func (m *mapper) component(c incidents.Component, position int, group *string) component {
	desc := c.Region
	if c.Zone != "" {
		desc += ", " + c.Zone
	}
	st := m.statuses[c.ID]
	if st == "" {
		st = incidents.Operational
	}
	out := component{
		ID: c.ID, Name: c.Name, Status: st, Position: position, Description: &desc,
		Showcase: true, GroupID: group, PageID: m.pageID,
	}
	if c.ExternalID != "" {
		out.ID = c.ExternalID
	}
	if l := c.Listing; l != nil {
		// Imported: what the page said, nothing invented.
		out.Description, out.Showcase, out.StartDate = l.Description, l.Showcase, l.StartDate
	}
	out.CreatedAt, out.UpdatedAt = m.stamps(m.first[c.ID], m.last[c.ID])
	return out
}

// stamps formats a component's created_at and updated_at, the page's
// instant standing in for what the data does not show.
func (m *mapper) stamps(first, last time.Time) (string, string) {
	page := m.pageUpdated()
	if last.IsZero() {
		last = page
	}
	if first.IsZero() {
		first = last
	}
	return formatTime(first), formatTime(last)
}

// listed returns the components named by ids as the lists show them.
func (m *mapper) listed(ids []string) []component {
	out := []component{}
	for _, id := range ids {
		if c, ok := m.byID[id]; ok {
			out = append(out, c)
		}
	}
	return out
}

// code is the id the API shows for component id.
func (m *mapper) code(id string) string {
	if c, ok := m.byID[id]; ok {
		return c.ID
	}
	return id
}

func (m *mapper) incident(inc incidents.Incident) incident {
	id := strconv.FormatInt(inc.ID, 10)
	if inc.ExternalID != "" {
		id = inc.ExternalID
	}
	out := incident{
		ID:         id,
		Name:       inc.Title,
		Status:     string(inc.Phase),
		CreatedAt:  formatTime(inc.CreatedAt),
		UpdatedAt:  formatTime(inc.UpdatedAt),
		ResolvedAt: formatTimePtr(inc.ResolvedAt),
		Impact:     string(inc.Impact),
		Shortlink:  m.base + "/incidents/" + id,
		StartedAt:  formatTime(inc.StartedAt),
		PageID:     m.pageID,
		Components: m.listed(inc.AffectedComponents()),
	}
	if !inc.Active() && m.explained[inc.ID] {
		out.Status = statusPostmortem
	}
	// Updates newest first, each with the components it changed and what
	// they were before within this incident.
	before := map[string]incidents.Status{}
	updates := make([]incidentUpdate, len(inc.Updates))
	for i, u := range inc.Updates {
		if u.Phase == incidents.Monitoring && out.MonitoringAt == nil {
			out.MonitoringAt = formatTimePtr(&u.At)
		}
		su := incidentUpdate{
			ID:                   strconv.FormatInt(u.ID, 10),
			Status:               string(u.Phase),
			Body:                 u.Message,
			IncidentID:           id,
			CreatedAt:            formatTime(u.CreatedAt),
			UpdatedAt:            formatTime(u.CreatedAt),
			DisplayAt:            formatTime(u.At),
			DeliverNotifications: true,
		}
		if u.ExternalID != "" {
			su.ID = u.ExternalID
		}
		if u.UpdatedAt != nil {
			su.UpdatedAt = formatTime(*u.UpdatedAt)
		}
		for _, cs := range u.Components {
			old, ok := before[cs.Component]
			if !ok {
				old = incidents.Operational
			}
			if cs.OldStatus != "" {
				old = cs.OldStatus // as the origin recorded it
			}
			su.AffectedComponents = append(su.AffectedComponents, affectedComponent{
				Code: m.code(cs.Component), Name: m.names.name(cs.Component), OldStatus: old, NewStatus: cs.Status,
			})
			before[cs.Component] = cs.Status
		}
		updates[len(inc.Updates)-1-i] = su
	}
	out.IncidentUpdates = updates
	return out
}

func (m *mapper) maintenance(mt incidents.Maintenance) maintenance {
	id := "maintenance-" + strconv.FormatInt(mt.ID, 10)
	phase := mt.PhaseAt(m.now)
	// The instant a phase was reached: its planned edge, or, when it was
	// reached early by hand (Amends does not record when), the latest
	// instant known before it.
	reached := func(edge time.Time, floor time.Time) time.Time {
		if !edge.After(m.now) {
			return edge
		}
		return floor
	}
	announced := mt.AnnouncedAt
	if announced.IsZero() {
		announced = mt.CreatedAt
	}
	body := mt.Message
	if body == "" {
		body = mt.Title
	}
	update := func(status, body string, at time.Time) incidentUpdate {
		return incidentUpdate{
			ID: id + "-" + status, Status: status, Body: body, IncidentID: id,
			CreatedAt: formatTime(at), UpdatedAt: formatTime(at), DisplayAt: formatTime(at),
			DeliverNotifications: true,
		}
	}
	updates := []incidentUpdate{update(string(incidents.Scheduled), body, announced)}
	updated := mt.CreatedAt
	var resolved *time.Time
	last := announced
	// A maintenance completed before its window opened never ran.
	if phase == incidents.InProgress || phase == incidents.Completed && !mt.StartsAt.After(m.now) {
		last = reached(mt.StartsAt, announced)
		updates = append([]incidentUpdate{update(string(incidents.InProgress), "Scheduled maintenance is currently in progress.", last)}, updates...)
	}
	if phase == incidents.Completed {
		last = reached(mt.EndsAt, last)
		updates = append([]incidentUpdate{update(string(incidents.Completed), "The scheduled maintenance has been completed.", last)}, updates...)
		resolved = &last
	}
	if last.After(updated) {
		updated = last
	}
	return maintenance{
		incident: incident{
			ID:              id,
			Name:            mt.Title,
			Status:          string(phase),
			CreatedAt:       formatTime(mt.CreatedAt),
			UpdatedAt:       formatTime(updated),
			ResolvedAt:      formatTimePtr(resolved),
			Impact:          indicatorMaintenance,
			Shortlink:       m.base + "/",
			StartedAt:       formatTime(announced),
			PageID:          m.pageID,
			IncidentUpdates: updates,
			Components:      m.listed(mt.Components),
		},
		ScheduledFor:   formatTime(mt.StartsAt),
		ScheduledUntil: formatTime(mt.EndsAt),
	}
}

// componentNames maps component ids to their names, as the pages show
// them.
type componentNames map[string]string

func namesOf(components []incidents.Component) componentNames {
	n := make(componentNames, len(components))
	for _, c := range components {
		n[c.ID] = c.Name
	}
	return n
}

// name is the component's name, its id if it has none.
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
