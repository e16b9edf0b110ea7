package incidents

import (
	"fmt"
	"strings"
	"time"

	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
)

// Template is a ready start for the declare form, kept by support for the
// incidents that recur ("Elevated error rates in one region"): the title,
// impact and first message to begin from, and the components it usually
// affects with their status and share. Declaring from a template copies
// it into the form, where anything may still be changed; a template is
// configuration, not history, so it may be edited or deleted.
type Template struct {
	ID int64 `json:"id"`
	// Name is how the template is chosen, unique (ignoring ASCII case).
	Name    string `json:"name"`
	Title   string `json:"title"`
	Impact  Impact `json:"impact"`
	Message string `json:"message"`
	// Components are the components it affects, in the order given.
	Components []TemplateComponent `json:"components"`
	// NoComponents says an incident from it affects no component.
	NoComponents bool      `json:"no_components"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// TemplateComponent is one component a template sets, and the share of
// its resources affected.
type TemplateComponent struct {
	Component       string      `json:"component"`
	Status          Status      `json:"status"`
	AffectedPercent sla.Percent `json:"affected_percent"`
}

// TemplateInput is a template as written through the API or a form.
type TemplateInput struct {
	Name  string `json:"name"`
	Title string `json:"title"`
	// Impact defaults, like an incident's, to the one that matches the
	// worst status set.
	Impact     Impact             `json:"impact"`
	Message    string             `json:"message"`
	Components []TemplateChangeIn `json:"components"`
	// NoComponents: see Template.
	NoComponents bool `json:"no_components"`
}

// TemplateChangeIn is one component of a TemplateInput; AffectedPercent
// defaults to 100.
type TemplateChangeIn struct {
	Component       string       `json:"component"`
	Status          Status       `json:"status"`
	AffectedPercent *sla.Percent `json:"affected_percent,omitempty"`
}

// MaxTemplateComponents is how many components one template may set.
const MaxTemplateComponents = 1000

// NewTemplate checks in and returns the template it describes (ID and
// instants zero; whether its components exist is for the Store). Every
// error is an errs.Invalid naming the field: "name", "title", "impact",
// "message", "components", "components[i].component", ".status",
// ".affected_percent", "no_components". The rules are the declare form's:
// an incident declared from the template as it stands would be accepted.
// A template names only the components it affects: an operational one is
// refused, not dropped.
func NewTemplate(in TemplateInput) (Template, error) {
	t := Template{
		Name:         strings.TrimSpace(in.Name),
		Title:        strings.TrimSpace(in.Title),
		Impact:       in.Impact,
		NoComponents: in.NoComponents,
	}
	if err := text("name", t.Name, MaxNameLen, true); err != nil {
		return Template{}, err
	}
	if err := text("title", t.Title, MaxTitleLen, true); err != nil {
		return Template{}, err
	}
	if t.Impact != "" && !t.Impact.Valid() {
		return Template{}, errs.Invalidf("impact", "%q is not an impact", t.Impact)
	}
	message, err := checkMessage(in.Message)
	if err != nil {
		return Template{}, err
	}
	t.Message = message
	if len(in.Components) > MaxTemplateComponents {
		return Template{}, errs.Invalidf("components", "names %d components, more than %d", len(in.Components), MaxTemplateComponents)
	}
	seen := map[string]bool{}
	var worst []Status
	for i, ch := range in.Components {
		field := fmt.Sprintf("components[%d]", i)
		if ch.Status == Operational {
			return Template{}, errs.Invalidf(field+".status", "a template names only the components it affects: leave operational ones out")
		}
		cs, err := ComponentChange{Component: ch.Component, Status: ch.Status, AffectedPercent: ch.AffectedPercent}.status(false)
		if err != nil {
			return Template{}, errs.Prefix(field, err)
		}
		if len(cs.Component) > 64 {
			return Template{}, errs.Invalidf(field+".component", "is longer than 64 characters")
		}
		if seen[cs.Component] {
			return Template{}, errs.Invalidf(field+".component", "appears twice")
		}
		seen[cs.Component] = true
		t.Components = append(t.Components, TemplateComponent{Component: cs.Component, Status: cs.Status, AffectedPercent: cs.AffectedPercent})
		worst = append(worst, cs.Status)
	}
	switch {
	case t.NoComponents && len(t.Components) > 0:
		return Template{}, errs.Invalidf("no_components", "is set, but components[0] (%s) is %s: give one or the other", t.Components[0].Component, t.Components[0].Status)
	case !t.NoComponents && len(t.Components) == 0:
		return Template{}, errs.Invalidf("components", "set at least one component's status, or say that the incident affects none (no_components)")
	}
	if t.Impact == "" {
		t.Impact = impactOf(Worst(worst...))
	}
	return t, nil
}

// Input is t as the input of the same template, for an edit that starts
// from it.
func (t Template) Input() TemplateInput {
	in := TemplateInput{Name: t.Name, Title: t.Title, Impact: t.Impact, Message: t.Message, NoComponents: t.NoComponents}
	for _, c := range t.Components {
		p := c.AffectedPercent
		in.Components = append(in.Components, TemplateChangeIn{Component: c.Component, Status: c.Status, AffectedPercent: &p})
	}
	return in
}
