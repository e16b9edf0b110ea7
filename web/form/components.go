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
	Fields   []templates.ComponentField  // every row, with its own error (see Attach)
	Services []templates.ServiceField    // the "set whole service" rows, as typed
	Changes  []incidents.ComponentChange // the changes to post, in the rows' order
	ids      []string                    // component id of each change, by index
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
		for _, prefix := range []string{"service_status.", "service_percent."} {
			if id, ok := strings.CutPrefix(key, prefix); ok && (id == "" || services[id] == "") && firstErr == nil {
				firstErr = errs.Invalidf(key, "unknown service %q", id)
			}
		}
	}
	wholes, err := readServiceRows(c, components, services)
	if err != nil && firstErr == nil {
		firstErr = err
	}
	for _, comp := range components {
		statusRaw := c.FormValue("status." + comp.ID)
		percentRaw := strings.TrimSpace(c.FormValue("percent." + comp.ID))
		shown := percentRaw
		st := incidents.Status(statusRaw)
		whole, grouped := wholes[comp.Service]
		switch {
		case statusRaw == "" && grouped:
			// "As the service": the whole-service row decides, its
			// share included unless the row gives its own.
			st = whole.status
			if percentRaw == "" && whole.err == nil {
				percentRaw = whole.percent
			}
		case statusRaw == "":
			st = incidents.Operational
		}
		field := templates.ComponentField{ID: comp.ID, Name: comp.Name, Service: services[comp.Service], ServiceID: comp.Service,
			Statuses: rowStatusOptions(statusRaw, grouped), Percent: shown}
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
	f.Services = serviceFields(f.Fields, wholes)
	return f, firstErr
}

// wholeService is what a "set whole service" row says.
type wholeService struct {
	raw     string // the status as posted
	status  incidents.Status
	percent string
	err     error
}

// readServiceRows reads the "set whole service" row of every service that
// components belong to: "service_status.<id>" (empty or absent is
// operational) and "service_percent.<id>". The error is the first row's
// that is wrong, an Invalid on "service_percent.<id>" (not a percentage,
// or a share on an operational service).
func readServiceRows(c echo.Context, components []incidents.Component, services map[string]string) (map[string]wholeService, error) {
	out := map[string]wholeService{}
	var firstErr error
	for _, comp := range components {
		if _, seen := out[comp.Service]; seen || comp.Service == "" || services[comp.Service] == "" {
			continue
		}
		w := wholeService{raw: c.FormValue("service_status." + comp.Service), percent: strings.TrimSpace(c.FormValue("service_percent." + comp.Service))}
		w.status = incidents.Status(w.raw)
		if w.raw == "" {
			w.status = incidents.Operational
		}
		if w.percent != "" {
			p, err := sla.ParsePercent(w.percent)
			if err == nil && p != 0 && w.status == incidents.Operational {
				err = errs.Invalidf("", "%s%% given for an operational service: choose the status its components are in, or leave the share empty", p)
			}
			if err != nil {
				w.err = errs.Prefix("service_percent."+comp.Service, err)
				if firstErr == nil {
					firstErr = w.err
				}
			}
		}
		out[comp.Service] = w
	}
	return out, firstErr
}

// asService is the value of a component row's status that leaves it to
// its service's row.
const asService = ""

// rowStatusOptions are a component row's statuses with selected chosen;
// a row in a service's group first offers "As the service".
func rowStatusOptions(selected string, grouped bool) []templates.Option {
	if !grouped {
		if selected == asService {
			selected = string(incidents.Operational)
		}
		return statusOptions(incidents.Status(selected))
	}
	return append([]templates.Option{{Value: asService, Label: "As the service", Selected: selected == asService}},
		statusOptions(incidents.Status(selected))...)
}

// serviceFields are the "set whole service" rows for the groups of rows,
// in the rows' order, with what wholes says of each (nothing: operational).
func serviceFields(rows []templates.ComponentField, wholes map[string]wholeService) []templates.ServiceField {
	var out []templates.ServiceField
	at := map[string]int{}
	for _, r := range rows {
		if r.ServiceID == "" {
			continue
		}
		i, ok := at[r.ServiceID]
		if !ok {
			w := wholes[r.ServiceID]
			sf := templates.ServiceField{ID: r.ServiceID, Name: r.Service, Statuses: statusOptions(w.status), Percent: w.percent}
			if w.raw == "" {
				sf.Statuses = statusOptions(incidents.Operational)
			}
			if w.err != nil {
				sf.Error = errs.MessageOf(w.err)
			}
			sf.Open = (w.raw != "" && w.status != incidents.Operational) || w.percent != "" || sf.Error != ""
			i = len(out)
			at[r.ServiceID] = i
			out = append(out, sf)
		}
		if rowSet(r) {
			out[i].Open = true
		}
	}
	counts := map[string][2]int{}
	for _, r := range rows {
		n := counts[r.ServiceID]
		n[0]++
		if rowAffected(r) {
			n[1]++
		}
		counts[r.ServiceID] = n
	}
	for i := range out {
		n := counts[out[i].ID]
		switch {
		case n[1] == 0:
			out[i].Summary = fmt.Sprintf("%d components, none set", n[0])
		default:
			out[i].Summary = fmt.Sprintf("%d of %d components set", n[1], n[0])
		}
	}
	return out
}

// selectedStatus is the value a row's status select has chosen.
func selectedStatus(r templates.ComponentField) string {
	for _, o := range r.Statuses {
		if o.Selected {
			return o.Value
		}
	}
	return asService
}

// rowAffected reports whether a row sets a status other than operational.
func rowAffected(r templates.ComponentField) bool {
	st := selectedStatus(r)
	return st != asService && st != string(incidents.Operational)
}

// rowSet reports whether anything in a row is set or wrong, so that its
// group starts unfolded.
func rowSet(r templates.ComponentField) bool {
	return rowAffected(r) || r.Percent != "" || r.Customers != "" || r.Error != "" || r.CustomersError != ""
}

// ServiceFields are the "set whole service" rows of an incident form as
// first shown (every service operational), for the rows of
// ComponentFields.
func ServiceFields(rows []templates.ComponentField) []templates.ServiceField {
	return serviceFields(rows, nil)
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
		kind, id, _ := strings.Cut(name, ".")
		if kind != "status" && kind != "percent" {
			continue
		}
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
		grouped := comp.Service != "" && services[comp.Service] != ""
		sel := string(st)
		if _, ok := current[comp.ID]; !ok && grouped {
			sel = asService
		}
		out = append(out, templates.ComponentField{ID: comp.ID, Name: comp.Name, Service: services[comp.Service], ServiceID: comp.Service,
			Statuses: rowStatusOptions(sel, grouped), Percent: pct, Customers: customers})
	}
	return out
}
