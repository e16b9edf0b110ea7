package desk

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/amends/amends/internal/check"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
)

// Account is a customer as the credit desk keeps it: its key (the id the
// scenario's sla.Customer takes), name, the billing system's id, the currency
// every charge and credit of it is in, and a contact address.
type Account struct {
	// ID is the key, such as "acme": 1 to 64 lowercase letters, digits or
	// "-", starting with a letter or digit. It never changes.
	ID         string `json:"id"`
	Name       string `json:"name"`
	ExternalID string `json:"external_id"`
	// Currency is an ISO 4217 code, such as "USD".
	Currency string `json:"currency"`
	Email    string `json:"contact_email"`
	// WebhookURL is the customer's own webhook ("" for none): approved
	// personal notices are POSTed to it as well as e-mailed. Callers check
	// it as a subscriber's webhook is checked (notify.CheckWebhookURL,
	// with the server's resolver and private-address rule) before storing
	// it; Validate checks only that it is one line of at most
	// MaxWebhookURLLen bytes.
	WebhookURL string `json:"webhook_url"`
	// WebhookSecret signs the requests to WebhookURL (the Amends-Signature
	// header, as for subscriber webhooks). The store makes a new one
	// whenever WebhookURL changes; it is never in the audit log.
	WebhookSecret string    `json:"-"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// Length limits of the desk's text, in characters.
const (
	MaxAccountNameLen = 100
	MaxExternalIDLen  = 100
	MaxEmailLen       = 254
	// MaxWebhookURLLen is notify.MaxAddressLen, the bound of any webhook URL.
	MaxWebhookURLLen = 2000
	MaxReasonLen     = 2000
)

var (
	accountID  = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)
	policyID   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)
	currencyRe = regexp.MustCompile(`^[A-Z]{3}$`)
	monthRe    = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}$`)
	// emailRe is a plain address: something@domain.tld, no spaces or angle brackets.
	emailRe = regexp.MustCompile(`^[^\s@<>()",;]+@[^\s@<>()",;]+\.[^\s@<>()",;.]+$`)
)

// Normalize trims a's text fields and upper-cases its currency.
func (a Account) Normalize() Account {
	a.ID = strings.TrimSpace(a.ID)
	a.Name = strings.TrimSpace(a.Name)
	a.ExternalID = strings.TrimSpace(a.ExternalID)
	a.Currency = strings.ToUpper(strings.TrimSpace(a.Currency))
	a.Email = strings.TrimSpace(a.Email)
	a.WebhookURL = strings.TrimSpace(a.WebhookURL)
	return a
}

// Validate checks a (normalized) and returns errs.Invalid on the first
// field that breaks a rule: "id", "name", "external_id", "currency",
// "contact_email" or "webhook_url" (its form only; see Account.WebhookURL).
func (a Account) Validate() error {
	a = a.Normalize()
	if err := CheckAccountID("id", a.ID); err != nil {
		return err
	}
	if err := checkText("name", a.Name, MaxAccountNameLen, true); err != nil {
		return err
	}
	if err := checkText("external_id", a.ExternalID, MaxExternalIDLen, false); err != nil {
		return err
	}
	if err := CheckCurrency("currency", a.Currency); err != nil {
		return err
	}
	if a.Email == "" {
		return errs.Invalidf("contact_email", "is required")
	}
	if len(a.Email) > MaxEmailLen {
		return errs.Invalidf("contact_email", "is longer than %d characters", MaxEmailLen)
	}
	if !emailRe.MatchString(a.Email) {
		return errs.Invalidf("contact_email", "%q is not an email address such as billing@example.com", a.Email)
	}
	if len(a.WebhookURL) > MaxWebhookURLLen {
		return errs.Invalidf("webhook_url", "is too long")
	}
	return checkText("webhook_url", a.WebhookURL, MaxWebhookURLLen, false)
}

