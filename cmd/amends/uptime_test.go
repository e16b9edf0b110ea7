package main

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// serveDemoAt runs `amends serve --demo` with extra arguments and returns
// the status page's HTML.
func serveDemoAt(t *testing.T, extra ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "amends.db"), "--demo"}, extra...)
	go func() { done <- run(ctx, args, strings.NewReader(""), &stdout, &stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop")
		}
	})
	var base string
	for deadline := time.Now().Add(20 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := servingLine.FindStringSubmatch(stdout.String()); m != nil {
			base = m[1]
		}
	}
	if base == "" {
		t.Fatalf("serve did not start\nstdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	}
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

var barFrom = regexp.MustCompile(`Daily uptime from (\d+ \w+ \d{4}) to`)

// markedDays returns the days of a component's bar that an incident
// touched, and how many cells the bar has: a cell's day is the legend's
// first day plus its place on the bar.
func markedDays(t *testing.T, page, component string) (marked []string, cells int) {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	m := barFrom.FindStringSubmatch(doc.Find(`[data-testid="uptime-span"]`).Text())
	if m == nil {
		t.Fatal("no legend on the page")
	}
	from, err := time.Parse("2 Jan 2006", m[1])
	if err != nil {
		t.Fatal(err)
	}
	bar := doc.Find(`[data-testid="component-` + component + `"] .uptime__bar`)
	if bar.Length() != 1 {
		t.Fatalf("%s has %d bars", component, bar.Length())
	}
	bar.Children().Each(func(i int, s *goquery.Selection) {
		cells++
		if s.HasClass("day--incident") {
			marked = append(marked, from.AddDate(0, 0, i).Format(time.DateOnly))
		}
	})
	return marked, cells
}

// `serve --as-of 2013-01-05T00:00:00Z` shows the demo's status page as of
// January 2013: ELB us-east-1's bar marks 24 and 25 December 2012.
func TestServeAsOfMarksChristmas2012(t *testing.T) {
	page := serveDemoAt(t, "--as-of", "2013-01-05T00:00:00Z")
	marked, cells := markedDays(t, page, "elb-us-east-1")
	if cells != 90 || strings.Join(marked, " ") != "2012-12-24 2012-12-25" {
		t.Fatalf("%d cells, marked %v", cells, marked)
	}
	if !strings.Contains(page, `<span class="day__tip">25 Dec 2012: 95.7027% uptime, 1 incident`+"\n") {
		t.Error("25 December lacks its uptime")
	}
}

// Today, the demo's recent incidents (5, 2 and 20 days ago) mark the
// days they started on.
func TestServeDemoRecentDays(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Hour)
	page := serveDemoAt(t)
	for component, start := range map[string]time.Duration{
		"ec2-us-west-2": -5*24*time.Hour - 3*time.Hour,
		"elb-eu-west-1": -2*24*time.Hour - 6*time.Hour,
		"rds-us-west-2": -20*24*time.Hour + 2*time.Hour,
	} {
		marked, cells := markedDays(t, page, component)
		want := now.Add(start).Format(time.DateOnly)
		if cells != 90 || len(marked) == 0 || marked[0] != want {
			t.Errorf("%s: %d cells, marked %v, want from %s", component, cells, marked, want)
		}
	}
}

func TestServeRejectsBadAsOf(t *testing.T) {
	var out, errOut strings.Builder
	code := run(context.Background(), []string{"serve", "--db", filepath.Join(t.TempDir(), "a.db"), "--as-of", "January"}, strings.NewReader(""), &out, &errOut)
	if code != 2 || !strings.Contains(errOut.String(), "--as-of") {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
}
