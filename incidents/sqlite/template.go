package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
	"github.com/amends/amends/sla"
)

const templateColumns = `id, name, title, impact, message, no_components, created_at, updated_at`

// Templates returns every incident template, by name.
func (st *Store) Templates(ctx context.Context) (_ []incidents.Template, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: Templates")
	return templates(ctx, st.db, `SELECT `+templateColumns+` FROM incident_templates ORDER BY name COLLATE NOCASE, id`)
}

// Template returns one incident template; errs.NotFound.
func (st *Store) Template(ctx context.Context, id int64) (_ incidents.Template, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: Template %d", id)
	return template(ctx, st.db, id)
}

func template(ctx context.Context, q sqlitedb.Queryer, id int64) (incidents.Template, error) {
	list, err := templates(ctx, q, `SELECT `+templateColumns+` FROM incident_templates WHERE id = ?`, id)
	if err != nil {
		return incidents.Template{}, err
	}
	if len(list) == 0 {
		return incidents.Template{}, errs.NotFoundf("incident template %d not found", id)
	}
	return list[0], nil
}

// templates reads the templates query selects, with their components.
func templates(ctx context.Context, q sqlitedb.Queryer, query string, args ...any) ([]incidents.Template, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	var out []incidents.Template
	at := map[int64]int{}
	for rows.Next() {
		var t incidents.Template
		var created, updated string
		if err := rows.Scan(&t.ID, &t.Name, &t.Title, &t.Impact, &t.Message, &t.NoComponents, &created, &updated); err != nil {
			rows.Close()
			return nil, err
		}
		if t.CreatedAt, err = sqlitedb.ParseTime(created); err == nil {
			t.UpdatedAt, err = sqlitedb.ParseTime(updated)
		}
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("incident template %d: %w", t.ID, err)
		}
		at[t.ID] = len(out)
		out = append(out, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	ids := make([]int64, 0, len(out))
	for _, t := range out {
		ids = append(ids, t.ID)
	}
	crows, err := q.QueryContext(ctx, `SELECT template_id, component_id, status, affected_percent
		FROM incident_template_components WHERE template_id IN (SELECT value FROM json_each(?))
		ORDER BY template_id, position`, idList(ids))
	if err != nil {
		return nil, err
	}
	defer crows.Close()
	for crows.Next() {
		var id int64
		var c incidents.TemplateComponent
		var pct int64
		if err := crows.Scan(&id, &c.Component, &c.Status, &pct); err != nil {
			return nil, err
		}
		c.AffectedPercent = sla.Percent(pct)
		i := at[id]
		out[i].Components = append(out[i].Components, c)
	}
	return out, crows.Err()
}

// CreateTemplate stores a new incident template.
func (st *Store) CreateTemplate(ctx context.Context, by audit.Actor, in incidents.TemplateInput, now time.Time) (_ incidents.Template, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: CreateTemplate %q", in.Name)
	t, err := incidents.NewTemplate(in)
	if err != nil {
		return incidents.Template{}, err
	}
	t.CreatedAt = now.UTC().Truncate(time.Second)
	t.UpdatedAt = t.CreatedAt
	err = sqlitedb.InTx(ctx, st.db, func(tx *sql.Tx) error {
		if err := templateChecks(ctx, tx, t, 0); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO incident_templates (name, title, impact, message, no_components, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, t.Name, t.Title, t.Impact, t.Message, t.NoComponents,
			sqlitedb.FormatTime(t.CreatedAt), sqlitedb.FormatTime(t.UpdatedAt))
		if err != nil {
			return err
		}
		if t.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		if err := writeTemplateComponents(ctx, tx, t); err != nil {
			return err
		}
		return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "incident_template.create", Entity: "incident_template",
			EntityID: fmt.Sprint(t.ID), After: t, At: now})
	})
	if err != nil {
		return incidents.Template{}, err
	}
	return t, nil
}

