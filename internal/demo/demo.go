// Package demo is the demo data of Amends: a cloud provider's status page
// with its services, components, incidents (two outages of the provider's
// story and a few recent ones), an upcoming maintenance and a published
// explanation, incident templates for the declare form, and the credit
// desk's customers, policies and goodwill grant.
// Load writes it into an empty database through the stores, as a person
// would through the product; `amends demo` and `amends serve --demo` call it.
package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/sla"
)

// demoActor is who the audit log names for the demo data.
var demoActor = audit.Named("demo loader")

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func pct(s string) *sla.Percent {
	p, err := sla.ParsePercent(s)
	if err != nil {
		panic(err)
	}
	return &p
}

type demoUpdate struct {
	at         time.Time
	phase      incidents.Phase
	message    string
	components []incidents.ComponentChange
}

type demoIncident struct {
	title   string
	impact  incidents.Impact
	updates []demoUpdate // the first declares the incident
}

// Load fills an empty database with a cloud provider's status page: four
// services in three regions, the two outages of the provider's story
// (December 2012 load balancers, April 2011 block storage), three recent
// incidents (5, 2 and 20 days before now) so the uptime bars' last days are
// not empty, one upcoming maintenance, and three incident templates (see
// demoTemplates).
// The credit desk gets its customers, policies and the April 2011 goodwill
// grant (see loadDemoCustomers), and the December 2012 incident a published
// explanation (see loadDemoExplanation). now is the instant every write is
// recorded at and the recent incidents and the maintenance are placed from.
// It returns false, changing nothing, if the database already has services.
// Each write commits on its own: an error part way leaves what came before.
func Load(ctx context.Context, store incidents.Store, deskStore desk.Store, now time.Time) (bool, error) {
	existing, err := store.Services(ctx)
	if err != nil {
		return false, err
	}
	if len(existing) > 0 {
		return false, nil
	}
	now = now.UTC().Truncate(time.Second)

	services := []incidents.Service{
		{ID: "ELB", Name: "Elastic Load Balancing", Description: "Load balancers that spread traffic across instances.", Position: 1},
		{ID: "EC2", Name: "Compute (EC2)", Description: "Virtual machines.", Position: 2},
		{ID: "EBS", Name: "Block Storage (EBS)", Description: "Volumes attached to instances.", Position: 3},
		{ID: "RDS", Name: "Relational Databases (RDS)", Description: "Managed database instances.", Position: 4},
	}
	for _, s := range services {
		if _, err := store.CreateService(ctx, demoActor, s, now); err != nil {
			return false, fmt.Errorf("service %s: %w", s.ID, err)
		}
	}
	var catalog []incidents.Component
	type place struct{ region, zone string }
	regional := []place{{"us-east-1", ""}, {"us-west-2", ""}, {"eu-west-1", ""}}
	zonal := []place{{"us-east-1", "us-east-1a"}, {"us-east-1", "us-east-1b"}, {"us-east-1", "us-east-1c"}, {"us-west-2", ""}, {"eu-west-1", ""}}
	fleet := map[string]int64{"ELB": 40000, "EC2": 250000, "EBS": 600000, "RDS": 30000}
	layout := map[string][]place{"ELB": regional, "EC2": zonal, "EBS": zonal, "RDS": zonal}
	for _, svc := range services {
		for i, p := range layout[svc.ID] {
			id, name, size := strings.ToLower(svc.ID)+"-"+p.region, svc.ID+" "+p.region, fleet[svc.ID]
			if p.zone != "" {
				id, name, size = strings.ToLower(svc.ID)+"-"+p.zone, svc.ID+" "+p.zone, size/3
			}
			c := incidents.Component{ID: id, Service: svc.ID, Name: name, Region: p.region, Zone: p.zone, Resources: size, Group: p.region, Position: i}
			if _, err := store.CreateComponent(ctx, demoActor, c, now); err != nil {
				return false, fmt.Errorf("component %s: %w", id, err)
			}
			catalog = append(catalog, c)
		}
	}

	var april int64
	for i, inc := range demoIncidents(now) {
		id, err := loadDemoIncident(ctx, store, inc, now)
		if err != nil {
			return false, fmt.Errorf("incident %q: %w", inc.title, err)
		}
		if i == 0 {
			april = id
		}
	}
	if err := loadDemoCustomers(ctx, deskStore, catalog, april, now); err != nil {
		return false, fmt.Errorf("credit desk: %w", err)
	}
	if err := loadDemoExplanation(ctx, store, now); err != nil {
		return false, fmt.Errorf("explanation: %w", err)
	}

	// An upcoming maintenance, announced today for three days from now.
	start := now.Truncate(time.Hour).Add(72 * time.Hour)
	_, err = store.CreateMaintenance(ctx, demoActor, incidents.MaintenanceInput{
		Title:      "Database host patching in eu-west-1",
		Message:    "We will apply operating system patches to RDS hosts in eu-west-1. Multi-AZ instances fail over once, for under a minute; single-AZ instances restart once inside the window.",
		Components: []string{"rds-eu-west-1"},
		StartsAt:   start,
		EndsAt:     start.Add(2 * time.Hour),
	}, now)
	if err != nil {
		return false, fmt.Errorf("maintenance: %w", err)
	}
	if err := loadDemoTemplates(ctx, store, now); err != nil {
		return false, fmt.Errorf("incident templates: %w", err)
	}
	return true, nil
}

