package sqlite

import (
	"context"
	"database/sql"
	"fmt"
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
// 5,500 updates at scale), its three reads of the updates' parts at once.
func (st *Store) IncidentTimelines(ctx context.Context, from, to time.Time) (_ []incidents.Incident, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: IncidentTimelines %v to %v", from.UTC(), to.UTC())
	rows, err := st.db.QueryContext(ctx, `SELECT `+incidentColumns+` FROM incidents_live `+overlappingWhere, overlappingArgs(from, to, st.Now())...)
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

	// The updates, their component statuses and the customers those name
	// are read at once, each on a connection of its own, and put together
	// after.
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
	var g errgroup.Group
	g.Go(func() error {
		rows, err := st.db.QueryContext(ctx, `SELECT id, incident_id, phase, at FROM incident_updates
			WHERE incident_id IN (SELECT value FROM json_each(?)) ORDER BY incident_id, at, id`, in)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r updateRow
			var phase, at string
			if err := rows.Scan(&r.id, &r.incident, &phase, &at); err != nil {
				return err
			}
			r.phase = incidents.Phase(phase)
			if r.at, err = sqlitedb.ParseTime(at); err != nil {
				return err
			}
			updates = append(updates, r)
		}
		return rows.Err()
	})
	g.Go(func() error {
		rows, err := st.db.QueryContext(ctx, `SELECT c.update_id, c.component_id, c.status, c.affected_percent, c.old_status
			FROM incident_update_components c JOIN incident_updates u ON u.id = c.update_id
			WHERE u.incident_id IN (SELECT value FROM json_each(?))
			ORDER BY c.update_id, c.position`, in)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r statusRow
			var status string
			var old sql.NullString
			if err := rows.Scan(&r.update, &r.status.Component, &status, &r.status.AffectedPercent, &old); err != nil {
				return err
			}
			r.status.Status, r.status.OldStatus = incidents.Status(status), incidents.Status(old.String)
			statuses = append(statuses, r)
		}
		return rows.Err()
	})
	g.Go(func() error {
		rows, err := st.db.QueryContext(ctx, `SELECT c.update_id, c.component_id, c.customer_id, c.affected_resources
			FROM incident_update_component_customers c JOIN incident_updates u ON u.id = c.update_id
			WHERE u.incident_id IN (SELECT value FROM json_each(?))
			ORDER BY c.update_id, c.component_id, c.position`, in)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r customerRow
			var n sql.NullInt64
			if err := rows.Scan(&r.update, &r.component, &r.customer.Customer, &n); err != nil {
				return err
			}
			if n.Valid {
				r.customer.AffectedResources = &n.Int64
			}
			customers = append(customers, r)
		}
		return rows.Err()
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}

	// Each incident's updates in one slice of the length it needs.
	count := make([]int, len(list))
	for _, r := range updates {
		count[index[r.incident]]++
	}
	for i := range list {
		list[i].Updates = make([]incidents.Update, 0, count[i])
	}
	type pos struct{ inc, upd int }
	at := make(map[int64]pos, len(updates))
	for _, r := range updates {
		i := index[r.incident]
		at[r.id] = pos{i, len(list[i].Updates)}
		list[i].Updates = append(list[i].Updates, incidents.Update{ID: r.id, IncidentID: r.incident, Phase: r.phase, At: r.at})
	}
	for _, r := range statuses {
		w, ok := at[r.update]
		if !ok {
			return nil, fmt.Errorf("component status of unknown update %d", r.update)
		}
		u := &list[w.inc].Updates[w.upd]
		u.Components = append(u.Components, r.status)
	}
	for _, r := range customers {
		w, ok := at[r.update]
		var cs *incidents.ComponentStatus
		if ok {
			u := &list[w.inc].Updates[w.upd]
			for k := range u.Components {
				if u.Components[k].Component == r.component {
					cs = &u.Components[k]
				}
			}
		}
		if cs == nil {
			return nil, fmt.Errorf("customer of unknown component status %d/%s", r.update, r.component)
		}
		cs.Customers = append(cs.Customers, r.customer)
	}
	return list, nil
}
