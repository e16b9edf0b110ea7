package incidents

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/amends/amends/internal/check"
	"github.com/amends/amends/internal/errs"
)

// This file reads an Atlassian Statuspage public API v2 document (an
// incidents.json or a summary.json, as Statuspage or Amends itself serves
// them) into an ImportBatch that Store.Import records in one transaction.
//
// The mapping:
//   - a component group becomes a service: its id (without the "service_"
//     prefix Amends gives its own groups) is the service ID, its name and
//     description the service's. An incidents.json names groups only by id,
//     so a service made from one alone is named by its ID (import the
//     summary.json first, or rename it in admin);
//   - every component without a group goes into one service named after
//     the page (its ID a slug of the page name): on Statuspage ungrouped
//     components are the page's own rows, and one service per component
//     would give every row a heading of its own;
//   - a component keeps its id (lower-cased, any character outside a-z, 0-9
//     and "-" turned into "-"), name and position; Statuspage has no
//     regions, so its region is ImportRegion, and it has no fleet size;
//   - an incident keeps its name, impact and timeline. StartedAt is
//     started_at, else created_at; each update is at its display_at, else
//     created_at, oldest first (updates at one instant in the file's
//     order). As in Amends the first update is at the start: when
//     started_at is earlier than the first update, that update is recorded
//     at the start;
//   - update statuses investigating, identified and monitoring are phases;
//     resolved and postmortem are resolved. Statuspage lets a phase go back
//     (monitoring, then identified again) and Amends does not: such an
//     update keeps the furthest phase reached (counted in PhasesHeld). An
//     update after the resolving one (a later note, the postmortem) is kept
//     as a resolved update that changes no component; the resolution stays
//     at the first resolving update;
//   - affected_components set each component to its new_status, affected
//     100% (0% for operational): Statuspage records no share;
//   - scheduled maintenances listed among the incidents are not imported
//     (counted in Maintenances);
//   - the incident's Statuspage id, with its page's id, is its Source, so a
//     second import of the same file skips it.

// ImportRegion is the region of a component imported from a page that
// records none.
const ImportRegion = "global"

// ImportBatch is a set of services, components and incidents to record at
// once (see Store.Import).
type ImportBatch struct {
	Services   []Service
	Components []Component
	Incidents  []ImportedIncident
}

// ImportedIncident is an incident built elsewhere, with the key under which
// its origin knows it.
type ImportedIncident struct {
	// Source identifies the incident at its origin ("statuspage:PAGE/ID");
	// an incident whose Source was imported before is skipped.
	Source   string
	Incident Incident
}

// ImportResult counts what Store.Import recorded and what it skipped.
type ImportResult struct {
	Incidents  int `json:"incidents"`
	Updates    int `json:"updates"`
	Services   int `json:"services"`
	Components int `json:"components"`
	// Skipped counts the incidents imported before; ServicesReused and
	// ComponentsReused the ones that already existed.
	Skipped          int `json:"skipped"`
	ServicesReused   int `json:"services_reused"`
	ComponentsReused int `json:"components_reused"`
}

// Validate checks b as Store.Import needs it: every service and component
// valid, IDs not repeated, every incident with a title, valid impact and
// phase, a timeline that starts at its start and never goes back in time,
// a resolution that matches its phase, and a Source not repeated. Errors
// are errs.Invalid on "services[i]...", "components[i]..." or
// "incidents[i]...".
func (b ImportBatch) Validate() error {
	seen := map[string]bool{}
	for i, s := range b.Services {
		if err := s.Validate(); err != nil {
			return errs.Prefix(fmt.Sprintf("services[%d]", i), err)
		}
		if seen[s.ID] {
			return errs.Invalidf(fmt.Sprintf("services[%d].id", i), "%q appears twice", s.ID)
		}
		seen[s.ID] = true
	}
	seen = map[string]bool{}
	for i, c := range b.Components {
		if err := c.Validate(); err != nil {
			return errs.Prefix(fmt.Sprintf("components[%d]", i), err)
		}
		if seen[c.ID] {
			return errs.Invalidf(fmt.Sprintf("components[%d].id", i), "%q appears twice", c.ID)
		}
		seen[c.ID] = true
	}
	seen = map[string]bool{}
	for i, im := range b.Incidents {
		field := fmt.Sprintf("incidents[%d]", i)
		if strings.TrimSpace(im.Source) == "" {
			return errs.Invalidf(field+".source", "must not be empty")
		}
		if seen[im.Source] {
			return errs.Invalidf(field+".source", "%q appears twice", im.Source)
		}
		seen[im.Source] = true
		if err := im.Incident.validateImported(); err != nil {
			return errs.Prefix(field, err)
		}
	}
	return nil
}

