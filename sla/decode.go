package sla

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/amends/amends/internal/errs"
)

// DecodeScenario reads one scenario in the spec's JSON form from r and
// validates it. Decimals may be JSON strings or numbers and are read from
// their text, never through float64. It returns an errs.Malformed error for
// input that is not JSON of the right shape (including unknown fields and
// data after the scenario) and an errs.Invalid error naming the field path
// (such as "incidents[2].impacts[0].affected_percent: 120 is above 100") for
// input that breaks a rule. A missing "as_of" leaves AsOf zero: the caller
// fills in its "now" before Evaluate.
func DecodeScenario(r io.Reader) (*Scenario, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	s, err := decodeScenario(dec)
	if err != nil {
		if errors.Is(err, io.EOF) && dec.InputOffset() > 0 {
			err = io.ErrUnexpectedEOF // it ended inside the scenario
		}
		return nil, JSONError(err)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// decodeScenario reads the top-level object field by field, and the
// customers one by one, so that a large scenario never sits in memory twice.
func decodeScenario(dec *json.Decoder) (*Scenario, error) {
	if err := expectDelim(dec, '{', "a JSON object"); err != nil {
		return nil, err
	}
	var w wireScenario
	var rd reader
	var customers []Customer
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		if seen[key] {
			return nil, errs.Malformedf(key, "appears twice")
		}
		seen[key] = true
		switch key {
		case "period":
			err = dec.Decode(&w.Period)
		case "as_of":
			err = dec.Decode(&w.AsOf)
		case "components":
			err = dec.Decode(&w.Components)
		case "policies":
			err = dec.Decode(&w.Policies)
		case "incidents":
			err = dec.Decode(&w.Incidents)
		case "maintenance":
			err = dec.Decode(&w.Maintenance)
		case "customers":
			customers, err = rd.customers(dec)
		default:
			return nil, errs.Malformedf("", "unknown field %q", key)
		}
		if err != nil {
			return nil, err
		}
		if rd.err != nil {
			return nil, rd.err
		}
	}
	if err := expectDelim(dec, '}', "the end of the scenario"); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errs.Malformedf("", "unexpected data after the scenario")
	}
	s, err := w.scenario()
	if err != nil {
		return nil, err
	}
	s.Customers = customers
	return s, nil
}

func expectDelim(dec *json.Decoder, d json.Delim, what string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != d {
		return errs.Malformedf("", "expected %s, got %v", what, tok)
	}
	return nil
}

// customers reads the customers array one customer at a time.
func (r *reader) customers(dec *json.Decoder) ([]Customer, error) {
	tok, err := dec.Token()
	if err != nil || tok == nil {
		return nil, err // null: no customers
	}
	if tok != json.Delim('[') {
		return nil, errs.Malformedf("customers", "expected an array, got %v", tok)
	}
	var out []Customer
	var wc wireCustomer
	for dec.More() {
		// Reuse the entry slices; encoding/json does not zero reused elements.
		rs, cs := wc.Resources[:cap(wc.Resources)], wc.Charges[:cap(wc.Charges)]
		clear(rs)
		clear(cs)
		wc = wireCustomer{Resources: rs[:0], Charges: cs[:0]}
		if err := dec.Decode(&wc); err != nil {
			return nil, err
		}
		out = append(out, r.customer(len(out), &wc))
		if r.err != nil {
			return nil, nil
		}
	}
	_, err = dec.Token()
	return out, err
}

// customer converts one customer; paths are built only on error, since this
// runs for every customer.
func (r *reader) customer(i int, c *wireCustomer) Customer {
	out := Customer{ID: c.ID, Currency: c.Currency}
	if len(c.Resources) > 0 {
		out.Resources = make([]Resource, len(c.Resources))
	}
	if len(c.Charges) > 0 {
		out.Charges = make([]Charge, len(c.Charges))
	}
	field := func(list string, j int, name string) string {
		return fmt.Sprintf("customers[%d].%s[%d].%s", i, list, j, name)
	}
	for j := range c.Resources {
		res := &c.Resources[j]
		o := Resource{Component: res.Component}
		if !res.Count.set {
			r.fail(field("resources", j, "count"), errs.Invalidf("", "is required"))
		} else if v, err := parseWhole(res.Count.text); err != nil {
			r.fail(field("resources", j, "count"), err)
		} else {
			o.Count = v
		}
		if res.From != "" {
			if o.From = parseTime(res.From); o.From.IsZero() {
				r.fail(field("resources", j, "from"), errs.Invalidf("", "%q is not an RFC 3339 time", res.From))
			}
		}
		if res.To != "" {
			if o.To = parseTime(res.To); o.To.IsZero() {
				r.fail(field("resources", j, "to"), errs.Invalidf("", "%q is not an RFC 3339 time", res.To))
			}
		}
		out.Resources[j] = o
	}
	for j := range c.Charges {
		ch := &c.Charges[j]
		o := Charge{Component: ch.Component}
		if !ch.AmountMinor.set {
			r.fail(field("charges", j, "amount_minor"), errs.Invalidf("", "is required"))
		} else if v, err := parseWhole(ch.AmountMinor.text); err != nil {
			r.fail(field("charges", j, "amount_minor"), err)
		} else {
			o.AmountMinor = v
		}
		out.Charges[j] = o
	}
	return out
}

