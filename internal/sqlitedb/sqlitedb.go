// Package sqlitedb opens the one Amends SQLite database with the settings
// every connection must have, runs the numbered migrations that each storage
// package embeds, and keeps the append-only audit log that every write goes
// through (package audit/sqlite reads it). It also has what every store
// shares: transactions (InTx), Queryer, and how instants and NULLs are
// stored (FormatTime, ParseTime, NullTime, ParseNullTime, NullString).
//
// Settings live in the DSN, so each pooled connection gets them: WAL,
// synchronous=FULL (a committed credit survives power loss), foreign keys,
// a busy timeout, and BEGIN IMMEDIATE for every transaction so that writers
// queue instead of failing on a lock upgrade.
package sqlitedb

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "github.com/mattn/go-sqlite3" // the database/sql driver "sqlite3"

	"github.com/amends/amends/audit"
)

// TimeFormat is how instants are stored: UTC, whole seconds, fixed width, so
// text order is time order.
const TimeFormat = "2006-01-02T15:04:05Z"

// Open opens (creating if needed) the database file at path and applies the
// core migrations (the audit log). Storage packages apply their own with
// Migrate.
//
// Open fails unless the database takes writes, and then says why in the
// operator's terms when it can tell: a file or directory that the user
// running amends cannot write.
func Open(ctx context.Context, file string) (*sql.DB, error) {
	db, err := openMode(ctx, file, "rwc")
	if err != nil {
		return nil, explained(file, err)
	}
	if err := Migrate(ctx, db, CoreSet, coreMigrations); err != nil {
		db.Close()
		return nil, explained(file, err)
	}
	if err := ProbeWrite(ctx, db); err != nil {
		db.Close()
		return nil, explained(file, fmt.Errorf("open %s: writing: %w", file, err))
	}
	return db, nil
}

// explained returns err, led by why file cannot be written when that is
// the cause.
func explained(file string, err error) error {
	if why := explainUnwritable(file); why != nil {
		return fmt.Errorf("open %s: %w (SQLite said: %v)", file, why, err)
	}
	return err
}

// OpenExisting opens the database file at path with the settings of Open,
// but neither creates it nor applies any migration: it is for the commands
// that work on a database another process may be serving (backup, check),
// which must not change its schema.
func OpenExisting(ctx context.Context, file string) (*sql.DB, error) {
	return openMode(ctx, file, "rw")
}

// busyTimeoutMS is how long a connection waits for another's write lock.
const busyTimeoutMS = 10000

// openMode opens file in the SQLite open mode ("rw" or "rwc").
func openMode(ctx context.Context, file, mode string) (*sql.DB, error) {
	q := url.Values{}
	q.Set("mode", mode)
	q.Set("_foreign_keys", "on")
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	q.Set("_busy_timeout", strconv.Itoa(busyTimeoutMS))
	q.Set("_txlock", "immediate")
	dsn := "file:" + file + "?" + q.Encode()
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, err
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", file, err)
	}
	return db, nil
}

// CoreSet is the migration set of the tables sqlitedb itself keeps (the
// audit log and the data revision).
const CoreSet = "core"

//go:embed migrations/*.sql
var coreFS embed.FS

var coreMigrations, _ = fs.Sub(coreFS, "migrations")

