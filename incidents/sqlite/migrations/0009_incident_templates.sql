-- Incident templates: ready starts for the declare form, kept by support.
-- Configuration, not history: rows are edited and deleted (each write has
-- its audit entry). A template's components are its own rows, in the order
-- given; a component is never deleted, so the reference always holds.
CREATE TABLE incident_templates (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (name <> ''),
	title TEXT NOT NULL CHECK (title <> ''),
	impact TEXT NOT NULL CHECK (impact IN ('none', 'minor', 'major', 'critical')),
	message TEXT NOT NULL CHECK (message <> ''),
	no_components INTEGER NOT NULL DEFAULT 0 CHECK (no_components IN (0, 1)),
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE TABLE incident_template_components (
	template_id INTEGER NOT NULL REFERENCES incident_templates (id) ON DELETE CASCADE,
	position INTEGER NOT NULL,
	component_id TEXT NOT NULL REFERENCES components (id),
	status TEXT NOT NULL,
	affected_percent INTEGER NOT NULL CHECK (affected_percent BETWEEN 0 AND 1000000),
	PRIMARY KEY (template_id, component_id)
);
