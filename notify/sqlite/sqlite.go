// Package sqlite stores the notify domain in the Amends SQLite database:
// subscribers, events, the outbox of deliveries and the delivery log. It
// implements notify.Store on a *sql.DB opened by sqlitedb.Open and keeps
// its row types to itself.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
	"github.com/amends/amends/notify"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// MigrationSet is the name of this package's migrations in schema_migrations.
const MigrationSet = "notify"

// Migrate applies this package's migrations that db has not had yet.
func Migrate(ctx context.Context, db *sql.DB) error {
	sub, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		return err
	}
	return sqlitedb.Migrate(ctx, db, MigrationSet, sub)
}

// Store implements notify.Store.
type Store struct{ db *sql.DB }

var _ notify.Store = (*Store)(nil)

// New migrates db (opened by sqlitedb.Open) and returns a Store on it.
func New(db *sql.DB) (*Store, error) {
	if err := Migrate(context.Background(), db); err != nil {
		return nil, err
	}
	return &Store{db: db}, nil
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func ftime(t time.Time) string { return sqlitedb.FormatTime(t) }

func (st *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	err := sqlitedb.InTx(ctx, st.db, fn)
	if err != nil && errs.CodeOf(err) == errs.Internal {
		return fmt.Errorf("notify store: %w", err)
	}
	return err
}

func audit(ctx context.Context, tx *sql.Tx, actor, action string, id int64, before, after any, now time.Time) error {
	return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{
		Actor: actor, Action: action, Entity: "subscriber", EntityID: strconv.FormatInt(id, 10),
		Before: before, After: after, At: now,
	})
}

const subscriberCols = `id, channel, address, state, unsubscribe_token, secret, created_at, confirmed_at, ended_at`

func scanSubscriber(row interface{ Scan(...any) error }) (notify.Subscriber, error) {
	var s notify.Subscriber
	var created string
	var confirmed, ended sql.NullString
	if err := row.Scan(&s.ID, &s.Channel, &s.Address, &s.State, &s.UnsubscribeToken, &s.Secret, &created, &confirmed, &ended); err != nil {
		return s, err
	}
	var err error
	if s.CreatedAt, err = sqlitedb.ParseTime(created); err != nil {
		return s, err
	}
	if s.ConfirmedAt, err = nullTime(confirmed); err != nil {
		return s, err
	}
	s.EndedAt, err = nullTime(ended)
	return s, err
}

func nullTime(ns sql.NullString) (*time.Time, error) {
	if !ns.Valid {
		return nil, nil
	}
	t, err := sqlitedb.ParseTime(ns.String)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// subscriber loads one subscriber with its components by where.
func subscriber(ctx context.Context, q queryer, where string, args ...any) (notify.Subscriber, error) {
	s, err := scanSubscriber(q.QueryRowContext(ctx, `SELECT `+subscriberCols+` FROM notify_subscribers WHERE `+where, args...))
	if err != nil {
		return s, err
	}
	s.Components, err = components(ctx, q, s.ID)
	return s, err
}

func components(ctx context.Context, q queryer, id int64) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT component_id FROM notify_subscriber_components WHERE subscriber_id = ? ORDER BY component_id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func setComponents(ctx context.Context, tx *sql.Tx, id int64, list []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM notify_subscriber_components WHERE subscriber_id = ?`, id); err != nil {
		return err
	}
	for _, c := range list {
		if _, err := tx.ExecContext(ctx, `INSERT INTO notify_subscriber_components (subscriber_id, component_id) VALUES (?, ?)`, id, c); err != nil {
			return err
		}
	}
	return nil
}

func insertDelivery(ctx context.Context, tx *sql.Tx, d notify.Delivery, secret string) error {
	var event any
	if d.EventID != 0 {
		event = d.EventID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO notify_deliveries (id, subscriber_id, kind, event_id, secret, state, next_at, created_at)
		VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)`, d.ID, d.SubscriberID, string(d.Kind), event, secret, ftime(d.NextAt), ftime(d.CreatedAt))
	return err
}

