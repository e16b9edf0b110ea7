package incidents

import (
	"reflect"
	"testing"
	"time"

	"github.com/amends/amends/sla"
)

func TestEnums(t *testing.T) {
	for i, s := range Statuses {
		if !s.Valid() || s.Severity() != i || s.Label() == string(s) {
			t.Errorf("status %s", s)
		}
	}
	for i, p := range Phases {
		if !p.Valid() || p.Rank() != i || p.Label() == string(p) {
			t.Errorf("phase %s", p)
		}
	}
	for _, i := range Impacts {
		if !i.Valid() || i.Label() == string(i) {
			t.Errorf("impact %s", i)
		}
	}
	for i, p := range MaintenancePhases {
		if !p.Valid() || p.Rank() != i || p.Label() == string(p) {
			t.Errorf("maintenance phase %s", p)
		}
	}
	if Status("x").Valid() || Phase("x").Valid() || Impact("x").Valid() || MaintenancePhase("x").Valid() {
		t.Error("unknown value valid")
	}
	if DegradedPerformance.Label() != "Degraded performance" || UnderMaintenance.Label() != "Under maintenance" || InProgress.Label() != "In progress" {
		t.Error("labels")
	}
	for _, tc := range []struct {
		in   []Status
		want Status
	}{
		{nil, Operational},
		{[]Status{Operational, UnderMaintenance}, UnderMaintenance},
		{[]Status{UnderMaintenance, DegradedPerformance}, DegradedPerformance},
		{[]Status{MajorOutage, PartialOutage, Operational}, MajorOutage},
		{[]Status{"bogus", Operational}, Operational},
	} {
		if got := Worst(tc.in...); got != tc.want {
			t.Errorf("Worst(%v) = %s", tc.in, got)
		}
	}
	if Overall(map[string]Status{}) != Operational || Overall(map[string]Status{"a": PartialOutage, "b": UnderMaintenance}) != PartialOutage {
		t.Error("Overall")
	}
}

// upd builds an update at start+h hours setting the given statuses.
func upd(h float64, phase Phase, cs ...ComponentStatus) Update {
	return Update{Phase: phase, At: start.Add(time.Duration(h * float64(time.Hour))), Components: cs}
}

func cs(c string, s Status, p sla.Percent) ComponentStatus {
	return ComponentStatus{Component: c, Status: s, AffectedPercent: p}
}

func hours(h float64) time.Time { return start.Add(time.Duration(h * float64(time.Hour))) }
func end(h float64) *time.Time  { t := hours(h); return &t }

