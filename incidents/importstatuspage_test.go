package incidents

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
)

var importNow = time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)

// spDoc is an incidents.json whose incidents are the given JSON objects.
func spDoc(incidents ...string) []byte {
	return []byte(`{"page":{"id":"pg1","name":"Acme Status"},"incidents":[` + strings.Join(incidents, ",") + `]}`)
}

func spIncident(id, status, updates string) string {
	return `{"id":"` + id + `","name":"Trouble ` + id + `","status":"` + status + `","impact":"major",
		"created_at":"2024-01-01T10:00:00.000Z","started_at":"2024-01-01T10:00:00.000Z",
		"incident_updates":[` + updates + `],"components":[]}`
}

func spUpdate(status, at, affected string) string {
	return `{"status":"` + status + `","body":"Now ` + status + `.","display_at":"` + at + `","affected_components":` + affected + `}`
}

func TestParseStatuspageMapping(t *testing.T) {
	doc := spDoc(
		spIncident("a", "resolved",
			spUpdate("resolved", "2024-01-01T12:00:00Z", `null`)+","+
				spUpdate("investigating", "2024-01-01T10:00:00Z", `[{"code":"API_Gateway","name":"API","new_status":"major_outage"}]`)),
		`{"id":"m","name":"Upgrade","status":"completed","impact":"maintenance","scheduled_for":"2024-01-02T00:00:00Z","incident_updates":[]}`,
	)
	got, err := ParseStatuspage(doc, "importer", importNow)
	if err != nil {
		t.Fatal(err)
	}
	if got.Kind != "incidents.json" || got.Maintenances != 1 || len(got.Batch.Incidents) != 1 {
		t.Fatalf("%+v", got)
	}
	// An ungrouped component goes into the page's service; its id is made
	// an Amends component id.
	if s := got.Batch.Services; len(s) != 1 || s[0].ID != "Acme-Status" || s[0].Name != "Acme Status" {
		t.Errorf("services %+v", s)
	}
	if c := got.Batch.Components; len(c) != 1 || c[0].ID != "api-gateway" || c[0].Service != "Acme-Status" || c[0].Region != ImportRegion {
		t.Errorf("components %+v", c)
	}
	im := got.Batch.Incidents[0]
	inc := im.Incident
	if im.Source != "statuspage:pg1/a" || inc.Phase != Resolved || inc.Impact != ImpactMajor || len(inc.Updates) != 2 ||
		!reflect.DeepEqual(inc.Updates[0].Components[0], ComponentStatus{Component: "api-gateway", Status: MajorOutage, AffectedPercent: sla.Hundred}) ||
		len(inc.Updates[1].Components) != 0 || inc.ExternalID != "a" ||
		!inc.ResolvedAt.Equal(time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)) || inc.Updates[0].Author != "importer" {
		t.Errorf("incident %+v", inc)
	}
}

func TestParseStatuspageRejects(t *testing.T) {
	ok := spUpdate("investigating", "2024-01-01T10:00:00Z", `null`)
	cases := []struct {
		name  string
		doc   []byte
		field string
	}{
		{"array", []byte(`[]`), ""},
		{"no page", []byte(`{"incidents":[]}`), "page.id"},
		{"incidents not a list", []byte(`{"page":{"id":"p","name":"P"},"incidents":{}}`), "incidents"},
		{"same id twice", spDoc(spIncident("a", "investigating", ok), spIncident("a", "investigating", ok)), "incidents[1].id"},
		{"future", spDoc(spIncident("a", "investigating", spUpdate("investigating", "2030-01-01T00:00:00Z", `null`))), "incidents[0].incident_updates[0].display_at"},
		{"impossible instant", spDoc(spIncident("a", "investigating", spUpdate("investigating", "2024-02-30T10:00:00Z", `null`))), "incidents[0].incident_updates[0].display_at"},
		{"wrong type", []byte(`{"page":{"id":"p","name":"P"},"incidents":[{"id":"a","name":7}]}`), "incidents[0].name"},
		{"unknown status", spDoc(spIncident("a", "investigating", spUpdate("exploded", "2024-01-01T10:00:00Z", `null`))), "incidents[0].incident_updates[0].status"},
		{"bad old status", spDoc(spIncident("a", "investigating", spUpdate("investigating", "2024-01-01T10:00:00Z", `[{"code":"x","name":"X","old_status":"fine","new_status":"major_outage"}]`))),
			"incidents[0].incident_updates[0].affected_components[0].old_status"},
		{"empty body", spDoc(spIncident("a", "investigating", `{"status":"investigating","body":" ","display_at":"2024-01-01T10:00:00Z"}`)), "incidents[0].incident_updates[0].body"},
		{"component without name", spDoc(spIncident("a", "investigating", spUpdate("investigating", "2024-01-01T10:00:00Z", `[{"code":"x","new_status":"major_outage"}]`))),
			"incidents[0].incident_updates[0].affected_components[0].name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseStatuspage(c.doc, "importer", importNow)
			if err == nil || errs.FieldOf(err) != c.field {
				t.Errorf("error %v, want one on %q", err, c.field)
			}
		})
	}
}
