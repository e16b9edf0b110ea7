package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/incidents"
)

// This file serves the public JSON API that Atlassian Statuspage's public
// API v2 defines (/api/v2/summary.json and its parts), field for field, so
// that widgets and client libraries written for Statuspage read Amends
// unchanged. It is public like the status page and served the same way:
// rendered once per data revision by the page cache.
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

const (
	spJSONType = "application/json"
	// spMaxList is how many incidents or maintenances the lists hold, as on
	// Statuspage.
	spMaxList = 50
	// spTimeLayout is RFC 3339 with milliseconds and an offset ("Z" in UTC),
	// as Statuspage writes its instants.
	spTimeLayout = "2006-01-02T15:04:05.000Z07:00"
	// spGroupPrefix turns a service id into its component group's id.
	spGroupPrefix = "service_"
	// spStatusPostmortem is the status of a resolved incident whose
	// explanation is published.
	spStatusPostmortem = "postmortem"
)

// The indicator of the page status, and the words Statuspage uses for it.
const (
	spIndicatorNone        = "none"
	spIndicatorMinor       = "minor"
	spIndicatorMajor       = "major"
	spIndicatorCritical    = "critical"
	spIndicatorMaintenance = "maintenance"
)

var spIndicatorWords = map[string]string{
	spIndicatorNone:        "All Systems Operational",
	spIndicatorMinor:       "Minor Service Outage",
	spIndicatorMajor:       "Partial System Outage",
	spIndicatorCritical:    "Major System Outage",
	spIndicatorMaintenance: "Service Under Maintenance",
}

// spPage is the "page" object every response starts with.
type spPage struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	URL       string `json:"url"`
	TimeZone  string `json:"time_zone"`
	UpdatedAt string `json:"updated_at"`
}

// spStatus is the page's overall status.
type spStatus struct {
	Indicator   string `json:"indicator"`
	Description string `json:"description"`
}

// spComponent is a component or, with Group set, a component group.
type spComponent struct {
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

// spIncident is an incident, and the common part of a scheduled
// maintenance.
type spIncident struct {
	ID              string        `json:"id"`
	Name            string        `json:"name"`
	Status          string        `json:"status"`
	CreatedAt       string        `json:"created_at"`
	UpdatedAt       string        `json:"updated_at"`
	MonitoringAt    *string       `json:"monitoring_at"`
	ResolvedAt      *string       `json:"resolved_at"`
	Impact          string        `json:"impact"`
	Shortlink       string        `json:"shortlink"`
	StartedAt       string        `json:"started_at"`
	PageID          string        `json:"page_id"`
	IncidentUpdates []spUpdate    `json:"incident_updates"`
	Components      []spComponent `json:"components"`
}

// spMaintenance is a scheduled maintenance: an incident with a window.
type spMaintenance struct {
	spIncident
	ScheduledFor   string `json:"scheduled_for"`
	ScheduledUntil string `json:"scheduled_until"`
}

// spUpdate is one entry of an incident's timeline.
type spUpdate struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	Body       string `json:"body"`
	IncidentID string `json:"incident_id"`
	CreatedAt  string `json:"created_at"`
	UpdatedAt  string `json:"updated_at"`
	DisplayAt  string `json:"display_at"`
	// AffectedComponents is null when the update changed no component.
	AffectedComponents   []spAffected `json:"affected_components"`
	DeliverNotifications bool         `json:"deliver_notifications"`
	CustomTweet          *string      `json:"custom_tweet"`
	TweetID              *string      `json:"tweet_id"`
}

// spAffected is a component's change in one update.
type spAffected struct {
	Code      string           `json:"code"`
	Name      string           `json:"name"`
	OldStatus incidents.Status `json:"old_status"`
	NewStatus incidents.Status `json:"new_status"`
}

// spData is everything the endpoints show, built once per render.
type spData struct {
	page         spPage
	status       spStatus
	components   []spComponent // groups, each followed by its members
	unresolved   []spIncident  // newest first
	incidents    []spIncident  // the spMaxList most recent, newest first
	maintenances []spMaintenance
	upcoming     []spMaintenance // soonest first
	active       []spMaintenance // soonest first
	validFor     time.Duration
}

// The handlers: each serves its JSON from the page cache.

