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

// CreateMaintenance schedules a maintenance (see incidents.NewMaintenance);
// an unknown component is errs.Invalid on "components[i]".
func (st *Store) CreateMaintenance(ctx context.Context, by audit.Actor, in incidents.MaintenanceInput, now time.Time) (_ incidents.Maintenance, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: CreateMaintenance %q", in.Title)
	m, err := incidents.NewMaintenance(by.AuditLabel(), in, now)
	if err != nil {
		return incidents.Maintenance{}, err
	}
	err = sqlitedb.InTx(ctx, st.db, func(tx *sql.Tx) error {
		i, err := unknownComponent(ctx, tx, m.Components)
		if err != nil {
			return err
		}
		if i >= 0 {
			return errs.Invalidf(fmt.Sprintf("components[%d]", i), "unknown component %q", m.Components[i])
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO maintenances (title, message, starts_at, ends_at, announced_at, phase, created_at, author)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, m.Title, m.Message, sqlitedb.FormatTime(m.StartsAt), sqlitedb.FormatTime(m.EndsAt), sqlitedb.FormatTime(m.AnnouncedAt),
			string(m.Phase), sqlitedb.FormatTime(m.CreatedAt), m.Author)
		if err != nil {
			return err
		}
		if m.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		for i, c := range m.Components {
			if _, err := tx.ExecContext(ctx, `INSERT INTO maintenance_components (maintenance_id, position, component_id) VALUES (?, ?, ?)`,
				m.ID, i, c); err != nil {
				return err
			}
		}
		if err := refreshDays(ctx, tx, m.StartsAt, m.EndsAt, m.CreatedAt); err != nil {
			return err
		}
		return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "maintenance.create", Entity: "maintenance", EntityID: strconv.FormatInt(m.ID, 10), After: m, At: m.CreatedAt})
	})
	if err != nil {
		return incidents.Maintenance{}, err
	}
	return m, nil
}

// AdvanceMaintenance moves maintenance id's phase forward from its
// PhaseAt(now) (see incidents.Maintenance.Advance): errs.NotFound,
// errs.Invalid on "phase" for an unknown phase, errs.Conflict for the same
// or an earlier one.
func (st *Store) AdvanceMaintenance(ctx context.Context, by audit.Actor, id int64, to incidents.MaintenancePhase, now time.Time) (_ incidents.Maintenance, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: AdvanceMaintenance %d to %s", id, to)
	var out incidents.Maintenance
	err = sqlitedb.InTx(ctx, st.db, func(tx *sql.Tx) error {
		m, err := maintenance(ctx, tx, id)
		if err != nil {
			return err
		}
		next, err := m.Advance(to, now)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE maintenances SET phase = ? WHERE id = ?`, string(next.Phase), id); err != nil {
			return err
		}
		out = next
		// The engine reads only the window and its announcement, which a
		// phase change keeps; recomputing keeps that true if it changes.
		if err := refreshDays(ctx, tx, next.StartsAt, next.EndsAt, now); err != nil {
			return err
		}
		return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "maintenance.advance", Entity: "maintenance", EntityID: strconv.FormatInt(id, 10), Before: m, After: next, At: now.UTC().Truncate(time.Second)})
	})
	return out, err
}

// Maintenance returns maintenance id; errs.NotFound.
func (st *Store) Maintenance(ctx context.Context, id int64) (_ incidents.Maintenance, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: Maintenance %d", id)
	return maintenance(ctx, st.db, id)
}

// Maintenances returns the maintenances not completed at now, soonest
// StartsAt first.
func (st *Store) Maintenances(ctx context.Context, now time.Time) (_ []incidents.Maintenance, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: Maintenances as of %v", now.UTC())
	return listMaintenances(ctx, st.db, `WHERE phase <> 'completed' AND ends_at > ? ORDER BY starts_at, id`, sqlitedb.FormatTime(now))
}

// PastMaintenances returns a page of the maintenances completed by now (the
// Store's clock), latest StartsAt first, and how many there are in all.
// errs.Invalid on "offset" or "limit" for a negative offset or a limit below 1.
func (st *Store) PastMaintenances(ctx context.Context, offset, limit int) (_ []incidents.Maintenance, _ int, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: PastMaintenances offset %d limit %d", offset, limit)
	if err := page(offset, limit); err != nil {
		return nil, 0, err
	}
	now := sqlitedb.FormatTime(st.Now())
	var total int
	if err := st.db.QueryRowContext(ctx, `SELECT count(*) FROM maintenances WHERE phase = 'completed' OR ends_at <= ?`, now).Scan(&total); err != nil {
		return nil, 0, err
	}
	list, err := listMaintenances(ctx, st.db, `WHERE phase = 'completed' OR ends_at <= ? ORDER BY starts_at DESC, id DESC LIMIT ? OFFSET ?`, now, limit, offset)
	return list, total, err
}

// MaintenancesBetween returns every maintenance whose window [StartsAt,
// EndsAt) overlaps [from, to), soonest StartsAt first.
func (st *Store) MaintenancesBetween(ctx context.Context, from, to time.Time) (_ []incidents.Maintenance, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: MaintenancesBetween %v to %v", from.UTC(), to.UTC())
	return listMaintenances(ctx, st.db, `WHERE starts_at < ? AND ends_at > ? ORDER BY starts_at, id`, sqlitedb.FormatTime(to), sqlitedb.FormatTime(from))
}

func maintenance(ctx context.Context, q sqlitedb.Queryer, id int64) (incidents.Maintenance, error) {
	list, err := listMaintenances(ctx, q, `WHERE id = ?`, id)
	if err != nil {
		return incidents.Maintenance{}, err
	}
	if len(list) == 0 {
		return incidents.Maintenance{}, errs.NotFoundf("maintenance %d not found", id)
	}
	return list[0], nil
}

// listMaintenances loads the maintenances that where selects, with their
// components, in two queries.
func listMaintenances(ctx context.Context, q sqlitedb.Queryer, where string, args ...any) ([]incidents.Maintenance, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, title, message, starts_at, ends_at, announced_at, phase, created_at, author
		FROM maintenances `+where, args...)
	if err != nil {
		return nil, err
	}
	var list []incidents.Maintenance
	index := map[int64]int{}
	for rows.Next() {
		var m incidents.Maintenance
		var starts, ends, announced, phase, created string
		if err := rows.Scan(&m.ID, &m.Title, &m.Message, &starts, &ends, &announced, &phase, &created, &m.Author); err != nil {
			rows.Close()
			return nil, err
		}
		m.Phase = incidents.MaintenancePhase(phase)
		for _, f := range []struct {
			dst *time.Time
			src string
		}{{&m.StartsAt, starts}, {&m.EndsAt, ends}, {&m.AnnouncedAt, announced}, {&m.CreatedAt, created}} {
			if *f.dst, err = sqlitedb.ParseTime(f.src); err != nil {
				rows.Close()
				return nil, err
			}
		}
		index[m.ID] = len(list)
		list = append(list, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(list))
	for i, m := range list {
		ids[i] = m.ID
	}
	rows, err = q.QueryContext(ctx, `SELECT maintenance_id, component_id FROM maintenance_components
		WHERE maintenance_id IN (SELECT value FROM json_each(?)) ORDER BY maintenance_id, position`, idList(ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var c string
		if err := rows.Scan(&id, &c); err != nil {
			return nil, err
		}
		i := index[id]
		list[i].Components = append(list[i].Components, c)
	}
	return list, rows.Err()
}
