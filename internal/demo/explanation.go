package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/sla"
)

// The demo explanation is written by one person and published by another:
// nothing is published on one person's say.
var (
	demoExplanationAuthor    = audit.Person("support@demo.example")
	demoExplanationPublisher = audit.Person("manager@demo.example")
)

const demoELBTitle = "Degraded load balancers and ELB API errors in us-east-1"

// demoExplanationTitle is the title of the December 2012 explanation.
const demoExplanationTitle = "Summary of the load balancer outage in us-east-1, 24–25 December 2012"

// demoExplanationIntro, Why, Changes and Apology are the sections a person
// writes; "What happened" and the figures of "Impact" come from the stored
// incident and the sla engine (incidents.DraftExplanation).
const demoExplanationIntro = `## What happened

At 20:24 UTC on 24 December (12:24 in California), a maintenance process was run
against the production control plane of Elastic Load Balancing in us-east-1. It was
meant for another environment. It logically deleted part of the state data that the
control plane uses to manage load balancers.

The first sign was the control plane itself: its API calls slowed down and then failed.
New load balancers could still be created, but existing ones could not be changed. Over
the next hours, running load balancers that the control plane touched — to scale them or
to apply a change — were given a configuration built from the incomplete state, and began
to return errors to their own customers' traffic.

At 01:00 UTC on 25 December we disabled scaling and configuration changes across the
region, so that no further load balancers would be touched. At the worst point, 6.8% of
the running load balancers in the region were affected.

We then set out to restore the deleted state. Our first attempt, from a snapshot, did not
complete correctly, and several hours went into finding that out. At 10:45 UTC a second
method restored the state to a point just before the deletion. We then merged into it
every change made since, so that each load balancer would get its correct configuration
back; the merge was complete at 13:40 UTC. By 18:30 UTC almost all affected load balancers
had recovered, and at 20:05 UTC the service was operating normally again.

### The timeline as we posted it
`

const demoExplanationWhy = `## Why it happened

The maintenance process was run by one of a small number of developers who had access to
the production state data. That access had been granted for earlier work and left in
place: it was persistent, not approved for this change. So nothing asked a second person
whether this process, against this environment, was the right thing to run, and the
process itself did not ask either. Once the state was gone, the control plane did exactly
what it was built to do with the state it had, and that spread the damage to running load
balancers.

Our restore took longer than it should have because we had never practised restoring this
state while the control plane kept running and changing it.`

const demoExplanationChanges = `## What we are changing

- **Access to production state now needs approval for each change.** Nobody keeps
  standing write access to the control plane's state data; each use is requested for one
  change and approved by a second person, and every action is logged.
- **The maintenance process checks where it runs** and refuses to delete state from the
  production control plane.
- **Restoring the state is now a drill.** We have written down the method that worked,
  made it faster, and will rehearse it against a copy of production every quarter.
- **Running load balancers are protected from bad state:** the control plane now refuses
  to apply a configuration to a running load balancer when the state behind it is
  incomplete, instead of spreading the damage.`

const demoExplanationApology = `## Our apology

We know how much many of you depend on load balancing, and that this happened on one of
the days of the year that matter most to your customers and to you: on Christmas Eve,
video streaming and shopping that families were counting on stopped working. We are
sorry. We will do better, starting with the changes above, and we will tell you openly
how they go.`

// loadDemoExplanation writes, submits and publishes the explanation of the
// demo's December 2012 ELB incident: written by one actor, published by
// another, at the end of December 2012. Its impact figures come from the
// sla engine over December 2012, as of now.
func loadDemoExplanation(ctx context.Context, store incidents.Store, now time.Time) error {
	from := time.Date(2012, 12, 24, 0, 0, 0, 0, time.UTC)
	list, err := store.IncidentsBetween(ctx, from, from.Add(48*time.Hour))
	if err != nil {
		return err
	}
	var inc incidents.Incident
	for _, x := range list {
		if x.Title == demoELBTitle {
			inc = x
		}
	}
	if inc.ID == 0 {
		return fmt.Errorf("the December 2012 incident is missing")
	}
	services, err := store.Services(ctx)
	if err != nil {
		return err
	}
	components, err := store.Components(ctx)
	if err != nil {
		return err
	}
	period := incidents.IncidentMonth(inc)
	start, end, err := period.Bounds()
	if err != nil {
		return err
	}
	month, err := store.IncidentsBetween(ctx, start, end)
	if err != nil {
		return err
	}
	maints, err := store.MaintenancesBetween(ctx, start, end)
	if err != nil {
		return err
	}
	sc, err := incidents.SLAScenario(period, now, services, components, month, maints)
	if err != nil {
		return err
	}
	res, err := sla.Evaluate(sc)
	if err != nil {
		return err
	}
	_, draft := incidents.DraftExplanation(inc, services, components, res, nil, now)
	body := demoExplanationIntro + "\n" + markdownSection(draft, incidents.HeadingWhatHappened, incidents.HeadingImpact) +
		"\n\n## " + incidents.HeadingImpact + "\n\n" + markdownSection(draft, incidents.HeadingImpact, incidents.HeadingWhy) +
		"\n\n" + demoExplanationWhy + "\n\n" + demoExplanationChanges + "\n\n" + demoExplanationApology + "\n"

	// Written on 27 December, submitted the next day, published on the 29th.
	written, submitted, published := utc("2012-12-27T16:00:00Z"), utc("2012-12-28T18:30:00Z"), utc("2012-12-29T02:00:00Z")
	if _, err := store.StartExplanation(ctx, demoExplanationAuthor, inc.ID, demoExplanationTitle, body, written); err != nil {
		return err
	}
	if _, err := store.SubmitExplanation(ctx, demoExplanationAuthor, inc.ID, submitted); err != nil {
		return err
	}
	_, err = store.PublishExplanation(ctx, demoExplanationPublisher, inc.ID, published)
	return err
}

// markdownSection returns the text of the Markdown section headed "## from" in
// body, up to the heading "## to".
func markdownSection(body, from, to string) string {
	_, rest, _ := strings.Cut(body, "## "+from+"\n\n")
	text, _, _ := strings.Cut(rest, "\n## "+to+"\n")
	return strings.TrimSpace(text)
}
