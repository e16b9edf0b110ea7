-- A pending goodwill grant may be withdrawn (by its requester or a
-- manager, with a reason). A withdrawn grant stays as history and no
-- longer holds its incident, so "one grant per incident" becomes "one
-- pending or approved grant per incident". SQLite cannot change a CHECK,
-- so the table is rebuilt; nothing references it.
CREATE TEMP TABLE goodwill_grants_0004 AS SELECT * FROM goodwill_grants;
DROP TABLE goodwill_grants;
CREATE TABLE goodwill_grants (
	id INTEGER PRIMARY KEY,
	incident TEXT NOT NULL CHECK (incident <> ''),
	days INTEGER NOT NULL CHECK (days BETWEEN 1 AND 366),
	services_json TEXT NOT NULL,
	components_json TEXT NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'withdrawn')),
	requested_by TEXT NOT NULL,
	requested_at TEXT NOT NULL,
	approved_by TEXT,
	approved_at TEXT,
	withdrawn_by TEXT,
	withdrawn_at TEXT,
	withdraw_reason TEXT,
	CHECK (state <> 'approved' OR (approved_by IS NOT NULL AND approved_by <> requested_by)),
	CHECK ((state = 'withdrawn') = (withdrawn_by IS NOT NULL AND withdrawn_at IS NOT NULL AND withdraw_reason <> '')),
	CHECK (state <> 'withdrawn' OR approved_by IS NULL)
) STRICT;
INSERT INTO goodwill_grants (id, incident, days, services_json, components_json, reason, state, requested_by, requested_at,
	approved_by, approved_at)
SELECT id, incident, days, services_json, components_json, reason, state, requested_by, requested_at,
	approved_by, approved_at FROM temp.goodwill_grants_0004;
DROP TABLE temp.goodwill_grants_0004;
-- One live (pending or approved) grant per incident.
CREATE UNIQUE INDEX goodwill_grants_incident ON goodwill_grants (incident) WHERE state <> 'withdrawn';
CREATE TRIGGER goodwill_grants_no_delete BEFORE DELETE ON goodwill_grants
BEGIN SELECT RAISE(ABORT, 'goodwill grants are never deleted'); END;
CREATE TRIGGER goodwill_grants_final BEFORE UPDATE ON goodwill_grants
WHEN OLD.state <> 'pending' OR NEW.incident IS NOT OLD.incident OR NEW.days IS NOT OLD.days
   OR NEW.services_json IS NOT OLD.services_json OR NEW.components_json IS NOT OLD.components_json
   OR NEW.reason IS NOT OLD.reason OR NEW.requested_by IS NOT OLD.requested_by OR NEW.requested_at IS NOT OLD.requested_at
BEGIN SELECT RAISE(ABORT, 'an approved or withdrawn goodwill grant is final, and a grant''s terms never change'); END;