// CheckAccountID returns errs.Invalid on field unless id is a valid account key.
func CheckAccountID(field, id string) error {
	if id == "" {
		return errs.Invalidf(field, "is required")
	}
	if !accountID.MatchString(id) {
		return errs.Invalidf(field, "%q must be 1 to 64 lowercase letters, digits or \"-\", starting with a letter or digit", id)
	}
	return nil
}

// CheckCurrency returns errs.Invalid on field unless code is three capital
// letters, as ISO 4217 codes are.
func CheckCurrency(field, code string) error {
	if code == "" {
		return errs.Invalidf(field, "is required")
	}
	if !currencyRe.MatchString(code) {
		return errs.Invalidf(field, "%q is not an ISO 4217 currency code such as USD", code)
	}
	return nil
}

// CheckMonth returns errs.Invalid on field unless month is a calendar month
// written "YYYY-MM", not before check.Earliest.
func CheckMonth(field, month string) error {
	if month == "" {
		return errs.Invalidf(field, "is required")
	}
	first, err := time.Parse("2006-01", month)
	if err != nil || !monthRe.MatchString(month) {
		return errs.Invalidf(field, "%q is not a month such as 2012-12", month)
	}
	if first.Before(check.Earliest) {
		return errs.Invalidf(field, "%s is before %s", month, check.Earliest.Format("2006-01"))
	}
	return nil
}

// CheckMonthAt is CheckMonth, and also refuses a month that starts more
// than check.YearsAhead years after now ("9999-12" is a typo or a probe).
func CheckMonthAt(field, month string, now time.Time) error {
	if err := CheckMonth(field, month); err != nil {
		return err
	}
	first, _ := time.Parse("2006-01", month)
	if first.After(now.AddDate(check.YearsAhead, 0, 0)) {
		return errs.Invalidf(field, "%s is more than %d years from now", month, check.YearsAhead)
	}
	return nil
}

// checkText checks a one-line text field (a name): present if required,
// check.Line, at most limit characters.
func checkText(field, s string, limit int, required bool) error {
	return checkChars(field, s, limit, required, check.Line)
}

// checkBody checks a text field that may run over several lines (a reason):
// present if required, check.Body, at most limit characters.
func checkBody(field, s string, limit int, required bool) error {
	return checkChars(field, s, limit, required, check.Body)
}

func checkChars(field, s string, limit int, required bool, chars func(field, s string) error) error {
	if s == "" {
		if required {
			return errs.Invalidf(field, "is required")
		}
		return nil
	}
	if err := chars(field, s); err != nil {
		return err
	}
	if n := utf8.RuneCountInString(s); n > limit {
		return errs.Invalidf(field, "is %d characters long, more than %d", n, limit)
	}
	return nil
}

// AccountResource is Count resources of a customer in a component over
// [From, To); nil From means since always, nil To still there.
type AccountResource struct {
	ID        int64      `json:"id"`
	Customer  string     `json:"customer"`
	Component string     `json:"component"`
	Count     int64      `json:"count"`
	From      *time.Time `json:"from,omitempty"`
	To        *time.Time `json:"to,omitempty"`
}

// Validate checks r: errs.Invalid on "customer", "component", "count" (below
// 0 or above MaxCount), "from" or "to" (before check.Earliest) or "to" (not
// after from). Instants are truncated to whole seconds.
func (r AccountResource) Validate() error {
	if err := CheckAccountID("customer", r.Customer); err != nil {
		return err
	}
	if r.Component == "" {
		return errs.Invalidf("component", "is required")
	}
	if r.Count < 0 {
		return errs.Invalidf("count", "%d is below 0", r.Count)
	}
	if r.Count > MaxCount {
		return errs.Invalidf("count", "%d is more than %d, the most resources one row may count", r.Count, int64(MaxCount))
	}
	for _, f := range []struct {
		name string
		t    *time.Time
	}{{"from", r.From}, {"to", r.To}} {
		if f.t != nil {
			if err := check.Since(f.name, *f.t); err != nil {
				return err
			}
		}
	}
	if r.From != nil && r.To != nil && !r.To.Truncate(time.Second).After(r.From.Truncate(time.Second)) {
		return errs.Invalidf("to", "must be after from")
	}
	return nil
}

