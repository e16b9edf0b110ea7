package web

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
	"github.com/amends/amends/templates"
)

// formTimeLayouts are the instants a form accepts, all read as UTC unless
// they carry an offset.
var formTimeLayouts = []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02 15:04:05"}

// parseFormTime reads an optional instant from a form field.
func parseFormTime(field, raw string) (*time.Time, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, nil
	}
	for _, layout := range formTimeLayouts {
		if t, err := time.ParseInLocation(layout, raw, time.UTC); err == nil {
			t = t.UTC()
			return &t, nil
		}
	}
	return nil, errs.Invalidf(field, "%q is not a time; write it as 2012-12-24 20:24 (UTC)", raw)
}

// requiredFormTime is parseFormTime for a field that must be filled.
func requiredFormTime(field, raw string) (time.Time, error) {
	t, err := parseFormTime(field, raw)
	if err != nil {
		return time.Time{}, err
	}
	if t == nil {
		return time.Time{}, errs.Invalidf(field, "is required")
	}
	return *t, nil
}

var statusChoices = []incidents.Status{incidents.Operational, incidents.DegradedPerformance, incidents.PartialOutage, incidents.MajorOutage, incidents.UnderMaintenance}

func statusOptions(selected incidents.Status) []templates.Option {
	out := make([]templates.Option, len(statusChoices))
	for i, s := range statusChoices {
		out[i] = templates.Option{Value: string(s), Label: s.Label(), Selected: s == selected}
	}
	return out
}

// componentForm reads the per-component rows of an incident form
// ("status.<id>", "percent.<id>", and the customers hit:
// "customers.<id>" or the file "customers_file.<id>") and turns them into
// the changes to post. A component belongs in the update when it is not
// operational, was affected before (and is now back), or names customers.
type componentForm struct {
	fields []templates.ComponentField
	ids    []string // component id of each change, by index
	change []incidents.ComponentChange
	// lines are, by component id, the line of each customer named.
	lines map[string][]int
}

func readComponentForm(c echo.Context, components []incidents.Component, services map[string]string, current map[string]incidents.ComponentStatus) (componentForm, error) {
	f := componentForm{lines: map[string][]int{}}
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
				f.change = append(f.change, ch)
			}
		}
		f.fields = append(f.fields, field)
	}
	return f, firstErr
}

var (
	componentsField = regexp.MustCompile(`^components\[(\d+)\]\.?(\w*)$`)
	customersField  = regexp.MustCompile(`^components\[(\d+)\]\.customers(?:\[(\d+)\](?:\.\w+)?)?$`)
)

// attach puts a domain error about components[i] on that component's row
// (about its customers, on the row's customers box, with the line of the
// customer it names), and returns the form error with the field renamed
// to the row's inputs.
func (f *componentForm) attach(err error) templates.FormError {
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
		for i := range f.fields {
			if f.fields[i].ID == id {
				f.fields[i].CustomersError = msg
				return templates.FormError{
					Summary: "Please correct the field marked below: customers hit in " + f.fields[i].Name + ", " + msg,
					Fields:  map[string]string{field: msg},
				}
			}
		}
	}
	fe := formError(err, func(field string) string {
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
		for i := range f.fields {
			if f.fields[i].ID == id {
				f.fields[i].Error = msg
			}
		}
	}
	return fe
}

func emptyComponentFields(components []incidents.Component, services map[string]string, current map[string]incidents.ComponentStatus) []templates.ComponentField {
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
