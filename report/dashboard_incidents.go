package report

import (
	"sort"
	"time"

	"github.com/amends/amends/incidents"
)

// MonthIncidents counts the incidents that started in one month on the
// dashboard's components, with how long they took to get a first update
// and to recover.
type MonthIncidents struct {
	Month time.Time // its start, UTC
	// Incidents is how many started in it, Open how many of them were not
	// resolved as of the dashboard's AsOf.
	Incidents, Open int
	// Updated is how many had an update after the opening one, and
	// MedianFirstUpdate the median time from the start to that update (the
	// lower middle one of an even count; 0 when Updated is 0).
	Updated           int
	MedianFirstUpdate time.Duration
	// MedianRecover and LongestRecover are the median and the longest time
	// from the start to the resolution of the Incidents − Open resolved
	// ones (0 when there are none).
	MedianRecover, LongestRecover time.Duration
}

// incidentsByMonth counts, per month of months (newest first, leaving out
// months without any), the incidents that started in it on the scopes'
// components.
func (h *history) incidentsByMonth(scopes []Scope, months []time.Time, asOf time.Time) []MonthIncidents {
	scope := map[string]bool{}
	for _, s := range scopes {
		for _, c := range s.components {
			scope[c.ID] = true
		}
	}
	var out []MonthIncidents
	for i := len(months) - 1; i >= 0; i-- {
		m := months[i]
		end := m.AddDate(0, 1, 0)
		mi := MonthIncidents{Month: m}
		var firsts, recovers []time.Duration
		for _, inc := range h.incs {
			if inc.StartedAt.Before(m) || !inc.StartedAt.Before(end) || !touches(inc, scope) {
				continue
			}
			mi.Incidents++
			if len(inc.Updates) > 1 {
				firsts = append(firsts, inc.Updates[1].At.Sub(inc.StartedAt))
			}
			if inc.ResolvedAt != nil && !inc.ResolvedAt.After(asOf) {
				recovers = append(recovers, inc.ResolvedAt.Sub(inc.StartedAt))
			} else {
				mi.Open++
			}
		}
		if mi.Incidents == 0 {
			continue
		}
		mi.Updated = len(firsts)
		mi.MedianFirstUpdate = median(firsts)
		mi.MedianRecover = median(recovers)
		for _, r := range recovers {
			mi.LongestRecover = max(mi.LongestRecover, r)
		}
		out = append(out, mi)
	}
	return out
}

// touches reports whether inc set the status of a component in scope.
func touches(inc incidents.Incident, scope map[string]bool) bool {
	for _, u := range inc.Updates {
		for _, cs := range u.Components {
			if scope[cs.Component] {
				return true
			}
		}
	}
	return false
}

// median is the median of ds (the lower middle one of an even count), 0
// for none. It sorts ds.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[(len(ds)-1)/2]
}
