package report

import (
	"context"
	"slices"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
)

// Where the ledger's credits count: the one rule by which the SLA
// dashboard, the service report and the customer report put ledger
// entries under months, services and components, so that their figures
// for the same selection agree.

// entryMonth is the month a ledger entry credits: its period when that is
// a month, else the month it was written in.
func entryMonth(e desk.LedgerEntry) time.Time {
	if m, err := time.Parse("2006-01", e.Period); err == nil {
		return m
	}
	return MonthStart(e.CreatedAt)
}

// creditScope is where one ledger entry counts.
type creditScope struct {
	// Services are the services the entry counts under, its whole amount
	// under each.
	Services []string
	// Granted says the scope is that of a goodwill grant; Components are
	// then the components the grant credited. An entry that is not
	// granted names no component.
	Granted    bool
	Components []string
}

// creditScopes says where ledger entries count (see of), reading each
// incident's grants once.
type creditScopes struct {
	r *Reports
	// catalog is every component, read when first needed (catalogRead).
	catalog     []incidents.Component
	catalogRead bool
	// grants is the scope of each incident's goodwill.
	grants map[string]creditScope
}

func (r *Reports) creditScopes() *creditScopes {
	return &creditScopes{r: r, grants: map[string]creditScope{}}
}

// components returns the catalog's components, read once.
func (s *creditScopes) components(ctx context.Context) ([]incidents.Component, error) {
	if !s.catalogRead {
		list, err := s.r.incidents.Components(ctx)
		if err != nil {
			return nil, err
		}
		s.catalog, s.catalogRead = list, true
	}
	return s.catalog, nil
}

// of returns where e counts. A goodwill entry (or an adjustment of one)
// names no service: it counts under the services and components its
// incident's approved grant credited (every component of its services
// when the grant names none), so goodwill of several services' usage
// counts, whole, under each of them, and goodwill without an approved
// grant under none. Every other entry counts under the service it names
// (none when it names none) and names no component.
func (s *creditScopes) of(ctx context.Context, e desk.LedgerEntry) (creditScope, error) {
	if e.CreditKind != desk.EntryGoodwill || e.Incident == "" || e.Service != "" {
		if e.Service == "" {
			return creditScope{}, nil
		}
		return creditScope{Services: []string{e.Service}}, nil
	}
	if sc, ok := s.grants[e.Incident]; ok {
		return sc, nil
	}
	grants, err := s.r.desk.GoodwillGrants(ctx, e.Incident)
	if err != nil {
		return creditScope{}, err
	}
	sc := creditScope{Granted: true}
	for _, g := range grants {
		if g.State == desk.GoodwillApproved {
			sc.Services, sc.Components = g.Services, g.Components
		}
	}
	if len(sc.Services) > 0 && len(sc.Components) == 0 {
		catalog, err := s.components(ctx)
		if err != nil {
			return creditScope{}, err
		}
		for _, c := range catalog {
			if slices.Contains(sc.Services, c.Service) {
				sc.Components = append(sc.Components, c.ID)
			}
		}
	}
	s.grants[e.Incident] = sc
	return sc, nil
}

// creditSelector says which ledger entries a choice of service, region
// and component selects, by where they count (creditScopes.of). A
// service selects the entries that count under it; a region selects the
// goodwill that credited a component there, and a component the goodwill
// that credited it; entries other than goodwill name no region or
// component, so a region leaves them to the service alone, and a
// component counts those of its own service.
type creditSelector struct {
	scopes                     *creditScopes
	service, region, component string
	// components are those the choice may select: the chosen component
	// alone (none when it lies outside the chosen service or region), or
	// the whole catalog.
	components []incidents.Component
}

func (r *Reports) creditSelector(ctx context.Context, service, region, component string) (*creditSelector, error) {
	sel := &creditSelector{scopes: r.creditScopes(), service: service, region: region, component: component}
	if service == "" && region == "" && component == "" {
		return sel, nil
	}
	catalog, err := sel.scopes.components(ctx)
	if err != nil {
		return nil, err
	}
	sel.components = catalog
	if component != "" {
		// The component's service is the service its tier and manual
		// entries name; a component outside the chosen service or region
		// selects nothing.
		i := slices.IndexFunc(catalog, func(c incidents.Component) bool { return c.ID == component })
		if i < 0 || (service != "" && catalog[i].Service != service) || (region != "" && catalog[i].Region != region) {
			sel.components = nil
		} else {
			sel.components = catalog[i : i+1]
			sel.service = catalog[i].Service
		}
	}
	return sel, nil
}

// selects reports whether the choice selects e.
func (s *creditSelector) selects(ctx context.Context, e desk.LedgerEntry) (bool, error) {
	if s.service == "" && s.region == "" && s.component == "" {
		return true, nil
	}
	if s.component != "" && len(s.components) == 0 {
		return false, nil
	}
	sc, err := s.scopes.of(ctx, e)
	if err != nil {
		return false, err
	}
	if s.service != "" && !slices.Contains(sc.Services, s.service) {
		return false, nil
	}
	if !sc.Granted || (s.region == "" && s.component == "") {
		return true, nil
	}
	for _, c := range s.components {
		if slices.Contains(sc.Components, c.ID) && (s.region == "" || c.Region == s.region) && (s.service == "" || c.Service == s.service) {
			return true, nil
		}
	}
	return false, nil
}
