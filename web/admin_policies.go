package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/auth"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
	"github.com/amends/amends/templates"
	"github.com/amends/amends/web/form"
)

// The SLA policies' admin pages: the stored policies by service, each
// default with its customers' overrides; one policy with every setting and
// its audited changes; and the form that creates or replaces one. Everyone
// signed in reads; managers and admins write, as the API's PUT
// /api/v1/sla-policies/:id. The form's field names are the spec's
// ("target", "tiers[1].credit_percent", ...), so errors name the same
// fields as the API's.

const (
	policyHistoryRows = 20
	maxTierRows       = 100
)

func policyPath(id string) string { return "/admin/policies/" + url.PathEscape(id) }

// The choices of the policy form, in the order shown, with what they mean.
var (
	countChoices    = []sla.Status{sla.DegradedPerformance, sla.PartialOutage, sla.MajorOutage}
	unlistedChoices = []templates.Option{
		{Value: string(sla.Fractional), Label: "The share of resources it affected"},
		{Value: string(sla.Full), Label: "All of each customer's resources there"},
		{Value: string(sla.None), Label: "No customer"},
	}
	basisChoices = []templates.Option{
		{Value: string(sla.BasisPeriod), Label: "The whole month"},
		{Value: string(sla.BasisDeployed), Label: "Only the seconds the customer had resources"},
	}
)

func statusLabel(st sla.Status) string { return incidents.Status(st).Label() }

func choiceLabel(opts []templates.Option, v string) string {
	for _, o := range opts {
		if o.Value == v {
			return o.Label
		}
	}
	return v
}

// pick is opts with v selected; "" selects the first (the spec's default
// comes first), and a value not among them is kept, so that the domain
// names it.
func pick(opts []templates.Option, v string) []templates.Option {
	if v == "" && len(opts) > 0 {
		v = opts[0].Value
	}
	return withOption(append([]templates.Option(nil), opts...), v)
}

// counted reports which statuses p counts as downtime.
func counted(p sla.Policy) map[sla.Status]bool {
	if p.Count == nil {
		return map[sla.Status]bool{sla.PartialOutage: true, sla.MajorOutage: true}
	}
	out := map[sla.Status]bool{}
	for _, st := range p.Count {
		out[st] = true
	}
	return out
}

func countOptions(on map[sla.Status]bool) []templates.Option {
	out := make([]templates.Option, len(countChoices))
	for i, st := range countChoices {
		out[i] = templates.Option{Value: string(st), Label: statusLabel(st), Selected: on[st]}
	}
	return out
}

// deskChoices are the services and customers a desk form chooses from,
// and their names.
type deskChoices struct {
	services  []incidents.Service
	accounts  []desk.Account
	svcName   map[string]string
	customers map[string]desk.Account
}

func (s *Server) deskChoices(ctx context.Context) (deskChoices, error) {
	var d deskChoices
	var err error
	if d.services, err = s.incidents.Services(ctx); err != nil {
		return d, err
	}
	if d.accounts, err = s.desk.Accounts(ctx); err != nil {
		return d, err
	}
	d.svcName = make(map[string]string, len(d.services))
	for _, svc := range d.services {
		d.svcName[svc.ID] = svc.Name
	}
	d.customers = make(map[string]desk.Account, len(d.accounts))
	for _, a := range d.accounts {
		d.customers[a.ID] = a
	}
	return d, nil
}

func (d deskChoices) serviceName(id string) string {
	if n := d.svcName[id]; n != "" {
		return n
	}
	return id
}

// serviceOptions are the services, selected, with a first option first
// when it is not empty ("No particular service").
func (d deskChoices) serviceOptions(first, selected string) []templates.Option {
	var out []templates.Option
	if first != "" {
		out = append(out, templates.Option{Value: "", Label: first})
	}
	for _, svc := range d.services {
		out = append(out, templates.Option{Value: svc.ID, Label: svc.Name})
	}
	return withOption(out, selected)
}