// ValidateAt is Validate, and also refuses a from or to more than
// check.YearsAhead years after now; the Store checks each entry with it.
func (r AccountResource) ValidateAt(now time.Time) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if r.From != nil {
		if err := check.Instant("from", *r.From, now); err != nil {
			return err
		}
	}
	if r.To != nil {
		return check.Instant("to", *r.To, now)
	}
	return nil
}

// AccountCharge is what a customer pays for one component in one billing
// month, in minor units of its currency. A customer has at most one charge
// per component and month; setting it again corrects it.
type AccountCharge struct {
	ID          int64  `json:"id"`
	Customer    string `json:"customer"`
	Component   string `json:"component"`
	Month       string `json:"month"`
	AmountMinor int64  `json:"amount_minor"`
	Currency    string `json:"currency"`
}

// Validate checks ch against the customer it belongs to: errs.Invalid on
// "component", "month", "amount_minor" (below 0 or above MaxMinor) or "currency" (another
// currency than the customer's; an empty currency means the customer's).
func (ch AccountCharge) Validate(a Account) error {
	if ch.Component == "" {
		return errs.Invalidf("component", "is required")
	}
	if err := CheckMonth("month", ch.Month); err != nil {
		return err
	}
	if err := CheckMinor("amount_minor", ch.AmountMinor); err != nil {
		return err
	}
	if ch.Currency != "" && ch.Currency != a.Currency {
		return errs.Invalidf("currency", "%s is not the currency of customer %s, which pays in %s", ch.Currency, a.ID, a.Currency)
	}
	return nil
}

// ServicePolicy is a stored policy: the spec's sla.Policy, the time zone its
// months are taken in ("" is UTC), and whether its tier credits are paid
// only when claimed in time. A policy with no Customer is its service's
// default; one with a Customer overrides the default for that customer
// alone. A service has at most one default, and a customer at most one
// override per service.
type ServicePolicy struct {
	sla.Policy
	Customer      string
	TimeZone      string
	RequiresClaim bool
}

// Validate checks p with the engine's own policy rules (field names as in
// the spec: "target", "tiers[1].credit_percent", ...) and "id", "service",
// "customer" and "timezone".
func (p ServicePolicy) Validate() error {
	if p.ID == "" {
		return errs.Invalidf("id", "is required")
	}
	if !policyID.MatchString(p.ID) {
		return errs.Invalidf("id", "%q must be 1 to 64 letters, digits, \".\", \"-\" or \"_\"", p.ID)
	}
	if p.Service == "" {
		return errs.Invalidf("service", "is required")
	}
	if p.Customer != "" {
		if err := CheckAccountID("customer", p.Customer); err != nil {
			return err
		}
	}
	if p.TimeZone != "" {
		if _, err := sla.LoadLocation(p.TimeZone); err != nil {
			return errs.Invalidf("timezone", "%q is not a known IANA time zone", p.TimeZone)
		}
	}
	return p.Policy.Validate()
}

// ClaimDeadline is the instant until which a credit of month under p may be
// claimed, as sla.Evaluate computes it: the end of the claim_periods-th month
// after it, in p's time zone. errs.Invalid on "month" for a bad month.
func (p ServicePolicy) ClaimDeadline(month string) (time.Time, error) {
	if err := CheckMonth("month", month); err != nil {
		return time.Time{}, err
	}
	period := sla.Period{Month: month, TimeZone: p.TimeZone}
	if _, _, err := period.Bounds(); err != nil {
		return time.Time{}, errs.Prefix("timezone", err)
	}
	return p.Policy.ClaimDeadline(period)
}

// PolicyFor returns the policy that applies to customer in service: its
// override if it has one, else the service's default.
func PolicyFor(policies []ServicePolicy, customer, service string) (ServicePolicy, bool) {
	var def *ServicePolicy
	for i := range policies {
		p := &policies[i]
		if p.Service != service {
			continue
		}
		if p.Customer == customer && customer != "" {
			return *p, true
		}
		if p.Customer == "" {
			def = p
		}
	}
	if def == nil {
		return ServicePolicy{}, false
	}
	return *def, true
}

