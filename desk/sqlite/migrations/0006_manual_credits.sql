-- Manual credits: who set each threshold, and an index by customer.

-- Who set each currency's manual credit threshold: a credit within the
-- threshold is issued at once, except when its requester set the threshold
-- in force (else one person could raise it and pay alone). Thresholds set
-- before this migration have no known setter ('').
ALTER TABLE manual_credit_thresholds ADD COLUMN set_by TEXT NOT NULL DEFAULT '';

-- A customer's manual credits, newest first (its page and the filter).
CREATE INDEX manual_credits_customer ON manual_credits (customer_id, id);