// cancelOpen cancels the subscriber's deliveries that are not done.
func cancelOpen(ctx context.Context, tx *sql.Tx, id int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE notify_deliveries SET state = 'cancelled', secret = '', claim = NULL, lease_until = NULL, finished_at = ?
		WHERE subscriber_id = ? AND state IN ('pending', 'sending')`, ftime(now), id)
	return err
}

// AddSubscriber implements notify.Store.
func (st *Store) AddSubscriber(ctx context.Context, actor string, s notify.Subscriber, confirmHash string, first notify.Delivery, secret string, now time.Time) (notify.Subscriber, bool, error) {
	existed := false
	err := st.inTx(ctx, func(tx *sql.Tx) error {
		old, err := subscriber(ctx, tx, `channel = ? AND address = ? AND state IN ('pending', 'active')`, string(s.Channel), s.Address)
		switch {
		case err == nil && old.State == notify.Active:
			existed = true
			s = old
			return nil
		case err == nil: // pending: start again with new secrets
			if _, err := tx.ExecContext(ctx, `UPDATE notify_subscribers SET confirm_hash = ?, confirm_sent_at = ?, unsubscribe_token = ?, secret = ? WHERE id = ?`,
				nullString(confirmHash), ftime(now), s.UnsubscribeToken, s.Secret, old.ID); err != nil {
				return err
			}
			if err := cancelOpen(ctx, tx, old.ID, now); err != nil {
				return err
			}
			s.ID, s.CreatedAt = old.ID, old.CreatedAt
		case errors.Is(err, sql.ErrNoRows):
			res, err := tx.ExecContext(ctx, `INSERT INTO notify_subscribers (channel, address, state, confirm_hash, confirm_sent_at, unsubscribe_token, secret, created_at)
				VALUES (?, ?, 'pending', ?, ?, ?, ?, ?)`, string(s.Channel), s.Address, nullString(confirmHash), ftime(now), s.UnsubscribeToken, s.Secret, ftime(now))
			if err != nil {
				return err
			}
			if s.ID, err = res.LastInsertId(); err != nil {
				return err
			}
		default:
			return err
		}
		if err := setComponents(ctx, tx, s.ID, s.Components); err != nil {
			return err
		}
		first.SubscriberID = s.ID
		if err := insertDelivery(ctx, tx, first, secret); err != nil {
			return err
		}
		action := "subscriber.subscribe"
		var before any
		if old.ID != 0 {
			action, before = "subscriber.resubscribe", old
		}
		return audit(ctx, tx, actor, action, s.ID, before, s, now)
	})
	if err != nil {
		return notify.Subscriber{}, false, err
	}
	return s, existed, nil
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// ConfirmEmail implements notify.Store.
func (st *Store) ConfirmEmail(ctx context.Context, actor, hash string, now time.Time) (notify.Subscriber, error) {
	var out notify.Subscriber
	err := st.inTx(ctx, func(tx *sql.Tx) error {
		var sent string
		s, err := subscriber(ctx, tx, `confirm_hash = ? AND channel = 'email'`, hash)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.NotFoundf("this confirmation link is not valid: it may have been replaced by a newer one")
		}
		if err != nil {
			return err
		}
		if s.State == notify.Active {
			out = s
			return nil
		}
		if s.State != notify.Pending {
			return errs.NotFoundf("this subscription has ended; subscribe again")
		}
		if err := tx.QueryRowContext(ctx, `SELECT confirm_sent_at FROM notify_subscribers WHERE id = ?`, s.ID).Scan(&sent); err != nil {
			return err
		}
		at, err := sqlitedb.ParseTime(sent)
		if err != nil {
			return err
		}
		if now.Sub(at) > notify.ConfirmValidFor {
			return errs.NotFoundf("this confirmation link has expired (links work for 48 hours); subscribe again")
		}
		out = s
		out.State, out.ConfirmedAt = notify.Active, &now
		if _, err := tx.ExecContext(ctx, `UPDATE notify_subscribers SET state = 'active', confirmed_at = ? WHERE id = ?`, ftime(now), s.ID); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "subscriber.confirm", s.ID, s, out, now)
	})
	return out, err
}

// SubscriberByToken implements notify.Store.
func (st *Store) SubscriberByToken(ctx context.Context, token string) (notify.Subscriber, error) {
	s, err := subscriber(ctx, st.db, `unsubscribe_token = ?`, token)
	if errors.Is(err, sql.ErrNoRows) {
		return s, errs.NotFoundf("this unsubscribe link is not valid")
	}
	return s, err
}

// Unsubscribe implements notify.Store.
func (st *Store) Unsubscribe(ctx context.Context, actor, token string, now time.Time) (notify.Subscriber, error) {
	return st.end(ctx, actor, "subscriber.unsubscribe", notify.Unsubscribed, `unsubscribe_token = ?`, token, now, false)
}

// RemoveSubscriber implements notify.Store.
func (st *Store) RemoveSubscriber(ctx context.Context, actor string, id int64, now time.Time) (notify.Subscriber, error) {
	return st.end(ctx, actor, "subscriber.remove", notify.Removed, `id = ?`, id, now, true)
}

func (st *Store) end(ctx context.Context, actor, action string, to notify.State, where string, arg any, now time.Time, strict bool) (notify.Subscriber, error) {
	var out notify.Subscriber
	err := st.inTx(ctx, func(tx *sql.Tx) error {
		s, err := subscriber(ctx, tx, where, arg)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.NotFoundf("no such subscriber")
		}
		if err != nil {
			return err
		}
		out = s
		if s.State == notify.Unsubscribed || s.State == notify.Removed {
			if strict {
				return errs.Conflictf("subscriber %d has already ended (%s)", s.ID, s.State)
			}
			return nil
		}
		out.State, out.EndedAt = to, &now
		if _, err := tx.ExecContext(ctx, `UPDATE notify_subscribers SET state = ?, ended_at = ?, confirm_hash = NULL WHERE id = ?`, string(to), ftime(now), s.ID); err != nil {
			return err
		}
		if err := cancelOpen(ctx, tx, s.ID, now); err != nil {
			return err
		}
		return audit(ctx, tx, actor, action, s.ID, s, out, now)
	})
	return out, err
}

// Subscribers implements notify.Store.
func (st *Store) Subscribers(ctx context.Context) ([]notify.Subscriber, error) {
	rows, err := st.db.QueryContext(ctx, `SELECT `+subscriberCols+` FROM notify_subscribers ORDER BY created_at DESC, id DESC`)
	if err != nil {
		return nil, err
	}
	var out []notify.Subscriber
	for rows.Next() {
		s, err := scanSubscriber(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Components, err = components(ctx, st.db, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Publish implements notify.Store.
func (st *Store) Publish(ctx context.Context, ev notify.Event, now time.Time) (bool, error) {
	payload, err := json.Marshal(ev)
	if err != nil {
		return false, err
	}
	added := false
	err = st.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO notify_events (key, type, at, payload_json, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (key) DO NOTHING`, ev.Key, string(ev.Type), ftime(ev.At), string(payload), ftime(now))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		added = true
		eventID, err := res.LastInsertId()
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+subscriberCols+` FROM notify_subscribers WHERE state = 'active' ORDER BY id`)
		if err != nil {
			return err
		}
		var subs []notify.Subscriber
		for rows.Next() {
			s, err := scanSubscriber(rows)
			if err != nil {
				rows.Close()
				return err
			}
			subs = append(subs, s)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, s := range subs {
			if s.Components, err = components(ctx, tx, s.ID); err != nil {
				return err
			}
			if !s.Follows(ev.Components) {
				continue
			}
			d := notify.Delivery{ID: notify.NewDeliveryID(), Kind: notify.KindEvent, SubscriberID: s.ID, EventID: eventID, NextAt: now, CreatedAt: now}
			if err := insertDelivery(ctx, tx, d, ""); err != nil {
				return err
			}
		}
		return nil
	})
	return added, err
}

