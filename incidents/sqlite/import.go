package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
)

// Import records batch in one transaction (see incidents.Store.Import):
// services and components whose IDs exist are reused as they are (a
// service of the batch that no new component goes into is not created);
// an incident whose Source is new is written as given (its instants and
// external ids kept, its Source in incidents.source); one whose Source is
// stored is updated from the batch (see reimport). Each write has its
// audit entry ("service.import", "component.import", "incident.import",
// "incident.reimport"); the stored daily uptime of every day the written
// incidents cover is recomputed. Any error rolls everything back.
func (st *Store) Import(ctx context.Context, by audit.Actor, batch incidents.ImportBatch, now time.Time) (_ incidents.ImportResult, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: Import of %d incidents", len(batch.Incidents))
	var res incidents.ImportResult
	if err := batch.Validate(); err != nil {
		return res, err
	}
	now = now.UTC().Truncate(time.Second)
	err = sqlitedb.InTx(ctx, st.db, func(tx *sql.Tx) error {
		res = incidents.ImportResult{}
		// The components to create, and so the services they need.
		var newComponents []int
		needed := map[string]bool{}
		for i, c := range batch.Components {
			c = c.Normalize()
			if _, err := component(ctx, tx, c.ID); err == nil {
				res.ComponentsReused++
				continue
			} else if errs.CodeOf(err) != errs.NotFound {
				return err
			}
			newComponents = append(newComponents, i)
			needed[c.Service] = true
		}
		for i, s := range batch.Services {
			s = s.Normalize()
			if _, err := service(ctx, tx, s.ID); err == nil {
				res.ServicesReused++
				continue
			} else if errs.CodeOf(err) != errs.NotFound {
				return err
			}
			if !needed[s.ID] {
				continue // no new component goes into it: no empty service
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO services (`+serviceColumns+`, external_id, page_rows) VALUES (?, ?, ?, ?, ?, ?)`,
				s.ID, s.Name, s.Description, s.Position, sqlitedb.NullString(s.ExternalID), s.PageRows); err != nil {
				return fmt.Errorf("services[%d]: %w", i, err)
			}
			if err := sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "service.import", Entity: "service", EntityID: s.ID, After: s, At: now}); err != nil {
				return err
			}
			res.Services++
		}
		for _, i := range newComponents {
			c := batch.Components[i].Normalize()
			if err := knownService(ctx, tx, c.Service); err != nil {
				return errs.Prefix(fmt.Sprintf("components[%d]", i), err)
			}
			var listing any
			if c.Listing != nil {
				b, err := json.Marshal(c.Listing)
				if err != nil {
					return err
				}
				listing = string(b)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO components (id, service_id, name, region, zone, resources, group_name, position, external_id, listing)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, c.Service, c.Name, c.Region, c.Zone, c.Resources, c.Group, c.Position,
				sqlitedb.NullString(c.ExternalID), listing); err != nil {
				return fmt.Errorf("components[%d]: %w", i, err)
			}
			if err := sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "component.import", Entity: "component", EntityID: c.ID, After: c, At: now}); err != nil {
				return err
			}
			res.Components++
		}
		known, err := componentIDs(ctx, tx)
		if err != nil {
			return err
		}
		stored, err := sourceIDs(ctx, tx)
		if err != nil {
			return err
		}
		w, err := newImportWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		var changed []span // what the written incidents cover, for daily uptime
		for i, im := range batch.Incidents {
			inc := im.Incident
			for j, u := range inc.Updates {
				for k, cs := range u.Components {
					if !known[cs.Component] {
						return errs.Invalidf(fmt.Sprintf("incidents[%d].updates[%d].components[%d].component", i, j, k), "unknown component %q", cs.Component)
					}
				}
			}
			if storedID, ok := stored[im.Source]; ok {
				sp, n, err := reimport(ctx, tx, w, by, i, storedID, im, now)
				if err != nil {
					return fmt.Errorf("incidents[%d]: %w", i, err)
				}
				if n == (reimported{}) {
					res.Skipped++
					continue
				}
				if err := w.flushFull(ctx); err != nil {
					return err
				}
				res.Changed++
				res.UpdatesAdded += n.added
				res.Corrected += n.corrected
				changed = append(changed, sp)
				continue
			}
			inc.Updates = append([]incidents.Update(nil), inc.Updates...)
			w.addIncident(i, &inc, im.Source)
			after := struct {
				incidents.Incident
				Source string `json:"source"`
			}{inc, im.Source}
			w.audit(sqlitedb.AuditEntry{Actor: by, Action: "incident.import", Entity: "incident", EntityID: strconv.FormatInt(inc.ID, 10), After: after, At: now})
			if err := w.flushFull(ctx); err != nil {
				return err
			}
			changed = append(changed, span{inc.StartedAt, endOf(inc, now)})
			res.Incidents++
			res.Updates += len(inc.Updates)
		}
		if err := w.flush(ctx); err != nil {
			return err
		}
		return refreshSpans(ctx, tx, changed, now)
	})
	if err != nil {
		return incidents.ImportResult{}, err
	}
	return res, nil
}

// componentIDs is the set of every stored component's ID.
func componentIDs(ctx context.Context, tx *sql.Tx) (map[string]bool, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM components`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// sourceIDs is, by Source, the ID of every incident imported before.
func sourceIDs(ctx context.Context, tx *sql.Tx) (map[string]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT source, id FROM incidents WHERE source IS NOT NULL`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var source string
		var id int64
		if err := rows.Scan(&source, &id); err != nil {
			return nil, err
		}
		out[source] = id
	}
	return out, rows.Err()
}

// endOf is when inc stops covering days: its resolution, else now.
func endOf(inc incidents.Incident, now time.Time) time.Time {
	if inc.ResolvedAt != nil && inc.ResolvedAt.Before(now) {
		return *inc.ResolvedAt
	}
	return now
}

// reimported counts what reimport changed.
type reimported struct {
	added, corrected, head int
}

// updateKey is how an imported update is known again: by its external id,
// else by its instant and phase.
func updateKey(u incidents.Update) string {
	if u.ExternalID != "" {
		return "id:" + u.ExternalID
	}
	return "at:" + sqlitedb.FormatTime(u.At) + "/" + string(u.Phase)
}

// reimport updates stored incident id from im, a later import of its
// origin: updates not stored yet are appended, an update whose text
// changed at the origin gets an imported edit row (the update row stays as
// published; the audit entry keeps both texts), and the incident's title, impact, phase, resolution and
// instants are set to the batch's. Updates the batch no longer has are
// kept (history is append-only), and a stored resolution stays. It returns
// the span of time whose daily uptime may have changed and what changed;
// nothing changed writes nothing.
func reimport(ctx context.Context, tx *sql.Tx, w *importWriter, by audit.Actor, i int, id int64, im incidents.ImportedIncident, now time.Time) (span, reimported, error) {
	var n reimported
	stored, err := incident(ctx, tx, id)
	if err != nil {
		return span{}, n, err
	}
	origin, err := originTexts(ctx, tx, id)
	if err != nil {
		return span{}, n, err
	}
	have := make(map[string]incidents.Update, len(stored.Updates))
	for _, u := range stored.Updates {
		have[updateKey(u)] = u
	}
	next := im.Incident
	from := next.StartedAt
	if stored.StartedAt.Before(from) {
		from = stored.StartedAt
	}
	earliestChange := time.Time{}
	touch := func(t time.Time) {
		if earliestChange.IsZero() || t.Before(earliestChange) {
			earliestChange = t
		}
	}
	var added, corrected []incidents.Update
	for _, u := range next.Updates {
		old, ok := have[updateKey(u)]
		if !ok {
			w.addUpdate(id, &u, rowLabel{i, -1})
			added = append(added, u)
			touch(u.At)
			continue
		}
		// Only a change at the origin is applied: the text is compared with
		// what the page shows now and with what the origin said when last
		// imported, so that the same document again writes nothing and a
		// correction made here stands until the origin changes the text.
		if old.Message == u.Message || origin[old.ID] == u.Message {
			continue
		}
		if old.ExternalID == "" {
			return span{}, n, errs.Conflictf("update %d of incident %d was not imported: its text is not corrected", old.ID, id)
		}
		edited := now
		if u.UpdatedAt != nil {
			edited = *u.UpdatedAt
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO incident_update_edits (update_id, message, edited_at, author, imported) VALUES (?, ?, ?, ?, 1)`,
			old.ID, u.Message, sqlitedb.FormatTime(edited), by.AuditLabel()); err != nil {
			return span{}, n, err
		}
		corrected = append(corrected, old)
		w.audit(sqlitedb.AuditEntry{Actor: by, Action: "incident.update.correct", Entity: "incident", EntityID: strconv.FormatInt(id, 10),
			Before: updateText{old.ID, old.Message}, After: updateText{old.ID, u.Message}, At: now})
	}
	// The head: a stored resolution stays, and the phase never goes back.
	head := stored
	head.Title, head.Impact, head.CreatedAt, head.UpdatedAt = next.Title, next.Impact, next.CreatedAt, next.UpdatedAt
	if next.StartedAt.Before(head.StartedAt) {
		head.StartedAt = next.StartedAt
	}
	if next.Phase.Rank() > head.Phase.Rank() {
		head.Phase = next.Phase
	}
	if head.ResolvedAt == nil && next.ResolvedAt != nil {
		head.ResolvedAt = next.ResolvedAt
		touch(*next.ResolvedAt)
	}
	headChanged := head.Title != stored.Title || head.Impact != stored.Impact || head.Phase != stored.Phase ||
		!head.StartedAt.Equal(stored.StartedAt) || !head.CreatedAt.Equal(stored.CreatedAt) || !head.UpdatedAt.Equal(stored.UpdatedAt) ||
		(head.ResolvedAt == nil) != (stored.ResolvedAt == nil)
	if !headChanged && len(added) == 0 && len(corrected) == 0 {
		return span{}, n, nil
	}
	if !head.StartedAt.Equal(stored.StartedAt) {
		touch(head.StartedAt)
	}
	if headChanged {
		n.head = 1
		if _, err := tx.ExecContext(ctx, `UPDATE incidents SET title = ?, impact = ?, phase = ?, started_at = ?, resolved_at = ?, created_at = ?, updated_at = ?
			WHERE id = ?`, head.Title, string(head.Impact), string(head.Phase), sqlitedb.FormatTime(head.StartedAt), sqlitedb.NullTime(head.ResolvedAt),
			sqlitedb.FormatTime(head.CreatedAt), sqlitedb.FormatTime(head.UpdatedAt), id); err != nil {
			return span{}, n, err
		}
	}
	before, after := stored, head
	before.Updates, after.Updates = nil, added
	w.audit(sqlitedb.AuditEntry{Actor: by, Action: "incident.reimport", Entity: "incident",
		EntityID: strconv.FormatInt(id, 10), Before: before, After: after, At: now})
	n.added, n.corrected = len(added), len(corrected)
	if earliestChange.IsZero() {
		earliestChange = from
	}
	end := endOf(head, now)
	if e := endOf(stored, now); e.After(end) {
		end = e // the days it was open for before are recomputed too
	}
	return span{earliestChange, end}, n, nil
}

// originTexts is, by update ID, the text each update of incident id had at
// its origin when last imported: its newest imported edit's, else its own.
func originTexts(ctx context.Context, tx *sql.Tx, id int64) (map[int64]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT u.id, coalesce((SELECT e.message FROM incident_update_edits e
			WHERE e.update_id = u.id AND e.imported = 1 ORDER BY e.id DESC LIMIT 1), u.message)
		FROM incident_updates u WHERE u.incident_id = ?`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var uid int64
		var text string
		if err := rows.Scan(&uid, &text); err != nil {
			return nil, err
		}
		out[uid] = text
	}
	return out, rows.Err()
}
