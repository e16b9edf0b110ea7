package sqlite

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/incidents"
)

// IncidentTimelines reads what IncidentsBetween reads, less the words:
// the same incidents in the same order, each update with its ID, phase,
// instant and component statuses with their customers, and so the same
// timelines.
func TestIncidentTimelinesAreIncidentsBetweenWithoutTheWords(t *testing.T) {
	st, _ := newStore(t)
	for i := range 4 {
		started := start.Add(time.Duration(i) * 20 * time.Hour)
		inc, err := st.CreateIncident(ctx, audit.Person("ann"), incidents.IncidentInput{
			Title: "Incident", Message: "Investigating.", StartedAt: &started,
			Components: []incidents.ComponentChange{{Component: "elb-api", Status: incidents.DegradedPerformance}},
		}, now)
		if err != nil {
			t.Fatal(err)
		}
		steps := []incidents.UpdateInput{
			{Phase: incidents.Identified, Message: "Found it.", At: at(time.Duration(i)*20*time.Hour + time.Hour),
				Components: []incidents.ComponentChange{{Component: "elb-us-east-1", Status: incidents.PartialOutage, AffectedPercent: pct("6.8"),
					Customers: []incidents.AffectedCustomer{{Customer: "streamflix", AffectedResources: ptrInt(3)}, {Customer: "acme"}}},
					{Component: "elb-api", Status: incidents.MajorOutage}}},
			{Phase: incidents.Monitoring, Message: "Watching.", At: at(time.Duration(i)*20*time.Hour + 3*time.Hour),
				Components: []incidents.ComponentChange{{Component: "elb-api", Status: incidents.Operational}}},
		}
		if i < 3 { // the last one stays active
			steps = append(steps, incidents.UpdateInput{Phase: incidents.Resolved, Message: "Resolved.", At: at(time.Duration(i)*20*time.Hour + 5*time.Hour)})
		}
		for _, in := range steps {
			if inc, err = st.AddUpdate(ctx, audit.Person("bob"), inc.ID, in, now); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := st.CorrectUpdate(ctx, audit.Person("cat"), inc.ID, inc.Updates[1].ID, "Found it, corrected.", now); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range [][2]time.Time{{start, now}, {start.Add(30 * time.Hour), start.Add(50 * time.Hour)}, {now, now.Add(time.Hour)}} {
		full, err := st.IncidentsBetween(ctx, r[0], r[1])
		if err != nil {
			t.Fatal(err)
		}
		got, err := st.IncidentTimelines(ctx, r[0], r[1])
		if err != nil {
			t.Fatal(err)
		}
		want := full
		for i := range want {
			for j := range want[i].Updates {
				u := &want[i].Updates[j]
				*u = incidents.Update{ID: u.ID, IncidentID: u.IncidentID, Phase: u.Phase, At: u.At, Components: u.Components}
			}
		}
		if !reflect.DeepEqual(got, want) {
			a, _ := json.Marshal(got)
			b, _ := json.Marshal(want)
			t.Fatalf("[%s, %s):\n%s\nwant\n%s", r[0], r[1], a, b)
		}
		if len(got) == 0 && r[0].Before(now) {
			t.Fatalf("[%s, %s): no incidents", r[0], r[1])
		}
	}
}

func TestParseStatuses(t *testing.T) {
	got, err := parseStatuses("elb-us-east-1 partial_outage 68000 ,elb-api operational 0 major_outage")
	want := []incidents.ComponentStatus{
		{Component: "elb-us-east-1", Status: incidents.PartialOutage, AffectedPercent: 68000},
		{Component: "elb-api", Status: incidents.Operational, OldStatus: incidents.MajorOutage},
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("%+v, %v", got, err)
	}
	if got, err := parseStatuses(""); got != nil || err != nil {
		t.Fatalf("none: %+v, %v", got, err)
	}
	for _, bad := range []string{"elb-api", "elb-api operational", "elb-api operational x ", "elb-api operational 0 a b"} {
		if _, err := parseStatuses(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