// Claim implements notify.Store. A delivery whose lease ran out (its
// worker stopped mid-send) gets a line in the log saying so.
func (st *Store) Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]notify.Job, error) {
	var jobs []notify.Job
	err := st.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT d.id, d.kind, d.subscriber_id, d.event_id, d.secret, d.state, d.attempts, d.next_at, d.created_at,
				e.type, e.payload_json
			FROM notify_deliveries d
			LEFT JOIN notify_events e ON e.id = d.event_id
			WHERE (d.state = 'pending' AND d.next_at <= ?) OR (d.state = 'sending' AND d.lease_until <= ?)
			ORDER BY d.next_at, d.created_at, d.id LIMIT ?`, ftime(now), ftime(now), limit)
		if err != nil {
			return err
		}
		var stale []string
		for rows.Next() {
			var j notify.Job
			var eventID sql.NullInt64
			var next, created string
			var etype, payload sql.NullString
			d := &j.Delivery
			if err := rows.Scan(&d.ID, &d.Kind, &d.SubscriberID, &eventID, &j.Secret, &d.State, &d.Attempts, &next, &created, &etype, &payload); err != nil {
				rows.Close()
				return err
			}
			if d.NextAt, err = sqlitedb.ParseTime(next); err != nil {
				rows.Close()
				return err
			}
			if d.CreatedAt, err = sqlitedb.ParseTime(created); err != nil {
				rows.Close()
				return err
			}
			if eventID.Valid {
				d.EventID, d.EventType = eventID.Int64, notify.EventType(etype.String)
				var ev notify.Event
				if err := json.Unmarshal([]byte(payload.String), &ev); err != nil {
					rows.Close()
					return err
				}
				ev.ID = eventID.Int64
				j.Event = &ev
			}
			if d.State == notify.Sending {
				stale = append(stale, d.ID)
			}
			jobs = append(jobs, j)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range stale {
			if _, err := tx.ExecContext(ctx, `INSERT INTO notify_attempts (delivery_id, number, at, ok, code, error)
				SELECT id, attempts + 1, ?, 0, 0, 'lease ran out: the worker stopped before recording this attempt' FROM notify_deliveries WHERE id = ?`, ftime(now), id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE notify_deliveries SET attempts = attempts + 1 WHERE id = ?`, id); err != nil {
				return err
			}
		}
		until := ftime(now.Add(lease))
		for i := range jobs {
			j := &jobs[i]
			if j.Delivery.State == notify.Sending {
				j.Delivery.Attempts++
			}
			j.Claim = notify.NewToken()
			j.Delivery.State = notify.Sending
			if _, err := tx.ExecContext(ctx, `UPDATE notify_deliveries SET state = 'sending', claim = ?, lease_until = ? WHERE id = ?`, j.Claim, until, j.Delivery.ID); err != nil {
				return err
			}
			if j.Subscriber, err = subscriber(ctx, tx, `id = ?`, j.Delivery.SubscriberID); err != nil {
				return err
			}
		}
		return nil
	})
	return jobs, err
}

