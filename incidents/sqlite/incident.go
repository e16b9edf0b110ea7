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

// CreateIncident declares an incident with its first update (see
// incidents.NewIncident); an unknown component is errs.Invalid on
// "components[i].component".
func (st *Store) CreateIncident(ctx context.Context, by audit.Actor, in incidents.IncidentInput, now time.Time) (_ incidents.Incident, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: CreateIncident %q", in.Title)
	inc, err := incidents.NewIncident(by.AuditLabel(), in, now)
	if err != nil {
		return incidents.Incident{}, err
	}
	err = sqlitedb.InTx(ctx, st.db, func(tx *sql.Tx) error {
		if err := checkComponents(ctx, tx, inc.Updates[0]); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO incidents (title, impact, phase, started_at, resolved_at, excluded, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			inc.Title, string(inc.Impact), string(inc.Phase), sqlitedb.FormatTime(inc.StartedAt), sqlitedb.NullTime(inc.ResolvedAt),
			inc.Excluded, sqlitedb.FormatTime(inc.CreatedAt), sqlitedb.FormatTime(inc.UpdatedAt))
		if err != nil {
			return err
		}
		if inc.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		if err := insertUpdate(ctx, tx, inc.ID, &inc.Updates[0]); err != nil {
			return err
		}
		if err := refreshIncidentDays(ctx, tx, inc, inc.StartedAt, inc.CreatedAt); err != nil {
			return err
		}
		return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "incident.create", Entity: "incident", EntityID: strconv.FormatInt(inc.ID, 10), After: inc, At: inc.CreatedAt})
	})
	if err != nil {
		return incidents.Incident{}, err
	}
	return inc, nil
}