// customerOptions are accounts as choices, "Name (id)", or with currency
// "Name (id, EUR)", after first when it is not empty, with selected chosen.
func customerOptions(accounts []desk.Account, first, selected string, currency bool) []templates.Option {
	var out []templates.Option
	if first != "" {
		out = append(out, templates.Option{Value: "", Label: first})
	}
	for _, a := range accounts {
		label := a.Name + " (" + a.ID + ")"
		if currency {
			label = a.Name + " (" + a.ID + ", " + a.Currency + ")"
		}
		out = append(out, templates.Option{Value: a.ID, Label: label})
	}
	return withOption(out, selected)
}

// withOption selects the option whose value is v; a value that is not
// among them (a customer removed from the list, a crafted form) is added,
// so the form shows what was sent.
func withOption(opts []templates.Option, v string) []templates.Option {
	found := false
	for i := range opts {
		opts[i].Selected = opts[i].Value == v
		found = found || opts[i].Selected
	}
	if !found && v != "" {
		opts = append(opts, templates.Option{Value: v, Label: v, Selected: true})
	}
	return opts
}

// policyFields are the form's values for a stored policy (or, for a zero
// p, a new one with the spec's defaults).
func policyFields(p desk.ServicePolicy, d deskChoices) templates.PolicyFields {
	f := templates.PolicyFields{ID: p.ID, Service: p.Service, Customer: p.Customer, TimeZone: p.TimeZone, RequiresClaim: p.RequiresClaim,
		Count: countOptions(counted(p.Policy)), Unlisted: pick(unlistedChoices, string(p.Unlisted)), Basis: pick(basisChoices, string(p.Basis))}
	if p.ID != "" {
		f.Target = p.Target.String()
		f.MaintenanceNoticeHours = strconv.FormatInt(p.MaintenanceNoticeHours, 10)
		f.MinCreditMinor = strconv.FormatInt(p.MinCreditMinor, 10)
	}
	if p.ClaimPeriods != nil {
		f.ClaimPeriods = strconv.FormatInt(*p.ClaimPeriods, 10)
	}
	if p.CapPercent != nil {
		f.CapPercent = p.CapPercent.String()
	}
	for _, t := range p.Tiers {
		f.Tiers = append(f.Tiers, templates.TierFields{Below: t.Below.String(), CreditPercent: t.CreditPercent.String()})
	}
	if p.ID != "" {
		f.Tiers = append(f.Tiers, templates.TierFields{}) // room for one more
	}
	return finishPolicyFields(f, d)
}

// finishPolicyFields pads the tier rows and sets the choices.
func finishPolicyFields(f templates.PolicyFields, d deskChoices) templates.PolicyFields {
	for len(f.Tiers) < templates.PolicyTierRows {
		f.Tiers = append(f.Tiers, templates.TierFields{})
	}
	f.Services = d.serviceOptions("", f.Service)
	f.Customers = customerOptions(d.accounts, "Every customer (the service's default)", f.Customer, true)
	return f
}

// readPolicyFields reads the policy form as typed.
func readPolicyFields(c echo.Context) (templates.PolicyFields, error) {
	form, err := c.FormParams()
	if err != nil {
		return templates.PolicyFields{}, errs.Malformedf("", "the form could not be read: %v", err)
	}
	get := func(k string) string { return strings.TrimSpace(form.Get(k)) }
	f := templates.PolicyFields{ID: get("id"), Service: get("service"), Customer: get("customer"), Target: get("target"),
		MaintenanceNoticeHours: get("maintenance_notice_hours"), ClaimPeriods: get("claim_periods"), CapPercent: get("cap_percent"),
		MinCreditMinor: get("min_credit_minor"), TimeZone: get("timezone"), RequiresClaim: form.Get("requires_claim") == "true",
		Unlisted: pick(unlistedChoices, get("unlisted")), Basis: pick(basisChoices, get("basis"))}
	on := map[sla.Status]bool{}
	for _, v := range form["count"] {
		on[sla.Status(v)] = true
	}
	f.Count = countOptions(on)
	for i := 0; i < maxTierRows; i++ {
		below, okB := form[templates.TierName(i, "below")]
		credit, okC := form[templates.TierName(i, "credit_percent")]
		if !okB && !okC {
			break
		}
		t := templates.TierFields{}
		if okB {
			t.Below = strings.TrimSpace(below[0])
		}
		if okC {
			t.CreditPercent = strings.TrimSpace(credit[0])
		}
		f.Tiers = append(f.Tiers, t)
	}
	return f, nil
}

