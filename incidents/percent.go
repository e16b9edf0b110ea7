package incidents

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	"github.com/amends/amends/internal/errs"
)

// Percent is a share of a component's resources in ten-thousandths of a
// percent: 6.8% is 68000 and 100% is 1000000. It is exact: it is parsed from
// decimal text and never passes through a float.
type Percent int64

// PercentUnit is one percent; Percent100 is all of it.
const (
	PercentUnit Percent = 10000
	Percent100  Percent = 100 * PercentUnit
)

// percentText is a decimal number, as a person or JSON writes it.
var percentText = regexp.MustCompile(`^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$`)

// ParsePercent reads exact decimal text such as "6.8", "12.5", "100" or "0"
// (a JSON number with an exponent is read exactly too). Its errors are
// errs.Invalid with no field, so a caller puts them under its own with
// errs.Prefix: "120 is above 100", "-1 is below 0",
// "6.12345 has more than 4 decimals", "\"abc\" is not a number".
func ParsePercent(s string) (Percent, error) {
	t := strings.TrimSpace(s)
	m := percentText.FindStringSubmatch(t)
	if m == nil || m[2] == "" && m[3] == "" {
		return 0, errs.Invalidf("", "%q is not a number", t)
	}
	neg, intPart, frac := m[1] == "-", m[2], m[3]
	exp := 0
	if m[4] != "" {
		e, err := strconv.Atoi(m[4])
		if err != nil || e > 1000 || e < -1000 {
			// Far beyond any percent: clamp, keeping the arithmetic small.
			e = 1000
			if strings.HasPrefix(m[4], "-") {
				e = -1000
			}
		}
		exp = e
	}
	// value = digits × 10^-scale, with digits free of leading zeros and, when
	// scale > 0, of trailing ones.
	digits := strings.TrimLeft(intPart+frac, "0")
	scale := len(frac) - exp
	for scale > 0 && strings.HasSuffix(digits, "0") {
		digits = digits[:len(digits)-1]
		scale--
	}
	if digits == "" {
		return 0, nil
	}
	if neg {
		return 0, errs.Invalidf("", "%s is below 0", t)
	}
	if whole := len(digits) - scale; whole > 3 {
		return 0, errs.Invalidf("", "%s is above 100", t)
	} else if whole == 3 {
		if n, _ := strconv.Atoi(digits[:3]); n > 100 || n == 100 && len(digits) > 3 {
			return 0, errs.Invalidf("", "%s is above 100", t)
		}
	}
	if scale > 4 {
		return 0, errs.Invalidf("", "%s has more than 4 decimals", t)
	}
	n, err := strconv.ParseInt(digits+strings.Repeat("0", 4-scale), 10, 64)
	if err != nil {
		return 0, errs.Invalidf("", "%q is not a number", t)
	}
	return Percent(n), nil
}

// Validate reports a Percent outside 0–100 with the messages of
// ParsePercent, with no field.
func (p Percent) Validate() error {
	if p < 0 {
		return errs.Invalidf("", "%s is below 0", p)
	}
	if p > Percent100 {
		return errs.Invalidf("", "%s is above 100", p)
	}
	return nil
}

// String is the shortest exact decimal text: "6.8", "12.5", "100", "0".
func (p Percent) String() string {
	sign := ""
	u := uint64(p)
	if p < 0 {
		sign, u = "-", uint64(-p)
	}
	whole := strconv.FormatUint(u/uint64(PercentUnit), 10)
	frac := u % uint64(PercentUnit)
	if frac == 0 {
		return sign + whole
	}
	f := strconv.FormatUint(frac+uint64(PercentUnit), 10)[1:] // zero-padded to 4
	return sign + whole + "." + strings.TrimRight(f, "0")
}

// MarshalJSON writes p as a JSON string of its exact text: "6.8".
func (p Percent) MarshalJSON() ([]byte, error) {
	return json.Marshal(p.String())
}

// UnmarshalJSON reads a JSON string ("6.8") or number (6.8), the number's
// text exactly. A bad value is an errs.Invalid with no field; null leaves p
// unchanged.
func (p *Percent) UnmarshalJSON(b []byte) error {
	text := strings.TrimSpace(string(b))
	if text == "null" {
		return nil
	}
	if strings.HasPrefix(text, `"`) {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return errs.Invalidf("", "%s is not a number", text)
		}
		text = s
	}
	v, err := ParsePercent(text)
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// MarshalText writes p's exact text, for forms and query strings.
func (p Percent) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText reads text as ParsePercent does.
func (p *Percent) UnmarshalText(b []byte) error {
	v, err := ParsePercent(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}
