package templates

// IncidentTemplatesPage is "/admin/incident-templates": the incident
// templates by name, each with the link that declares from it.
type IncidentTemplatesPage struct {
	Page
	Rows []IncidentTemplateRow
}

// IncidentTemplateRow is one template in the list.
type IncidentTemplateRow struct {
	Name       string
	Title      string
	Impact     string
	Components string // "Load balancers (us-east-1): Partial outage 6.8%, ..." or "None"
	Updated    Time
	EditURL    string
	DeclareURL string // the declare form filled from it
}

// IncidentTemplateForm is "/admin/incident-templates/new" and
// "/admin/incident-templates/{id}": a template's fields, the component
// rows of the declare form (without customers), and for a stored one the
// delete button.
type IncidentTemplateForm struct {
	Page
	Heading      string
	Action       string // where the form posts
	DeleteAction string // "" for a new template
	DeclareURL   string // "" for a new template
	Name         string
	Title        string
	Impacts      []Option
	Message      string
	Components   []ComponentField
	Services     []ServiceField
	NoComponents bool
	Error        FormError
}