// policyInput turns the typed form into a policy, in the form's order:
// errs.Invalid naming the form's field. rows[j] is the form row of the
// policy's tiers[j] (empty rows are skipped).
func policyInput(f templates.PolicyFields, params map[string][]string) (desk.ServicePolicy, []int, error) {
	p := desk.ServicePolicy{Policy: sla.Policy{ID: f.ID, Service: f.Service}, Customer: f.Customer, TimeZone: f.TimeZone, RequiresClaim: f.RequiresClaim}
	var rows []int
	percent := func(field, raw string) (sla.Percent, error) {
		if raw == "" {
			return 0, errs.Invalidf(field, "is required")
		}
		v, err := sla.ParsePercent(raw)
		if err != nil {
			return 0, errs.Prefix(field, err)
		}
		return v, nil
	}
	var err error
	if p.Target, err = percent("target", f.Target); err != nil {
		return p, nil, err
	}
	for i, t := range f.Tiers {
		if t.Below == "" && t.CreditPercent == "" {
			continue
		}
		var tier sla.Tier
		if tier.Below, err = percent(templates.TierName(i, "below"), t.Below); err != nil {
			return p, nil, err
		}
		if tier.CreditPercent, err = percent(templates.TierName(i, "credit_percent"), t.CreditPercent); err != nil {
			return p, nil, err
		}
		p.Tiers = append(p.Tiers, tier)
		rows = append(rows, i)
	}
	// The statuses in the form's order; the spec's default is stored as
	// the default, none ticked as "none counts".
	p.Count = []sla.Status{}
	known := map[string]bool{}
	for _, st := range countChoices {
		known[string(st)] = true
	}
	for _, v := range params["count"] {
		if !known[v] {
			return p, rows, errs.Invalidf("count", "%q is not a known status (degraded_performance, partial_outage, major_outage)", v)
		}
	}
	for _, o := range f.Count {
		if o.Selected {
			p.Count = append(p.Count, sla.Status(o.Value))
		}
	}
	if len(p.Count) == 2 && p.Count[0] == sla.PartialOutage && p.Count[1] == sla.MajorOutage {
		p.Count = nil
	}
	if p.MaintenanceNoticeHours, err = form.Int("maintenance_notice_hours", f.MaintenanceNoticeHours); err != nil {
		return p, rows, err
	}
	if p.Unlisted = sla.Unlisted(selectedValue(f.Unlisted)); p.Unlisted == sla.Fractional {
		p.Unlisted = ""
	}
	if p.Basis = sla.Basis(selectedValue(f.Basis)); p.Basis == sla.BasisPeriod {
		p.Basis = ""
	}
	if f.CapPercent != "" {
		v, err := percent("cap_percent", f.CapPercent)
		if err != nil {
			return p, rows, err
		}
		p.CapPercent = &v
	}
	if p.MinCreditMinor, err = form.Int("min_credit_minor", f.MinCreditMinor); err != nil {
		return p, rows, err
	}
	if f.ClaimPeriods != "" {
		n, err := form.Int("claim_periods", f.ClaimPeriods)
		if err != nil {
			return p, rows, err
		}
		p.ClaimPeriods = &n
	}
	return p, rows, nil
}

func selectedValue(opts []templates.Option) string {
	for _, o := range opts {
		if o.Selected {
			return o.Value
		}
	}
	return ""
}

var (
	tierField = regexp.MustCompile(`^tiers\[(\d+)\]\.(\w+)$`)
	tierRef   = regexp.MustCompile(`tiers\[(\d+)\]`)
)

