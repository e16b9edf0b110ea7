package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
)

const serviceColumns = `id, name, description, position`

// serviceSelect is what scanService reads.
const serviceSelect = serviceColumns + `, external_id, page_rows`

func scanService(row interface{ Scan(...any) error }) (incidents.Service, error) {
	var s incidents.Service
	var ext sql.NullString
	err := row.Scan(&s.ID, &s.Name, &s.Description, &s.Position, &ext, &s.PageRows)
	s.ExternalID = ext.String
	return s, err
}

// Services returns every service by position, then ID.
func (st *Store) Services(ctx context.Context) (_ []incidents.Service, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: Services")
	return services(ctx, st.db)
}

func services(ctx context.Context, q sqlitedb.Queryer) ([]incidents.Service, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+serviceSelect+` FROM services ORDER BY position, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []incidents.Service
	for rows.Next() {
		s, err := scanService(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Service returns one service; errs.NotFound if there is none.
func (st *Store) Service(ctx context.Context, id string) (_ incidents.Service, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: Service %q", id)
	return service(ctx, st.db, id)
}

func service(ctx context.Context, q sqlitedb.Queryer, id string) (incidents.Service, error) {
	s, err := scanService(q.QueryRowContext(ctx, `SELECT `+serviceSelect+` FROM services WHERE id = ?`, id))
	if err != nil {
		return incidents.Service{}, notFound(err, "service %q not found", id)
	}
	return s, nil
}

// CreateService adds s; errs.Invalid if it breaks a rule, errs.Conflict if
// its ID is taken.
func (st *Store) CreateService(ctx context.Context, by audit.Actor, s incidents.Service, now time.Time) (_ incidents.Service, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: CreateService %q", s.ID)
	s = s.Normalize()
	if err := s.Validate(); err != nil {
		return incidents.Service{}, err
	}
	err = sqlitedb.InTx(ctx, st.db, func(tx *sql.Tx) error {
		if _, err := service(ctx, tx, s.ID); err == nil {
			return errs.Conflictf("service %q already exists", s.ID)
		} else if errs.CodeOf(err) != errs.NotFound {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO services (`+serviceColumns+`) VALUES (?, ?, ?, ?)`,
			s.ID, s.Name, s.Description, s.Position); err != nil {
			return err
		}
		return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "service.create", Entity: "service", EntityID: s.ID, After: s, At: now})
	})
	if err != nil {
		return incidents.Service{}, err
	}
	return s, nil
}