// wirePolicy is the spec's policy object that a stored policy's JSON
// extends. encoding/json names the embedded field in the path of a value of
// the wrong type ("wirePolicy.id"), so it keeps the name it had when this
// form was written in package sla.
type wirePolicy = sla.PolicyJSON

type wireServicePolicy struct {
	wirePolicy
	Customer      string `json:"customer,omitempty"`
	TimeZone      string `json:"timezone,omitempty"`
	RequiresClaim bool   `json:"requires_claim"`
}

// MarshalJSON gives the spec's policy object with "customer", "timezone"
// and "requires_claim" added.
func (p ServicePolicy) MarshalJSON() ([]byte, error) {
	return json.Marshal(wireServicePolicy{wirePolicy: sla.PolicyJSONOf(p.Policy), Customer: p.Customer, TimeZone: p.TimeZone, RequiresClaim: p.RequiresClaim})
}

// DecodeServicePolicy reads a policy in the form MarshalJSON writes
// (decimals as strings or numbers, read exactly). errs.Malformed for JSON
// of the wrong shape or unknown fields, errs.Invalid naming the field for a
// bad value; it does not run Validate.
func DecodeServicePolicy(data []byte) (ServicePolicy, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var w wireServicePolicy
	if err := dec.Decode(&w); err != nil {
		return ServicePolicy{}, sla.JSONError(err)
	}
	pol, err := w.wirePolicy.Policy()
	if err != nil {
		return ServicePolicy{}, err
	}
	return ServicePolicy{Policy: pol, Customer: w.Customer, TimeZone: w.TimeZone, RequiresClaim: w.RequiresClaim}, nil
}

// minorDigits are the ISO 4217 currencies whose minor unit is not a
// hundredth; every other code has 2 decimals.
var minorDigits = map[string]int{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
	"RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
	"CLF": 4, "UYW": 4,
}

// FormatMoney writes an amount in minor units with its currency's decimals
// and thousands separators: FormatMoney(250000, "USD") is "2,500.00 USD",
// FormatMoney(1500, "JPY") "1,500 JPY".
func FormatMoney(minor int64, currency string) string {
	return string(AppendMoney(make([]byte, 0, 32), minor, currency))
}

// AppendMoney appends FormatMoney(minor, currency) to b.
func AppendMoney(b []byte, minor int64, currency string) []byte {
	places := MinorDigits(currency)
	neg := minor < 0
	u := uint64(minor)
	if neg {
		u = -u
	}
	var buf [24]byte
	digits := strconv.AppendUint(buf[:0], u, 10)
	if pad := places + 1 - len(digits); pad > 0 { // a whole digit, and every decimal
		copy(buf[pad:], digits)
		for i := range pad {
			buf[i] = '0'
		}
		digits = buf[:pad+len(digits)]
	}
	whole, frac := digits[:len(digits)-places], digits[len(digits)-places:]
	if neg {
		b = append(b, '-')
	}
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, c)
	}
	if places > 0 {
		b = append(b, '.')
		b = append(b, frac...)
	}
	b = append(b, ' ')
	return append(b, currency...)
}

// MinorDigits is how many decimals the minor unit of currency has: 2 for
// most codes, 0 for JPY, 3 for KWD.
func MinorDigits(currency string) int {
	if places, ok := minorDigits[currency]; ok {
		return places
	}
	return 2
}

