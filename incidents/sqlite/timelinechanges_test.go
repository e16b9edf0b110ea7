package sqlite

import (
	"testing"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/incidents"
)

// The mark of the timelines before January moves with every write that
// may change one of them (an incident backfilled into December, an update
// of an incident resolved in December, a deletion, a corrected title) and
// stays with writes that change them from January on (an incident declared
// in January, an update now of one open since December) or not at all (a
// corrected message).
func TestIncidentTimelineChangesMarkTheMonthsBefore(t *testing.T) {
	st, _ := newStore(t)
	jan := time.Date(2013, 1, 1, 0, 0, 0, 0, time.UTC)
	ops := audit.Person("ops@example.com")
	mark := func() string {
		t.Helper()
		m, err := st.IncidentTimelineChanges(ctx, jan)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	declare := func(title string, started time.Time) incidents.Incident {
		t.Helper()
		inc, err := st.CreateIncident(ctx, ops, incidents.IncidentInput{Title: title, Message: "Investigating.", StartedAt: &started,
			Components: []incidents.ComponentChange{{Component: "elb-api", Status: incidents.MajorOutage}}}, now)
		if err != nil {
			t.Fatal(err)
		}
		return inc
	}
	moves := func(what string, want bool, write func()) {
		t.Helper()
		before := mark()
		write()
		if moved := mark() != before; moved != want {
			t.Errorf("%s: the mark moved %v, want %v", what, moved, want)
		}
	}

	var open, resolved incidents.Incident
	moves("an incident backfilled into December", true, func() { open = declare("Open since December", start) })
	moves("an incident declared in January", false, func() { declare("January", now.Add(-time.Hour)) })
	moves("an update now of the incident open since December", false, func() {
		if _, err := st.AddUpdate(ctx, ops, open.ID, incidents.UpdateInput{Phase: incidents.Identified, Message: "Found it."}, now); err != nil {
			t.Fatal(err)
		}
	})
	moves("an incident resolved in December", true, func() {
		resolved = declare("December", start.Add(time.Hour))
		if _, err := st.AddUpdate(ctx, ops, resolved.ID, incidents.UpdateInput{Phase: incidents.Resolved, Message: "Fixed.", At: at(2 * time.Hour)}, now); err != nil {
			t.Fatal(err)
		}
	})
	moves("a corrected message", false, func() {
		if _, err := st.CorrectUpdate(ctx, ops, resolved.ID, resolved.Updates[0].ID, "Corrected.", now); err != nil {
			t.Fatal(err)
		}
	})
	moves("a corrected title", true, func() {
		title := "Corrected title"
		if _, err := st.CorrectIncident(ctx, ops, resolved.ID, incidents.IncidentCorrection{Title: &title}, now); err != nil {
			t.Fatal(err)
		}
	})
	moves("a deletion", true, func() {
		if _, err := st.DeleteIncident(ctx, ops, resolved.ID, now); err != nil {
			t.Fatal(err)
		}
	})
}
