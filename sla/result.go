package sla

import (
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/amends/amends/internal/errs"
)

// Result is what Evaluate finds. json.Marshal gives exactly the spec's output
// shape (decimals as strings, lists in input order); the exact values stay
// available as Ratios for comparisons.
type Result struct {
	Period     PeriodResult
	Components []ComponentResult
	Services   []ServiceResult
	Customers  []CustomerResult
}

// PeriodResult is the evaluated period [Start, End) and its length.
type PeriodResult struct {
	Start, End time.Time
	Seconds    int64
}

// ComponentResult is one component's downtime and uptime over the period.
type ComponentResult struct {
	ID              string
	DowntimeSeconds Ratio // exact seconds
	Seconds         int64 // the period's length
}

// UptimePercent is the exact uptime: 100 × (1 − downtime / period).
func (c ComponentResult) UptimePercent() Ratio { return uptimeOf(c.DowntimeSeconds, c.Seconds) }

// ServiceResult is a service's fleet uptime: its components' uptimes
// weighted by their stated resources.
type ServiceResult struct {
	Service string
	uptime  Ratio
}

// UptimePercent is the exact fleet uptime.
func (s ServiceResult) UptimePercent() Ratio { return s.uptime }

// CustomerResult is one customer's uptime and credits per service (in
// policy order), its goodwill credits (in incident order) and their total.
type CustomerResult struct {
	ID               string
	Currency         string
	Services         []CustomerService
	Goodwill         []GoodwillCredit
	TotalCreditMinor int64
}

// ServiceTerms is what every customer of a service shares in a result.
type ServiceTerms struct {
	Service       string
	Policy        string // the policy's id
	Target        Percent
	ClaimDeadline time.Time // credits are claimable until this instant
}

// CustomerService is a customer's downtime, uptime and tier credit in one
// service (its Service, Policy and ClaimDeadline come from the shared
// ServiceTerms). CreditPercent is the tier reached even when the credit is
// not paid (not above min_credit_minor); CreditMinor is what is paid.
type CustomerService struct {
	*ServiceTerms
	DowntimeSeconds Ratio // exact seconds
	// Seconds is what the uptime is taken over: the period's length, or
	// under basis "deployed" the seconds with at least one resource.
	Seconds       int64
	CreditPercent Percent
	ChargesMinor  int64
	CreditMinor   int64
}

// UptimePercent is the exact uptime: 100 × (1 − downtime / Seconds), and 100
// when Seconds is 0. (A method, not a field, so that a result for a million
// customers stays small.)
func (s CustomerService) UptimePercent() Ratio { return uptimeOf(s.DowntimeSeconds, s.Seconds) }

// GoodwillCredit is a goodwill credit granted to a customer for an incident.
type GoodwillCredit struct {
	Incident    string
	Days        int64
	CreditMinor int64
}

// The display rules: downtime in seconds with at most 6 decimals rounded half
// away from zero (Ratio.Round); uptime with 4 decimals rounded toward zero
// (Ratio.Truncate). The desk's run lines show their figures with them too.
const (
	DowntimePlaces = 6
	UptimePlaces   = 4
)

// MarshalJSON gives the spec's result document.
func (r Result) MarshalJSON() ([]byte, error) { return r.AppendJSON(nil), nil }

// AppendJSON appends the spec's result document to b.
func (r *Result) AppendJSON(b []byte) []byte {
	b, _ = r.appendJSON(b, nil)
	return b
}

// WriteJSON writes the spec's result document and a newline to w, a few
// customers at a time.
func (r *Result) WriteJSON(w io.Writer) error {
	b, err := r.appendJSON(make([]byte, 0, 64<<10), func(b []byte) ([]byte, error) {
		if len(b) < 60<<10 {
			return b, nil
		}
		_, err := w.Write(b)
		return b[:0], err
	})
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func (r *Result) appendJSON(b []byte, flush func([]byte) ([]byte, error)) ([]byte, error) {
	b = append(b, `{"period":`...)
	b = r.Period.appendJSON(b)
	b = append(b, `,"components":[`...)
	for i := range r.Components {
		if i > 0 {
			b = append(b, ',')
		}
		b = r.Components[i].appendJSON(b)
	}
	b = append(b, `],"services":[`...)
	for i := range r.Services {
		if i > 0 {
			b = append(b, ',')
		}
		b = r.Services[i].appendJSON(b)
	}
	b = append(b, `],"customers":[`...)
	for i := range r.Customers {
		if i > 0 {
			b = append(b, ',')
		}
		b = r.Customers[i].appendJSON(b)
		if flush != nil {
			var err error
			if b, err = flush(b); err != nil {
				return b, err
			}
		}
	}
	return append(b, "]}"...), nil
}

// MarshalJSON gives {"start", "end", "seconds"}.
func (p PeriodResult) MarshalJSON() ([]byte, error) { return p.appendJSON(nil), nil }

func (p PeriodResult) appendJSON(b []byte) []byte {
	b = append(b, `{"start":`...)
	b = appendTime(b, p.Start)
	b = append(b, `,"end":`...)
	b = appendTime(b, p.End)
	b = append(b, `,"seconds":`...)
	b = strconv.AppendInt(b, p.Seconds, 10)
	return append(b, '}')
}

// MarshalJSON gives {"id", "downtime_seconds", "uptime_percent"}.
func (c ComponentResult) MarshalJSON() ([]byte, error) { return c.appendJSON(nil), nil }

func (c *ComponentResult) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, c.ID)
	b = append(b, `,"downtime_seconds":"`...)
	b = c.DowntimeSeconds.AppendRound(b, DowntimePlaces)
	b = append(b, `","uptime_percent":"`...)
	b = c.UptimePercent().AppendTruncate(b, UptimePlaces)
	return append(b, `"}`...)
}

