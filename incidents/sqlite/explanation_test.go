package sqlite

import (
	"database/sql"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
)

// resolvedIncident stores a resolved ELB incident and returns its id.
func resolvedIncident(t *testing.T, st *Store) int64 {
	t.Helper()
	inc, err := st.CreateIncident(ctx, audit.Person("ann"), incidents.IncidentInput{
		Title: "Degraded load balancers", Message: "Investigating.", StartedAt: &start,
		Components: []incidents.ComponentChange{{Component: "elb-us-east-1", Status: incidents.PartialOutage, AffectedPercent: pct("6.8")}},
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddUpdate(ctx, audit.Person("ann"), inc.ID, incidents.UpdateInput{Phase: incidents.Resolved, Message: "Resolved.", At: at(22*time.Hour + 6*time.Minute)}, now); err != nil {
		t.Fatal(err)
	}
	return inc.ID
}

func auditActions(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.QueryContext(ctx, `SELECT actor || ' ' || action || ' ' || entity_id || ' ' || (before_json IS NOT NULL) FROM audit_log WHERE entity = 'explanation_revision' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func TestExplanationStoreFlow(t *testing.T) {
	st, db := newStore(t)
	id := resolvedIncident(t, st)
	t1, t2 := now.Add(time.Hour), now.Add(2*time.Hour)

	e, err := st.Explanation(ctx, id)
	if err != nil || e.IncidentID != id || len(e.Revisions) != 0 {
		t.Fatalf("empty explanation: %+v, %v", e, err)
	}
	if _, err := st.Explanation(ctx, 999); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("unknown incident: %v", err)
	}
	if _, err := st.StartExplanation(ctx, audit.Person("ann"), 999, "t", "b", now); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("start on unknown incident: %v", err)
	}

	if _, err := st.StartExplanation(ctx, audit.Person("ann"), id, "What happened", "Draft", now); err != nil {
		t.Fatal(err)
	}
	if _, err := st.StartExplanation(ctx, audit.Person("ann"), id, "Another", "Draft", now); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("second draft: %v", err)
	}
	if _, err := st.EditExplanation(ctx, audit.Person("cat"), id, "What happened", "Draft, edited", t1); err != nil {
		t.Fatal(err)
	}
	// Saving the same text again writes nothing.
	before := counts(t, db)
	if _, err := st.EditExplanation(ctx, audit.Person("dan"), id, "What happened", "Draft, edited", t1); err != nil {
		t.Fatal(err)
	}
	if got := counts(t, db); !reflect.DeepEqual(got, before) {
		t.Fatalf("unchanged edit wrote: %v, was %v", got, before)
	}
	if _, err := st.SubmitExplanation(ctx, audit.Person("ann"), id, t1); err != nil {
		t.Fatal(err)
	}
	if _, err := st.EditExplanation(ctx, audit.Person("ann"), id, "x", "y", t1); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("edit in review: %v", err)
	}

	// Neither the author nor an editor may publish, and the refusal writes nothing.
	before = counts(t, db)
	for _, who := range []string{"ann", "cat"} {
		_, err := st.PublishExplanation(ctx, audit.Person(who), id, t2)
		if errs.CodeOf(err) != errs.Forbidden || !strings.Contains(err.Error(), "nothing is published on one person's say") {
			t.Fatalf("%s publishes: %v", who, err)
		}
	}
	if got := counts(t, db); !reflect.DeepEqual(got, before) {
		t.Fatalf("refused publication wrote: %v, was %v", got, before)
	}

	if _, err := st.ReturnExplanation(ctx, audit.Person("bob"), id, "Name the per-change approval.", t1); err != nil {
		t.Fatal(err)
	}
	if _, err := st.EditExplanation(ctx, audit.Person("ann"), id, "What happened", "Draft, edited, with approval", t1); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SubmitExplanation(ctx, audit.Person("ann"), id, t1); err != nil {
		t.Fatal(err)
	}
	pub, err := st.PublishExplanation(ctx, audit.Person("bob"), id, t2)
	if err != nil {
		t.Fatal(err)
	}
	e, err = st.Explanation(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want := incidents.Revision{
		IncidentID: id, Number: 1, Title: "What happened", Body: "Draft, edited, with approval",
		State: incidents.RevisionPublished, Author: "ann", Editors: []string{"cat"},
		ReturnNote: "Name the per-change approval.", ReturnedBy: "bob", ReturnedAt: &t1,
		CreatedAt: now, UpdatedAt: t2, SubmittedAt: &t1, PublishedAt: &t2, PublishedBy: "bob",
	}
	if len(e.Revisions) != 1 || !reflect.DeepEqual(e.Revisions[0], want) || !reflect.DeepEqual(pub, want) {
		t.Fatalf("stored:\n %+v\nreturned %+v\nwant     %+v", e.Revisions, pub, want)
	}

	// A change after publishing is a new revision; the published one stays.
	r2, err := st.StartExplanation(ctx, audit.Person("dan"), id, e.Revisions[0].Title, e.Revisions[0].Body+"\n\nCorrected.", t2)
	if err != nil || r2.Number != 2 {
		t.Fatalf("second revision: %+v, %v", r2, err)
	}
	if _, err := st.SubmitExplanation(ctx, audit.Person("dan"), id, t2); err != nil {
		t.Fatal(err)
	}
	if _, err := st.PublishExplanation(ctx, audit.Person("ann"), id, t2.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	list, err := st.PublishedExplanations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantList := []incidents.ExplanationSummary{{IncidentID: id, Title: "What happened", Revision: 2, Revisions: 2, FirstPublishedAt: t2, LastPublishedAt: t2.Add(time.Minute)}}
	if !reflect.DeepEqual(list, wantList) {
		t.Fatalf("PublishedExplanations: %+v, want %+v", list, wantList)
	}
	idText := "1/"
	if id != 1 {
		t.Fatalf("incident id %d", id)
	}
	wantAudit := []string{
		"ann explanation.start " + idText + "1 0",
		"cat explanation.edit " + idText + "1 1",
		"ann explanation.submit " + idText + "1 1",
		"bob explanation.return " + idText + "1 1",
		"ann explanation.edit " + idText + "1 1",
		"ann explanation.submit " + idText + "1 1",
		"bob explanation.publish " + idText + "1 1",
		"dan explanation.start " + idText + "2 0",
		"dan explanation.submit " + idText + "2 1",
		"ann explanation.publish " + idText + "2 1",
	}
	if got := auditActions(t, db); !reflect.DeepEqual(got, wantAudit) {
		t.Fatalf("audit:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantAudit, "\n"))
	}
}

// The two-person rule compares the person, not the label: the author with
// another token is still the author. The audit log records the label.
func TestExplanationSamePersonOtherLabel(t *testing.T) {
	st, db := newStore(t)
	id := resolvedIncident(t, st)
	ann := audit.Actor{Person: "ann@example.com", Label: "ann@example.com (session)"}
	annToken := audit.Actor{Person: "ann@example.com", Label: "ann@example.com (token ci)"}
	if _, err := st.StartExplanation(ctx, ann, id, "What happened", "Draft", now); err != nil {
		t.Fatal(err)
	}
	if _, err := st.EditExplanation(ctx, annToken, id, "What happened", "Draft, edited", now); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SubmitExplanation(ctx, annToken, id, now); err != nil {
		t.Fatal(err)
	}
	if _, err := st.PublishExplanation(ctx, annToken, id, now); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("the author publishes with another token: %v", err)
	}
	e, err := st.Explanation(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if r := e.Revisions[0]; r.Author != "ann@example.com" || len(r.Editors) != 0 {
		t.Fatalf("author %q, editors %q: want the person, who is no editor of her own draft", r.Author, r.Editors)
	}
	wantAudit := []string{
		"ann@example.com (session) explanation.start 1/1 0",
		"ann@example.com (token ci) explanation.edit 1/1 1",
		"ann@example.com (token ci) explanation.submit 1/1 1",
	}
	if got := auditActions(t, db); !reflect.DeepEqual(got, wantAudit) {
		t.Fatalf("audit:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantAudit, "\n"))
	}
}

func TestExplanationTriggers(t *testing.T) {
	st, db := newStore(t)
	id := resolvedIncident(t, st)
	for _, step := range []func() error{
		func() error { _, err := st.StartExplanation(ctx, audit.Person("ann"), id, "T", "B", now); return err },
		func() error { _, err := st.SubmitExplanation(ctx, audit.Person("ann"), id, now); return err },
		func() error { _, err := st.PublishExplanation(ctx, audit.Person("bob"), id, now); return err },
		func() error { _, err := st.StartExplanation(ctx, audit.Person("ann"), id, "T", "B2", now); return err },
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct{ sql, want string }{
		{`UPDATE explanation_revisions SET body = 'changed' WHERE number = 1`, "explanation revision"}, // either trigger may answer first
		{`UPDATE explanation_revisions SET updated_at = '2020-01-01T00:00:00Z' WHERE number = 1`, "a published explanation revision is never changed"},
		{`DELETE FROM explanation_revisions WHERE number = 1`, "explanation revisions are never deleted"},
		{`DELETE FROM explanation_revisions WHERE number = 2`, "explanation revisions are never deleted"},
		{`INSERT INTO explanation_editors (incident_id, number, position, actor) VALUES (1, 1, 0, 'eve')`, "only a draft explanation revision gets new editors"},
		{`INSERT INTO explanation_revisions (incident_id, number, title, body, state, author, created_at, updated_at, submitted_at, published_at, published_by)
			VALUES (1, 3, 'T', 'B', 'published', 'eve', 'x', 'x', 'x', 'x', 'bob')`, "a new explanation revision is a draft numbered after the last one"},
		{`UPDATE explanation_revisions SET state = 'published', published_at = 'x', published_by = 'bob' WHERE number = 2`, "an explanation revision goes draft → in_review → published, or back to draft from review"},
		{`UPDATE explanation_revisions SET author = 'eve' WHERE number = 2`, "an explanation revision keeps its incident, number and author"},
	} {
		_, err := db.ExecContext(ctx, tc.sql)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.sql, err, tc.want)
		}
	}
	// The second pending revision is refused by the unique index.
	if _, err := db.ExecContext(ctx, `INSERT INTO explanation_revisions (incident_id, number, title, body, state, author, created_at, updated_at)
		VALUES (1, 3, 'T', 'B', 'draft', 'eve', 'x', 'x')`); err == nil || !strings.Contains(err.Error(), "UNIQUE") {
		t.Errorf("second draft: %v", err)
	}
	// Text of a revision in review cannot change, and its editor cannot publish.
	if _, err := st.EditExplanation(ctx, audit.Person("cat"), id, "T", "B3", now); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SubmitExplanation(ctx, audit.Person("ann"), id, now); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ sql, want string }{
		{`UPDATE explanation_revisions SET body = 'x' WHERE number = 2`, "changes only while it is a draft"},
		{`UPDATE explanation_revisions SET state = 'published', published_at = 'x', published_by = 'cat' WHERE number = 2`, "an editor of an explanation revision may not publish it"},
		{`UPDATE explanation_revisions SET state = 'published', published_at = 'x', published_by = 'ann' WHERE number = 2`, "CHECK constraint failed"},
	} {
		_, err := db.ExecContext(ctx, tc.sql)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.sql, err, tc.want)
		}
	}
	e, err := st.Explanation(ctx, id)
	if err != nil || e.Revisions[0].Body != "B" || e.Revisions[1].State != incidents.RevisionInReview {
		t.Fatalf("after refused writes: %+v, %v", e, err)
	}
}

func TestMaintenancesBetween(t *testing.T) {
	st, _ := newStore(t)
	for i, w := range [][2]time.Duration{{0, time.Hour}, {2 * time.Hour, 3 * time.Hour}, {5 * time.Hour, 6 * time.Hour}} {
		if _, err := st.CreateMaintenance(ctx, audit.Person("ann"), incidents.MaintenanceInput{
			Title: "m", Components: []string{"elb-us-east-1"}, StartsAt: start.Add(w[0]), EndsAt: start.Add(w[1]),
		}, now); err != nil {
			t.Fatal(i, err)
		}
	}
	list, err := st.MaintenancesBetween(ctx, start.Add(time.Hour), start.Add(5*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ID != 2 {
		t.Fatalf("MaintenancesBetween: %+v", list)
	}
}
