-- The credit desk: customers with their resources and charges, SLA
-- policies, claims, credit runs with their previewed lines, the ledger and
-- manual credits. Instants are TEXT in sqlitedb.TimeFormat (UTC, whole
-- seconds); money is INTEGER minor units. The CHECKs and triggers repeat
-- the domain's rules as a second line of defence; the Go code checks first.
-- Components and services live in the incidents tables; this set does not
-- reference them (callers check them), so the two sets migrate apart.

CREATE TABLE customers (
	id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64 AND id NOT GLOB '*[^a-z0-9-]*'),
	name TEXT NOT NULL CHECK (name <> ''),
	external_id TEXT NOT NULL DEFAULT '',
	currency TEXT NOT NULL CHECK (length(currency) = 3 AND currency NOT GLOB '*[^A-Z]*'),
	email TEXT NOT NULL CHECK (email <> ''),
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
) STRICT;
CREATE TRIGGER customers_no_delete BEFORE DELETE ON customers
BEGIN SELECT RAISE(ABORT, 'customers are never deleted'); END;

CREATE TABLE customer_resources (
	id INTEGER PRIMARY KEY,
	customer_id TEXT NOT NULL REFERENCES customers (id),
	component_id TEXT NOT NULL CHECK (component_id <> ''),
	count INTEGER NOT NULL CHECK (count >= 0),
	from_at TEXT,
	to_at TEXT,
	CHECK (from_at IS NULL OR to_at IS NULL OR to_at > from_at)
) STRICT;
CREATE INDEX customer_resources_customer ON customer_resources (customer_id, id);
CREATE TRIGGER customer_resources_no_delete BEFORE DELETE ON customer_resources
BEGIN SELECT RAISE(ABORT, 'resource entries are never deleted'); END;

CREATE TABLE customer_charges (
	id INTEGER PRIMARY KEY,
	customer_id TEXT NOT NULL REFERENCES customers (id),
	component_id TEXT NOT NULL CHECK (component_id <> ''),
	month TEXT NOT NULL CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]'),
	amount_minor INTEGER NOT NULL CHECK (amount_minor >= 0),
	UNIQUE (customer_id, component_id, month)
) STRICT;
CREATE INDEX customer_charges_month ON customer_charges (month, customer_id, component_id);
CREATE TRIGGER customer_charges_no_delete BEFORE DELETE ON customer_charges
BEGIN SELECT RAISE(ABORT, 'charges are never deleted; correct them'); END;

-- One default policy per service (customer_id NULL), one override per
-- customer and service. The policy itself is the spec's JSON form.
CREATE TABLE sla_policies (
	id TEXT PRIMARY KEY CHECK (id <> ''),
	service_id TEXT NOT NULL CHECK (service_id <> ''),
	customer_id TEXT REFERENCES customers (id),
	timezone TEXT NOT NULL DEFAULT '',
	requires_claim INTEGER NOT NULL CHECK (requires_claim IN (0, 1)),
	policy_json TEXT NOT NULL,
	updated_at TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX sla_policies_one ON sla_policies (service_id, coalesce(customer_id, ''));
CREATE TRIGGER sla_policies_no_delete BEFORE DELETE ON sla_policies
BEGIN SELECT RAISE(ABORT, 'policies are never deleted'); END;

-- Claims as recorded: append-only.
CREATE TABLE sla_claims (
	id INTEGER PRIMARY KEY,
	customer_id TEXT NOT NULL REFERENCES customers (id),
	service_id TEXT NOT NULL CHECK (service_id <> ''),
	month TEXT NOT NULL CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]'),
	claimed_at TEXT NOT NULL,
	deadline TEXT NOT NULL,
	late INTEGER NOT NULL CHECK (late IN (0, 1)),
	recorded_by TEXT NOT NULL,
	recorded_at TEXT NOT NULL,
	UNIQUE (customer_id, service_id, month)
) STRICT;
CREATE INDEX sla_claims_month ON sla_claims (month);
CREATE TRIGGER sla_claims_no_update BEFORE UPDATE ON sla_claims
BEGIN SELECT RAISE(ABORT, 'claims are append-only'); END;
CREATE TRIGGER sla_claims_no_delete BEFORE DELETE ON sla_claims
BEGIN SELECT RAISE(ABORT, 'claims are append-only'); END;

CREATE TABLE credit_runs (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('month')),
	period TEXT NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('previewed', 'requested', 'issued', 'rejected')),
	as_of TEXT NOT NULL,
	previewed_by TEXT NOT NULL,
	previewed_at TEXT NOT NULL,
	requested_by TEXT,
	requested_at TEXT,
	approved_by TEXT,
	approved_at TEXT,
	rejected_by TEXT,
	rejected_at TEXT,
	reject_reason TEXT,
	lines INTEGER NOT NULL,
	totals_json TEXT NOT NULL,
	issued_json TEXT,
	CHECK (state <> 'issued' OR (approved_by IS NOT NULL AND approved_by <> requested_by))
) STRICT;
CREATE INDEX credit_runs_period ON credit_runs (period, id);
CREATE TRIGGER credit_runs_no_delete BEFORE DELETE ON credit_runs
BEGIN SELECT RAISE(ABORT, 'credit runs are never deleted'); END;
-- A run only moves forward, and an issued or rejected run is final.
CREATE TRIGGER credit_runs_forward BEFORE UPDATE ON credit_runs
WHEN OLD.state IN ('issued', 'rejected')
   OR (OLD.state = 'requested' AND NEW.state NOT IN ('issued', 'rejected'))
   OR (OLD.state = 'previewed' AND NEW.state NOT IN ('requested', 'rejected'))
   OR NEW.period IS NOT OLD.period OR NEW.as_of IS NOT OLD.as_of OR NEW.lines IS NOT OLD.lines
   OR NEW.totals_json IS NOT OLD.totals_json
