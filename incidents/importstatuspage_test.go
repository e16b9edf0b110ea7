package incidents

import (
	"encoding/json"
	"os"
	"path/filepath"
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

// TestDecodeIncidentsAsElementByElement: the one-pass decoding of a list
// of incidents gives what reading each element on its own gives, for
// every incident of the recorded histories and of the tests above.
func TestDecodeIncidentsAsElementByElement(t *testing.T) {
	var docs [][]byte
	for _, f := range []string{"statuspage-incidents.json", "statuspage-summary.json", "statuspage-history/incidents.json",
		"statuspage-history/incidents-later.json", "statuspage-history/summary.json"} {
		data, err := os.ReadFile(filepath.Join("..", "cmd", "amends", "testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, data)
	}
	docs = append(docs, spDoc(
		spIncident("a", "resolved",
			spUpdate("resolved", "2024-01-01T12:00:00Z", `null`)+","+
				spUpdate("investigating", "2024-01-01T10:00:00Z", `[{"code":"API_Gateway","name":"API","new_status":"major_outage"}]`)),
		`null`,
		`{"id":"m","name":"Upgrade","status":"completed","impact":"maintenance","scheduled_for":"2024-01-02T00:00:00Z","incident_updates":[null]}`,
		`{"ID":"b","Incident_Updates":[{"Status":"investigating","AFFECTED_COMPONENTS":[null,{"code":"x"}]}],"components":null}`,
	))
	decoded := 0
	for d, doc := range docs {
		var top map[string]json.RawMessage
		if err := json.Unmarshal(doc, &top); err != nil {
			t.Fatal(err)
		}
		if top["incidents"] == nil {
			continue
		}
		whole, ok := decodeIncidents(top["incidents"])
		if !ok {
			t.Fatalf("doc %d: not decoded in one pass", d)
		}
		var list []json.RawMessage
		if err := json.Unmarshal(top["incidents"], &list); err != nil {
			t.Fatal(err)
		}
		if len(list) != len(whole) {
			t.Fatalf("doc %d: %d incidents, one by one %d", d, len(whole), len(list))
		}
		for i, raw := range list {
			one, err := readIncident("x", raw)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(withoutErrs(t, one), whole[i]) {
				t.Errorf("doc %d incident %d: one by one\n%+v\nin one pass\n%+v", d, i, one, whole[i])
			}
			decoded++
		}
	}
	if decoded < 50 {
		t.Errorf("only %d incidents compared", decoded)
	}
}

// withoutErrs is in with its element errors dropped, failing if any.
func withoutErrs(t *testing.T, in spIncidentDoc) spIncidentDoc {
	t.Helper()
	for _, list := range [][]error{in.componentErrs, in.updateErrs} {
		for _, err := range list {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	in.componentErrs, in.updateErrs = nil, nil
	for j := range in.IncidentUpdates {
		for _, err := range in.IncidentUpdates[j].affectedErrs {
			if err != nil {
				t.Fatal(err)
			}
		}
		in.IncidentUpdates[j].affectedErrs = nil
	}
	return in
}

// TestParseStatuspageReadsRepeatedListsOneByOne: where an object repeats a
// key that holds a list, or its key is escaped, the incidents are read
// element by element, which takes the second list whole; a type error
// in an element is named by its path; the updates of a maintenance,
// skipped, may be anything.
func TestParseStatuspageReadsRepeatedListsOneByOne(t *testing.T) {
	for _, tc := range []struct {
		name    string
		data    []byte
		repeats bool
	}{
		{"none", []byte(`[{"incident_updates":[{"affected_components":[]}],"components":[]},{"incident_updates":[],"components":[]}]`), false},
		{"in a body", []byte(`[{"incident_updates":[{"body":"\"incident_updates\": and \"incident_updates\":"}]}]`), false},
		{"repeated", []byte(`[{"incident_updates":[],"components":[],"incident_updates":[]}]`), true},
		{"other case", []byte(`[{"incident_updates":[{"affected_components":[], "Affected_Components" : null}]}]`), true},
		{"escaped key", []byte(`[{"incident\u005fupdates":[]}]`), true},
		{"not ASCII", []byte(`[{"ſtatus":"x"}]`), true},
	} {
		if got := repeatsListKey(tc.data); got != tc.repeats {
			t.Errorf("%s: repeatsListKey %v, want %v", tc.name, got, tc.repeats)
		}
	}

	doc := spDoc(`{"id":"a","name":"Twice","status":"resolved","impact":"minor",
		"incident_updates":[{"status":"investigating","body":"First list.","display_at":"2024-01-01T10:00:00Z","created_at":"2024-01-01T10:00:00Z",
			"affected_components":[{"code":"api","name":"API","new_status":"major_outage"}]}],
		"incident_updates":[{"status":"resolved","body":"Second list.","display_at":"2024-01-01T11:00:00Z"}]}`)
	got, err := ParseStatuspage(doc, "importer", importNow)
	if err != nil {
		t.Fatal(err)
	}
	u := got.Batch.Incidents[0].Incident.Updates
	if len(u) != 1 || u[0].Message != "Second list." || !u[0].CreatedAt.Equal(u[0].At) || len(u[0].Components) != 0 {
		t.Errorf("a repeated list was not taken whole from the second: %+v", u)
	}

	bad := spDoc(spIncident("a", "investigating", spUpdate("investigating", "2024-01-01T10:00:00Z", `[{"code":"x","name":"X","new_status":7}]`)))
	if _, err := ParseStatuspage(bad, "importer", importNow); errs.FieldOf(err) != "incidents[0].incident_updates[0].affected_components[0].new_status" {
		t.Errorf("type error: %v at %q", err, errs.FieldOf(err))
	}
	maint := spDoc(`{"id":"m","name":"Upgrade","status":"completed","impact":"maintenance","incident_updates":[{"status":7}]}`,
		spIncident("a", "investigating", spUpdate("investigating", "2024-01-01T10:00:00Z", `null`)))
	if got, err := ParseStatuspage(maint, "importer", importNow); err != nil || got.Maintenances != 1 || len(got.Batch.Incidents) != 1 {
		t.Errorf("a maintenance's updates were read: %+v, %v", got, err)
	}
}
