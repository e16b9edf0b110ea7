-- Daily uptime per component, pre-computed with the sla engine so that
-- pages never sweep years of history. It is derived data, not history:
-- rows are replaced whenever an incident or maintenance that covers their
-- day changes (in the same transaction as the change).
--
-- uptime_days lists the UTC days that have been computed (only days that
-- are over). daily_uptime holds a row only for a component and day where
-- something happened (downtime above 0, or an incident with a span on the
-- component): a computed day without a row for a component means 0 s of
-- downtime, 100.0000%, no incidents.

CREATE TABLE uptime_days (
	day TEXT PRIMARY KEY CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
	computed_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE daily_uptime (
	day TEXT NOT NULL REFERENCES uptime_days (day) ON DELETE CASCADE,
	component_id TEXT NOT NULL REFERENCES components (id),
	-- Exact decimal seconds as the engine shows them ("881.28").
	downtime_seconds TEXT NOT NULL CHECK (downtime_seconds <> ''),
	-- 4 decimals, rounded toward zero ("98.9800").
	uptime_percent TEXT NOT NULL CHECK (uptime_percent GLOB '*[0-9].[0-9][0-9][0-9][0-9]'),
	-- The incidents with a span on the component that day: a JSON array of ids.
	incident_ids TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(incident_ids)),
	PRIMARY KEY (day, component_id)
) STRICT, WITHOUT ROWID;
