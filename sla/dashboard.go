package sla

import (
	"math/big"
	"time"
)

// This file holds the pure arithmetic of the manager's dashboard: fleet
// uptime of a group of components, error budgets, burn rates and the
// month-end projection. Everything is exact (big.Rat, or 128-bit
// integers where they suffice); only the text helpers round, once, for
// display.

// FleetUptime is the uptime of a group of components (a service in one
// region, say), weighted as Evaluate weights a service's fleet: by
// Resources when every component of the group states it and their sum is
// positive, else equally. results are Evaluate's results over one period
// by component ID (see ResultsByID) and must hold every component of
// components (those missing are left out). It is 100 for an empty group.
func FleetUptime(components []Component, byID map[string]ComponentResult) Ratio {
	weighted := len(components) > 0
	var wsum int64
	for _, c := range components {
		if c.Resources == nil {
			weighted = false
			break
		}
		wsum += *c.Resources
	}
	if wsum <= 0 {
		weighted = false
	}
	if u, ok := fleetUptime128(components, byID, weighted); ok {
		return u
	}
	return fleetUptimeRat(components, byID, weighted)
}

// fleetUptime128 is FleetUptime in 128-bit integers, for the usual case of
// results of one evaluation (one period of T seconds, every downtime n/d
// with the same d): the weighted average of 100 × (1 − n/(d×T)) is
// 100 × (d×T×W − Σ w×n) / (d×T×W), with W the sum of the weights.
// false when the case does not hold or a number would not fit.
func fleetUptime128(components []Component, byID map[string]ComponentResult, weighted bool) (Ratio, bool) {
	var d uint64
	var T int64
	var sum, wsum u128
	n := 0
	for _, c := range components {
		r, ok := byID[c.ID]
		if !ok {
			continue
		}
		down := r.DowntimeSeconds
		if down.r != nil || (n > 0 && r.Seconds != T) || r.Seconds <= 0 {
			return Ratio{}, false
		}
		T = r.Seconds
		n++
		w := uint64(1)
		if weighted {
			if *c.Resources < 0 {
				return Ratio{}, false
			}
			w = uint64(*c.Resources)
		}
		wsum = wsum.add(u128{0, w})
		if down.d == 0 || down.n == 0 {
			continue // no downtime
		}
		if d == 0 {
			d = down.d
		} else if down.d != d {
			return Ratio{}, false
		}
		if sum, ok = sum.addChecked(mul64(w, down.n)); !ok {
			return Ratio{}, false
		}
	}
	if n == 0 || wsum.isZero() {
		return NewRatio(100, 1), n == 0
	}
	if d == 0 {
		return NewRatio(100, 1), true // no downtime at all
	}
	den, ok := mul64(d, uint64(T)).mulChecked(wsum.lo)
	if !ok || wsum.hi != 0 || sum.greater(den) {
		return Ratio{}, false
	}
	num, ok := den.sub(sum).mulChecked(100)
	if !ok {
		return Ratio{}, false
	}
	return ratio128From(num, den), true
}

// fleetUptimeRat is FleetUptime in big.Rat, for any results.
func fleetUptimeRat(components []Component, byID map[string]ComponentResult, weighted bool) Ratio {
	num, den := new(big.Rat), new(big.Rat)
	for _, c := range components {
		r, ok := byID[c.ID]
		if !ok {
			continue
		}
		w := big.NewRat(1, 1)
		if weighted {
			w = big.NewRat(*c.Resources, 1)
		}
		num.Add(num, new(big.Rat).Mul(w, r.UptimePercent().Rat()))
		den.Add(den, w)
	}
	if den.Sign() == 0 {
		return NewRatio(100, 1)
	}
	return RatioFromRat(num.Quo(num, den))
}

// ResultsByID indexes Evaluate's component results by component ID.
func ResultsByID(results []ComponentResult) map[string]ComponentResult {
	out := make(map[string]ComponentResult, len(results))
	for _, r := range results {
		out[r.ID] = r
	}
	return out
}

// ErrorBudget is a period's error budget in seconds: Allowed is the
// downtime the target allows over the whole period (length × (100 −
// target) / 100), Used the downtime so far.
type ErrorBudget struct {
	Allowed, Used *big.Rat
}

// NewErrorBudget returns the budget of a period of periodSeconds under
// target with downtime used so far.
func NewErrorBudget(target Percent, periodSeconds int64, downtime Ratio) ErrorBudget {
	allowed := new(big.Rat).Sub(big.NewRat(100, 1), target.Ratio().Rat())
	allowed.Mul(allowed, big.NewRat(periodSeconds, 100))
	return ErrorBudget{Allowed: allowed, Used: downtime.Rat()}
}

// Left is Allowed − Used: negative once the budget is overspent.
func (b ErrorBudget) Left() *big.Rat { return new(big.Rat).Sub(b.Allowed, b.Used) }

// MinutesText shows seconds as minutes with 2 decimals, rounded half away
// from zero ("22.32", "-67.85").
func MinutesText(seconds *big.Rat) string {
	return new(big.Rat).Quo(seconds, big.NewRat(60, 1)).FloatString(2)
}

