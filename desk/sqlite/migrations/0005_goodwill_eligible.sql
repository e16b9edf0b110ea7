-- A goodwill grant may name the components in which a resource makes a
-- customer eligible ("every customer with an EBS volume or RDS instance in
-- the zone"), apart from the scope whose charges it credits. '[]' keeps the
-- spec's rule: a resource in any scope component.

ALTER TABLE goodwill_grants ADD COLUMN eligible_json TEXT NOT NULL DEFAULT '[]';

DROP TRIGGER goodwill_grants_final;
CREATE TRIGGER goodwill_grants_final BEFORE UPDATE ON goodwill_grants
WHEN OLD.state <> 'pending' OR NEW.incident IS NOT OLD.incident OR NEW.days IS NOT OLD.days
   OR NEW.services_json IS NOT OLD.services_json OR NEW.components_json IS NOT OLD.components_json
   OR NEW.eligible_json IS NOT OLD.eligible_json
   OR NEW.reason IS NOT OLD.reason OR NEW.requested_by IS NOT OLD.requested_by OR NEW.requested_at IS NOT OLD.requested_at
BEGIN SELECT RAISE(ABORT, 'an approved or withdrawn goodwill grant is final, and a grant''s terms never change'); END;