// Finish implements notify.Store. A finish whose claim has been taken
// over (its lease ran out and another worker claimed it) only logs the
// attempt.
func (st *Store) Finish(ctx context.Context, job notify.Job, r notify.Result, next *time.Time, now time.Time) error {
	return st.inTx(ctx, func(tx *sql.Tx) error {
		ok := r.Err == nil
		msg := ""
		if !ok {
			msg = truncate(r.Err.Error(), 500)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO notify_attempts (delivery_id, number, at, ok, code, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			job.Delivery.ID, job.Delivery.Attempts+1, ftime(now), ok, r.Code, msg, r.Duration.Milliseconds()); err != nil {
			return err
		}
		var res sql.Result
		var err error
		switch {
		case ok:
			res, err = tx.ExecContext(ctx, `UPDATE notify_deliveries SET state = 'sent', attempts = attempts + 1, secret = '', claim = NULL, lease_until = NULL, finished_at = ?, last_error = ''
				WHERE id = ? AND claim = ?`, ftime(now), job.Delivery.ID, job.Claim)
		case next != nil:
			res, err = tx.ExecContext(ctx, `UPDATE notify_deliveries SET state = 'pending', attempts = attempts + 1, claim = NULL, lease_until = NULL, next_at = ?, last_error = ?
				WHERE id = ? AND claim = ?`, ftime(*next), msg, job.Delivery.ID, job.Claim)
		default:
			res, err = tx.ExecContext(ctx, `UPDATE notify_deliveries SET state = 'failed', attempts = attempts + 1, secret = '', claim = NULL, lease_until = NULL, finished_at = ?, last_error = ?
				WHERE id = ? AND claim = ?`, ftime(now), msg, job.Delivery.ID, job.Claim)
		}
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		if ok && job.Delivery.Kind == notify.KindChallenge {
			s, err := subscriber(ctx, tx, `id = ?`, job.Subscriber.ID)
			if err != nil {
				return err
			}
			if s.State != notify.Pending {
				return nil
			}
			after := s
			after.State, after.ConfirmedAt = notify.Active, &now
			if _, err := tx.ExecContext(ctx, `UPDATE notify_subscribers SET state = 'active', confirmed_at = ? WHERE id = ?`, ftime(now), s.ID); err != nil {
				return err
			}
			return audit(ctx, tx, "amends notifier (webhook challenge answered)", "subscriber.confirm", s.ID, s, after, now)
		}
		return nil
	})
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Log implements notify.Store.
func (st *Store) Log(ctx context.Context, f notify.LogFilter) ([]notify.Attempt, error) {
	var where []string
	var args []any
	switch f.Outcome {
	case "ok":
		where = append(where, "a.ok = 1")
	case "failed":
		where = append(where, "a.ok = 0")
	case "":
	default:
		return nil, errs.Invalidf("outcome", "%q is not ok or failed", f.Outcome)
	}
	if f.Kind != "" {
		where, args = append(where, "d.kind = ?"), append(args, string(f.Kind))
	}
	if f.EventType != "" {
		where, args = append(where, "e.type = ?"), append(args, string(f.EventType))
	}
	if f.SubscriberID != 0 {
		where, args = append(where, "d.subscriber_id = ?"), append(args, f.SubscriberID)
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 200
	}
	q := `SELECT a.id, a.delivery_id, a.number, a.at, a.ok, a.code, a.error, a.duration_ms, d.kind, COALESCE(e.type, ''), d.subscriber_id, s.channel, s.address, d.state
		FROM notify_attempts a
		JOIN notify_deliveries d ON d.id = a.delivery_id
		JOIN notify_subscribers s ON s.id = d.subscriber_id
		LEFT JOIN notify_events e ON e.id = d.event_id`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY a.id DESC LIMIT ?"
	rows, err := st.db.QueryContext(ctx, q, append(args, f.Limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []notify.Attempt
	for rows.Next() {
		var a notify.Attempt
		var at string
		var ms int64
		if err := rows.Scan(&a.ID, &a.DeliveryID, &a.Number, &at, &a.OK, &a.Code, &a.Error, &ms, &a.Kind, &a.EventType, &a.SubscriberID, &a.Channel, &a.Address, &a.State); err != nil {
			return nil, err
		}
		if a.At, err = sqlitedb.ParseTime(at); err != nil {
			return nil, err
		}
		a.Duration = time.Duration(ms) * time.Millisecond
		out = append(out, a)
	}
	return out, rows.Err()
}

// Deliveries implements notify.Store.
func (st *Store) Deliveries(ctx context.Context, limit int) ([]notify.Delivery, error) {
	if limit <= 0 {
		limit = 200
	}
	rows, err := st.db.QueryContext(ctx, `SELECT d.id, d.kind, d.subscriber_id, COALESCE(d.event_id, 0), COALESCE(e.type, ''), d.state, d.attempts, d.next_at, d.created_at, d.finished_at, d.last_error
		FROM notify_deliveries d LEFT JOIN notify_events e ON e.id = d.event_id
		ORDER BY d.created_at DESC, d.rowid DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []notify.Delivery
	for rows.Next() {
		var d notify.Delivery
		var next, created string
		var finished sql.NullString
		if err := rows.Scan(&d.ID, &d.Kind, &d.SubscriberID, &d.EventID, &d.EventType, &d.State, &d.Attempts, &next, &created, &finished, &d.LastError); err != nil {
			return nil, err
		}
		if d.NextAt, err = sqlitedb.ParseTime(next); err != nil {
			return nil, err
		}
		if d.CreatedAt, err = sqlitedb.ParseTime(created); err != nil {
			return nil, err
		}
		if d.FinishedAt, err = nullTime(finished); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
