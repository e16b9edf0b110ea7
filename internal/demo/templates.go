package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/amends/amends/incidents"
)

// demoTemplates are the incident templates the demo's support team keeps
// for the incidents that recur: one region's load balancers, one zone's
// block storage, and the first word before anyone knows what is hit.
func demoTemplates() []incidents.TemplateInput {
	return []incidents.TemplateInput{
		{
			Name:    "Load balancers, one region",
			Title:   "Elevated error rates on load balancers in us-east-1",
			Impact:  incidents.ImpactMajor,
			Message: "Some load balancers in us-east-1 are returning errors or dropping connections. We are investigating and will post an update within 30 minutes.",
			Components: []incidents.TemplateChangeIn{
				{Component: "elb-us-east-1", Status: incidents.PartialOutage, AffectedPercent: pct("10")},
			},
		},
		{
			Name:    "Block storage, one zone",
			Title:   "Degraded volume performance in us-east-1a",
			Impact:  incidents.ImpactMinor,
			Message: "Some volumes in us-east-1a show high latency, and instances using them may respond slowly. We are investigating.",
			Components: []incidents.TemplateChangeIn{
				{Component: "ebs-us-east-1a", Status: incidents.DegradedPerformance, AffectedPercent: pct("20")},
				{Component: "ec2-us-east-1a", Status: incidents.DegradedPerformance, AffectedPercent: pct("5")},
			},
		},
		{
			Name:         "First word, nothing confirmed",
			Title:        "Investigating reports of errors",
			Impact:       incidents.ImpactMinor,
			Message:      "We are investigating reports of errors. We will say which services are affected as soon as we know, within 30 minutes.",
			NoComponents: true,
		},
	}
}

// loadDemoTemplates stores demoTemplates.
func loadDemoTemplates(ctx context.Context, store incidents.Store, now time.Time) error {
	for _, in := range demoTemplates() {
		if _, err := store.CreateTemplate(ctx, demoActor, in, now); err != nil {
			return fmt.Errorf("template %q: %w", in.Name, err)
		}
	}
	return nil
}
