-- What an imported Statuspage history keeps of its origin, so that old
-- links and clients that stored ids still work and a second import updates
-- what the first recorded. Every column is NULL for what was declared here.

-- The ids the records had on Statuspage.
ALTER TABLE services ADD COLUMN external_id TEXT CHECK (external_id IS NULL OR external_id <> '');
CREATE UNIQUE INDEX services_external_id ON services (external_id) WHERE external_id IS NOT NULL;
-- The service an import made for a page's ungrouped components.
ALTER TABLE services ADD COLUMN page_rows INTEGER NOT NULL DEFAULT 0 CHECK (page_rows IN (0, 1));
ALTER TABLE components ADD COLUMN external_id TEXT CHECK (external_id IS NULL OR external_id <> '');
CREATE UNIQUE INDEX components_external_id ON components (external_id) WHERE external_id IS NOT NULL;
-- What the page said of a component beyond its name, as JSON
-- ({"description", "showcase", "start_date"}).
ALTER TABLE components ADD COLUMN listing TEXT CHECK (listing IS NULL OR json_valid(listing));
ALTER TABLE incidents ADD COLUMN external_id TEXT CHECK (external_id IS NULL OR external_id <> '');
CREATE UNIQUE INDEX incidents_external_id ON incidents (external_id) WHERE external_id IS NOT NULL;
ALTER TABLE incident_updates ADD COLUMN external_id TEXT CHECK (external_id IS NULL OR external_id <> '');
CREATE UNIQUE INDEX incident_updates_external_id ON incident_updates (incident_id, external_id) WHERE external_id IS NOT NULL;
-- When an imported update was last edited at its origin, as first
-- imported (a later import's edit row dates a later edit).
ALTER TABLE incident_updates ADD COLUMN updated_at TEXT;
-- The status before the update, as the origin recorded it.
ALTER TABLE incident_update_components ADD COLUMN old_status TEXT
	CHECK (old_status IS NULL OR old_status IN ('operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'));

-- A later import of an update's origin that finds its text changed there
-- writes an incident_update_edits row (imported = 1): the update itself
-- stays as first published (0001's trigger keeps it so), and edited_at is
-- when the origin says it edited the text (its updated_at), else the
-- instant of the import. Readers show the newest edit's text; an imported
-- edit dates the update's updated_at instead of marking it "edited", for
-- it is the text as the origin publishes it.
ALTER TABLE incident_update_edits ADD COLUMN imported INTEGER NOT NULL DEFAULT 0 CHECK (imported IN (0, 1));
