package sla

import (
	"math/bits"
	"slices"
)

const million = 1_000_000

// timeline is one component's down share over the period, shared by every
// customer: boundaries b[0] = period start < ... < b[n] = period end, and for
// each segment [b[k], b[k+1]) the share an impact that names no customer
// gives every customer (u, millionths, after the policy's unlisted rule) and
// whether a noticed maintenance window covers it. pu is the running integral
// of u (millionth-seconds), so the integral over any range costs a binary search.
type timeline struct {
	b     []int64
	u     []int64
	maint []bool
	pu    []int64
	down  int64 // the component's downtime in millionth-seconds
}

// interval is a clipped impact or maintenance window on a component.
type interval struct {
	s, e  int64
	pct   int64 // affected share in millionths
	named bool  // the impact names customers
}

// buildTimeline sweeps one component's counted impacts and noticed
// maintenance windows; cost O(n log n) in their number.
func buildTimeline(p0, p1 int64, imps, maint []interval, unlisted Unlisted) timeline {
	b := make([]int64, 0, 2+2*len(imps)+2*len(maint))
	b = append(b, p0, p1)
	for _, iv := range imps {
		b = append(b, iv.s, iv.e)
	}
	for _, iv := range maint {
		b = append(b, iv.s, iv.e)
	}
	slices.Sort(b)
	b = slices.Compact(b)
	n := len(b) - 1
	t := timeline{b: b, u: make([]int64, n), maint: make([]bool, n), pu: make([]int64, n+1)}
	idx := func(x int64) int { i, _ := slices.BinarySearch(b, x); return i }

	// Maintenance coverage by a difference array.
	if len(maint) > 0 {
		diff := make([]int, n+1)
		for _, iv := range maint {
			diff[idx(iv.s)]++
			diff[idx(iv.e)]--
		}
		c := 0
		for k := 0; k < n; k++ {
			c += diff[k]
			t.maint[k] = c > 0
		}
	}

	// The largest share per segment: paint segments from the largest
	// impact down, skipping painted ones with a union-find "next unpainted".
	all := paintMax(b, imps, func(iv interval) (int64, bool) { return iv.pct, true })
	var un []int64
	switch unlisted {
	case Full:
		un = paintMax(b, imps, func(iv interval) (int64, bool) { return million, !iv.named })
	case None:
	default:
		un = paintMax(b, imps, func(iv interval) (int64, bool) { return iv.pct, !iv.named })
	}
	for k := 0; k < n; k++ {
		length := b[k+1] - b[k]
		if t.maint[k] {
			t.pu[k+1] = t.pu[k]
			continue
		}
		if all != nil {
			t.down += all[k] * length
		}
		if un != nil {
			t.u[k] = un[k]
		}
		t.pu[k+1] = t.pu[k] + t.u[k]*length
	}
	return t
}

// paintMax returns, per segment of b, the largest value among the intervals
// (filtered by val) covering it, or nil if no interval applies.
func paintMax(b []int64, imps []interval, val func(interval) (int64, bool)) []int64 {
	type item struct {
		i, j int
		v    int64
	}
	items := make([]item, 0, len(imps))
	for _, iv := range imps {
		v, ok := val(iv)
		if !ok || v == 0 {
			continue
		}
		i, _ := slices.BinarySearch(b, iv.s)
		j, _ := slices.BinarySearch(b, iv.e)
		items = append(items, item{i, j, v})
	}
	if len(items) == 0 {
		return nil
	}
	slices.SortFunc(items, func(x, y item) int {
		if x.v != y.v {
			if x.v > y.v {
				return -1
			}
			return 1
		}
		return x.i - y.i
	})
	n := len(b) - 1
	out := make([]int64, n)
	next := make([]int, n+1) // next[k]: first unpainted segment at or after k
	for k := range next {
		next[k] = k
	}
	find := func(k int) int {
		for next[k] != k {
			next[k] = next[next[k]]
			k = next[k]
		}
		return k
	}
	for _, it := range items {
		for k := find(it.i); k < it.j; k = find(k) {
			out[k] = it.v
			next[k] = k + 1
		}
	}
	return out
}

// integral returns the integral of u over [a, b] within the period, in millionth-seconds.
func (t *timeline) integral(a, b int64) int64 {
	return t.at(b) - t.at(a)
}

func (t *timeline) at(x int64) int64 {
	n := len(t.u)
	if x >= t.b[n] {
		return t.pu[n]
	}
	k, found := slices.BinarySearch(t.b, x)
	if !found {
		k--
	}
	return t.pu[k] + t.u[k]*(x-t.b[k])
}

// u128 is an unsigned 128-bit integer for exact sums of products.
type u128 struct{ hi, lo uint64 }

func mul64(a, b uint64) u128 {
	hi, lo := bits.Mul64(a, b)
	return u128{hi, lo}
}

func (x u128) add(y u128) u128 {
	lo, c := bits.Add64(x.lo, y.lo, 0)
	hi, _ := bits.Add64(x.hi, y.hi, c)
	return u128{hi, lo}
}

func (x u128) sub(y u128) u128 {
	lo, c := bits.Sub64(x.lo, y.lo, 0)
	hi, _ := bits.Sub64(x.hi, y.hi, c)
	return u128{hi, lo}
}

// mul returns x × k; the callers' bounds keep it below 2^128.
func (x u128) mul(k uint64) u128 {
	hi, lo := bits.Mul64(x.lo, k)
	return u128{x.hi*k + hi, lo}
}

func (x u128) greater(y u128) bool { return x.hi > y.hi || (x.hi == y.hi && x.lo > y.lo) }

// mulChecked returns x × k and whether it fits 128 bits.
func (x u128) mulChecked(k uint64) (u128, bool) {
	hh, hl := bits.Mul64(x.hi, k)
	lh, ll := bits.Mul64(x.lo, k)
	hi, c := bits.Add64(hl, lh, 0)
	return u128{hi, ll}, hh == 0 && c == 0
}

// addChecked returns x + y and whether it fits 128 bits.
func (x u128) addChecked(y u128) (u128, bool) {
	lo, c := bits.Add64(x.lo, y.lo, 0)
	hi, c2 := bits.Add64(x.hi, y.hi, c)
	return u128{hi, lo}, c2 == 0
}

func (x u128) isZero() bool { return x.hi == 0 && x.lo == 0 }

// roundDiv returns a × b / c rounded half away from zero (all non-negative;
// a × b / c must fit in 64 bits).
func roundDiv(a, b, c uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	q, r := bits.Div64(hi, lo, c)
	if r >= c-r {
		q++
	}
	return q
}
