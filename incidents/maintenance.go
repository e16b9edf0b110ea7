package incidents

import (
	"fmt"
	"strings"
	"time"

	"github.com/amends/amends/internal/check"
	"github.com/amends/amends/internal/errs"
)

// Maintenance is planned work on some components during a window.
type Maintenance struct {
	ID         int64    `json:"id"`
	Title      string   `json:"title"`
	Message    string   `json:"message"`
	Components []string `json:"components"`
	// StartsAt and EndsAt are the planned window, EndsAt after StartsAt.
	StartsAt    time.Time `json:"starts_at"`
	EndsAt      time.Time `json:"ends_at"`
	AnnouncedAt time.Time `json:"announced_at"`
	// Phase is the phase as stored, advanced explicitly; the phase that
	// counts is PhaseAt(now).
	Phase     MaintenancePhase `json:"phase"`
	CreatedAt time.Time        `json:"created_at"`
	Author    string           `json:"author"`
}

// PhaseAt returns the maintenance's phase at now: the later of the stored
// phase and the phase by the clock (scheduled before StartsAt, in progress
// from StartsAt until EndsAt, completed from EndsAt).
func (m Maintenance) PhaseAt(now time.Time) MaintenancePhase {
	byTime := Scheduled
	switch {
	case !now.Before(m.EndsAt):
		byTime = Completed
	case !now.Before(m.StartsAt):
		byTime = InProgress
	}
	if m.Phase.Rank() > byTime.Rank() {
		return m.Phase
	}
	return byTime
}

// NewMaintenance checks in and returns the maintenance it schedules,
// written by actor, ready to store: ID zero, phase scheduled, and whether
// the components exist is for the Store. Errors are errs.Invalid naming
// "title", "message", "components", "components[i]", "starts_at", "ends_at"
// or "announced_at". The window may be in the past (backfill), but not
// before check.Earliest nor more than check.YearsAhead years ahead.
func NewMaintenance(actor string, in MaintenanceInput, now time.Time) (Maintenance, error) {
	now = instant(now)
	title := strings.TrimSpace(in.Title)
	if err := text("title", title, MaxTitleLen, true); err != nil {
		return Maintenance{}, err
	}
	message := strings.TrimSpace(in.Message)
	if err := bodyText("message", message, MaxMessageLen, false); err != nil {
		return Maintenance{}, err
	}
	if len(in.Components) == 0 {
		return Maintenance{}, errs.Invalidf("components", "must name at least one component")
	}
	components := make([]string, 0, len(in.Components))
	seen := map[string]bool{}
	for i, c := range in.Components {
		field := fmt.Sprintf("components[%d]", i)
		c = strings.TrimSpace(c)
		if c == "" {
			return Maintenance{}, errs.Invalidf(field, "must not be empty")
		}
		if seen[c] {
			return Maintenance{}, errs.Invalidf(field, "appears twice")
		}
		seen[c] = true
		components = append(components, c)
	}
	if in.StartsAt.IsZero() {
		return Maintenance{}, errs.Invalidf("starts_at", "must not be empty")
	}
	if in.EndsAt.IsZero() {
		return Maintenance{}, errs.Invalidf("ends_at", "must not be empty")
	}
	starts, ends := instant(in.StartsAt), instant(in.EndsAt)
	if err := check.Instant("starts_at", starts, now); err != nil {
		return Maintenance{}, err
	}
	if err := check.Instant("ends_at", ends, now); err != nil {
		return Maintenance{}, err
	}
	if !ends.After(starts) {
		return Maintenance{}, errs.Invalidf("ends_at", "must be after starts_at")
	}
	announced := now
	if in.AnnouncedAt != nil {
		if in.AnnouncedAt.IsZero() {
			return Maintenance{}, errs.Invalidf("announced_at", "must not be empty")
		}
		announced = instant(*in.AnnouncedAt)
		if announced.After(now.Add(ClockSkew)) {
			return Maintenance{}, errs.Invalidf("announced_at", "is in the future")
		}
		if err := check.Since("announced_at", announced); err != nil {
			return Maintenance{}, err
		}
	}
	return Maintenance{
		Title:       title,
		Message:     message,
		Components:  components,
		StartsAt:    starts,
		EndsAt:      ends,
		AnnouncedAt: announced,
		Phase:       Scheduled,
		CreatedAt:   now,
		Author:      actor,
	}, nil
}

// Advance returns m with its stored phase moved to to. The move must go
// forward from PhaseAt(now): an unknown phase is an errs.Invalid on "phase",
// the same or an earlier one an errs.Conflict. m itself is not changed.
func (m Maintenance) Advance(to MaintenancePhase, now time.Time) (Maintenance, error) {
	if !to.Valid() {
		return Maintenance{}, errs.Invalidf("phase", "%q is not a maintenance phase", to)
	}
	if cur := m.PhaseAt(instant(now)); to.Rank() <= cur.Rank() {
		return Maintenance{}, errs.Conflictf("maintenance %d is already %s", m.ID, strings.ToLower(cur.Label()))
	}
	m.Components = append([]string(nil), m.Components...)
	m.Phase = to
	return m, nil
}

// CurrentStatuses returns the status of every component at now: the worst
// of what is active then, operational if nothing is. Active incidents count
// with their ComponentStates (resolved ones are ignored); a maintenance in
// progress at now puts its components under maintenance. Components that
// are not in components are left out.
func CurrentStatuses(components []Component, active []Incident, maintenances []Maintenance, now time.Time) map[string]Status {
	out := make(map[string]Status, len(components))
	for _, c := range components {
		out[c.ID] = Operational
	}
	raise := func(id string, s Status) {
		if cur, ok := out[id]; ok && s.Severity() > cur.Severity() {
			out[id] = s
		}
	}
	for _, inc := range active {
		for _, cs := range inc.ComponentStates() {
			raise(cs.Component, cs.Status)
		}
	}
	for _, m := range maintenances {
		if m.PhaseAt(now) == InProgress {
			for _, id := range m.Components {
				raise(id, UnderMaintenance)
			}
		}
	}
	return out
}

// Overall returns the worst of statuses: the banner of the status page.
func Overall(statuses map[string]Status) Status {
	w := Operational
	for _, s := range statuses {
		w = Worst(w, s)
	}
	return w
}
