package statuspage

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/report"
	"github.com/amends/amends/sla"
)

// These test the builders on records made in memory; web's tests serve
// them through the router and the page cache from a real database, and
// web/testdata/golden pins their bytes.

var (
	testNow  = time.Date(2012, 12, 24, 20, 0, 0, 0, time.UTC)
	testSite = Site{Name: "Test Cloud", URL: "https://status.example.com"}
)

// decode builds one endpoint and decodes its JSON into a generic value.
func decode(t *testing.T, build func(report.PublicRecord, Site, time.Time) ([]byte, error), rec report.PublicRecord, now time.Time) map[string]any {
	t.Helper()
	body, err := build(rec, testSite, now)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("not a JSON object: %v\n%s", err, body)
	}
	return doc
}

func TestEmptyRecordHasEmptyListsNotNull(t *testing.T) {
	for name, build := range map[string]func(report.PublicRecord, Site, time.Time) ([]byte, error){
		"summary": Summary, "components": Components, "incidents": Incidents, "unresolved": Unresolved,
		"maintenances": Maintenances, "upcoming": Upcoming, "active": Active,
	} {
		body, err := build(report.PublicRecord{}, testSite, testNow)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(body), "null") {
			t.Errorf("%s: %s, want [] for every empty list", name, body)
		}
	}
	doc := decode(t, Status, report.PublicRecord{}, testNow)
	page := doc["page"].(map[string]any)
	if page["updated_at"] != "2012-12-24T20:00:00.000Z" || page["url"] != testSite.URL || page["name"] != "Test Cloud" {
		t.Errorf("page of an empty record = %v, want updated now", page)
	}
	if st := doc["status"].(map[string]any); st["indicator"] != "none" || st["description"] != "All Systems Operational" {
		t.Errorf("status = %v", st)
	}
}

