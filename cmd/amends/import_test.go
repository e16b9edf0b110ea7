package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/demo"
	"github.com/amends/amends/web"
)

// runImportCmd runs `amends import statuspage --db db file` and returns its
// exit code and output.
func runImportCmd(t *testing.T, db, file string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"import", "statuspage", "--db", db, file}, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// allIncidents returns every incident of the store, newest start first.
func allIncidents(t *testing.T, st incidents.Store) []incidents.Incident {
	t.Helper()
	ctx := context.Background()
	active, err := st.ActiveIncidents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	resolved, _, err := st.ResolvedIncidents(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return append(active, resolved...)
}

// importedView is what an import carries over of an incident: everything
// but Amends' own ids, authors and record instants. A non-operational
// component comes back 100% affected: Statuspage records no share.
type importedView struct {
	Title      string
	Impact     incidents.Impact
	Phase      incidents.Phase
	StartedAt  time.Time
	ResolvedAt *time.Time
	Updates    []string
}

func viewOf(inc incidents.Incident) importedView {
	v := importedView{Title: inc.Title, Impact: inc.Impact, Phase: inc.Phase, StartedAt: inc.StartedAt, ResolvedAt: inc.ResolvedAt}
	for _, u := range inc.Updates {
		line := fmt.Sprintf("%s %s %q", u.At.Format(time.RFC3339), u.Phase, u.Message)
		for _, cs := range u.Components {
			p := "0"
			if cs.Status != incidents.Operational {
				p = "100"
			}
			line += fmt.Sprintf(" [%s %s %s%%]", cs.Component, cs.Status, p)
		}
		v.Updates = append(v.Updates, line)
	}
	return v
}

// TestImportStatuspageRoundTrip: our own /api/v2/incidents.json, served
// over the demo data (whose December 2012 incident has a published
// explanation, so it shows as "postmortem"), imported into a fresh
// database gives the same incidents and updates.
func TestImportStatuspageRoundTrip(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src, err := openStores(ctx, filepath.Join(dir, "source.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	now := time.Now().UTC().Truncate(time.Second)
	if ok, err := demo.Load(ctx, src.incidents, src.desk, now); err != nil || !ok {
		t.Fatalf("demo: %v %v", ok, err)
	}
	srv := web.New(web.Config{SiteName: "Demo Cloud", BaseURL: "https://status.example.com", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))},
		src.incidents, src.accounts, src.desk, src)
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	resp, err := http.Get(hs.URL + "/api/v2/incidents.json")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("incidents.json: %d %v", resp.StatusCode, err)
	}
	if !bytes.Contains(body, []byte(`"status":"postmortem"`)) {
		t.Fatalf("the explained demo incident is not a postmortem:\n%s", body)
	}
	file := filepath.Join(dir, "incidents.json")
	if err := os.WriteFile(file, body, 0o600); err != nil {
		t.Fatal(err)
	}

	want := allIncidents(t, src.incidents)
	updates := 0
	for _, inc := range want {
		updates += len(inc.Updates)
	}
	target := filepath.Join(dir, "target.db")
	code, stdout, stderr := runImportCmd(t, target, file)
	if code != 0 {
		t.Fatalf("import: exit %d\n%s%s", code, stdout, stderr)
	}
	affected := map[string]bool{}
	for _, inc := range want {
		for _, id := range inc.AffectedComponents() {
			affected[id] = true
		}
	}
	summary := fmt.Sprintf("imported %d incidents, %d updates, %d components; skipped 0 already imported and unchanged\n", len(want), updates, len(affected))
	if !strings.Contains(stdout, summary) {
		t.Errorf("summary %q, want %q", stdout, summary)
	}

	dst, err := openStores(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	got := allIncidents(t, dst.incidents)
	if len(got) != len(want) {
		t.Fatalf("%d incidents imported, want %d", len(got), len(want))
	}
	for i := range want {
		if g, w := viewOf(got[i]), viewOf(want[i]); !reflect.DeepEqual(g, w) {
			t.Errorf("incident %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
	// Groups became services named by their id, members kept their ids.
	c, err := dst.incidents.Component(ctx, "elb-us-east-1")
	if err != nil || c.Service != "ELB" || c.Name != "ELB us-east-1" || c.Region != incidents.ImportRegion {
		t.Errorf("component elb-us-east-1 = %+v, %v", c, err)
	}

	// Importing it again records nothing and says so.
	before := rowCounts(t, dst.db)
	code, stdout, stderr = runImportCmd(t, target, file)
	if code != 0 || !strings.Contains(stdout, fmt.Sprintf("imported 0 incidents, 0 updates, 0 components; skipped %d already imported and unchanged\n", len(want))) {
		t.Errorf("re-import: exit %d\n%s%s", code, stdout, stderr)
	}
	if after := rowCounts(t, dst.db); !reflect.DeepEqual(before, after) {
		t.Errorf("re-import wrote: %v → %v", before, after)
	}
}

// TestImportStatuspageFixture imports a page as Statuspage serves it: its
// summary.json (groups, an ungrouped component, one active incident), then
// its incidents.json (that incident again, one with a postmortem and a
// phase that went back, one on the ungrouped component).
func TestImportStatuspageFixture(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "amends.db")

	code, stdout, stderr := runImportCmd(t, db, filepath.Join("testdata", "statuspage-summary.json"))
	if code != 0 || !strings.Contains(stdout, "imported 1 incidents, 2 updates, 4 components; skipped 0 already imported and unchanged\ncreated 3 services") {
		t.Fatalf("summary.json: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = runImportCmd(t, db, filepath.Join("testdata", "statuspage-incidents.json"))
	if code != 0 || !strings.Contains(stdout, "imported 2 incidents, 8 updates, 0 components; skipped 1 already imported and unchanged\n") ||
		!strings.Contains(stdout, "phase_held                      1 incidents (t6cr0wn4b8zs)") {
		t.Fatalf("incidents.json: exit %d\n%s%s", code, stdout, stderr)
	}

	st, err := openStores(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	services, _ := st.incidents.Services(ctx)
	var names []string
	for _, s := range services {
		names = append(names, fmt.Sprintf("%s=%s(%d)", s.ID, s.Name, s.Position))
	}
	if got := strings.Join(names, " "); got != "Nimbus-Cloud=Nimbus Cloud(0) 8l4ygp009s5s=Compute(1) kx2ltb7dd5m3=Storage(4)" {
		t.Errorf("services: %s", got)
	}
	comps, _ := st.incidents.Components(ctx)
	var cs []string
	for _, c := range comps {
		cs = append(cs, c.Service+"/"+c.ID+"="+c.Name)
	}
	if got := strings.Join(cs, " "); got != "Nimbus-Cloud/w9pn1c2jz3yd=Dashboard 8l4ygp009s5s/b13yz5g2cw10=Instances (us-west) "+
		"8l4ygp009s5s/r2m8z4q0lf7x=Instances (eu-central) kx2ltb7dd5m3/0fvhm8wt6hbj=Buckets" {
		t.Errorf("components: %s", got)
	}

	all := allIncidents(t, st.incidents)
	if len(all) != 3 {
		t.Fatalf("%d incidents", len(all))
	}
	active, storage, dashboard := all[0], all[1], all[2]
	if active.Title != "Slow instance launches in us-west" || active.Phase != incidents.Identified || active.Impact != incidents.ImpactMinor ||
		!active.StartedAt.Equal(time.Date(2024, 3, 5, 16, 47, 2, 0, time.UTC)) {
		t.Errorf("active incident %+v", viewOf(active))
	}
	want := importedView{
		Title: "Object storage unavailable", Impact: incidents.ImpactCritical, Phase: incidents.Resolved,
		StartedAt: time.Date(2024, 2, 19, 10, 5, 0, 0, time.UTC),
		Updates: []string{
			// The first update keeps its display_at; started_at is earlier.
			`2024-02-19T10:14:37Z investigating "Requests to object storage fail in every zone, and the dashboard cannot list buckets. We are investigating." [0fvhm8wt6hbj major_outage 100%] [w9pn1c2jz3yd degraded_performance 100%]`,
			`2024-02-19T10:31:48Z identified "A configuration change removed the routes to the storage front ends. We are rolling it back."`,
			`2024-02-19T11:40:12Z monitoring "The routes are back and requests succeed again. We are watching the recovery." [0fvhm8wt6hbj partial_outage 100%]`,
			// Back to identified on Statuspage: held at monitoring.
			`2024-02-19T11:58:21Z monitoring "Error rates rose again in one zone while routes were restored; we are restoring the last of them." [0fvhm8wt6hbj degraded_performance 100%]`,
			`2024-02-19T12:41:10Z resolved "Object storage has been working normally for an hour. This incident is resolved." [0fvhm8wt6hbj operational 0%] [w9pn1c2jz3yd operational 0%]`,
			// The postmortem, after the resolution.
			`2024-02-23T18:03:55Z resolved "# What happened\n\nA configuration push removed the routes to the storage front ends in every zone at once. We have made such pushes go out one zone at a time, and we are sorry."`,
		},
	}
	resolvedAt := time.Date(2024, 2, 19, 12, 41, 10, 0, time.UTC)
	want.ResolvedAt = &resolvedAt
	if got := viewOf(storage); !reflect.DeepEqual(got, want) {
		t.Errorf("postmortem incident:\n got %+v\nwant %+v", got, want)
	}
	if dashboard.Title != "Dashboard sign-in errors" || len(dashboard.Updates) != 2 || dashboard.Updates[0].Components[0].Component != "w9pn1c2jz3yd" {
		t.Errorf("dashboard incident %+v", viewOf(dashboard))
	}
	// The component statuses an import derives are those of the page,
	// from the update that set them.
	if sp := storage.Timeline(); len(sp) != 4 || !sp[0].Start.Equal(storage.Updates[0].At) {
		t.Errorf("timeline %+v", sp)
	}
}

// rowCounts counts the rows of every table an import may write.
func rowCounts(t *testing.T, db *sql.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tb := range []string{"services", "components", "incidents", "incident_updates", "incident_update_components", "audit_log"} {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM ` + tb).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[tb] = n
	}
	return out
}

// TestImportStatuspageRejectsBadFiles: a file that does not parse or has a
// bad element is refused whole with exit 2, naming the element, and
// nothing is recorded.
func TestImportStatuspageRejectsBadFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "amends.db")
	if code, out, errOut := runImportCmd(t, db, filepath.Join("testdata", "statuspage-summary.json")); code != 0 {
		t.Fatalf("setup: %s%s", out, errOut)
	}
	good, err := os.ReadFile(filepath.Join("testdata", "statuspage-incidents.json"))
	if err != nil {
		t.Fatal(err)
	}
	edit := func(old, new string) string {
		if !bytes.Contains(good, []byte(old)) {
			t.Fatalf("the fixture lacks %q", old)
		}
		return strings.Replace(string(good), old, new, 1)
	}
	cases := []struct {
		name, doc, want string
	}{
		{"invalid JSON", string(good[:len(good)/2]), "not JSON: unexpected end of JSON input at line"},
		{"not JSON at all", "<html>", "not JSON: invalid character '<' looking for beginning of value at line 1, column 1"},
		{"not a Statuspage file", `{"page": {"id": "x", "name": "X"}, "status": {}}`, "incidents: missing"},
		{"unknown update status", edit(`"status": "monitoring",
          "body"`, `"status": "exploded",
          "body"`), `incidents[1].incident_updates[3].status: "exploded" is not a Statuspage status`},
		{"unknown incident status", edit(`"status": "postmortem",
      "created_at"`, `"status": "done",
      "created_at"`), `incidents[1].status: "done" is not a Statuspage incident status`},
		{"unknown component status", edit(`"new_status": "major_outage"`, `"new_status": "on_fire"`),
			`incidents[1].incident_updates[5].affected_components[0].new_status: "on_fire" is not a Statuspage component status`},
		{"impossible instant", edit(`"display_at": "2023-11-02T10:52:09.519-07:00"`, `"display_at": "2023-11-31T09:00:00.000-07:00"`),
			`incidents[2].incident_updates[1].display_at: "2023-11-31T09:00:00.000-07:00" is not an RFC 3339 instant`},
		{"missing name", edit(`"name": "Dashboard sign-in errors",`, ``), `incidents[2].name: must not be empty`},
		{"wrong type", edit(`"position": 6,`, `"position": "six",`), `incidents[1].components[1].position: is a JSON string, want a number`},
		{"bad instant", edit(`"started_at": "2023-11-02T10:52:09.430-07:00"`, `"started_at": "yesterday"`), `incidents[2].started_at: "yesterday" is not an RFC 3339 instant`},
		{"no updates", edit(`"incident_updates": [
        {
          "id": "v6b0p4j8e2nk"`, `"incident_updates": [], "x": [
        {
          "id": "v6b0p4j8e2nk"`), `incidents[2].incident_updates: must not be empty`},
	}
	st, err := openStores(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	before := rowCounts(t, st.db)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			file := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-")+".json")
			if err := os.WriteFile(file, []byte(c.doc), 0o600); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := runImportCmd(t, db, file)
			if code != 2 || stdout != "" || !strings.Contains(stderr, c.want) || !strings.Contains(stderr, "Nothing was imported.") {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2 and %q", code, stdout, stderr, c.want)
			}
			if after := rowCounts(t, st.db); !reflect.DeepEqual(before, after) {
				t.Errorf("recorded something: %v → %v", before, after)
			}
		})
	}

	// A file that does not exist, and a usage error.
	if code, _, _ := runImportCmd(t, db, filepath.Join(dir, "missing.json")); code != 2 {
		t.Errorf("missing file: exit %d", code)
	}
	var stderr bytes.Buffer
	if code := run(ctx, []string{"import", "pagerduty", "x"}, nil, io.Discard, &stderr); code != 2 {
		t.Errorf("unknown source: exit %d", code)
	}
}
