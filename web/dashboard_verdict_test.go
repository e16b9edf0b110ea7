package web

import (
	"testing"

	"github.com/amends/amends/report"
)

// TestPartlyMissed: a met service names the regions that missed, else the
// components; a met region names its components that missed; missed rows
// and components say nothing more.
func TestPartlyMissed(t *testing.T) {
	svc, reg, comp := report.LevelService, report.LevelRegion, report.LevelComponent
	rows := []verdictRow{
		{level: svc, label: "ELB"},
		{level: reg, region: "us-east-1", missed: true},
		{level: comp, label: "ELB (us-east-1)", missed: true},
		{level: reg, region: "eu-west-1"},
		{level: comp, label: "ELB (eu-west-1)"},
		{level: svc, label: "EC2"},
		{level: reg, region: "us-east-1"},
		{level: comp, label: "EC2 (us-east-1a)", missed: true},
		{level: comp, label: "EC2 (us-east-1b)", missed: true},
		{level: svc, label: "S3", missed: true},
		{level: reg, region: "us-east-1", missed: true},
	}
	want := []string{"in us-east-1", "", "", "", "", "on EC2 (us-east-1a) and EC2 (us-east-1b)", "on EC2 (us-east-1a) and EC2 (us-east-1b)", "", "", "", ""}
	got := partlyMissed(rows)
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d (%s %s): %q, want %q", i, rows[i].label, rows[i].region, got[i], want[i])
		}
	}
	if s := listOf([]string{"a", "b", "c", "d", "e"}); s != "a, b and 3 more" {
		t.Errorf("listOf: %q", s)
	}
}
