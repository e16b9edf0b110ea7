package sqlite

import (
	"context"
	"database/sql"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
)

// IncidentTimelines returns the incidents of IncidentsBetween (from, to)
// with what their timelines are made of: each incident's own fields and
// its updates, in order, with their ID, phase, instant and component
// statuses (with the customers each names); no update's message, author,
// CreatedAt, UpdatedAt or external id, and no correction. The SLA
// dashboard reads 13 months of incidents this way (2,000 incidents with
// 5,500 updates at scale).
//
// The incidents, their updates, the updates' component statuses and the
// customers those name are four reads, each on a connection of its own
// and each started once the one before it has begun, so that they overlap
// and each sees what the one before it saw, or more: an update read has
// all its component statuses, and what was written meanwhile (the updates
// of an incident not read, the statuses of an update not read) is left
// out.
func (st *Store) IncidentTimelines(ctx context.Context, from, to time.Time) (_ []incidents.Incident, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: IncidentTimelines %v to %v", from.UTC(), to.UTC())
	args := overlappingArgs(from, to, st.Now())
	type updateRow struct {
		id, incident int64
		phase        incidents.Phase
		at           time.Time
	}
	type statusRow struct {
		update int64
		status incidents.ComponentStatus
	}
	type customerRow struct {
		update    int64
		component string
		customer  incidents.AffectedCustomer
	}
	var updates []updateRow
	var statuses []statusRow
	var customers []customerRow

	rows, err := st.db.QueryContext(ctx, `SELECT `+incidentColumns+` FROM incidents_live `+overlappingWhere, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	// Each read's first step, which QueryContext takes, starts its
	// snapshot; the next read starts after it.
	var g errgroup.Group
	begun := make(chan struct{})
	g.Go(func() error {
		urows, err := st.db.QueryContext(ctx, `SELECT id, incident_id, phase, at FROM incident_updates
			WHERE incident_id IN (`+overlappingIDs+`) ORDER BY incident_id, at, id`, args...)
		close(begun)
		if err != nil {
			return err
		}
		defer urows.Close()
		for urows.Next() {
			var r updateRow
			var phase, at string
			if err := urows.Scan(&r.id, &r.incident, &phase, &at); err != nil {
				return err
			}
			r.phase = incidents.Phase(phase)
			if r.at, err = sqlitedb.ParseTime(at); err != nil {
				return err
			}
			updates = append(updates, r)
		}
		return urows.Err()
	})
	g.Go(func() error {
		<-begun
		crows, err := st.db.QueryContext(ctx, `SELECT c.update_id, c.component_id, c.status, c.affected_percent, c.old_status
			FROM incident_update_components c JOIN incident_updates u ON u.id = c.update_id
			WHERE u.incident_id IN (`+overlappingIDs+`)
			ORDER BY c.update_id, c.position`, args...)
		if err != nil {
			return err
		}
		defer crows.Close()
		for crows.Next() {
			var r statusRow
			var status string
			var old sql.NullString
			if err := crows.Scan(&r.update, &r.status.Component, &status, &r.status.AffectedPercent, &old); err != nil {
				return err
			}
			r.status.Status, r.status.OldStatus = incidents.Status(status), incidents.Status(old.String)
			statuses = append(statuses, r)
		}
		return crows.Err()
	})
	g.Go(func() error {
		<-begun
		crows, err := st.db.QueryContext(ctx, `SELECT c.update_id, c.component_id, c.customer_id, c.affected_resources
			FROM incident_update_component_customers c JOIN incident_updates u ON u.id = c.update_id
			WHERE u.incident_id IN (`+overlappingIDs+`)
			ORDER BY c.update_id, c.component_id, c.position`, args...)
		if err != nil {
			return err
		}
		defer crows.Close()
		for crows.Next() {
			var r customerRow
			var n sql.NullInt64
			if err := crows.Scan(&r.update, &r.component, &r.customer.Customer, &n); err != nil {
				return err
			}
			if n.Valid {
				r.customer.AffectedResources = &n.Int64
			}
			customers = append(customers, r)
		}
		return crows.Err()
	})

	var list []incidents.Incident
	index := map[int64]int{}
	err = func() error {
		for rows.Next() {
			inc, err := scanIncident(rows)
			if err != nil {
				return err
			}
			index[inc.ID] = len(list)
			list = append(list, inc)
		}
		return rows.Err()
	}()
	if werr := g.Wait(); err == nil {
		err = werr
	}
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, nil
	}

	// Each incident's updates in one slice of the length it needs.
	count := make([]int, len(list))
	for _, r := range updates {
		if i, ok := index[r.incident]; ok {
			count[i]++
		}
	}
	for i := range list {
		list[i].Updates = make([]incidents.Update, 0, count[i])
	}
	type pos struct{ inc, upd int }
	at := make(map[int64]pos, len(updates))
	for _, r := range updates {
		i, ok := index[r.incident]
		if !ok {
			continue // an incident started since it was read
		}
		at[r.id] = pos{i, len(list[i].Updates)}
		list[i].Updates = append(list[i].Updates, incidents.Update{ID: r.id, IncidentID: r.incident, Phase: r.phase, At: r.at})
	}
	for _, r := range statuses {
		if w, ok := at[r.update]; ok {
			u := &list[w.inc].Updates[w.upd]
			u.Components = append(u.Components, r.status)
		}
	}
	for _, r := range customers {
		w, ok := at[r.update]
		if !ok {
			continue
		}
		u := &list[w.inc].Updates[w.upd]
		for k := range u.Components {
			if u.Components[k].Component == r.component {
				u.Components[k].Customers = append(u.Components[k].Customers, r.customer)
			}
		}
	}
	return list, nil
}
