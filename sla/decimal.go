package sla

import (
	"math/big"
	"math/bits"
	"strconv"
	"strings"

	"github.com/amends/amends/internal/errs"
)

// PercentUnit is the value of 1% as a Percent: a Percent counts ten-thousandths
// of a percent, so that every percentage with at most 4 decimals is an integer.
const PercentUnit Percent = 10_000

// Hundred is 100% as a Percent (one million millionths of a whole).
const Hundred Percent = 100 * PercentUnit

// Percent is an exact percentage between 0 and 100 with at most 4 decimals,
// held as an integer count of ten-thousandths of a percent (6.8% is 68000).
// Read as a fraction of a whole it is a count of millionths: 6.8% = 68000/1e6.
type Percent int64

// ParsePercent reads a percentage exactly from its decimal text in JSON number
// syntax, surrounding spaces ignored ("6.8", "99.95", "100", "1e1"; a leading
// "-" is read and rejected as below 0; "+5", ".5" and "5." are not numbers).
// It returns an errs.Invalid error with an empty field (wrap it with
// errs.Prefix) whose message is one of "\"X\" is not a number", "X is below 0",
// "X is above 100" or "X has more than 4 decimals".
func ParsePercent(s string) (Percent, error) {
	v, err := parseScaled(s, 4, 100*10_000)
	if err != nil {
		return 0, err
	}
	return Percent(v), nil
}

// MustPercent is ParsePercent for constants in code and tests; it panics on
// bad text.
func MustPercent(s string) Percent {
	p, err := ParsePercent(s)
	if err != nil {
		panic(err)
	}
	return p
}

// String gives the shortest exact decimal text: "6.8", "100", "0.0001".
func (p Percent) String() string {
	return string(p.Append(nil))
}

// Append appends p.String() to b.
func (p Percent) Append(b []byte) []byte {
	return appendFixed(b, int64(p), 4, true)
}

// Validate reports a Percent outside 0–100 with ParsePercent's messages
// ("120 is above 100", "-1 is below 0"): errs.Invalid with an empty field.
func (p Percent) Validate() error {
	if p < 0 {
		return errs.Invalidf("", "%s is below 0", p)
	}
	if p > Hundred {
		return errs.Invalidf("", "%s is above 100", p)
	}
	return nil
}

// Ratio returns p as an exact ratio (a percentage, not a fraction).
func (p Percent) Ratio() Ratio {
	if p < 0 {
		return Ratio{r: new(big.Rat).SetFrac64(int64(p), int64(PercentUnit))}
	}
	return Ratio{n: uint64(p), d: uint64(PercentUnit)}
}

// parseScaled parses decimal text (JSON number syntax, or the same inside a
// string) into an integer scaled by 10^places, rejecting values with more
// than places significant decimals, below 0 or above max (scaled).
func parseScaled(s string, places int, max int64) (int64, error) {
	text := strings.TrimSpace(s)
	neg, intPart, frac, exp, ok := splitNumber(text)
	if !ok {
		return 0, errs.Invalidf("", "%q is not a number", s)
	}
	digits := strings.TrimLeft(intPart+frac, "0")
	point := len(intPart) + exp - (len(intPart+frac) - len(digits)) // digits before the point within digits
	digits = strings.TrimRight(digits, "0")
	if digits == "" {
		return 0, nil
	}
	if neg {
		return 0, errs.Invalidf("", "%s is below 0", text)
	}
	// The value is 0.digits × 10^point.
	maxDigits := len(strconv.FormatInt(max/pow10(places), 10))
	if point > maxDigits {
		return 0, errs.Invalidf("", "%s is above %d", text, max/pow10(places))
	}
	decimals := len(digits) - point
	if decimals > places {
		// Only report decimals if the value is not also out of range.
		if point > 0 {
			whole, _ := strconv.ParseInt(digits[:point], 10, 64)
			if whole >= max/pow10(places) {
				return 0, errs.Invalidf("", "%s is above %d", text, max/pow10(places))
			}
		}
		return 0, errs.Invalidf("", "%s has more than %d decimals", text, places)
	}
	var v int64
	for i := 0; i < point+places; i++ {
		d := int64(0)
		if i >= 0 && i < len(digits) {
			d = int64(digits[i] - '0')
		}
		v = v*10 + d
	}
	if point+places < 0 {
		v = 0
	}
	if v > max {
		return 0, errs.Invalidf("", "%s is above %d", text, max/pow10(places))
	}
	return v, nil
}

