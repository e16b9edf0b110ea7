package sqlite

import (
	"context"
	"strings"
	"time"

	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
	"github.com/amends/amends/notify"
)

// Log implements notify.Store.
func (st *Store) Log(ctx context.Context, f notify.LogFilter) (_ []notify.Attempt, err error) {
	defer errs.Wrap(&err, "notify/sqlite: Log")
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
	q := `SELECT a.id, a.delivery_id, a.number, a.at, a.ok, a.code, a.error, a.duration_ms, d.kind, COALESCE(e.type, ''), COALESCE(d.subscriber_id, 0),
			COALESCE(s.channel, 'email'), COALESCE(s.address, m.mail_to), d.state
		FROM notify_attempts a
		JOIN notify_deliveries d ON d.id = a.delivery_id
		LEFT JOIN notify_subscribers s ON s.id = d.subscriber_id
		LEFT JOIN notify_messages m ON m.id = d.message_id
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