func loadDemoIncident(ctx context.Context, store incidents.Store, d demoIncident, now time.Time) (int64, error) {
	first := d.updates[0]
	start := first.at
	inc, err := store.CreateIncident(ctx, demoActor, incidents.IncidentInput{
		Title: d.title, Impact: d.impact, Phase: first.phase, Message: first.message,
		StartedAt: &start, Components: first.components,
	}, now)
	if err != nil {
		return 0, err
	}
	for _, u := range d.updates[1:] {
		at := u.at
		if _, err := store.AddUpdate(ctx, demoActor, inc.ID, incidents.UpdateInput{
			Phase: u.phase, Message: u.message, At: &at, Components: u.components,
		}, now); err != nil {
			return 0, fmt.Errorf("update at %s: %w", u.at.Format(time.RFC3339), err)
		}
	}
	return inc.ID, nil
}

// named returns c naming customers.
func named(c incidents.ComponentChange, customers []incidents.AffectedCustomer) incidents.ComponentChange {
	c.Customers = customers
	return c
}

func change(component string, status incidents.Status, percent string) incidents.ComponentChange {
	c := incidents.ComponentChange{Component: component, Status: status}
	if percent != "" {
		c.AffectedPercent = pct(percent)
	}
	return c
}

func demoIncidents(now time.Time) []demoIncident {
	const (
		deg     = incidents.DegradedPerformance
		partial = incidents.PartialOutage
		major   = incidents.MajorOutage
		ok      = incidents.Operational
	)
	recent := now.Truncate(time.Hour).Add(-5*24*time.Hour - 3*time.Hour)
	twoDays := now.Truncate(time.Hour).Add(-2*24*time.Hour - 6*time.Hour)
	twentyDays := now.Truncate(time.Hour).Add(-20*24*time.Hour + 2*time.Hour)
	return []demoIncident{
		{
			title:  "Stuck volumes and elevated EBS API errors in us-east-1",
			impact: incidents.ImpactMajor,
			updates: []demoUpdate{
				{utc("2011-04-21T08:47:00Z"), incidents.Investigating,
					"We are investigating volumes that are stuck and not serving reads or writes in one Availability Zone of us-east-1, and increased error rates for EBS API calls in the region.",
					[]incidents.ComponentChange{change("ebs-us-east-1a", major, "13"), change("ebs-us-east-1b", deg, "5"), change("ebs-us-east-1c", deg, "5"), change("rds-us-east-1a", partial, "45")}},
				{utc("2011-04-21T10:40:00Z"), incidents.Identified,
					"A network change in the affected zone was made incorrectly. Volumes lost their connection to their replicas and all began to search for new space to re-mirror at once, which exhausted the zone's storage capacity. Volumes in the other zones are recovering.",
					[]incidents.ComponentChange{change("ebs-us-east-1b", ok, ""), change("ebs-us-east-1c", ok, ""), change("ec2-us-east-1a", deg, "20")}},
				{utc("2011-04-21T20:30:00Z"), incidents.Identified,
					"We have stopped the re-mirroring storm from spreading by disabling new volume creation in the affected zone. Stuck volumes are being recovered as capacity is added.",
					[]incidents.ComponentChange{change("ebs-us-east-1a", major, "13")}},
				{utc("2011-04-23T03:15:00Z"), incidents.Monitoring,
					"Added capacity has let most stuck volumes re-mirror. A small share of volumes still needs manual recovery; we are working through them and will contact the owners of any volume we cannot fully restore.",
					[]incidents.ComponentChange{change("ebs-us-east-1a", partial, "2.5"), change("rds-us-east-1a", partial, "10"), change("ec2-us-east-1a", ok, "")}},
				{utc("2011-04-24T19:00:00Z"), incidents.Resolved,
					"All recoverable volumes are serving again and RDS instances in the zone are available. Every customer with an EBS volume or RDS instance in the affected zone will receive a credit of 10 days of usage, applied automatically to the next bill. We are sorry for the disruption this caused.",
					nil},
			},
		},
		{
			title:  "Degraded load balancers and ELB API errors in us-east-1",
			impact: incidents.ImpactCritical,
			updates: []demoUpdate{
				{utc("2012-12-24T20:24:00Z"), incidents.Investigating,
					"We are investigating elevated error rates and latency for Elastic Load Balancing API calls in us-east-1. Creating new load balancers works; changing existing ones may fail.",
					[]incidents.ComponentChange{change("elb-us-east-1", deg, "1")}},
				{utc("2012-12-24T23:10:00Z"), incidents.Identified,
					"We have identified the cause: part of the state data of the ELB control plane in us-east-1 was removed by a maintenance process. Some running load balancers that the control plane has since touched are now misconfigured and return errors.",
					[]incidents.ComponentChange{change("elb-us-east-1", partial, "2.5")}},
				{utc("2012-12-25T01:00:00Z"), incidents.Identified,
					"To stop more load balancers from being affected, we have disabled scaling and configuration changes for ELB in us-east-1. 6.8% of running load balancers in the region are affected. We are restoring the deleted state data.",
					[]incidents.ComponentChange{named(change("elb-us-east-1", partial, "6.8"), demoNamedOnELB)}},
				{utc("2012-12-25T06:30:00Z"), incidents.Identified,
					"Our first attempt to restore the state data from a snapshot did not complete correctly. We are restoring it by another method.",
					nil},
				{utc("2012-12-25T10:45:00Z"), incidents.Identified,
					"The state data has been restored to a point just before the deletion. We are now merging the changes made since then, so that load balancers get their correct configuration back.",
					nil},
				{utc("2012-12-25T13:40:00Z"), incidents.Monitoring,
					"The merge is complete and affected load balancers are being brought back to their correct state; recovery is under way across the region.",
					[]incidents.ComponentChange{change("elb-us-east-1", partial, "3")}},
				{utc("2012-12-25T18:30:00Z"), incidents.Monitoring,
					"Almost all affected load balancers have recovered. We are re-enabling scaling and configuration changes.",
					[]incidents.ComponentChange{change("elb-us-east-1", deg, "0.2")}},
				{utc("2012-12-25T20:05:00Z"), incidents.Resolved,
					"Elastic Load Balancing in us-east-1 is operating normally. Access to the control plane's state data now needs a per-change approval. A full explanation follows; we apologise to everyone whose holiday this disrupted.",
					nil},
			},
		},
		{
			title:  "Increased launch latency for instances in us-west-2",
			impact: incidents.ImpactMinor,
			updates: []demoUpdate{
				{recent, incidents.Investigating,
					"New instances in us-west-2 are taking longer than usual to reach the running state. Running instances are not affected.",
					[]incidents.ComponentChange{change("ec2-us-west-2", deg, "15")}},
				{recent.Add(25 * time.Minute), incidents.Identified,
					"A placement service host was overloaded; we have moved its load to healthy hosts.",
					nil},
				{recent.Add(55 * time.Minute), incidents.Resolved,
					"Launch times are back to normal.",
					nil},
			},
		},
		{
			title:  "Connection errors for load balancers in eu-west-1",
			impact: incidents.ImpactMajor,
			updates: []demoUpdate{
				{twoDays, incidents.Investigating,
					"Some load balancers in eu-west-1 are resetting new connections. We are investigating.",
					[]incidents.ComponentChange{change("elb-eu-west-1", partial, "4")}},
				{twoDays.Add(40 * time.Minute), incidents.Identified,
					"A faulty software deployment to part of the load balancer fleet caused the resets. We are rolling it back.",
					nil},
				{twoDays.Add(95 * time.Minute), incidents.Resolved,
					"The rollback is complete and connections succeed normally.",
					nil},
			},
		},
		{
			title:  "Database instances unreachable in us-west-2",
			impact: incidents.ImpactCritical,
			updates: []demoUpdate{
				{twentyDays, incidents.Investigating,
					"Database instances in us-west-2 do not accept connections. We are investigating.",
					[]incidents.ComponentChange{change("rds-us-west-2", major, "")}},
				{twentyDays.Add(20 * time.Minute), incidents.Monitoring,
					"A network configuration change was rolled back; instances are accepting connections again.",
					[]incidents.ComponentChange{change("rds-us-west-2", partial, "10")}},
				{twentyDays.Add(50 * time.Minute), incidents.Resolved,
					"All instances are reachable.",
					nil},
			},
		},
	}
}
