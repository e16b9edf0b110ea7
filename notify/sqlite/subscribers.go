package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
	"github.com/amends/amends/notify"
)

const subscriberCols = `id, channel, address, state, unsubscribe_token, secret, created_at, confirmed_at, ended_at, COALESCE(incident_id, 0)`

func scanSubscriber(row interface{ Scan(...any) error }) (notify.Subscriber, error) {
	var s notify.Subscriber
	var created string
	var confirmed, ended sql.NullString
	if err := row.Scan(&s.ID, &s.Channel, &s.Address, &s.State, &s.UnsubscribeToken, &s.Secret, &created, &confirmed, &ended, &s.IncidentID); err != nil {
		return s, err
	}
	var err error
	if s.CreatedAt, err = sqlitedb.ParseTime(created); err != nil {
		return s, err
	}
	if s.ConfirmedAt, err = sqlitedb.ParseNullTime(confirmed); err != nil {
		return s, err
	}
	s.EndedAt, err = sqlitedb.ParseNullTime(ended)
	return s, err
}

// subscriber loads one subscriber with its components by where.
func subscriber(ctx context.Context, q sqlitedb.Queryer, where string, args ...any) (notify.Subscriber, error) {
	s, err := scanSubscriber(q.QueryRowContext(ctx, `SELECT `+subscriberCols+` FROM notify_subscribers WHERE `+where, args...))
	if err != nil {
		return s, err
	}
	s.Components, err = components(ctx, q, s.ID)
	return s, err
}

func components(ctx context.Context, q sqlitedb.Queryer, id int64) ([]string, error) {
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

// AddSubscriber implements notify.Store.
func (st *Store) AddSubscriber(ctx context.Context, by audit.Actor, s notify.Subscriber, confirmHash string, first notify.Delivery, secret string, now time.Time) (_ notify.Subscriber, existed bool, err error) {
	defer errs.Wrap(&err, "notify/sqlite: AddSubscriber %s", s.Channel)
	err = sqlitedb.InTx(ctx, st.db, func(tx *sql.Tx) error {
		old, err := subscriber(ctx, tx, `channel = ? AND address = ? AND COALESCE(incident_id, 0) = ? AND state IN ('pending', 'active')`, string(s.Channel), s.Address, s.IncidentID)
		switch {
		case err == nil && old.State == notify.Active:
			existed = true
			s = old
			return nil
		case err == nil: // pending: start again with new secrets
			if _, err := tx.ExecContext(ctx, `UPDATE notify_subscribers SET confirm_hash = ?, confirm_sent_at = ?, unsubscribe_token = ?, secret = ? WHERE id = ?`,
				sqlitedb.NullString(confirmHash), sqlitedb.FormatTime(now), s.UnsubscribeToken, s.Secret, old.ID); err != nil {
				return err
			}
			if err := cancelOpen(ctx, tx, old.ID, now); err != nil {
				return err
			}
			s.ID, s.CreatedAt = old.ID, old.CreatedAt
		case errors.Is(err, sql.ErrNoRows):
			res, err := tx.ExecContext(ctx, `INSERT INTO notify_subscribers (channel, address, state, confirm_hash, confirm_sent_at, unsubscribe_token, secret, created_at, incident_id)
				VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?)`, string(s.Channel), s.Address, sqlitedb.NullString(confirmHash), sqlitedb.FormatTime(now), s.UnsubscribeToken, s.Secret, sqlitedb.FormatTime(now), nullID(s.IncidentID))
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
		return auditSubscriber(ctx, tx, by, action, s.ID, before, s, now)
	})
	if err != nil {
		return notify.Subscriber{}, false, err
	}
	return s, existed, nil
}

// ConfirmEmail implements notify.Store.
func (st *Store) ConfirmEmail(ctx context.Context, by audit.Actor, hash string, now time.Time) (_ notify.Subscriber, err error) {
	defer errs.Wrap(&err, "notify/sqlite: ConfirmEmail")
	var out notify.Subscriber
	err = sqlitedb.InTx(ctx, st.db, func(tx *sql.Tx) error {
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
		if _, err := tx.ExecContext(ctx, `UPDATE notify_subscribers SET state = 'active', confirmed_at = ? WHERE id = ?`, sqlitedb.FormatTime(now), s.ID); err != nil {
			return err
		}
		return auditSubscriber(ctx, tx, by, "subscriber.confirm", s.ID, s, out, now)
	})
	return out, err
}

// SubscriberByToken implements notify.Store.
func (st *Store) SubscriberByToken(ctx context.Context, token string) (_ notify.Subscriber, err error) {
	defer errs.Wrap(&err, "notify/sqlite: SubscriberByToken")
	s, err := subscriber(ctx, st.db, `unsubscribe_token = ?`, token)
	if errors.Is(err, sql.ErrNoRows) {
		return s, errs.NotFoundf("this unsubscribe link is not valid")
	}
	return s, err
}

// Unsubscribe implements notify.Store.
func (st *Store) Unsubscribe(ctx context.Context, by audit.Actor, token string, now time.Time) (_ notify.Subscriber, err error) {
	defer errs.Wrap(&err, "notify/sqlite: Unsubscribe")
	return st.end(ctx, by, "subscriber.unsubscribe", notify.Unsubscribed, `unsubscribe_token = ?`, token, now, false)
}

// RemoveSubscriber implements notify.Store.
func (st *Store) RemoveSubscriber(ctx context.Context, by audit.Actor, id int64, now time.Time) (_ notify.Subscriber, err error) {
	defer errs.Wrap(&err, "notify/sqlite: RemoveSubscriber %d", id)
	return st.end(ctx, by, "subscriber.remove", notify.Removed, `id = ?`, id, now, true)
}

func (st *Store) end(ctx context.Context, by audit.Actor, action string, to notify.State, where string, arg any, now time.Time, strict bool) (notify.Subscriber, error) {
	var out notify.Subscriber
	err := sqlitedb.InTx(ctx, st.db, func(tx *sql.Tx) error {
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
		if _, err := tx.ExecContext(ctx, `UPDATE notify_subscribers SET state = ?, ended_at = ?, confirm_hash = NULL WHERE id = ?`, string(to), sqlitedb.FormatTime(now), s.ID); err != nil {
			return err
		}
		if err := cancelOpen(ctx, tx, s.ID, now); err != nil {
			return err
		}
		return auditSubscriber(ctx, tx, by, action, s.ID, s, out, now)
	})
	return out, err
}

// Subscribers implements notify.Store.
func (st *Store) Subscribers(ctx context.Context) (_ []notify.Subscriber, err error) {
	defer errs.Wrap(&err, "notify/sqlite: Subscribers")
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

// nullID is id, or NULL for 0.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