// parseTime parses an RFC 3339 instant; the zero Time means it is not one
// (the zero instant itself is nudged by a nanosecond, which truncation to
// seconds removes again, because the zero Time means "absent" in Scenario).
func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	if t.IsZero() {
		t = t.Add(time.Nanosecond)
	}
	return t
}

// JSONError turns an error of encoding/json's Decoder into the errs.Malformed
// that DecodeScenario returns for it (naming the field of a value of the
// wrong type); an *errs.Error passes unchanged, and so does a failure to
// read, which is not the input's fault.
func JSONError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var e *errs.Error
	switch {
	case errors.As(err, &e):
		return err
	case errors.Is(err, io.EOF):
		return errs.Malformedf("", "the input is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errs.Malformedf("", "the input ends in the middle of the JSON")
	case errors.As(err, &syn):
		return errs.Malformedf("", "invalid JSON at byte %d: %s", syn.Offset, strings.TrimPrefix(syn.Error(), "json: "))
	case errors.As(err, &typ):
		return errs.Malformedf(typ.Field, "expected %s, got JSON %s", typ.Type, typ.Value)
	case strings.HasPrefix(err.Error(), "json: "):
		return errs.Malformedf("", "%s", strings.TrimPrefix(err.Error(), "json: "))
	}
	return err // reading failed: not the input's fault, and callers may inspect it
}

// numText is a number given as a JSON number or string, kept as text.
type numText struct {
	text   string
	quoted bool
	set    bool // present and not null
}

func (n *numText) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		n.text, n.quoted, n.set = s, true, true
		return nil
	}
	if len(b) == 0 || !(b[0] == '-' || isDigit(b[0])) {
		return errs.Malformedf("", "expected a number, got %s", b)
	}
	n.text, n.set = string(b), true
	return nil
}

func (n numText) MarshalJSON() ([]byte, error) {
	if n.quoted {
		return json.Marshal(n.text)
	}
	return []byte(n.text), nil
}

type wireScenario struct {
	Period      *wirePeriod       `json:"period"`
	AsOf        *string           `json:"as_of,omitempty"`
	Components  []wireComponent   `json:"components"`
	Policies    []wirePolicy      `json:"policies"`
	Incidents   []wireIncident    `json:"incidents"`
	Maintenance []wireMaintenance `json:"maintenance"`
	Customers   []wireCustomer    `json:"customers"`
}

type wirePeriod struct {
	Month    string  `json:"month,omitempty"`
	Year     string  `json:"year,omitempty"`
	Start    *string `json:"start,omitempty"`
	End      *string `json:"end,omitempty"`
	Timezone string  `json:"timezone,omitempty"`
}

type wireComponent struct {
	ID        string   `json:"id"`
	Service   string   `json:"service"`
	Region    string   `json:"region,omitempty"`
	Zone      string   `json:"zone,omitempty"`
	Resources *numText `json:"resources,omitempty"`
}

type wirePolicy struct {
	ID                     string     `json:"id"`
	Service                string     `json:"service"`
	Target                 *numText   `json:"target"`
	Tiers                  []wireTier `json:"tiers"`
	Count                  *[]string  `json:"count,omitempty"`
	MaintenanceNoticeHours *numText   `json:"maintenance_notice_hours,omitempty"`
	Unlisted               string     `json:"unlisted,omitempty"`
	ClaimPeriods           *numText   `json:"claim_periods,omitempty"`
	CapPercent             *numText   `json:"cap_percent,omitempty"`
	MinCreditMinor         *numText   `json:"min_credit_minor,omitempty"`
	Basis                  string     `json:"basis,omitempty"`
}

