-- What waits for a second person is counted on every admin page: partial
-- indexes keep that to the few rows that wait.
CREATE INDEX credit_runs_requested ON credit_runs (id) WHERE state = 'requested';
CREATE INDEX goodwill_grants_pending ON goodwill_grants (id) WHERE state = 'pending';
CREATE INDEX manual_credits_pending ON manual_credits (id) WHERE state = 'pending';
