-- Personal notices sent for an incident: a batch one person requests and
-- another approves, and one message per customer contact, each with its
-- delivery id; (batch, customer, contact) is unique, so approving again or
-- restarting never queues a message twice. A correction batch names the
-- batch it corrects and holds only the customers whose figures changed.
CREATE TABLE notice_batches (
	id INTEGER PRIMARY KEY,
	incident TEXT NOT NULL,
	correction_of INTEGER REFERENCES notice_batches (id),
	state TEXT NOT NULL CHECK (state IN ('requested', 'approved')),
	requested_by TEXT NOT NULL,
	requested_at TEXT NOT NULL,
	approved_by TEXT,
	approved_at TEXT
) STRICT;
CREATE INDEX notice_batches_incident ON notice_batches (incident, id);

CREATE TABLE notice_messages (
	id INTEGER PRIMARY KEY,
	batch_id INTEGER NOT NULL REFERENCES notice_batches (id),
	customer_id TEXT NOT NULL REFERENCES customers (id),
	contact TEXT NOT NULL,
	channel TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
	delivery_id TEXT NOT NULL UNIQUE,
	fingerprint TEXT NOT NULL,
	subject TEXT NOT NULL,
	text TEXT NOT NULL,
	html TEXT NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('draft', 'pending', 'sent', 'failed')),
	error TEXT NOT NULL DEFAULT '',
	sent_at TEXT,
	UNIQUE (batch_id, customer_id, contact)
) STRICT;
