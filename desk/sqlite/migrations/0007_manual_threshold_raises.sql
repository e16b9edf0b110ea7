-- Raises of a manual credit threshold waiting for a second person: the
-- threshold in force stays until another admin or manager confirms the
-- raise (a lowering takes effect at once). One per currency.
CREATE TABLE manual_credit_threshold_raises (
	currency TEXT PRIMARY KEY,
	above_minor INTEGER NOT NULL,
	requested_by TEXT NOT NULL,
	requested_at TEXT NOT NULL
) STRICT;
