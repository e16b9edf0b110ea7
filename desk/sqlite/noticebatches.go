package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
)

// RequestNoticeBatch stores a requested batch of incident's notices with
// its messages as drafts, each given a random delivery id, and audits it.
// errs.Invalid on "messages" when there are none; errs.Conflict while the
// incident has a batch waiting for approval.
func (st *Store) RequestNoticeBatch(ctx context.Context, by audit.Actor, incident string, correctionOf int64, msgs []desk.NoticeMessage, now time.Time) (_ desk.NoticeBatch, err error) {
	defer errs.Wrap(&err, "desk/sqlite: RequestNoticeBatch %s", incident)
	if len(msgs) == 0 {
		return desk.NoticeBatch{}, errs.Invalidf("messages", "no customer to send a notice to")
	}
	now = seconds(now)
	b := desk.NoticeBatch{Incident: incident, State: desk.NoticeRequested, CorrectionOf: correctionOf, RequestedBy: by.Who(), RequestedAt: now}
	err = st.inTx(ctx, func(tx *sql.Tx) error {
		var waiting int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM notice_batches WHERE incident = ? AND state = 'requested'`, incident).Scan(&waiting)
		if err == nil {
			return errs.Conflictf("incident %s already has notice batch %d waiting for approval", incident, waiting)
		}
		if err != sql.ErrNoRows {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO notice_batches (incident, correction_of, state, requested_by, requested_at) VALUES (?, ?, 'requested', ?, ?)`,
			incident, nullInt(correctionOf), b.RequestedBy, sqlitedb.FormatTime(now))
		if err != nil {
			return err
		}
		if b.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		for _, m := range msgs {
			id := make([]byte, 16)
			if _, err := rand.Read(id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO notice_messages (batch_id, customer_id, contact, channel, delivery_id, fingerprint, subject, text, html, state)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft')`, b.ID, m.Customer, m.Contact, m.Channel, hex.EncodeToString(id), m.Fingerprint, m.Subject, m.Text, m.HTML); err != nil {
				return err
			}
		}
		return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "notice_batch.request", Entity: "notice_batch", EntityID: strconv.FormatInt(b.ID, 10),
			After: map[string]any{"incident": incident, "messages": len(msgs), "correction_of": correctionOf}, At: now})
	})
	if err != nil {
		return desk.NoticeBatch{}, err
	}
	return b, nil
}

