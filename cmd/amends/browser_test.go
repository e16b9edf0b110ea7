package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestBrowserShowsLocalTimes opens the demo's history page in headless
// Chromium with the reader's clock in Los Angeles and reads the DOM after
// the page's script ran: each instant keeps its UTC text and gains the
// local time (24 Dec 2012, 20:24 UTC is 12:24 in Los Angeles). CI installs
// Debian's chromium; the test says so if it is missing.
func TestBrowserShowsLocalTimes(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium is not installed: apt-get install chromium (CI's .ci/run does)")
	}
	base, _, _ := startServe(t)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(), "--virtual-time-budget=3000", "--dump-dom", base+"/history")
	cmd.Env = append(os.Environ(), "TZ=America/Los_Angeles")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	dom := string(out)
	if !strings.Contains(dom, "24 Dec 2012, 20:24 UTC") {
		t.Fatalf("the December 2012 incident is not on the history page:\n%s", dom)
	}
	if !strings.Contains(dom, "(12:24 local)") {
		t.Fatalf("the script did not add the reader's local time:\n%s", dom)
	}
}