func (inc Incident) validateImported() error {
	if err := text("title", inc.Title, MaxTitleLen, true); err != nil {
		return err
	}
	if !inc.Impact.Valid() {
		return errs.Invalidf("impact", "%q is not an impact", inc.Impact)
	}
	if !inc.Phase.Valid() {
		return errs.Invalidf("phase", "%q is not a phase", inc.Phase)
	}
	if err := check.Since("started_at", inc.StartedAt); err != nil {
		return err
	}
	if len(inc.Updates) == 0 {
		return errs.Invalidf("updates", "must not be empty")
	}
	if !inc.Updates[0].At.Equal(inc.StartedAt) {
		return errs.Invalidf("updates[0].at", "must be the start")
	}
	if inc.Latest().Phase != inc.Phase {
		return errs.Invalidf("phase", "must be the phase of the latest update")
	}
	if (inc.Phase == Resolved) != (inc.ResolvedAt != nil) {
		return errs.Invalidf("resolved_at", "must be set exactly when the incident is resolved")
	}
	rank := -1
	for j, u := range inc.Updates {
		field := fmt.Sprintf("updates[%d]", j)
		if !u.Phase.Valid() || u.Phase.Rank() < rank {
			return errs.Invalidf(field+".phase", "%q: phases only move forward", u.Phase)
		}
		rank = u.Phase.Rank()
		if j > 0 && u.At.Before(inc.Updates[j-1].At) {
			return errs.Invalidf(field+".at", "is before the previous update")
		}
		if err := bodyText(field+".message", u.Message, MaxMessageLen, true); err != nil {
			return err
		}
		for k, cs := range u.Components {
			if !cs.Status.Valid() {
				return errs.Invalidf(fmt.Sprintf("%s.components[%d].status", field, k), "%q is not a status", cs.Status)
			}
			if err := cs.AffectedPercent.Validate(); err != nil {
				return errs.Prefix(fmt.Sprintf("%s.components[%d].affected_percent", field, k), err)
			}
		}
	}
	return nil
}

// StatuspageImport is a Statuspage document read by ParseStatuspage.
type StatuspageImport struct {
	// Kind is "summary.json" or "incidents.json".
	Kind  string
	Batch ImportBatch
	// Maintenances counts the scheduled maintenances the document listed
	// among its incidents, which are not imported.
	Maintenances int
	// PhasesHeld counts the updates whose phase went back on Statuspage and
	// are kept at the furthest phase reached.
	PhasesHeld int
}

