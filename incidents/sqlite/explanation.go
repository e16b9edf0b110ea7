package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
)

// Explanation returns the explanation of incident id with every revision,
// oldest first; an incident without one gets an Explanation with no
// revisions. errs.NotFound if there is no such incident.
func (st *Store) Explanation(ctx context.Context, incidentID int64) (_ incidents.Explanation, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: Explanation %d", incidentID)
	return explanation(ctx, st.db, incidentID)
}

// StartExplanation starts a new draft revision written by by (see
// incidents.Explanation.Start): errs.NotFound, errs.Conflict while another
// revision is unpublished, errs.Invalid on "title" or "body".
func (st *Store) StartExplanation(ctx context.Context, by audit.Actor, incidentID int64, title, body string, now time.Time) (_ incidents.Revision, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: StartExplanation %d", incidentID)
	return st.changeExplanation(ctx, "explanation.start", incidentID, func(e incidents.Explanation) (incidents.Revision, bool, error) {
		r, err := e.Start(by.Who(), title, body, now)
		return r, true, err
	}, by, now)
}

// EditExplanation replaces the draft's text (see incidents.Explanation.Edit);
// unchanged text writes nothing. errs.NotFound, errs.Conflict, errs.Invalid.
func (st *Store) EditExplanation(ctx context.Context, by audit.Actor, incidentID int64, title, body string, now time.Time) (_ incidents.Revision, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: EditExplanation %d", incidentID)
	return st.changeExplanation(ctx, "explanation.edit", incidentID, func(e incidents.Explanation) (incidents.Revision, bool, error) {
		return e.Edit(by.Who(), title, body, now)
	}, by, now)
}

// SubmitExplanation sends the draft for review (see
// incidents.Explanation.Submit): errs.NotFound, errs.Conflict, errs.Invalid.
func (st *Store) SubmitExplanation(ctx context.Context, by audit.Actor, incidentID int64, now time.Time) (_ incidents.Revision, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: SubmitExplanation %d", incidentID)
	return st.changeExplanation(ctx, "explanation.submit", incidentID, func(e incidents.Explanation) (incidents.Revision, bool, error) {
		r, err := e.Submit(by.Who(), now)
		return r, true, err
	}, by, now)
}

// ReturnExplanation sends the revision in review back to draft with a note
// (see incidents.Explanation.Return): errs.NotFound, errs.Conflict,
// errs.Invalid on "note".
func (st *Store) ReturnExplanation(ctx context.Context, by audit.Actor, incidentID int64, note string, now time.Time) (_ incidents.Revision, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: ReturnExplanation %d", incidentID)
	return st.changeExplanation(ctx, "explanation.return", incidentID, func(e incidents.Explanation) (incidents.Revision, bool, error) {
		r, err := e.Return(by.Who(), note, now)
		return r, true, err
	}, by, now)
}

// PublishExplanation publishes the revision in review (see
// incidents.Explanation.Publish): errs.Forbidden for its author or an
// editor, errs.NotFound, errs.Conflict.
func (st *Store) PublishExplanation(ctx context.Context, by audit.Actor, incidentID int64, now time.Time) (_ incidents.Revision, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: PublishExplanation %d", incidentID)
	return st.changeExplanation(ctx, "explanation.publish", incidentID, func(e incidents.Explanation) (incidents.Revision, bool, error) {
		r, err := e.Publish(by.Who(), now)
		return r, true, err
	}, by, now)
}

// changeExplanation loads the incident's explanation, applies the domain
// rule fn, and writes the revision it returns with its audit entry, all in
// one transaction. When fn reports no change, nothing is written.
func (st *Store) changeExplanation(ctx context.Context, action string, incidentID int64,
	fn func(incidents.Explanation) (incidents.Revision, bool, error), by audit.Actor, now time.Time) (incidents.Revision, error) {
	var out incidents.Revision
	err := sqlitedb.InTx(ctx, st.db, func(tx *sql.Tx) error {
		e, err := explanation(ctx, tx, incidentID)
		if err != nil {
			return err
		}
		r, changed, err := fn(e)
		if err != nil {
			return err
		}
		out = r
		if !changed {
			return nil
		}
		before, existed := e.Revision(r.Number)
		if existed {
			err = updateRevision(ctx, tx, before, r)
		} else {
			err = insertRevision(ctx, tx, r)
		}
		if err != nil {
			return err
		}
		var b any
		if existed {
			b = before
		}
		id := strconv.FormatInt(incidentID, 10) + "/" + strconv.Itoa(r.Number)
		return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: action, Entity: "explanation_revision", EntityID: id, Before: b, After: r, At: now.UTC().Truncate(time.Second)})
	})
	if err != nil {
		return incidents.Revision{}, err
	}
	return out, nil
}

func insertRevision(ctx context.Context, tx *sql.Tx, r incidents.Revision) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO explanation_revisions
		(incident_id, number, title, body, state, author, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		r.IncidentID, r.Number, r.Title, r.Body, string(r.State), r.Author, sqlitedb.FormatTime(r.CreatedAt), sqlitedb.FormatTime(r.UpdatedAt))
	return err
}