func (s *Server) handleStatuspageSummary(c echo.Context) error {
	return s.serveStatuspage(c, func(d *spData) any {
		return struct {
			Page                  spPage          `json:"page"`
			Components            []spComponent   `json:"components"`
			Incidents             []spIncident    `json:"incidents"`
			ScheduledMaintenances []spMaintenance `json:"scheduled_maintenances"`
			Status                spStatus        `json:"status"`
		}{d.page, d.components, d.unresolved, append(append([]spMaintenance{}, d.active...), d.upcoming...), d.status}
	})
}

func (s *Server) handleStatuspageStatus(c echo.Context) error {
	return s.serveStatuspage(c, func(d *spData) any {
		return struct {
			Page   spPage   `json:"page"`
			Status spStatus `json:"status"`
		}{d.page, d.status}
	})
}

func (s *Server) handleStatuspageComponents(c echo.Context) error {
	return s.serveStatuspage(c, func(d *spData) any {
		return struct {
			Page       spPage        `json:"page"`
			Components []spComponent `json:"components"`
		}{d.page, d.components}
	})
}

func (s *Server) handleStatuspageIncidents(c echo.Context) error {
	return s.serveStatuspage(c, func(d *spData) any { return spIncidentList{d.page, d.incidents} })
}

func (s *Server) handleStatuspageUnresolved(c echo.Context) error {
	return s.serveStatuspage(c, func(d *spData) any { return spIncidentList{d.page, d.unresolved} })
}

func (s *Server) handleStatuspageMaintenances(c echo.Context) error {
	return s.serveStatuspage(c, func(d *spData) any { return spMaintenanceList{d.page, d.maintenances} })
}

func (s *Server) handleStatuspageUpcoming(c echo.Context) error {
	return s.serveStatuspage(c, func(d *spData) any { return spMaintenanceList{d.page, d.upcoming} })
}

func (s *Server) handleStatuspageActive(c echo.Context) error {
	return s.serveStatuspage(c, func(d *spData) any { return spMaintenanceList{d.page, d.active} })
}

type spIncidentList struct {
	Page      spPage       `json:"page"`
	Incidents []spIncident `json:"incidents"`
}

type spMaintenanceList struct {
	Page                  spPage          `json:"page"`
	ScheduledMaintenances []spMaintenance `json:"scheduled_maintenances"`
}

// serveStatuspage answers c from the page cache with the JSON that pick
// makes of the page's data.
func (s *Server) serveStatuspage(c echo.Context, pick func(*spData) any) error {
	base := s.spBase(c)
	// The bytes name the base URL, so a server without a configured one
	// keeps a copy per address it is reached at.
	key := c.Request().URL.Path + " " + base
	return s.pages.serve(c, key, func(ctx context.Context) (rendered, error) {
		d, err := s.statuspageData(ctx, base, s.now())
		if err != nil {
			return rendered{}, err
		}
		body, err := json.Marshal(pick(d))
		if err != nil {
			return rendered{}, err
		}
		return rendered{spJSONType, body, d.validFor}, nil
	})
}

// publicCORS lets any origin read a public resource: a widget on a
// customer's own site fetches the status with GET. A preflight is answered
// here with 204.
func publicCORS(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set(echo.HeaderAccessControlAllowOrigin, "*")
		if c.Request().Method != http.MethodOptions {
			return next(c)
		}
		h.Set(echo.HeaderAllow, "GET, HEAD, OPTIONS")
		h.Set(echo.HeaderAccessControlAllowMethods, "GET, HEAD")
		h.Set(echo.HeaderAccessControlAllowHeaders, "Accept, Accept-Language, Cache-Control, Content-Type, If-Modified-Since, If-None-Match")
		h.Set(echo.HeaderAccessControlMaxAge, "86400")
		return c.NoContent(http.StatusNoContent)
	}
}

// spBase is the site's public address without a trailing slash:
// Config.BaseURL, else the scheme and host the request came to.
func (s *Server) spBase(c echo.Context) string {
	if b := strings.TrimRight(strings.TrimSpace(s.cfg.BaseURL), "/"); b != "" {
		return b
	}
	return c.Scheme() + "://" + c.Request().Host
}

