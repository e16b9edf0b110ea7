-- Incidents by the instant they were resolved, so that "what overlaps this
-- range" reads the incidents resolved after the range starts (plus those
-- still active or started in it) rather than every incident started
-- before it ends: a page of the last months reads those months, not years.
CREATE INDEX incidents_resolved_at ON incidents (resolved_at, started_at) WHERE resolved_at IS NOT NULL;
