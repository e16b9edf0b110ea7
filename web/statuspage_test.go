package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/incidents"
)

// The Statuspage public API v2, field by field. Each endpoint is decoded
// twice: into a generic value whose every field is checked against the
// schema below (presence, JSON type, enumeration, instant format), and into
// structs shaped like Statuspage's objects (unknown fields allowed, as
// clients decode).

const spTestBase = "https://status.example.com"

// spFixture is a page with two services, a resolved and an active
// incident, and maintenance completed, in progress and upcoming.
type spFixture struct {
	env                 *testEnv
	resolved, active    incidents.Incident
	done, running, next incidents.Maintenance
}

func newSPFixture(t *testing.T) *spFixture {
	t.Helper()
	env := newTestEnvWith(t, envOptions{config: func(c *Config) { c.BaseURL = spTestBase + "/" }})
	ctx := context.Background()
	now := env.clock.Now() // 2012-12-24 20:00 UTC
	f := &spFixture{env: env}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := env.incidents.CreateService(ctx, audit.Person("test"), incidents.Service{ID: "EC2", Name: "Elastic Compute Cloud", Description: "Virtual servers.", Position: 2}, now)
	must(err)
	_, err = env.incidents.CreateComponent(ctx, audit.Person("test"), incidents.Component{ID: "ec2-us-east-1a", Service: "EC2", Name: "EC2 us-east-1a", Region: "us-east-1", Zone: "us-east-1a"}, now)
	must(err)

	// A resolved incident from earlier today, through every phase.
	start := now.Add(-8 * time.Hour)
	inc, err := env.incidents.CreateIncident(ctx, audit.Person("ops@example.com"), incidents.IncidentInput{
		Title: "ELB API errors in us-east-1", Impact: incidents.ImpactMajor, StartedAt: &start,
		Message:    "We are investigating elevated errors. <script>alert(1)</script>",
		Components: []incidents.ComponentChange{change("elb-us-east-1", incidents.PartialOutage, "6.8")},
	}, now.Add(-7*time.Hour))
	must(err)
	for i, ph := range []incidents.Phase{incidents.Identified, incidents.Monitoring, incidents.Resolved} {
		at := start.Add(time.Duration(i+1) * time.Hour)
		in := incidents.UpdateInput{Phase: ph, Message: "Phase " + string(ph) + ".", At: &at}
		if ph == incidents.Resolved {
			in.Components = []incidents.ComponentChange{change("elb-us-east-1", incidents.Operational, "")}
		}
		inc, err = env.incidents.AddUpdate(ctx, audit.Person("ops@example.com"), inc.ID, in, now.Add(-time.Hour))
		must(err)
	}
	f.resolved = inc

	// An active incident, critical.
	f.active, err = env.incidents.CreateIncident(ctx, audit.Person("ops@example.com"), incidents.IncidentInput{
		Title: "ELB degraded in eu-west-1", Impact: incidents.ImpactCritical, Message: "Load balancers fail.",
		Components: []incidents.ComponentChange{change("elb-eu-west-1", incidents.MajorOutage, "")},
	}, now)
	must(err)

	mk := func(title string, starts, ends time.Time) incidents.Maintenance {
		ann := now.Add(-48 * time.Hour)
		m, err := env.incidents.CreateMaintenance(ctx, audit.Person("ops@example.com"), incidents.MaintenanceInput{
			Title: title, Message: "Planned work on " + title + ".", Components: []string{"ec2-us-east-1a"},
			StartsAt: starts, EndsAt: ends, AnnouncedAt: &ann,
		}, now)
		must(err)
		return m
	}
	f.done = mk("Past upgrade", now.Add(-30*time.Hour), now.Add(-29*time.Hour))
	f.running = mk("Running upgrade", now.Add(-10*time.Minute), now.Add(time.Hour))
	f.next = mk("Next upgrade", now.Add(24*time.Hour), now.Add(26*time.Hour))
	return f
}

// spGet fetches a v2 endpoint and checks what every one of them answers
// with: 200, JSON, open to any origin.
func spGet(t *testing.T, env *testEnv, path string) []byte {
	t.Helper()
	resp, body := env.request(http.MethodGet, path, nil, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("GET %s: Content-Type %q, want application/json", path, ct)
	}
	if o := resp.Header.Get("Access-Control-Allow-Origin"); o != "*" {
		t.Errorf("GET %s: Access-Control-Allow-Origin %q, want *", path, o)
	}
	return body
}

// ---- the schema ----

var (
	spIndicators        = []string{"none", "minor", "major", "critical", "maintenance"}
	spDescriptions      = []string{"All Systems Operational", "Minor Service Outage", "Partial System Outage", "Major System Outage", "Service Under Maintenance"}
	spComponentStatuses = []string{"operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"}
	spIncidentStatuses  = []string{"investigating", "identified", "monitoring", "resolved", "postmortem"}
	spMaintStatuses     = []string{"scheduled", "in_progress", "verifying", "completed"}
	spImpacts           = []string{"none", "minor", "major", "critical", "maintenance"}
)

