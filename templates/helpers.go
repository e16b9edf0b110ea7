package templates

import (
	"strconv"
	"strings"
)

// This file holds the small presentation helpers the components share:
// naming, ids and grouping of what a view model already carries. Nothing
// here queries or formats domain values.

const defaultSiteName = "Amends"

// siteName is the name shown in the header and the title.
func siteName(n Nav) string {
	if n.SiteName == "" {
		return defaultSiteName
	}
	return n.SiteName
}

// pageTitle is the document title: the page's own title, then the site.
func pageTitle(p Page) string {
	site := siteName(p.Nav)
	if p.Title == "" || p.Title == site {
		return site
	}
	return p.Title + " · " + site
}

// description is the meta description, with a sensible default.
func description(p Page) string {
	if p.Description != "" {
		return p.Description
	}
	return "Current status, incidents and scheduled maintenance of " + siteName(p.Nav) + "."
}

// slug turns an identifier into something safe for id and data-testid
// attributes: lower case letters, digits and single dashes.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// isCurrent reports whether a navigation link points at the current page or
// the section it belongs to ("/admin/incidents" for "/admin/incidents/7").
func isCurrent(n Nav, href string) bool {
	if n.Current == "" {
		return false
	}
	if href == "/" || href == "/admin" {
		return n.Current == href
	}
	if href == "/admin/incidents" && strings.HasPrefix(n.Current, "/admin/incident-templates") {
		return true // the incident templates belong with the incidents
	}
	return n.Current == href || strings.HasPrefix(n.Current, href+"/")
}

// signedIn reports whether someone is signed in.
func signedIn(n Nav) bool { return n.UserName != "" }

// isAdmin reports whether the signed-in user has the admin role.
func isAdmin(n Nav) bool { return n.UserRole == "admin" }

// isManager is true for managers and admins (the roles that see subscribers).
func isManager(n Nav) bool { return n.UserRole == "manager" || n.UserRole == "admin" }

// isSupport is true for support, managers and admins (the roles that read
// the outbox).
func isSupport(n Nav) bool { return n.UserRole == "support" || isManager(n) }

// bodyClass marks admin pages, which get a wider frame.
func bodyClass(n Nav) string {
	if n.Admin {
		return "admin"
	}
	return "public"
}

// describedBy is the aria-describedby value of a form control with an id,
// an optional hint and an optional error.
func describedBy(id, hint, err string) string {
	var parts []string
	if hint != "" {
		parts = append(parts, id+"-hint")
	}
	if err != "" {
		parts = append(parts, id+"-error")
	}
	return strings.Join(parts, " ")
}

// componentGroup is a run of a service's components that share a group.
type componentGroup struct {
	Name       string
	Components []ComponentRow
}

// groupComponents splits a service's components, already in display order,
// into runs of the same group. Components without a group form runs with an
// empty name.
func groupComponents(rows []ComponentRow) []componentGroup {
	var out []componentGroup
	for _, r := range rows {
		if n := len(out); n > 0 && out[n-1].Name == r.Group {
			out[n-1].Components = append(out[n-1].Components, r)
			continue
		}
		out = append(out, componentGroup{Name: r.Group, Components: []ComponentRow{r}})
	}
	return out
}

// fieldGroup is a run of an incident form's component rows of one service.
type fieldGroup struct {
	Service string
	Fields  []ComponentField
}

// groupFields splits component rows, already in display order, into runs of
// the same service.
func groupFields(fields []ComponentField) []fieldGroup {
	var out []fieldGroup
	for _, f := range fields {
		if n := len(out); n > 0 && out[n-1].Service == f.Service {
			out[n-1].Fields = append(out[n-1].Fields, f)
			continue
		}
		out = append(out, fieldGroup{Service: f.Service, Fields: []ComponentField{f}})
	}
	return out
}

// joinNames lists names for a sentence: "ELB us-east-1, EC2 us-east-1".
func joinNames(names []string) string { return strings.Join(names, ", ") }

// isOperational reports whether a status shows no problem, so that nothing
// but the word needs to be said.
func isOperational(s StatusBadge) bool { return s.Class == "operational" || s.Class == "" }

// itoa formats an int.
func itoa(n int) string { return strconv.Itoa(n) }

// idPath is "/prefix/ID/suffix" for a numeric id.
func idPath(prefix string, id int64, suffix string) string {
	return prefix + "/" + strconv.FormatInt(id, 10) + suffix
}