// spRecent returns up to n incidents, active and resolved, newest
// StartedAt first (then highest id), with the active ones loaded already.
func (s *Server) spRecent(ctx context.Context, active []incidents.Incident, n int) ([]incidents.Incident, error) {
	resolved, _, err := s.incidents.ResolvedIncidents(ctx, 0, n)
	if err != nil {
		return nil, err
	}
	all := append(append([]incidents.Incident{}, active...), resolved...)
	sort.SliceStable(all, func(i, j int) bool {
		if !all[i].StartedAt.Equal(all[j].StartedAt) {
			return all[i].StartedAt.After(all[j].StartedAt)
		}
		return all[i].ID > all[j].ID
	})
	if len(all) > n {
		all = all[:n]
	}
	return all, nil
}

// statuspageData loads and maps everything the endpoints show, as of now.
func (s *Server) statuspageData(ctx context.Context, base string, now time.Time) (*spData, error) {
	services, err := s.incidents.Services(ctx)
	if err != nil {
		return nil, err
	}
	components, err := s.incidents.Components(ctx)
	if err != nil {
		return nil, err
	}
	active, err := s.incidents.ActiveIncidents(ctx)
	if err != nil {
		return nil, err
	}
	recent, err := s.spRecent(ctx, active, spMaxList)
	if err != nil {
		return nil, err
	}
	maint, err := s.spMaintenances(ctx, now)
	if err != nil {
		return nil, err
	}
	explained, err := s.incidents.PublishedExplanations(ctx)
	if err != nil {
		return nil, err
	}

	m := spMapper{base: base, now: now, pageID: spPageID(base), names: namesOf(components), explained: map[int64]bool{}}
	for _, x := range explained {
		m.explained[x.IncidentID] = true
	}
	m.statuses = incidents.CurrentStatuses(components, active, maint, now)
	m.span(recent, maint)

	d := &spData{validFor: time.Minute}
	d.page = spPage{ID: m.pageID, Name: s.cfg.SiteName, URL: base, TimeZone: "Etc/UTC", UpdatedAt: spTime(m.pageUpdated())}
	d.components, m.byID = m.components(services, components)
	for _, inc := range recent {
		d.incidents = append(d.incidents, m.incident(inc))
	}
	for _, inc := range active {
		d.unresolved = append(d.unresolved, m.incident(inc))
	}
	inProgress := false
	for _, mt := range maint {
		sm := m.maintenance(mt)
		switch mt.PhaseAt(now) {
		case incidents.Scheduled:
			d.upcoming = append(d.upcoming, sm)
		case incidents.InProgress:
			d.active = append(d.active, sm)
			inProgress = true
		}
		if len(d.maintenances) < spMaxList {
			d.maintenances = append(d.maintenances, sm)
		}
		for _, edge := range []time.Time{mt.StartsAt, mt.EndsAt} {
			if dd := edge.Sub(now); dd > 0 && dd < d.validFor {
				d.validFor = dd
			}
		}
	}
	sort.SliceStable(d.upcoming, func(i, j int) bool { return d.upcoming[i].ScheduledFor < d.upcoming[j].ScheduledFor })
	sort.SliceStable(d.active, func(i, j int) bool { return d.active[i].ScheduledFor < d.active[j].ScheduledFor })
	d.status = spPageStatus(active, inProgress)
	spNonNil(d)
	return d, nil
}

// spNonNil makes empty lists [] rather than null, as Statuspage writes
// them.
func spNonNil(d *spData) {
	if d.components == nil {
		d.components = []spComponent{}
	}
	for _, l := range []*[]spIncident{&d.incidents, &d.unresolved} {
		if *l == nil {
			*l = []spIncident{}
		}
	}
	for _, l := range []*[]spMaintenance{&d.maintenances, &d.upcoming, &d.active} {
		if *l == nil {
			*l = []spMaintenance{}
		}
	}
}

// spMaintenances returns the maintenances not completed at now
// and the spMaxList latest completed ones, each once, latest StartsAt first.
func (s *Server) spMaintenances(ctx context.Context, now time.Time) ([]incidents.Maintenance, error) {
	open, err := s.incidents.Maintenances(ctx, now)
	if err != nil {
		return nil, err
	}
	past, _, err := s.incidents.PastMaintenances(ctx, 0, spMaxList)
	if err != nil {
		return nil, err
	}
	seen := map[int64]bool{}
	var all []incidents.Maintenance
	for _, m := range append(open, past...) {
		if !seen[m.ID] {
			seen[m.ID] = true
			all = append(all, m)
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		if !all[i].StartsAt.Equal(all[j].StartsAt) {
			return all[i].StartsAt.After(all[j].StartsAt)
		}
		return all[i].ID > all[j].ID
	})
	return all, nil
}

