-- The local mail spool: where e-mail goes when no SMTP server is set up,
-- so that every message (a confirmation with its link, an update) can be
-- read in admin's Outbox. Each row is the complete RFC 5322 message as it
-- would have been handed to a mail server. Append-only.
CREATE TABLE notify_mail_spool (
	id INTEGER PRIMARY KEY,
	mail_from TEXT NOT NULL,
	mail_to TEXT NOT NULL CHECK (mail_to <> ''),
	message TEXT NOT NULL,
	created_at TEXT NOT NULL
) STRICT;
CREATE TRIGGER notify_mail_spool_no_change BEFORE UPDATE ON notify_mail_spool
BEGIN SELECT RAISE(ABORT, 'the mail spool is append-only'); END;
CREATE TRIGGER notify_mail_spool_no_delete BEFORE DELETE ON notify_mail_spool
BEGIN SELECT RAISE(ABORT, 'the mail spool is append-only'); END;

-- A subscription may follow one incident only (until it resolves): then it
-- receives that incident's events and nothing else. An address may follow
-- everything (or chosen components) and, apart, single incidents.
ALTER TABLE notify_subscribers ADD COLUMN incident_id INTEGER CHECK (incident_id IS NULL OR incident_id > 0);
DROP INDEX notify_subscribers_live;
CREATE UNIQUE INDEX notify_subscribers_live ON notify_subscribers (channel, address, COALESCE(incident_id, 0)) WHERE state IN ('pending', 'active');
