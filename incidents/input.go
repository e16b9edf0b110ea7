package incidents

import (
	"fmt"
	"strings"
	"time"

	"github.com/amends/amends/internal/check"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
)

// ClockSkew is how far in the future an instant given as input may be, so
// that a writer whose clock runs a little fast is not refused.
const ClockSkew = time.Minute

// IncidentInput declares an incident. Its message, phase and components
// become the incident's first update.
type IncidentInput struct {
	Title string `json:"title"`
	// Impact defaults to the one that matches the worst status set:
	// critical for major_outage, major for partial_outage, minor for
	// degraded_performance, none otherwise.
	Impact Impact `json:"impact"`
	// Phase defaults to investigating.
	Phase   Phase  `json:"phase"`
	Message string `json:"message"`
	// StartedAt backfills the start; it defaults to now.
	StartedAt  *time.Time        `json:"started_at,omitempty"`
	Excluded   bool              `json:"excluded"`
	Components []ComponentChange `json:"components"`
	// NoComponents says that the incident affects no component: without
	// it, an incident must set at least one component to a status other
	// than operational, so that none is declared by leaving every
	// component as it was by mistake.
	NoComponents bool `json:"no_components"`
}

// UpdateInput is a new entry of an incident's timeline.
type UpdateInput struct {
	// Phase defaults to the incident's current phase.
	Phase   Phase  `json:"phase"`
	Message string `json:"message"`
	// At backfills the instant; it defaults to now.
	At         *time.Time        `json:"at,omitempty"`
	Components []ComponentChange `json:"components"`
}

// ComponentChange sets one component's status.
type ComponentChange struct {
	Component string `json:"component"`
	Status    Status `json:"status"`
	// AffectedPercent defaults to 100 for a non-operational status and 0
	// for operational.
	AffectedPercent *sla.Percent `json:"affected_percent,omitempty"`
	// Customers names the customers hit, each at most once, with how many
	// of its resources in the component (nil: all, else 0 or more). Only a
	// non-operational status names customers. Whether they exist is for
	// the caller (the credit desk keeps them).
	Customers []AffectedCustomer `json:"customers,omitempty"`
}

// MaintenanceInput schedules a maintenance.
type MaintenanceInput struct {
	Title      string    `json:"title"`
	Message    string    `json:"message"`
	Components []string  `json:"components"`
	StartsAt   time.Time `json:"starts_at"`
	EndsAt     time.Time `json:"ends_at"`
	// AnnouncedAt backfills the announcement; it defaults to now.
	AnnouncedAt *time.Time `json:"announced_at,omitempty"`
}

// instant is how every stored instant is kept: UTC, whole seconds.
func instant(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }

// NewIncident checks in and returns the incident it declares, with its
// first update written by actor, ready to store: IDs are zero, and whether
// the named components exist is for the Store. Every error is an
// errs.Invalid naming the field: "title", "impact", "phase", "message",
// "started_at", "components[i].component" and so on. A new incident may
// start resolved (a backfilled note); it then ends at its start.
func NewIncident(actor string, in IncidentInput, now time.Time) (Incident, error) {
	now = instant(now)
	title := strings.TrimSpace(in.Title)
	if err := text("title", title, MaxTitleLen, true); err != nil {
		return Incident{}, err
	}
	if in.Impact != "" && !in.Impact.Valid() {
		return Incident{}, errs.Invalidf("impact", "%q is not an impact", in.Impact)
	}
	phase := in.Phase
	if phase == "" {
		phase = Investigating
	}
	if !phase.Valid() {
		return Incident{}, errs.Invalidf("phase", "%q is not a phase", phase)
	}
	message, err := checkMessage(in.Message)
	if err != nil {
		return Incident{}, err
	}
	started := now
	if in.StartedAt != nil {
		if in.StartedAt.IsZero() {
			return Incident{}, errs.Invalidf("started_at", "must not be empty")
		}
		started = instant(*in.StartedAt)
		if started.After(now.Add(ClockSkew)) {
			return Incident{}, errs.Invalidf("started_at", "is in the future")
		}
		if err := check.Since("started_at", started); err != nil {
			return Incident{}, err
		}
	}
	components, err := changes(in.Components, phase == Resolved, nil)
	if err != nil {
		return Incident{}, err
	}
	if err := checkAffects(in.NoComponents, components, phase == Resolved); err != nil {
		return Incident{}, err
	}
	impact := in.Impact
	if impact == "" {
		var worst []Status
		for _, cs := range components {
			worst = append(worst, cs.Status)
		}
		impact = impactOf(Worst(worst...))
	}
	inc := Incident{
		Title:     title,
		Impact:    impact,
		Phase:     phase,
		StartedAt: started,
		Excluded:  in.Excluded,
		CreatedAt: now,
		UpdatedAt: now,
		Updates: []Update{{
			Phase:      phase,
			Message:    message,
			At:         started,
			CreatedAt:  now,
			Author:     actor,
			Components: components,
		}},
	}
	if phase == Resolved {
		inc.ResolvedAt = &started
	}
	return inc, nil
}

