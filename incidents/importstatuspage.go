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
	"unicode/utf8"

	"github.com/amends/amends/internal/check"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
)

// This file reads Atlassian Statuspage public API v2 documents (an
// incidents.json and a summary.json, as Statuspage or Amends itself serves
// them) into an ImportBatch that Store.Import records in one transaction.
// docs/import.md describes the mapping and every normalisation rule.
//
// The mapping:
//   - a component group becomes a service: its id (without the "service_"
//     prefix Amends gives its own groups) is the service ID, its name and
//     description the service's, its id the service's ExternalID. An
//     incidents.json names groups only by id, so a service made from one
//     alone is named by its ID (import the summary.json first, or with it);
//   - every component without a group goes into one service named after
//     the page (its ID a slug of the page name, PageRows set); it is
//     created only if a new component goes into it;
//   - a component keeps its id as its ExternalID, and as its ID lower-cased
//     with any character outside a-z, 0-9 and "-" turned into "-"; its
//     name, position, and as its Listing the description, showcase and
//     start_date the document gives (nil and false where it gives none);
//     Statuspage has no regions, so its region is ImportRegion;
//   - an incident keeps its id (ExternalID), name, impact, created_at and
//     updated_at; its start is the earliest of started_at, created_at and
//     its first update (rule "start_earliest");
//   - each update keeps its id, body, display_at (At), created_at and
//     updated_at, and its affected_components as recorded, old_status
//     included; oldest first (updates at one instant in the file's order);
//   - update statuses investigating, identified and monitoring are phases;
//     resolved and postmortem are resolved. The rules of Rules say what is
//     normalised where Statuspage allowed what Amends does not;
//   - scheduled maintenances listed among the incidents are not imported
//     (counted in Maintenances);
//   - the incident's Statuspage id, with its page's id, is its Source, the
//     key a second import updates it by.

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
	// an incident whose Source was imported before is updated from it.
	Source   string
	Incident Incident
}

