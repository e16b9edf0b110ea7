package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
	"github.com/amends/amends/sla"
)

// IncidentTimelines returns the incidents of IncidentsBetween (from, to)
// with what their timelines are made of: each incident's own fields and
// its updates, in order, with their ID, phase, instant and component
// statuses (with the customers each names); no update's message, author,
// CreatedAt, UpdatedAt or external id, and no correction. The SLA
// dashboard reads 13 months of incidents this way (2,000 incidents with
// 5,500 updates at scale).
//
// The incidents, their updates with their component statuses, and the
// customers those name are three reads, each on a connection of its own
// and each started once the one before it has begun, so that they overlap
// and each sees what the one before it saw, or more: what was written
// meanwhile (the updates of an incident not read, the customers of an
// update not read) is left out.
func (st *Store) IncidentTimelines(ctx context.Context, from, to time.Time) (_ []incidents.Incident, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: IncidentTimelines %v to %v", from.UTC(), to.UTC())
	args := overlappingArgs(from, to, st.Now())
	type updateRow struct {
		id, incident int64
		phase        incidents.Phase
		at           time.Time
		statuses     []incidents.ComponentStatus
	}
	type customerRow struct {
		update    int64
		component string
		customer  incidents.AffectedCustomer
	}
	var updates []updateRow
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
		// Each update's component statuses come with it, in order, as
		// "ID STATUS PERCENT OLD_STATUS" joined by commas: one row an
		// update, not one a status, and neither a component's id (letters,
		// digits, "-") nor a status has a space or a comma.
		urows, err := st.db.QueryContext(ctx, `SELECT u.id, u.incident_id, u.phase, u.at,
				(SELECT group_concat(c.component_id || ' ' || c.status || ' ' || c.affected_percent || ' ' || ifnull(c.old_status, ''), ',' ORDER BY c.position)
					FROM incident_update_components c WHERE c.update_id = u.id)
			FROM incident_updates u WHERE u.incident_id IN (`+overlappingIDs+`) ORDER BY u.incident_id, u.at, u.id`, args...)
		close(begun)
		if err != nil {
			return err
		}
		defer urows.Close()
		for urows.Next() {
			var r updateRow
			var phase, at string
			var statuses sql.NullString
			if err := urows.Scan(&r.id, &r.incident, &phase, &at, &statuses); err != nil {
				return err
			}
			r.phase = incidents.Phase(phase)
			if r.at, err = sqlitedb.ParseTime(at); err != nil {
				return err
			}
			if r.statuses, err = parseStatuses(statuses.String); err != nil {
				return fmt.Errorf("update %d: %w", r.id, err)
			}
			updates = append(updates, r)
		}
		return urows.Err()
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
		list[i].Updates = append(list[i].Updates, incidents.Update{ID: r.id, IncidentID: r.incident, Phase: r.phase, At: r.at, Components: r.statuses})
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

// parseStatuses reads the component statuses of an update as
// IncidentTimelines selects them: "ID STATUS PERCENT OLD_STATUS" (an empty
// OLD_STATUS for none), joined by commas; "" for none.
func parseStatuses(s string) ([]incidents.ComponentStatus, error) {
	if s == "" {
		return nil, nil
	}
	out := make([]incidents.ComponentStatus, 0, strings.Count(s, ",")+1)
	for s != "" {
		var one string
		one, s, _ = strings.Cut(s, ",")
		id, rest, ok1 := strings.Cut(one, " ")
		status, rest, ok2 := strings.Cut(rest, " ")
		pct, old, ok3 := strings.Cut(rest, " ")
		n, err := strconv.ParseInt(pct, 10, 64)
		if !ok1 || !ok2 || !ok3 || err != nil || strings.Contains(old, " ") {
			return nil, fmt.Errorf("component status %q is not ID STATUS PERCENT OLD_STATUS", one)
		}
		out = append(out, incidents.ComponentStatus{Component: id, Status: incidents.Status(status), AffectedPercent: sla.Percent(n), OldStatus: incidents.Status(old)})
	}
	return out, nil
}

// IncidentTimelineChanges returns the counts of incident_timeline_changes
// (migration 0010: raised by triggers on every write that may change a
// timeline, under the month from which it may) of the months before the
// month holding before, in order, as "MONTH:N" joined by commas.
func (st *Store) IncidentTimelineChanges(ctx context.Context, before time.Time) (_ string, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: IncidentTimelineChanges %v", before.UTC())
	var mark sql.NullString
	err = st.db.QueryRowContext(ctx, `SELECT group_concat(month || ':' || n, ',' ORDER BY month)
		FROM incident_timeline_changes WHERE month < ?`, before.UTC().Format("2006-01")).Scan(&mark)
	return mark.String, err
}
