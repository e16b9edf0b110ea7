package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/sqlitedb"
)

// importBlock is how many rows of one table an import writes with one
// INSERT.
const importBlock = 256

// importWriter writes the rows an import adds (incidents, their updates,
// the updates' component statuses and customers, and the audit entries)
// in multi-row INSERTs of importBlock rows, through statements prepared
// once, instead of one statement per row: SQLite sets up each statement
// (the CHECK constraints' IN lists are temporary tables) and database/sql
// and cgo are crossed once per statement, and an import writes over a
// hundred thousand rows.
//
// It numbers the incidents and updates itself, from the largest ID stored
// on: the numbers SQLite gives rows in the order they are written (no
// table here is AUTOINCREMENT and no row is ever deleted), so an update
// names its incident and a status its update before either is written.
// Rows wait in the writer until they fill a block, which is written once
// the rows it names are (an update once its incident is, a component
// status once its update is); audit entries are written in blocks in the
// order they were added, each block marshalled on another goroutine (the
// other core) while rows are written. flush writes what is left, parents
// first.
// Everything is in the import's one transaction.
type importWriter struct {
	tx           *sql.Tx
	nextIncident int64
	nextUpdate   int64
	incidents    rowBuffer
	updates      rowBuffer
	statuses     rowBuffer
	customers    rowBuffer
	audits       []sqlitedb.AuditEntry
	// marshalling are blocks of audit entries being marshalled on another
	// goroutine, oldest first, while the transaction writes.
	marshalling []chan auditBlock
}

// auditBlock is a block of audit entries, marshalled.
type auditBlock struct {
	recs []sqlitedb.AuditRecord
	err  error
}

// rowLabel is the element of the batch a row comes from: incidents[i], or
// incidents[i].updates[j] when j >= 0.
type rowLabel struct{ i, j int }

func (l rowLabel) String() string {
	if l.j < 0 {
		return fmt.Sprintf("incidents[%d]", l.i)
	}
	return fmt.Sprintf("incidents[%d].updates[%d]", l.i, l.j)
}

// rowBuffer holds the rows of one table waiting to be written, in the
// order of their keys.
type rowBuffer struct {
	insert string // "INSERT INTO t (a, b) VALUES "
	cols   int
	args   []any
	labels []rowLabel
	// keys are what rows of a child table name a row by (an incident's or
	// an update's ID; a status's update ID), parents what each row names.
	keys, parents []int64
	full          *sql.Stmt // the INSERT of importBlock rows, once prepared
}

