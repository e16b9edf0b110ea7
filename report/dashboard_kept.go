package report

import (
	"context"
	"reflect"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/sla"
)

// dashKept is what the SLA dashboard of the month under way keeps from
// one render to the next about its finished months (the 11 before it):
// their incidents' timelines and their evaluations. A finished month's
// figures change only when a write changes what they are evaluated from,
// so a render uses what is kept only when all of it is as it was:
//
//   - the incidents' timelines before the month under way: the mark of
//     incidents.Store.IncidentTimelineChanges, read before anything else,
//     is the one read when they were kept (SQL triggers raise it on every
//     write that may change a timeline before that month);
//   - the catalog (services and components), the services' policies, and
//     the maintenance that overlaps the finished months: read again by
//     every render, and equal to those kept.
//
// Anything else makes the render read and evaluate all 12 months, and keep
// them again. The credits, from the ledger, are read by every render.
type dashKept struct {
	mu   sync.Mutex
	last *keptMonths
}

// keptMonths are the finished months [from, to) as one render read and
// evaluated them.
type keptMonths struct {
	from, to   time.Time
	mark       string
	services   []incidents.Service
	components []incidents.Component
	policies   []sla.Policy
	maints     []incidents.Maintenance // those that overlap [from, to)
	incs       []incidents.Incident    // those that overlap [from, to)
	// months are the results of the months before to, by how many months
	// before to they start (1 to DashboardMonths-1); read-only once kept.
	months map[int]map[string]sla.ComponentResult
}

func (k *dashKept) get(from, to time.Time, mark string) *keptMonths {
	k.mu.Lock()
	defer k.mu.Unlock()
	if l := k.last; l != nil && l.from.Equal(from) && l.to.Equal(to) && l.mark == mark {
		return l
	}
	return nil
}

func (k *dashKept) put(l *keptMonths) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.last = l
}

// keep returns what h holds of [from, to), with the results of the
// months before to.
func (h *history) keep(from, to time.Time, mark string, months map[int]map[string]sla.ComponentResult) *keptMonths {
	l := &keptMonths{from: from, to: to, mark: mark, services: h.services, components: h.components, policies: h.list,
		maints: overlappingMaints(h.maints, from, to), months: months}
	for _, inc := range h.incs {
		if overlaps(inc, from, to) {
			l.incs = append(l.incs, inc)
		}
	}
	return l
}

// overlaps is whether inc is one of the incidents
// incidents.Store.IncidentTimelines(from, to) returns: its
// [StartedAt, ResolvedAt) overlaps [from, to) (an incident not resolved
// goes on), or it started in [from, to).
func overlaps(inc incidents.Incident, from, to time.Time) bool {
	if !inc.StartedAt.Before(to) {
		return false
	}
	return inc.ResolvedAt == nil || inc.ResolvedAt.After(from) || !inc.StartedAt.Before(from)
}

func overlappingMaints(list []incidents.Maintenance, from, to time.Time) []incidents.Maintenance {
	var out []incidents.Maintenance
	for _, m := range list {
		if m.StartsAt.Before(to) && m.EndsAt.After(from) {
			out = append(out, m)
		}
	}
	return out
}

// loadKept is loadHistory over [from, to) for a render that has l, the
// finished months [from, l.to): it reads the catalog, the policies and the
// maintenance as loadHistory does, but the incidents only from a second
// before l.to, or from since when it is earlier, and takes the rest from
// l. It returns nil when the catalog, the policies or the maintenance of
// the finished months are not those of l.
//
// An incident in l is replaced by the one read when that overlaps the
// range read; one that does not is as it was when l was kept: a write
// that changed it since would have changed its timeline before l.to (its
// resolution or an update after the resolution count as from the
// resolution, and an incident not resolved, or resolved at l.to or later,
// overlaps the range read), and so the mark of l.
func (r *Reports) loadKept(ctx context.Context, l *keptMonths, since, to time.Time) (*history, error) {
	readFrom := l.to.Add(-time.Second)
	if since.Before(readFrom) {
		readFrom = since
	}
	h, err := r.loadParts(ctx, readFrom, l.from, to)
	if err != nil {
		return nil, err
	}
	if !reflect.DeepEqual(h.services, l.services) || !reflect.DeepEqual(h.components, l.components) ||
		!reflect.DeepEqual(h.list, l.policies) || !reflect.DeepEqual(overlappingMaints(h.maints, l.from, l.to), l.maints) {
		return nil, nil
	}
	read := make(map[int64]bool, len(h.incs))
	for _, inc := range h.incs {
		read[inc.ID] = true
	}
	incs := make([]incidents.Incident, 0, len(l.incs)+len(h.incs))
	for _, inc := range l.incs {
		if !read[inc.ID] {
			incs = append(incs, inc)
		}
	}
	incs = append(incs, h.incs...)
	// In the order IncidentTimelines reads them: by start, then ID.
	slices.SortStableFunc(incs, func(a, b incidents.Incident) int {
		if c := a.StartedAt.Compare(b.StartedAt); c != 0 {
			return c
		}
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	h.incs = incs
	if h.sla, err = incidents.NewSLAHistory(h.services, h.components, h.incs, h.maints); err != nil {
		return nil, err
	}
	return h, nil
}

// loadParts reads what loadHistory reads, the incidents from incFrom and
// the maintenance from from, both to to, without making h.sla.
func (r *Reports) loadParts(ctx context.Context, incFrom, from, to time.Time) (*history, error) {
	h := &history{}
	var g errgroup.Group
	g.Go(func() (err error) {
		h.incs, err = r.incidents.IncidentTimelines(ctx, incFrom, to)
		return err
	})
	err := func() (err error) {
		if h.services, err = r.incidents.Services(ctx); err != nil {
			return err
		}
		if h.components, err = r.incidents.Components(ctx); err != nil {
			return err
		}
		if h.policies, err = r.servicePolicies(ctx, h.components); err != nil {
			return err
		}
		for _, svc := range h.services {
			if p, ok := h.policies[svc.ID]; ok {
				h.list = append(h.list, p)
			}
		}
		h.maints, err = r.incidents.MaintenancesBetween(ctx, from, to)
		return err
	}()
	if werr := g.Wait(); err == nil {
		err = werr
	}
	if err != nil {
		return nil, err
	}
	return h, nil
}
