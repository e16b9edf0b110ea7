package web

import (
	"bytes"
	"context"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/incidents"
)

// updateGolden rewrites the golden files of TestStatuspageAndFeedsGolden
// from what the server answers now: go test ./web -run Golden -update.
var updateGolden = flag.Bool("update", false, "rewrite web/testdata/golden from the current output")

// goldenPaths are the public resources whose every byte the golden files
// pin: the Statuspage-compatible API and the feeds.
var goldenPaths = []string{
	"/api/v2/summary.json",
	"/api/v2/status.json",
	"/api/v2/components.json",
	"/api/v2/incidents.json",
	"/api/v2/incidents/unresolved.json",
	"/api/v2/scheduled-maintenances.json",
	"/api/v2/scheduled-maintenances/upcoming.json",
	"/api/v2/scheduled-maintenances/active.json",
	"/history.atom",
	"/history.rss",
}

// TestStatuspageAndFeedsGolden compares the body of every Statuspage v2
// endpoint and feed, byte for byte, with web/testdata/golden: an empty
// page, the fixture of statuspage_test.go, and the fixture with an
// explanation published twice and maintenance moved by hand (one
// completed early, one started early, one cancelled before its window).
func TestStatuspageAndFeedsGolden(t *testing.T) {
	scenarios := map[string]func(t *testing.T) *testEnv{
		"empty": func(t *testing.T) *testEnv {
			return newTestEnvWith(t, envOptions{config: func(c *Config) { c.BaseURL = spTestBase }})
		},
		"fixture": func(t *testing.T) *testEnv { return newSPFixture(t).env },
		"explained": func(t *testing.T) *testEnv {
			f := newSPFixture(t)
			ctx := context.Background()
			now := f.env.clock.Now()
			cancelled := f.env.maintenance("Cancelled upgrade", now.Add(48*time.Hour), now.Add(50*time.Hour), "ec2-us-east-1a")
			for _, a := range []struct {
				id int64
				to incidents.MaintenancePhase
			}{{f.running.ID, incidents.Completed}, {f.next.ID, incidents.InProgress}, {cancelled.ID, incidents.Completed}} {
				if _, err := f.env.incidents.AdvanceMaintenance(ctx, audit.Person("ops@example.com"), a.id, a.to, now); err != nil {
					t.Fatal(err)
				}
			}
			f.env.clock.Advance(time.Hour)
			spPublishExplanation(t, f.env, f.resolved.ID, "What happened to the load balancers", hostileMarkdown)
			f.env.clock.Advance(3 * time.Hour)
			spPublishExplanation(t, f.env, f.resolved.ID, "What happened (corrected)", "## What happened\n\nCorrected & <b>clarified</b>.")
			return f.env
		},
	}
	for name, setup := range scenarios {
		t.Run(name, func(t *testing.T) {
			env := setup(t)
			for _, path := range goldenPaths {
				resp, body := env.request(http.MethodGet, path, nil, nil)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
				}
				file := filepath.Join("testdata", "golden", name, strings.ReplaceAll(strings.TrimPrefix(path, "/"), "/", "_"))
				if *updateGolden {
					if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(file, body, 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(body, want) {
					t.Errorf("GET %s differs from %s:\n got: %s\nwant: %s", path, file, body, want)
				}
			}
		})
	}
}
