package incidents

import (
	"reflect"
	"testing"
	"time"
)

// DowntimeMicros reads the stored downtime exactly, in millionths of a
// second, and refuses anything else.
func TestDowntimeMicros(t *testing.T) {
	for s, want := range map[string]int64{
		"0": 0, "881.28": 881_280_000, "5410.08": 5_410_080_000, "0.000001": 1, "86400": 86_400_000_000, "12.5": 12_500_000,
	} {
		got, err := DayUptime{DowntimeSeconds: s}.DowntimeMicros()
		if err != nil || got != want {
			t.Errorf("%q: %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "1e3", "-1", "1.", ".5", "1.1234567", "12a", "1.2.3", "9999999999999"} {
		if got, err := (DayUptime{DowntimeSeconds: s}).DowntimeMicros(); err == nil {
			t.Errorf("%q: %d, want an error", s, got)
		}
	}
}

// Of lists every day, the days on which something happened as stored
// and the others full.
func TestUptimeDaysOf(t *testing.T) {
	d0 := time.Date(2012, 12, 24, 0, 0, 0, 0, time.UTC)
	hit := DayUptime{Day: d0.Add(Day), Seconds: 86400, DowntimeSeconds: "881.28", UptimePercent: "98.9800", Incidents: []int64{2}}
	u := UptimeDays{Days: []time.Time{d0, d0.Add(Day), d0.Add(2 * Day)}, Seconds: []int64{86400, 86400, 3600},
		Events: map[string][]DayUptime{"a": {hit}}}
	want := []DayUptime{FullDay(d0, 86400), hit, FullDay(d0.Add(2*Day), 3600)}
	if got := u.Of("a"); !reflect.DeepEqual(got, want) {
		t.Errorf("a: %+v", got)
	}
	if got := u.Of("b"); !reflect.DeepEqual(got, []DayUptime{FullDay(d0, 86400), FullDay(d0.Add(Day), 86400), FullDay(d0.Add(2*Day), 3600)}) {
		t.Errorf("b: %+v", got)
	}
}
