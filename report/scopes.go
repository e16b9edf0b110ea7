package report

import (
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/sla"
)

// Level is what a Scope covers.
type Level string

// The levels of the dashboard's and the service report's rows.
const (
	LevelService   Level = "service"
	LevelRegion    Level = "region"
	LevelComponent Level = "component"
)

// Scope is one row of the SLA dashboard or the service report: a service,
// one of its regions, or a component.
type Scope struct {
	Level   Level
	Service incidents.Service
	// Region is the region of a region's row ("" for components without
	// one) and of a component's.
	Region string
	// Component is the component of a component's row.
	Component incidents.Component

	components []sla.Component // that the scope covers
}

// uptime is the scope's uptime in results: the component's own, or the
// fleet uptime of its components.
func (s Scope) uptime(results map[string]sla.ComponentResult) sla.Ratio {
	if s.Level == LevelComponent {
		if r, ok := results[s.components[0].ID]; ok {
			return r.UptimePercent()
		}
		return sla.NewRatio(100, 1)
	}
	return sla.FleetUptime(s.components, results)
}

// scopes returns the rows of service and region ("" for every one): each
// service, then each of its regions, then that region's components, in
// catalog order. Services without a component there have no rows.
func (h *history) scopes(service, region string) []Scope {
	var out []Scope
	for _, svc := range h.services {
		if service != "" && svc.ID != service {
			continue
		}
		var regions []string
		byRegion := map[string][]incidents.Component{}
		var all []sla.Component
		for _, c := range h.components {
			if c.Service != svc.ID || (region != "" && c.Region != region) {
				continue
			}
			if _, ok := byRegion[c.Region]; !ok {
				regions = append(regions, c.Region)
			}
			byRegion[c.Region] = append(byRegion[c.Region], c)
			all = append(all, slaComponent(c))
		}
		if len(all) == 0 {
			continue
		}
		out = append(out, Scope{Level: LevelService, Service: svc, components: all})
		for _, r := range regions {
			var rc []sla.Component
			for _, c := range byRegion[r] {
				rc = append(rc, slaComponent(c))
			}
			out = append(out, Scope{Level: LevelRegion, Service: svc, Region: r, components: rc})
			for _, c := range byRegion[r] {
				out = append(out, Scope{Level: LevelComponent, Service: svc, Region: r, Component: c, components: []sla.Component{slaComponent(c)}})
			}
		}
	}
	return out
}

func slaComponent(c incidents.Component) sla.Component {
	out := sla.Component{ID: c.ID, Service: c.Service, Region: c.Region, Zone: c.Zone}
	if c.Resources > 0 {
		n := c.Resources
		out.Resources = &n
	}
	return out
}
