package sqlite

import (
	"reflect"
	"testing"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/incidents"
)

var (
	day26 = time.Date(2012, 12, 26, 0, 0, 0, 0, time.UTC)
	day27 = day26.Add(incidents.Day)
)

// outage declares 6.8% of elb-us-east-1 in partial outage from 10:00 on 26
// December 2012 and returns it, still ongoing.
func outage(t *testing.T, st *Store) incidents.Incident {
	t.Helper()
	started := day26.Add(10 * time.Hour)
	inc, err := st.CreateIncident(ctx, audit.Person("ana"), incidents.IncidentInput{
		Title: "Degraded load balancers", Impact: incidents.ImpactMajor, Phase: incidents.Investigating,
		Message: "Investigating.", StartedAt: &started,
		Components: []incidents.ComponentChange{{Component: "elb-us-east-1", Status: incidents.PartialOutage, AffectedPercent: pct("6.8")}},
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

func resolve(t *testing.T, st *Store, id int64, at time.Time) {
	t.Helper()
	if _, err := st.AddUpdate(ctx, audit.Person("ana"), id, incidents.UpdateInput{Phase: incidents.Resolved, Message: "Fixed.", At: &at}, now); err != nil {
		t.Fatal(err)
	}
}

func dayOf(t *testing.T, st *Store, component string, day time.Time) incidents.DayUptime {
	t.Helper()
	got, err := st.DailyUptime(ctx, day, day.Add(incidents.Day))
	if err != nil {
		t.Fatal(err)
	}
	days := got.Of(component)
	if len(days) != 1 {
		t.Fatalf("%s has %d days, want 1: %+v", component, len(days), days)
	}
	return days[0]
}

// A day with 3 h 36 min at 6.8%: 12,960 s × 0.068 = 881.28 s down, uptime
// 100 × (1 − 881.28 / 86,400) = 98.98% exactly.
func TestDailyUptimeExactDay(t *testing.T) {
	st, db := newStore(t)
	inc := outage(t, st)
	resolve(t, st, inc.ID, day26.Add(13*time.Hour+36*time.Minute))

	want := incidents.DayUptime{Day: day26, Seconds: 86400, DowntimeSeconds: "881.28", UptimePercent: "98.9800", Incidents: []int64{inc.ID}}
	if got := dayOf(t, st, "elb-us-east-1", day26); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	if got := dayOf(t, st, "ec2-us-east-1a", day26); !reflect.DeepEqual(got, incidents.FullDay(day26, 86400)) {
		t.Fatalf("an untouched component: %+v", got)
	}
	var down, up, ids string
	if err := db.QueryRowContext(ctx, `SELECT downtime_seconds, uptime_percent, incident_ids FROM daily_uptime
		WHERE day = '2012-12-26' AND component_id = 'elb-us-east-1'`).Scan(&down, &up, &ids); err != nil {
		t.Fatal(err)
	}
	if down != "881.28" || up != "98.9800" || ids != "[1]" {
		t.Fatalf("stored %q %q %q", down, up, ids)
	}
	if got := dayOf(t, st, "elb-us-east-1", day27); !reflect.DeepEqual(got, incidents.FullDay(day27, 86400)) {
		t.Fatalf("the day after: %+v", got)
	}
}

// Days already stored are recomputed by the write that changes them, in
// its transaction: an ongoing outage fills its days; resolving it with a
// backfilled instant, excluding it, or announcing a maintenance over it
// changes the stored rows.
func TestDailyUptimeRecomputedOnWrite(t *testing.T) {
	st, db := newStore(t)
	inc := outage(t, st)
	stored := func() (string, string) {
		t.Helper()
		var down, up string
		if err := db.QueryRowContext(ctx, `SELECT downtime_seconds, uptime_percent FROM daily_uptime
			WHERE day = '2012-12-27' AND component_id = 'elb-us-east-1'`).Scan(&down, &up); err != nil {
			t.Fatal(err)
		}
		return down, up
	}
	// Ongoing: 27 December is down all day at 6.8%: 5875.2 s.
	if _, err := st.Backfill(ctx, day26, now); err != nil {
		t.Fatal(err)
	}
	if down, up := stored(); down != "5875.2" || up != "93.2000" {
		t.Fatalf("ongoing: %s s, %s%%", down, up)
	}
	// Resolved at 06:00 on the 27th: 21,600 s × 6.8% = 1468.8 s.
	resolve(t, st, inc.ID, day27.Add(6*time.Hour))
	if down, up := stored(); down != "1468.8" || up != "98.3000" {
		t.Fatalf("after resolving: %s s, %s%%", down, up)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM daily_uptime WHERE day > '2012-12-27'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("days after the resolution keep %d rows (%v)", n, err)
	}
	if _, err := st.SetExcluded(ctx, audit.Person("ana"), inc.ID, true, now); err != nil {
		t.Fatal(err)
	}
	if down, up := stored(); down != "0" || up != "100.0000" {
		t.Fatalf("excluded: %s s, %s%%", down, up)
	}
	if got := dayOf(t, st, "elb-us-east-1", day27); !reflect.DeepEqual(got.Incidents, []int64{inc.ID}) {
		t.Fatalf("an excluded incident is still listed on its days: %+v", got)
	}
	if _, err := st.SetExcluded(ctx, audit.Person("ana"), inc.ID, false, now); err != nil {
		t.Fatal(err)
	}
	// A maintenance announced a day ahead over 00:00–03:00 on the 27th
	// covers 3 of the 6 hours (the default policy needs no notice).
	if _, err := st.CreateMaintenance(ctx, audit.Person("ana"), incidents.MaintenanceInput{
		Title: "Patching", Components: []string{"elb-us-east-1"}, StartsAt: day27, EndsAt: day27.Add(3 * time.Hour),
		AnnouncedAt: ptr(day26),
	}, now); err != nil {
		t.Fatal(err)
	}
	if down, up := stored(); down != "734.4" || up != "99.1500" {
		t.Fatalf("with maintenance: %s s, %s%%", down, up)
	}
}

// The day in progress is evaluated when read and never stored; days that
// are over are stored once, and Backfill computes only what is missing.
func TestDailyUptimeDayInProgress(t *testing.T) {
	st, db := newStore(t)
	inc := outage(t, st)
	_ = inc
	today := incidents.UTCDay(now) // 2 January 2013, 09:00
	got, err := st.DailyUptime(ctx, today.Add(-2*incidents.Day), now)
	if err != nil {
		t.Fatal(err)
	}
	days := got.Of("elb-us-east-1")
	if len(days) != 3 {
		t.Fatalf("%d days, want 3", len(days))
	}
	last := days[2]
	// 9 h at 6.8% of a 9 h period.
	if !last.Day.Equal(today) || last.Seconds != 9*3600 || last.DowntimeSeconds != "2203.2" || last.UptimePercent != "93.2000" {
		t.Fatalf("today: %+v", last)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM uptime_days WHERE day >= '2013-01-02'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("the day in progress is stored (%d, %v)", n, err)
	}
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM uptime_days`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d days stored, want 2 (%v)", n, err)
	}
	computed, err := st.Backfill(ctx, today.Add(-90*incidents.Day), now)
	if err != nil || computed != 88 {
		t.Fatalf("backfill computed %d days (%v), want 88", computed, err)
	}
	if computed, err = st.Backfill(ctx, today.Add(-90*incidents.Day), now); err != nil || computed != 0 {
		t.Fatalf("a second backfill computed %d days (%v)", computed, err)
	}
	if _, err := st.DailyUptime(ctx, now, now); err == nil {
		t.Fatal("an empty range is accepted")
	}
}

// IncidentTitles names stored incidents by ID and leaves out unknown IDs.
func TestIncidentTitles(t *testing.T) {
	st, _ := newStore(t)
	inc := outage(t, st)
	got, err := st.IncidentTitles(ctx, []int64{inc.ID, inc.ID + 100})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[int64]string{inc.ID: "Degraded load balancers"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("titles %v, want %v", got, want)
	}
	if got, err := st.IncidentTitles(ctx, nil); err != nil || len(got) != 0 {
		t.Fatalf("no IDs: %v, %v", got, err)
	}
}

// IncidentHeads gives stored incidents by ID as Incident does, without
// their updates, and leaves out unknown IDs.
func TestIncidentHeads(t *testing.T) {
	st, _ := newStore(t)
	inc := outage(t, st)
	got, err := st.IncidentHeads(ctx, []int64{inc.ID, inc.ID + 100})
	if err != nil {
		t.Fatal(err)
	}
	full, err := st.Incident(ctx, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	full.Updates = nil
	if want := map[int64]incidents.Incident{inc.ID: full}; !reflect.DeepEqual(got, want) {
		t.Fatalf("heads %+v, want %+v", got, want)
	}
	if got, err := st.IncidentHeads(ctx, nil); err != nil || len(got) != 0 {
		t.Fatalf("no IDs: %v, %v", got, err)
	}
}

// parseIDs reads the incident IDs a stored day lists, as storeDays writes
// them and as any JSON array of IDs.
func TestParseIDs(t *testing.T) {
	for s, want := range map[string][]int64{"[]": nil, "[7]": {7}, "[12,40,41]": {12, 40, 41}, "[ 3, 4 ]": {3, 4}} {
		got, err := parseIDs(s)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%q: %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "[", "7", "[1,]", "[a]", "{}"} {
		if got, err := parseIDs(s); err == nil {
			t.Errorf("%q: %v, want an error", s, got)
		}
	}
}
