package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
)

// Daily uptime is kept pre-computed in uptime_days and daily_uptime (see
// migration 0004): only days that are over are stored, each computed by
// incidents.ComputeDailyUptime (so by sla.Evaluate). The day in progress
// is never stored: DailyUptime evaluates it on the spot, so it is never
// stale, and a stored day never changes except when an incident or a
// maintenance that covers it changes. Every write that can change a day
// (CreateIncident, AddUpdate, SetExcluded, Import, CreateMaintenance,
// AdvanceMaintenance) recomputes the stored days it covers inside its own
// transaction: a reader never sees the new incident with old days, and a
// crash cannot leave them apart. Days not stored yet are computed when
// first read, or ahead of time by Backfill.

// maxDaysPerTx bounds how many days one transaction of Backfill computes,
// so that writers never wait long for it.
const maxDaysPerTx = 120

// DailyUptime returns the uptime of every component on each UTC day that
// overlaps [from, to) and starts before the Store's clock (see
// incidents.UptimeDays). Days that are over (by to and by the clock) come
// from storage, computed and stored first if missing; the day holding to
// (or the clock, if earlier) is evaluated over [day, that instant) and not
// stored. errs.Invalid on "to" when to is not after from.
func (st *Store) DailyUptime(ctx context.Context, from, to time.Time) (_ incidents.UptimeDays, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: DailyUptime %v to %v", from.UTC(), to.UTC())
	var out incidents.UptimeDays
	if !to.After(from) {
		return out, errs.Invalidf("to", "must be after from")
	}
	asOf := to.UTC().Truncate(time.Second)
	if now := st.Now().UTC().Truncate(time.Second); now.Before(asOf) {
		asOf = now
	}
	var complete []time.Time
	var partial time.Time
	for _, d := range incidents.DaysBetween(from, asOf) {
		if d.Add(incidents.Day).After(asOf) {
			partial = d
			break
		}
		complete = append(complete, d)
	}
	if len(complete) > 0 {
		if _, err := st.backfill(ctx, complete, asOf); err != nil {
			return out, err
		}
	}
	out.Events = map[string][]incidents.DayUptime{}
	for _, d := range complete {
		out.Days = append(out.Days, d)
		out.Seconds = append(out.Seconds, int64(incidents.Day/time.Second))
	}
	if len(complete) > 0 {
		if err := readDays(ctx, st.db, complete[0], complete[len(complete)-1].Add(incidents.Day), out.Events); err != nil {
			return out, err
		}
	}
	if partial.IsZero() {
		return out, nil
	}
	out.Days = append(out.Days, partial)
	out.Seconds = append(out.Seconds, int64(asOf.Sub(partial)/time.Second))
	incs, err := incidentsOverlapping(ctx, st.db, partial, asOf, asOf)
	if err != nil || len(incs) == 0 {
		return out, err // with no incident today, every component was up all day so far
	}
	svcs, err := services(ctx, st.db)
	if err != nil {
		return out, err
	}
	comps, err := componentsAnyOrder(ctx, st.db)
	if err != nil {
		return out, err
	}
	maints, err := listMaintenances(ctx, st.db, `WHERE starts_at < ? AND ends_at > ? ORDER BY starts_at, id`, sqlitedb.FormatTime(asOf), sqlitedb.FormatTime(partial))
	if err != nil {
		return out, err
	}
	live, err := incidents.ComputeDailyUptime([]time.Time{partial}, asOf, svcs, comps, incs, maints)
	if err != nil {
		return out, err
	}
	for _, r := range live[partial] {
		out.Events[r.Component] = append(out.Events[r.Component], r.DayUptime)
	}
	return out, nil
}

// Backfill computes and stores every UTC day overlapping [from, to) that
// is over by the Store's clock and not stored yet, a bounded number of
// days per transaction, and returns how many days it computed.
func (st *Store) Backfill(ctx context.Context, from, to time.Time) (_ int, err error) {
	defer errs.Wrap(&err, "incidents/sqlite: Backfill %v to %v", from.UTC(), to.UTC())
	now := st.Now().UTC().Truncate(time.Second)
	if now.Before(to) {
		to = now
	}
	var days []time.Time
	for _, d := range incidents.DaysBetween(from, to) {
		if !d.Add(incidents.Day).After(now) {
			days = append(days, d)
		}
	}
	return st.backfill(ctx, days, now)
}

