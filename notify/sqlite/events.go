package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
	"github.com/amends/amends/notify"
)

// Publish implements notify.Store.
func (st *Store) Publish(ctx context.Context, ev notify.Event, now time.Time) (_ bool, err error) {
	defer errs.Wrap(&err, "notify/sqlite: Publish %s", ev.Key)
	payload, err := json.Marshal(ev)
	if err != nil {
		return false, err
	}
	added := false
	err = sqlitedb.InTx(ctx, st.db, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO notify_events (key, type, at, payload_json, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (key) DO NOTHING`, ev.Key, string(ev.Type), sqlitedb.FormatTime(ev.At), string(payload), sqlitedb.FormatTime(now))
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
			if !s.FollowsEvent(ev) {
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
