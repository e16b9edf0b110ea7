package report

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/amends/amends/incidents"
)

// PublicRecord is what the public record shows at one instant, as the
// Statuspage-compatible API reads it.
type PublicRecord struct {
	Services   []incidents.Service
	Components []incidents.Component
	// Active are the incidents not resolved.
	Active []incidents.Incident
	// Recent are the most recent incidents, active and resolved, newest
	// StartedAt first (then highest id).
	Recent []incidents.Incident
	// Maintenances are those not completed and the latest completed ones,
	// each once, latest StartsAt first (then highest id).
	Maintenances []incidents.Maintenance
	// Explained are the incidents with a published explanation, the latest
	// publication first.
	Explained []incidents.ExplanationSummary
}

// PublicRecord loads the public record as of now, with up to n recent
// incidents and up to n completed maintenances.
func (r *Reports) PublicRecord(ctx context.Context, now time.Time, n int) (PublicRecord, error) {
	var rec PublicRecord
	var err error
	if rec.Services, err = r.incidents.Services(ctx); err != nil {
		return rec, err
	}
	if rec.Components, err = r.incidents.Components(ctx); err != nil {
		return rec, err
	}
	if rec.Active, err = r.incidents.ActiveIncidents(ctx); err != nil {
		return rec, err
	}
	if rec.Recent, err = r.recentIncidents(ctx, rec.Active, n); err != nil {
		return rec, err
	}
	if rec.Maintenances, err = r.publicMaintenances(ctx, now, n); err != nil {
		return rec, err
	}
	if rec.Explained, err = r.incidents.PublishedExplanations(ctx); err != nil {
		return rec, err
	}
	return rec, nil
}

// RecentHistory is the incident history as the feeds tell it.
type RecentHistory struct {
	Components []incidents.Component
	// Recent are the most recent incidents, active and resolved, newest
	// StartedAt first (then highest id).
	Recent []incidents.Incident
	// Explanations are the latest published explanations, the latest
	// publication first.
	Explanations []PublishedExplanation
}

// PublishedExplanation is a published explanation in a list, with its
// newest published revision.
type PublishedExplanation struct {
	incidents.ExplanationSummary
	Current incidents.Revision
}

// RecentHistory loads the n most recent incidents and the n latest
// published explanations, each with its newest published revision.
func (r *Reports) RecentHistory(ctx context.Context, n int) (RecentHistory, error) {
	var h RecentHistory
	active, err := r.incidents.ActiveIncidents(ctx)
	if err != nil {
		return h, err
	}
	if h.Recent, err = r.recentIncidents(ctx, active, n); err != nil {
		return h, err
	}
	if h.Components, err = r.incidents.Components(ctx); err != nil {
		return h, err
	}
	explained, err := r.incidents.PublishedExplanations(ctx)
	if err != nil {
		return h, err
	}
	if len(explained) > n {
		explained = explained[:n]
	}
	for _, x := range explained {
		e, err := r.incidents.Explanation(ctx, x.IncidentID)
		if err != nil {
			return h, err
		}
		current, ok := e.Current()
		if !ok {
			return h, fmt.Errorf("incident %d: listed as explained but has no published revision", x.IncidentID)
		}
		h.Explanations = append(h.Explanations, PublishedExplanation{ExplanationSummary: x, Current: current})
	}
	return h, nil
}

// recentIncidents returns up to n incidents, active and resolved, newest
// StartedAt first (then highest id), with the active ones loaded already.
func (r *Reports) recentIncidents(ctx context.Context, active []incidents.Incident, n int) ([]incidents.Incident, error) {
	resolved, _, err := r.incidents.ResolvedIncidents(ctx, 0, n)
	if err != nil {
		return nil, err
	}
	all := append(append([]incidents.Incident{}, active...), resolved...)
	sort.SliceStable(all, func(i, j int) bool {
		if !all[i].StartedAt.Equal(all[j].StartedAt) {
			return all[i].StartedAt.After(all[j].StartedAt)
		}
		return all[i].ID > all[j].ID
	})
	if len(all) > n {
		all = all[:n]
	}
	return all, nil
}

// publicMaintenances returns the maintenances not completed at now and the
// n latest completed ones, each once, latest StartsAt first (then highest
// id).
func (r *Reports) publicMaintenances(ctx context.Context, now time.Time, n int) ([]incidents.Maintenance, error) {
	open, err := r.incidents.Maintenances(ctx, now)
	if err != nil {
		return nil, err
	}
	past, _, err := r.incidents.PastMaintenances(ctx, 0, n)
	if err != nil {
		return nil, err
	}
	seen := map[int64]bool{}
	var all []incidents.Maintenance
	for _, m := range append(open, past...) {
		if !seen[m.ID] {
			seen[m.ID] = true
			all = append(all, m)
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		if !all[i].StartsAt.Equal(all[j].StartsAt) {
			return all[i].StartsAt.After(all[j].StartsAt)
		}
		return all[i].ID > all[j].ID
	})
	return all, nil
}
