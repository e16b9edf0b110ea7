package sqlite

import (
	"reflect"
	"testing"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
)

// importedIncident builds an incident as an import does: declared at its
// start, then each change an hour later, resolving at the end.
func importedIncident(t *testing.T, title string, components ...string) incidents.Incident {
	t.Helper()
	var changes []incidents.ComponentChange
	for _, c := range components {
		changes = append(changes, incidents.ComponentChange{Component: c, Status: incidents.PartialOutage})
	}
	s := start
	inc, err := incidents.NewIncident("importer", incidents.IncidentInput{Title: title, Message: "Broken.", StartedAt: &s, Components: changes}, now)
	if err != nil {
		t.Fatal(err)
	}
	inc, err = inc.Apply("importer", incidents.UpdateInput{Phase: incidents.Resolved, Message: "Fixed.", At: at(time.Hour)}, now)
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

func TestImportWritesBatchOnceWithAudit(t *testing.T) {
	st, db := newStore(t)
	batch := incidents.ImportBatch{
		Services: []incidents.Service{{ID: "ELB", Name: "Renamed?"}, {ID: "S3", Name: "Storage"}},
		Components: []incidents.Component{
			{ID: "elb-us-east-1", Service: "ELB", Name: "Other name", Region: "global"},
			{ID: "s3-buckets", Service: "S3", Name: "Buckets", Region: "global", Position: 2},
		},
		Incidents: []incidents.ImportedIncident{
			{Source: "statuspage:page/a", Incident: importedIncident(t, "First", "elb-us-east-1", "s3-buckets")},
			{Source: "statuspage:page/b", Incident: importedIncident(t, "Second", "s3-buckets")},
		},
	}
	before := counts(t, db)
	res, err := st.Import(ctx, audit.Person("importer"), batch, now)
	if err != nil {
		t.Fatal(err)
	}
	want := incidents.ImportResult{Incidents: 2, Updates: 4, Services: 1, Components: 1, ServicesReused: 1, ComponentsReused: 1}
	if res != want {
		t.Errorf("result %+v, want %+v", res, want)
	}
	after := counts(t, db)
	// One audit row per service, component and incident written.
	if d := after["audit_log"] - before["audit_log"]; d != 4 {
		t.Errorf("%d audit rows, want 4", d)
	}
	if s, _ := st.Service(ctx, "ELB"); s.Name != "Elastic Load Balancing" {
		t.Errorf("an existing service was changed: %+v", s)
	}
	if c, _ := st.Component(ctx, "elb-us-east-1"); c.Name != "Load balancers" {
		t.Errorf("an existing component was changed: %+v", c)
	}
	got, err := st.Incident(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "First" || !got.StartedAt.Equal(start) || got.ResolvedAt == nil || !got.ResolvedAt.Equal(start.Add(time.Hour)) ||
		len(got.Updates) != 2 || len(got.Updates[1].Components) != 2 {
		t.Errorf("stored incident %+v", got)
	}

	// Again: everything is reused or skipped, and nothing is written.
	before = counts(t, db)
	res, err = st.Import(ctx, audit.Person("importer"), batch, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if want := (incidents.ImportResult{Skipped: 2, ServicesReused: 2, ComponentsReused: 2}); res != want {
		t.Errorf("second import %+v, want %+v", res, want)
	}
	if after := counts(t, db); !reflect.DeepEqual(before, after) {
		t.Errorf("a second import wrote: %v → %v", before, after)
	}
}

// TestImportFailureMidwayWritesNothing: the second incident names a
// component nobody has, after a service, a component and an incident were
// written in the same transaction.
func TestImportFailureMidwayWritesNothing(t *testing.T) {
	st, db := newStore(t)
	good := importedIncident(t, "Good", "s3-buckets")
	bad := importedIncident(t, "Bad", "nowhere")
	batch := incidents.ImportBatch{
		Services:   []incidents.Service{{ID: "S3", Name: "Storage"}},
		Components: []incidents.Component{{ID: "s3-buckets", Service: "S3", Name: "Buckets", Region: "global"}},
		Incidents: []incidents.ImportedIncident{
			{Source: "x/1", Incident: good},
			{Source: "x/2", Incident: bad},
		},
	}
	before := counts(t, db)
	_, err := st.Import(ctx, audit.Person("importer"), batch, now)
	if errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != "incidents[1].updates[0].components[0].component" {
		t.Fatalf("error %v (%s at %q)", err, errs.CodeOf(err), errs.FieldOf(err))
	}
	if after := counts(t, db); !reflect.DeepEqual(before, after) {
		t.Errorf("a failed import wrote: %v → %v", before, after)
	}

	// A batch that breaks a rule is refused before the transaction.
	broken := batch
	broken.Incidents = []incidents.ImportedIncident{{Source: "", Incident: good}}
	if _, err := st.Import(ctx, audit.Person("importer"), broken, now); errs.FieldOf(err) != "incidents[0].source" {
		t.Errorf("empty source: %v", err)
	}
}

func TestImportSourceNeverChanges(t *testing.T) {
	st, db := newStore(t)
	if _, err := st.Import(ctx, audit.Person("importer"), incidents.ImportBatch{Incidents: []incidents.ImportedIncident{
		{Source: "x/1", Incident: importedIncident(t, "One", "elb-us-east-1")},
	}}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `UPDATE incidents SET source = 'x/2' WHERE id = 1`); err == nil {
		t.Error("the source of an imported incident was changed")
	}
}