// parseWhole parses a whole number (JSON number syntax, or the same inside a
// string; "4", "4.0", "4e1") that fits int64.
func parseWhole(s string) (int64, error) {
	if len(s) > 0 && len(s) < 19 && allDigits(s) {
		v, _ := strconv.ParseInt(s, 10, 64)
		return v, nil
	}
	text := strings.TrimSpace(s)
	neg, intPart, frac, exp, ok := splitNumber(text)
	if !ok {
		return 0, errs.Invalidf("", "%q is not a number", s)
	}
	digits := strings.TrimLeft(intPart+frac, "0")
	point := len(intPart) + exp - (len(intPart+frac) - len(digits))
	digits = strings.TrimRight(digits, "0")
	if digits == "" {
		return 0, nil
	}
	if len(digits) > point {
		return 0, errs.Invalidf("", "%s is not a whole number", text)
	}
	if point > 19 {
		if neg {
			return 0, errs.Invalidf("", "%s is below 0", text)
		}
		return 0, errs.Invalidf("", "%s is too large", text)
	}
	v, err := strconv.ParseInt(digits+strings.Repeat("0", point-len(digits)), 10, 64)
	if err != nil {
		if neg {
			return 0, errs.Invalidf("", "%s is below 0", text)
		}
		return 0, errs.Invalidf("", "%s is too large", text)
	}
	if neg {
		v = -v
	}
	return v, nil
}

// splitNumber splits JSON number syntax: -?digits(.digits)?([eE][+-]?digits)?
// It bounds the exponent so that absurd inputs stay cheap, at a bound beyond
// what the digits could offset (more than the text's length): an exponent
// above it puts any non-zero value out of every range as surely as the
// exponent written does, so the callers' verdicts stay exact.
func splitNumber(s string) (neg bool, intPart, frac string, exp int, ok bool) {
	bound := len(s) + 32
	if strings.HasPrefix(s, "-") {
		neg = true
		s = s[1:]
	}
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == 0 {
		return
	}
	intPart = s[:i]
	s = s[i:]
	if strings.HasPrefix(s, ".") {
		s = s[1:]
		j := 0
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j == 0 {
			return
		}
		frac = s[:j]
		s = s[j:]
	}
	if len(s) > 0 && (s[0] == 'e' || s[0] == 'E') {
		s = s[1:]
		eneg := false
		if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
			eneg = s[0] == '-'
			s = s[1:]
		}
		if len(s) == 0 {
			return
		}
		for k := 0; k < len(s); k++ {
			if !isDigit(s[k]) {
				return
			}
		}
		e := 0
		for k := 0; k < len(s) && e <= bound; k++ {
			e = e*10 + int(s[k]-'0')
		}
		if eneg {
			e = -e
		}
		exp = e
		s = ""
	}
	if s != "" {
		return
	}
	ok = true
	return
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func pow10(n int) int64 {
	v := int64(1)
	for ; n > 0; n-- {
		v *= 10
	}
	return v
}

// appendFixed appends v/10^places as decimal text; trim drops trailing zeros
// (and the point when nothing is left after it).
func appendFixed(b []byte, v int64, places int, trim bool) []byte {
	if v < 0 {
		b = append(b, '-')
		return appendFixedU(b, uint64(-v), places, trim)
	}
	return appendFixedU(b, uint64(v), places, trim)
}

func appendFixedU(b []byte, v uint64, places int, trim bool) []byte {
	p := uint64(pow10(places))
	b = strconv.AppendUint(b, v/p, 10)
	f := v % p
	if places == 0 || (trim && f == 0) {
		return b
	}
	var buf [20]byte
	digits := strconv.AppendUint(buf[:0], f, 10)
	b = append(b, '.')
	for i := len(digits); i < places; i++ {
		b = append(b, '0')
	}
	if trim {
		for len(digits) > 0 && digits[len(digits)-1] == '0' {
			digits = digits[:len(digits)-1]
		}
	}
	return append(b, digits...)
}

// Ratio is an exact non-negative rational number. Downtimes (in seconds) and
// uptimes (in percent) are Ratios, so comparing an uptime with a target or a
// tier is exact. The zero value is 0. Ratios are values; they are compared
// with Cmp, not ==, because they are not kept in lowest terms.
type Ratio struct {
	n, d uint64   // n/d when r is nil; d == 0 means 0
	r    *big.Rat // set only when n/d does not fit in 64 bits
}

// NewRatio returns num/den; den must not be 0.
func NewRatio(num, den uint64) Ratio {
	if den == 0 {
		panic("sla: NewRatio with zero denominator")
	}
	return Ratio{n: num, d: den}
}

// RatioFromRat returns the exact value of a non-negative big.Rat.
func RatioFromRat(x *big.Rat) Ratio {
	return ratioOfBig(new(big.Rat).Set(x))
}

func ratioOfBig(x *big.Rat) Ratio {
	num, den := x.Num(), x.Denom()
	if num.Sign() >= 0 && num.IsUint64() && den.IsUint64() {
		return Ratio{n: num.Uint64(), d: den.Uint64()}
	}
	return Ratio{r: x}
}

