-- Messages to the team rather than to subscribers: a manager told that a
-- request waits for their approval. Each is stored once per key (a
-- request and its approver), so however often the worker relays what
-- waits, nobody is told twice. Append-only.
CREATE TABLE notify_messages (
	id INTEGER PRIMARY KEY,
	key TEXT NOT NULL UNIQUE CHECK (key <> ''),
	mail_to TEXT NOT NULL CHECK (mail_to <> ''),
	subject TEXT NOT NULL,
	content_json TEXT NOT NULL,
	created_at TEXT NOT NULL
) STRICT;
CREATE TRIGGER notify_messages_no_change BEFORE UPDATE ON notify_messages
BEGIN SELECT RAISE(ABORT, 'messages are append-only'); END;
CREATE TRIGGER notify_messages_no_delete BEFORE DELETE ON notify_messages
BEGIN SELECT RAISE(ABORT, 'messages are append-only'); END;

-- notify_deliveries gains the kind 'message', which has a message and no
-- subscriber. SQLite cannot change a CHECK, so the table is rebuilt; the
-- attempts that reference it are checked again at commit.
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE notify_deliveries_0003 AS SELECT * FROM notify_deliveries;
DROP TABLE notify_deliveries;
CREATE TABLE notify_deliveries (
	id TEXT PRIMARY KEY,
	subscriber_id INTEGER REFERENCES notify_subscribers (id),
	kind TEXT NOT NULL CHECK (kind IN ('event', 'confirm', 'challenge', 'message')),
	event_id INTEGER REFERENCES notify_events (id),
	message_id INTEGER UNIQUE REFERENCES notify_messages (id),
	-- The confirmation token or challenge while the delivery is open.
	secret TEXT NOT NULL DEFAULT '',
	state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
	attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	next_at TEXT NOT NULL,
	claim TEXT,
	lease_until TEXT,
	created_at TEXT NOT NULL,
	finished_at TEXT,
	last_error TEXT NOT NULL DEFAULT '',
	CHECK ((kind = 'event') = (event_id IS NOT NULL)),
	CHECK ((kind = 'message') = (message_id IS NOT NULL)),
	CHECK ((kind = 'message') = (subscriber_id IS NULL)),
	CHECK ((state = 'sending') = (lease_until IS NOT NULL)),
	UNIQUE (event_id, subscriber_id)
) STRICT;
INSERT INTO notify_deliveries (id, subscriber_id, kind, event_id, secret, state, attempts, next_at, claim, lease_until, created_at, finished_at, last_error)
SELECT id, subscriber_id, kind, event_id, secret, state, attempts, next_at, claim, lease_until, created_at, finished_at, last_error FROM temp.notify_deliveries_0003;
DROP TABLE temp.notify_deliveries_0003;
CREATE INDEX notify_deliveries_due ON notify_deliveries (state, next_at);
CREATE INDEX notify_deliveries_lease ON notify_deliveries (state, lease_until);
CREATE INDEX notify_deliveries_subscriber ON notify_deliveries (subscriber_id, state);
CREATE TRIGGER notify_deliveries_no_delete BEFORE DELETE ON notify_deliveries
BEGIN SELECT RAISE(ABORT, 'deliveries are never deleted'); END;