// spPageStatus is the worst impact of the active incidents; failing any
// above none, "maintenance" while a maintenance is in progress.
func spPageStatus(active []incidents.Incident, maintenanceInProgress bool) spStatus {
	rank := map[incidents.Impact]int{incidents.ImpactMinor: 1, incidents.ImpactMajor: 2, incidents.ImpactCritical: 3}
	worst := incidents.ImpactNone
	for _, inc := range active {
		if rank[inc.Impact] > rank[worst] {
			worst = inc.Impact
		}
	}
	ind := string(worst)
	if worst == incidents.ImpactNone {
		ind = spIndicatorNone
		if maintenanceInProgress {
			ind = spIndicatorMaintenance
		}
	}
	return spStatus{Indicator: ind, Description: spIndicatorWords[ind]}
}

// spPageID is a stable id for the page: Statuspage ids are 12 lowercase
// letters and digits.
func spPageID(base string) string {
	sum := sha256.Sum256([]byte(base))
	return hex.EncodeToString(sum[:6])
}

func spTime(t time.Time) string { return t.UTC().Format(spTimeLayout) }

func spTimePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	v := spTime(*t)
	return &v
}

// spMapper maps Amends values to Statuspage's.
type spMapper struct {
	base, pageID string
	now          time.Time
	names        componentNames
	statuses     map[string]incidents.Status
	byID         map[string]spComponent
	// explained holds the incidents with a published explanation.
	explained map[int64]bool
	// first and last are the earliest and latest instants at which the
	// loaded data shows a component change; latest is the latest of all.
	first, last map[string]time.Time
	latest      time.Time
}