// MarshalJSON gives {"service", "uptime_percent"}.
func (s ServiceResult) MarshalJSON() ([]byte, error) { return s.appendJSON(nil), nil }

func (s *ServiceResult) appendJSON(b []byte) []byte {
	b = append(b, `{"service":`...)
	b = appendString(b, s.Service)
	b = append(b, `,"uptime_percent":"`...)
	b = s.uptime.AppendTruncate(b, UptimePlaces)
	return append(b, `"}`...)
}

// MarshalJSON gives the spec's customer object.
func (c CustomerResult) MarshalJSON() ([]byte, error) { return c.appendJSON(nil), nil }

func (c *CustomerResult) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, c.ID)
	b = append(b, `,"currency":`...)
	b = appendString(b, c.Currency)
	b = append(b, `,"services":[`...)
	for i := range c.Services {
		if i > 0 {
			b = append(b, ',')
		}
		b = c.Services[i].appendJSON(b)
	}
	b = append(b, `],"goodwill":[`...)
	for i := range c.Goodwill {
		if i > 0 {
			b = append(b, ',')
		}
		b = c.Goodwill[i].appendJSON(b)
	}
	b = append(b, `],"total_credit_minor":`...)
	b = strconv.AppendInt(b, c.TotalCreditMinor, 10)
	return append(b, '}')
}

// MarshalJSON gives the spec's customer service object.
func (s CustomerService) MarshalJSON() ([]byte, error) { return s.appendJSON(nil), nil }

func (s *CustomerService) appendJSON(b []byte) []byte {
	b = append(b, `{"service":`...)
	b = appendString(b, s.Service)
	b = append(b, `,"policy":`...)
	b = appendString(b, s.Policy)
	b = append(b, `,"downtime_seconds":"`...)
	b = s.DowntimeSeconds.AppendRound(b, DowntimePlaces)
	b = append(b, `","uptime_percent":"`...)
	b = s.UptimePercent().AppendTruncate(b, UptimePlaces)
	b = append(b, `","credit_percent":"`...)
	b = appendFixed(b, int64(s.CreditPercent), 4, true)
	b = append(b, `","charges_minor":`...)
	b = strconv.AppendInt(b, s.ChargesMinor, 10)
	b = append(b, `,"credit_minor":`...)
	b = strconv.AppendInt(b, s.CreditMinor, 10)
	b = append(b, `,"claim_deadline":`...)
	b = appendTime(b, s.ClaimDeadline)
	return append(b, '}')
}

// MarshalJSON gives {"incident", "days", "credit_minor"}.
func (g GoodwillCredit) MarshalJSON() ([]byte, error) { return g.appendJSON(nil), nil }

func (g *GoodwillCredit) appendJSON(b []byte) []byte {
	b = append(b, `{"incident":`...)
	b = appendString(b, g.Incident)
	b = append(b, `,"days":`...)
	b = strconv.AppendInt(b, g.Days, 10)
	b = append(b, `,"credit_minor":`...)
	b = strconv.AppendInt(b, g.CreditMinor, 10)
	return append(b, '}')
}

// MarshalJSON gives the ratio as a decimal string rounded to 6 places.
func (x Ratio) MarshalJSON() ([]byte, error) {
	b := append([]byte{'"'}, x.AppendRound(nil, DowntimePlaces)...)
	return append(b, '"'), nil
}

// MarshalJSON gives the percentage as a decimal string ("6.8").
func (p Percent) MarshalJSON() ([]byte, error) { return []byte(`"` + p.String() + `"`), nil }

// UnmarshalJSON reads a JSON string ("6.8") or number (6.8) as ParsePercent
// does, the number's text exactly, so no float rounding enters. A bad value
// (of any JSON type) is an errs.Invalid with an empty field, which
// encoding/json returns as it is; null leaves p unchanged.
func (p *Percent) UnmarshalJSON(data []byte) error {
	text := strings.TrimSpace(string(data))
	if text == "null" {
		return nil
	}
	if strings.HasPrefix(text, `"`) {
		var s string
		if err := json.Unmarshal([]byte(text), &s); err != nil {
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

func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339)
	return append(b, '"')
}

// appendString appends s as a JSON string, escaped as encoding/json does.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' || c >= utf8.RuneSelf {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