type wireTier struct {
	Below         *numText `json:"below"`
	CreditPercent *numText `json:"credit_percent"`
}

type wireIncident struct {
	ID       string        `json:"id"`
	Excluded bool          `json:"excluded"`
	Impacts  []wireImpact  `json:"impacts"`
	Goodwill *wireGoodwill `json:"goodwill,omitempty"`
}

type wireImpact struct {
	Component       string         `json:"component"`
	Status          string         `json:"status"`
	AffectedPercent *numText       `json:"affected_percent,omitempty"`
	Start           *string        `json:"start"`
	End             *string        `json:"end,omitempty"`
	Customers       []wireAffected `json:"customers,omitempty"`
}

type wireAffected struct {
	Customer          string   `json:"customer"`
	AffectedResources *numText `json:"affected_resources,omitempty"`
}

type wireGoodwill struct {
	Days               *numText `json:"days"`
	Services           []string `json:"services,omitempty"`
	Components         []string `json:"components,omitempty"`
	EligibleComponents []string `json:"eligible_components,omitempty"`
}

type wireMaintenance struct {
	ID         string   `json:"id,omitempty"`
	Components []string `json:"components"`
	Start      *string  `json:"start"`
	End        *string  `json:"end"`
	Announced  *string  `json:"announced"`
}

type wireCustomer struct {
	ID        string         `json:"id"`
	Currency  string         `json:"currency"`
	Resources []wireResource `json:"resources"`
	Charges   []wireCharge   `json:"charges"`
}

type wireResource struct {
	Component string  `json:"component"`
	Count     numText `json:"count"`
	From      string  `json:"from,omitempty"`
	To        string  `json:"to,omitempty"`
}

type wireCharge struct {
	Component   string  `json:"component"`
	AmountMinor numText `json:"amount_minor"`
}

// reader converts wire values, keeping the first error.
type reader struct{ err error }

func (r *reader) fail(field string, err error) {
	if r.err == nil {
		r.err = errs.Prefix(field, err)
	}
}

func (r *reader) time(field string, s *string, required bool) time.Time {
	if s == nil {
		if required {
			r.fail(field, errs.Invalidf("", "is required"))
		}
		return time.Time{}
	}
	t := parseTime(*s)
	if t.IsZero() {
		r.fail(field, errs.Invalidf("", "%q is not an RFC 3339 time", *s))
	}
	return t
}

func (r *reader) percent(field string, n *numText, def Percent, required bool) Percent {
	if n == nil {
		if required {
			r.fail(field, errs.Invalidf("", "is required"))
		}
		return def
	}
	p, err := ParsePercent(n.text)
	if err != nil {
		r.fail(field, err)
	}
	return p
}

func (r *reader) whole(field string, n *numText, required bool) int64 {
	if n == nil {
		if required {
			r.fail(field, errs.Invalidf("", "is required"))
		}
		return 0
	}
	v, err := parseWhole(n.text)
	if err != nil {
		r.fail(field, err)
	}
	return v
}

func (r *reader) optWhole(field string, n *numText) *int64 {
	if n == nil {
		return nil
	}
	v := r.whole(field, n, true)
	return &v
}

// policy reads one policy whose field paths start with f.
func (r *reader) policy(f string, p wirePolicy) Policy {
	pol := Policy{ID: p.ID, Service: p.Service, Unlisted: Unlisted(p.Unlisted), Basis: Basis(p.Basis),
		Target:                 r.percent(f+".target", p.Target, 0, true),
		MaintenanceNoticeHours: r.whole(f+".maintenance_notice_hours", p.MaintenanceNoticeHours, false),
		ClaimPeriods:           r.optWhole(f+".claim_periods", p.ClaimPeriods),
		MinCreditMinor:         r.whole(f+".min_credit_minor", p.MinCreditMinor, false),
	}
	if p.CapPercent != nil {
		c := r.percent(f+".cap_percent", p.CapPercent, 0, true)
		pol.CapPercent = &c
	}
	if p.Count != nil {
		pol.Count = make([]Status, len(*p.Count))
		for k, st := range *p.Count {
			pol.Count[k] = Status(st)
		}
	}
	pol.Tiers = make([]Tier, len(p.Tiers))
	for j, t := range p.Tiers {
		tf := f + at(".tiers", j)
		pol.Tiers[j] = Tier{Below: r.percent(tf+".below", t.Below, 0, true),
			CreditPercent: r.percent(tf+".credit_percent", t.CreditPercent, 0, true)}
	}
	return pol
}