// BurnWindow is one alert of the SRE workbook's multiwindow, multi-burn-rate
// scheme ("Alerting on SLOs", table 5-8): the burn rate over Long and over
// Short must both be above Threshold.
type BurnWindow struct {
	Long, Short time.Duration
	// Threshold is the burn rate as a fraction: 144/10 is 14.4.
	Threshold *big.Rat
	// Severity is "page" or "ticket".
	Severity string
}

// BurnWindows pairs each long window with its workbook threshold and
// short window: 1 h with 14.4 (2% of a 30-day budget, short window 5 min,
// page), 6 h with 6 (5%, 30 min, page), 1 d with 3 (10%, 2 h, ticket),
// 3 d with 1 (10%, 6 h, ticket).
var BurnWindows = []BurnWindow{
	{Long: time.Hour, Short: 5 * time.Minute, Threshold: big.NewRat(144, 10), Severity: "page"},
	{Long: 6 * time.Hour, Short: 30 * time.Minute, Threshold: big.NewRat(6, 1), Severity: "page"},
	{Long: 24 * time.Hour, Short: 2 * time.Hour, Threshold: big.NewRat(3, 1), Severity: "ticket"},
	{Long: 72 * time.Hour, Short: 6 * time.Hour, Threshold: big.NewRat(1, 1), Severity: "ticket"},
}

// BurnRate is how fast downtime spends the budget over a window of
// windowSeconds: (downtime / window) / ((100 − target) / 100). A rate of 1
// spends exactly the budget over the period. It is nil when the target
// leaves no budget (100) or the window is empty.
func BurnRate(downtime Ratio, windowSeconds int64, target Percent) *big.Rat {
	if target >= Hundred || windowSeconds <= 0 {
		return nil
	}
	if downtime.IsZero() {
		return new(big.Rat) // most windows of most components
	}
	allowed := new(big.Rat).Sub(big.NewRat(100, 1), target.Ratio().Rat())
	r := downtime.Rat()
	r.Mul(r, big.NewRat(100, windowSeconds))
	return r.Quo(r, allowed)
}

// Burning reports whether both burn rates are strictly above w's
// threshold (a nil rate never is).
func (w BurnWindow) Burning(long, short *big.Rat) bool {
	return long != nil && short != nil && long.Cmp(w.Threshold) > 0 && short.Cmp(w.Threshold) > 0
}

// RateText shows a burn rate with 2 decimals, rounded half away from zero;
// "—" for nil.
func RateText(r *big.Rat) string {
	if r == nil {
		return "—"
	}
	return r.FloatString(2)
}

// ProjectMonthEnd is the uptime the whole month ends with if the rest of it
// (remaining seconds) loses downtime at the rate of the recent window
// (recent downtime over recentSeconds): 100 × (1 − (used + recent ×
// remaining / recentSeconds) / monthSeconds), at least 0.
func ProjectMonthEnd(used, recent Ratio, recentSeconds, remaining, monthSeconds int64) Ratio {
	if used.IsZero() && recent.IsZero() {
		return NewRatio(100, 1)
	}
	down := used.Rat()
	if recentSeconds > 0 && remaining > 0 {
		down.Add(down, new(big.Rat).Mul(recent.Rat(), big.NewRat(remaining, recentSeconds)))
	}
	if monthSeconds <= 0 {
		return NewRatio(100, 1)
	}
	u := new(big.Rat).Quo(down, big.NewRat(monthSeconds, 1))
	u.Sub(big.NewRat(1, 1), u)
	u.Mul(u, big.NewRat(100, 1))
	if u.Sign() < 0 {
		return Ratio{}
	}
	return RatioFromRat(u)
}

// BarHeight scales an uptime onto a chart of height units whose bottom is
// floor and top 100: height × (u − floor) / (100 − floor), rounded down,
// clamped to [0, height].
func BarHeight(u Ratio, floor Percent, height int64) int64 {
	span := new(big.Rat).Sub(big.NewRat(100, 1), floor.Ratio().Rat())
	if span.Sign() <= 0 {
		return height
	}
	x := new(big.Rat).Sub(u.Rat(), floor.Ratio().Rat())
	if x.Sign() <= 0 {
		return 0
	}
	x.Mul(x, big.NewRat(height, 1))
	x.Quo(x, span)
	q := new(big.Int).Quo(x.Num(), x.Denom())
	if q.Cmp(big.NewInt(height)) > 0 {
		return height
	}
	return q.Int64()
}

// DowntimeOf is the downtime in seconds that an uptime of u percent means
// over seconds: (100 − u) × seconds / 100, 0 when u is 100 or more. A
// group's fleet uptime (FleetUptime) becomes a downtime this way, for its
// error budget and burn rates.
func DowntimeOf(u Ratio, seconds int64) Ratio {
	if seconds <= 0 || u.CmpPercent(Hundred) >= 0 {
		return Ratio{} // most windows of most components, without big.Rat
	}
	d := new(big.Rat).Sub(big.NewRat(100, 1), u.Rat())
	if d.Sign() <= 0 || seconds <= 0 {
		return Ratio{}
	}
	return RatioFromRat(d.Mul(d, big.NewRat(seconds, 100)))
}
