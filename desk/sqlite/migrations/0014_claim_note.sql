-- A claim may carry the customer's note (made on its statement page, or
-- typed by support); '' for none. Claims stay append-only.
ALTER TABLE sla_claims ADD COLUMN note TEXT NOT NULL DEFAULT '';
