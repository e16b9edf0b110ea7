-- Which months' timelines have changed: for each month (YYYY-MM), a count
-- raised by every write that may change the timeline of an incident from
-- that month on. A reader that keeps what it derived from the months
-- before some month (the SLA dashboard keeps its finished months) reads
-- the counts of those months (IncidentTimelineChanges) and throws what it
-- kept away when any of them moved. A change that may affect every month
-- is counted under '' (before every month).
--
-- From when a write may change a timeline:
-- - a new incident: its start;
-- - an incident whose phase, resolution or updated_at alone changed: its
--   resolution (once set, a resolution never changes; only an update that
--   resolves it sets it), as the timeline before it is the same;
-- - any other change of an incident (title, impact, exclusion, start,
--   deletion, source, external id): its start, before and after (a
--   migration that adds a column to incidents adds it to the list of
--   those compared below);
-- - a new update, or a component status or customer of one: the update's
--   instant, or the incident's resolution when that is earlier (an update
--   after the resolution);
-- - anything else (deleting or rewriting updates, which triggers refuse):
--   every month.
CREATE TABLE incident_timeline_changes (
	month TEXT PRIMARY KEY,
	n INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TRIGGER timeline_changes_incident_insert AFTER INSERT ON incidents
BEGIN
	INSERT INTO incident_timeline_changes (month, n) VALUES (substr(NEW.started_at, 1, 7), 1)
		ON CONFLICT (month) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER timeline_changes_incident_update AFTER UPDATE ON incidents
BEGIN
	INSERT INTO incident_timeline_changes (month, n) VALUES (substr(
		CASE WHEN NEW.id IS OLD.id AND NEW.title IS OLD.title AND NEW.impact IS OLD.impact
				AND NEW.started_at IS OLD.started_at AND NEW.excluded IS OLD.excluded
				AND NEW.created_at IS OLD.created_at AND NEW.source IS OLD.source
				AND NEW.deleted_at IS OLD.deleted_at AND NEW.external_id IS OLD.external_id
			THEN min(ifnull(OLD.resolved_at, '9999'), ifnull(NEW.resolved_at, '9999'))
			ELSE min(OLD.started_at, NEW.started_at) END, 1, 7), 1)
		ON CONFLICT (month) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER timeline_changes_incident_delete AFTER DELETE ON incidents
BEGIN
	INSERT INTO incident_timeline_changes (month, n) VALUES ('', 1) ON CONFLICT (month) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER timeline_changes_update_insert AFTER INSERT ON incident_updates
BEGIN
	INSERT INTO incident_timeline_changes (month, n) VALUES (substr(
		min(NEW.at, ifnull((SELECT resolved_at FROM incidents WHERE id = NEW.incident_id), NEW.at)), 1, 7), 1)
		ON CONFLICT (month) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER timeline_changes_status_insert AFTER INSERT ON incident_update_components
BEGIN
	INSERT INTO incident_timeline_changes (month, n) VALUES (substr(ifnull(
		(SELECT min(u.at, ifnull(i.resolved_at, u.at)) FROM incident_updates u JOIN incidents i ON i.id = u.incident_id WHERE u.id = NEW.update_id), ''), 1, 7), 1)
		ON CONFLICT (month) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER timeline_changes_customer_insert AFTER INSERT ON incident_update_component_customers
BEGIN
	INSERT INTO incident_timeline_changes (month, n) VALUES (substr(ifnull(
		(SELECT min(u.at, ifnull(i.resolved_at, u.at)) FROM incident_updates u JOIN incidents i ON i.id = u.incident_id WHERE u.id = NEW.update_id), ''), 1, 7), 1)
		ON CONFLICT (month) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER timeline_changes_update_update AFTER UPDATE ON incident_updates
BEGIN
	INSERT INTO incident_timeline_changes (month, n) VALUES ('', 1) ON CONFLICT (month) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER timeline_changes_update_delete AFTER DELETE ON incident_updates
BEGIN
	INSERT INTO incident_timeline_changes (month, n) VALUES ('', 1) ON CONFLICT (month) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER timeline_changes_status_update AFTER UPDATE ON incident_update_components
BEGIN
	INSERT INTO incident_timeline_changes (month, n) VALUES ('', 1) ON CONFLICT (month) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER timeline_changes_status_delete AFTER DELETE ON incident_update_components
BEGIN
	INSERT INTO incident_timeline_changes (month, n) VALUES ('', 1) ON CONFLICT (month) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER timeline_changes_customer_update AFTER UPDATE ON incident_update_component_customers
BEGIN
	INSERT INTO incident_timeline_changes (month, n) VALUES ('', 1) ON CONFLICT (month) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER timeline_changes_customer_delete AFTER DELETE ON incident_update_component_customers
BEGIN
	INSERT INTO incident_timeline_changes (month, n) VALUES ('', 1) ON CONFLICT (month) DO UPDATE SET n = n + 1;
END;
