package demo

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/incidents"
)

// TestDemoExplanation loads the demo and reads the December 2012
// explanation back: published, by someone other than its author, with the
// story and the engine's figures.
func TestDemoExplanation(t *testing.T) {
	ctx := context.Background()
	st, err := openStores(ctx, filepath.Join(t.TempDir(), "amends.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if ok, err := Load(ctx, st.incidents, st.desk, time.Date(2013, 1, 10, 12, 0, 0, 0, time.UTC)); err != nil || !ok {
		t.Fatalf("Load: %v, %v", ok, err)
	}
	list, err := st.incidents.PublishedExplanations(ctx)
	if err != nil || len(list) != 1 || list[0].Title != demoExplanationTitle {
		t.Fatalf("published explanations: %+v, %v", list, err)
	}
	e, err := st.incidents.Explanation(ctx, list[0].IncidentID)
	if err != nil {
		t.Fatal(err)
	}
	r, ok := e.Current()
	if !ok || r.Author == r.PublishedBy || r.WrittenBy(r.PublishedBy) {
		t.Fatalf("revision: %+v", r)
	}
	for _, want := range []string{
		"## What happened", "persistent", "first attempt", "second", "merged", "## Impact",
		"| ELB us-east-1 | Partial outage | 6.8% |", "Uptime in December 2012 (UTC)",
		"## Why it happened", "## What we are changing", "approval for each change", "## Our apology", "We are\nsorry.",
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the explanation lacks %q", want)
		}
	}
	for _, guide := range []string{incidents.GuideWhy, incidents.GuideChanges, incidents.GuideApology} {
		if strings.Contains(r.Body, guide) {
			t.Errorf("the explanation still holds the guide %q", guide)
		}
	}
}

// TestDemoTemplates loads the demo and declares an incident from each of
// its templates as they stand: each is one the declare form accepts.
func TestDemoTemplates(t *testing.T) {
	ctx := context.Background()
	st, err := openStores(ctx, filepath.Join(t.TempDir(), "amends.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2013, 1, 10, 12, 0, 0, 0, time.UTC)
	if ok, err := Load(ctx, st.incidents, st.desk, now); err != nil || !ok {
		t.Fatalf("Load: %v, %v", ok, err)
	}
	list, err := st.incidents.Templates(ctx)
	if err != nil || len(list) != len(demoTemplates()) {
		t.Fatalf("templates: %d, %v; want %d", len(list), err, len(demoTemplates()))
	}
	for _, tp := range list {
		in := incidents.IncidentInput{Title: tp.Title, Impact: tp.Impact, Message: tp.Message, NoComponents: tp.NoComponents}
		for _, c := range tp.Components {
			p := c.AffectedPercent
			in.Components = append(in.Components, incidents.ComponentChange{Component: c.Component, Status: c.Status, AffectedPercent: &p})
		}
		if _, err := st.incidents.CreateIncident(ctx, demoActor, in, now); err != nil {
			t.Errorf("declaring from %q: %v", tp.Name, err)
		}
	}
}