// policyFormError is err shown on the policy form: the policy's tiers[j]
// become the form row they came from, "count[k]" the status boxes, and a
// conflict (another policy holds the slot, or the id is taken) goes to
// conflictField.
func policyFormError(err error, rows []int, conflictField string) templates.FormError {
	if errs.CodeOf(err) == errs.Conflict {
		msg := errs.MessageOf(err)
		return templates.FormError{Summary: "Please correct the field marked below: " + msg, Fields: map[string]string{conflictField: msg}}
	}
	// Other tiers that the message names are named as the form's rows are
	// labelled ("tier 1").
	var e *errs.Error
	if errors.As(err, &e) {
		msg := tierRef.ReplaceAllStringFunc(e.Message, func(ref string) string {
			j, _ := strconv.Atoi(tierRef.FindStringSubmatch(ref)[1])
			if j < len(rows) {
				return "tier " + strconv.Itoa(rows[j]+1)
			}
			return ref
		})
		err = &errs.Error{Code: e.Code, Field: e.Field, Message: msg}
	}
	return form.Error(err, func(field string) string {
		if m := tierField.FindStringSubmatch(field); m != nil {
			j, _ := strconv.Atoi(m[1])
			if j < len(rows) {
				return templates.TierName(rows[j], m[2])
			}
			return field
		}
		if strings.HasPrefix(field, "count[") {
			return "count"
		}
		return field
	})
}

// policyChanges returns the audited changes of policy id, newest first
// (nil when the server has no audit log to read).
func (s *Server) policyChanges(ctx context.Context, id string, limit int) ([]audit.Record, error) {
	if s.cfg.Audit == nil {
		return nil, nil
	}
	list, _, err := s.cfg.Audit.Entries(ctx, audit.Filter{Entity: "sla_policy", EntityID: id, Limit: limit})
	return list, err
}

func tiersText(p sla.Policy) string {
	parts := make([]string, len(p.Tiers))
	for i, t := range p.Tiers {
		parts[i] = "below " + t.Below.String() + "%: " + t.CreditPercent.String() + "%"
	}
	return strings.Join(parts, " · ")
}

func claimPeriods(p sla.Policy) int64 {
	if p.ClaimPeriods != nil {
		return *p.ClaimPeriods
	}
	return 2
}

func monthsText(n int64) string {
	if n == 1 {
		return "1 month"
	}
	return strconv.FormatInt(n, 10) + " months"
}

// policyRow is p's row in the list; changes holds the newest audit entry
// of each policy by id (see latestPolicyChanges).
func policyRow(p desk.ServicePolicy, d deskChoices, changes map[string]audit.Record) templates.PolicyRow {
	r := templates.PolicyRow{ID: p.ID, URL: policyPath(p.ID), Service: d.serviceName(p.Service), AppliesTo: "Every customer (default)",
		Target: p.Target.String() + "%", Tiers: tiersText(p.Policy), Claims: "paid without a claim"}
	if p.Customer != "" {
		r.AppliesTo, r.CustomerURL = p.Customer, customerPath(p.Customer)
		if a, ok := d.customers[p.Customer]; ok {
			r.AppliesTo = a.Name
		}
	}
	if p.RequiresClaim {
		r.Claims = "claimed within " + monthsText(claimPeriods(p.Policy)) + " after the month"
	}
	if last, ok := changes[p.ID]; ok {
		r.Changed, r.ChangedBy = viewTime(last.At), last.Actor
	}
	return r
}

// latestPolicyChanges returns the newest audit entry of every policy, by
// id, in one read; none when the server has no audit log.
func (s *Server) latestPolicyChanges(ctx context.Context) (map[string]audit.Record, error) {
	if s.cfg.Audit == nil {
		return nil, nil
	}
	return s.cfg.Audit.LatestEntries(ctx, "sla_policy")
}

// handlePolicies shows "/admin/policies"; ?service= and ?customer=
// preset the new policy form (the customer page links here for an override).
func (s *Server) handlePolicies(c echo.Context) error {
	d, err := s.deskChoices(c.Request().Context())
	if err != nil {
		return err
	}
	f := policyFields(desk.ServicePolicy{Policy: sla.Policy{Service: c.QueryParam("service")}, Customer: c.QueryParam("customer")}, d)
	return s.renderPolicies(c, http.StatusOK, d, f, templates.FormError{})
}

