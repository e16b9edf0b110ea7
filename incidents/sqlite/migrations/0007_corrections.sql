-- Corrections of a published incident update's message. The update itself
-- stays as it was published (its triggers keep it unchangeable); each
-- correction is a new row here, and readers show the newest one with when
-- it was made. Append-only like the timeline.
CREATE TABLE incident_update_edits (
	id INTEGER PRIMARY KEY,
	update_id INTEGER NOT NULL REFERENCES incident_updates (id),
	message TEXT NOT NULL CHECK (message <> ''),
	edited_at TEXT NOT NULL,
	author TEXT NOT NULL
);
CREATE INDEX incident_update_edits_update ON incident_update_edits (update_id, id);
CREATE TRIGGER incident_update_edits_no_update BEFORE UPDATE ON incident_update_edits
BEGIN SELECT RAISE(ABORT, 'incident update edits are append-only'); END;
CREATE TRIGGER incident_update_edits_no_delete BEFORE DELETE ON incident_update_edits
BEGIN SELECT RAISE(ABORT, 'incident update edits are append-only'); END;

-- A mistaken incident is deleted softly: deleted_at is set once, the rows
-- stay (the audit log says what was removed), and every reader leaves it
-- out. Once set, nothing of the incident changes again: not its row, not
-- its timeline, not its corrections.
ALTER TABLE incidents ADD COLUMN deleted_at TEXT;
CREATE TRIGGER incidents_deleted_final BEFORE UPDATE ON incidents
WHEN OLD.deleted_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a deleted incident is never changed'); END;
CREATE TRIGGER incident_updates_not_on_deleted BEFORE INSERT ON incident_updates
WHEN (SELECT deleted_at FROM incidents WHERE id = NEW.incident_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a deleted incident takes no updates'); END;
CREATE TRIGGER incident_update_edits_not_on_deleted BEFORE INSERT ON incident_update_edits
WHEN (SELECT i.deleted_at FROM incidents i JOIN incident_updates u ON u.incident_id = i.id WHERE u.id = NEW.update_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a deleted incident takes no corrections'); END;

-- The incidents every reader sees.
CREATE VIEW incidents_live AS SELECT * FROM incidents WHERE deleted_at IS NULL;