// UpdateTemplate replaces template id with in.
func (st *Store) UpdateTemplate(ctx context.Context, by audit.Actor, id int64, in incidents.TemplateInput, now time.Time) (_ incidents.Template, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: UpdateTemplate %d", id)
	t, err := incidents.NewTemplate(in)
	if err != nil {
		return incidents.Template{}, err
	}
	err = sqlitedb.InTx(ctx, st.db, func(tx *sql.Tx) error {
		before, err := template(ctx, tx, id)
		if err != nil {
			return err
		}
		t.ID, t.CreatedAt, t.UpdatedAt = id, before.CreatedAt, before.UpdatedAt
		if sameTemplate(before, t) {
			t = before
			return nil
		}
		if err := templateChecks(ctx, tx, t, id); err != nil {
			return err
		}
		t.UpdatedAt = now.UTC().Truncate(time.Second)
		if _, err := tx.ExecContext(ctx, `UPDATE incident_templates SET name = ?, title = ?, impact = ?, message = ?, no_components = ?, updated_at = ?
			WHERE id = ?`, t.Name, t.Title, t.Impact, t.Message, t.NoComponents, sqlitedb.FormatTime(t.UpdatedAt), id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM incident_template_components WHERE template_id = ?`, id); err != nil {
			return err
		}
		if err := writeTemplateComponents(ctx, tx, t); err != nil {
			return err
		}
		return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "incident_template.update", Entity: "incident_template",
			EntityID: fmt.Sprint(id), Before: before, After: t, At: now})
	})
	if err != nil {
		return incidents.Template{}, err
	}
	return t, nil
}

// DeleteTemplate removes template id.
func (st *Store) DeleteTemplate(ctx context.Context, by audit.Actor, id int64, now time.Time) (_ incidents.Template, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: DeleteTemplate %d", id)
	var before incidents.Template
	err = sqlitedb.InTx(ctx, st.db, func(tx *sql.Tx) error {
		if before, err = template(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM incident_template_components WHERE template_id = ?`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM incident_templates WHERE id = ?`, id); err != nil {
			return err
		}
		return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "incident_template.delete", Entity: "incident_template",
			EntityID: fmt.Sprint(id), Before: before, At: now})
	})
	if err != nil {
		return incidents.Template{}, err
	}
	return before, nil
}

// templateChecks refuses a name another template than self has, and
// components that do not exist, each naming its field.
func templateChecks(ctx context.Context, tx *sql.Tx, t incidents.Template, self int64) error {
	var other int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM incident_templates WHERE name = ? COLLATE NOCASE AND id <> ?`, t.Name, self).Scan(&other)
	switch {
	case err == nil:
		return errs.Invalidf("name", "template %d is already called %q", other, t.Name)
	case err != sql.ErrNoRows:
		return err
	}
	for i, c := range t.Components {
		if _, err := component(ctx, tx, c.Component); err != nil {
			if errs.CodeOf(err) == errs.NotFound {
				return errs.Invalidf(fmt.Sprintf("components[%d].component", i), "unknown component %q", c.Component)
			}
			return err
		}
	}
	return nil
}

func writeTemplateComponents(ctx context.Context, tx *sql.Tx, t incidents.Template) error {
	for i, c := range t.Components {
		if _, err := tx.ExecContext(ctx, `INSERT INTO incident_template_components (template_id, position, component_id, status, affected_percent)
			VALUES (?, ?, ?, ?, ?)`, t.ID, i, c.Component, c.Status, int64(c.AffectedPercent)); err != nil {
			return err
		}
	}
	return nil
}

// sameTemplate reports whether a and b say the same (a change of the
// name's case is an edit).
func sameTemplate(a, b incidents.Template) bool {
	if len(a.Components) == 0 && len(b.Components) == 0 {
		a.Components, b.Components = nil, nil
	}
	return reflect.DeepEqual(a, b)
}
