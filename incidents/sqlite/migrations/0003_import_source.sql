-- Where an imported incident came from ("statuspage:PAGE/ID"), so that an
-- import run twice records it once. NULL for incidents declared here. It
-- never changes.
ALTER TABLE incidents ADD COLUMN source TEXT CHECK (source IS NULL OR source <> '');
CREATE UNIQUE INDEX incidents_source ON incidents (source) WHERE source IS NOT NULL;
CREATE TRIGGER incidents_source_fixed BEFORE UPDATE OF source ON incidents
WHEN NEW.source IS NOT OLD.source
BEGIN SELECT RAISE(ABORT, 'an incident keeps the source it was imported from'); END;