func newImportWriter(ctx context.Context, tx *sql.Tx) (*importWriter, error) {
	w := &importWriter{
		tx: tx,
		incidents: rowBuffer{insert: `INSERT INTO incidents (id, title, impact, phase, started_at, resolved_at, excluded, created_at, updated_at, source, external_id) VALUES `,
			cols: 11},
		updates: rowBuffer{insert: `INSERT INTO incident_updates (id, incident_id, phase, message, at, created_at, author, external_id, updated_at) VALUES `,
			cols: 9},
		statuses: rowBuffer{insert: `INSERT INTO incident_update_components (update_id, position, component_id, status, affected_percent, old_status) VALUES `,
			cols: 6},
		customers: rowBuffer{insert: `INSERT INTO incident_update_component_customers (update_id, component_id, position, customer_id, affected_resources) VALUES `,
			cols: 5},
	}
	for _, q := range []struct {
		query string
		next  *int64
	}{{`SELECT coalesce(max(id), 0) + 1 FROM incidents`, &w.nextIncident}, {`SELECT coalesce(max(id), 0) + 1 FROM incident_updates`, &w.nextUpdate}} {
		if err := tx.QueryRowContext(ctx, q.query).Scan(q.next); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// close releases the prepared statements.
func (w *importWriter) close() {
	for _, b := range []*rowBuffer{&w.incidents, &w.updates, &w.statuses, &w.customers} {
		if b.full != nil {
			b.full.Close()
		}
	}
}

// addIncident numbers inc and its updates, setting their IDs, and queues
// their rows (updates as addUpdate does).
func (w *importWriter) addIncident(i int, inc *incidents.Incident, source string) {
	inc.ID = w.nextIncident
	w.nextIncident++
	w.incidents.add(rowLabel{i, -1}, inc.ID, 0, inc.ID, inc.Title, string(inc.Impact), string(inc.Phase), sqlitedb.FormatTime(inc.StartedAt),
		sqlitedb.NullTime(inc.ResolvedAt), inc.Excluded, sqlitedb.FormatTime(inc.CreatedAt), sqlitedb.FormatTime(inc.UpdatedAt),
		source, sqlitedb.NullString(inc.ExternalID))
	for j := range inc.Updates {
		w.addUpdate(inc.ID, &inc.Updates[j], rowLabel{i, j})
	}
}

// addUpdate numbers u as an update of incident id, setting its IDs, and
// queues its row with its component statuses and their customers.
func (w *importWriter) addUpdate(id int64, u *incidents.Update, l rowLabel) {
	u.ID = w.nextUpdate
	w.nextUpdate++
	u.IncidentID = id
	w.updates.add(l, u.ID, id, u.ID, id, string(u.Phase), u.Message, sqlitedb.FormatTime(u.At), sqlitedb.FormatTime(u.CreatedAt), u.Author,
		sqlitedb.NullString(u.ExternalID), sqlitedb.NullTime(u.UpdatedAt))
	for k, cs := range u.Components {
		w.statuses.add(l, u.ID, u.ID, u.ID, k, cs.Component, string(cs.Status), int64(cs.AffectedPercent), sqlitedb.NullString(string(cs.OldStatus)))
		for m, ac := range cs.Customers {
			var n any
			if ac.AffectedResources != nil {
				n = *ac.AffectedResources
			}
			w.customers.add(l, u.ID, u.ID, u.ID, cs.Component, m, ac.Customer, n)
		}
	}
}

// audit queues e; a full block of entries is marshalled on another
// goroutine, to be written in order.
func (w *importWriter) audit(e sqlitedb.AuditEntry) {
	w.audits = append(w.audits, e)
	if len(w.audits) < importBlock {
		return
	}
	block, done := w.audits, make(chan auditBlock, 1)
	w.audits = nil
	go func() {
		recs, err := sqlitedb.AuditRecords(block)
		done <- auditBlock{recs, err}
	}()
	w.marshalling = append(w.marshalling, done)
}

// writeAudit writes the marshalled blocks in order, waiting for them if
// wait, else as far as they are ready.
func (w *importWriter) writeAudit(ctx context.Context, wait bool) error {
	for len(w.marshalling) > 0 {
		var b auditBlock
		if wait {
			b = <-w.marshalling[0]
		} else {
			select {
			case b = <-w.marshalling[0]:
			default:
				return nil
			}
		}
		w.marshalling = w.marshalling[1:]
		if b.err != nil {
			return b.err
		}
		if err := sqlitedb.WriteAudit(ctx, w.tx, b.recs); err != nil {
			return err
		}
	}
	return nil
}

func (b *rowBuffer) add(l rowLabel, key, parent int64, values ...any) {
	if k := len(b.parents); k > 0 && parent < b.parents[k-1] {
		// A row of a parent stored before (a re-import's new update):
		// it waits with the rows queued before it, keeping parents in
		// order.
		parent = b.parents[k-1]
	}
	b.args = append(b.args, values...)
	b.labels = append(b.labels, l)
	b.keys = append(b.keys, key)
	b.parents = append(b.parents, parent)
}

// pending is the smallest key not written yet (rows wait in key order).
func (b *rowBuffer) pending() int64 {
	if len(b.keys) == 0 {
		return math.MaxInt64
	}
	return b.keys[0]
}

// ready is how many rows from the first name only rows of parent that are
// written.
func (b *rowBuffer) ready(parent *rowBuffer) int {
	if parent == nil {
		return len(b.labels)
	}
	first := parent.pending()
	n, _ := slices.BinarySearch(b.parents, first) // parents rise with keys
	return n
}

// flushFull writes the blocks that are full and whose rows name only
// written rows, and the blocks of audit entries marshalled by now.
func (w *importWriter) flushFull(ctx context.Context) error {
	for _, t := range w.tables() {
		n := t.rows.ready(t.parent)
		if err := t.rows.write(ctx, w.tx, n-n%importBlock); err != nil {
			return err
		}
	}
	return w.writeAudit(ctx, false)
}

// flush writes everything queued: the tables in the order their rows name
// each other, then the audit entries.
func (w *importWriter) flush(ctx context.Context) error {
	for _, t := range w.tables() {
		if err := t.rows.write(ctx, w.tx, len(t.rows.labels)); err != nil {
			return err
		}
	}
	if err := w.writeAudit(ctx, true); err != nil {
		return err
	}
	err := sqlitedb.AuditMany(ctx, w.tx, w.audits)
	w.audits = nil
	return err
}

// tables are the buffers in the order they are written, each with the
// buffer its rows name.
func (w *importWriter) tables() []struct{ rows, parent *rowBuffer } {
	return []struct{ rows, parent *rowBuffer }{
		{&w.incidents, nil}, {&w.updates, &w.incidents}, {&w.statuses, &w.updates}, {&w.customers, &w.statuses},
	}
}

// write inserts the buffer's first upTo rows, importBlock at a time, and
// drops them from it.
// A row that SQLite refuses for a constraint is named by its label, as a
// statement per row would have named it: the refused INSERT is undone on
// its own, and its rows are tried one at a time to find it.
func (b *rowBuffer) write(ctx context.Context, tx *sql.Tx, upTo int) error {
	if upTo == 0 {
		return nil
	}
	for start := 0; start < upTo; start += importBlock {
		n := min(importBlock, upTo-start)
		args := b.args[start*b.cols : (start+n)*b.cols]
		var err error
		if n == importBlock {
			if b.full == nil {
				if b.full, err = tx.PrepareContext(ctx, b.insert+sqlitedb.Rows(importBlock, b.cols)); err != nil {
					return err
				}
			}
			_, err = b.full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, b.insert+sqlitedb.Rows(n, b.cols), args...)
		}
		if err != nil {
			return b.refused(ctx, tx, start, n, err)
		}
	}
	b.args = append(b.args[:0], b.args[upTo*b.cols:]...)
	b.labels = append(b.labels[:0], b.labels[upTo:]...)
	b.keys = append(b.keys[:0], b.keys[upTo:]...)
	b.parents = append(b.parents[:0], b.parents[upTo:]...)
	return nil
}

// refused finds which of the n rows from start made an INSERT of them
// fail with err, and returns its error named by the row's label.
func (b *rowBuffer) refused(ctx context.Context, tx *sql.Tx, start, n int, err error) error {
	if !sqlitedb.Constraint(err) {
		return err // the transaction may be gone: try nothing more in it
	}
	one := b.insert + sqlitedb.Rows(1, b.cols)
	for r := start; r < start+n; r++ {
		if _, rowErr := tx.ExecContext(ctx, one, b.args[r*b.cols:(r+1)*b.cols]...); rowErr != nil {
			return fmt.Errorf("%s: %w", b.labels[r], rowErr)
		}
	}
	return err
}
