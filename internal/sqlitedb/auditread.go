package sqlitedb

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

// AuditFilter selects audit log rows; empty fields select everything.
// From and To bound the instant (From inclusive, To exclusive).
type AuditFilter struct {
	Actor  string // substring of the actor, case-insensitive
	Entity string // exact entity, e.g. "customer"
	// EntityID is the exact id of the entity, e.g. "acme"; with Entity it
	// selects one thing's history.
	EntityID string
	Action   string // exact action, or a prefix ending in ".", e.g. "credit_run."
	From     *time.Time
	To       *time.Time
	Offset   int
	Limit    int // 0 means 50
}

// AuditRecord is one stored audit log row; Before and After are the JSON
// as stored, "" for NULL.
type AuditRecord struct {
	ID       int64
	At       time.Time
	Actor    string
	Action   string
	Entity   string
	EntityID string
	Before   string
	After    string
}

// AuditEntries returns a page of the audit log rows f selects, newest
// first, and how many it selects.
func AuditEntries(ctx context.Context, db *sql.DB, f AuditFilter) ([]AuditRecord, int, error) {
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
		add(`at >= ?`, FormatTime(*f.From))
	}
	if f.To != nil {
		add(`at < ?`, FormatTime(*f.To))
	}
	where := ""
	if len(conds) > 0 {
		where = ` WHERE ` + strings.Join(conds, ` AND `)
	}
	var total int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM audit_log`+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.QueryContext(ctx, `SELECT id, at, actor, action, entity, entity_id, before_json, after_json FROM audit_log`+where+
		` ORDER BY id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []AuditRecord
	for rows.Next() {
		r, err := scanAuditRecord(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}

// LatestAuditEntries returns the newest audit log row of every entity id
// of entity (e.g. "sla_policy"), by entity id, in one query.
func LatestAuditEntries(ctx context.Context, db *sql.DB, entity string) (map[string]AuditRecord, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, at, actor, action, entity, entity_id, before_json, after_json FROM audit_log
		WHERE id IN (SELECT max(id) FROM audit_log WHERE entity = ? GROUP BY entity_id)`, entity)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]AuditRecord{}
	for rows.Next() {
		r, err := scanAuditRecord(rows)
		if err != nil {
			return nil, err
		}
		out[r.EntityID] = r
	}
	return out, rows.Err()
}

// scanAuditRecord reads one row of id, at, actor, action, entity,
// entity_id, before_json, after_json.
func scanAuditRecord(rows *sql.Rows) (AuditRecord, error) {
	var r AuditRecord
	var at string
	var before, after sql.NullString
	if err := rows.Scan(&r.ID, &at, &r.Actor, &r.Action, &r.Entity, &r.EntityID, &before, &after); err != nil {
		return r, err
	}
	var err error
	if r.At, err = ParseTime(at); err != nil {
		return r, err
	}
	r.Before, r.After = before.String, after.String
	return r, nil
}

// AuditActions returns every action the audit log holds, in order.
func AuditActions(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT DISTINCT action FROM audit_log ORDER BY action`)
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
