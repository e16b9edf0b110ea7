package sqlite

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
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

// TestReimportAfterManualCorrection: a correction made here stands while
// the origin's text does not change; once it does, a re-import adds an
// imported edit after the manual one, both kept in order, and readers
// show the newest. The published update row never changes.
func TestReimportAfterManualCorrection(t *testing.T) {
	st, db := newStore(t)
	inc := importedIncident(t, "Imported", "elb-us-east-1")
	inc.ExternalID = "inc1"
	inc.Updates[0].ExternalID, inc.Updates[1].ExternalID = "u0", "u1"
	batch := incidents.ImportBatch{Incidents: []incidents.ImportedIncident{{Source: "statuspage:page/inc1", Incident: inc}}}
	importer := audit.Person("importer")
	if _, err := st.Import(ctx, importer, batch, now); err != nil {
		t.Fatal(err)
	}
	stored, err := st.Incident(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	uid := stored.Updates[0].ID
	if _, err := st.CorrectUpdate(ctx, audit.Person("sam"), 1, uid, "Broken in us-east-1.", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}

	// The same document again: the origin did not change the text, so the
	// correction made here stands and nothing is written.
	before := counts(t, db)
	res, err := st.Import(ctx, importer, batch, now.Add(2*time.Hour))
	if err != nil || res != (incidents.ImportResult{Skipped: 1}) {
		t.Fatalf("same document after a correction: %+v, %v", res, err)
	}
	if after := counts(t, db); !reflect.DeepEqual(before, after) {
		t.Errorf("the same document wrote: %v → %v", before, after)
	}
	if got, _ := st.Incident(ctx, 1); got.Updates[0].Message != "Broken in us-east-1." || got.Updates[0].EditedAt == nil {
		t.Errorf("the correction made here was undone: %+v", got.Updates[0])
	}

	// The origin edits the text: an imported edit follows the manual one.
	originEdit := now.Add(3 * time.Hour)
	changed := inc
	changed.Updates = append([]incidents.Update(nil), inc.Updates...)
	changed.Updates[0].Message = "Broken in us-east-1 and eu-west-1."
	changed.Updates[0].UpdatedAt = &originEdit
	batch.Incidents[0].Incident = changed
	res, err = st.Import(ctx, importer, batch, now.Add(4*time.Hour))
	if err != nil || res.Changed != 1 || res.Corrected != 1 || res.UpdatesAdded != 0 {
		t.Fatalf("changed document: %+v, %v", res, err)
	}
	got, err := st.Incident(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if u := got.Updates[0]; u.ID != uid || u.Message != "Broken in us-east-1 and eu-west-1." || u.EditedAt != nil ||
		u.UpdatedAt == nil || !u.UpdatedAt.Equal(originEdit) {
		t.Errorf("after the re-import: %+v", u)
	}
	type edit struct {
		message, at, author string
		imported            int
	}
	var edits []edit
	rows, err := db.QueryContext(ctx, `SELECT message, edited_at, author, imported FROM incident_update_edits WHERE update_id = ? ORDER BY id`, uid)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var e edit
		if err := rows.Scan(&e.message, &e.at, &e.author, &e.imported); err != nil {
			t.Fatal(err)
		}
		edits = append(edits, e)
	}
	rows.Close()
	want := []edit{
		{"Broken in us-east-1.", "2013-01-02T10:00:00Z", "sam", 0},
		{"Broken in us-east-1 and eu-west-1.", "2013-01-02T12:00:00Z", "importer", 1},
	}
	if !reflect.DeepEqual(edits, want) {
		t.Errorf("edits %+v, want %+v", edits, want)
	}
	var original string
	if err := db.QueryRowContext(ctx, `SELECT message FROM incident_updates WHERE id = ?`, uid).Scan(&original); err != nil || original != "Broken." {
		t.Errorf("published row: %q, %v", original, err)
	}
	var audited int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM audit_log WHERE action = 'incident.update.correct' AND entity = 'incident' AND entity_id = '1'`).Scan(&audited); err != nil || audited != 2 {
		t.Errorf("%d incident.update.correct entries, %v", audited, err)
	}

	// The changed document again writes nothing.
	before = counts(t, db)
	if res, err := st.Import(ctx, importer, batch, now.Add(5*time.Hour)); err != nil || res != (incidents.ImportResult{Skipped: 1}) {
		t.Errorf("changed document again: %+v, %v", res, err)
	}
	if after := counts(t, db); !reflect.DeepEqual(before, after) {
		t.Errorf("the changed document again wrote: %v → %v", before, after)
	}
	// The published row still refuses an in-place rewrite.
	if _, err := db.ExecContext(ctx, `UPDATE incident_updates SET message = 'x' WHERE id = ?`, uid); err == nil {
		t.Error("a published update was rewritten in place")
	}
}

// TestImportInBlocksNumbersAsWritten: an import larger than a block of
// rows numbers incidents and updates as a statement per row would have
// (from the largest stored ID on, in the batch's order), audits every
// incident in that order, raises the data revision once per entry, and a
// re-import's new updates and entries follow in the same numbering.
func TestImportInBlocksNumbersAsWritten(t *testing.T) {
	st, db := newStore(t)
	s := start
	declared, err := st.CreateIncident(ctx, audit.Person("ann"), incidents.IncidentInput{Title: "Declared here", Message: "Looking.", StartedAt: &s, NoComponents: true}, now)
	if err != nil {
		t.Fatal(err)
	}
	n := 2*importBlock + 37
	batch := incidents.ImportBatch{}
	for i := range n {
		inc := importedIncident(t, fmt.Sprintf("Imported %d", i), "elb-us-east-1")
		inc.ExternalID = fmt.Sprintf("inc%d", i)
		inc.Updates[0].ExternalID, inc.Updates[1].ExternalID = fmt.Sprintf("u%d-0", i), fmt.Sprintf("u%d-1", i)
		batch.Incidents = append(batch.Incidents, incidents.ImportedIncident{Source: fmt.Sprintf("statuspage:page/inc%d", i), Incident: inc})
	}
	before := counts(t, db)
	res, err := st.Import(ctx, audit.Person("importer"), batch, now)
	if err != nil || res.Incidents != n || res.Updates != 2*n {
		t.Fatalf("%+v, %v", res, err)
	}
	after := counts(t, db)
	if d := after["(revision)"] - before["(revision)"]; d != int64(n) {
		t.Errorf("revision raised by %d, want %d", d, n)
	}
	firstUpdate := declared.Updates[0].ID + 1
	for i, im := range batch.Incidents {
		id := declared.ID + 1 + int64(i)
		got, err := st.Incident(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.ExternalID != im.Incident.ExternalID || len(got.Updates) != 2 ||
			got.Updates[0].ID != firstUpdate+2*int64(i) || got.Updates[1].ID != firstUpdate+2*int64(i)+1 ||
			got.Updates[1].ExternalID != im.Incident.Updates[1].ExternalID || len(got.Updates[1].Components) != 1 {
			t.Fatalf("incident %d stored as %+v", i, got)
		}
	}
	rows, err := db.QueryContext(ctx, `SELECT entity_id, after_json FROM audit_log WHERE action = 'incident.import' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var audited []int64
	for rows.Next() {
		var id int64
		var after string
		if err := rows.Scan(&id, &after); err != nil {
			t.Fatal(err)
		}
		var rec struct {
			ID      int64  `json:"id"`
			Source  string `json:"source"`
			Updates []struct {
				ID int64 `json:"id"`
			} `json:"updates"`
		}
		if err := json.Unmarshal([]byte(after), &rec); err != nil || rec.ID != id || len(rec.Updates) != 2 ||
			rec.Source != batch.Incidents[id-declared.ID-1].Source || rec.Updates[0].ID != firstUpdate+2*(id-declared.ID-1) {
			t.Fatalf("audit entry of %d: %s (%v)", id, after, err)
		}
		audited = append(audited, id)
	}
	rows.Close()
	if len(audited) != n || audited[0] != declared.ID+1 || audited[n-1] != declared.ID+int64(n) {
		t.Fatalf("audited %d incidents, %v ... ", len(audited), audited[:min(3, len(audited))])
	}
	for k := 1; k < n; k++ {
		if audited[k] != audited[k-1]+1 {
			t.Fatalf("audit entries out of order at %d: %d after %d", k, audited[k], audited[k-1])
		}
	}

	// Again with a third update on every other incident, each followed by
	// a new incident: the new updates and incidents are numbered on from
	// the last, in the batch's order.
	lastUpdate := firstUpdate + 2*int64(n) - 1
	changed := 0
	var again []incidents.ImportedIncident
	for i, im := range batch.Incidents {
		again = append(again, im)
		if i%2 == 1 {
			continue
		}
		inc := im.Incident
		note := incidents.Update{Phase: incidents.Resolved, Message: "A later note.", At: inc.Updates[1].At.Add(time.Minute), CreatedAt: now,
			Author: "importer", ExternalID: fmt.Sprintf("u%d-2", i)}
		inc.Updates = append(append([]incidents.Update(nil), inc.Updates...), note)
		again[len(again)-1].Incident = inc
		changed++
		fresh := importedIncident(t, fmt.Sprintf("New %d", i), "ec2-us-east-1a")
		again = append(again, incidents.ImportedIncident{Source: fmt.Sprintf("statuspage:page/new%d", i), Incident: fresh})
	}
	res, err = st.Import(ctx, audit.Person("importer"), incidents.ImportBatch{Incidents: again}, now.Add(time.Hour))
	if err != nil || res.Changed != changed || res.UpdatesAdded != changed || res.Skipped != n-changed || res.Incidents != changed || res.Updates != 2*changed {
		t.Fatalf("re-import: %+v, %v", res, err)
	}
	for k, i := 0, 0; i < n; k, i = k+1, i+2 {
		got, err := st.Incident(ctx, declared.ID+1+int64(i))
		if err != nil {
			t.Fatal(err)
		}
		// Each changed incident's note comes before the new incident's
		// two updates.
		if len(got.Updates) != 3 || got.Updates[2].ID != lastUpdate+1+3*int64(k) || got.Updates[2].Message != "A later note." {
			t.Fatalf("re-imported incident %d: %+v", i, got.Updates)
		}
		fresh, err := st.Incident(ctx, declared.ID+int64(n)+1+int64(k))
		if err != nil {
			t.Fatal(err)
		}
		if fresh.Title != fmt.Sprintf("New %d", i) || len(fresh.Updates) != 2 || fresh.Updates[0].ID != lastUpdate+2+3*int64(k) ||
			len(fresh.Updates[0].Components) != 1 || fresh.Updates[0].Components[0].Component != "ec2-us-east-1a" {
			t.Fatalf("new incident after %d: %+v", i, fresh)
		}
	}
	var reimports int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM audit_log WHERE action = 'incident.reimport'`).Scan(&reimports); err != nil || reimports != changed {
		t.Errorf("%d incident.reimport entries, want %d (%v)", reimports, changed, err)
	}
}

// TestImportNamesTheRefusedRow: a row SQLite refuses in a block of many is
// named by its element of the batch, and nothing is written.
func TestImportNamesTheRefusedRow(t *testing.T) {
	st, db := newStore(t)
	batch := incidents.ImportBatch{}
	for i := range importBlock + 10 {
		inc := importedIncident(t, fmt.Sprintf("Imported %d", i), "elb-us-east-1")
		inc.Updates[0].ExternalID, inc.Updates[1].ExternalID = fmt.Sprintf("u%d-0", i), fmt.Sprintf("u%d-1", i)
		if i == 200 {
			inc.Updates[1].ExternalID = inc.Updates[0].ExternalID // the same update twice at the origin
		}
		batch.Incidents = append(batch.Incidents, incidents.ImportedIncident{Source: fmt.Sprintf("x/%d", i), Incident: inc})
	}
	before := counts(t, db)
	_, err := st.Import(ctx, audit.Person("importer"), batch, now)
	if err == nil || !strings.Contains(err.Error(), "incidents[200].updates[1]: UNIQUE constraint failed") {
		t.Fatalf("error %v", err)
	}
	if after := counts(t, db); !reflect.DeepEqual(before, after) {
		t.Errorf("a refused import wrote: %v → %v", before, after)
	}
}
