-- Services, components, incidents with their append-only timeline, and
-- maintenance. Instants are TEXT in sqlitedb.TimeFormat (UTC, whole seconds),
-- so text order is time order. The CHECKs and triggers repeat the domain's
-- rules as a second line of defence; the Go code checks first.

CREATE TABLE services (
	id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 40 AND id NOT GLOB '*[^A-Za-z0-9_-]*'),
	name TEXT NOT NULL CHECK (name <> ''),
	description TEXT NOT NULL DEFAULT '',
	position INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX services_order ON services (position, id);

CREATE TABLE components (
	id TEXT PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64 AND id NOT GLOB '*[^a-z0-9-]*'),
	service_id TEXT NOT NULL REFERENCES services (id),
	name TEXT NOT NULL CHECK (name <> ''),
	region TEXT NOT NULL CHECK (region <> ''),
	zone TEXT NOT NULL DEFAULT '',
	resources INTEGER NOT NULL DEFAULT 0 CHECK (resources >= 0),
	group_name TEXT NOT NULL DEFAULT '',
	position INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX components_order ON components (service_id, group_name, position, id);

-- Nothing that a published incident or maintenance names may disappear.
CREATE TRIGGER services_no_delete BEFORE DELETE ON services
BEGIN SELECT RAISE(ABORT, 'services are never deleted'); END;
CREATE TRIGGER components_no_delete BEFORE DELETE ON components
BEGIN SELECT RAISE(ABORT, 'components are never deleted'); END;

CREATE TABLE incidents (
	id INTEGER PRIMARY KEY,
	title TEXT NOT NULL CHECK (title <> ''),
	impact TEXT NOT NULL CHECK (impact IN ('none', 'minor', 'major', 'critical')),
	phase TEXT NOT NULL CHECK (phase IN ('investigating', 'identified', 'monitoring', 'resolved')),
	started_at TEXT NOT NULL,
	resolved_at TEXT,
	excluded INTEGER NOT NULL DEFAULT 0 CHECK (excluded IN (0, 1)),
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	CHECK ((phase = 'resolved') = (resolved_at IS NOT NULL)),
	CHECK (resolved_at IS NULL OR resolved_at >= started_at)
) STRICT;
CREATE INDEX incidents_active ON incidents (started_at, id) WHERE resolved_at IS NULL;
CREATE INDEX incidents_resolved ON incidents (started_at, id) WHERE resolved_at IS NOT NULL;
CREATE INDEX incidents_window ON incidents (started_at, id, resolved_at);

CREATE TRIGGER incidents_no_delete BEFORE DELETE ON incidents
BEGIN SELECT RAISE(ABORT, 'incidents are never deleted'); END;
-- A phase never goes back, and a resolution is final.
CREATE TRIGGER incidents_phase_forward BEFORE UPDATE OF phase, resolved_at ON incidents
WHEN (CASE NEW.phase WHEN 'investigating' THEN 0 WHEN 'identified' THEN 1 WHEN 'monitoring' THEN 2 ELSE 3 END)
   < (CASE OLD.phase WHEN 'investigating' THEN 0 WHEN 'identified' THEN 1 WHEN 'monitoring' THEN 2 ELSE 3 END)
   OR (OLD.resolved_at IS NOT NULL AND NEW.resolved_at IS NOT OLD.resolved_at)
BEGIN SELECT RAISE(ABORT, 'an incident phase never goes back'); END;

-- The published timeline: append-only.
CREATE TABLE incident_updates (
	id INTEGER PRIMARY KEY,
	incident_id INTEGER NOT NULL REFERENCES incidents (id),
	phase TEXT NOT NULL CHECK (phase IN ('investigating', 'identified', 'monitoring', 'resolved')),
	message TEXT NOT NULL,
	at TEXT NOT NULL,
	created_at TEXT NOT NULL,
	author TEXT NOT NULL
) STRICT;
CREATE INDEX incident_updates_incident ON incident_updates (incident_id, at, id);
CREATE TRIGGER incident_updates_no_update BEFORE UPDATE ON incident_updates
BEGIN SELECT RAISE(ABORT, 'incident updates are append-only'); END;
CREATE TRIGGER incident_updates_no_delete BEFORE DELETE ON incident_updates
BEGIN SELECT RAISE(ABORT, 'incident updates are append-only'); END;

-- The component statuses each update set, in the order given.
CREATE TABLE incident_update_components (
	update_id INTEGER NOT NULL REFERENCES incident_updates (id),
	position INTEGER NOT NULL,
	component_id TEXT NOT NULL REFERENCES components (id),
	status TEXT NOT NULL CHECK (status IN ('operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance')),
	affected_percent INTEGER NOT NULL CHECK (affected_percent BETWEEN 0 AND 1000000),
	PRIMARY KEY (update_id, component_id),
	UNIQUE (update_id, position)
) STRICT;
CREATE INDEX incident_update_components_component ON incident_update_components (component_id);
CREATE TRIGGER incident_update_components_no_update BEFORE UPDATE ON incident_update_components
BEGIN SELECT RAISE(ABORT, 'incident updates are append-only'); END;
CREATE TRIGGER incident_update_components_no_delete BEFORE DELETE ON incident_update_components
BEGIN SELECT RAISE(ABORT, 'incident updates are append-only'); END;

CREATE TABLE maintenances (
	id INTEGER PRIMARY KEY,
	title TEXT NOT NULL CHECK (title <> ''),
	message TEXT NOT NULL DEFAULT '',
	starts_at TEXT NOT NULL,
	ends_at TEXT NOT NULL,
	announced_at TEXT NOT NULL,
	phase TEXT NOT NULL CHECK (phase IN ('scheduled', 'in_progress', 'completed')),
	created_at TEXT NOT NULL,
	author TEXT NOT NULL,
	CHECK (ends_at > starts_at)
) STRICT;
CREATE INDEX maintenances_starts ON maintenances (starts_at, id);
CREATE INDEX maintenances_ends ON maintenances (ends_at);
CREATE TRIGGER maintenances_no_delete BEFORE DELETE ON maintenances
BEGIN SELECT RAISE(ABORT, 'maintenances are never deleted'); END;
CREATE TRIGGER maintenances_phase_forward BEFORE UPDATE OF phase ON maintenances
WHEN (CASE NEW.phase WHEN 'scheduled' THEN 0 WHEN 'in_progress' THEN 1 ELSE 2 END)
   <= (CASE OLD.phase WHEN 'scheduled' THEN 0 WHEN 'in_progress' THEN 1 ELSE 2 END)
BEGIN SELECT RAISE(ABORT, 'a maintenance phase only moves forward'); END;

CREATE TABLE maintenance_components (
	maintenance_id INTEGER NOT NULL REFERENCES maintenances (id),
	position INTEGER NOT NULL,
	component_id TEXT NOT NULL REFERENCES components (id),
	PRIMARY KEY (maintenance_id, component_id),
	UNIQUE (maintenance_id, position)
) STRICT;
CREATE INDEX maintenance_components_component ON maintenance_components (component_id);
CREATE TRIGGER maintenance_components_no_update BEFORE UPDATE ON maintenance_components
BEGIN SELECT RAISE(ABORT, 'maintenance components are append-only'); END;
CREATE TRIGGER maintenance_components_no_delete BEFORE DELETE ON maintenance_components
BEGIN SELECT RAISE(ABORT, 'maintenance components are append-only'); END;
