package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
	"github.com/amends/amends/notify"
)

func insertDelivery(ctx context.Context, tx *sql.Tx, d notify.Delivery, secret string) error {
	var event any
	if d.EventID != 0 {
		event = d.EventID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO notify_deliveries (id, subscriber_id, kind, event_id, secret, state, next_at, created_at)
		VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)`, d.ID, d.SubscriberID, string(d.Kind), event, secret, sqlitedb.FormatTime(d.NextAt), sqlitedb.FormatTime(d.CreatedAt))
	return err
}

// cancelOpen cancels the subscriber's deliveries that are not done.
func cancelOpen(ctx context.Context, tx *sql.Tx, id int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE notify_deliveries SET state = 'cancelled', secret = '', claim = NULL, lease_until = NULL, finished_at = ?
		WHERE subscriber_id = ? AND state IN ('pending', 'sending')`, sqlitedb.FormatTime(now), id)
	return err
}

// Claim implements notify.Store. A delivery whose lease ran out (its
// worker stopped mid-send) gets a line in the log saying so.
func (st *Store) Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) (_ []notify.Job, err error) {
	defer errs.Wrap(&err, "notify/sqlite: Claim %s", sqlitedb.FormatTime(now))
	var jobs []notify.Job
	err = sqlitedb.InTx(ctx, st.db, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT d.id, d.kind, COALESCE(d.subscriber_id, 0), d.event_id, d.message_id, d.secret, d.state, d.attempts, d.next_at, d.created_at,
				e.type, e.payload_json
			FROM notify_deliveries d
			LEFT JOIN notify_events e ON e.id = d.event_id
			WHERE (d.state = 'pending' AND d.next_at <= ?) OR (d.state = 'sending' AND d.lease_until <= ?)
			ORDER BY d.next_at, d.created_at, d.id LIMIT ?`, sqlitedb.FormatTime(now), sqlitedb.FormatTime(now), limit)
		if err != nil {
			return err
		}
		var stale []string
		messageIDs := map[string]int64{}
		for rows.Next() {
			var j notify.Job
			var eventID, messageID sql.NullInt64
			var next, created string
			var etype, payload sql.NullString
			d := &j.Delivery
			if err := rows.Scan(&d.ID, &d.Kind, &d.SubscriberID, &eventID, &messageID, &j.Secret, &d.State, &d.Attempts, &next, &created, &etype, &payload); err != nil {
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
			if messageID.Valid {
				messageIDs[d.ID] = messageID.Int64
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
				SELECT id, attempts + 1, ?, 0, 0, 'lease ran out: the worker stopped before recording this attempt' FROM notify_deliveries WHERE id = ?`, sqlitedb.FormatTime(now), id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE notify_deliveries SET attempts = attempts + 1 WHERE id = ?`, id); err != nil {
				return err
			}
		}
		until := sqlitedb.FormatTime(now.Add(lease))
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
			if id, ok := messageIDs[j.Delivery.ID]; ok {
				if j.Message, err = message(ctx, tx, id); err != nil {
					return err
				}
				j.Subscriber = notify.Subscriber{Channel: notify.Email, Address: j.Message.To, State: notify.Active}
				continue
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
func (st *Store) Finish(ctx context.Context, job notify.Job, r notify.Result, next *time.Time, now time.Time) (err error) {
	defer errs.Wrap(&err, "notify/sqlite: Finish %s", job.Delivery.ID)
	return sqlitedb.InTx(ctx, st.db, func(tx *sql.Tx) error {
		ok := r.Err == nil
		msg := ""
		if !ok {
			msg = truncate(r.Err.Error(), 500)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO notify_attempts (delivery_id, number, at, ok, code, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			job.Delivery.ID, job.Delivery.Attempts+1, sqlitedb.FormatTime(now), ok, r.Code, msg, r.Duration.Milliseconds()); err != nil {
			return err
		}
		var res sql.Result
		var err error
		switch {
		case ok:
			res, err = tx.ExecContext(ctx, `UPDATE notify_deliveries SET state = 'sent', attempts = attempts + 1, secret = '', claim = NULL, lease_until = NULL, finished_at = ?, last_error = ''
				WHERE id = ? AND claim = ?`, sqlitedb.FormatTime(now), job.Delivery.ID, job.Claim)
		case next != nil:
			res, err = tx.ExecContext(ctx, `UPDATE notify_deliveries SET state = 'pending', attempts = attempts + 1, claim = NULL, lease_until = NULL, next_at = ?, last_error = ?
				WHERE id = ? AND claim = ?`, sqlitedb.FormatTime(*next), msg, job.Delivery.ID, job.Claim)
		default:
			res, err = tx.ExecContext(ctx, `UPDATE notify_deliveries SET state = 'failed', attempts = attempts + 1, secret = '', claim = NULL, lease_until = NULL, finished_at = ?, last_error = ?
				WHERE id = ? AND claim = ?`, sqlitedb.FormatTime(now), msg, job.Delivery.ID, job.Claim)
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
			if _, err := tx.ExecContext(ctx, `UPDATE notify_subscribers SET state = 'active', confirmed_at = ? WHERE id = ?`, sqlitedb.FormatTime(now), s.ID); err != nil {
				return err
			}
			return auditSubscriber(ctx, tx, audit.Named("amends notifier (webhook challenge answered)"), "subscriber.confirm", s.ID, s, after, now)
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

// Deliveries implements notify.Store.
func (st *Store) Deliveries(ctx context.Context, limit int) (_ []notify.Delivery, err error) {
	defer errs.Wrap(&err, "notify/sqlite: Deliveries")
	if limit <= 0 {
		limit = 200
	}
	rows, err := st.db.QueryContext(ctx, `SELECT d.id, d.kind, COALESCE(d.subscriber_id, 0), COALESCE(d.event_id, 0), COALESCE(e.type, ''), d.state, d.attempts, d.next_at, d.created_at, d.finished_at, d.last_error
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
		if d.FinishedAt, err = sqlitedb.ParseNullTime(finished); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
