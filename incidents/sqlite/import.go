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

// Import records batch in one transaction (see incidents.Store.Import):
// services and components whose IDs exist are reused as they are;
// incidents whose Source is already stored are skipped; the rest are
// written as given (their instants backfilled, their Source kept in
// incidents.source), each with its audit entry ("service.import",
// "component.import", "incident.import"). Any error rolls everything back.
func (st *Store) Import(ctx context.Context, by audit.Actor, batch incidents.ImportBatch, now time.Time) (_ incidents.ImportResult, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: Import of %d incidents", len(batch.Incidents))
	var res incidents.ImportResult
	if err := batch.Validate(); err != nil {
		return res, err
	}
	now = now.UTC().Truncate(time.Second)
	err = sqlitedb.InTx(ctx, st.db, func(tx *sql.Tx) error {
		res = incidents.ImportResult{}
		for i, s := range batch.Services {
			s = s.Normalize()
			if _, err := service(ctx, tx, s.ID); err == nil {
				res.ServicesReused++
				continue
			} else if errs.CodeOf(err) != errs.NotFound {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO services (`+serviceColumns+`) VALUES (?, ?, ?, ?)`,
				s.ID, s.Name, s.Description, s.Position); err != nil {
				return fmt.Errorf("services[%d]: %w", i, err)
			}
			if err := sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "service.import", Entity: "service", EntityID: s.ID, After: s, At: now}); err != nil {
				return err
			}
			res.Services++
		}
		for i, c := range batch.Components {
			c = c.Normalize()
			if _, err := component(ctx, tx, c.ID); err == nil {
				res.ComponentsReused++
				continue
			} else if errs.CodeOf(err) != errs.NotFound {
				return err
			}
			if err := knownService(ctx, tx, c.Service); err != nil {
				return errs.Prefix(fmt.Sprintf("components[%d]", i), err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO components (id, service_id, name, region, zone, resources, group_name, position)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, c.Service, c.Name, c.Region, c.Zone, c.Resources, c.Group, c.Position); err != nil {
				return fmt.Errorf("components[%d]: %w", i, err)
			}
			if err := sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "component.import", Entity: "component", EntityID: c.ID, After: c, At: now}); err != nil {
				return err
			}
			res.Components++
		}
		var changed []span // what the imported incidents cover, for daily uptime
		for i, im := range batch.Incidents {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM incidents WHERE source = ?`, im.Source).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				res.Skipped++
				continue
			}
			inc := im.Incident
			for j, u := range inc.Updates {
				if err := checkComponents(ctx, tx, u); err != nil {
					return errs.Prefix(fmt.Sprintf("incidents[%d].updates[%d]", i, j), err)
				}
			}
			r, err := tx.ExecContext(ctx, `INSERT INTO incidents (title, impact, phase, started_at, resolved_at, excluded, created_at, updated_at, source)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				inc.Title, string(inc.Impact), string(inc.Phase), sqlitedb.FormatTime(inc.StartedAt), sqlitedb.NullTime(inc.ResolvedAt),
				inc.Excluded, sqlitedb.FormatTime(inc.CreatedAt), sqlitedb.FormatTime(inc.UpdatedAt), im.Source)
			if err != nil {
				return fmt.Errorf("incidents[%d]: %w", i, err)
			}
			if inc.ID, err = r.LastInsertId(); err != nil {
				return err
			}
			inc.Updates = append([]incidents.Update(nil), inc.Updates...)
			for j := range inc.Updates {
				if err := insertUpdate(ctx, tx, inc.ID, &inc.Updates[j]); err != nil {
					return fmt.Errorf("incidents[%d].updates[%d]: %w", i, j, err)
				}
			}
			after := struct {
				incidents.Incident
				Source string `json:"source"`
			}{inc, im.Source}
			if err := sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "incident.import", Entity: "incident", EntityID: strconv.FormatInt(inc.ID, 10), After: after, At: now}); err != nil {
				return err
			}
			end := now
			if inc.ResolvedAt != nil {
				end = *inc.ResolvedAt
			}
			changed = append(changed, span{inc.StartedAt, end})
			res.Incidents++
			res.Updates += len(inc.Updates)
		}
		return refreshSpans(ctx, tx, changed, now)
	})
	if err != nil {
		return incidents.ImportResult{}, err
	}
	return res, nil
}
