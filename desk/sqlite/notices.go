package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
)

// NoticeTemplate returns the stored notice template, or
// desk.DefaultNoticeTemplate while none is stored.
func (st *Store) NoticeTemplate(ctx context.Context) (_ desk.NoticeTemplate, err error) {
	defer errs.Wrap(&err, "desk/sqlite: NoticeTemplate")
	return noticeTemplate(ctx, st.db)
}

func noticeTemplate(ctx context.Context, q sqlitedb.Queryer) (desk.NoticeTemplate, error) {
	var t desk.NoticeTemplate
	var at string
	err := q.QueryRowContext(ctx, `SELECT subject, body, updated_by, updated_at FROM notice_template WHERE id = 1`).Scan(&t.Subject, &t.Body, &t.UpdatedBy, &at)
	if err == sql.ErrNoRows {
		return desk.DefaultNoticeTemplate, nil
	}
	if err != nil {
		return t, err
	}
	t.UpdatedAt, err = sqlitedb.ParseTime(at)
	return t, err
}

// PutNoticeTemplate replaces the notice template with t (see
// desk.NoticeTemplate.Validate), with an audit entry holding before and
// after.
func (st *Store) PutNoticeTemplate(ctx context.Context, by audit.Actor, t desk.NoticeTemplate, now time.Time) (_ desk.NoticeTemplate, err error) {
	defer errs.Wrap(&err, "desk/sqlite: PutNoticeTemplate")
	t = t.Normalize()
	if err := t.Validate(); err != nil {
		return desk.NoticeTemplate{}, err
	}
	now = seconds(now)
	t.UpdatedBy, t.UpdatedAt = by.AuditLabel(), now
	err = st.inTx(ctx, func(tx *sql.Tx) error {
		before, err := noticeTemplate(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO notice_template (id, subject, body, updated_by, updated_at) VALUES (1, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET subject = excluded.subject, body = excluded.body, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			t.Subject, t.Body, t.UpdatedBy, sqlitedb.FormatTime(now)); err != nil {
			return err
		}
		return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "notice_template.update", Entity: "notice_template", EntityID: "1",
			Before: map[string]string{"subject": before.Subject, "body": before.Body}, After: map[string]string{"subject": t.Subject, "body": t.Body}, At: now})
	})
	if err != nil {
		return desk.NoticeTemplate{}, err
	}
	return t, nil
}