// checkAffects is the rule that an incident says what it affects: at
// least one component set to a status other than operational, or, with
// noComponents, none. A resolved one (a past incident recorded after the
// fact) affects nothing now, and needs neither.
func checkAffects(noComponents bool, components []ComponentStatus, resolved bool) error {
	affects := -1
	for i, cs := range components {
		if cs.Status != Operational && affects < 0 {
			affects = i
		}
	}
	switch {
	case noComponents && affects >= 0:
		return errs.Invalidf("no_components", "is set, but components[%d] (%s) is %s: give one or the other", affects, components[affects].Component, components[affects].Status)
	case !noComponents && affects < 0 && !resolved:
		return errs.Invalidf("components", "set at least one component's status, or say that the incident affects none (no_components)")
	}
	return nil
}

// Apply checks in against inc and returns inc with the new update appended
// (its ID zero) and its phase, resolution and UpdatedAt moved on; inc itself
// is not changed. An update to a resolved incident is an errs.Conflict. The
// phase may stay or move forward, never back; a given At may not be before
// the start or the previous update, nor more than ClockSkew after now, and
// an update without At is stamped now or, if the previous update is later
// (a racing writer committed first), at the previous update's instant. A
// resolving update sets ResolvedAt to its At, may only set components to
// operational, and returns every component still affected to operational
// (it records that in its Components).
func (inc Incident) Apply(actor string, in UpdateInput, now time.Time) (Incident, error) {
	now = instant(now)
	if !inc.Active() {
		return Incident{}, errs.Conflictf("incident %d is resolved: it takes no more updates", inc.ID)
	}
	phase := in.Phase
	if phase == "" {
		phase = inc.Phase
	}
	if !phase.Valid() {
		return Incident{}, errs.Invalidf("phase", "%q is not a phase", phase)
	}
	if phase.Rank() < inc.Phase.Rank() {
		return Incident{}, errs.Invalidf("phase", "cannot go back from %s to %s", inc.Phase, phase)
	}
	message, err := checkMessage(in.Message)
	if err != nil {
		return Incident{}, err
	}
	at := now
	if in.At == nil {
		// Stamped now, but never before the previous update: a writer
		// whose now was read before a racing update committed is not
		// refused, and the timeline stays in order. The Store calls
		// Apply inside its writing transaction, on the incident as
		// stored then.
		if last := inc.Latest().At; len(inc.Updates) > 0 && last.After(at) {
			at = last
		}
	} else {
		if in.At.IsZero() {
			return Incident{}, errs.Invalidf("at", "must not be empty")
		}
		at = instant(*in.At)
		if at.After(now.Add(ClockSkew)) {
			return Incident{}, errs.Invalidf("at", "is in the future")
		}
		if err := check.Since("at", at); err != nil {
			return Incident{}, err
		}
	}
	if at.Before(inc.StartedAt) {
		return Incident{}, errs.Invalidf("at", "is before the incident started (%s)", inc.StartedAt.UTC().Format(time.RFC3339))
	}
	if len(inc.Updates) > 0 && at.Before(inc.Latest().At) {
		return Incident{}, errs.Invalidf("at", "is before the previous update")
	}
	resolving := phase == Resolved
	var still []ComponentStatus
	if resolving {
		still = inc.ComponentStates()
	}
	components, err := changes(in.Components, resolving, still)
	if err != nil {
		return Incident{}, err
	}
	out := inc
	out.Updates = append(append([]Update(nil), inc.Updates...), Update{
		IncidentID: inc.ID,
		Phase:      phase,
		Message:    message,
		At:         at,
		CreatedAt:  now,
		Author:     actor,
		Components: components,
	})
	out.Phase = phase
	out.UpdatedAt = now
	if resolving {
		out.ResolvedAt = &at
	}
	return out, nil
}

