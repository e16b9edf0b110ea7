// Package sqlite reads the audit log of the Amends SQLite database: the
// audit_log table that internal/sqlitedb creates and every store appends to
// in its own transactions. It only reads, so it has no migrations.
package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
)

// Log reads the audit log of a database opened by sqlitedb.Open.
type Log struct {
	db *sql.DB
}

// New returns a Log on db (opened and migrated by sqlitedb.Open).
func New(db *sql.DB) *Log { return &Log{db: db} }

// Entries returns a page of the audit log rows f selects, newest first,
// and how many it selects.
func (l *Log) Entries(ctx context.Context, f audit.Filter) (_ []audit.Record, _ int, err error) {
	defer errs.Wrap(&err, "audit/sqlite: Entries")
	if f.Limit <= 0 {
		f.Limit = 50
	}
	if f.Offset < 0 {
		f.Offset = 0
	}
	// Only the filters that are set become conditions, each a plain
	// comparison, so that SQLite can use the entity and time indexes.
	var conds []string
	var args []any
	add := func(cond string, vs ...any) {
		conds = append(conds, cond)
		args = append(args, vs...)
	}
	if f.Actor != "" {
		add(`instr(lower(actor), lower(?)) > 0`, f.Actor)
	}
	if f.Entity != "" {
		add(`entity = ?`, f.Entity)
	}
	if f.EntityID != "" {
		add(`entity_id = ?`, f.EntityID)
	}
	if strings.HasSuffix(f.Action, ".") {
		add(`substr(action, 1, ?) = ?`, len(f.Action), f.Action)
	} else if f.Action != "" {
		add(`action = ?`, f.Action)
	}
	if f.From != nil {
		add(`at >= ?`, sqlitedb.FormatTime(*f.From))
	}
	if f.To != nil {
		add(`at < ?`, sqlitedb.FormatTime(*f.To))
	}
	where := ""
	if len(conds) > 0 {
		where = ` WHERE ` + strings.Join(conds, ` AND `)
	}
	var total int
	if err := l.db.QueryRowContext(ctx, `SELECT count(*) FROM audit_log`+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := l.db.QueryContext(ctx, `SELECT id, at, actor, action, entity, entity_id, before_json, after_json FROM audit_log`+where+
		` ORDER BY id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []audit.Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}

// LatestEntries returns the newest audit log row of every entity id of
// entity (e.g. "sla_policy"), by entity id, in one query.
func (l *Log) LatestEntries(ctx context.Context, entity string) (_ map[string]audit.Record, err error) {
	defer errs.Wrap(&err, "audit/sqlite: LatestEntries %s", entity)
	rows, err := l.db.QueryContext(ctx, `SELECT id, at, actor, action, entity, entity_id, before_json, after_json FROM audit_log
		WHERE id IN (SELECT max(id) FROM audit_log WHERE entity = ? GROUP BY entity_id)`, entity)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]audit.Record{}
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out[r.EntityID] = r
	}
	return out, rows.Err()
}

// scanRecord reads one row of id, at, actor, action, entity, entity_id,
// before_json, after_json.
func scanRecord(rows *sql.Rows) (audit.Record, error) {
	var r audit.Record
	var at string
	var before, after sql.NullString
	if err := rows.Scan(&r.ID, &at, &r.Actor, &r.Action, &r.Entity, &r.EntityID, &before, &after); err != nil {
		return r, err
	}
	var err error
	if r.At, err = sqlitedb.ParseTime(at); err != nil {
		return r, err
	}
	r.Before, r.After = before.String, after.String
	return r, nil
}

// Actions returns every action the audit log holds, in order.
func (l *Log) Actions(ctx context.Context) (_ []string, err error) {
	defer errs.Wrap(&err, "audit/sqlite: Actions")
	rows, err := l.db.QueryContext(ctx, `SELECT DISTINCT action FROM audit_log ORDER BY action`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
