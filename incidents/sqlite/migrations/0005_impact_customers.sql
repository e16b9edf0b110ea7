-- The customers a component status of an update names (the credit desk's
-- customers, which this set does not reference), with how many of each
-- one's resources in the component were hit (NULL: all). Append-only like
-- the updates they belong to.
CREATE TABLE incident_update_component_customers (
	update_id INTEGER NOT NULL,
	component_id TEXT NOT NULL,
	position INTEGER NOT NULL,
	customer_id TEXT NOT NULL CHECK (customer_id <> ''),
	affected_resources INTEGER CHECK (affected_resources IS NULL OR affected_resources >= 0),
	PRIMARY KEY (update_id, component_id, customer_id),
	UNIQUE (update_id, component_id, position),
	FOREIGN KEY (update_id, component_id) REFERENCES incident_update_components (update_id, component_id)
) STRICT;
CREATE TRIGGER incident_update_component_customers_no_update BEFORE UPDATE ON incident_update_component_customers
BEGIN SELECT RAISE(ABORT, 'incident updates are append-only'); END;
CREATE TRIGGER incident_update_component_customers_no_delete BEFORE DELETE ON incident_update_component_customers
BEGIN SELECT RAISE(ABORT, 'incident updates are append-only'); END;
