package form

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
	"github.com/amends/amends/templates"
)

var statusChoices = []incidents.Status{incidents.Operational, incidents.DegradedPerformance, incidents.PartialOutage, incidents.MajorOutage, incidents.UnderMaintenance}

// statusOptions are the statuses a component's row offers, with selected
// chosen.
func statusOptions(selected incidents.Status) []templates.Option {
	out := make([]templates.Option, len(statusChoices))
	for i, s := range statusChoices {
		out[i] = templates.Option{Value: string(s), Label: s.Label(), Selected: s == selected}
	}
	return out
}

// Components is what the per-component rows of an incident form say
// ("status.<id>", "percent.<id>", and the customers hit:
// "customers.<id>" or the file "customers_file.<id>"): the rows as typed,
// to show again, and the changes to post. A component belongs in the
// update when it is not operational, was affected before (and is now
// back), or names customers.
type Components struct {
	Fields  []templates.ComponentField  // every row, with its own error (see Attach)
	Changes []incidents.ComponentChange // the changes to post, in the rows' order
	ids     []string                    // component id of each change, by index
	// lines are, by component id, the line of each customer named.
	lines map[string][]int
}

// ReadComponents reads the rows of components (services names each
// component's service; current is the incident's state, nil for a new
// one). The error is errs.Malformed when the form cannot be read, else the
// first thing wrong: an errs.Invalid on an input of an unknown component,
// or on a row's "percent.<id>" (not a percentage, or a share other than 0
// on an operational row, unless it is the share the row was shown with) or
// "customers.<id>", which that row shows too; the rows come back with it,
// to be shown again.
func ReadComponents(c echo.Context, components []incidents.Component, services map[string]string, current map[string]incidents.ComponentStatus) (Components, error) {
	f := Components{lines: map[string][]int{}}
	var firstErr error
	known := make(map[string]bool, len(components))
	for _, comp := range components {
		known[comp.ID] = true
	}
	params, err := c.FormParams()
	if err != nil {
		return f, errs.Malformedf("", "the form could not be read: %v", err)
	}
	for key := range params {
		for _, prefix := range []string{"status.", "percent.", "customers."} {
			if id, ok := strings.CutPrefix(key, prefix); ok && !known[id] && firstErr == nil {
				firstErr = errs.Invalidf(key, "unknown component %q", id)
			}
		}
	}
	for _, comp := range components {
		statusRaw := c.FormValue("status." + comp.ID)
		percentRaw := strings.TrimSpace(c.FormValue("percent." + comp.ID))
		st := incidents.Status(statusRaw)
		if statusRaw == "" {
			st = incidents.Operational
		}
		field := templates.ComponentField{ID: comp.ID, Name: comp.Name, Service: services[comp.Service], Statuses: statusOptions(st), Percent: percentRaw}
		text, err := customersInput(c, comp.ID)
		field.Customers = text
		var customers []incidents.AffectedCustomer
		if err == nil {
			var lines []int
			if customers, lines, err = parseCustomerLines(text); err != nil {
				err = errs.Invalidf("customers."+comp.ID, "%s", err.Error())
			}
			f.lines[comp.ID] = lines
		}
		if err != nil {
			field.CustomersError = errs.MessageOf(err)
			if firstErr == nil {
				firstErr = err
			}
		}
		cur, wasAffected := current[comp.ID]
		if st == incidents.Operational && wasAffected && sameCustomers(cur.Customers, customers) {
			customers = nil // back to operational: the box still shows whom the impact named
		}
		if st == incidents.Operational && percentRaw != "" {
			// A share on an operational row is refused, not dropped,
			// unless it is the one the row was shown with (a component
			// going back to operational keeps its old share in the box).
			p, err := sla.ParsePercent(percentRaw)
			if err == nil && p != 0 && !(wasAffected && p == cur.AffectedPercent) {
				err = errs.Invalidf("", "%s%% given for an operational component: choose the status it is in, or leave the share empty", p)
			}
			if err != nil {
				field.Error = errs.MessageOf(err)
				if firstErr == nil {
					firstErr = errs.Prefix("percent."+comp.ID, err)
				}
			}
		}
		if st != incidents.Operational || wasAffected || len(customers) > 0 {
			ch := incidents.ComponentChange{Component: comp.ID, Status: st, Customers: customers}
			if percentRaw != "" && st != incidents.Operational {
				p, err := sla.ParsePercent(percentRaw)
				if err != nil {
					field.Error = errs.MessageOf(err)
					if firstErr == nil {
						firstErr = errs.Prefix("percent."+comp.ID, err)
					}
				}
				ch.AffectedPercent = &p
			}
			unchanged := wasAffected && cur.Status == st && (ch.AffectedPercent == nil || *ch.AffectedPercent == cur.AffectedPercent) &&
				sameCustomers(cur.Customers, customers)
			if !unchanged {
				f.ids = append(f.ids, comp.ID)
				f.Changes = append(f.Changes, ch)
			}
		}
		f.Fields = append(f.Fields, field)
	}
	return f, firstErr
}