// ratio128 builds (nhi:nlo)/(dhi:dlo) from two 128-bit unsigned integers.
func ratio128(nhi, nlo, dhi, dlo uint64) Ratio {
	if nhi == 0 && dhi == 0 {
		return Ratio{n: nlo, d: dlo}
	}
	return ratioOfBig(new(big.Rat).SetFrac(bigU128(nhi, nlo), bigU128(dhi, dlo)))
}

func bigU128(hi, lo uint64) *big.Int {
	x := new(big.Int).SetUint64(hi)
	x.Lsh(x, 64)
	return x.Or(x, new(big.Int).SetUint64(lo))
}

// Rat returns the value as a new big.Rat.
func (x Ratio) Rat() *big.Rat {
	if x.r != nil {
		return new(big.Rat).Set(x.r)
	}
	if x.d == 0 {
		return new(big.Rat)
	}
	return new(big.Rat).SetFrac(new(big.Int).SetUint64(x.n), new(big.Int).SetUint64(x.d))
}

// IsZero reports whether x is 0.
func (x Ratio) IsZero() bool {
	if x.r != nil {
		return x.r.Sign() == 0
	}
	return x.n == 0 || x.d == 0
}

// Cmp compares x and y: -1 if x < y, 0 if equal, +1 if x > y.
func (x Ratio) Cmp(y Ratio) int {
	if x.r != nil || y.r != nil {
		return x.Rat().Cmp(y.Rat())
	}
	xn, xd := x.n, x.d
	if xd == 0 {
		xn, xd = 0, 1
	}
	yn, yd := y.n, y.d
	if yd == 0 {
		yn, yd = 0, 1
	}
	ah, al := bits.Mul64(xn, yd)
	bh, bl := bits.Mul64(yn, xd)
	switch {
	case ah < bh || (ah == bh && al < bl):
		return -1
	case ah == bh && al == bl:
		return 0
	}
	return 1
}

// CmpPercent compares x, read as a percentage, with p: uptime.CmpPercent(target) < 0
// means the uptime is below the target.
func (x Ratio) CmpPercent(p Percent) int { return x.Cmp(p.Ratio()) }

// scaled returns floor(x × 10^places) and whether the remainder is at least
// half (for rounding half away from zero).
func (x Ratio) scaled(places int) (q *big.Int, qs uint64, small bool, half bool) {
	p := uint64(pow10(places))
	if x.r == nil {
		if x.d == 0 {
			return nil, 0, true, false
		}
		hi, lo := bits.Mul64(x.n, p)
		if hi < x.d {
			quo, rem := bits.Div64(hi, lo, x.d)
			return nil, quo, true, rem >= x.d-rem
		}
	}
	r := x.Rat()
	num := new(big.Int).Mul(r.Num(), new(big.Int).SetUint64(p))
	quo, rem := new(big.Int).QuoRem(num, r.Denom(), new(big.Int))
	rem.Lsh(rem, 1)
	return quo, 0, false, rem.Cmp(r.Denom()) >= 0
}

// Truncate gives x with exactly places decimals, rounded toward zero
// ("99.2573"): the display of an uptime percent.
func (x Ratio) Truncate(places int) string {
	return string(x.AppendTruncate(nil, places))
}

// AppendTruncate appends Truncate(places) to b.
func (x Ratio) AppendTruncate(b []byte, places int) []byte {
	q, qs, small, _ := x.scaled(places)
	if small {
		return appendFixedU(b, qs, places, false)
	}
	return appendBigFixed(b, q, places, false)
}

// Round gives x rounded half away from zero to at most places decimals,
// without trailing zeros or exponent ("5410.08", "19890"): the display of a
// downtime in seconds.
func (x Ratio) Round(places int) string {
	return string(x.AppendRound(nil, places))
}

// AppendRound appends Round(places) to b.
func (x Ratio) AppendRound(b []byte, places int) []byte {
	q, qs, small, half := x.scaled(places)
	if small && (!half || qs < ^uint64(0)) {
		if half {
			qs++
		}
		return appendFixedU(b, qs, places, true)
	}
	if q == nil {
		q = new(big.Int).SetUint64(qs)
	}
	if half {
		q.Add(q, big.NewInt(1))
	}
	return appendBigFixed(b, q, places, true)
}

// String gives x rounded to 6 decimals.
func (x Ratio) String() string { return x.Round(6) }

func appendBigFixed(b []byte, q *big.Int, places int, trim bool) []byte {
	s := q.String()
	for len(s) <= places {
		s = "0" + s
	}
	whole, frac := s[:len(s)-places], s[len(s)-places:]
	b = append(b, whole...)
	if trim {
		frac = strings.TrimRight(frac, "0")
	}
	if frac != "" {
		b = append(b, '.')
		b = append(b, frac...)
	}
	return b
}