func checkMessage(s string) (string, error) {
	s = strings.TrimSpace(s)
	return s, bodyText("message", s, MaxMessageLen, true)
}

// changes checks the component changes of an update and returns the
// statuses it sets, with default shares filled in. When resolving, only
// operational may be set, and every component in still (the ones still
// affected) not named is set back to operational too.
func changes(in []ComponentChange, resolving bool, still []ComponentStatus) ([]ComponentStatus, error) {
	out := make([]ComponentStatus, 0, len(in)+len(still))
	seen := map[string]bool{}
	for i, ch := range in {
		field := fmt.Sprintf("components[%d]", i)
		cs, err := ch.status(resolving)
		if err != nil {
			return nil, errs.Prefix(field, err)
		}
		if seen[cs.Component] {
			return nil, errs.Invalidf(field+".component", "appears twice")
		}
		seen[cs.Component] = true
		out = append(out, cs)
	}
	for _, cs := range still {
		if !seen[cs.Component] {
			out = append(out, ComponentStatus{Component: cs.Component, Status: Operational})
		}
	}
	return out, nil
}

// status checks one change and returns the status it sets.
func (ch ComponentChange) status(resolving bool) (ComponentStatus, error) {
	id := strings.TrimSpace(ch.Component)
	if id == "" {
		return ComponentStatus{}, errs.Invalidf("component", "must not be empty")
	}
	if ch.Status == "" {
		return ComponentStatus{}, errs.Invalidf("status", "must not be empty")
	}
	if !ch.Status.Valid() {
		return ComponentStatus{}, errs.Invalidf("status", "%q is not a status", ch.Status)
	}
	if resolving && ch.Status != Operational {
		return ComponentStatus{}, errs.Invalidf("status", "must be operational in a resolving update, which returns every component to operational")
	}
	pct := sla.Percent(0)
	if ch.Status != Operational {
		pct = sla.Hundred
	}
	if ch.AffectedPercent != nil {
		pct = *ch.AffectedPercent
		if err := pct.Validate(); err != nil {
			return ComponentStatus{}, errs.Prefix("affected_percent", err)
		}
		if ch.Status == Operational && pct != 0 {
			return ComponentStatus{}, errs.Invalidf("affected_percent", "must be 0 for an operational component")
		}
	}
	customers, err := affectedCustomers(ch.Customers, ch.Status)
	if err != nil {
		return ComponentStatus{}, err
	}
	return ComponentStatus{Component: id, Status: ch.Status, AffectedPercent: pct, Customers: customers}, nil
}

// MaxAffectedCustomers is how many customers one component change may name.
const MaxAffectedCustomers = 10000

// affectedCustomers checks the customers a change names: errs.Invalid on
// "customers", "customers[i].customer" (empty, too long, twice) or
// "customers[i].affected_resources" (below 0).
func affectedCustomers(in []AffectedCustomer, st Status) ([]AffectedCustomer, error) {
	if len(in) == 0 {
		return nil, nil
	}
	if st == Operational {
		return nil, errs.Invalidf("customers", "must be empty for an operational component")
	}
	if len(in) > MaxAffectedCustomers {
		return nil, errs.Invalidf("customers", "names %d customers, more than %d", len(in), MaxAffectedCustomers)
	}
	out := make([]AffectedCustomer, len(in))
	seen := make(map[string]bool, len(in))
	for i, ac := range in {
		field := fmt.Sprintf("customers[%d]", i)
		id := strings.TrimSpace(ac.Customer)
		if id == "" {
			return nil, errs.Invalidf(field+".customer", "must not be empty")
		}
		if len(id) > 64 {
			return nil, errs.Invalidf(field+".customer", "is longer than 64 characters")
		}
		if seen[id] {
			return nil, errs.Invalidf(field+".customer", "%q appears twice", id)
		}
		seen[id] = true
		if ac.AffectedResources != nil && *ac.AffectedResources < 0 {
			return nil, errs.Invalidf(field+".affected_resources", "%d is below 0", *ac.AffectedResources)
		}
		out[i] = AffectedCustomer{Customer: id}
		if ac.AffectedResources != nil {
			n := *ac.AffectedResources
			out[i].AffectedResources = &n
		}
	}
	return out, nil
}
