package sla

import (
	"math/big"
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
	if BurnRate(NewRatio(1, 1), 3600, MustPercent("100")) != nil || RateText(nil) != "—" {
		t.Error("a 100% target has no budget to burn")
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
	// 100 s so far, 10 s in the last 100 s, 900 s to go of 1000: 100 + 90.
	if got := ProjectMonthEnd(NewRatio(100, 1), NewRatio(10, 1), 100, 900, 1000).Truncate(4); got != "81.0000" {
		t.Errorf("projection %s", got)
	}
	if BarHeight(NewRatio(995, 10), MustPercent("99"), 100) != 50 || BarHeight(NewRatio(98, 1), MustPercent("99"), 100) != 0 || BarHeight(NewRatio(100, 1), MustPercent("99"), 100) != 100 {
		t.Error("bar heights")
	}
}
