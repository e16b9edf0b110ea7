package incidents

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/amends/amends/internal/check"
	"github.com/amends/amends/internal/errs"
)

// Service is a product that customers buy, such as "ELB"; its components are
// the parts the status page reports on.
type Service struct {
	// ID is the service's key, such as "ELB": 1 to 40 letters, digits, "-"
	// or "_". It never changes.
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	// Position orders services on the page, lowest first.
	Position int `json:"position"`
	// ExternalID is the id of the component group an imported service was
	// on its Statuspage page, empty for a service declared here.
	ExternalID string `json:"external_id,omitempty"`
	// PageRows marks the service an import made for a Statuspage page's
	// ungrouped components: the Statuspage API lists them without a group.
	PageRows bool `json:"page_rows,omitempty"`
}

// Component is one part of a service in one place, such as ELB in
// us-east-1; incidents and maintenance name components.
type Component struct {
	// ID is the component's key, such as "elb-us-east-1": 1 to 64 lowercase
	// letters, digits or "-". It never changes.
	ID string `json:"id"`
	// Service is the ID of the service the component belongs to.
	Service string `json:"service"`
	Name    string `json:"name"`
	Region  string `json:"region"`
	// Zone is optional: "us-east-1a".
	Zone string `json:"zone,omitempty"`
	// Resources is the fleet size, 0 when not stated.
	Resources int64 `json:"resources"`
	// Group optionally gathers components under one heading on the page.
	Group string `json:"group,omitempty"`
	// Position orders components within their service and group.
	Position int `json:"position"`
	// ExternalID is the id an imported component had on its Statuspage
	// page, empty for a component declared here.
	ExternalID string `json:"external_id,omitempty"`
	// Listing holds the fields Statuspage gave an imported component, nil
	// for a component declared here.
	Listing *ComponentListing `json:"listing,omitempty"`
}

// ComponentListing is what a Statuspage page said about a component beyond
// its name and position, kept as given so the Statuspage API shows it
// again: nil and false where the page gave nothing.
type ComponentListing struct {
	Description *string `json:"description"`
	Showcase    bool    `json:"showcase"`
	// StartDate is a date, "2019-04-01", as Statuspage writes it.
	StartDate *string `json:"start_date"`
}

// Length limits, in characters.
const (
	MaxNameLen        = 100
	MaxDescriptionLen = 2000
	MaxTitleLen       = 200
	MaxMessageLen     = 20000
)

// Bounds of the catalogue's numbers: a component's resources and the
// position of a service or component.
const (
	MaxResources = 1_000_000_000 // 10^9
	MaxPosition  = 1_000_000     // 10^6, and at least -MaxPosition
)

var (
	serviceID   = regexp.MustCompile(`^[A-Za-z0-9_-]{1,40}$`)
	componentID = regexp.MustCompile(`^[a-z0-9-]{1,64}$`)
)

// Normalize trims the surrounding spaces from s's text fields.
func (s Service) Normalize() Service {
	s.ID = strings.TrimSpace(s.ID)
	s.Name = strings.TrimSpace(s.Name)
	s.Description = strings.TrimSpace(s.Description)
	return s
}

// Validate checks s (after Normalize) and returns an errs.Invalid naming the
// first field that breaks a rule: "id", "name", "description" or
// "position" (beyond ±MaxPosition).
func (s Service) Validate() error {
	s = s.Normalize()
	if s.ID == "" {
		return errs.Invalidf("id", "must not be empty")
	}
	if !serviceID.MatchString(s.ID) {
		return errs.Invalidf("id", "must be 1 to 40 letters, digits, \"-\" or \"_\"")
	}
	if err := text("name", s.Name, MaxNameLen, true); err != nil {
		return err
	}
	if err := position(s.Position); err != nil {
		return err
	}
	return bodyText("description", s.Description, MaxDescriptionLen, false)
}

// Normalize trims the surrounding spaces from c's text fields.
func (c Component) Normalize() Component {
	c.ID = strings.TrimSpace(c.ID)
	c.Service = strings.TrimSpace(c.Service)
	c.Name = strings.TrimSpace(c.Name)
	c.Region = strings.TrimSpace(c.Region)
	c.Zone = strings.TrimSpace(c.Zone)
	c.Group = strings.TrimSpace(c.Group)
	return c
}

// Validate checks c (after Normalize) and returns an errs.Invalid naming the
// first field that breaks a rule: "id", "service", "name", "region", "zone",
// "resources" (below 0 or above MaxResources), "position" (beyond
// ±MaxPosition) or "group". Whether the service exists is for the Store.
func (c Component) Validate() error {
	c = c.Normalize()
	if c.ID == "" {
		return errs.Invalidf("id", "must not be empty")
	}
	if !componentID.MatchString(c.ID) {
		return errs.Invalidf("id", "must be 1 to 64 lowercase letters, digits or \"-\"")
	}
	if c.Service == "" {
		return errs.Invalidf("service", "must not be empty")
	}
	if err := text("name", c.Name, MaxNameLen, true); err != nil {
		return err
	}
	if err := text("region", c.Region, MaxNameLen, true); err != nil {
		return err
	}
	if err := text("zone", c.Zone, MaxNameLen, false); err != nil {
		return err
	}
	if c.Resources < 0 {
		return errs.Invalidf("resources", "must not be negative")
	}
	if c.Resources > MaxResources {
		return errs.Invalidf("resources", "%d is more than %d", c.Resources, MaxResources)
	}
	if err := position(c.Position); err != nil {
		return err
	}
	return text("group", c.Group, MaxNameLen, false)
}

// position checks a service's or component's position.
func position(n int) error {
	if n > MaxPosition || n < -MaxPosition {
		return errs.Invalidf("position", "%d is outside -%d to %d", n, MaxPosition, MaxPosition)
	}
	return nil
}

// text checks a one-line text field (a title, a name): present if
// required, at most limit characters, and check.Line.
func text(field, s string, limit int, required bool) error {
	return textOf(field, s, limit, required, check.Line)
}

// bodyText checks a multi-line text field (a message): present if required, at
// most limit characters, and check.Body.
func bodyText(field, s string, limit int, required bool) error {
	return textOf(field, s, limit, required, check.Body)
}

func textOf(field, s string, limit int, required bool, chars func(field, s string) error) error {
	if required && strings.TrimSpace(s) == "" {
		return errs.Invalidf(field, "must not be empty")
	}
	if err := chars(field, s); err != nil {
		return err
	}
	if utf8.RuneCountInString(s) > limit {
		return errs.Invalidf(field, "is longer than %d characters", limit)
	}
	return nil
}