func (s *Server) renderPolicies(c echo.Context, status int, d deskChoices, f templates.PolicyFields, fe templates.FormError) error {
	ctx := c.Request().Context()
	list, err := s.desk.Policies(ctx)
	if err != nil {
		return err
	}
	changes, err := s.latestPolicyChanges(ctx)
	if err != nil {
		return err
	}
	v := templates.PoliciesPage{Page: s.page(c, "SLA policies", ""), Total: len(list), CanWrite: currentUser(c).Role.AtLeast(auth.Manager), Error: fe}
	f.Action, f.IsNew, f.SubmitLabel = "/admin/policies", true, "Add policy"
	v.Form = f
	// Every service of the catalog, in its order, then any stored policy's
	// service that the catalog does not hold.
	index := map[string]int{}
	for _, svc := range d.services {
		index[svc.ID] = len(v.Services)
		v.Services = append(v.Services, templates.PolicyService{ID: svc.ID, Name: svc.Name})
	}
	for _, p := range list {
		i, ok := index[p.Service]
		if !ok {
			i = len(v.Services)
			index[p.Service] = i
			v.Services = append(v.Services, templates.PolicyService{ID: p.Service, Name: p.Service})
		}
		v.Services[i].Rows = append(v.Services[i].Rows, policyRow(p, d, changes))
	}
	return s.render(c, status, templates.Policies(v))
}

// handleCreatePolicy adds a policy (managers and admins); an id that is
// taken is a conflict on "id": changing a policy is done on its page.
func (s *Server) handleCreatePolicy(c echo.Context) error {
	return s.savePolicy(c, "")
}

// handleUpdatePolicy replaces policy :id (managers and admins).
func (s *Server) handleUpdatePolicy(c echo.Context) error {
	return s.savePolicy(c, c.Param("id"))
}

// savePolicy stores the posted form as a new policy (id "") or as policy
// id, and shows the policy; on bad input the form comes back with the
// error at its field and nothing is stored.
func (s *Server) savePolicy(c echo.Context, id string) error {
	ctx := c.Request().Context()
	var old desk.ServicePolicy
	if id != "" {
		var err error
		if old, err = s.desk.Policy(ctx, id); err != nil {
			return err
		}
	}
	d, err := s.deskChoices(ctx)
	if err != nil {
		return err
	}
	f, err := readPolicyFields(c)
	if err != nil {
		return err
	}
	if id != "" {
		f.ID = id
	}
	form, _ := c.FormParams()
	p, rows, err := policyInput(f, form)
	if err == nil {
		err = s.reports.KnownService(ctx, "service", p.Service)
	}
	if err == nil && id == "" {
		_, err = s.desk.CreatePolicy(ctx, by(c), p, s.now())
	} else if err == nil {
		_, err = s.desk.PutPolicy(ctx, by(c), p, s.now())
	}
	if err != nil {
		code := errs.CodeOf(err)
		if code != errs.Invalid && code != errs.Conflict {
			return err
		}
		// A conflict is the id (a create over an existing policy) or
		// else the customer (a second default or override).
		conflictField := "customer"
		if code == errs.Conflict && errs.FieldOf(err) == "id" {
			conflictField = "id"
			err = errs.Conflictf("%s: change it on its own page", errs.MessageOf(err))
		}
		fe := policyFormError(err, rows, conflictField)
		f = finishPolicyFields(f, d)
		if id == "" {
			return s.renderPolicies(c, statusOf(err), d, f, fe)
		}
		return s.renderPolicy(c, statusOf(err), old, d, &f, fe)
	}
	return c.Redirect(http.StatusSeeOther, policyPath(p.ID)+"?saved=1")
}