// The Statuspage documents, as far as an import reads them. Lists are kept
// raw so that each element is decoded on its own and an error names it by
// its index.
type (
	spInPage struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	spInComponent struct {
		ID          string  `json:"id"`
		Name        string  `json:"name"`
		Position    int     `json:"position"`
		Description *string `json:"description"`
		GroupID     *string `json:"group_id"`
		Group       bool    `json:"group"`
	}
	spInIncident struct {
		ID              string            `json:"id"`
		Name            string            `json:"name"`
		Status          string            `json:"status"`
		Impact          string            `json:"impact"`
		CreatedAt       *string           `json:"created_at"`
		StartedAt       *string           `json:"started_at"`
		ScheduledFor    *string           `json:"scheduled_for"`
		IncidentUpdates []json.RawMessage `json:"incident_updates"`
		Components      []json.RawMessage `json:"components"`
	}
	spInUpdate struct {
		Status             string            `json:"status"`
		Body               string            `json:"body"`
		CreatedAt          *string           `json:"created_at"`
		DisplayAt          *string           `json:"display_at"`
		AffectedComponents []json.RawMessage `json:"affected_components"`
	}
	spInAffected struct {
		Code      string `json:"code"`
		Name      string `json:"name"`
		NewStatus string `json:"new_status"`
	}
)

// spPhases maps Statuspage incident and update statuses to phases.
var spPhases = map[string]Phase{
	"investigating": Investigating,
	"identified":    Identified,
	"monitoring":    Monitoring,
	"resolved":      Resolved,
	"postmortem":    Resolved,
}

// spMaintenanceStatuses are the statuses of a scheduled maintenance.
var spMaintenanceStatuses = map[string]bool{"scheduled": true, "in_progress": true, "verifying": true, "completed": true}

var notServiceChar = regexp.MustCompile(`[^A-Za-z0-9_-]+`)
var notComponentChar = regexp.MustCompile(`[^a-z0-9-]`)

// ParseStatuspage reads data, a Statuspage incidents.json or summary.json,
// and returns what it records, every incident built as actor would write it
// at now (see the mapping above). It checks the whole document first: the
// first element that is not what Statuspage writes, or that breaks a rule
// of this package, is an errs.Invalid whose Field is its JSON path
// ("incidents[3].incident_updates[1].status"); a document that is not JSON
// is errs.Malformed naming the line and column.
func ParseStatuspage(data []byte, actor string, now time.Time) (StatuspageImport, error) {
	var out StatuspageImport
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return out, jsonError("", data, err)
	}
	if top == nil {
		return out, errs.Invalidf("", "must be a JSON object: a Statuspage incidents.json or summary.json")
	}
	rawIncidents, ok := top["incidents"]
	if !ok {
		return out, errs.Invalidf("incidents", "missing: this is not a Statuspage incidents.json or summary.json")
	}
	out.Kind = "incidents.json"
	if _, ok := top["components"]; ok {
		out.Kind = "summary.json"
	}

	var page spInPage
	if err := decodeAt("page", top["page"], &page); err != nil {
		return out, err
	}
	page.ID, page.Name = strings.TrimSpace(page.ID), strings.TrimSpace(page.Name)
	if page.ID == "" {
		return out, errs.Invalidf("page.id", "must not be empty")
	}
	if err := text("page.name", page.Name, MaxNameLen, true); err != nil {
		return out, err
	}

	p := &spParser{page: page, actor: actor, now: instant(now), services: map[string]int{}, components: map[string]int{}, sources: map[string]string{}}
	if raw, ok := top["components"]; ok {
		var list []json.RawMessage
		if err := decodeAt("components", raw, &list); err != nil {
			return out, err
		}
		if err := p.pageComponents(list); err != nil {
			return out, err
		}
	}
	var list []json.RawMessage
	if err := decodeAt("incidents", rawIncidents, &list); err != nil {
		return out, err
	}
	for i, raw := range list {
		if err := p.incident(fmt.Sprintf("incidents[%d]", i), raw); err != nil {
			return out, err
		}
	}
	out.Batch = p.batch
	out.Maintenances, out.PhasesHeld = p.maintenances, p.held
	// What was built is what Store.Import accepts; a failure here is a bug
	// of this parser, still reported rather than written.
	if err := out.Batch.Validate(); err != nil {
		return StatuspageImport{}, err
	}
	return out, nil
}