func TestComponentStatesAndTimeline(t *testing.T) {
	type want struct {
		states   []ComponentStatus
		affected []string
		spans    []Span
	}
	resolvedAt := func(h float64) *time.Time { return end(h) }
	for name, tc := range map[string]struct {
		inc  Incident
		want want
	}{
		"no updates": {Incident{Phase: Investigating}, want{}},
		"one component ongoing": {
			Incident{Phase: Investigating, Updates: []Update{upd(0, Investigating, cs("a", PartialOutage, 68000))}},
			want{
				states:   []ComponentStatus{cs("a", PartialOutage, 68000)},
				affected: []string{"a"},
				spans:    []Span{{"a", PartialOutage, 68000, nil, hours(0), nil}},
			},
		},
		"carry over, change, back to operational": {
			Incident{Phase: Monitoring, Updates: []Update{
				upd(0, Investigating, cs("api", PartialOutage, sla.Hundred)),
				upd(2, Identified, cs("lb", DegradedPerformance, 25000)),
				upd(3, Identified), // message only: nothing changes
				upd(6, Identified, cs("lb", PartialOutage, 68000), cs("api", MajorOutage, sla.Hundred)),
				upd(8, Identified, cs("lb", PartialOutage, 68000)), // same again: span goes on
				upd(14, Monitoring, cs("api", Operational, 0)),
			}},
			want{
				states:   []ComponentStatus{cs("lb", PartialOutage, 68000)},
				affected: []string{"api", "lb"},
				spans: []Span{
					{"api", PartialOutage, sla.Hundred, nil, hours(0), end(6)},
					{"lb", DegradedPerformance, 25000, nil, hours(2), end(6)},
					{"api", MajorOutage, sla.Hundred, nil, hours(6), end(14)},
					{"lb", PartialOutage, 68000, nil, hours(6), nil},
				},
			},
		},
		"percent change alone starts a new span": {
			Incident{Phase: Identified, Updates: []Update{
				upd(0, Investigating, cs("lb", PartialOutage, 25000)),
				upd(1, Identified, cs("lb", PartialOutage, 68000)),
			}},
			want{
				states:   []ComponentStatus{cs("lb", PartialOutage, 68000)},
				affected: []string{"lb"},
				spans:    []Span{{"lb", PartialOutage, 25000, nil, hours(0), end(1)}, {"lb", PartialOutage, 68000, nil, hours(1), nil}},
			},
		},
		"resolved: spans end at resolution, no states": {
			Incident{Phase: Resolved, ResolvedAt: resolvedAt(10), Updates: []Update{
				upd(0, Investigating, cs("b", MajorOutage, sla.Hundred), cs("a", DegradedPerformance, 10000)),
				upd(4, Identified, cs("b", Operational, 0)),
				upd(5, Identified, cs("b", PartialOutage, 50000)),
				upd(10, Resolved, cs("a", Operational, 0), cs("b", Operational, 0)),
			}},
			want{
				affected: []string{"b", "a"},
				spans: []Span{
					{"b", MajorOutage, sla.Hundred, nil, hours(0), end(4)},
					{"a", DegradedPerformance, 10000, nil, hours(0), end(10)},
					{"b", PartialOutage, 50000, nil, hours(5), end(10)},
				},
			},
		},
		"resolved without naming components still closes spans": {
			Incident{Phase: Resolved, ResolvedAt: resolvedAt(3), Updates: []Update{
				upd(0, Investigating, cs("a", MajorOutage, sla.Hundred)),
				upd(3, Resolved),
			}},
			want{affected: []string{"a"}, spans: []Span{{"a", MajorOutage, sla.Hundred, nil, hours(0), end(3)}}},
		},
		"zero-length spans are left out": {
			Incident{Phase: Identified, Updates: []Update{
				upd(1, Investigating, cs("a", PartialOutage, sla.Hundred)),
				upd(1, Identified, cs("a", MajorOutage, sla.Hundred)),
				upd(2, Identified, cs("a", Operational, 0)),
				upd(2, Identified, cs("a", DegradedPerformance, 30000)),
			}},
			want{
				states:   []ComponentStatus{cs("a", DegradedPerformance, 30000)},
				affected: []string{"a"},
				spans:    []Span{{"a", MajorOutage, sla.Hundred, nil, hours(1), end(2)}, {"a", DegradedPerformance, 30000, nil, hours(2), nil}},
			},
		},
		"operational only": {
			Incident{Phase: Investigating, Updates: []Update{upd(0, Investigating, cs("a", Operational, 0))}},
			want{affected: []string{"a"}},
		},
		"resolved at its start": {
			Incident{Phase: Resolved, ResolvedAt: resolvedAt(0), Updates: []Update{upd(0, Resolved, cs("a", Operational, 0))}},
			want{affected: []string{"a"}},
		},
	} {
		if got := tc.inc.ComponentStates(); !reflect.DeepEqual(got, tc.want.states) {
			t.Errorf("%s: states %v, want %v", name, got, tc.want.states)
		}
		if got := tc.inc.AffectedComponents(); !reflect.DeepEqual(got, tc.want.affected) {
			t.Errorf("%s: affected %v, want %v", name, got, tc.want.affected)
		}
		got := tc.inc.Timeline()
		if len(got) != len(tc.want.spans) {
			t.Errorf("%s: %d spans, want %d: %v", name, len(got), len(tc.want.spans), got)
			continue
		}
		for i, sp := range got {
			w := tc.want.spans[i]
			if sp.Component != w.Component || sp.Status != w.Status || sp.AffectedPercent != w.AffectedPercent || !sp.Start.Equal(w.Start) ||
				(sp.End == nil) != (w.End == nil) || sp.End != nil && !sp.End.Equal(*w.End) {
				t.Errorf("%s: span %d = %+v, want %+v", name, i, sp, w)
			}
		}
	}
}

