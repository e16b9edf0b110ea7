package sla

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"
	"time"
)

// The December 2012 outage against 99.95%: 5410.08 s of downtime in 31
// days; the budget is 1339.2 s.
func TestErrorBudgetAndBurnRate(t *testing.T) {
	down := RatioFromRat(big.NewRat(541008, 100))
	b := NewErrorBudget(MustPercent("99.95"), 31*86400, down)
	if got := []string{MinutesText(b.Allowed), MinutesText(b.Used), MinutesText(b.Left())}; got[0] != "22.32" || got[1] != "90.17" || got[2] != "-67.85" {
		t.Errorf("budget %v", got)
	}
	// 30 min of full downtime in an hour: 0.5 / 0.0005 = 1000.
	r := BurnRate(NewRatio(1800, 1), 3600, MustPercent("99.95"))
	if RateText(r) != "1000.00" {
		t.Errorf("burn %s", RateText(r))
	}
	if BurnRate(NewRatio(1, 1), 3600, MustPercent("100")) != nil || BurnRate(Ratio{}, 3600, MustPercent("100")) != nil || RateText(nil) != "—" {
		t.Error("a 100% target has no budget to burn")
	}
	if r := BurnRate(Ratio{}, 3600, MustPercent("99.95")); RateText(r) != "0.00" || BurnRate(Ratio{}, 0, MustPercent("99.95")) != nil {
		t.Errorf("no downtime burns %s", RateText(r))
	}
	// Exactly at the threshold does not flag: 14.4 × 0.0005 × 3600 = 25.92 s.
	w := BurnWindows[0]
	at := BurnRate(RatioFromRat(big.NewRat(2592, 100)), 3600, MustPercent("99.95"))
	above := BurnRate(RatioFromRat(big.NewRat(2593, 100)), 3600, MustPercent("99.95"))
	if w.Burning(at, above) || !w.Burning(above, above) || w.Burning(above, nil) {
		t.Error("threshold is not strict")
	}
	if w.Long != time.Hour || BurnWindows[3].Long != 72*time.Hour || BurnWindows[3].Threshold.Cmp(big.NewRat(1, 1)) != 0 {
		t.Error("windows")
	}
}

func TestFleetProjectionBar(t *testing.T) {
	one, three := int64(1), int64(3)
	comps := []Component{{ID: "a", Resources: &one}, {ID: "b", Resources: &three}}
	res := ResultsByID([]ComponentResult{{ID: "a", DowntimeSeconds: NewRatio(100, 1), Seconds: 1000}, {ID: "b", Seconds: 1000}})
	if got := FleetUptime(comps, res).Truncate(4); got != "97.5000" { // (90×1 + 100×3) / 4
		t.Errorf("weighted fleet %s", got)
	}
	if got := FleetUptime(comps[:1], res).Truncate(4); got != "90.0000" {
		t.Errorf("one component %s", got)
	}
	if got := FleetUptime([]Component{{ID: "a"}, {ID: "b", Resources: &three}}, res).Truncate(4); got != "95.0000" {
		t.Errorf("equal weights %s", got)
	}
	if got := DowntimeOf(NewRatio(95, 1), 1000).Round(6); got != "50" {
		t.Errorf("downtime %s", got)
	}
	if got := DowntimeOf(NewRatio(100, 1), 1000); !got.IsZero() || !DowntimeOf(NewRatio(99, 1), 0).IsZero() {
		t.Errorf("no downtime %s", got.Round(6))
	}
	if got := ProjectMonthEnd(Ratio{}, Ratio{}, 100, 900, 1000).Truncate(4); got != "100.0000" {
		t.Errorf("projection without downtime %s", got)
	}
	// 100 s so far, 10 s in the last 100 s, 900 s to go of 1000: 100 + 90.
	if got := ProjectMonthEnd(NewRatio(100, 1), NewRatio(10, 1), 100, 900, 1000).Truncate(4); got != "81.0000" {
		t.Errorf("projection %s", got)
	}
	if BarHeight(NewRatio(995, 10), MustPercent("99"), 100) != 50 || BarHeight(NewRatio(98, 1), MustPercent("99"), 100) != 0 || BarHeight(NewRatio(100, 1), MustPercent("99"), 100) != 100 {
		t.Error("bar heights")
	}
}

// The 128-bit FleetUptime is exactly the big.Rat one, weighted or not,
// whatever the downtimes; where it does not apply it says so.
func TestFleetUptime128(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 7))
	for k := 0; k < 2000; k++ {
		T := int64(1 + rnd.IntN(31*86400))
		n := rnd.IntN(60)
		comps := make([]Component, n)
		byID := map[string]ComponentResult{}
		weighted := rnd.IntN(2) == 0
		for i := range comps {
			comps[i] = Component{ID: fmt.Sprint("c", i)}
			if weighted {
				w := rnd.Int64N(5000)
				comps[i].Resources = &w
			}
			if rnd.IntN(10) == 0 {
				continue // no result
			}
			var down Ratio
			if rnd.IntN(3) > 0 {
				down = NewRatio(uint64(rnd.Int64N(T*million+1)), million)
			}
			byID[comps[i].ID] = ComponentResult{ID: comps[i].ID, DowntimeSeconds: down, Seconds: T}
		}
		want := fleetUptimeRat(comps, byID, weighted)
		got, ok := fleetUptime128(comps, byID, weighted)
		if ok && got.Cmp(want) != 0 {
			t.Fatalf("case %d: %s, want %s", k, got.Rat().RatString(), want.Rat().RatString())
		}
		if !ok && len(byID) > 0 && (!weighted || hasWeight(comps, byID)) {
			t.Fatalf("case %d: the 128-bit sum did not apply", k)
		}
		if got := FleetUptime(comps, byID); got.Cmp(fleetUptimeRat(comps, byID, weighted && sumOf(comps) > 0)) != 0 {
			t.Fatalf("case %d: FleetUptime %s", k, got.Rat().RatString())
		}
	}
	// Periods of different lengths are left to big.Rat.
	comps := []Component{{ID: "a"}, {ID: "b"}}
	byID := map[string]ComponentResult{"a": {DowntimeSeconds: NewRatio(5, 1), Seconds: 100}, "b": {Seconds: 200}}
	if _, ok := fleetUptime128(comps, byID, false); ok {
		t.Error("mixed periods were summed")
	}
	if got := FleetUptime(comps, byID).Truncate(4); got != "97.5000" { // (95 + 100) / 2
		t.Errorf("mixed periods: %s", got)
	}
}

func hasWeight(comps []Component, byID map[string]ComponentResult) bool {
	for _, c := range comps {
		if _, ok := byID[c.ID]; ok && *c.Resources > 0 {
			return true
		}
	}
	return false
}

func sumOf(comps []Component) int64 {
	var s int64
	for _, c := range comps {
		s += *c.Resources
	}
	return s
}