// spParser builds a batch from one document.
type spParser struct {
	page         spInPage
	actor        string
	now          time.Time
	batch        ImportBatch
	services     map[string]int    // service ID → index in batch
	components   map[string]int    // component ID → index in batch
	componentSrc map[string]string // component ID → Statuspage id
	sources      map[string]string // Source → path of the incident
	maintenances int
	held         int
}

// pageComponents reads a summary.json's components: groups first, so that
// a member may come before its group.
func (p *spParser) pageComponents(list []json.RawMessage) error {
	comps := make([]spInComponent, len(list))
	for i, raw := range list {
		if err := decodeAt(fmt.Sprintf("components[%d]", i), raw, &comps[i]); err != nil {
			return err
		}
	}
	for i, c := range comps {
		if !c.Group {
			continue
		}
		path := fmt.Sprintf("components[%d]", i)
		id, err := spServiceID(path+".id", c.ID)
		if err != nil {
			return err
		}
		if err := text(path+".name", strings.TrimSpace(c.Name), MaxNameLen, true); err != nil {
			return err
		}
		if _, dup := p.services[id]; dup {
			return errs.Invalidf(path+".id", "group %q appears twice", c.ID)
		}
		s := Service{ID: id, Name: c.Name, Position: c.Position}
		if c.Description != nil {
			s.Description = *c.Description
		}
		if err := p.addService(path, s); err != nil {
			return err
		}
	}
	for i, c := range comps {
		if !c.Group {
			if _, err := p.component(fmt.Sprintf("components[%d]", i), c); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *spParser) addService(path string, s Service) error {
	s = s.Normalize()
	if err := s.Validate(); err != nil {
		// Only the description can still break a rule.
		return errs.Prefix(path, err)
	}
	p.services[s.ID] = len(p.batch.Services)
	p.batch.Services = append(p.batch.Services, s)
	return nil
}

// component records c (read at path) if it is new, and returns its ID.
func (p *spParser) component(path string, c spInComponent) (string, error) {
	id, err := spComponentID(path+".id", c.ID)
	if err != nil {
		return "", err
	}
	if p.componentSrc == nil {
		p.componentSrc = map[string]string{}
	}
	if src, ok := p.componentSrc[id]; ok {
		if src != c.ID {
			return "", errs.Invalidf(path+".id", "%q and %q are both component %q in Amends", src, c.ID, id)
		}
		return id, nil // known already: the first description wins
	}
	name := strings.TrimSpace(c.Name)
	if err := text(path+".name", name, MaxNameLen, true); err != nil {
		return "", err
	}
	service, err := p.serviceOf(path+".group_id", c.GroupID)
	if err != nil {
		return "", err
	}
	comp := Component{ID: id, Service: service, Name: name, Region: ImportRegion, Position: c.Position}
	if err := comp.Validate(); err != nil {
		return "", errs.Prefix(path, err)
	}
	p.componentSrc[id] = c.ID
	p.components[id] = len(p.batch.Components)
	p.batch.Components = append(p.batch.Components, comp)
	return id, nil
}

// serviceOf returns the service of a component in group (nil: none),
// recording it if it is new.
func (p *spParser) serviceOf(path string, group *string) (string, error) {
	if group == nil || strings.TrimSpace(*group) == "" {
		id := pageServiceID(p.page)
		if _, ok := p.services[id]; !ok {
			if err := p.addService("page", Service{ID: id, Name: p.page.Name}); err != nil {
				return "", err
			}
		}
		return id, nil
	}
	id, err := spServiceID(path, *group)
	if err != nil {
		return "", err
	}
	if _, ok := p.services[id]; !ok {
		// A group the document does not describe: named by its ID.
		if err := p.addService(path, Service{ID: id, Name: id}); err != nil {
			return "", err
		}
	}
	return id, nil
}

// spServiceID is the service ID of a Statuspage group id.
func spServiceID(path, groupID string) (string, error) {
	id := strings.TrimPrefix(strings.TrimSpace(groupID), "service_")
	id = strings.Trim(notServiceChar.ReplaceAllString(id, "-"), "-")
	if id == "" {
		return "", errs.Invalidf(path, "must not be empty")
	}
	if len(id) > 40 {
		return "", errs.Invalidf(path, "%q is longer than the 40 characters of an Amends service ID", groupID)
	}
	return id, nil
}

// pageServiceID is the ID of the service that holds the page's ungrouped
// components: a slug of the page's name.
func pageServiceID(page spInPage) string {
	id := strings.Trim(notServiceChar.ReplaceAllString(page.Name, "-"), "-_")
	if len(id) > 40 {
		id = strings.TrimRight(id[:40], "-_")
	}
	if id == "" {
		id, _ = spServiceID("", page.ID)
	}
	return id
}

// spComponentID is the component ID of a Statuspage component id.
func spComponentID(path, raw string) (string, error) {
	id := notComponentChar.ReplaceAllString(strings.ToLower(strings.TrimSpace(raw)), "-")
	if id == "" {
		return "", errs.Invalidf(path, "must not be empty")
	}
	if len(id) > 64 {
		return "", errs.Invalidf(path, "%q is longer than the 64 characters of an Amends component ID", raw)
	}
	return id, nil
}

// spUpdateIn is one update of the document, ready to apply.
type spUpdateIn struct {
	path       string // "incidents[i].incident_updates[j]"
	atField    string // "display_at" or "created_at"
	phase      Phase
	message    string
	at         time.Time
	order      int // position in the document
	components []ComponentChange
	affected   []string // the path of each change
}

// incident reads the incident at path and adds it to the batch, or counts
// it as a maintenance.
func (p *spParser) incident(path string, raw json.RawMessage) error {
	var in spInIncident
	if err := decodeAt(path, raw, &in); err != nil {
		return err
	}
	if in.ScheduledFor != nil || in.Impact == "maintenance" || spMaintenanceStatuses[in.Status] {
		p.maintenances++
		return nil
	}
	id := strings.TrimSpace(in.ID)
	if id == "" {
		return errs.Invalidf(path+".id", "must not be empty")
	}
	source := "statuspage:" + p.page.ID + "/" + id
	if other, dup := p.sources[source]; dup {
		return errs.Invalidf(path+".id", "%q appears twice (also %s)", id, other)
	}
	p.sources[source] = path
	title := strings.TrimSpace(in.Name)
	if err := text(path+".name", title, MaxTitleLen, true); err != nil {
		return err
	}
	status, ok := spPhases[in.Status]
	if !ok {
		return errs.Invalidf(path+".status", "%q is not a Statuspage incident status", in.Status)
	}
	impact := Impact(in.Impact)
	if in.Impact != "" && !impact.Valid() {
		return errs.Invalidf(path+".impact", "%q is not a Statuspage impact", in.Impact)
	}
	startField := "started_at"
	startRaw := in.StartedAt
	if startRaw == nil || *startRaw == "" {
		startField, startRaw = "created_at", in.CreatedAt
	}
	started, err := p.instant(path+"."+startField, startRaw)
	if err != nil {
		return err
	}
	if started.IsZero() {
		return errs.Invalidf(path+".started_at", "missing, and so is created_at")
	}
	// Components the incident lists, with their groups.
	for k, rawc := range in.Components {
		cpath := fmt.Sprintf("%s.components[%d]", path, k)
		var c spInComponent
		if err := decodeAt(cpath, rawc, &c); err != nil {
			return err
		}
		if c.Group {
			continue
		}
		if _, err := p.component(cpath, c); err != nil {
			return err
		}
	}

	updates, err := p.updates(path, in.IncidentUpdates)
	if err != nil {
		return err
	}
	if len(updates) == 0 {
		return errs.Invalidf(path+".incident_updates", "must not be empty: Amends keeps an incident as its timeline")
	}
	for _, u := range updates {
		if u.at.Before(started) {
			return errs.Invalidf(u.path+"."+u.atField, "%s is before the incident started (%s %s)",
				u.at.Format(time.RFC3339), startField, started.Format(time.RFC3339))
		}
	}

	first := updates[0]
	inc, err := NewIncident(p.actor, IncidentInput{
		Title: title, Impact: impact, Phase: first.phase, Message: first.message,
		StartedAt: &started, Components: first.components, NoComponents: !affectsAny(first.components),
	}, p.now)
	if err != nil {
		return p.updateError(first, path, err)
	}
	for _, u := range updates[1:] {
		if !inc.Active() {
			// After the resolution: a note that changes no component.
			for k, ch := range u.components {
				if ch.Status != Operational {
					return errs.Invalidf(u.affected[k]+".new_status", "%q after the incident was resolved: Amends does not reopen incidents", ch.Status)
				}
			}
			if err := checkMessageAt(u.path+".body", u.message); err != nil {
				return err
			}
			if u.phase != Resolved {
				p.held++
			}
			inc.Updates = append(inc.Updates, Update{Phase: Resolved, Message: strings.TrimSpace(u.message), At: u.at, CreatedAt: p.now, Author: p.actor})
			continue
		}
		phase := u.phase
		if phase.Rank() < inc.Phase.Rank() {
			phase = inc.Phase
			p.held++
		}
		at := u.at
		next, err := inc.Apply(p.actor, UpdateInput{Phase: phase, Message: u.message, At: &at, Components: u.components}, p.now)
		if err != nil {
			return p.updateError(u, path, err)
		}
		inc = next
	}
	if (status == Resolved) != !inc.Active() {
		if status == Resolved {
			return errs.Invalidf(path+".status", "%q, but no update resolves the incident", in.Status)
		}
		return errs.Invalidf(path+".status", "%q, but an update resolved the incident", in.Status)
	}
	p.batch.Incidents = append(p.batch.Incidents, ImportedIncident{Source: source, Incident: inc})
	return nil
}

// updates reads an incident's updates and returns them oldest first.
func (p *spParser) updates(path string, list []json.RawMessage) ([]spUpdateIn, error) {
	var out []spUpdateIn
	for j, raw := range list {
		upath := fmt.Sprintf("%s.incident_updates[%d]", path, j)
		var in spInUpdate
		if err := decodeAt(upath, raw, &in); err != nil {
			return nil, err
		}
		phase, ok := spPhases[in.Status]
		if !ok {
			return nil, errs.Invalidf(upath+".status", "%q is not a Statuspage status", in.Status)
		}
		if err := checkMessageAt(upath+".body", in.Body); err != nil {
			return nil, err
		}
		u := spUpdateIn{path: upath, phase: phase, message: in.Body, order: j, atField: "display_at"}
		atRaw := in.DisplayAt
		if atRaw == nil || *atRaw == "" {
			u.atField, atRaw = "created_at", in.CreatedAt
		}
		at, err := p.instant(upath+"."+u.atField, atRaw)
		if err != nil {
			return nil, err
		}
		if at.IsZero() {
			return nil, errs.Invalidf(upath+".display_at", "missing, and so is created_at")
		}
		u.at = at
		seen := map[string]string{}
		for k, rawa := range in.AffectedComponents {
			apath := fmt.Sprintf("%s.affected_components[%d]", upath, k)
			var a spInAffected
			if err := decodeAt(apath, rawa, &a); err != nil {
				return nil, err
			}
			st := Status(a.NewStatus)
			if !st.Valid() {
				return nil, errs.Invalidf(apath+".new_status", "%q is not a Statuspage component status", a.NewStatus)
			}
			id, err := spComponentID(apath+".code", a.Code)
			if err != nil {
				return nil, err
			}
			if _, known := p.components[id]; !known {
				// Named only here: an ungrouped component.
				if _, err := p.component(apath, spInComponent{ID: a.Code, Name: a.Name}); err != nil {
					return nil, err
				}
			}
			if other, dup := seen[id]; dup {
				return nil, errs.Invalidf(apath+".code", "%q appears twice in this update (also %s)", a.Code, other)
			}
			seen[id] = apath
			u.components = append(u.components, ComponentChange{Component: id, Status: st})
			u.affected = append(u.affected, apath)
		}
		out = append(out, u)
	}
	// The document lists updates newest first: oldest first, and updates
	// at one instant in the order they were written.
	sort.SliceStable(out, func(a, b int) bool {
		if !out[a].at.Equal(out[b].at) {
			return out[a].at.Before(out[b].at)
		}
		return out[a].order > out[b].order
	})
	return out, nil
}

// updateError places an error of NewIncident or Apply about update u under
// the document's path.
func (p *spParser) updateError(u spUpdateIn, path string, err error) error {
	field := errs.FieldOf(err)
	switch {
	case field == "title":
		return errs.Prefix(path+".name", withoutField(err))
	case field == "started_at":
		return errs.Prefix(path+".started_at", withoutField(err))
	case field == "at":
		return errs.Prefix(u.path+"."+u.atField, withoutField(err))
	case field == "message":
		return errs.Prefix(u.path+".body", withoutField(err))
	case strings.HasPrefix(field, "components["):
		var k int
		if _, scanErr := fmt.Sscanf(field, "components[%d]", &k); scanErr == nil && k < len(u.affected) {
			return errs.Prefix(u.affected[k]+".new_status", withoutField(err))
		}
	}
	return errs.Prefix(u.path, err)
}

func withoutField(err error) error {
	var e *errs.Error
	if errors.As(err, &e) {
		return &errs.Error{Code: e.Code, Message: e.Message}
	}
	return err
}

func checkMessageAt(field, s string) error {
	return bodyText(field, strings.TrimSpace(s), MaxMessageLen, true)
}

// instant reads a Statuspage instant ("2012-12-24T20:24:00.000Z", any
// offset); nil or "" is the zero time.
func (p *spParser) instant(path string, s *string) (time.Time, error) {
	if s == nil || *s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, *s)
	if err != nil {
		return time.Time{}, errs.Invalidf(path, "%q is not an RFC 3339 instant", *s)
	}
	t = instant(t)
	if t.After(p.now.Add(ClockSkew)) {
		return time.Time{}, errs.Invalidf(path, "%s is in the future", t.Format(time.RFC3339))
	}
	return t, nil
}

// decodeAt decodes raw (JSON null or absent: nothing) into v, naming the
// element by path on a type error.
func decodeAt(path string, raw json.RawMessage, v any) error {
	if len(raw) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return jsonError(path, raw, err)
	}
	return nil
}