// ParseMoney reads an amount written in major units of currency ("125.50"
// for USD, "1500" for JPY) into integer minor units, exactly: digits with at
// most MinorDigits(currency) decimals after a ".", no sign, exponent or
// thousands separator (a "," could be a decimal comma, and money is not
// guessed). Zeros beyond the currency's decimals are exact and accepted.
// It returns errs.Invalid on field for empty text, anything else, a
// negative amount, more decimals than the currency has, or more than
// MaxMinor minor units.
func ParseMoney(field, text, currency string) (int64, error) {
	s := strings.TrimSpace(text)
	if s == "" {
		return 0, errs.Invalidf(field, "is required")
	}
	if strings.HasPrefix(s, "-") {
		return 0, errs.Invalidf(field, "%s is below 0", s)
	}
	if strings.ContainsFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' && r != ',' }) {
		return 0, errs.Invalidf(field, "%q is not an amount such as 1250.50: write digits only, with a \".\" before the decimals", s)
	}
	if strings.Contains(s, ",") {
		return 0, errs.Invalidf(field, "%q has a \",\": write the amount without thousands separators and with a \".\" before the decimals, such as 1250.50", s)
	}
	// s is digits and "." only now: an amount unless a "." starts or ends
	// it or comes twice.
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || (dot && frac == "") || strings.Contains(frac, ".") {
		return 0, errs.Invalidf(field, "%q is not an amount such as 125.50", s)
	}
	places := MinorDigits(currency)
	if trimmed := strings.TrimRight(frac, "0"); len(trimmed) > places {
		if places == 0 {
			return 0, errs.Invalidf(field, "%s has decimals, and %s has no minor unit", s, currency)
		}
		return 0, errs.Invalidf(field, "%s has more than %d decimals, the most %s has", s, places, currency)
	}
	frac = (frac + strings.Repeat("0", places))[:places]
	digits := strings.TrimLeft(whole+frac, "0")
	if digits == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n > MaxMinor {
		return 0, errs.Invalidf(field, "%s is too large: the most an amount may be is %s", s, FormatMoney(MaxMinor, currency))
	}
	return n, nil
}

// ClaimStatus says whether a line's credit was claimed as its policy needs.
type ClaimStatus string

// The claim statuses of a run line.
const (
	ClaimNotRequired ClaimStatus = "not_required" // the policy pays without a claim
	ClaimInTime      ClaimStatus = "claimed"      // claimed before the deadline
	ClaimLate        ClaimStatus = "late"         // claimed at or after the deadline: pays nothing
	ClaimMissing     ClaimStatus = "unclaimed"    // required and not (yet) claimed: pays nothing
)

// Claim is a customer's claim for the tier credit of one service and month.
// Deadline is the policy's claim deadline for that month and Late whether
// the claim came at or after it; a late claim is kept, and pays nothing.
type Claim struct {
	ID         int64     `json:"id"`
	Customer   string    `json:"customer"`
	Service    string    `json:"service"`
	Month      string    `json:"month"`
	ClaimedAt  time.Time `json:"claimed_at"`
	Deadline   time.Time `json:"deadline"`
	Late       bool      `json:"late"`
	RecordedBy string    `json:"recorded_by"`
	RecordedAt time.Time `json:"recorded_at"`
	// Note is what the customer wrote with its claim ("" for none).
	Note string `json:"note,omitempty"`
}

// MaxClaimNoteLen is the length limit of a claim's note, in characters.
const MaxClaimNoteLen = 2000

// NewClaim returns c recorded by by at now under policy p (the policy that
// applies to the customer in c.Service): a zero ClaimedAt means now; the
// deadline comes from p.ClaimDeadline, and a claim at or after it is Late.
// errs.Invalid on "customer", "service", "month", "note" or "claimed_at"
// (after now).
func NewClaim(c Claim, p ServicePolicy, by string, now time.Time) (Claim, error) {
	if err := CheckAccountID("customer", c.Customer); err != nil {
		return Claim{}, err
	}
	if c.Service == "" {
		return Claim{}, errs.Invalidf("service", "is required")
	}
	if p.Service != c.Service {
		return Claim{}, errs.Invalidf("service", "has no policy")
	}
	c.Note = strings.TrimSpace(c.Note)
	if n := utf8.RuneCountInString(c.Note); n > MaxClaimNoteLen {
		return Claim{}, errs.Invalidf("note", "is %d characters, at most %d", n, MaxClaimNoteLen)
	}
	if err := check.Body("note", c.Note); err != nil {
		return Claim{}, err
	}
	now = now.UTC().Truncate(time.Second)
	if c.ClaimedAt.IsZero() {
		c.ClaimedAt = now
	}
	c.ClaimedAt = c.ClaimedAt.UTC().Truncate(time.Second)
	if c.ClaimedAt.After(now) {
		return Claim{}, errs.Invalidf("claimed_at", "is in the future")
	}
	dl, err := p.ClaimDeadline(c.Month)
	if err != nil {
		return Claim{}, err
	}
	c.Deadline = dl.UTC()
	c.Late = !c.ClaimedAt.Before(c.Deadline)
	c.RecordedBy, c.RecordedAt = by, now
	return c, nil
}