func (w *wireScenario) scenario() (*Scenario, error) {
	var r reader
	s := &Scenario{}
	if w.Period == nil {
		return nil, errs.Invalidf("period", "is required")
	}
	s.Period = Period{Month: w.Period.Month, Year: w.Period.Year, TimeZone: w.Period.Timezone,
		Start: r.time("period.start", w.Period.Start, false), End: r.time("period.end", w.Period.End, false)}
	s.AsOf = r.time("as_of", w.AsOf, false)

	s.Components = make([]Component, len(w.Components))
	for i, c := range w.Components {
		s.Components[i] = Component{ID: c.ID, Service: c.Service, Region: c.Region, Zone: c.Zone,
			Resources: r.optWhole(at("components", i)+".resources", c.Resources)}
	}

	s.Policies = make([]Policy, len(w.Policies))
	for i, p := range w.Policies {
		s.Policies[i] = r.policy(at("policies", i), p)
	}

	s.Incidents = make([]Incident, len(w.Incidents))
	for i, inc := range w.Incidents {
		f := at("incidents", i)
		out := Incident{ID: inc.ID, Excluded: inc.Excluded, Impacts: make([]Impact, len(inc.Impacts))}
		for j, im := range inc.Impacts {
			jf := f + at(".impacts", j)
			o := Impact{Component: im.Component, Status: Status(im.Status),
				AffectedPercent: r.percent(jf+".affected_percent", im.AffectedPercent, Hundred, false),
				Start:           r.time(jf+".start", im.Start, true),
				End:             r.time(jf+".end", im.End, false)}
			if len(im.Customers) > 0 {
				o.Customers = make([]AffectedCustomer, len(im.Customers))
				for k, ac := range im.Customers {
					o.Customers[k] = AffectedCustomer{Customer: ac.Customer,
						AffectedResources: r.optWhole(jf+at(".customers", k)+".affected_resources", ac.AffectedResources)}
				}
			}
			out.Impacts[j] = o
		}
		if g := inc.Goodwill; g != nil {
			out.Goodwill = &Goodwill{Days: r.whole(f+".goodwill.days", g.Days, true), Services: g.Services, Components: g.Components,
				EligibleComponents: g.EligibleComponents}
		}
		s.Incidents[i] = out
	}

	s.Maintenance = make([]Maintenance, len(w.Maintenance))
	for i, m := range w.Maintenance {
		f := at("maintenance", i)
		s.Maintenance[i] = Maintenance{ID: m.ID, Components: m.Components,
			Start:     r.time(f+".start", m.Start, true),
			End:       r.time(f+".end", m.End, true),
			Announced: r.time(f+".announced", m.Announced, true)}
	}

	if r.err != nil {
		return nil, r.err
	}
	return s, nil
}

// MarshalJSON gives the scenario in the spec's input form (decimals as
// strings), which DecodeScenario reads back to an equal scenario.
func (s Scenario) MarshalJSON() ([]byte, error) {
	return json.Marshal(s.wire())
}

// EncodeScenario writes s in the spec's input form to w, followed by a newline.
func EncodeScenario(w io.Writer, s *Scenario) error {
	return json.NewEncoder(w).Encode(s.wire())
}

func wireTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.Format(time.RFC3339Nano)
	return &s
}

func wirePercent(p Percent) *numText { return &numText{text: p.String(), quoted: true} }

func wireInt(v int64) *numText { return &numText{text: strconv.FormatInt(v, 10), set: true} }

func wireOptInt(v *int64) *numText {
	if v == nil {
		return nil
	}
	return wireInt(*v)
}