// ImportResult counts what Store.Import recorded and what it skipped.
type ImportResult struct {
	Incidents  int `json:"incidents"`
	Updates    int `json:"updates"`
	Services   int `json:"services"`
	Components int `json:"components"`
	// Skipped counts the incidents imported before and unchanged since;
	// ServicesReused and
	// ComponentsReused the ones that already existed.
	Skipped          int `json:"skipped"`
	ServicesReused   int `json:"services_reused"`
	ComponentsReused int `json:"components_reused"`
	// Changed counts the incidents imported before that the batch changed:
	// UpdatesAdded new updates appended to them, Corrected updates whose
	// text it corrected.
	Changed      int `json:"changed"`
	UpdatesAdded int `json:"updates_added"`
	Corrected    int `json:"corrected"`
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
	if inc.Updates[0].At.Before(inc.StartedAt) {
		return errs.Invalidf("updates[0].at", "is before the start")
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
			if cs.OldStatus != "" && !cs.OldStatus.Valid() {
				return errs.Invalidf(fmt.Sprintf("%s.components[%d].old_status", field, k), "%q is not a status", cs.OldStatus)
			}
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

// StatuspageImport is what ParseStatuspage read from Statuspage documents.
type StatuspageImport struct {
	// Kind is "summary.json", "incidents.json", or both joined by " and ".
	Kind  string
	Batch ImportBatch
	// Maintenances counts the scheduled maintenances the documents listed
	// among their incidents, which are not imported.
	Maintenances int
	// Notes says, rule by rule in the order of Rules, what was normalised
	// (rules that applied nowhere are left out).
	Notes []ImportNote
}

// ImportRule is one way in which an import records what Statuspage
// accepted and Amends' own rules do not: docs/import.md lists them.
type ImportRule struct {
	Key  string
	Text string
}

// Rules are the normalisation rules of a Statuspage import, in the order a
// report lists them.
var Rules = []ImportRule{
	{"start_earliest", "start set to the earliest of started_at, created_at and the first update"},
	{"milliseconds", "instants with milliseconds kept to the whole second below"},
	{"resolved_leaving_components", "resolving update leaves components not operational: their impact ends at the resolution"},
	{"phase_held", "update whose status goes back keeps the furthest phase reached"},
	{"after_resolution", "update after the resolution (a later note, a reopening) kept as a resolved note that changes nothing"},
	{"resolved_without_update", "incident resolved with no resolving update: its last update resolves it"},
}

// ImportNote counts the incidents a rule applied to, and names the first
// few by their Statuspage id.
type ImportNote struct {
	Rule      string   `json:"rule"`
	Text      string   `json:"text"`
	Count     int      `json:"count"`
	Incidents []string `json:"incidents"`
}

// MaxNoteIncidents is how many incident ids a note names.
const MaxNoteIncidents = 5

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
		Showcase    bool    `json:"showcase"`
		StartDate   *string `json:"start_date"`
	}
	spInIncident struct {
		ID              string            `json:"id"`
		Name            string            `json:"name"`
		Status          string            `json:"status"`
		Impact          string            `json:"impact"`
		CreatedAt       *string           `json:"created_at"`
		UpdatedAt       *string           `json:"updated_at"`
		StartedAt       *string           `json:"started_at"`
		ScheduledFor    *string           `json:"scheduled_for"`
		IncidentUpdates []json.RawMessage `json:"incident_updates"`
		Components      []json.RawMessage `json:"components"`
	}
	spInUpdate struct {
		ID                 string            `json:"id"`
		Status             string            `json:"status"`
		Body               string            `json:"body"`
		CreatedAt          *string           `json:"created_at"`
		UpdatedAt          *string           `json:"updated_at"`
		DisplayAt          *string           `json:"display_at"`
		AffectedComponents []json.RawMessage `json:"affected_components"`
	}
	// spIncidentDoc is an incident with its lists decoded: in one pass of
	// the whole list of incidents (decodeIncidents), or element by element
	// from an spInIncident (readIncident), each element's error kept to be
	// reported where the element is read.
	spIncidentDoc struct {
		ID              string          `json:"id"`
		Name            string          `json:"name"`
		Status          string          `json:"status"`
		Impact          string          `json:"impact"`
		CreatedAt       *string         `json:"created_at"`
		UpdatedAt       *string         `json:"updated_at"`
		StartedAt       *string         `json:"started_at"`
		ScheduledFor    *string         `json:"scheduled_for"`
		IncidentUpdates []spUpdateDoc   `json:"incident_updates"`
		Components      []spInComponent `json:"components"`
		componentErrs   []error
		updateErrs      []error
	}
	spUpdateDoc struct {
		ID                 string         `json:"id"`
		Status             string         `json:"status"`
		Body               string         `json:"body"`
		CreatedAt          *string        `json:"created_at"`
		UpdatedAt          *string        `json:"updated_at"`
		DisplayAt          *string        `json:"display_at"`
		AffectedComponents []spInAffected `json:"affected_components"`
		affectedErrs       []error
	}
	spInAffected struct {
		Code      string `json:"code"`
		Name      string `json:"name"`
		OldStatus string `json:"old_status"`
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
var spDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// ParseStatuspage reads data, a Statuspage incidents.json or summary.json,
// as ParseStatuspageDocs does.
func ParseStatuspage(data []byte, actor string, now time.Time) (StatuspageImport, error) {
	return ParseStatuspageDocs(actor, now, data)
}

// ParseStatuspageDocs reads Statuspage documents of one page (a
// summary.json first, then an incidents.json, say) and returns what they
// record, every incident written by actor (see the mapping above):
// components a later document names again keep what the first said. It
// checks every document whole first: the first element that is not what
// Statuspage writes (a wrong type, an impossible or future instant, an
// unknown status) is an errs.Invalid whose Field is its JSON path
// ("incidents[3].incident_updates[1].status"), prefixed with "docs[i]."
// when there is more than one document; a document that is not JSON is
// errs.Malformed naming the line and column.
func ParseStatuspageDocs(actor string, now time.Time, docs ...[]byte) (StatuspageImport, error) {
	var out StatuspageImport
	p := &spParser{actor: actor, now: instant(now), services: map[string]int{}, components: map[string]int{},
		sources: map[string]int{}, notes: map[string]*ImportNote{}, noted: map[string]string{}}
	var kinds []string
	for i, data := range docs {
		kind, err := p.document(data)
		if err != nil {
			if len(docs) > 1 {
				return out, errs.Prefix(fmt.Sprintf("docs[%d]", i), err)
			}
			return out, err
		}
		kinds = append(kinds, kind)
	}
	out.Kind = strings.Join(kinds, " and ")
	// Oldest first, so that Amends numbers them in the order they began
	// whatever order the documents list them in.
	sort.SliceStable(p.batch.Incidents, func(i, j int) bool {
		a, b := p.batch.Incidents[i].Incident, p.batch.Incidents[j].Incident
		if !a.StartedAt.Equal(b.StartedAt) {
			return a.StartedAt.Before(b.StartedAt)
		}
		return a.ExternalID < b.ExternalID
	})
	out.Batch = p.batch
	out.Maintenances = p.maintenances
	for _, r := range Rules {
		if n := p.notes[r.Key]; n != nil {
			out.Notes = append(out.Notes, *n)
		}
	}
	// What was built is what Store.Import accepts; a failure here is a bug
	// of this parser, still reported rather than written.
	if err := out.Batch.Validate(); err != nil {
		return StatuspageImport{}, err
	}
	return out, nil
}

// document reads one document into the batch and returns its kind.
func (p *spParser) document(data []byte) (string, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return "", jsonError("", data, err)
	}
	if top == nil {
		return "", errs.Invalidf("", "must be a JSON object: a Statuspage incidents.json or summary.json")
	}
	rawIncidents, hasIncidents := top["incidents"]
	rawComponents, hasComponents := top["components"]
	if !hasIncidents && !hasComponents {
		return "", errs.Invalidf("incidents", "missing: this is not a Statuspage incidents.json or summary.json")
	}
	kind := "incidents.json"
	if hasComponents {
		kind = "summary.json"
	}
	var page spInPage
	if err := decodeAt("page", top["page"], &page); err != nil {
		return "", err
	}
	page.ID, page.Name = strings.TrimSpace(page.ID), strings.TrimSpace(page.Name)
	if page.ID == "" {
		return "", errs.Invalidf("page.id", "must not be empty")
	}
	if err := text("page.name", page.Name, MaxNameLen, true); err != nil {
		return "", err
	}
	if p.page.ID != "" && p.page.ID != page.ID {
		return "", errs.Invalidf("page.id", "%q is another page than %q", page.ID, p.page.ID)
	}
	p.page = page
	p.docSources = map[string]string{}
	if hasComponents {
		var list []json.RawMessage
		if err := decodeAt("components", rawComponents, &list); err != nil {
			return "", err
		}
		if err := p.pageComponents(list); err != nil {
			return "", err
		}
	}
	if fast, ok := decodeIncidents(rawIncidents); ok {
		for i := range fast {
			if err := p.incident(fmt.Sprintf("incidents[%d]", i), &fast[i]); err != nil {
				return "", err
			}
			fast[i] = spIncidentDoc{} // let what it held go
		}
		return kind, nil
	}
	var list []json.RawMessage
	if err := decodeAt("incidents", rawIncidents, &list); err != nil {
		return "", err
	}
	for i, raw := range list {
		path := fmt.Sprintf("incidents[%d]", i)
		in, err := readIncident(path, raw)
		if err != nil {
			return "", err
		}
		if err := p.incident(path, &in); err != nil {
			return "", err
		}
	}
	return kind, nil
}

// decodeIncidents decodes a list of incidents in one pass, and says
// whether that read it exactly as readIncident reads each element: not if
// the list does not decode (readIncident then names the element at fault,
// or reads what it would skip, as the updates of a maintenance), and not
// if an object in it repeats a key that holds a list (decoding into a
// list already filled would keep what the first had where the second is
// silent, where readIncident takes the second whole).
func decodeIncidents(raw json.RawMessage) ([]spIncidentDoc, bool) {
	if len(raw) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) || repeatsListKey(raw) {
		return nil, false
	}
	var list []spIncidentDoc
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, false
	}
	return list, true
}