// claimStatus is the status of a line whose credit is claimable until
// deadline, given the customer's claim for it (nil if none).
func claimStatus(requires bool, c *Claim, deadline time.Time) ClaimStatus {
	switch {
	case !requires:
		return ClaimNotRequired
	case c == nil:
		return ClaimMissing
	case c.ClaimedAt.Before(deadline):
		return ClaimInTime
	}
	return ClaimLate
}

// ManualState is where a manual credit stands.
type ManualState string

// The manual credit states: issued ones are in the ledger.
const (
	ManualPending  ManualState = "pending"
	ManualIssued   ManualState = "issued"
	ManualRejected ManualState = "rejected"
)

// ManualCredit is a credit granted by hand with a written reason. Up to the
// threshold of its currency (and the ceiling, ManualCeiling) it goes to the
// ledger when it is made; above it (or in a currency without a threshold,
// or when its requester set that threshold) it waits for a manager who is
// not the requester.
type ManualCredit struct {
	ID          int64       `json:"id"`
	Customer    string      `json:"customer"`
	AmountMinor int64       `json:"amount_minor"`
	Currency    string      `json:"currency"`
	Reason      string      `json:"reason"`
	Service     string      `json:"service,omitempty"`
	Month       string      `json:"month,omitempty"`
	State       ManualState `json:"state"`
	RequestedBy string      `json:"requested_by"`
	RequestedAt time.Time   `json:"requested_at"`
	DecidedBy   string      `json:"decided_by,omitempty"`
	DecidedAt   *time.Time  `json:"decided_at,omitempty"`
	EntryID     int64       `json:"ledger_entry,omitempty"`
}

// ManualFilter selects manual credits; empty fields select everything.
type ManualFilter struct {
	Customer string
	State    ManualState
	Offset   int
	Limit    int // 0 means 100
}

// CheckManualState returns errs.Invalid on field unless state is "" or a
// manual credit state.
func CheckManualState(field string, state ManualState) error {
	switch state {
	case "", ManualPending, ManualIssued, ManualRejected:
		return nil
	}
	return errs.Invalidf(field, "%q is not pending, issued or rejected", state)
}

// ManualCeilingMajor is the manual credit ceiling in major units: above
// ManualCeiling(currency) minor units (1,000,000.00 USD, 1,000,000 JPY,
// 1,000,000.000 KWD) every manual credit waits for a second person,
// whatever its currency's threshold says.
const ManualCeilingMajor = 1_000_000

// ManualCeiling is ManualCeilingMajor in minor units of currency.
func ManualCeiling(currency string) int64 {
	n := int64(ManualCeilingMajor)
	for range MinorDigits(currency) {
		n *= 10
	}
	return n
}

// ThresholdRaise is a raise of a currency's manual credit threshold (or a
// first threshold) waiting for another admin or manager to confirm it; the
// threshold in force holds until then.
type ThresholdRaise struct {
	Currency    string    `json:"currency"`
	AboveMinor  int64     `json:"above_minor"`
	RequestedBy string    `json:"requested_by"`
	RequestedAt time.Time `json:"requested_at"`
}