var (
	componentsField = regexp.MustCompile(`^components\[(\d+)\]\.?(\w*)$`)
	customersField  = regexp.MustCompile(`^components\[(\d+)\]\.customers(?:\[(\d+)\](?:\.\w+)?)?$`)
)

// Attach puts a domain error about components[i] of the posted changes on
// that component's row (about its customers, on the row's customers box,
// with the line of the customer it names), and returns the form error with
// the field renamed to the row's inputs.
func (f *Components) Attach(err error) templates.FormError {
	field, msg := errs.FieldOf(err), errs.MessageOf(err)
	if m := customersField.FindStringSubmatch(field); m != nil {
		if i, _ := strconv.Atoi(m[1]); i < len(f.ids) {
			id := f.ids[i]
			field = "customers." + id
			if m[2] != "" {
				if j, _ := strconv.Atoi(m[2]); j < len(f.lines[id]) {
					msg = fmt.Sprintf("line %d: %s", f.lines[id][j], msg)
				}
			}
		}
	}
	if id, ok := strings.CutPrefix(field, "customers."); ok {
		for i := range f.Fields {
			if f.Fields[i].ID == id {
				f.Fields[i].CustomersError = msg
				return templates.FormError{
					Summary: "Please correct the field marked below: customers hit in " + f.Fields[i].Name + ", " + msg,
					Fields:  map[string]string{field: msg},
				}
			}
		}
	}
	fe := Error(err, func(field string) string {
		m := componentsField.FindStringSubmatch(field)
		if m == nil {
			return field
		}
		i, _ := strconv.Atoi(m[1])
		if i >= len(f.ids) {
			return field
		}
		if m[2] == "affected_percent" {
			return "percent." + f.ids[i]
		}
		return "status." + f.ids[i]
	})
	for name, msg := range fe.Fields {
		_, id, _ := strings.Cut(name, ".")
		for i := range f.Fields {
			if f.Fields[i].ID == id {
				f.Fields[i].Error = msg
			}
		}
	}
	return fe
}

// ComponentFields are the rows of components as an incident form first
// shows them: each component's current status, percentage and customers
// (operational and empty when current does not name it).
func ComponentFields(components []incidents.Component, services map[string]string, current map[string]incidents.ComponentStatus) []templates.ComponentField {
	out := make([]templates.ComponentField, 0, len(components))
	for _, comp := range components {
		st := incidents.Operational
		pct, customers := "", ""
		if cur, ok := current[comp.ID]; ok {
			st = cur.Status
			pct = cur.AffectedPercent.String()
			customers = customerLinesText(cur.Customers)
		}
		out = append(out, templates.ComponentField{ID: comp.ID, Name: comp.Name, Service: services[comp.Service], Statuses: statusOptions(st),
			Percent: pct, Customers: customers})
	}
	return out
}