// spKind is how a field's value must look: "string", "string?" (or null),
// "url", "time", "time?", "date?", "int", "bool", "obj:NAME", "[]NAME",
// "[]NAME?" (or null) where NAME is an object in spObjects or "string".
type spKind struct {
	kind string
	enum []string
}

type spObject []struct {
	name string
	spKind
}

func spFields(pairs ...any) spObject {
	var o spObject
	for i := 0; i < len(pairs); i += 2 {
		k := spKind{}
		switch v := pairs[i+1].(type) {
		case string:
			k.kind = v
		case []string:
			k.kind, k.enum = "enum", v
		}
		o = append(o, struct {
			name string
			spKind
		}{pairs[i].(string), k})
	}
	return o
}

var spObjects map[string]spObject

func init() {
	incident := func(statuses []string, extra ...any) spObject {
		return spFields(append([]any{
			"id", "string", "name", "string", "status", statuses,
			"created_at", "time", "updated_at", "time?", "monitoring_at", "time?", "resolved_at", "time?",
			"impact", spImpacts, "shortlink", "url", "started_at", "time", "page_id", "string",
			"incident_updates", "[]incident_update", "components", "[]component",
		}, extra...)...)
	}
	spObjects = map[string]spObject{
		"page":   spFields("id", "string", "name", "string", "url", "url", "time_zone", "string", "updated_at", "time"),
		"status": spFields("indicator", spIndicators, "description", spDescriptions),
		"component": spFields(
			"id", "string", "name", "string", "status", spComponentStatuses, "created_at", "time", "updated_at", "time",
			"position", "int", "description", "string?", "showcase", "bool", "start_date", "date?", "group_id", "string?",
			"page_id", "string", "group", "bool", "only_show_if_degraded", "bool"),
		"incident_update": spFields(
			"id", "string", "status", append(slices.Clone(spIncidentStatuses), spMaintStatuses...), "body", "string",
			"incident_id", "string", "created_at", "time", "updated_at", "time", "display_at", "time",
			"affected_components", "[]affected_component?", "deliver_notifications", "bool",
			"custom_tweet", "string?", "tweet_id", "string?"),
		"affected_component": spFields("code", "string", "name", "string", "old_status", spComponentStatuses, "new_status", spComponentStatuses),
		"incident":           incident(spIncidentStatuses),
		"maintenance":        incident(spMaintStatuses, "scheduled_for", "time", "scheduled_until", "time"),
	}
}

