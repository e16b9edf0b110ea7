package sqlitedb

import (
	"context"
	"database/sql"
	"time"
)

// AuditFilter selects audit log rows; empty fields select everything.
// From and To bound the instant (From inclusive, To exclusive).
type AuditFilter struct {
	Actor  string // substring of the actor, case-insensitive
	Entity string // exact entity, e.g. "customer"
	Action string // exact action, or a prefix ending in ".", e.g. "credit_run."
	From   *time.Time
	To     *time.Time
	Offset int
	Limit  int // 0 means 50
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
	from, to := "", ""
	if f.From != nil {
		from = FormatTime(*f.From)
	}
	if f.To != nil {
		to = FormatTime(*f.To)
	}
	where := ` WHERE (?1 = '' OR instr(lower(actor), lower(?1)) > 0) AND (?2 = '' OR entity = ?2)
		AND (?3 = '' OR action = ?3 OR (substr(?3, -1) = '.' AND substr(action, 1, length(?3)) = ?3))
		AND (?4 = '' OR at >= ?4) AND (?5 = '' OR at < ?5)`
	args := []any{f.Actor, f.Entity, f.Action, from, to}
	var total int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM audit_log`+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := db.QueryContext(ctx, `SELECT id, at, actor, action, entity, entity_id, before_json, after_json FROM audit_log`+where+
		` ORDER BY id DESC LIMIT ?6 OFFSET ?7`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []AuditRecord
	for rows.Next() {
		var r AuditRecord
		var at string
		var before, after sql.NullString
		if err := rows.Scan(&r.ID, &at, &r.Actor, &r.Action, &r.Entity, &r.EntityID, &before, &after); err != nil {
			return nil, 0, err
		}
		if r.At, err = ParseTime(at); err != nil {
			return nil, 0, err
		}
		r.Before, r.After = before.String, after.String
		out = append(out, r)
	}
	return out, total, rows.Err()
}
