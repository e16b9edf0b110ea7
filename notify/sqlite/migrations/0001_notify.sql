-- Subscribers, events and the outbox of notify. Instants are TEXT in
-- sqlitedb.TimeFormat (UTC, whole seconds), so text order is time order.
-- Nothing here is deleted: subscribers end (unsubscribed, removed),
-- deliveries end (sent, failed, cancelled), the attempt log only grows.

CREATE TABLE notify_subscribers (
	id INTEGER PRIMARY KEY,
	channel TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
	address TEXT NOT NULL CHECK (address <> ''),
	state TEXT NOT NULL CHECK (state IN ('pending', 'active', 'unsubscribed', 'removed')),
	-- SHA-256 (hex) of the e-mail confirmation token, while pending.
	confirm_hash TEXT UNIQUE,
	confirm_sent_at TEXT,
	-- The one-click unsubscribe token: it goes into every message, so it is
	-- kept as is; it can do nothing but unsubscribe.
	unsubscribe_token TEXT NOT NULL UNIQUE,
	-- The webhook signing secret ('' for e-mail): needed to sign.
	secret TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	confirmed_at TEXT,
	ended_at TEXT,
	CHECK ((state IN ('unsubscribed', 'removed')) = (ended_at IS NOT NULL))
) STRICT;
-- One live subscription per address and channel.
CREATE UNIQUE INDEX notify_subscribers_live ON notify_subscribers (channel, address) WHERE state IN ('pending', 'active');
CREATE INDEX notify_subscribers_active ON notify_subscribers (state);
CREATE TRIGGER notify_subscribers_no_delete BEFORE DELETE ON notify_subscribers
BEGIN SELECT RAISE(ABORT, 'subscribers are never deleted'); END;

-- The components a subscriber follows; none means everything.
CREATE TABLE notify_subscriber_components (
	subscriber_id INTEGER NOT NULL REFERENCES notify_subscribers (id),
	component_id TEXT NOT NULL,
	PRIMARY KEY (subscriber_id, component_id)
) STRICT;

-- Every event published, once per key: the record of what was told,
-- including the maintenance transitions that the clock caused.
CREATE TABLE notify_events (
	id INTEGER PRIMARY KEY,
	key TEXT NOT NULL UNIQUE,
	type TEXT NOT NULL CHECK (type IN ('incident.created', 'incident.updated', 'incident.resolved',
		'maintenance.scheduled', 'maintenance.started', 'maintenance.completed', 'explanation.published')),
	at TEXT NOT NULL,
	payload_json TEXT NOT NULL,
	created_at TEXT NOT NULL
) STRICT;
CREATE TRIGGER notify_events_no_change BEFORE UPDATE ON notify_events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER notify_events_no_delete BEFORE DELETE ON notify_events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

-- The outbox: one row per message to one subscriber.
CREATE TABLE notify_deliveries (
	id TEXT PRIMARY KEY,
	subscriber_id INTEGER NOT NULL REFERENCES notify_subscribers (id),
	kind TEXT NOT NULL CHECK (kind IN ('event', 'confirm', 'challenge')),
	event_id INTEGER REFERENCES notify_events (id),
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
	CHECK ((state = 'sending') = (lease_until IS NOT NULL)),
	UNIQUE (event_id, subscriber_id)
) STRICT;
CREATE INDEX notify_deliveries_due ON notify_deliveries (state, next_at);
CREATE INDEX notify_deliveries_lease ON notify_deliveries (state, lease_until);
CREATE INDEX notify_deliveries_subscriber ON notify_deliveries (subscriber_id, state);
CREATE TRIGGER notify_deliveries_no_delete BEFORE DELETE ON notify_deliveries
BEGIN SELECT RAISE(ABORT, 'deliveries are never deleted'); END;

-- The delivery log: every attempt, with the HTTP or SMTP code or the error.
CREATE TABLE notify_attempts (
	id INTEGER PRIMARY KEY,
	delivery_id TEXT NOT NULL REFERENCES notify_deliveries (id),
	number INTEGER NOT NULL,
	at TEXT NOT NULL,
	ok INTEGER NOT NULL CHECK (ok IN (0, 1)),
	code INTEGER NOT NULL DEFAULT 0,
	error TEXT NOT NULL DEFAULT '',
	duration_ms INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX notify_attempts_delivery ON notify_attempts (delivery_id, id);
CREATE TRIGGER notify_attempts_no_update BEFORE UPDATE ON notify_attempts
BEGIN SELECT RAISE(ABORT, 'the delivery log is append-only'); END;
CREATE TRIGGER notify_attempts_no_delete BEFORE DELETE ON notify_attempts
BEGIN SELECT RAISE(ABORT, 'the delivery log is append-only'); END;
