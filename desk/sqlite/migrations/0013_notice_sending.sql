-- Sending an approved batch's messages: the notify worker claims a
-- pending message with a lease (claim, lease_until), sends it under its
-- delivery id, and records sent, due again (next_at, attempts, error) or
-- failed. A message whose worker stopped mid-send is claimed again when
-- its lease runs out, under the same delivery id (at least once; the
-- receiver sees the same Message-ID). queued_at is when approval queued
-- it, from which the worker gives up after notify.GiveUpAfter.
ALTER TABLE notice_messages ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0);
ALTER TABLE notice_messages ADD COLUMN queued_at TEXT;
ALTER TABLE notice_messages ADD COLUMN next_at TEXT;
ALTER TABLE notice_messages ADD COLUMN claim TEXT;
ALTER TABLE notice_messages ADD COLUMN lease_until TEXT;
UPDATE notice_messages SET queued_at = (SELECT approved_at FROM notice_batches b WHERE b.id = batch_id),
	next_at = (SELECT approved_at FROM notice_batches b WHERE b.id = batch_id)
	WHERE state = 'pending';
CREATE INDEX notice_messages_due ON notice_messages (next_at, id) WHERE state = 'pending';