// ApproveNoticeBatch approves batch id by a person other than its
// requester and not an account the requester made (desk.CheckApprover),
// nor one created after the request; in the same transaction it makes
// each customer of the batch a new statement link (replacing any earlier
// one, audited), puts it in its messages in place of
// desk.StatementMarker, and queues them (pending). errs.NotFound,
// errs.Forbidden, errs.Conflict once approved: a message is never queued
// twice.
func (st *Store) ApproveNoticeBatch(ctx context.Context, by audit.Actor, id int64, now time.Time) (_ desk.NoticeBatch, err error) {
	defer errs.Wrap(&err, "desk/sqlite: ApproveNoticeBatch %d", id)
	now = seconds(now)
	var b desk.NoticeBatch
	err = st.inTx(ctx, func(tx *sql.Tx) error {
		if b, err = noticeBatch(ctx, tx, id); err != nil {
			return err
		}
		if b.State != desk.NoticeRequested {
			return errs.Conflictf("notice batch %d is already %s", id, b.State)
		}
		what := "notice batch " + strconv.FormatInt(id, 10)
		if err := checkApprover(ctx, tx, what, b.RequestedBy, b.RequestedAt, by.Who(), now); err != nil {
			return err
		}
		var late int
		// After the request: later in the log than the request's own entry.
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE entity = 'user' AND action = 'user.create'
			AND json_extract(after_json, '$.email') = ? AND id > (SELECT COALESCE(MAX(id), 0) FROM audit_log
				WHERE entity = 'notice_batch' AND action = 'notice_batch.request' AND entity_id = ?)`,
			by.Who(), strconv.FormatInt(id, 10)).Scan(&late); err != nil {
			return err
		}
		if late > 0 {
			return errs.Forbiddenf("your account was created after %s was requested, so another manager must approve it", what)
		}
		rows, err := tx.QueryContext(ctx, `SELECT DISTINCT customer_id FROM notice_messages WHERE batch_id = ?`, id)
		if err != nil {
			return err
		}
		var customers []string
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				rows.Close()
				return err
			}
			customers = append(customers, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, c := range customers {
			raw := make([]byte, 32)
			if _, err := rand.Read(raw); err != nil {
				return err
			}
			token := base64.RawURLEncoding.EncodeToString(raw)
			if _, err := tx.ExecContext(ctx, `INSERT INTO customer_statement_links (customer_id, token_sha256, created_by, created_at) VALUES (?, ?, ?, ?)
				ON CONFLICT (customer_id) DO UPDATE SET token_sha256 = excluded.token_sha256, created_by = excluded.created_by, created_at = excluded.created_at`,
				c, tokenHash(token), by.AuditLabel(), sqlitedb.FormatTime(now)); err != nil {
				return err
			}
			if err := sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "statement_link.rotate", Entity: "customer", EntityID: c,
				After: map[string]string{"created_at": sqlitedb.FormatTime(now), "for": what}, At: now}); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE notice_messages SET text = replace(text, ?, ?), html = replace(html, ?, ?), state = 'pending', queued_at = ?, next_at = ?
				WHERE batch_id = ? AND customer_id = ? AND state = 'draft'`, desk.StatementMarker, token, desk.StatementMarker, token,
				sqlitedb.FormatTime(now), sqlitedb.FormatTime(now), id, c); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE notice_batches SET state = 'approved', approved_by = ?, approved_at = ? WHERE id = ? AND state = 'requested'`,
			by.Who(), sqlitedb.FormatTime(now), id); err != nil {
			return err
		}
		b.State, b.ApprovedBy, b.ApprovedAt = desk.NoticeApproved, by.Who(), &now
		return sqlitedb.Audit(ctx, tx, sqlitedb.AuditEntry{Actor: by, Action: "notice_batch.approve", Entity: "notice_batch", EntityID: strconv.FormatInt(id, 10),
			Before: map[string]string{"state": string(desk.NoticeRequested)}, After: map[string]any{"state": desk.NoticeApproved, "customers": len(customers)}, At: now})
	})
	if err != nil {
		return desk.NoticeBatch{}, err
	}
	return b, nil
}

// NoticeBatch returns one batch; errs.NotFound.
func (st *Store) NoticeBatch(ctx context.Context, id int64) (_ desk.NoticeBatch, err error) {
	defer errs.Wrap(&err, "desk/sqlite: NoticeBatch %d", id)
	return noticeBatch(ctx, st.db, id)
}

const noticeBatchColumns = `id, incident, COALESCE(correction_of, 0), state, requested_by, requested_at, approved_by, approved_at`

func scanNoticeBatch(sc interface{ Scan(...any) error }) (desk.NoticeBatch, error) {
	var b desk.NoticeBatch
	var req string
	var appBy, appAt sql.NullString
	if err := sc.Scan(&b.ID, &b.Incident, &b.CorrectionOf, &b.State, &b.RequestedBy, &req, &appBy, &appAt); err != nil {
		return b, err
	}
	var err error
	if b.RequestedAt, err = sqlitedb.ParseTime(req); err != nil {
		return b, err
	}
	b.ApprovedBy = appBy.String
	if appAt.Valid {
		t, err := sqlitedb.ParseTime(appAt.String)
		if err != nil {
			return b, err
		}
		b.ApprovedAt = &t
	}
	return b, nil
}

func noticeBatch(ctx context.Context, q sqlitedb.Queryer, id int64) (desk.NoticeBatch, error) {
	b, err := scanNoticeBatch(q.QueryRowContext(ctx, `SELECT `+noticeBatchColumns+` FROM notice_batches WHERE id = ?`, id))
	if err != nil {
		return b, notFound(err, "no notice batch %d", id)
	}
	return b, nil
}

// NoticeBatches returns incident's batches, oldest first.
func (st *Store) NoticeBatches(ctx context.Context, incident string) (_ []desk.NoticeBatch, err error) {
	defer errs.Wrap(&err, "desk/sqlite: NoticeBatches %s", incident)
	rows, err := st.db.QueryContext(ctx, `SELECT `+noticeBatchColumns+` FROM notice_batches WHERE incident = ? ORDER BY id`, incident)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []desk.NoticeBatch
	for rows.Next() {
		b, err := scanNoticeBatch(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// NoticeMessages returns batch's messages by customer and contact.
func (st *Store) NoticeMessages(ctx context.Context, batch int64) (_ []desk.NoticeMessage, err error) {
	defer errs.Wrap(&err, "desk/sqlite: NoticeMessages %d", batch)
	return noticeMessages(ctx, st.db, `WHERE batch_id = ? ORDER BY customer_id, contact`, batch)
}

const noticeMessageColumns = `id, batch_id, customer_id, contact, channel, delivery_id, fingerprint, subject, text, html, state, error, sent_at, attempts, queued_at, lease_until,
	(SELECT b.incident FROM notice_batches b WHERE b.id = notice_messages.batch_id),
	COALESCE((SELECT c.webhook_secret FROM customers c WHERE c.id = notice_messages.customer_id AND notice_messages.channel = 'webhook'
		AND c.webhook_url = notice_messages.contact), '')`

func noticeMessages(ctx context.Context, q sqlitedb.Queryer, where string, args ...any) ([]desk.NoticeMessage, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+noticeMessageColumns+` FROM notice_messages `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []desk.NoticeMessage
	for rows.Next() {
		var m desk.NoticeMessage
		var sent, queued, lease sql.NullString
		if err := rows.Scan(&m.ID, &m.Batch, &m.Customer, &m.Contact, &m.Channel, &m.DeliveryID, &m.Fingerprint, &m.Subject, &m.Text, &m.HTML, &m.State, &m.Error, &sent,
			&m.Attempts, &queued, &lease, &m.Incident, &m.Secret); err != nil {
			return nil, err
		}
		if m.SentAt, err = sqlitedb.ParseNullTime(sent); err != nil {
			return nil, err
		}
		if m.QueuedAt, err = sqlitedb.ParseNullTime(queued); err != nil {
			return nil, err
		}
		if lease.Valid {
			// Claimed before: ClaimNoticeMessages takes it again only
			// once its lease ran out.
			m.Claim = "stale"
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// ClaimNoticeMessages implements desk.Store: the pending messages due at
// now, oldest first, or whose lease ran out (a sender that stopped
// mid-send: the attempt is counted, and the message goes again under the
// same delivery id).
func (st *Store) ClaimNoticeMessages(ctx context.Context, now time.Time, lease time.Duration, limit int) (_ []desk.NoticeMessage, err error) {
	defer errs.Wrap(&err, "desk/sqlite: ClaimNoticeMessages %s", sqlitedb.FormatTime(now))
	now = seconds(now)
	var out []desk.NoticeMessage
	err = st.inTx(ctx, func(tx *sql.Tx) error {
		at := sqlitedb.FormatTime(now)
		if out, err = noticeMessages(ctx, tx, `WHERE state = 'pending' AND next_at <= ? AND (lease_until IS NULL OR lease_until <= ?) ORDER BY next_at, id LIMIT ?`, at, at, limit); err != nil {
			return err
		}
		until := sqlitedb.FormatTime(now.Add(lease))
		for i := range out {
			m := &out[i]
			stale := m.Claim != ""
			m.Claim = newClaim()
			if stale {
				m.Attempts++
				m.Error = "lease ran out: the sender stopped before recording this attempt"
				if _, err := tx.ExecContext(ctx, `UPDATE notice_messages SET attempts = attempts + 1, error = ? WHERE id = ?`, m.Error, m.ID); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `UPDATE notice_messages SET claim = ?, lease_until = ? WHERE id = ?`, m.Claim, until, m.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FinishNoticeMessage implements desk.Store.
func (st *Store) FinishNoticeMessage(ctx context.Context, m desk.NoticeMessage, failure string, next *time.Time, now time.Time) (err error) {
	defer errs.Wrap(&err, "desk/sqlite: FinishNoticeMessage %s", m.DeliveryID)
	now = seconds(now)
	if len(failure) > 500 {
		failure = failure[:500] + "…"
	}
	return st.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		switch {
		case failure == "":
			_, err = tx.ExecContext(ctx, `UPDATE notice_messages SET state = 'sent', attempts = attempts + 1, error = '', sent_at = ?, claim = NULL, lease_until = NULL
				WHERE id = ? AND claim = ? AND state = 'pending'`, sqlitedb.FormatTime(now), m.ID, m.Claim)
		case next != nil:
			_, err = tx.ExecContext(ctx, `UPDATE notice_messages SET attempts = attempts + 1, error = ?, next_at = ?, claim = NULL, lease_until = NULL
				WHERE id = ? AND claim = ? AND state = 'pending'`, failure, sqlitedb.FormatTime(seconds(*next)), m.ID, m.Claim)
		default:
			_, err = tx.ExecContext(ctx, `UPDATE notice_messages SET state = 'failed', attempts = attempts + 1, error = ?, claim = NULL, lease_until = NULL
				WHERE id = ? AND claim = ? AND state = 'pending'`, failure, m.ID, m.Claim)
		}
		return err
	})
}

// newClaim returns a random claim identifier.
func newClaim() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b)
}

// nullInt is NULL for 0.
func nullInt(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}