// readIncident decodes the incident raw at path element by element, as
// a document is read when decodeIncidents cannot: a type error in the
// incident itself is returned, one in an element of its lists is kept
// with the element, to be reported when it is read.
func readIncident(path string, raw json.RawMessage) (spIncidentDoc, error) {
	var in spInIncident
	if err := decodeAt(path, raw, &in); err != nil {
		return spIncidentDoc{}, err
	}
	out := spIncidentDoc{ID: in.ID, Name: in.Name, Status: in.Status, Impact: in.Impact, CreatedAt: in.CreatedAt, UpdatedAt: in.UpdatedAt,
		StartedAt: in.StartedAt, ScheduledFor: in.ScheduledFor}
	if in.Components != nil {
		out.Components = make([]spInComponent, len(in.Components))
		out.componentErrs = make([]error, len(in.Components))
	}
	for k, rawc := range in.Components {
		out.componentErrs[k] = decodeAt(fmt.Sprintf("%s.components[%d]", path, k), rawc, &out.Components[k])
	}
	if in.IncidentUpdates != nil {
		out.IncidentUpdates = make([]spUpdateDoc, len(in.IncidentUpdates))
		out.updateErrs = make([]error, len(in.IncidentUpdates))
	}
	for j, rawu := range in.IncidentUpdates {
		upath := fmt.Sprintf("%s.incident_updates[%d]", path, j)
		var u spInUpdate
		if out.updateErrs[j] = decodeAt(upath, rawu, &u); out.updateErrs[j] != nil {
			continue
		}
		v := spUpdateDoc{ID: u.ID, Status: u.Status, Body: u.Body, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt, DisplayAt: u.DisplayAt}
		if u.AffectedComponents != nil {
			v.AffectedComponents = make([]spInAffected, len(u.AffectedComponents))
			v.affectedErrs = make([]error, len(u.AffectedComponents))
		}
		for k, rawa := range u.AffectedComponents {
			v.affectedErrs[k] = decodeAt(fmt.Sprintf("%s.affected_components[%d]", upath, k), rawa, &v.AffectedComponents[k])
		}
		out.IncidentUpdates[j] = v
	}
	return out, nil
}