// backfill stores those of days (complete by asOf, oldest first) that are
// not stored yet.
func (st *Store) backfill(ctx context.Context, days []time.Time, asOf time.Time) (int, error) {
	if len(days) == 0 {
		return 0, nil
	}
	have, err := storedDays(ctx, st.db, days[0], days[len(days)-1].Add(incidents.Day))
	if err != nil {
		return 0, err
	}
	var missing []time.Time
	for _, d := range days {
		if !have[d] {
			missing = append(missing, d)
		}
	}
	done := 0
	for len(missing) > 0 {
		n := min(len(missing), maxDaysPerTx)
		chunk := missing[:n]
		missing = missing[n:]
		err := sqlitedb.InTx(ctx, st.db, func(tx *sql.Tx) error {
			// Another request may have stored some meanwhile.
			have, err := storedDays(ctx, tx, chunk[0], chunk[len(chunk)-1].Add(incidents.Day))
			if err != nil {
				return err
			}
			var unstored []time.Time
			for _, d := range chunk {
				if !have[d] {
					unstored = append(unstored, d)
				}
			}
			done += len(unstored)
			return storeDays(ctx, tx, unstored, asOf)
		})
		if err != nil {
			return done, err
		}
	}
	return done, nil
}

// refreshDays recomputes, inside a write's transaction, the stored days
// that overlap [from, to) with what tx now holds, as of now.
func refreshDays(ctx context.Context, tx *sql.Tx, from, to, now time.Time) error {
	return refreshSpans(ctx, tx, []span{{from, to}}, now)
}

// span is a stretch of time [from, to) whose days a write changed.
type span struct{ from, to time.Time }