BEGIN SELECT RAISE(ABORT, 'a credit run only moves forward, and its lines never change'); END;

-- The previewed lines: the snapshot that approval pays. Append-only.
CREATE TABLE credit_run_lines (
	run_id INTEGER NOT NULL REFERENCES credit_runs (id),
	seq INTEGER NOT NULL,
	customer_id TEXT NOT NULL,
	service_id TEXT NOT NULL,
	policy_id TEXT NOT NULL,
	currency TEXT NOT NULL,
	downtime_seconds TEXT NOT NULL,
	uptime_percent TEXT NOT NULL,
	credit_percent INTEGER NOT NULL,
	charges_minor INTEGER NOT NULL,
	credit_minor INTEGER NOT NULL,
	payable_minor INTEGER NOT NULL CHECK (payable_minor >= 0),
	claim_deadline TEXT NOT NULL,
	claim TEXT NOT NULL CHECK (claim IN ('not_required', 'claimed', 'late', 'unclaimed')),
	reason TEXT NOT NULL,
	PRIMARY KEY (run_id, seq)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER credit_run_lines_no_update BEFORE UPDATE ON credit_run_lines
BEGIN SELECT RAISE(ABORT, 'credit run lines are append-only'); END;
CREATE TRIGGER credit_run_lines_no_delete BEFORE DELETE ON credit_run_lines
BEGIN SELECT RAISE(ABORT, 'credit run lines are append-only'); END;

CREATE TABLE manual_credits (
	id INTEGER PRIMARY KEY,
	customer_id TEXT NOT NULL REFERENCES customers (id),
	amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
	currency TEXT NOT NULL,
	reason TEXT NOT NULL CHECK (reason <> ''),
	service_id TEXT NOT NULL DEFAULT '',
	month TEXT NOT NULL DEFAULT '',
	state TEXT NOT NULL CHECK (state IN ('pending', 'issued', 'rejected')),
	requested_by TEXT NOT NULL,
	requested_at TEXT NOT NULL,
	decided_by TEXT,
	decided_at TEXT,
	CHECK (state = 'pending' OR decided_by IS NOT NULL)
) STRICT;
CREATE TRIGGER manual_credits_no_delete BEFORE DELETE ON manual_credits
BEGIN SELECT RAISE(ABORT, 'manual credits are never deleted'); END;
CREATE TRIGGER manual_credits_final BEFORE UPDATE ON manual_credits
WHEN OLD.state <> 'pending' OR NEW.amount_minor IS NOT OLD.amount_minor OR NEW.customer_id IS NOT OLD.customer_id
BEGIN SELECT RAISE(ABORT, 'a decided manual credit is final'); END;

CREATE TABLE manual_credit_thresholds (
	currency TEXT PRIMARY KEY CHECK (length(currency) = 3),
	above_minor INTEGER NOT NULL CHECK (above_minor >= 0)
) STRICT;

-- The ledger: append-only. A correction is a new adjustment entry whose
-- adjusts_json lists the ids of the earlier entries of its key.
CREATE TABLE ledger_entries (
	id INTEGER PRIMARY KEY,
	customer_id TEXT NOT NULL REFERENCES customers (id),
	currency TEXT NOT NULL,
	amount_minor INTEGER NOT NULL CHECK (amount_minor <> 0),
	kind TEXT NOT NULL CHECK (kind IN ('tier', 'goodwill', 'manual', 'adjustment')),
	credit_kind TEXT NOT NULL CHECK (credit_kind IN ('tier', 'goodwill', 'manual')),
	service_id TEXT NOT NULL DEFAULT '',
	period TEXT NOT NULL DEFAULT '',
	incident TEXT NOT NULL DEFAULT '',
	reason TEXT NOT NULL,
	run_id INTEGER REFERENCES credit_runs (id),
	manual_id INTEGER REFERENCES manual_credits (id),
	adjusts_json TEXT,
	created_at TEXT NOT NULL,
	actor TEXT NOT NULL,
	CHECK ((kind = 'adjustment') = (adjusts_json IS NOT NULL)),
	CHECK (kind = 'adjustment' OR kind = credit_kind),
	CHECK (kind = 'adjustment' OR amount_minor > 0)
) STRICT;
CREATE INDEX ledger_entries_key ON ledger_entries (period, credit_kind, customer_id, service_id);
CREATE INDEX ledger_entries_customer ON ledger_entries (customer_id, id);
CREATE INDEX ledger_entries_run ON ledger_entries (run_id) WHERE run_id IS NOT NULL;
CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