// Migrate applies, in order, every migration in fsys that set has not had
// yet. Files are named NNNN_what.sql; each runs in its own transaction
// together with its row in schema_migrations, so a failed migration leaves
// the database at the previous version. Migrations are forward-only: a file
// that has been applied is never run again, and a database that has a newer
// version than the binary knows is refused.
func Migrate(ctx context.Context, db *sql.DB, set string, fsys fs.FS) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		set_name TEXT NOT NULL,
		version INTEGER NOT NULL,
		name TEXT NOT NULL,
		applied_at TEXT NOT NULL,
		PRIMARY KEY (set_name, version)
	) STRICT`); err != nil {
		return fmt.Errorf("migrations table: %w", err)
	}
	list, err := migrations(set, fsys)
	if err != nil {
		return err
	}

	var current int
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE set_name = ?`, set).Scan(&current); err != nil {
		return err
	}
	if len(list) > 0 && current > list[len(list)-1].version {
		return fmt.Errorf("database has %s migration %d, newer than this binary knows (%d): use a newer amends", set, current, list[len(list)-1].version)
	}
	for _, m := range list {
		if m.version <= current {
			continue
		}
		body, err := fs.ReadFile(fsys, m.name)
		if err != nil {
			return err
		}
		err = InTx(ctx, db, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (set_name, version, name, applied_at) VALUES (?, ?, ?, ?)`,
				set, m.version, m.name, FormatTime(time.Now()))
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s/%s: %w", set, m.name, err)
		}
	}
	return nil
}

// migration is one numbered file of a migration set.
type migration struct {
	version int
	name    string
}

// migrations lists the migrations in fsys in version order.
func migrations(set string, fsys fs.FS) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	var list []migration
	seen := map[int]string{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || path.Ext(name) != ".sql" {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s/%s: name must start with a positive number and _", set, name)
		}
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("migration %s: %s and %s share version %d", set, other, name, v)
		}
		seen[v] = name
		list = append(list, migration{v, name})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].version < list[j].version })
	return list, nil
}

// Latest returns the newest migration version in fsys, the level that
// Migrate brings set to; 0 if fsys has none.
func Latest(set string, fsys fs.FS) (int, error) {
	list, err := migrations(set, fsys)
	if err != nil || len(list) == 0 {
		return 0, err
	}
	return list[len(list)-1].version, nil
}

// LatestCore returns the newest core migration this binary embeds.
func LatestCore() (int, error) { return Latest(CoreSet, coreMigrations) }

// Version returns the newest applied migration of set, 0 if none.
func Version(ctx context.Context, db *sql.DB, set string) (int, error) {
	var v int
	err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE set_name = ?`, set).Scan(&v)
	return v, err
}

// InTx runs fn in a transaction and commits it if fn returns nil; otherwise
// it rolls back and returns fn's error. A write SQLite refuses for want of
// room or permission (a full disk, a read-only file) is returned as
// errs.Unavailable.
func InTx(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return unwritable(err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return unwritable(err)
	}
	return unwritable(tx.Commit())
}

// FormatTime formats an instant for storage.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeFormat) }

// ParseTime reads an instant written by FormatTime; the error names the
// stored text.
func ParseTime(s string) (time.Time, error) {
	t, err := time.Parse(TimeFormat, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored instant %q: %w", s, err)
	}
	return t, nil
}

// ParseNullTime reads an optional instant written by NullTime: nil for NULL.
func ParseNullTime(s sql.NullString) (*time.Time, error) {
	if !s.Valid {
		return nil, nil
	}
	t, err := ParseTime(s.String)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// NullTime formats t for storage, or returns NULL for nil.
func NullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return FormatTime(*t)
}

// NullString is s for storage, or NULL for "".
func NullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Queryer is what *sql.DB and *sql.Tx share for reading, so that one
// function reads inside a transaction or outside one.
type Queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

var (
	_ Queryer = (*sql.DB)(nil)
	_ Queryer = (*sql.Tx)(nil)
)

// AuditEntry is one write, as the audit log keeps it: the log records the
// actor's AuditLabel. Before and After are marshalled to JSON; nil stores
// NULL.
type AuditEntry struct {
	Actor    audit.Actor
	Action   string // e.g. "incident.create"
	Entity   string // e.g. "incident"
	EntityID string
	Before   any
	After    any
	At       time.Time
}