// elemErr is errs[k], or nil when the list was decoded whole.
func elemErr(errs []error, k int) error {
	if errs == nil {
		return nil
	}
	return errs[k]
}

// spParser builds a batch from documents of one page.
type spParser struct {
	page         spInPage
	actor        string
	now          time.Time
	batch        ImportBatch
	services     map[string]int    // service ID → index in batch
	components   map[string]int    // component ID → index in batch
	componentSrc map[string]string // component ID → Statuspage id
	sources      map[string]int    // Source → index in batch
	docSources   map[string]string // Source → path, in the document being read
	maintenances int
	notes        map[string]*ImportNote
	current      string            // the Statuspage id of the incident being read
	noted        map[string]string // rule → the last incident it was counted for
}

// note records that rule applied to the incident being read (once per
// incident).
func (p *spParser) note(rule string) {
	n := p.notes[rule]
	if n == nil {
		n = &ImportNote{Rule: rule, Incidents: []string{}}
		for _, r := range Rules {
			if r.Key == rule {
				n.Text = r.Text
			}
		}
		p.notes[rule] = n
	}
	if p.noted[rule] == p.current {
		return
	}
	p.noted[rule] = p.current
	n.Count++
	if len(n.Incidents) < MaxNoteIncidents {
		n.Incidents = append(n.Incidents, p.current)
	}
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
		s := Service{ID: id, Name: c.Name, Position: c.Position, ExternalID: strings.TrimSpace(c.ID)}
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
		if c.listed() && p.batch.Components[p.components[id]].Listing.empty() {
			// Named before only by an update: the full description wins.
			l, err := c.listing(path)
			if err != nil {
				return "", err
			}
			p.batch.Components[p.components[id]].Listing = l
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
	listing, err := c.listing(path)
	if err != nil {
		return "", err
	}
	comp := Component{ID: id, Service: service, Name: name, Region: ImportRegion, Position: c.Position,
		ExternalID: strings.TrimSpace(c.ID), Listing: listing}
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
			if err := p.addService("page", Service{ID: id, Name: p.page.Name, PageRows: true}); err != nil {
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
		if err := p.addService(path, Service{ID: id, Name: id, ExternalID: strings.TrimSpace(*group)}); err != nil {
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

// listed reports whether c is a full component object (from a summary or
// an incident's components) rather than an update's code and name.
func (c spInComponent) listed() bool {
	return c.Description != nil || c.Showcase || c.StartDate != nil || c.GroupID != nil
}

// listing is what c says beyond its name; start_date must be a date.
func (c spInComponent) listing(path string) (*ComponentListing, error) {
	l := &ComponentListing{Description: c.Description, Showcase: c.Showcase, StartDate: c.StartDate}
	if l.Description != nil {
		if err := bodyText(path+".description", *l.Description, MaxDescriptionLen, false); err != nil {
			return nil, err
		}
	}
	if l.StartDate != nil {
		if *l.StartDate == "" {
			l.StartDate = nil
		} else if _, err := time.Parse(time.DateOnly, *l.StartDate); err != nil || !spDate.MatchString(*l.StartDate) {
			return nil, errs.Invalidf(path+".start_date", "%q is not a date (2019-04-01)", *l.StartDate)
		}
	}
	return l, nil
}

func (l *ComponentListing) empty() bool {
	return l == nil || l.Description == nil && !l.Showcase && l.StartDate == nil
}

// spUpdateIn is one update of the document, ready to apply.
type spUpdateIn struct {
	path       string // "incidents[i].incident_updates[j]"
	id         string
	phase      Phase
	message    string
	at         time.Time
	created    time.Time
	updated    time.Time
	order      int // position in the document
	components []ComponentStatus
}

// incident reads the incident at path and adds it to the batch, or counts
// it as a maintenance.
func (p *spParser) incident(path string, in *spIncidentDoc) error {
	if in.ScheduledFor != nil || in.Impact == "maintenance" || spMaintenanceStatuses[in.Status] {
		p.maintenances++
		return nil
	}
	id := strings.TrimSpace(in.ID)
	if id == "" {
		return errs.Invalidf(path+".id", "must not be empty")
	}
	p.current = id
	defer func() { p.current = "" }()
	source := "statuspage:" + p.page.ID + "/" + id
	if other, dup := p.docSources[source]; dup {
		return errs.Invalidf(path+".id", "%q appears twice (also %s)", id, other)
	}
	p.docSources[source] = path
	title := strings.TrimSpace(in.Name)
	if err := text(path+".name", title, MaxTitleLen, true); err != nil {
		return err
	}
	status, ok := spPhases[in.Status]
	if !ok {
		return errs.Invalidf(path+".status", "%q is not a Statuspage incident status", in.Status)
	}
	impact := Impact(in.Impact)
	if in.Impact == "" {
		impact = ImpactNone
	} else if !impact.Valid() {
		return errs.Invalidf(path+".impact", "%q is not a Statuspage impact", in.Impact)
	}
	started, err := p.instant(path+".started_at", in.StartedAt)
	if err != nil {
		return err
	}
	created, err := p.instant(path+".created_at", in.CreatedAt)
	if err != nil {
		return err
	}
	updated, err := p.instant(path+".updated_at", in.UpdatedAt)
	if err != nil {
		return err
	}
	// Components the incident lists, with their groups.
	for k, c := range in.Components {
		if err := elemErr(in.componentErrs, k); err != nil {
			return err
		}
		cpath := fmt.Sprintf("%s.components[%d]", path, k)
		if c.Group {
			continue
		}
		if _, err := p.component(cpath, c); err != nil {
			return err
		}
	}
	updates, err := p.updates(path, in)
	if err != nil {
		return err
	}
	if len(updates) == 0 {
		return errs.Invalidf(path+".incident_updates", "must not be empty: Amends keeps an incident as its timeline")
	}

	// The start: the earliest of started_at, created_at and the first
	// update; started_at alone is normalised silently when it is missing.
	start := updates[0].at
	for _, t := range []time.Time{created, started} {
		if !t.IsZero() && t.Before(start) {
			start = t
		}
	}
	if !started.IsZero() && !started.Equal(start) {
		p.note("start_earliest")
	}
	if created.IsZero() {
		created = start
	}
	inc := Incident{Title: title, Impact: impact, StartedAt: start, CreatedAt: created, ExternalID: id}
	phase := Investigating
	state := map[string]Status{} // each component's status within the incident
	for _, u := range updates {
		up := Update{Phase: u.phase, Message: u.message, At: u.at, CreatedAt: u.created, Author: p.actor,
			Components: u.components, ExternalID: u.id}
		if !u.updated.IsZero() {
			t := u.updated
			up.UpdatedAt = &t
		}
		if up.CreatedAt.IsZero() {
			up.CreatedAt = u.at
		}
		switch {
		case inc.ResolvedAt != nil:
			if u.phase != Resolved || len(u.components) > 0 {
				p.note("after_resolution")
			}
			up.Phase = Resolved
		case u.phase.Rank() < phase.Rank():
			p.note("phase_held")
			up.Phase = phase
		}
		phase = up.Phase
		if inc.ResolvedAt == nil {
			for _, cs := range u.components {
				state[cs.Component] = cs.Status
			}
		}
		if up.Phase == Resolved && inc.ResolvedAt == nil {
			at := u.at
			inc.ResolvedAt = &at
			for _, st := range state {
				if st != Operational {
					p.note("resolved_leaving_components")
					break
				}
			}
		}
		inc.Updates = append(inc.Updates, up)
	}
	if status == Resolved && inc.ResolvedAt == nil {
		p.note("resolved_without_update")
		last := &inc.Updates[len(inc.Updates)-1]
		last.Phase = Resolved
		at := last.At
		inc.ResolvedAt = &at
		phase = Resolved
	}
	if status != Resolved && inc.ResolvedAt != nil {
		p.note("after_resolution") // reopened on Statuspage
	}
	inc.Phase = phase
	inc.UpdatedAt = updated
	if inc.UpdatedAt.IsZero() {
		for _, u := range inc.Updates {
			for _, t := range []time.Time{u.At, u.CreatedAt} {
				if t.After(inc.UpdatedAt) {
					inc.UpdatedAt = t
				}
			}
			if u.UpdatedAt != nil && u.UpdatedAt.After(inc.UpdatedAt) {
				inc.UpdatedAt = *u.UpdatedAt
			}
		}
	}
	if err := inc.validateImported(); err != nil {
		return errs.Prefix(path, err)
	}
	im := ImportedIncident{Source: source, Incident: inc}
	if k, dup := p.sources[source]; dup {
		// A later document of the page lists it again (a summary's
		// unresolved incidents are in its incidents.json too): the later
		// one wins.
		p.batch.Incidents[k] = im
		return nil
	}
	p.sources[source] = len(p.batch.Incidents)
	p.batch.Incidents = append(p.batch.Incidents, im)
	return nil
}

// updates reads an incident's updates and returns them oldest first.
func (p *spParser) updates(path string, inc *spIncidentDoc) ([]spUpdateIn, error) {
	var out []spUpdateIn
	ids := map[string]string{}
	for j := range inc.IncidentUpdates {
		if err := elemErr(inc.updateErrs, j); err != nil {
			return nil, err
		}
		in := &inc.IncidentUpdates[j]
		upath := fmt.Sprintf("%s.incident_updates[%d]", path, j)
		phase, ok := spPhases[in.Status]
		if !ok {
			return nil, errs.Invalidf(upath+".status", "%q is not a Statuspage status", in.Status)
		}
		if err := checkMessageAt(upath+".body", in.Body); err != nil {
			return nil, err
		}
		u := spUpdateIn{path: upath, id: strings.TrimSpace(in.ID), phase: phase, message: strings.TrimSpace(in.Body), order: j}
		if u.id != "" {
			if other, dup := ids[u.id]; dup {
				return nil, errs.Invalidf(upath+".id", "%q appears twice (also %s)", u.id, other)
			}
			ids[u.id] = upath
		}
		var err error
		if u.created, err = p.instant(upath+".created_at", in.CreatedAt); err != nil {
			return nil, err
		}
		if u.updated, err = p.instant(upath+".updated_at", in.UpdatedAt); err != nil {
			return nil, err
		}
		if u.at, err = p.instant(upath+".display_at", in.DisplayAt); err != nil {
			return nil, err
		}
		if u.at.IsZero() {
			u.at = u.created
		}
		if u.at.IsZero() {
			return nil, errs.Invalidf(upath+".display_at", "missing, and so is created_at")
		}
		seen := map[string]string{}
		for k, a := range in.AffectedComponents {
			if err := elemErr(in.affectedErrs, k); err != nil {
				return nil, err
			}
			apath := fmt.Sprintf("%s.affected_components[%d]", upath, k)
			st := Status(a.NewStatus)
			if !st.Valid() {
				return nil, errs.Invalidf(apath+".new_status", "%q is not a Statuspage component status", a.NewStatus)
			}
			old := Status(a.OldStatus)
			if old != "" && !old.Valid() {
				return nil, errs.Invalidf(apath+".old_status", "%q is not a Statuspage component status", a.OldStatus)
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
			pct := sla.Percent(0)
			if st != Operational {
				pct = sla.Hundred
			}
			u.components = append(u.components, ComponentStatus{Component: id, Status: st, AffectedPercent: pct, OldStatus: old})
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
	if t.Nanosecond() != 0 {
		p.note("milliseconds")
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

// spListKeys are the keys whose values decodeIncidents decodes into lists.
var spListKeys = [...]string{"incident_updates", "components", "affected_components"}

// repeatsListKey reports whether an object in data has two keys that
// encoding/json takes for the same one of spListKeys (it matches keys
// without regard to case), or a key that this scan does not compare
// (escaped or not ASCII). It reads data as JSON only as far as it needs
// to: data that is not JSON does not decode anyway.
func repeatsListKey(data []byte) bool {
	var seen []uint8 // per open object or array, the list keys seen
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '{', '[':
			seen = append(seen, 0)
		case '}', ']':
			if len(seen) > 0 {
				seen = seen[:len(seen)-1]
			}
		case '"':
			start, plain := i+1, true
			j := start
			for ; j < len(data) && data[j] != '"'; j++ {
				if data[j] == '\\' {
					plain = false
					j++
				} else if data[j] >= utf8.RuneSelf {
					plain = false
				}
			}
			key := data[start:min(j, len(data))]
			i = j
			k := j + 1
			for k < len(data) && (data[k] == ' ' || data[k] == '\t' || data[k] == '\n' || data[k] == '\r') {
				k++
			}
			if k >= len(data) || data[k] != ':' || len(seen) == 0 {
				continue // a value, not a key
			}
			if !plain {
				return true
			}
			for b, name := range spListKeys {
				if len(key) == len(name) && strings.EqualFold(string(key), name) {
					if seen[len(seen)-1]&(1<<b) != 0 {
						return true
					}
					seen[len(seen)-1] |= 1 << b
				}
			}
		}
	}
	return false
}
