package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
	"github.com/amends/amends/notify"
)

// QueueMessages implements notify.Store. The worker offers the same
// messages every pass, so the keys already stored are read first and a
// pass that has nothing new writes nothing.
func (st *Store) QueueMessages(ctx context.Context, msgs []notify.Message, now time.Time) (n int, err error) {
	defer errs.Wrap(&err, "notify/sqlite: QueueMessages")
	known := map[string]bool{}
	for i := 0; i < len(msgs); i += 500 {
		part := msgs[i:min(i+500, len(msgs))]
		args := make([]any, len(part))
		for j, m := range part {
			args[j] = m.Key
		}
		rows, err := st.db.QueryContext(ctx, `SELECT key FROM notify_messages WHERE key IN (?`+strings.Repeat(", ?", len(part)-1)+`)`, args...)
		if err != nil {
			return 0, err
		}
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return 0, err
			}
			known[k] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, err
		}
	}
	var fresh []notify.Message
	for _, m := range msgs {
		if !known[m.Key] {
			known[m.Key] = true
			fresh = append(fresh, m)
		}
	}
	if len(fresh) == 0 {
		return 0, nil
	}
	at := sqlitedb.FormatTime(now)
	err = sqlitedb.InTx(ctx, st.db, func(tx *sql.Tx) error {
		n = 0
		for _, m := range fresh {
			if m.Key == "" || m.To == "" {
				return errs.Invalidf("key", "a message needs a key and an address")
			}
			content, err := json.Marshal(m)
			if err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO notify_messages (key, mail_to, subject, content_json, created_at) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (key) DO NOTHING`, m.Key, m.To, m.Subject, string(content), at)
			if err != nil {
				return err
			}
			if added, err := res.RowsAffected(); err != nil || added == 0 {
				if err != nil {
					return err
				}
				continue // queued meanwhile by another pass
			}
			id, err := res.LastInsertId()
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO notify_deliveries (id, kind, message_id, state, next_at, created_at) VALUES (?, 'message', ?, 'pending', ?, ?)`,
				notify.NewDeliveryID(), id, at, at); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// message returns stored message id, as its job needs it.
func message(ctx context.Context, q sqlitedb.Queryer, id int64) (*notify.Message, error) {
	var m notify.Message
	var content string
	if err := q.QueryRowContext(ctx, `SELECT key, mail_to, subject, content_json FROM notify_messages WHERE id = ?`, id).Scan(&m.Key, &m.To, &m.Subject, &content); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(content), &m); err != nil {
		return nil, err
	}
	return &m, nil
}
