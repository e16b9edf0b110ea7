package desk

import (
	"fmt"
	"math"

	"github.com/amends/amends/internal/errs"
)

// Bounds of the desk's numbers. Every amount of money the desk stores (a
// charge, a manual credit, a threshold) is at most MaxMinor minor units,
// 10^15: 10,000,000,000,000.00 in a currency with two decimals, far above
// any real bill, and small enough that 9,223 amounts at the bound still sum
// inside an int64. Sums of more amounts than that (totals over a ledger)
// are added with AddMinor, which refuses to wrap.
const (
	MaxMinor = 1_000_000_000_000_000 // 10^15 minor units
	MaxCount = 1_000_000_000         // 10^9 resources in one row
)

// CheckMinor returns errs.Invalid on field unless 0 <= n <= MaxMinor.
func CheckMinor(field string, n int64) error {
	if n < 0 {
		return errs.Invalidf(field, "%d is below 0", n)
	}
	if n > MaxMinor {
		return errs.Invalidf(field, "%d is more than %d minor units, the most an amount may be", n, int64(MaxMinor))
	}
	return nil
}

// AddMinor returns sum + x, or an error when the sum would leave the int64
// range: a total is never shown wrapped around.
func AddMinor(sum, x int64) (int64, error) {
	if (x > 0 && sum > math.MaxInt64-x) || (x < 0 && sum < math.MinInt64-x) {
		return 0, fmt.Errorf("desk: a total of amounts is more than %d minor units", int64(math.MaxInt64))
	}
	return sum + x, nil
}