// jsonError turns an encoding/json error about data, found at path, into
// an errs.Error naming where.
func jsonError(path string, data []byte, err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		// Offset counts the bytes read, the bad one included.
		line, col := lineCol(data, max(syn.Offset-1, 0))
		return errs.Malformedf(path, "not JSON: %s at line %d, column %d", syn.Error(), line, col)
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		field := path
		if typ.Field != "" {
			field = joinPath(path, typ.Field)
		}
		return errs.Invalidf(field, "is a JSON %s, want %s", typ.Value, jsonKind(typ.Type.Kind().String()))
	}
	return errs.Malformedf(path, "not JSON: %v", err)
}

func joinPath(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice":
		return "an array"
	case "struct", "map":
		return "an object"
	case "int", "int64", "float64":
		return "a number"
	}
	return goKind
}

// lineCol is the 1-based line and column of byte offset off in data.
func lineCol(data []byte, off int64) (int, int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line, col := 1, 1
	for _, b := range data[:off] {
		if b == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// affectsAny reports whether any of changes sets a status other than
// operational: an imported incident whose first update sets none affects
// no component, as the page it comes from said.
func affectsAny(changes []ComponentChange) bool {
	for _, ch := range changes {
		if ch.Status != Operational {
			return true
		}
	}
	return false
}