func (s *Scenario) wire() *wireScenario {
	w := &wireScenario{
		Period: &wirePeriod{Month: s.Period.Month, Year: s.Period.Year, Timezone: s.Period.TimeZone,
			Start: wireTime(s.Period.Start), End: wireTime(s.Period.End)},
		AsOf:        wireTime(s.AsOf),
		Components:  make([]wireComponent, len(s.Components)),
		Policies:    make([]wirePolicy, len(s.Policies)),
		Incidents:   make([]wireIncident, len(s.Incidents)),
		Maintenance: make([]wireMaintenance, len(s.Maintenance)),
		Customers:   make([]wireCustomer, len(s.Customers)),
	}
	for i, c := range s.Components {
		w.Components[i] = wireComponent{ID: c.ID, Service: c.Service, Region: c.Region, Zone: c.Zone, Resources: wireOptInt(c.Resources)}
	}
	for i, p := range s.Policies {
		w.Policies[i] = wirePolicyOf(p)
	}
	for i, inc := range s.Incidents {
		wi := wireIncident{ID: inc.ID, Excluded: inc.Excluded, Impacts: make([]wireImpact, len(inc.Impacts))}
		for j, im := range inc.Impacts {
			o := wireImpact{Component: im.Component, Status: string(im.Status), AffectedPercent: wirePercent(im.AffectedPercent),
				Start: wireTime(im.Start), End: wireTime(im.End)}
			for _, ac := range im.Customers {
				o.Customers = append(o.Customers, wireAffected{Customer: ac.Customer, AffectedResources: wireOptInt(ac.AffectedResources)})
			}
			wi.Impacts[j] = o
		}
		if g := inc.Goodwill; g != nil {
			wi.Goodwill = &wireGoodwill{Days: wireInt(g.Days), Services: g.Services, Components: g.Components, EligibleComponents: g.EligibleComponents}
		}
		w.Incidents[i] = wi
	}
	for i, m := range s.Maintenance {
		w.Maintenance[i] = wireMaintenance{ID: m.ID, Components: m.Components,
			Start: wireTime(m.Start), End: wireTime(m.End), Announced: wireTime(m.Announced)}
	}
	for i, c := range s.Customers {
		wc := wireCustomer{ID: c.ID, Currency: c.Currency, Resources: make([]wireResource, len(c.Resources)), Charges: make([]wireCharge, len(c.Charges))}
		for j, r := range c.Resources {
			wc.Resources[j] = wireResource{Component: r.Component, Count: *wireInt(r.Count)}
			if !r.From.IsZero() {
				wc.Resources[j].From = r.From.Format(time.RFC3339Nano)
			}
			if !r.To.IsZero() {
				wc.Resources[j].To = r.To.Format(time.RFC3339Nano)
			}
		}
		for j, ch := range c.Charges {
			wc.Charges[j] = wireCharge{Component: ch.Component, AmountMinor: *wireInt(ch.AmountMinor)}
		}
		w.Customers[i] = wc
	}
	return w
}

// PolicyJSON is a policy in the spec's JSON form, its decimals kept as
// written: PolicyJSONOf makes one, its Policy method reads it back.
// Embedded in a struct with more fields, it gives the policy object with
// those fields added, as the credit desk stores its policies.
type PolicyJSON = wirePolicy

// PolicyJSONOf is p in the spec's JSON form, as EncodeScenario writes it.
func PolicyJSONOf(p Policy) PolicyJSON { return wirePolicyOf(p) }

// Policy reads w as DecodeScenario reads a policy (decimals exactly),
// without the checks of Validate: errs.Invalid naming the field ("target",
// "tiers[0].below") for a value that is not a number of its kind.
func (w wirePolicy) Policy() (Policy, error) {
	var r reader
	p := r.policy("", w)
	if r.err != nil {
		return Policy{}, trimDot(r.err)
	}
	return p, nil
}

// trimDot removes the "." that a field path built from an empty prefix starts with.
func trimDot(err error) error {
	var e *errs.Error
	if errors.As(err, &e) && strings.HasPrefix(e.Field, ".") {
		return &errs.Error{Code: e.Code, Field: e.Field[1:], Message: e.Message}
	}
	return err
}

// wirePolicyOf is p in the spec's input form.
func wirePolicyOf(p Policy) wirePolicy {
	wp := wirePolicy{ID: p.ID, Service: p.Service, Target: wirePercent(p.Target), Tiers: make([]wireTier, len(p.Tiers)),
		Unlisted: string(p.Unlisted), Basis: string(p.Basis), ClaimPeriods: wireOptInt(p.ClaimPeriods)}
	for j, t := range p.Tiers {
		wp.Tiers[j] = wireTier{Below: wirePercent(t.Below), CreditPercent: wirePercent(t.CreditPercent)}
	}
	if p.Count != nil {
		c := make([]string, len(p.Count))
		for k, st := range p.Count {
			c[k] = string(st)
		}
		wp.Count = &c
	}
	if p.MaintenanceNoticeHours != 0 {
		wp.MaintenanceNoticeHours = wireInt(p.MaintenanceNoticeHours)
	}
	if p.CapPercent != nil {
		wp.CapPercent = wirePercent(*p.CapPercent)
	}
	if p.MinCreditMinor != 0 {
		wp.MinCreditMinor = wireInt(p.MinCreditMinor)
	}
	return wp
}