// refreshSpans recomputes, in one pass, the stored days that overlap any
// of spans. A stored day that is not over by now (the clock went back) is
// dropped, to be computed again when it is.
func refreshSpans(ctx context.Context, tx *sql.Tx, spans []span, now time.Time) error {
	now = now.UTC().Truncate(time.Second)
	want := map[time.Time]bool{}
	var lo, hi time.Time
	for _, sp := range spans {
		if !sp.to.After(sp.from) {
			sp.to = sp.from.Add(time.Second)
		}
		for _, d := range incidents.DaysBetween(sp.from, sp.to) {
			want[d] = true
			if lo.IsZero() || d.Before(lo) {
				lo = d
			}
			if d.After(hi) {
				hi = d
			}
		}
	}
	if len(want) == 0 {
		return nil
	}
	have, err := storedDays(ctx, tx, lo, hi.Add(incidents.Day))
	if err != nil || len(have) == 0 {
		return err
	}
	var days []time.Time
	for _, d := range incidents.DaysBetween(lo, hi.Add(incidents.Day)) {
		if !have[d] || !want[d] {
			continue
		}
		if d.Add(incidents.Day).After(now) {
			if _, err := tx.ExecContext(ctx, `DELETE FROM daily_uptime WHERE day = ?`, incidents.DayKey(d)); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM uptime_days WHERE day = ?`, incidents.DayKey(d)); err != nil {
				return err
			}
			continue
		}
		days = append(days, d)
	}
	return storeDays(ctx, tx, days, now)
}

// storeDays computes days (oldest first, each over by asOf) from what q
// holds and replaces their stored rows.
func storeDays(ctx context.Context, tx *sql.Tx, days []time.Time, asOf time.Time) error {
	if len(days) == 0 {
		return nil
	}
	from, to := days[0], days[len(days)-1].Add(incidents.Day)
	svcs, err := services(ctx, tx)
	if err != nil {
		return err
	}
	comps, err := components(ctx, tx)
	if err != nil {
		return err
	}
	incs, err := incidentsOverlapping(ctx, tx, from, to, asOf)
	if err != nil {
		return err
	}
	maints, err := listMaintenances(ctx, tx, `WHERE starts_at < ? AND ends_at > ? ORDER BY starts_at, id`, sqlitedb.FormatTime(to), sqlitedb.FormatTime(from))
	if err != nil {
		return err
	}
	computed, err := incidents.ComputeDailyUptime(days, asOf, svcs, comps, incs, maints)
	if err != nil {
		return fmt.Errorf("daily uptime: %w", err)
	}
	keys := make([]string, len(days))
	for i, d := range days {
		keys[i] = incidents.DayKey(d)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM daily_uptime WHERE day IN (SELECT value FROM json_each(?))`, idList(keys)); err != nil {
		return err
	}
	at := sqlitedb.FormatTime(asOf)
	dayStmt, err := tx.PrepareContext(ctx, `INSERT INTO uptime_days (day, computed_at) VALUES (?, ?)
		ON CONFLICT (day) DO UPDATE SET computed_at = excluded.computed_at`)
	if err != nil {
		return err
	}
	defer dayStmt.Close()
	rowStmt, err := tx.PrepareContext(ctx, `INSERT INTO daily_uptime (day, component_id, downtime_seconds, uptime_percent, incident_ids)
		VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer rowStmt.Close()
	for i, d := range days {
		if _, err := dayStmt.ExecContext(ctx, keys[i], at); err != nil {
			return err
		}
		for _, r := range computed[d] {
			ids := r.Incidents
			if ids == nil {
				ids = []int64{}
			}
			if _, err := rowStmt.ExecContext(ctx, keys[i], r.Component, r.DowntimeSeconds, r.UptimePercent, idList(ids)); err != nil {
				return err
			}
		}
	}
	return nil
}

// storedDays returns which days in [from, to) are stored.
func storedDays(ctx context.Context, q sqlitedb.Queryer, from, to time.Time) (map[time.Time]bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT day FROM uptime_days WHERE day >= ? AND day < ?`, incidents.DayKey(from), incidents.DayKey(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[time.Time]bool{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return nil, fmt.Errorf("stored day %q: %w", s, err)
		}
		out[d] = true
	}
	return out, rows.Err()
}

// readDays appends the stored rows of the days in [from, to) to the
// days of their component in m, oldest first.
func readDays(ctx context.Context, q sqlitedb.Queryer, from, to time.Time, m map[string][]incidents.DayUptime) error {
	rows, err := q.QueryContext(ctx, `SELECT day, component_id, downtime_seconds, uptime_percent, incident_ids
		FROM daily_uptime WHERE day >= ? AND day < ? ORDER BY day, component_id`, incidents.DayKey(from), incidents.DayKey(to))
	if err != nil {
		return err
	}
	defer rows.Close()
	days := map[string]time.Time{}
	for rows.Next() {
		var day, component, ids string
		var r incidents.DayUptime
		if err := rows.Scan(&day, &component, &r.DowntimeSeconds, &r.UptimePercent, &ids); err != nil {
			return err
		}
		var ok bool
		if r.Day, ok = days[day]; !ok {
			if r.Day, err = time.Parse(time.DateOnly, day); err != nil {
				return fmt.Errorf("stored day %q: %w", day, err)
			}
			days[day] = r.Day
		}
		r.Seconds = int64(incidents.Day / time.Second)
		if r.Incidents, err = parseIDs(ids); err != nil {
			return fmt.Errorf("stored incident ids %q: %w", ids, err)
		}
		m[component] = append(m[component], r)
	}
	return rows.Err()
}

// parseIDs reads a JSON array of incident IDs as storeDays writes it
// ("[]", "[12,40]"), nil for none. Anything else is read as JSON, so
// that any valid array is understood.
func parseIDs(s string) ([]int64, error) {
	if s == "[]" {
		return nil, nil
	}
	if len(s) < 3 || s[0] != '[' || s[len(s)-1] != ']' {
		return nil, fmt.Errorf("not a JSON array of IDs")
	}
	var out []int64
	for _, f := range strings.Split(s[1:len(s)-1], ",") {
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			var ids []int64
			if err := json.Unmarshal([]byte(s), &ids); err != nil {
				return nil, err
			}
			return ids, nil
		}
		out = append(out, id)
	}
	return out, nil
}

// incidentsOverlapping is IncidentsBetween with its clock given: every
// incident whose [StartedAt, ResolvedAt or now) overlaps [from, to), or
// that started in it. Each of the three ways to qualify is read through
// its own index (active ones, resolved after from, started in the range),
// so a recent range never reads the years before it.
func incidentsOverlapping(ctx context.Context, q sqlitedb.Queryer, from, to, now time.Time) ([]incidents.Incident, error) {
	return listIncidents(ctx, q, overlappingWhere, overlappingArgs(from, to, now)...)
}

// overlappingWhere is the WHERE clause of incidentsOverlapping, on
// incidents_live, with its arguments from overlappingArgs.
const overlappingWhere = `WHERE id IN (` + overlappingIDs + `) ORDER BY started_at, id`

// overlappingIDs selects the ids of incidentsOverlapping (deleted ones
// too: incidents_live leaves those out), with the arguments of
// overlappingArgs.
const overlappingIDs = `
			SELECT id FROM incidents INDEXED BY incidents_active WHERE resolved_at IS NULL AND started_at < ?1 AND ?2 > ?3
			UNION ALL SELECT id FROM incidents INDEXED BY incidents_resolved_at WHERE resolved_at > ?3 AND started_at < ?1
			UNION ALL SELECT id FROM incidents INDEXED BY incidents_window WHERE started_at >= ?3 AND started_at < ?1`

func overlappingArgs(from, to, now time.Time) []any {
	return []any{sqlitedb.FormatTime(to), sqlitedb.FormatTime(now), sqlitedb.FormatTime(from)}
}