func TestComponentsAreGroupsFollowedByMembers(t *testing.T) {
	rec := report.PublicRecord{
		Services: []incidents.Service{
			{ID: "ELB", Name: "Load balancing"},
			{ID: "EMPTY", Name: "No components"},
			{ID: "EC2", Name: "Compute", Description: "Virtual servers."},
		},
		Components: []incidents.Component{
			{ID: "elb-a", Service: "ELB", Name: "ELB A", Region: "us-east-1"},
			{ID: "ec2-a", Service: "EC2", Name: "EC2 A", Region: "us-east-1", Zone: "us-east-1a"},
			{ID: "lost", Service: "GONE", Name: "Lost", Region: "eu-west-1"},
			{ID: "elb-b", Service: "ELB", Name: "ELB B", Region: "eu-west-1"},
		},
	}
	// An active incident puts elb-b in partial outage.
	rec.Active = []incidents.Incident{{
		ID: 1, Title: "Trouble", Impact: incidents.ImpactMajor, Phase: incidents.Investigating,
		StartedAt: testNow.Add(-time.Hour), CreatedAt: testNow.Add(-time.Hour), UpdatedAt: testNow.Add(-time.Hour),
		Updates: []incidents.Update{{ID: 1, Phase: incidents.Investigating, At: testNow.Add(-time.Hour), CreatedAt: testNow.Add(-time.Hour),
			Components: []incidents.ComponentStatus{{Component: "elb-b", Status: incidents.PartialOutage, AffectedPercent: sla.Hundred}}}},
	}}
	rec.Recent = rec.Active
	doc := decode(t, Components, rec, testNow)
	var got []string
	for _, c := range doc["components"].([]any) {
		c := c.(map[string]any)
		got = append(got, fmt.Sprintf("%v %v %v group=%v in=%v desc=%v %v", c["id"], c["status"], c["position"], c["group"], c["group_id"], c["description"], c["components"]))
	}
	want := []string{
		"service_ELB partial_outage 1 group=true in=<nil> desc=<nil> [elb-a elb-b]",
		"elb-a operational 1 group=false in=service_ELB desc=us-east-1 <nil>",
		"elb-b partial_outage 2 group=false in=service_ELB desc=eu-west-1 <nil>",
		"service_EC2 operational 2 group=true in=<nil> desc=Virtual servers. [ec2-a]",
		"ec2-a operational 1 group=false in=service_EC2 desc=us-east-1, us-east-1a <nil>",
		"lost operational 3 group=false in=<nil> desc=eu-west-1 <nil>",
	}
	if !slices.Equal(got, want) {
		t.Errorf("components:\n%s\nwant (a service without components is no group; a component without its service stands alone, last):\n%s",
			strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestIncidentStatusAndAffectedComponents(t *testing.T) {
	at := func(h int) time.Time { return testNow.Add(time.Duration(h-10) * time.Hour) }
	resolved := at(3)
	inc := incidents.Incident{
		ID: 7, Title: "ELB errors", Impact: incidents.ImpactMinor, Phase: incidents.Resolved,
		StartedAt: at(0), CreatedAt: at(0), UpdatedAt: at(3), ResolvedAt: &resolved,
		Updates: []incidents.Update{
			{ID: 1, Phase: incidents.Investigating, Message: "Looking.", At: at(0), CreatedAt: at(0),
				Components: []incidents.ComponentStatus{{Component: "elb-a", Status: incidents.DegradedPerformance}}},
			{ID: 2, Phase: incidents.Monitoring, Message: "Fixed, watching.", At: at(1), CreatedAt: at(1),
				Components: []incidents.ComponentStatus{{Component: "elb-a", Status: incidents.PartialOutage}}},
			{ID: 3, Phase: incidents.Monitoring, Message: "Still watching.", At: at(2), CreatedAt: at(2)},
			{ID: 4, Phase: incidents.Resolved, Message: "Done.", At: at(3), CreatedAt: at(3),
				Components: []incidents.ComponentStatus{{Component: "elb-a", Status: incidents.Operational}}},
		},
	}
	rec := report.PublicRecord{
		Components: []incidents.Component{{ID: "elb-a", Service: "ELB", Name: "ELB A"}},
		Recent:     []incidents.Incident{inc},
	}
	var doc struct {
		Incidents []struct {
			ID, Status, Shortlink string
			MonitoringAt          *string `json:"monitoring_at"`
			ResolvedAt            *string `json:"resolved_at"`
			Updates               []struct {
				ID, Status string
				IncidentID string `json:"incident_id"`
				Affected   []struct {
					Code, Name string
					OldStatus  string `json:"old_status"`
					NewStatus  string `json:"new_status"`
				} `json:"affected_components"`
			} `json:"incident_updates"`
		}
	}
	read := func(rec report.PublicRecord) {
		t.Helper()
		body, err := Incidents(rec, testSite, testNow)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatal(err)
		}
	}
	read(rec)
	if len(doc.Incidents) != 1 {
		t.Fatalf("%d incidents", len(doc.Incidents))
	}
	got := doc.Incidents[0]
	if got.ID != "7" || got.Status != "resolved" || got.Shortlink != "https://status.example.com/incidents/7" {
		t.Errorf("incident = %+v", got)
	}
	if got.MonitoringAt == nil || *got.MonitoringAt != "2012-12-24T11:00:00.000Z" || got.ResolvedAt == nil || *got.ResolvedAt != "2012-12-24T13:00:00.000Z" {
		t.Errorf("monitoring_at %v, resolved_at %v: want the first monitoring update and the resolution", got.MonitoringAt, got.ResolvedAt)
	}
	var updates []string
	for _, u := range got.Updates {
		s := u.ID + " " + u.Status + " " + u.IncidentID
		for _, a := range u.Affected {
			s += " " + a.Name + ":" + a.OldStatus + "→" + a.NewStatus
		}
		updates = append(updates, s)
	}
	want := []string{
		"4 resolved 7 ELB A:partial_outage→operational",
		"3 monitoring 7",
		"2 monitoring 7 ELB A:degraded_performance→partial_outage",
		"1 investigating 7 ELB A:operational→degraded_performance",
	}
	if !slices.Equal(updates, want) {
		t.Errorf("updates:\n%s\nwant newest first, each change from what it was before:\n%s", strings.Join(updates, "\n"), strings.Join(want, "\n"))
	}

	// Once its explanation is published, a resolved incident is a
	// postmortem; an active one stays as it is.
	rec.Explained = []incidents.ExplanationSummary{{IncidentID: 7}, {IncidentID: 8}}
	active := inc
	active.ID, active.Phase, active.ResolvedAt = 8, incidents.Identified, nil
	rec.Recent = []incidents.Incident{active, inc}
	read(rec)
	if doc.Incidents[0].Status != "identified" || doc.Incidents[1].Status != "postmortem" {
		t.Errorf("statuses %q, %q; want identified, postmortem", doc.Incidents[0].Status, doc.Incidents[1].Status)
	}
}

func TestStatusIndicator(t *testing.T) {
	for _, c := range []struct {
		impacts     []incidents.Impact
		maintenance bool
		want        pageStatus
	}{
		{nil, false, pageStatus{"none", "All Systems Operational"}},
		{nil, true, pageStatus{"maintenance", "Service Under Maintenance"}},
		{[]incidents.Impact{incidents.ImpactNone}, true, pageStatus{"maintenance", "Service Under Maintenance"}},
		{[]incidents.Impact{incidents.ImpactMinor}, true, pageStatus{"minor", "Minor Service Outage"}},
		{[]incidents.Impact{incidents.ImpactCritical, incidents.ImpactMajor}, false, pageStatus{"critical", "Major System Outage"}},
		{[]incidents.Impact{incidents.ImpactMinor, incidents.ImpactMajor}, false, pageStatus{"major", "Partial System Outage"}},
	} {
		var active []incidents.Incident
		for _, i := range c.impacts {
			active = append(active, incidents.Incident{Impact: i})
		}
		if got := statusOf(active, c.maintenance); got != c.want {
			t.Errorf("impacts %v, maintenance %v: %+v, want %+v", c.impacts, c.maintenance, got, c.want)
		}
	}
}

func TestMaintenanceListsAndTheirTimelines(t *testing.T) {
	mk := func(id int64, title string, starts, ends time.Duration, phase incidents.MaintenancePhase) incidents.Maintenance {
		return incidents.Maintenance{
			ID: id, Title: title, Components: []string{"elb-a"}, Phase: phase,
			StartsAt: testNow.Add(starts), EndsAt: testNow.Add(ends),
			AnnouncedAt: testNow.Add(-48 * time.Hour), CreatedAt: testNow.Add(-48 * time.Hour),
		}
	}
	rec := report.PublicRecord{
		Components: []incidents.Component{{ID: "elb-a", Service: "ELB", Name: "ELB A"}},
		Maintenances: []incidents.Maintenance{
			mk(4, "Later", 48*time.Hour, 50*time.Hour, incidents.Scheduled),
			mk(3, "Soon", 24*time.Hour, 26*time.Hour, incidents.Scheduled),
			mk(5, "Cancelled", 12*time.Hour, 13*time.Hour, incidents.Completed),
			mk(2, "Running", -time.Hour, time.Hour, incidents.Scheduled),
			mk(1, "Finished early", -2*time.Hour, 2*time.Hour, incidents.Completed),
		},
	}
	var doc struct {
		Maintenances []struct {
			Name, Status string
			ResolvedAt   *string `json:"resolved_at"`
			Updates      []struct {
				Status, Body string
				DisplayAt    string `json:"display_at"`
			} `json:"incident_updates"`
		} `json:"scheduled_maintenances"`
	}
	list := func(build func(report.PublicRecord, Site, time.Time) ([]byte, error)) []string {
		t.Helper()
		body, err := build(rec, testSite, testNow)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range doc.Maintenances {
			s := m.Name + " " + m.Status
			for _, u := range m.Updates {
				s += " " + u.Status + "@" + u.DisplayAt
			}
			out = append(out, s)
		}
		return out
	}
	check := func(name string, got, want []string) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s:\n%s\nwant:\n%s", name, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	const announced = "2012-12-22T20:00:00.000Z"
	all := list(Maintenances)
	check("all", all, []string{
		"Later scheduled scheduled@" + announced,
		"Soon scheduled scheduled@" + announced,
		// Completed before its window opened: it never ran.
		"Cancelled completed completed@" + announced + " scheduled@" + announced,
		"Running in_progress in_progress@2012-12-24T19:00:00.000Z scheduled@" + announced,
		// Completed by hand before its end: Amends does not record when, so
		// the latest instant known before it stands in.
		"Finished early completed completed@2012-12-24T18:00:00.000Z in_progress@2012-12-24T18:00:00.000Z scheduled@" + announced,
	})
	if doc.Maintenances[0].Updates[0].Body != "Later" {
		t.Errorf("a maintenance without a message is announced with its title, got %q", doc.Maintenances[0].Updates[0].Body)
	}
	check("upcoming, soonest first", list(Upcoming), []string{all[1], all[0]})
	check("active", list(Active), []string{all[3]})
	sum := decode(t, Summary, rec, testNow)
	var summary []string
	for _, m := range sum["scheduled_maintenances"].([]any) {
		summary = append(summary, m.(map[string]any)["name"].(string))
	}
	check("summary: in progress, then upcoming", summary, []string{"Running", "Soon", "Later"})
	if st := sum["status"].(map[string]any); st["indicator"] != "maintenance" {
		t.Errorf("status with a maintenance in progress = %v", st)
	}
}

func TestValidForUntilTheNextMaintenanceEdge(t *testing.T) {
	window := func(starts, ends time.Duration) incidents.Maintenance {
		return incidents.Maintenance{StartsAt: testNow.Add(starts), EndsAt: testNow.Add(ends)}
	}
	for _, c := range []struct {
		name  string
		maint []incidents.Maintenance
		want  time.Duration
	}{
		{"no maintenance", nil, time.Minute},
		{"edges past or far", []incidents.Maintenance{window(-time.Hour, 0), window(time.Hour, 2*time.Hour)}, time.Minute},
		{"a start in 20s", []incidents.Maintenance{window(time.Hour, 2*time.Hour), window(20*time.Second, time.Hour)}, 20 * time.Second},
		{"an end in 5s", []incidents.Maintenance{window(-time.Hour, 5*time.Second), window(20*time.Second, time.Hour)}, 5 * time.Second},
	} {
		if got := ValidFor(report.PublicRecord{Maintenances: c.maint}, testNow); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