// UpdateService replaces the service with s's ID; errs.NotFound if none.
func (st *Store) UpdateService(ctx context.Context, by audit.Actor, s incidents.Service, now time.Time) (_ incidents.Service, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: UpdateService %q", s.ID)
	s = s.Normalize()
	if err := s.Validate(); err != nil {
		return incidents.Service{}, err
	}
	err = sqlitedb.InTx(ctx, st.db, func(tx *sql.Tx) error {
		before, err := service(ctx, tx, s.ID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE services SET name = ?, description = ?, position = ? WHERE id = ?`,
			s.Name, s.Description, s.Position, s.ID); err != nil {
			return err
		}
		return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "service.update", Entity: "service", EntityID: s.ID, Before: before, After: s, At: now})
	})
	if err != nil {
		return incidents.Service{}, err
	}
	return s, nil
}

const componentColumns = `c.id, c.service_id, c.name, c.region, c.zone, c.resources, c.group_name, c.position, c.external_id, c.listing`

func scanComponent(row interface{ Scan(...any) error }) (incidents.Component, error) {
	var c incidents.Component
	var ext, listing sql.NullString
	if err := row.Scan(&c.ID, &c.Service, &c.Name, &c.Region, &c.Zone, &c.Resources, &c.Group, &c.Position, &ext, &listing); err != nil {
		return c, err
	}
	c.ExternalID = ext.String
	if listing.Valid {
		c.Listing = &incidents.ComponentListing{}
		if err := json.Unmarshal([]byte(listing.String), c.Listing); err != nil {
			return c, fmt.Errorf("component %q: listing: %w", c.ID, err)
		}
	}
	return c, nil
}

// Components returns every component, ordered by service (position, ID),
// then group (the group of the lowest-positioned component first, so an
// admin orders groups by ordering components), then position and ID.
func (st *Store) Components(ctx context.Context) (_ []incidents.Component, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: Components")
	return components(ctx, st.db)
}

func components(ctx context.Context, q sqlitedb.Queryer) ([]incidents.Component, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+componentColumns+`
		FROM components c JOIN services s ON s.id = c.service_id
		ORDER BY s.position, s.id,
			MIN(c.position) OVER (PARTITION BY c.service_id, c.group_name), c.group_name,
			c.position, c.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []incidents.Component
	for rows.Next() {
		c, err := scanComponent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// componentsAnyOrder is every component in no particular order, for
// readers that look them up by ID (without the ordering's sort).
func componentsAnyOrder(ctx context.Context, q sqlitedb.Queryer) ([]incidents.Component, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+componentColumns+` FROM components c`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []incidents.Component
	for rows.Next() {
		c, err := scanComponent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Component returns one component; errs.NotFound if there is none.
func (st *Store) Component(ctx context.Context, id string) (_ incidents.Component, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: Component %q", id)
	return component(ctx, st.db, id)
}

func component(ctx context.Context, q sqlitedb.Queryer, id string) (incidents.Component, error) {
	c, err := scanComponent(q.QueryRowContext(ctx, `SELECT `+componentColumns+` FROM components c WHERE c.id = ?`, id))
	if err != nil {
		return incidents.Component{}, notFound(err, "component %q not found", id)
	}
	return c, nil
}

// CreateComponent adds c: errs.Invalid if it breaks a rule or its service
// is unknown ("service"), errs.Conflict if its ID is taken.
func (st *Store) CreateComponent(ctx context.Context, by audit.Actor, c incidents.Component, now time.Time) (_ incidents.Component, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: CreateComponent %q", c.ID)
	c = c.Normalize()
	if err := c.Validate(); err != nil {
		return incidents.Component{}, err
	}
	err = sqlitedb.InTx(ctx, st.db, func(tx *sql.Tx) error {
		if err := knownService(ctx, tx, c.Service); err != nil {
			return err
		}
		if _, err := component(ctx, tx, c.ID); err == nil {
			return errs.Conflictf("component %q already exists", c.ID)
		} else if errs.CodeOf(err) != errs.NotFound {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO components (id, service_id, name, region, zone, resources, group_name, position)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, c.Service, c.Name, c.Region, c.Zone, c.Resources, c.Group, c.Position); err != nil {
			return err
		}
		return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "component.create", Entity: "component", EntityID: c.ID, After: c, At: now})
	})
	if err != nil {
		return incidents.Component{}, err
	}
	return c, nil
}

// UpdateComponent replaces the component with c's ID: errs.NotFound if
// none, errs.Invalid if c breaks a rule or its service is unknown.
func (st *Store) UpdateComponent(ctx context.Context, by audit.Actor, c incidents.Component, now time.Time) (_ incidents.Component, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: UpdateComponent %q", c.ID)
	c = c.Normalize()
	if err := c.Validate(); err != nil {
		return incidents.Component{}, err
	}
	err = sqlitedb.InTx(ctx, st.db, func(tx *sql.Tx) error {
		before, err := component(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		if err := knownService(ctx, tx, c.Service); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE components SET service_id = ?, name = ?, region = ?, zone = ?, resources = ?, group_name = ?, position = ?
			WHERE id = ?`, c.Service, c.Name, c.Region, c.Zone, c.Resources, c.Group, c.Position, c.ID); err != nil {
			return err
		}
		return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "component.update", Entity: "component", EntityID: c.ID, Before: before, After: c, At: now})
	})
	if err != nil {
		return incidents.Component{}, err
	}
	return c, nil
}

func knownService(ctx context.Context, tx *sql.Tx, id string) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM services WHERE id = ?`, id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return errs.Invalidf("service", "unknown service %q", id)
	}
	return nil
}

// unknownComponent returns the index of the first id in ids that names no
// component, or -1.
func unknownComponent(ctx context.Context, tx *sql.Tx, ids []string) (int, error) {
	if len(ids) == 0 {
		return -1, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT id FROM components WHERE id IN (SELECT value FROM json_each(?))`, idList(ids))
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	known := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return 0, err
		}
		known[id] = true
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for i, id := range ids {
		if !known[id] {
			return i, nil
		}
	}
	return -1, nil
}