// The Timeline of an incident built by Apply, and its latest update.
func TestTimelineFromApply(t *testing.T) {
	inc := elb(t)
	res, err := inc.Apply("bob", UpdateInput{Phase: Resolved, Message: "Resolved.", At: at(16 * time.Hour)}, now)
	if err != nil {
		t.Fatal(err)
	}
	if res.Latest().Message != "Resolved." || (Incident{}).Latest().ID != 0 {
		t.Fatal("Latest")
	}
	want := []Span{
		{"elb-api", PartialOutage, sla.Hundred, nil, hours(0), end(6)},
		{"elb-us-east-1", DegradedPerformance, 25000, nil, hours(2), end(6)},
		{"elb-api", MajorOutage, sla.Hundred, nil, hours(6), end(14)},
		{"elb-us-east-1", PartialOutage, 68000, nil, hours(6), end(16)},
	}
	if got := res.Timeline(); !reflect.DeepEqual(got, want) {
		t.Fatalf("timeline\n got %+v\nwant %+v", got, want)
	}
}

func TestPhaseAt(t *testing.T) {
	m := Maintenance{StartsAt: hours(10), EndsAt: hours(12), Phase: Scheduled}
	for _, tc := range []struct {
		stored MaintenancePhase
		now    float64
		want   MaintenancePhase
	}{
		{Scheduled, 9, Scheduled},
		{Scheduled, 10, InProgress},
		{Scheduled, 11.99, InProgress},
		{Scheduled, 12, Completed},
		{InProgress, 9, InProgress}, // started early
		{Completed, 9, Completed},   // called off or done early
		{Completed, 11, Completed},
		{InProgress, 13, Completed}, // the clock wins when it is later
	} {
		m.Phase = tc.stored
		if got := m.PhaseAt(hours(tc.now)); got != tc.want {
			t.Errorf("stored %s at %vh: %s, want %s", tc.stored, tc.now, got, tc.want)
		}
	}
}

func TestCurrentStatuses(t *testing.T) {
	components := []Component{{ID: "a"}, {ID: "b"}, {ID: "c"}, {ID: "d"}, {ID: "e"}}
	i1 := Incident{Phase: Identified, Updates: []Update{
		upd(0, Investigating, cs("a", DegradedPerformance, sla.Hundred), cs("b", MajorOutage, sla.Hundred)),
		upd(1, Identified, cs("b", Operational, 0)),
	}}
	i2 := Incident{Phase: Investigating, Updates: []Update{
		upd(0.5, Investigating, cs("a", PartialOutage, 10000), cs("c", DegradedPerformance, sla.Hundred), cs("zz", MajorOutage, sla.Hundred)),
	}}
	resolved := Incident{Phase: Resolved, ResolvedAt: end(2), Updates: []Update{upd(0, Investigating, cs("e", MajorOutage, sla.Hundred))}}
	maint := []Maintenance{
		{Components: []string{"c", "d"}, StartsAt: hours(1), EndsAt: hours(3), Phase: Scheduled},
		{Components: []string{"e"}, StartsAt: hours(5), EndsAt: hours(6), Phase: Scheduled},  // not yet
		{Components: []string{"b"}, StartsAt: hours(0), EndsAt: hours(6), Phase: Completed},  // finished early
		{Components: []string{"e"}, StartsAt: hours(4), EndsAt: hours(6), Phase: InProgress}, // started early
	}
	got := CurrentStatuses(components, []Incident{i1, i2, resolved}, maint, hours(2))
	want := map[string]Status{
		"a": PartialOutage,       // worst of degraded and partial
		"b": Operational,         // back to operational; its maintenance completed early
		"c": DegradedPerformance, // degraded beats maintenance
		"d": UnderMaintenance,
		"e": UnderMaintenance, // the resolved incident does not count
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
	if Overall(got) != PartialOutage {
		t.Fatal("overall")
	}
	// Nothing active: all operational, every component present.
	got = CurrentStatuses(components, nil, maint, hours(7))
	if len(got) != 5 || Overall(got) != Operational {
		t.Fatalf("%v", got)
	}
}
