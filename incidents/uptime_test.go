package incidents

import "testing"

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