// handlePolicy shows "/admin/policies/:id".
func (s *Server) handlePolicy(c echo.Context) error {
	ctx := c.Request().Context()
	p, err := s.desk.Policy(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	d, err := s.deskChoices(ctx)
	if err != nil {
		return err
	}
	return s.renderPolicy(c, http.StatusOK, p, d, nil, templates.FormError{})
}

// renderPolicy shows stored policy p; form, when set, is the posted form
// to show again with its error, else the form holds p.
func (s *Server) renderPolicy(c echo.Context, status int, p desk.ServicePolicy, d deskChoices, form *templates.PolicyFields, fe templates.FormError) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	changes, err := s.policyChanges(ctx, p.ID, policyHistoryRows)
	if err != nil {
		return err
	}
	latest := map[string]audit.Record{}
	if len(changes) > 0 {
		latest[p.ID] = changes[0]
	}
	v := templates.PolicyPage{Page: s.page(c, "Policy "+p.ID, ""), Policy: policyRow(p, d, latest), CanWrite: u.Role.AtLeast(auth.Manager), Error: fe}
	if c.QueryParam("saved") != "" && status == http.StatusOK {
		v.Flash = "Policy saved."
	}
	if u.Role.AtLeast(auth.Manager) && s.cfg.Audit != nil {
		v.AuditURL = "/admin/audit?entity=sla_policy"
	}
	f := policyFields(p, d)
	if form != nil {
		f = *form
	}
	f.Action, f.SubmitLabel = policyPath(p.ID), "Save policy"
	v.Form = f
	v.Settings = policySettings(p, d)
	for _, t := range p.Tiers {
		v.Tiers = append(v.Tiers, templates.PolicyTierRow{Below: t.Below.String() + "%", CreditPercent: t.CreditPercent.String() + "%"})
	}
	for _, ch := range changes {
		what := "Changed"
		if ch.Action == "sla_policy.create" {
			what = "Created"
		}
		v.History = append(v.History, templates.PolicyChange{What: what, Who: ch.Actor, At: viewTime(ch.At)})
	}
	return s.render(c, status, templates.Policy(v))
}

// policySettings are p's settings in words, defaults said as such.
func policySettings(p desk.ServicePolicy, d deskChoices) []templates.PolicySetting {
	applies := "Every customer: the service's default"
	if p.Customer != "" {
		applies = p.Customer
		if a, ok := d.customers[p.Customer]; ok {
			applies = a.Name + " (" + a.ID + ") alone: an override"
		}
	}
	var statuses []string
	on := counted(p.Policy)
	for _, st := range countChoices {
		if on[st] {
			statuses = append(statuses, statusLabel(st))
		}
	}
	count := strings.Join(statuses, ", ")
	switch {
	case p.Count == nil:
		count += " (the default)"
	case len(statuses) == 0:
		count = "None: no status counts as downtime"
	}
	zone := p.TimeZone
	if zone == "" {
		zone = "UTC"
	}
	capText := "100% of the month's charges (the default)"
	if p.CapPercent != nil {
		capText = p.CapPercent.String() + "% of the month's charges"
	}
	minText := smallestUnits(p.MinCreditMinor)
	if a, ok := d.customers[p.Customer]; ok && p.Customer != "" {
		minText = desk.FormatMoney(p.MinCreditMinor, a.Currency)
	}
	if p.MinCreditMinor == 0 {
		minText = "Any credit above 0"
	}
	claims := "Not required: credits are paid without a claim"
	if p.RequiresClaim {
		claims = "Required: a credit is paid only when claimed before the deadline"
	}
	return []templates.PolicySetting{
		{Name: "Service", Value: d.serviceName(p.Service)},
		{Name: "Applies to", Value: applies},
		{Name: "Target uptime", Value: p.Target.String() + "%"},
		{Name: "Statuses counted as downtime", Value: count},
		{Name: "Maintenance notice", Value: fmt.Sprintf("%d hours: maintenance announced at least this long before it starts is not downtime", p.MaintenanceNoticeHours)},
		{Name: "An incident that names no customer counts", Value: choiceLabel(unlistedChoices, string(unlistedOrDefault(p.Unlisted)))},
		{Name: "Uptime taken over", Value: choiceLabel(basisChoices, string(basisOrDefault(p.Basis)))},
		{Name: "Time zone of its months", Value: zone},
		{Name: "Cap", Value: capText},
		{Name: "Smallest credit paid", Value: minText},
		{Name: "Claims", Value: claims},
		{Name: "Claim deadline", Value: claimDeadlineText(claimPeriods(p.Policy))},
	}
}

func unlistedOrDefault(u sla.Unlisted) sla.Unlisted {
	if u == "" {
		return sla.Fractional
	}
	return u
}

func basisOrDefault(b sla.Basis) sla.Basis {
	if b == "" {
		return sla.BasisPeriod
	}
	return b
}

func claimDeadlineText(n int64) string {
	if n == 0 {
		return "The end of the credited month"
	}
	return "The end of the " + ordinal(n) + " month after the credited month"
}

// ordinal writes 1 as "1st", 2 as "2nd", 11 as "11th".
func ordinal(n int64) string {
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return strconv.FormatInt(n, 10) + suffix
}