// spRFC3339 is an instant with an offset, as Statuspage writes them.
var spRFC3339 = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$`)

// spCheck checks v, found at path, against kind, and returns every
// mismatch.
func spCheck(path string, v any, k spKind) []string {
	bad := func(format string, a ...any) []string {
		return []string{path + ": " + fmt.Sprintf(format, a...) + fmt.Sprintf(" (got %#v)", v)}
	}
	kind, nullable := strings.CutSuffix(k.kind, "?")
	if v == nil {
		if nullable {
			return nil
		}
		return bad("must not be null")
	}
	switch {
	case kind == "enum":
		s, ok := v.(string)
		if !ok || !slices.Contains(k.enum, s) {
			return bad("must be one of %v", k.enum)
		}
	case kind == "string":
		if _, ok := v.(string); !ok {
			return bad("must be a string")
		}
	case kind == "url":
		if s, ok := v.(string); !ok || !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") {
			return bad("must be an http(s) URL")
		}
	case kind == "time":
		s, ok := v.(string)
		if !ok || !spRFC3339.MatchString(s) {
			return bad("must be an RFC 3339 instant with an offset")
		}
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			return bad("does not parse: %v", err)
		}
	case kind == "date":
		s, ok := v.(string)
		if !ok {
			return bad("must be a date")
		}
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return bad("must be a date")
		}
	case kind == "int":
		n, ok := v.(float64)
		if !ok || n != math.Trunc(n) {
			return bad("must be an integer")
		}
	case kind == "bool":
		if _, ok := v.(bool); !ok {
			return bad("must be a boolean")
		}
	case strings.HasPrefix(kind, "obj:"):
		return spCheckObject(path, v, strings.TrimPrefix(kind, "obj:"))
	case strings.HasPrefix(kind, "[]"):
		list, ok := v.([]any)
		if !ok {
			return bad("must be an array")
		}
		elem := strings.TrimPrefix(kind, "[]")
		var out []string
		for i, e := range list {
			p := fmt.Sprintf("%s[%d]", path, i)
			if elem == "string" {
				out = append(out, spCheck(p, e, spKind{kind: "string"})...)
			} else {
				out = append(out, spCheckObject(p, e, elem)...)
			}
		}
		return out
	default:
		panic("unknown kind " + kind)
	}
	return nil
}

func spCheckObject(path string, v any, name string) []string {
	obj, ok := v.(map[string]any)
	if !ok {
		return []string{path + ": must be an object"}
	}
	var out []string
	for _, f := range spObjects[name] {
		val, present := obj[f.name]
		if !present {
			out = append(out, path+"."+f.name+": missing")
			continue
		}
		out = append(out, spCheck(path+"."+f.name, val, f.spKind)...)
	}
	// A group lists its members' ids; a component has no such list.
	if name == "component" {
		members, has := obj["components"]
		if obj["group"] == true {
			out = append(out, spCheck(path+".components", members, spKind{kind: "[]string"})...)
		} else if has {
			out = append(out, path+".components: only groups list components")
		}
	}
	return out
}

// ---- the endpoints ----

// spEndpoints are the endpoints and the top-level keys each must have.
var spEndpoints = []struct {
	path string
	keys map[string]string
}{
	{"/api/v2/summary.json", map[string]string{"page": "obj:page", "status": "obj:status", "components": "[]component", "incidents": "[]incident", "scheduled_maintenances": "[]maintenance"}},
	{"/api/v2/status.json", map[string]string{"page": "obj:page", "status": "obj:status"}},
	{"/api/v2/components.json", map[string]string{"page": "obj:page", "components": "[]component"}},
	{"/api/v2/incidents.json", map[string]string{"page": "obj:page", "incidents": "[]incident"}},
	{"/api/v2/incidents/unresolved.json", map[string]string{"page": "obj:page", "incidents": "[]incident"}},
	{"/api/v2/scheduled-maintenances.json", map[string]string{"page": "obj:page", "scheduled_maintenances": "[]maintenance"}},
	{"/api/v2/scheduled-maintenances/upcoming.json", map[string]string{"page": "obj:page", "scheduled_maintenances": "[]maintenance"}},
	{"/api/v2/scheduled-maintenances/active.json", map[string]string{"page": "obj:page", "scheduled_maintenances": "[]maintenance"}},
}

func TestStatuspageShapes(t *testing.T) {
	f := newSPFixture(t)
	for _, ep := range spEndpoints {
		t.Run(strings.TrimPrefix(ep.path, "/api/v2/"), func(t *testing.T) {
			body := spGet(t, f.env, ep.path)
			var doc map[string]any
			if err := json.Unmarshal(body, &doc); err != nil {
				t.Fatalf("not a JSON object: %v\n%s", err, body)
			}
			for key, kind := range ep.keys {
				v, ok := doc[key]
				if !ok {
					t.Errorf("%s: no %q", ep.path, key)
					continue
				}
				for _, msg := range spCheck(key, v, spKind{kind: kind}) {
					t.Error(msg)
				}
			}
			for key := range doc {
				if _, ok := ep.keys[key]; !ok {
					t.Errorf("%s: unexpected top-level key %q", ep.path, key)
				}
			}
			// The typed decode, as clients do it.
			var typed spwSummary
			if err := json.Unmarshal(body, &typed); err != nil {
				t.Fatalf("decoding into Statuspage structs: %v", err)
			}
			if typed.Page.URL != spTestBase || typed.Page.Name != "Test Cloud" || typed.Page.TimeZone == "" || len(typed.Page.ID) != 12 {
				t.Errorf("page = %+v", typed.Page)
			}
		})
	}
}

// spw* are Statuspage's objects as a typed client declares them.
type spwSummary struct {
	Page                  spwPage        `json:"page"`
	Status                spwStatus      `json:"status"`
	Components            []spwComponent `json:"components"`
	Incidents             []spwIncident  `json:"incidents"`
	ScheduledMaintenances []spwIncident  `json:"scheduled_maintenances"`
}

type spwPage struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	URL       string    `json:"url"`
	TimeZone  string    `json:"time_zone"`
	UpdatedAt time.Time `json:"updated_at"`
}

type spwStatus struct {
	Indicator   string `json:"indicator"`
	Description string `json:"description"`
}

type spwComponent struct {
	ID                 string    `json:"id"`
	Name               string    `json:"name"`
	Status             string    `json:"status"`
	CreatedAt          time.Time `json:"created_at"`
	UpdatedAt          time.Time `json:"updated_at"`
	Position           int       `json:"position"`
	Description        *string   `json:"description"`
	Showcase           bool      `json:"showcase"`
	StartDate          *string   `json:"start_date"`
	GroupID            *string   `json:"group_id"`
	PageID             string    `json:"page_id"`
	Group              bool      `json:"group"`
	OnlyShowIfDegraded bool      `json:"only_show_if_degraded"`
	Components         []string  `json:"components"`
}

type spwIncident struct {
	ID              string         `json:"id"`
	Name            string         `json:"name"`
	Status          string         `json:"status"`
	CreatedAt       time.Time      `json:"created_at"`
	UpdatedAt       *time.Time     `json:"updated_at"`
	MonitoringAt    *time.Time     `json:"monitoring_at"`
	ResolvedAt      *time.Time     `json:"resolved_at"`
	Impact          string         `json:"impact"`
	Shortlink       string         `json:"shortlink"`
	StartedAt       time.Time      `json:"started_at"`
	PageID          string         `json:"page_id"`
	IncidentUpdates []spwUpdate    `json:"incident_updates"`
	Components      []spwComponent `json:"components"`
	ScheduledFor    *time.Time     `json:"scheduled_for"`
	ScheduledUntil  *time.Time     `json:"scheduled_until"`
}

type spwUpdate struct {
	ID                 string    `json:"id"`
	Status             string    `json:"status"`
	Body               string    `json:"body"`
	IncidentID         string    `json:"incident_id"`
	CreatedAt          time.Time `json:"created_at"`
	DisplayAt          time.Time `json:"display_at"`
	AffectedComponents []struct {
		Code      string `json:"code"`
		Name      string `json:"name"`
		OldStatus string `json:"old_status"`
		NewStatus string `json:"new_status"`
	} `json:"affected_components"`
	DeliverNotifications bool    `json:"deliver_notifications"`
	CustomTweet          *string `json:"custom_tweet"`
	TweetID              *string `json:"tweet_id"`
}

func spDecode(t *testing.T, env *testEnv, path string) spwSummary {
	t.Helper()
	var s spwSummary
	if err := json.Unmarshal(spGet(t, env, path), &s); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return s
}

func TestStatuspageSummaryContent(t *testing.T) {
	f := newSPFixture(t)
	s := spDecode(t, f.env, "/api/v2/summary.json")

	if s.Status != (spwStatus{"critical", "Major System Outage"}) {
		t.Errorf("status = %+v, want critical / Major System Outage", s.Status)
	}
	if !s.Page.UpdatedAt.Equal(f.env.clock.Now()) {
		t.Errorf("page.updated_at = %v, want the latest change %v", s.Page.UpdatedAt, f.env.clock.Now())
	}

	// Services are groups, each followed by its members.
	var got []string
	for _, c := range s.Components {
		g := "-"
		if c.GroupID != nil {
			g = *c.GroupID
		}
		got = append(got, fmt.Sprintf("%s %s %d group=%v in=%s %v", c.ID, c.Status, c.Position, c.Group, g, c.Components))
	}
	want := []string{
		"service_ELB major_outage 1 group=true in=- [elb-us-east-1 elb-eu-west-1]",
		"elb-us-east-1 operational 1 group=false in=service_ELB []",
		"elb-eu-west-1 major_outage 2 group=false in=service_ELB []",
		"service_EC2 under_maintenance 2 group=true in=- [ec2-us-east-1a]",
		"ec2-us-east-1a under_maintenance 1 group=false in=service_EC2 []",
	}
	if !slices.Equal(got, want) {
		t.Errorf("components:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, c := range s.Components {
		if c.PageID != s.Page.ID {
			t.Errorf("component %s: page_id %q, want %q", c.ID, c.PageID, s.Page.ID)
		}
	}
	if d := s.Components[3].Description; d == nil || *d != "Virtual servers." {
		t.Errorf("EC2 group description = %v", d)
	}
	if d := s.Components[4].Description; d == nil || *d != "us-east-1, us-east-1a" {
		t.Errorf("ec2-us-east-1a description = %v", d)
	}

	// Only unresolved incidents; maintenance in progress and upcoming.
	if len(s.Incidents) != 1 || s.Incidents[0].ID != fmt.Sprint(f.active.ID) || s.Incidents[0].Status != "investigating" || s.Incidents[0].Impact != "critical" {
		t.Fatalf("incidents = %+v", s.Incidents)
	}
	inc := s.Incidents[0]
	if inc.Shortlink != fmt.Sprintf("%s/incidents/%d", spTestBase, f.active.ID) || inc.ResolvedAt != nil || inc.MonitoringAt != nil {
		t.Errorf("incident = %+v", inc)
	}
	if len(inc.Components) != 1 || inc.Components[0].ID != "elb-eu-west-1" || inc.Components[0].Status != "major_outage" {
		t.Errorf("incident components = %+v", inc.Components)
	}
	var ms []string
	for _, m := range s.ScheduledMaintenances {
		ms = append(ms, m.Name+" "+m.Status+" "+m.Impact)
	}
	if !slices.Equal(ms, []string{"Running upgrade in_progress maintenance", "Next upgrade scheduled maintenance"}) {
		t.Errorf("scheduled_maintenances = %v", ms)
	}
}

func TestStatuspageIncidents(t *testing.T) {
	f := newSPFixture(t)
	s := spDecode(t, f.env, "/api/v2/incidents.json")
	if len(s.Incidents) != 2 || s.Incidents[0].ID != fmt.Sprint(f.active.ID) || s.Incidents[1].ID != fmt.Sprint(f.resolved.ID) {
		t.Fatalf("incidents.json = %+v, want the active then the resolved incident", s.Incidents)
	}
	r := s.Incidents[1]
	if r.Status != "resolved" || r.Impact != "major" || r.ResolvedAt == nil || !r.ResolvedAt.Equal(*f.resolved.ResolvedAt) {
		t.Errorf("resolved incident = %+v", r)
	}
	if r.MonitoringAt == nil || !r.MonitoringAt.Equal(f.resolved.Updates[2].At) {
		t.Errorf("monitoring_at = %v, want %v", r.MonitoringAt, f.resolved.Updates[2].At)
	}
	if !r.StartedAt.Equal(f.resolved.StartedAt) || !r.CreatedAt.Equal(f.resolved.CreatedAt) {
		t.Errorf("started_at %v created_at %v", r.StartedAt, r.CreatedAt)
	}
	// Updates newest first, with the components each changed.
	var phases []string
	for _, u := range r.IncidentUpdates {
		phases = append(phases, u.Status)
		if u.IncidentID != r.ID {
			t.Errorf("update %s: incident_id %q, want %q", u.ID, u.IncidentID, r.ID)
		}
	}
	if !slices.Equal(phases, []string{"resolved", "monitoring", "identified", "investigating"}) {
		t.Errorf("update statuses = %v", phases)
	}
	first, last := r.IncidentUpdates[3], r.IncidentUpdates[0]
	if len(first.AffectedComponents) != 1 || first.AffectedComponents[0].Code != "elb-us-east-1" ||
		first.AffectedComponents[0].OldStatus != "operational" || first.AffectedComponents[0].NewStatus != "partial_outage" {
		t.Errorf("first update affected = %+v", first.AffectedComponents)
	}
	if len(last.AffectedComponents) != 1 || last.AffectedComponents[0].OldStatus != "partial_outage" || last.AffectedComponents[0].NewStatus != "operational" {
		t.Errorf("resolving update affected = %+v", last.AffectedComponents)
	}
	if r.IncidentUpdates[1].AffectedComponents != nil {
		t.Errorf("an update that changed no component has affected_components %+v, want null", r.IncidentUpdates[1].AffectedComponents)
	}
	if first.Body != "We are investigating elevated errors. <script>alert(1)</script>" {
		t.Errorf("body = %q: JSON carries the text as written", first.Body)
	}

	un := spDecode(t, f.env, "/api/v2/incidents/unresolved.json")
	if len(un.Incidents) != 1 || un.Incidents[0].ID != fmt.Sprint(f.active.ID) {
		t.Errorf("unresolved.json = %+v", un.Incidents)
	}
}

func TestStatuspageIncidentsAreTheFiftyMostRecent(t *testing.T) {
	env := newTestEnv(t)
	base := env.clock.Now().Add(-100 * 24 * time.Hour)
	for i := range 55 {
		env.backfill(fmt.Sprintf("Incident %d", i), base.Add(time.Duration(i)*24*time.Hour), change("elb-us-east-1", incidents.DegradedPerformance, ""))
	}
	active := env.declare("Still going", change("elb-eu-west-1", incidents.PartialOutage, ""))
	s := spDecode(t, env, "/api/v2/incidents.json")
	if len(s.Incidents) != 50 {
		t.Fatalf("%d incidents, want 50", len(s.Incidents))
	}
	if s.Incidents[0].ID != fmt.Sprint(active.ID) || s.Incidents[1].Name != "Incident 54" || s.Incidents[49].Name != "Incident 6" {
		t.Errorf("first %q, second %q, last %q; want the newest first", s.Incidents[0].Name, s.Incidents[1].Name, s.Incidents[49].Name)
	}
}

func TestStatuspageMaintenances(t *testing.T) {
	f := newSPFixture(t)
	all := spDecode(t, f.env, "/api/v2/scheduled-maintenances.json")
	var got []string
	for _, m := range all.ScheduledMaintenances {
		var us []string
		for _, u := range m.IncidentUpdates {
			us = append(us, u.Status)
		}
		got = append(got, fmt.Sprintf("%s %s %s %v", m.ID, m.Name, m.Status, us))
	}
	want := []string{
		fmt.Sprintf("maintenance-%d Next upgrade scheduled [scheduled]", f.next.ID),
		fmt.Sprintf("maintenance-%d Running upgrade in_progress [in_progress scheduled]", f.running.ID),
		fmt.Sprintf("maintenance-%d Past upgrade completed [completed in_progress scheduled]", f.done.ID),
	}
	if !slices.Equal(got, want) {
		t.Errorf("scheduled-maintenances.json:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	past := all.ScheduledMaintenances[2]
	if past.ScheduledFor == nil || !past.ScheduledFor.Equal(f.done.StartsAt) || past.ScheduledUntil == nil || !past.ScheduledUntil.Equal(f.done.EndsAt) {
		t.Errorf("window = %v .. %v", past.ScheduledFor, past.ScheduledUntil)
	}
	if past.ResolvedAt == nil || !past.ResolvedAt.Equal(f.done.EndsAt) || past.Impact != "maintenance" {
		t.Errorf("completed maintenance = %+v", past)
	}
	if len(past.Components) != 1 || past.Components[0].ID != "ec2-us-east-1a" {
		t.Errorf("components = %+v", past.Components)
	}
	if body := past.IncidentUpdates[2].Body; body != "Planned work on Past upgrade." {
		t.Errorf("scheduled update body = %q", body)
	}

	up := spDecode(t, f.env, "/api/v2/scheduled-maintenances/upcoming.json")
	if len(up.ScheduledMaintenances) != 1 || up.ScheduledMaintenances[0].Name != "Next upgrade" {
		t.Errorf("upcoming = %+v", up.ScheduledMaintenances)
	}
	act := spDecode(t, f.env, "/api/v2/scheduled-maintenances/active.json")
	if len(act.ScheduledMaintenances) != 1 || act.ScheduledMaintenances[0].Name != "Running upgrade" {
		t.Errorf("active = %+v", act.ScheduledMaintenances)
	}

	// When the window closes, by the clock alone, the lists change.
	f.env.clock.Advance(2 * time.Hour)
	act = spDecode(t, f.env, "/api/v2/scheduled-maintenances/active.json")
	if len(act.ScheduledMaintenances) != 0 {
		t.Errorf("after the window, active = %+v", act.ScheduledMaintenances)
	}
}

func TestStatuspageStatusIndicator(t *testing.T) {
	env := newTestEnv(t)
	now := env.clock.Now()
	status := func() spwStatus {
		t.Helper()
		env.passRevisionCheck()
		return spDecode(t, env, "/api/v2/status.json").Status
	}
	if s := status(); s != (spwStatus{"none", "All Systems Operational"}) {
		t.Errorf("nothing going on: %+v", s)
	}
	env.maintenance("Upgrade", now.Add(-time.Minute), now.Add(time.Hour), "elb-us-east-1")
	if s := status(); s != (spwStatus{"maintenance", "Service Under Maintenance"}) {
		t.Errorf("maintenance in progress: %+v", s)
	}
	for _, c := range []struct {
		impact incidents.Impact
		want   spwStatus
	}{
		{incidents.ImpactNone, spwStatus{"maintenance", "Service Under Maintenance"}},
		{incidents.ImpactMinor, spwStatus{"minor", "Minor Service Outage"}},
		{incidents.ImpactMajor, spwStatus{"major", "Partial System Outage"}},
		{incidents.ImpactCritical, spwStatus{"critical", "Major System Outage"}},
	} {
		if _, err := env.incidents.CreateIncident(context.Background(), audit.Person("ops"), incidents.IncidentInput{
			Title: "Impact " + string(c.impact), Impact: c.impact, Message: "Looking.",
			Components: []incidents.ComponentChange{change("elb-eu-west-1", incidents.DegradedPerformance, "")},
		}, env.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if s := status(); s != c.want {
			t.Errorf("worst impact %s: %+v, want %+v", c.impact, s, c.want)
		}
	}
}

// TestStatuspageClientReadsSummary reads summary.json the way the popular
// Statuspage clients and widgets do: a generic decode, then
// status.indicator, components[].status (skipping groups) and
// incidents[].incident_updates[0].body, the latest update.
func TestStatuspageClientReadsSummary(t *testing.T) {
	f := newSPFixture(t)
	resp, err := http.Get(f.env.http.URL + "/api/v2/summary.json") // a plain client: gzip on, cookies off
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var data map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&data); err != nil {
		t.Fatal(err)
	}
	indicator := data["status"].(map[string]any)["indicator"].(string)
	statuses := map[string]string{}
	for _, c := range data["components"].([]any) {
		c := c.(map[string]any)
		if c["group"].(bool) {
			continue
		}
		statuses[c["name"].(string)] = c["status"].(string)
	}
	var latest []string
	for _, inc := range data["incidents"].([]any) {
		inc := inc.(map[string]any)
		updates := inc["incident_updates"].([]any)
		latest = append(latest, inc["name"].(string)+": "+updates[0].(map[string]any)["body"].(string))
	}
	if indicator != "critical" {
		t.Errorf("indicator = %q", indicator)
	}
	if statuses["ELB eu-west-1"] != "major_outage" || statuses["ELB us-east-1"] != "operational" || statuses["EC2 us-east-1a"] != "under_maintenance" {
		t.Errorf("component statuses = %v", statuses)
	}
	if !slices.Equal(latest, []string{"ELB degraded in eu-west-1: Load balancers fail."}) {
		t.Errorf("latest updates = %v", latest)
	}
}

func TestStatuspageCORS(t *testing.T) {
	env := newTestEnv(t)
	for _, ep := range spEndpoints {
		resp, body := env.request(http.MethodOptions, ep.path, http.Header{
			"Origin":                         {"https://widgets.example.org"},
			"Access-Control-Request-Method":  {"GET"},
			"Access-Control-Request-Headers": {"if-none-match"},
		}, nil)
		h := resp.Header
		if resp.StatusCode != http.StatusNoContent || len(body) != 0 {
			t.Errorf("OPTIONS %s: %d with %d bytes, want 204", ep.path, resp.StatusCode, len(body))
		}
		if h.Get("Access-Control-Allow-Origin") != "*" || h.Get("Access-Control-Allow-Methods") != "GET, HEAD" ||
			!strings.Contains(strings.ToLower(h.Get("Access-Control-Allow-Headers")), "if-none-match") {
			t.Errorf("OPTIONS %s: headers %v", ep.path, h)
		}
		resp, _ = env.request(http.MethodHead, ep.path, http.Header{"Origin": {"https://widgets.example.org"}}, nil)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("HEAD %s: %d, Allow-Origin %q", ep.path, resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
		}
		if resp.Header.Get("Access-Control-Allow-Credentials") != "" {
			t.Errorf("%s allows credentials", ep.path)
		}
	}
	// Writes are not part of this API.
	resp, _ := env.request(http.MethodPost, "/api/v2/summary.json", nil, strings.NewReader("{}"))
	if resp.StatusCode < 400 {
		t.Errorf("POST summary.json: %d, want it refused", resp.StatusCode)
	}
}

func TestStatuspageETagAnd304(t *testing.T) {
	env := newTestEnv(t)
	for _, ep := range spEndpoints {
		resp, body := env.request(http.MethodGet, ep.path, nil, nil)
		etag := resp.Header.Get("ETag")
		if resp.StatusCode != http.StatusOK || etag == "" || !strings.Contains(resp.Header.Get("Cache-Control"), "max-age") {
			t.Fatalf("%s: %d, ETag %q, Cache-Control %q", ep.path, resp.StatusCode, etag, resp.Header.Get("Cache-Control"))
		}
		resp, again := env.request(http.MethodGet, ep.path, http.Header{"If-None-Match": {etag}}, nil)
		if resp.StatusCode != http.StatusNotModified || len(again) != 0 || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s with If-None-Match: %d, %d bytes", ep.path, resp.StatusCode, len(again))
		}
		// The gzip form is the same JSON, revalidated by its own ETag.
		resp, gz := env.request(http.MethodGet, ep.path, http.Header{"Accept-Encoding": {"gzip"}}, nil)
		gzTag := resp.Header.Get("ETag")
		if resp.Header.Get("Content-Encoding") != "gzip" || gzTag == "" {
			t.Errorf("%s gzip: encoding %q, ETag %q", ep.path, resp.Header.Get("Content-Encoding"), gzTag)
		} else if plain := spGunzip(t, gz); !bytes.Equal(plain, body) {
			t.Errorf("%s: gzip body differs", ep.path)
		}
		resp, _ = env.request(http.MethodGet, ep.path, http.Header{"Accept-Encoding": {"gzip"}, "If-None-Match": {gzTag}}, nil)
		if resp.StatusCode != http.StatusNotModified {
			t.Errorf("%s gzip with If-None-Match: %d", ep.path, resp.StatusCode)
		}
	}
	// A write makes new bytes and a new ETag.
	resp, _ := env.request(http.MethodGet, "/api/v2/summary.json", nil, nil)
	old := resp.Header.Get("ETag")
	env.declare("Trouble", change("elb-us-east-1", incidents.PartialOutage, "12.5"))
	env.passRevisionCheck()
	resp, body := env.request(http.MethodGet, "/api/v2/summary.json", http.Header{"If-None-Match": {old}}, nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") == old || !bytes.Contains(body, []byte(`"partial_outage"`)) {
		t.Errorf("after a write: %d, ETag %q (was %q)", resp.StatusCode, resp.Header.Get("ETag"), old)
	}
}

func spGunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestStatuspagePageURLFallsBackToRequestHost(t *testing.T) {
	env := newTestEnv(t) // no BaseURL
	env.declare("Trouble", change("elb-us-east-1", incidents.PartialOutage, ""))
	s := spDecode(t, env, "/api/v2/summary.json")
	if s.Page.URL != env.http.URL {
		t.Errorf("page.url = %q, want %q", s.Page.URL, env.http.URL)
	}
	if len(s.Incidents) != 1 || !strings.HasPrefix(s.Incidents[0].Shortlink, env.http.URL+"/incidents/") {
		t.Errorf("shortlink = %+v", s.Incidents)
	}
	// Another host name gets its own copy, naming itself.
	req, _ := http.NewRequest(http.MethodGet, env.http.URL+"/api/v2/status.json", nil)
	req.Host = "status.other.example"
	resp, err := rawClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc spwSummary
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if doc.Page.URL != "http://status.other.example" {
		t.Errorf("page.url for another host = %q", doc.Page.URL)
	}
}

// TestStatuspageServesLastGoodCopyWhenDatabaseIsDown: widgets keep reading
// the status, and feed readers their feeds, during the outage of the
// database.
func TestStatuspageServesLastGoodCopyWhenDatabaseIsDown(t *testing.T) {
	failing := new(atomic.Bool)
	env := newTestEnvWith(t, envOptions{wrapRevision: func(r Revisioner) Revisioner { return flakyRevision{r, failing} }})
	env.declare("Trouble", change("elb-us-east-1", incidents.MajorOutage, ""))
	paths := []string{"/api/v2/summary.json", "/api/v2/status.json", "/history.atom", "/history.rss"}
	good := map[string][]byte{}
	for _, p := range paths {
		_, good[p] = env.request(http.MethodGet, p, nil, nil)
	}
	failing.Store(true)
	env.passRevisionCheck()
	for _, p := range paths {
		resp, body := env.request(http.MethodGet, p, nil, nil)
		if resp.StatusCode != http.StatusOK || !bytes.Equal(body, good[p]) {
			t.Errorf("%s while the database is down: %d, last good copy: %v", p, resp.StatusCode, bytes.Equal(body, good[p]))
		}
	}
}

// spPublishExplanation publishes an explanation of incident id, written by
// one person and published by another, at the env's clock.
func spPublishExplanation(t *testing.T, env *testEnv, id int64, title, body string) {
	t.Helper()
	ctx := context.Background()
	now := env.clock.Now()
	if _, err := env.incidents.StartExplanation(ctx, audit.Person("writer@example.com"), id, title, body, now); err != nil {
		t.Fatal(err)
	}
	if _, err := env.incidents.SubmitExplanation(ctx, audit.Person("writer@example.com"), id, now); err != nil {
		t.Fatal(err)
	}
	if _, err := env.incidents.PublishExplanation(ctx, audit.Person("manager@example.com"), id, now); err != nil {
		t.Fatal(err)
	}
	env.passRevisionCheck()
}

// TestStatuspagePostmortem: a resolved incident with a published
// explanation has status "postmortem", as on Statuspage once a postmortem
// is published; its updates stay as they were, and a draft does not count.
func TestStatuspagePostmortem(t *testing.T) {
	f := newSPFixture(t)
	ctx := context.Background()
	// A draft changes nothing.
	if _, err := f.env.incidents.StartExplanation(ctx, audit.Person("writer@example.com"), f.resolved.ID, "Draft", "Not yet.", f.env.clock.Now()); err != nil {
		t.Fatal(err)
	}
	f.env.passRevisionCheck()
	if s := spDecode(t, f.env, "/api/v2/incidents.json"); s.Incidents[1].Status != "resolved" {
		t.Errorf("with a draft explanation: status %q, want resolved", s.Incidents[1].Status)
	}
	if _, err := f.env.incidents.SubmitExplanation(ctx, audit.Person("writer@example.com"), f.resolved.ID, f.env.clock.Now()); err != nil {
		t.Fatal(err)
	}
	f.env.clock.Advance(time.Hour)
	if _, err := f.env.incidents.PublishExplanation(ctx, audit.Person("manager@example.com"), f.resolved.ID, f.env.clock.Now()); err != nil {
		t.Fatal(err)
	}
	f.env.passRevisionCheck()

	s := spDecode(t, f.env, "/api/v2/incidents.json")
	r := s.Incidents[1]
	if r.ID != fmt.Sprint(f.resolved.ID) || r.Status != "postmortem" {
		t.Fatalf("explained incident: id %s status %q, want postmortem", r.ID, r.Status)
	}
	if r.ResolvedAt == nil || !r.ResolvedAt.Equal(*f.resolved.ResolvedAt) {
		t.Errorf("resolved_at %v", r.ResolvedAt)
	}
	var phases []string
	for _, u := range r.IncidentUpdates {
		phases = append(phases, u.Status)
	}
	if !slices.Equal(phases, []string{"resolved", "monitoring", "identified", "investigating"}) {
		t.Errorf("update statuses = %v: the postmortem adds no update", phases)
	}
	if s.Incidents[0].Status != "investigating" {
		t.Errorf("the active incident: %q", s.Incidents[0].Status)
	}

	// Every endpoint still matches Statuspage's schema ("postmortem" is one
	// of its incident statuses).
	for _, path := range []string{"/api/v2/incidents.json", "/api/v2/summary.json"} {
		var doc map[string]any
		if err := json.Unmarshal(spGet(t, f.env, path), &doc); err != nil {
			t.Fatal(err)
		}
		for _, msg := range spCheck("incidents", doc["incidents"], spKind{kind: "[]incident"}) {
			t.Errorf("%s: %s", path, msg)
		}
	}
}