// ManualThreshold is a currency's threshold: the largest manual credit
// issued without a second person, and who set it.
type ManualThreshold struct {
	AboveMinor int64
	SetBy      string
}

// NewManualCredit returns m requested by by at now for customer a: the
// currency is a's (errs.Invalid on "currency" if m names another), the
// amount must be above 0 and at most MaxMinor ("amount_minor"), the reason is required
// ("reason"), month, when given, is "YYYY-MM". thresholds holds each
// currency's threshold; the state is ManualIssued at or below it, and
// ManualPending above it, above ManualCeiling whatever the threshold, when
// the currency has none, or when by set it: whoever sets a threshold cannot
// then pay within it alone.
func NewManualCredit(m ManualCredit, a Account, thresholds map[string]ManualThreshold, by string, now time.Time) (ManualCredit, error) {
	m.Reason = strings.TrimSpace(m.Reason)
	if m.Customer != a.ID {
		return ManualCredit{}, errs.Invalidf("customer", "is required")
	}
	if m.AmountMinor <= 0 {
		return ManualCredit{}, errs.Invalidf("amount_minor", "%d is not above 0", m.AmountMinor)
	}
	if err := CheckMinor("amount_minor", m.AmountMinor); err != nil {
		return ManualCredit{}, err
	}
	if m.Currency == "" {
		m.Currency = a.Currency
	}
	if m.Currency != a.Currency {
		return ManualCredit{}, errs.Invalidf("currency", "%s is not the currency of customer %s, which pays in %s", m.Currency, a.ID, a.Currency)
	}
	if err := checkBody("reason", m.Reason, MaxReasonLen, true); err != nil {
		return ManualCredit{}, err
	}
	if m.Month != "" {
		if err := CheckMonth("month", m.Month); err != nil {
			return ManualCredit{}, err
		}
	}
	now = now.UTC().Truncate(time.Second)
	m.ID, m.EntryID, m.DecidedBy, m.DecidedAt = 0, 0, "", nil
	m.RequestedBy, m.RequestedAt = by, now
	m.State = ManualPending
	if limit, ok := thresholds[m.Currency]; ok && m.AmountMinor <= limit.AboveMinor && m.AmountMinor <= ManualCeiling(m.Currency) && limit.SetBy != by {
		m.State, m.DecidedBy, m.DecidedAt = ManualIssued, by, &now
	}
	return m, nil
}

// Approve returns m approved by by at now, to be issued: errs.Conflict
// unless it is pending, errs.Forbidden when by requested it.
func (m ManualCredit) Approve(by string, now time.Time) (ManualCredit, error) {
	if m.State != ManualPending {
		return ManualCredit{}, errs.Conflictf("manual credit %d is already %s", m.ID, m.State)
	}
	if by == m.RequestedBy {
		return ManualCredit{}, errs.Forbiddenf("no credit is paid on one person's say: another manager must approve manual credit %d", m.ID)
	}
	now = now.UTC().Truncate(time.Second)
	m.State, m.DecidedBy, m.DecidedAt = ManualIssued, by, &now
	return m, nil
}

// Reject returns m rejected by by at now: errs.Conflict unless it is pending.
func (m ManualCredit) Reject(by string, now time.Time) (ManualCredit, error) {
	if m.State != ManualPending {
		return ManualCredit{}, errs.Conflictf("manual credit %d is already %s", m.ID, m.State)
	}
	now = now.UTC().Truncate(time.Second)
	m.State, m.DecidedBy, m.DecidedAt = ManualRejected, by, &now
	return m, nil
}

// Entry is the ledger entry of an issued manual credit, written by actor.
func (m ManualCredit) Entry(actor string) LedgerEntry {
	return LedgerEntry{Customer: m.Customer, Currency: m.Currency, AmountMinor: m.AmountMinor,
		Kind: EntryManual, CreditKind: EntryManual, Service: m.Service, Period: m.Month,
		Reason: m.Reason, ManualID: m.ID, CreatedAt: *m.DecidedAt, Actor: actor}
}