// updateRevision writes r over before: its text, state and instants, and
// the editors that r has and before had not.
func updateRevision(ctx context.Context, tx *sql.Tx, before, r incidents.Revision) error {
	_, err := tx.ExecContext(ctx, `UPDATE explanation_revisions SET title = ?, body = ?, state = ?,
		return_note = ?, returned_by = ?, returned_at = ?, updated_at = ?, submitted_at = ?, published_at = ?, published_by = ?
		WHERE incident_id = ? AND number = ?`,
		r.Title, r.Body, string(r.State), r.ReturnNote, r.ReturnedBy, sqlitedb.NullTime(r.ReturnedAt), sqlitedb.FormatTime(r.UpdatedAt),
		sqlitedb.NullTime(r.SubmittedAt), sqlitedb.NullTime(r.PublishedAt), sqlitedb.NullString(r.PublishedBy), r.IncidentID, r.Number)
	if err != nil {
		return err
	}
	for i := len(before.Editors); i < len(r.Editors); i++ {
		if _, err := tx.ExecContext(ctx, `INSERT INTO explanation_editors (incident_id, number, position, actor) VALUES (?, ?, ?, ?)`,
			r.IncidentID, r.Number, i, r.Editors[i]); err != nil {
			return err
		}
	}
	return nil
}

// explanation loads incident id's explanation; errs.NotFound if the incident
// does not exist.
func explanation(ctx context.Context, q sqlitedb.Queryer, id int64) (incidents.Explanation, error) {
	var one int
	if err := q.QueryRowContext(ctx, `SELECT 1 FROM incidents_live WHERE id = ?`, id).Scan(&one); err != nil {
		return incidents.Explanation{}, notFound(err, "incident %d not found", id)
	}
	e := incidents.Explanation{IncidentID: id}
	rows, err := q.QueryContext(ctx, `SELECT `+revisionColumns+` FROM explanation_revisions WHERE incident_id = ? ORDER BY number`, id)
	if err != nil {
		return e, err
	}
	for rows.Next() {
		r, err := scanRevision(rows)
		if err != nil {
			rows.Close()
			return e, err
		}
		e.Revisions = append(e.Revisions, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return e, err
	}
	if len(e.Revisions) == 0 {
		return e, nil
	}
	rows, err = q.QueryContext(ctx, `SELECT number, actor FROM explanation_editors WHERE incident_id = ? ORDER BY number, position`, id)
	if err != nil {
		return e, err
	}
	defer rows.Close()
	for rows.Next() {
		var n int
		var actor string
		if err := rows.Scan(&n, &actor); err != nil {
			return e, err
		}
		i := n - 1
		if i < 0 || i >= len(e.Revisions) || e.Revisions[i].Number != n {
			return e, fmt.Errorf("editor of unknown explanation revision %d/%d", id, n)
		}
		e.Revisions[i].Editors = append(e.Revisions[i].Editors, actor)
	}
	return e, rows.Err()
}

const revisionColumns = `incident_id, number, title, body, state, author, return_note, returned_by, returned_at,
	created_at, updated_at, submitted_at, published_at, published_by`

func scanRevision(row interface{ Scan(...any) error }) (incidents.Revision, error) {
	var r incidents.Revision
	var state, created, updated string
	var returned, submitted, published, publishedBy sql.NullString
	if err := row.Scan(&r.IncidentID, &r.Number, &r.Title, &r.Body, &state, &r.Author, &r.ReturnNote, &r.ReturnedBy, &returned,
		&created, &updated, &submitted, &published, &publishedBy); err != nil {
		return r, err
	}
	r.State = incidents.RevisionState(state)
	r.PublishedBy = publishedBy.String
	var err error
	if r.CreatedAt, err = sqlitedb.ParseTime(created); err != nil {
		return r, err
	}
	if r.UpdatedAt, err = sqlitedb.ParseTime(updated); err != nil {
		return r, err
	}
	for _, f := range []struct {
		dst **time.Time
		src sql.NullString
	}{{&r.ReturnedAt, returned}, {&r.SubmittedAt, submitted}, {&r.PublishedAt, published}} {
		if *f.dst, err = sqlitedb.ParseNullTime(f.src); err != nil {
			return r, err
		}
	}
	return r, nil
}

// PublishedExplanations lists every incident with a published explanation:
// its newest published revision's title and number, how many are
// published, and the first and last publication; the latest publication
// first.
func (st *Store) PublishedExplanations(ctx context.Context) (_ []incidents.ExplanationSummary, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: PublishedExplanations")
	rows, err := st.db.QueryContext(ctx, `SELECT r.incident_id, r.title, r.number, s.n, s.first, s.last
		FROM (SELECT incident_id, MAX(number) AS latest, count(*) AS n, MIN(published_at) AS first, MAX(published_at) AS last
			FROM explanation_revisions WHERE state = 'published' GROUP BY incident_id) s
		JOIN explanation_revisions r ON r.incident_id = s.incident_id AND r.number = s.latest
		JOIN incidents_live i ON i.id = s.incident_id
		ORDER BY s.last DESC, r.incident_id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []incidents.ExplanationSummary
	for rows.Next() {
		var x incidents.ExplanationSummary
		var first, last string
		if err := rows.Scan(&x.IncidentID, &x.Title, &x.Revision, &x.Revisions, &first, &last); err != nil {
			return nil, err
		}
		if x.FirstPublishedAt, err = sqlitedb.ParseTime(first); err != nil {
			return nil, err
		}
		if x.LastPublishedAt, err = sqlitedb.ParseTime(last); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}
