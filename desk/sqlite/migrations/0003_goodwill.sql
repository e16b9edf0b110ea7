-- Goodwill grants on incidents (requested, then approved by another
-- person), and credit runs that pay an incident's goodwill.

CREATE TABLE goodwill_grants (
	id INTEGER PRIMARY KEY,
	incident TEXT NOT NULL CHECK (incident <> ''),
	days INTEGER NOT NULL CHECK (days BETWEEN 1 AND 366),
	services_json TEXT NOT NULL,
	components_json TEXT NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	state TEXT NOT NULL CHECK (state IN ('pending', 'approved')),
	requested_by TEXT NOT NULL,
	requested_at TEXT NOT NULL,
	approved_by TEXT,
	approved_at TEXT,
	CHECK (state = 'pending' OR (approved_by IS NOT NULL AND approved_by <> requested_by))
) STRICT;
-- One live grant per incident.
CREATE UNIQUE INDEX goodwill_grants_incident ON goodwill_grants (incident);
CREATE TRIGGER goodwill_grants_no_delete BEFORE DELETE ON goodwill_grants
BEGIN SELECT RAISE(ABORT, 'goodwill grants are never deleted'); END;
CREATE TRIGGER goodwill_grants_final BEFORE UPDATE ON goodwill_grants
WHEN OLD.state <> 'pending' OR NEW.incident IS NOT OLD.incident OR NEW.days IS NOT OLD.days
   OR NEW.services_json IS NOT OLD.services_json OR NEW.components_json IS NOT OLD.components_json
   OR NEW.requested_by IS NOT OLD.requested_by OR NEW.requested_at IS NOT OLD.requested_at
BEGIN SELECT RAISE(ABORT, 'an approved goodwill grant is final, and a grant''s terms never change'); END;

-- credit_runs gains the incident kind and its incident. SQLite cannot
-- change a CHECK, so the table is rebuilt; the lines and ledger entries
-- that reference it are checked again at commit.
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE credit_runs_0003 AS SELECT * FROM credit_runs;
DROP TABLE credit_runs;
CREATE TABLE credit_runs (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('month', 'incident')),
	period TEXT NOT NULL,
	incident TEXT NOT NULL DEFAULT '',
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
	CHECK (state <> 'issued' OR (approved_by IS NOT NULL AND approved_by <> requested_by)),
	CHECK ((kind = 'incident') = (incident <> ''))
) STRICT;
INSERT INTO credit_runs (id, kind, period, state, as_of, previewed_by, previewed_at, requested_by, requested_at,
	approved_by, approved_at, rejected_by, rejected_at, reject_reason, lines, totals_json, issued_json)
SELECT id, kind, period, state, as_of, previewed_by, previewed_at, requested_by, requested_at,
	approved_by, approved_at, rejected_by, rejected_at, reject_reason, lines, totals_json, issued_json FROM temp.credit_runs_0003;
DROP TABLE temp.credit_runs_0003;
CREATE INDEX credit_runs_period ON credit_runs (period, id);
CREATE TRIGGER credit_runs_no_delete BEFORE DELETE ON credit_runs
BEGIN SELECT RAISE(ABORT, 'credit runs are never deleted'); END;
CREATE TRIGGER credit_runs_forward BEFORE UPDATE ON credit_runs
WHEN OLD.state IN ('issued', 'rejected')
   OR (OLD.state = 'requested' AND NEW.state NOT IN ('issued', 'rejected'))
   OR (OLD.state = 'previewed' AND NEW.state NOT IN ('requested', 'rejected'))
   OR NEW.period IS NOT OLD.period OR NEW.as_of IS NOT OLD.as_of OR NEW.lines IS NOT OLD.lines
   OR NEW.totals_json IS NOT OLD.totals_json OR NEW.kind IS NOT OLD.kind OR NEW.incident IS NOT OLD.incident
BEGIN SELECT RAISE(ABORT, 'a credit run only moves forward, and its lines never change'); END;
CREATE INDEX ledger_entries_incident ON ledger_entries (incident, period) WHERE incident <> '';
