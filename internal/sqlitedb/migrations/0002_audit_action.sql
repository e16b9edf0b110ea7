-- The audit browser filters by action and lists the actions the log holds
-- (SELECT DISTINCT action): an index keeps both from scanning the log.
CREATE INDEX audit_log_action ON audit_log (action);
