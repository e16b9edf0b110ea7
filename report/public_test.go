package report_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/incidents"
	incsqlite "github.com/amends/amends/incidents/sqlite"
	"github.com/amends/amends/internal/sqlitedb"
	"github.com/amends/amends/report"
)

// historyStore is an incidents store over a new database file whose clock
// is now, with one service and two components.
func historyStore(t *testing.T, now time.Time) *incsqlite.Store {
	t.Helper()
	ctx := context.Background()
	db, err := sqlitedb.Open(ctx, filepath.Join(t.TempDir(), "amends.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	store, err := incsqlite.New(db)
	if err != nil {
		t.Fatal(err)
	}
	store.Now = func() time.Time { return now }
	if _, err := store.CreateService(ctx, audit.Person("test"), incidents.Service{ID: "ELB", Name: "Elastic Load Balancing"}, now); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"elb-a", "elb-b"} {
		if _, err := store.CreateComponent(ctx, audit.Person("test"), incidents.Component{ID: id, Service: "ELB", Name: id, Region: "us-east-1"}, now); err != nil {
			t.Fatal(err)
		}
	}
	return store
}

// incidentAt records an incident on elb-a that started at start, resolved
// an hour later unless active.
func incidentAt(t *testing.T, store incidents.Store, title string, start time.Time, active bool, now time.Time) incidents.Incident {
	t.Helper()
	ctx := context.Background()
	inc, err := store.CreateIncident(ctx, audit.Person("ops"), incidents.IncidentInput{
		Title: title, Impact: incidents.ImpactMinor, StartedAt: &start, Message: "Looking.",
		Components: []incidents.ComponentChange{{Component: "elb-a", Status: incidents.DegradedPerformance}},
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	if active {
		return inc
	}
	end := start.Add(time.Hour)
	inc, err = store.AddUpdate(ctx, audit.Person("ops"), inc.ID, incidents.UpdateInput{
		Phase: incidents.Resolved, Message: "Done.", At: &end,
		Components: []incidents.ComponentChange{{Component: "elb-a", Status: incidents.Operational}},
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

func titles(list []incidents.Incident) []string {
	var out []string
	for _, inc := range list {
		out = append(out, inc.Title)
	}
	return out
}

func TestPublicRecordRecentIncidentsAndMaintenances(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2012, 12, 24, 20, 0, 0, 0, time.UTC)
	store := historyStore(t, now)
	day := func(n int) time.Time { return now.Add(time.Duration(n) * 24 * time.Hour) }
	incidentAt(t, store, "oldest", day(-5), false, now)
	incidentAt(t, store, "old", day(-4), false, now)
	incidentAt(t, store, "active, started long ago", day(-3), true, now)
	incidentAt(t, store, "newest", day(-1), false, now)
	// Two that started at the same instant: the higher id first.
	incidentAt(t, store, "tie, first recorded", day(-2), false, now)
	incidentAt(t, store, "tie, recorded second", day(-2), true, now)

	maint := func(title string, starts time.Time) {
		t.Helper()
		if _, err := store.CreateMaintenance(ctx, audit.Person("ops"), incidents.MaintenanceInput{
			Title: title, Components: []string{"elb-b"}, StartsAt: starts, EndsAt: starts.Add(time.Hour),
		}, day(-10)); err != nil {
			t.Fatal(err)
		}
	}
	maint("past -1", day(-5))
	maint("past 0", day(-4))
	maint("past 1", day(-3))
	maint("past 2", day(-2))
	maint("past 3", day(-1))
	maint("running", now.Add(-30*time.Minute))
	maint("upcoming", day(2))

	rec, err := report.New(store, nil).PublicRecord(ctx, now, 4)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"newest", "tie, recorded second", "tie, first recorded", "active, started long ago"}
	if got := titles(rec.Recent); !slices.Equal(got, want) {
		t.Errorf("recent = %q, want the 4 that started last, newest first (ties: higher id first): %q", got, want)
	}
	if got := titles(rec.Active); !slices.Equal(slices.Sorted(slices.Values(got)), []string{"active, started long ago", "tie, recorded second"}) {
		t.Errorf("active = %q", got)
	}
	var maints []string
	for _, m := range rec.Maintenances {
		maints = append(maints, m.Title)
	}
	// The open ones and the 4 latest completed: each once.
	if want := []string{"upcoming", "running", "past 3", "past 2", "past 1", "past 0"}; !slices.Equal(maints, want) {
		t.Errorf("maintenances = %q, want %q", maints, want)
	}
	if len(rec.Services) != 1 || len(rec.Components) != 2 || len(rec.Explained) != 0 {
		t.Errorf("services %d, components %d, explained %d", len(rec.Services), len(rec.Components), len(rec.Explained))
	}
}

func TestRecentHistoryExplanationsWithTheirNewestPublishedRevision(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2012, 12, 24, 20, 0, 0, 0, time.UTC)
	store := historyStore(t, now)
	publish := func(id int64, title string, at time.Time) {
		t.Helper()
		if _, err := store.StartExplanation(ctx, audit.Person("writer"), id, title, "Body of "+title+".", at); err != nil {
			t.Fatal(err)
		}
		if _, err := store.SubmitExplanation(ctx, audit.Person("writer"), id, at); err != nil {
			t.Fatal(err)
		}
		if _, err := store.PublishExplanation(ctx, audit.Person("manager"), id, at); err != nil {
			t.Fatal(err)
		}
	}
	var ids []int64
	for i := range 3 {
		ids = append(ids, incidentAt(t, store, fmt.Sprintf("incident %d", i), now.Add(time.Duration(i-10)*time.Hour), false, now).ID)
	}
	publish(ids[0], "first", now.Add(time.Hour))
	publish(ids[1], "second", now.Add(2*time.Hour))
	publish(ids[0], "first, revised", now.Add(3*time.Hour))
	// A draft of a new revision is not what the feeds show.
	if _, err := store.StartExplanation(ctx, audit.Person("writer"), ids[2], "draft", "Not yet.", now.Add(4*time.Hour)); err != nil {
		t.Fatal(err)
	}

	h, err := report.New(store, nil).RecentHistory(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := titles(h.Recent); !slices.Equal(got, []string{"incident 2", "incident 1"}) {
		t.Errorf("recent = %q", got)
	}
	var got []string
	for _, x := range h.Explanations {
		got = append(got, fmt.Sprintf("%d %s rev %d of %d: %s", x.IncidentID-ids[0], x.Title, x.Current.Number, x.Revisions, x.Current.Body))
	}
	want := []string{"0 first, revised rev 2 of 2: Body of first, revised.", "1 second rev 1 of 1: Body of second."}
	if !slices.Equal(got, want) {
		t.Errorf("explanations:\n%q\nwant the latest publication first, each with its newest published revision:\n%q", got, want)
	}
	if len(h.Components) != 2 {
		t.Errorf("%d components", len(h.Components))
	}
}