// Audit appends e to the audit log inside tx, so the record commits or rolls
// back with the write it describes, and raises the data revision.
func Audit(ctx context.Context, tx *sql.Tx, e AuditEntry) error {
	before, err := jsonOrNull(e.Before)
	if err != nil {
		return err
	}
	after, err := jsonOrNull(e.After)
	if err != nil {
		return err
	}
	actor := e.Actor.AuditLabel()
	if actor == "" {
		return fmt.Errorf("audit %s: no actor", e.Action)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_log (at, actor, action, entity, entity_id, before_json, after_json)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, FormatTime(e.At), actor, e.Action, e.Entity, e.EntityID, before, after)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE data_revision SET n = n + 1 WHERE id = 1`)
	return err
}

// auditBlock is how many entries AuditMany writes with one statement.
const auditBlock = 256

// AuditMany appends entries to the audit log inside tx, in order, as that
// many calls of Audit would (the same rows, ids and data revision), but
// with one INSERT of many rows per block of entries and one raise of the
// data revision: an import writes tens of thousands.
func AuditMany(ctx context.Context, tx *sql.Tx, entries []AuditEntry) error {
	recs, err := AuditRecords(entries)
	if err != nil {
		return err
	}
	return WriteAudit(ctx, tx, recs)
}

// AuditRecord is an audit entry as the log stores it, its before and after
// marshalled.
type AuditRecord struct {
	at, actor, action, entity, entityID string
	before, after                       any
}

// AuditRecords marshals entries for WriteAudit; it touches no database, so
// it may run on another goroutine while the transaction writes.
func AuditRecords(entries []AuditEntry) ([]AuditRecord, error) {
	out := make([]AuditRecord, len(entries))
	for i, e := range entries {
		before, err := jsonOrNull(e.Before)
		if err != nil {
			return nil, err
		}
		after, err := jsonOrNull(e.After)
		if err != nil {
			return nil, err
		}
		actor := e.Actor.AuditLabel()
		if actor == "" {
			return nil, fmt.Errorf("audit %s: no actor", e.Action)
		}
		out[i] = AuditRecord{FormatTime(e.At), actor, e.Action, e.Entity, e.EntityID, before, after}
	}
	return out, nil
}

// WriteAudit appends recs to the audit log inside tx, in order, as
// AuditMany does.
func WriteAudit(ctx context.Context, tx *sql.Tx, recs []AuditRecord) error {
	if len(recs) == 0 {
		return nil
	}
	const cols = 7
	args := make([]any, 0, cols*min(len(recs), auditBlock))
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	for start := 0; start < len(recs); start += auditBlock {
		block := recs[start:min(start+auditBlock, len(recs))]
		args = args[:0]
		for _, r := range block {
			args = append(args, r.at, r.actor, r.action, r.entity, r.entityID, r.before, r.after)
		}
		query := `INSERT INTO audit_log (at, actor, action, entity, entity_id, before_json, after_json) VALUES ` + Rows(len(block), cols)
		var err error
		switch {
		case len(block) < auditBlock:
			_, err = tx.ExecContext(ctx, query, args...)
		default:
			if full == nil {
				if full, err = tx.PrepareContext(ctx, query); err != nil {
					return err
				}
			}
			_, err = full.ExecContext(ctx, args...)
		}
		if err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `UPDATE data_revision SET n = n + ? WHERE id = 1`, len(recs))
	return err
}

// Rows is the VALUES list of a multi-row INSERT: n groups of cols
// placeholders, "(?, ?), (?, ?)".
func Rows(n, cols int) string {
	group := "(" + strings.Repeat("?, ", cols-1) + "?)"
	var b strings.Builder
	b.Grow(n * (len(group) + 2))
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(group)
	}
	return b.String()
}

// Revision returns the data revision: a number that every audited write
// raises, in this process or any other that shares the database file.
func Revision(ctx context.Context, db *sql.DB) (int64, error) {
	var n int64
	err := db.QueryRowContext(ctx, `SELECT n FROM data_revision WHERE id = 1`).Scan(&n)
	return n, err
}

func jsonOrNull(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}