// firstNonEmpty returns the first of its arguments that is not empty.
func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// servicesErrorFor is the form of the services page that Error belongs to.
func servicesErrorFor(v ServicesPage) string {
	if v.ErrorFor != "" {
		return v.ErrorFor
	}
	for _, k := range []string{"service", "region", "zone", "resources", "group"} {
		if v.Error.Field(k) != "" {
			return "component"
		}
	}
	return "service"
}

// usersErrorFor is the form of the users page that Error belongs to.
func usersErrorFor(v UsersPage) string {
	if v.ErrorFor != "" {
		return v.ErrorFor
	}
	if v.Error.Field("email") != "" || v.Error.Field("password") != "" {
		return "user"
	}
	if v.TokenName != "" {
		return "token"
	}
	return "user"
}

// formErr returns e when the form named form is the one in error, else an
// empty FormError.
func formErr(e FormError, errorFor, form string) FormError {
	if errorFor == form {
		return e
	}
	return FormError{}
}

// withSelected returns opts with the option whose value is v selected, when v
// is set; otherwise opts as they are.
func withSelected(opts []Option, v string) []Option {
	if v == "" {
		return opts
	}
	out := make([]Option, len(opts))
	for i, o := range opts {
		o.Selected = o.Value == v
		out[i] = o
	}
	return out
}

// componentFieldError is the error shown on an incident form's component
// row: the row's own, or one the form error names for its fields.
func componentFieldError(f ComponentField, e FormError) string {
	return firstNonEmpty(f.Error, e.Field("status."+f.ID), e.Field("percent."+f.ID))
}

// customersDescribedBy is the aria-describedby of a component row's
// customers box: the shared hint, and its error if any.
func customersDescribedBy(f ComponentField) string {
	if f.CustomersError != "" {
		return "customers-hint customers-" + slug(f.ID) + "-error"
	}
	return "customers-hint"
}

// monthFieldError and incidentFieldError put a credit runs page's error
// on the form it belongs to.
func monthFieldError(v CreditRunsPage) string {
	if v.ErrorFor != "" {
		return ""
	}
	return v.Error.Field("month")
}

func incidentFieldError(v CreditRunsPage) string {
	if v.ErrorFor != "incident" {
		return ""
	}
	return v.Error.Field("incident")
}

// orDash shows an empty value as a dash.
func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// serviceGroup is one service's part of an incident form: its "set whole
// service" row (when Whole.ID is set) and its component rows.
type serviceGroup struct {
	Whole  ServiceField
	Name   string
	Fields []ComponentField
}

// serviceGroups is groupFields with each run's "set whole service" row
// from services (matched by the rows' ServiceID).
func serviceGroups(fields []ComponentField, services []ServiceField) []serviceGroup {
	var out []serviceGroup
	for _, g := range groupFields(fields) {
		sg := serviceGroup{Name: firstNonEmpty(g.Service, "Other"), Fields: g.Fields}
		for _, s := range services {
			if len(g.Fields) > 0 && s.ID == g.Fields[0].ServiceID {
				sg.Whole = s
			}
		}
		if sg.Whole.ID == "" {
			sg.Whole.Open = true // no row to set it by: always unfolded
		}
		out = append(out, sg)
	}
	return out
}

// quietDaysText is what a component's bar says of its days on which
// nothing happened, whose cells are empty: "No downtime and no incidents
// on 88 of the 90 days; the other 2:".
func quietDaysText(b UptimeBar) string {
	days := strconv.Itoa(b.Days())
	if b.Quiet() == b.Days() {
		return "No downtime and no incidents on any of the " + days + " days."
	}
	if b.Quiet() == 0 {
		return "Something happened on each of the " + days + " days:"
	}
	return "No downtime and no incidents on " + strconv.Itoa(b.Quiet()) + " of the " + days + " days; the other " + strconv.Itoa(b.Days()-b.Quiet()) + ":"
}

// countOf is "1 update", "3 updates".
func countOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// goodwillOpen says whether an incident's goodwill part starts unfolded:
// a form of it has an error, or a grant waits for a decision.
func goodwillOpen(g GoodwillSection) bool {
	return g.Error.Summary != "" || g.WithdrawError.Summary != "" || g.Pending != nil
}

// goodwillSummary says how an incident's goodwill stands, for its folded
// heading.
func goodwillSummary(g GoodwillSection) string {
	switch {
	case g.Pending != nil:
		return countOf(len(g.Grants), "grant", "grants") + ", one waiting for approval"
	case len(g.Grants) > 0:
		return countOf(len(g.Grants), "grant", "grants")
	}
	return "none granted"
}

// orText is s, or otherwise when s is empty.
func orText(s, otherwise string) string {
	if s == "" {
		return otherwise
	}
	return s
}