// AddUpdate appends an update to incident id (see incidents.Incident.Apply):
// errs.NotFound, errs.Conflict if it is resolved, errs.Invalid if the update
// breaks a rule or names an unknown component. The audit entry holds the
// incident without its timeline before, and with only the new update after.
func (st *Store) AddUpdate(ctx context.Context, by audit.Actor, id int64, in incidents.UpdateInput, now time.Time) (_ incidents.Incident, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: AddUpdate %d", id)
	var out incidents.Incident
	err = sqlitedb.InTx(ctx, st.db, func(tx *sql.Tx) error {
		inc, err := incident(ctx, tx, id)
		if err != nil {
			return err
		}
		next, err := inc.Apply(by.AuditLabel(), in, now)
		if err != nil {
			return err
		}
		u := &next.Updates[len(next.Updates)-1]
		if err := checkComponents(ctx, tx, *u); err != nil {
			return err
		}
		if err := insertUpdate(ctx, tx, id, u); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE incidents SET phase = ?, resolved_at = ?, updated_at = ? WHERE id = ?`,
			string(next.Phase), sqlitedb.NullTime(next.ResolvedAt), sqlitedb.FormatTime(next.UpdatedAt), id); err != nil {
			return err
		}
		// The timeline before the new update's instant is unchanged; after
		// it, the incident went on until now as far as stored days knew.
		if err := refreshDays(ctx, tx, u.At, next.UpdatedAt, next.UpdatedAt); err != nil {
			return err
		}
		before, after := inc, next
		before.Updates, after.Updates = nil, []incidents.Update{*u}
		if err := sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "incident.update", Entity: "incident", EntityID: strconv.FormatInt(id, 10), Before: before, After: after, At: next.UpdatedAt}); err != nil {
			return err
		}
		out = next
		return nil
	})
	return out, err
}

// SetExcluded sets whether incident id counts for SLAs; setting the value it
// already has writes nothing. errs.NotFound.
func (st *Store) SetExcluded(ctx context.Context, by audit.Actor, id int64, excluded bool, now time.Time) (_ incidents.Incident, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: SetExcluded %d", id)
	var out incidents.Incident
	err = sqlitedb.InTx(ctx, st.db, func(tx *sql.Tx) error {
		inc, err := incident(ctx, tx, id)
		if err != nil {
			return err
		}
		out = inc
		if inc.Excluded == excluded {
			return nil
		}
		out.Excluded = excluded
		out.UpdatedAt = now.UTC().Truncate(time.Second)
		if _, err := tx.ExecContext(ctx, `UPDATE incidents SET excluded = ?, updated_at = ? WHERE id = ?`,
			excluded, sqlitedb.FormatTime(out.UpdatedAt), id); err != nil {
			return err
		}
		if err := refreshIncidentDays(ctx, tx, out, out.StartedAt, out.UpdatedAt); err != nil {
			return err
		}
		before, after := inc, out
		before.Updates, after.Updates = nil, nil
		return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "incident.exclude", Entity: "incident", EntityID: strconv.FormatInt(id, 10), Before: before, After: after, At: out.UpdatedAt})
	})
	return out, err
}

// Incident returns incident id with its updates; errs.NotFound.
func (st *Store) Incident(ctx context.Context, id int64) (_ incidents.Incident, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: Incident %d", id)
	return incident(ctx, st.db, id)
}

// ActiveIncidents returns the unresolved incidents, newest StartedAt first,
// with their updates.
func (st *Store) ActiveIncidents(ctx context.Context) (_ []incidents.Incident, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: ActiveIncidents")
	return listIncidents(ctx, st.db, `WHERE resolved_at IS NULL ORDER BY started_at DESC, id DESC`)
}

// ResolvedIncidents returns a page of resolved incidents, newest StartedAt
// first, with their updates, and how many there are in all. errs.Invalid on
// "offset" or "limit" for a negative offset or a limit below 1.
func (st *Store) ResolvedIncidents(ctx context.Context, offset, limit int) (_ []incidents.Incident, _ int, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: ResolvedIncidents offset %d limit %d", offset, limit)
	if err := page(offset, limit); err != nil {
		return nil, 0, err
	}
	var total int
	if err := st.db.QueryRowContext(ctx, `SELECT count(*) FROM incidents_live WHERE resolved_at IS NOT NULL`).Scan(&total); err != nil {
		return nil, 0, err
	}
	list, err := listIncidents(ctx, st.db, `WHERE resolved_at IS NOT NULL ORDER BY started_at DESC, id DESC LIMIT ? OFFSET ?`, limit, offset)
	return list, total, err
}

// LatestResolved returns up to limit incidents resolved at or before
// until, the most recently resolved first (by the index on resolved_at),
// without their updates; a deleted incident is never among them.
// errs.Invalid on "limit" below 1.
func (st *Store) LatestResolved(ctx context.Context, until time.Time, limit int) (_ []incidents.Incident, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: LatestResolved until %v limit %d", until.UTC(), limit)
	if err := page(0, limit); err != nil {
		return nil, err
	}
	rows, err := st.db.QueryContext(ctx, `SELECT `+incidentColumns+` FROM incidents_live
		WHERE resolved_at IS NOT NULL AND resolved_at <= ? ORDER BY resolved_at DESC, started_at DESC, id DESC LIMIT ?`,
		sqlitedb.FormatTime(until), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []incidents.Incident
	for rows.Next() {
		inc, err := scanIncident(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, inc)
	}
	return out, rows.Err()
}

// FirstRecorded returns the earliest StartedAt of an incident or StartsAt
// of a maintenance (each one index entry), false when there is neither.
func (st *Store) FirstRecorded(ctx context.Context) (_ time.Time, _ bool, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: FirstRecorded")
	var first sql.NullString
	if err := st.db.QueryRowContext(ctx, `SELECT min(t) FROM (
		SELECT min(started_at) AS t FROM incidents_live
		UNION ALL SELECT min(starts_at) FROM maintenances)`).Scan(&first); err != nil || !first.Valid {
		return time.Time{}, false, err
	}
	t, err := sqlitedb.ParseTime(first.String)
	return t, err == nil, err
}

// EarliestResolvedStart returns the StartedAt of the resolved incident
// that started first (one index entry), false when none is resolved.
func (st *Store) EarliestResolvedStart(ctx context.Context) (_ time.Time, _ bool, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: EarliestResolvedStart")
	var first sql.NullString
	if err := st.db.QueryRowContext(ctx, `SELECT min(started_at) FROM incidents_live WHERE resolved_at IS NOT NULL`).Scan(&first); err != nil || !first.Valid {
		return time.Time{}, false, err
	}
	t, err := sqlitedb.ParseTime(first.String)
	return t, err == nil, err
}

// IncidentsBetween returns, oldest StartedAt first with their updates, every
// incident whose [StartedAt, ResolvedAt or now) overlaps [from, to), and
// every one that started in [from, to) (an incident resolved at its start).
func (st *Store) IncidentsBetween(ctx context.Context, from, to time.Time) (_ []incidents.Incident, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: IncidentsBetween %v to %v", from.UTC(), to.UTC())
	return incidentsOverlapping(ctx, st.db, from, to, st.Now())
}

// IncidentByExternalID returns the ID of the incident imported with
// external id ext; errs.NotFound if there is none.
func (st *Store) IncidentByExternalID(ctx context.Context, ext string) (_ int64, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: IncidentByExternalID %q", ext)
	var id int64
	if err := st.db.QueryRowContext(ctx, `SELECT id FROM incidents WHERE external_id = ?`, ext).Scan(&id); err != nil {
		return 0, notFound(err, "incident %q not found", ext)
	}
	return id, nil
}

// IncidentTitles returns the title of each stored incident of ids, by ID.
func (st *Store) IncidentTitles(ctx context.Context, ids []int64) (_ map[int64]string, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: IncidentTitles of %d incidents", len(ids))
	out := make(map[int64]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := st.db.QueryContext(ctx, `SELECT id, title FROM incidents_live WHERE id IN (SELECT value FROM json_each(?))`, idList(ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var title string
		if err := rows.Scan(&id, &title); err != nil {
			return nil, err
		}
		out[id] = title
	}
	return out, rows.Err()
}

// IncidentHeads returns each stored incident of ids, by ID, without its
// updates.
func (st *Store) IncidentHeads(ctx context.Context, ids []int64) (_ map[int64]incidents.Incident, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: IncidentHeads of %d incidents", len(ids))
	out := make(map[int64]incidents.Incident, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := st.db.QueryContext(ctx, `SELECT `+incidentColumns+` FROM incidents_live WHERE id IN (SELECT value FROM json_each(?))`, idList(ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		inc, err := scanIncident(rows)
		if err != nil {
			return nil, err
		}
		out[inc.ID] = inc
	}
	return out, rows.Err()
}

const incidentColumns = `id, title, impact, phase, started_at, resolved_at, excluded, created_at, updated_at, external_id`

type incidentRow struct {
	id                        int64
	title, impact, phase      string
	started, created, updated string
	resolved, external        sql.NullString
	excluded                  bool
}

func scanIncident(row interface{ Scan(...any) error }) (incidents.Incident, error) {
	var r incidentRow
	if err := row.Scan(&r.id, &r.title, &r.impact, &r.phase, &r.started, &r.resolved, &r.excluded, &r.created, &r.updated, &r.external); err != nil {
		return incidents.Incident{}, err
	}
	inc := incidents.Incident{
		ID: r.id, Title: r.title, Impact: incidents.Impact(r.impact), Phase: incidents.Phase(r.phase), Excluded: r.excluded,
		ExternalID: r.external.String,
	}
	var err error
	if inc.StartedAt, err = sqlitedb.ParseTime(r.started); err != nil {
		return inc, err
	}
	if inc.CreatedAt, err = sqlitedb.ParseTime(r.created); err != nil {
		return inc, err
	}
	if inc.UpdatedAt, err = sqlitedb.ParseTime(r.updated); err != nil {
		return inc, err
	}
	inc.ResolvedAt, err = sqlitedb.ParseNullTime(r.resolved)
	return inc, err
}

func incident(ctx context.Context, q sqlitedb.Queryer, id int64) (incidents.Incident, error) {
	list, err := listIncidents(ctx, q, `WHERE id = ?`, id)
	if err != nil {
		return incidents.Incident{}, err
	}
	if len(list) == 0 {
		return incidents.Incident{}, errs.NotFoundf("incident %d not found", id)
	}
	return list[0], nil
}

// listIncidents loads the incidents that where (a WHERE, ORDER BY and LIMIT
// clause) selects among those not deleted, with their updates (each with
// its newest correction), component statuses and the customers they name,
// in five queries however many there are.
func listIncidents(ctx context.Context, q sqlitedb.Queryer, where string, args ...any) ([]incidents.Incident, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+incidentColumns+` FROM incidents_live `+where, args...)
	if err != nil {
		return nil, err
	}
	var list []incidents.Incident
	index := map[int64]int{}
	for rows.Next() {
		inc, err := scanIncident(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		index[inc.ID] = len(list)
		list = append(list, inc)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(list))
	for i, inc := range list {
		ids[i] = inc.ID
	}
	in := idList(ids)

	rows, err = q.QueryContext(ctx, `SELECT id, incident_id, phase, message, at, created_at, author, external_id, updated_at
		FROM incident_updates WHERE incident_id IN (SELECT value FROM json_each(?))
		ORDER BY incident_id, at, id`, in)
	if err != nil {
		return nil, err
	}
	type pos struct{ inc, upd int }
	updates := map[int64]pos{}
	for rows.Next() {
		var u incidents.Update
		var phase, at, created string
		var ext, updated sql.NullString
		if err := rows.Scan(&u.ID, &u.IncidentID, &phase, &u.Message, &at, &created, &u.Author, &ext, &updated); err != nil {
			rows.Close()
			return nil, err
		}
		u.Phase = incidents.Phase(phase)
		u.ExternalID = ext.String
		if u.At, err = sqlitedb.ParseTime(at); err == nil {
			u.CreatedAt, err = sqlitedb.ParseTime(created)
		}
		if err == nil {
			u.UpdatedAt, err = sqlitedb.ParseNullTime(updated)
		}
		if err != nil {
			rows.Close()
			return nil, err
		}
		i := index[u.IncidentID]
		updates[u.ID] = pos{i, len(list[i].Updates)}
		list[i].Updates = append(list[i].Updates, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := applyEdits(ctx, q, in, func(id int64) *incidents.Update {
		if w, ok := updates[id]; ok {
			return &list[w.inc].Updates[w.upd]
		}
		return nil
	}); err != nil {
		return nil, err
	}

	rows, err = q.QueryContext(ctx, `SELECT c.update_id, c.component_id, c.status, c.affected_percent, c.old_status
		FROM incident_update_components c JOIN incident_updates u ON u.id = c.update_id
		WHERE u.incident_id IN (SELECT value FROM json_each(?))
		ORDER BY c.update_id, c.position`, in)
	if err != nil {
		return nil, err
	}
	type compKey struct {
		update    int64
		component string
	}
	comps := map[compKey]*incidents.ComponentStatus{}
	for rows.Next() {
		var updateID int64
		var cs incidents.ComponentStatus
		var status string
		var old sql.NullString
		if err := rows.Scan(&updateID, &cs.Component, &status, &cs.AffectedPercent, &old); err != nil {
			rows.Close()
			return nil, err
		}
		cs.Status = incidents.Status(status)
		cs.OldStatus = incidents.Status(old.String)
		w, ok := updates[updateID]
		if !ok {
			rows.Close()
			return nil, fmt.Errorf("component status of unknown update %d", updateID)
		}
		u := &list[w.inc].Updates[w.upd]
		u.Components = append(u.Components, cs)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range list {
		for j := range list[i].Updates {
			u := &list[i].Updates[j]
			for k := range u.Components {
				comps[compKey{u.ID, u.Components[k].Component}] = &u.Components[k]
			}
		}
	}

	rows, err = q.QueryContext(ctx, `SELECT c.update_id, c.component_id, c.customer_id, c.affected_resources
		FROM incident_update_component_customers c JOIN incident_updates u ON u.id = c.update_id
		WHERE u.incident_id IN (SELECT value FROM json_each(?))
		ORDER BY c.update_id, c.component_id, c.position`, in)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var k compKey
		var ac incidents.AffectedCustomer
		var n sql.NullInt64
		if err := rows.Scan(&k.update, &k.component, &ac.Customer, &n); err != nil {
			return nil, err
		}
		if n.Valid {
			ac.AffectedResources = &n.Int64
		}
		cs := comps[k]
		if cs == nil {
			return nil, fmt.Errorf("customer of unknown component status %d/%s", k.update, k.component)
		}
		cs.Customers = append(cs.Customers, ac)
	}
	return list, rows.Err()
}

// checkComponents returns errs.Invalid on "components[i].component" for the
// first component u names that does not exist.
func checkComponents(ctx context.Context, tx *sql.Tx, u incidents.Update) error {
	ids := make([]string, len(u.Components))
	for i, cs := range u.Components {
		ids[i] = cs.Component
	}
	i, err := unknownComponent(ctx, tx, ids)
	if err != nil {
		return err
	}
	if i >= 0 {
		return errs.Invalidf(fmt.Sprintf("components[%d].component", i), "unknown component %q", ids[i])
	}
	return nil
}

// insertUpdate stores u as an update of incident id and sets its IDs.
func insertUpdate(ctx context.Context, tx *sql.Tx, id int64, u *incidents.Update) error {
	w := &updateWriter{tx: tx}
	defer w.close()
	return w.insert(ctx, id, u)
}

// updateWriter inserts updates in one transaction through statements
// prepared once (an import writes its rows with importWriter instead).
type updateWriter struct {
	tx                     *sql.Tx
	update, status, person *sql.Stmt
}

func (w *updateWriter) close() {
	for _, st := range []*sql.Stmt{w.update, w.status, w.person} {
		if st != nil {
			st.Close()
		}
	}
}

// stmt returns *st, preparing query the first time.
func (w *updateWriter) stmt(ctx context.Context, st **sql.Stmt, query string) (*sql.Stmt, error) {
	if *st == nil {
		prepared, err := w.tx.PrepareContext(ctx, query)
		if err != nil {
			return nil, err
		}
		*st = prepared
	}
	return *st, nil
}

// insert stores u as an update of incident id and sets its IDs.
func (w *updateWriter) insert(ctx context.Context, id int64, u *incidents.Update) error {
	ins, err := w.stmt(ctx, &w.update, `INSERT INTO incident_updates (incident_id, phase, message, at, created_at, author, external_id, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	res, err := ins.ExecContext(ctx, id, string(u.Phase), u.Message, sqlitedb.FormatTime(u.At), sqlitedb.FormatTime(u.CreatedAt), u.Author,
		sqlitedb.NullString(u.ExternalID), sqlitedb.NullTime(u.UpdatedAt))
	if err != nil {
		return err
	}
	if u.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	u.IncidentID = id
	for i, cs := range u.Components {
		st, err := w.stmt(ctx, &w.status, `INSERT INTO incident_update_components (update_id, position, component_id, status, affected_percent, old_status)
			VALUES (?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		if _, err := st.ExecContext(ctx, u.ID, i, cs.Component, string(cs.Status), int64(cs.AffectedPercent), sqlitedb.NullString(string(cs.OldStatus))); err != nil {
			return err
		}
		for j, ac := range cs.Customers {
			var n any
			if ac.AffectedResources != nil {
				n = *ac.AffectedResources
			}
			st, err := w.stmt(ctx, &w.person, `INSERT INTO incident_update_component_customers
				(update_id, component_id, position, customer_id, affected_resources) VALUES (?, ?, ?, ?, ?)`)
			if err != nil {
				return err
			}
			if _, err := st.ExecContext(ctx, u.ID, cs.Component, j, ac.Customer, n); err != nil {
				return err
			}
		}
	}
	return nil
}

// refreshIncidentDays recomputes the stored days of daily uptime that inc
// covers from "from" on: up to its resolution, or up to now while it goes on.
func refreshIncidentDays(ctx context.Context, tx *sql.Tx, inc incidents.Incident, from, now time.Time) error {
	to := now
	if inc.ResolvedAt != nil {
		to = *inc.ResolvedAt
	}
	return refreshDays(ctx, tx, from, to, now)
}
