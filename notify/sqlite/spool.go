package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
	"github.com/amends/amends/notify"
)

// Spool is the local mail spool: a mailer (notify/deliver's Mailer) that
// keeps each message in the database instead of sending it, so that admin's
// Outbox can show it. It is what e-mail uses when no SMTP server is set up.
type Spool struct {
	db  *sql.DB
	now func() time.Time
}

// Spool returns the mail spool on the store's database; now is the clock
// that dates each message (time.Now if nil).
func (st *Store) Spool(now func() time.Time) *Spool {
	if now == nil {
		now = time.Now
	}
	return &Spool{db: st.db, now: now}
}

// Send keeps msg, addressed from from to to, in the spool.
func (sp *Spool) Send(ctx context.Context, from, to string, msg []byte) (err error) {
	defer errs.Wrap(&err, "notify/sqlite: Spool.Send %s", to)
	return sqlitedb.InTx(ctx, sp.db, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO notify_mail_spool (mail_from, mail_to, message, created_at) VALUES (?, ?, ?, ?)`,
			from, to, string(msg), sqlitedb.FormatTime(sp.now().UTC().Truncate(time.Second)))
		return err
	})
}

// Messages returns up to limit spooled messages, newest first, after
// skipping offset of them, and how many the spool holds.
func (sp *Spool) Messages(ctx context.Context, offset, limit int) (_ []notify.SpooledMail, total int, err error) {
	defer errs.Wrap(&err, "notify/sqlite: Spool.Messages offset %d", offset)
	if err := sp.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM notify_mail_spool`).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := sp.db.QueryContext(ctx, `SELECT id, mail_from, mail_to, message, created_at FROM notify_mail_spool ORDER BY id DESC LIMIT ? OFFSET ?`, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []notify.SpooledMail
	for rows.Next() {
		var m notify.SpooledMail
		var msg, created string
		if err := rows.Scan(&m.ID, &m.From, &m.To, &msg, &created); err != nil {
			return nil, 0, err
		}
		m.Message = []byte(msg)
		if m.CreatedAt, err = sqlitedb.ParseTime(created); err != nil {
			return nil, 0, err
		}
		out = append(out, m)
	}
	return out, total, rows.Err()
}
