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
-- When an imported update was last edited at its origin.
ALTER TABLE incident_updates ADD COLUMN updated_at TEXT;
-- The status before the update, as the origin recorded it.
ALTER TABLE incident_update_components ADD COLUMN old_status TEXT
	CHECK (old_status IS NULL OR old_status IN ('operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'));

-- A correction of an imported update's text by a later import of its
-- origin: append-only, the old text kept.
CREATE TABLE incident_update_corrections (
	id INTEGER PRIMARY KEY,
	update_id INTEGER NOT NULL REFERENCES incident_updates (id),
	old_message TEXT NOT NULL,
	new_message TEXT NOT NULL,
	corrected_at TEXT NOT NULL,
	author TEXT NOT NULL
) STRICT;
CREATE INDEX incident_update_corrections_update ON incident_update_corrections (update_id, id);
CREATE TRIGGER incident_update_corrections_no_update BEFORE UPDATE ON incident_update_corrections
BEGIN SELECT RAISE(ABORT, 'corrections are append-only'); END;
CREATE TRIGGER incident_update_corrections_no_delete BEFORE DELETE ON incident_update_corrections
BEGIN SELECT RAISE(ABORT, 'corrections are append-only'); END;

-- Published updates stay unchangeable: the one change allowed is an
-- imported update's text (and its updated_at) set to what its latest
-- correction says, everything else as it was.
DROP TRIGGER incident_updates_no_update;
CREATE TRIGGER incident_updates_no_update BEFORE UPDATE ON incident_updates
WHEN NOT (
	OLD.external_id IS NOT NULL
	AND NEW.id = OLD.id AND NEW.incident_id = OLD.incident_id AND NEW.phase = OLD.phase
	AND NEW.at = OLD.at AND NEW.created_at = OLD.created_at AND NEW.author = OLD.author
	AND NEW.external_id IS OLD.external_id
	AND EXISTS (SELECT 1 FROM incident_update_corrections c
		WHERE c.id = (SELECT max(id) FROM incident_update_corrections WHERE update_id = OLD.id)
		AND c.old_message = OLD.message AND c.new_message = NEW.message)
)
BEGIN SELECT RAISE(ABORT, 'incident updates are append-only'); END;