// span records when each component changed, by the incidents' updates and
// resolutions and the maintenance windows that have opened or closed.
func (m *spMapper) span(recent []incidents.Incident, maint []incidents.Maintenance) {
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

func (m *spMapper) bump(t time.Time) {
	if t.After(m.latest) {
		m.latest = t
	}
}

// pageUpdated is the latest change the data shows, now if it shows none.
func (m *spMapper) pageUpdated() time.Time {
	if m.latest.IsZero() || m.latest.After(m.now) {
		return m.now
	}
	return m.latest
}

// components returns the groups, each followed by its members, in page
// order, and every one of them by id.
func (m *spMapper) components(services []incidents.Service, components []incidents.Component) ([]spComponent, map[string]spComponent) {
	members := map[string][]incidents.Component{}
	for _, c := range components {
		members[c.Service] = append(members[c.Service], c)
	}
	known := map[string]bool{}
	var out []spComponent
	byID := map[string]spComponent{}
	add := func(c spComponent) {
		out = append(out, c)
		byID[c.ID] = c
	}
	pos := 0
	for _, svc := range services {
		known[svc.ID] = true
		list := members[svc.ID]
		if len(list) == 0 {
			continue // Statuspage has no empty groups
		}
		pos++
		gid := spGroupPrefix + svc.ID
		g := spComponent{ID: gid, Name: svc.Name, Status: incidents.Operational, Position: pos, PageID: m.pageID, Group: true}
		if svc.Description != "" {
			desc := svc.Description
			g.Description = &desc
		}
		var first, last time.Time
		var kids []spComponent
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
		add(g)
		for _, k := range kids {
			add(k)
		}
	}
	// A component whose service is missing stands on its own.
	for _, c := range components {
		if !known[c.Service] {
			pos++
			add(m.component(c, pos, nil))
		}
	}
	return out, byID
}

func (m *spMapper) component(c incidents.Component, position int, group *string) spComponent {
	desc := c.Region
	if c.Zone != "" {
		desc += ", " + c.Zone
	}
	st := m.statuses[c.ID]
	if st == "" {
		st = incidents.Operational
	}
	out := spComponent{
		ID: c.ID, Name: c.Name, Status: st, Position: position, Description: &desc,
		Showcase: true, GroupID: group, PageID: m.pageID,
	}
	out.CreatedAt, out.UpdatedAt = m.stamps(m.first[c.ID], m.last[c.ID])
	return out
}

// stamps formats a component's created_at and updated_at, the page's
// instant standing in for what the data does not show.
func (m *spMapper) stamps(first, last time.Time) (string, string) {
	page := m.pageUpdated()
	if last.IsZero() {
		last = page
	}
	if first.IsZero() {
		first = last
	}
	return spTime(first), spTime(last)
}

// listed returns the components named by ids as the lists show them.
func (m *spMapper) listed(ids []string) []spComponent {
	out := []spComponent{}
	for _, id := range ids {
		if c, ok := m.byID[id]; ok {
			out = append(out, c)
		}
	}
	return out
}

func (m *spMapper) incident(inc incidents.Incident) spIncident {
	id := strconv.FormatInt(inc.ID, 10)
	out := spIncident{
		ID:         id,
		Name:       inc.Title,
		Status:     string(inc.Phase),
		CreatedAt:  spTime(inc.CreatedAt),
		UpdatedAt:  spTime(inc.UpdatedAt),
		ResolvedAt: spTimePtr(inc.ResolvedAt),
		Impact:     string(inc.Impact),
		Shortlink:  m.base + "/incidents/" + id,
		StartedAt:  spTime(inc.StartedAt),
		PageID:     m.pageID,
		Components: m.listed(inc.AffectedComponents()),
	}
	if !inc.Active() && m.explained[inc.ID] {
		out.Status = spStatusPostmortem
	}
	// Updates newest first, each with the components it changed and what
	// they were before within this incident.
	before := map[string]incidents.Status{}
	updates := make([]spUpdate, len(inc.Updates))
	for i, u := range inc.Updates {
		if u.Phase == incidents.Monitoring && out.MonitoringAt == nil {
			out.MonitoringAt = spTimePtr(&u.At)
		}
		su := spUpdate{
			ID:                   strconv.FormatInt(u.ID, 10),
			Status:               string(u.Phase),
			Body:                 u.Message,
			IncidentID:           id,
			CreatedAt:            spTime(u.CreatedAt),
			UpdatedAt:            spTime(u.CreatedAt),
			DisplayAt:            spTime(u.At),
			DeliverNotifications: true,
		}
		for _, cs := range u.Components {
			old, ok := before[cs.Component]
			if !ok {
				old = incidents.Operational
			}
			su.AffectedComponents = append(su.AffectedComponents, spAffected{
				Code: cs.Component, Name: m.names.name(cs.Component), OldStatus: old, NewStatus: cs.Status,
			})
			before[cs.Component] = cs.Status
		}
		updates[len(inc.Updates)-1-i] = su
	}
	out.IncidentUpdates = updates
	return out
}

func (m *spMapper) maintenance(mt incidents.Maintenance) spMaintenance {
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
	update := func(status, body string, at time.Time) spUpdate {
		return spUpdate{
			ID: id + "-" + status, Status: status, Body: body, IncidentID: id,
			CreatedAt: spTime(at), UpdatedAt: spTime(at), DisplayAt: spTime(at),
			DeliverNotifications: true,
		}
	}
	updates := []spUpdate{update(string(incidents.Scheduled), body, announced)}
	updated := mt.CreatedAt
	var resolved *time.Time
	last := announced
	// A maintenance completed before its window opened never ran.
	if phase == incidents.InProgress || phase == incidents.Completed && !mt.StartsAt.After(m.now) {
		last = reached(mt.StartsAt, announced)
		updates = append([]spUpdate{update(string(incidents.InProgress), "Scheduled maintenance is currently in progress.", last)}, updates...)
	}
	if phase == incidents.Completed {
		last = reached(mt.EndsAt, last)
		updates = append([]spUpdate{update(string(incidents.Completed), "The scheduled maintenance has been completed.", last)}, updates...)
		resolved = &last
	}
	if last.After(updated) {
		updated = last
	}
	return spMaintenance{
		spIncident: spIncident{
			ID:              id,
			Name:            mt.Title,
			Status:          string(phase),
			CreatedAt:       spTime(mt.CreatedAt),
			UpdatedAt:       spTime(updated),
			ResolvedAt:      spTimePtr(resolved),
			Impact:          spIndicatorMaintenance,
			Shortlink:       m.base + "/",
			StartedAt:       spTime(announced),
			PageID:          m.pageID,
			IncidentUpdates: updates,
			Components:      m.listed(mt.Components),
		},
		ScheduledFor:   spTime(mt.StartsAt),
		ScheduledUntil: spTime(mt.EndsAt),
	}
}
