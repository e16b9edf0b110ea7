package sqlite

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
)

// CorrectIncident corrects the title or impact of incident id (see
// incidents.Incident.Correct); a correction that changes nothing writes
// nothing. errs.NotFound, errs.Invalid.
func (st *Store) CorrectIncident(ctx context.Context, by audit.Actor, id int64, c incidents.IncidentCorrection, now time.Time) (_ incidents.Incident, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: CorrectIncident %d", id)
	var out incidents.Incident
	err = sqlitedb.InTx(ctx, st.db, func(tx *sql.Tx) error {
		inc, err := incident(ctx, tx, id)
		if err != nil {
			return err
		}
		next, changed, err := inc.Correct(c, now)
		if err != nil {
			return err
		}
		out = next
		if !changed {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE incidents SET title = ?, impact = ?, updated_at = ? WHERE id = ?`,
			next.Title, string(next.Impact), sqlitedb.FormatTime(next.UpdatedAt), id); err != nil {
			return err
		}
		type head struct {
			Title  string           `json:"title"`
			Impact incidents.Impact `json:"impact"`
		}
		return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "incident.correct", Entity: "incident", EntityID: strconv.FormatInt(id, 10),
			Before: head{inc.Title, inc.Impact}, After: head{next.Title, next.Impact}, At: next.UpdatedAt})
	})
	return out, err
}

// CorrectUpdate records a correction of the message of update updateID of
// incident id (see incidents.Incident.CorrectUpdate); the update row stays
// as published. The same text again writes nothing. errs.NotFound,
// errs.Invalid.
func (st *Store) CorrectUpdate(ctx context.Context, by audit.Actor, id, updateID int64, message string, now time.Time) (_ incidents.Incident, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: CorrectUpdate %d update %d", id, updateID)
	var out incidents.Incident
	err = sqlitedb.InTx(ctx, st.db, func(tx *sql.Tx) error {
		inc, err := incident(ctx, tx, id)
		if err != nil {
			return err
		}
		next, changed, err := inc.CorrectUpdate(updateID, message, now)
		if err != nil {
			return err
		}
		out = next
		if !changed {
			return nil
		}
		var before, after incidents.Update
		for i, u := range next.Updates {
			if u.ID == updateID {
				before, after = inc.Updates[i], u
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO incident_update_edits (update_id, message, edited_at, author) VALUES (?, ?, ?, ?)`,
			updateID, after.Message, sqlitedb.FormatTime(*after.EditedAt), by.AuditLabel()); err != nil {
			return err
		}
		return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "incident.update.correct", Entity: "incident", EntityID: strconv.FormatInt(id, 10),
			Before: updateText{updateID, before.Message}, After: updateText{updateID, after.Message}, At: *after.EditedAt})
	})
	return out, err
}

// DeleteIncident marks incident id deleted (a trigger keeps it so, and
// unchanged), recomputes the stored days it touched without it, and
// records the whole incident in the audit entry. errs.NotFound, also for
// one already deleted.
func (st *Store) DeleteIncident(ctx context.Context, by audit.Actor, id int64, now time.Time) (_ incidents.Incident, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: DeleteIncident %d", id)
	var out incidents.Incident
	now = now.UTC().Truncate(time.Second)
	err = sqlitedb.InTx(ctx, st.db, func(tx *sql.Tx) error {
		inc, err := incident(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE incidents SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL`,
			sqlitedb.FormatTime(now), id); err != nil {
			return err
		}
		// Every day it covered, up to its resolution or now, is computed
		// again from the incidents that remain.
		if err := refreshIncidentDays(ctx, tx, inc, inc.StartedAt, now); err != nil {
			return err
		}
		out = inc
		return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "incident.delete", Entity: "incident", EntityID: strconv.FormatInt(id, 10),
			Before: inc, At: now})
	})
	return out, err
}

// applyEdits sets the message of each update of the incidents in ids (a
// JSON array) that was corrected to its newest correction; update finds an
// update loaded by its ID (nil if it was not). A correction made here sets
// EditedAt; one written by an import of the update's origin sets UpdatedAt
// instead (and clears EditedAt): the text is then the origin's own.
func applyEdits(ctx context.Context, q sqlitedb.Queryer, ids string, update func(id int64) *incidents.Update) error {
	rows, err := q.QueryContext(ctx, `SELECT e.update_id, e.message, e.edited_at, e.imported
		FROM incident_update_edits e JOIN incident_updates u ON u.id = e.update_id
		WHERE u.incident_id IN (SELECT value FROM json_each(?))
		ORDER BY e.update_id, e.id`, ids)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var uid int64
		var message, at string
		var imported bool
		if err := rows.Scan(&uid, &message, &at, &imported); err != nil {
			return err
		}
		t, err := sqlitedb.ParseTime(at)
		if err != nil {
			return err
		}
		if u := update(uid); u != nil {
			u.Message = message
			if imported {
				u.UpdatedAt, u.EditedAt = &t, nil
			} else {
				u.EditedAt = &t
			}
		}
	}
	return rows.Err()
}

// updateText is what the audit entry of a correction of an update's
// message ("incident.update.correct") keeps, before and after, whether
// support or an import made it.
type updateText struct {
	Update  int64  `json:"update"`
	Message string `json:"message"`
}
