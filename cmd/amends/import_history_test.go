package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/web"
)

// The generated history of testdata/statuspage-history (generate.py says
// what shapes it holds).
var historyDir = filepath.Join("testdata", "statuspage-history")

func historyFile(name string) string { return filepath.Join(historyDir, name) }

// runCmd runs the binary's run with args and returns its exit code and
// output.
func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// pageServer serves the database at db as `amends serve` does.
func pageServer(t *testing.T, db string) (*httptest.Server, *stores) {
	t.Helper()
	now := func() time.Time { return pageServerNow }
	st, err := openStores(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv := web.New(web.Config{SiteName: "Orbit Status", BaseURL: "https://status.orbit.example", Now: now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))},
		st.incidents, st.accounts, st.desk, st)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return hs, st
}

// pageServerNow is the clock of every pageServer: one instant, so two
// servers compared page for page show the same "now" however long apart
// a busy machine starts them.
var pageServerNow = time.Now().UTC().Truncate(time.Second)

// fetch GETs url without following redirects.
func fetch(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// spIncidentOut is an incident of /api/v2/incidents.json, as far as the
// tests read it.
type spIncidentOut struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	Status          string `json:"status"`
	CreatedAt       string `json:"created_at"`
	UpdatedAt       string `json:"updated_at"`
	StartedAt       string `json:"started_at"`
	ResolvedAt      string `json:"resolved_at"`
	IncidentUpdates []struct {
		ID                 string `json:"id"`
		Status             string `json:"status"`
		Body               string `json:"body"`
		CreatedAt          string `json:"created_at"`
		UpdatedAt          string `json:"updated_at"`
		DisplayAt          string `json:"display_at"`
		AffectedComponents []struct {
			Code      string `json:"code"`
			OldStatus string `json:"old_status"`
			NewStatus string `json:"new_status"`
		} `json:"affected_components"`
	} `json:"incident_updates"`
}

func apiIncidents(t *testing.T, base string) map[string]spIncidentOut {
	t.Helper()
	_, body := fetch(t, base+"/api/v2/incidents.json")
	var doc struct {
		Incidents []spIncidentOut `json:"incidents"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("incidents.json: %v\n%s", err, body)
	}
	out := map[string]spIncidentOut{}
	for _, inc := range doc.Incidents {
		out[inc.ID] = inc
	}
	return out
}

// TestImportStatuspageHistory imports a history with every shape real
// Statuspage data has, whole, and shows it as Statuspage did: its ids,
// instants, old statuses, component fields, HTML bodies as markup, feeds
// dated by the data; then imports a later file of it as an update.
func TestImportStatuspageHistory(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "amends.db")

	// A dry run reports every rule and writes nothing.
	code, stdout, stderr := runCmd(t, "import", "statuspage", "--db", db, "--dry-run", historyFile("summary.json"), historyFile("incidents.json"))
	if code != 0 {
		t.Fatalf("dry run: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{
		"start_earliest                  1 incidents (inc1backfill)",
		"resolved_leaving_components     1 incidents (inc0degraded)",
		"phase_held                      1 incidents (inc3goesback)",
		"resolved_without_update         1 incidents (inc4noresolv)",
		"milliseconds                   26 incidents",
		"left out 1 scheduled maintenances",
		"nothing was written",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("dry run report lacks %q:\n%s", want, stdout)
		}
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Fatalf("a dry run created the database: %v", err)
	}

	// The summary, then the incidents, as two runs: no empty service.
	for _, f := range []string{"summary.json", "incidents.json"} {
		if code, stdout, stderr := runCmd(t, "import", "statuspage", "--db", db, historyFile(f)); code != 0 {
			t.Fatalf("%s: exit %d\n%s%s", f, code, stdout, stderr)
		}
	}
	hs, st := pageServer(t, db)
	services, err := st.incidents.Services(ctx)
	if err != nil {
		t.Fatal(err)
	}
	comps, err := st.incidents.Components(ctx)
	if err != nil {
		t.Fatal(err)
	}
	members := map[string]int{}
	for _, c := range comps {
		members[c.Service]++
	}
	var names []string
	for _, s := range services {
		names = append(names, s.ID+"="+s.ExternalID)
		if members[s.ID] == 0 {
			t.Errorf("service %s has no component", s.ID)
		}
	}
	if got := strings.Join(names, " "); got != "Orbit-Status= grpcompute01=grpcompute01 grpstorage02=grpstorage02" {
		t.Errorf("services: %s", got)
	}

	// The API shows the source's ids and instants (to the second).
	incs := apiIncidents(t, hs.URL)
	if len(incs) != 26 {
		t.Fatalf("%d incidents in the API", len(incs))
	}
	bf := incs["inc1backfill"]
	if bf.CreatedAt != "2023-05-03T09:59:00.000Z" || bf.StartedAt != "2023-05-03T09:59:00.000Z" || bf.UpdatedAt != "2023-05-03T11:30:01.000Z" ||
		bf.ResolvedAt != "2023-05-03T11:30:00.000Z" {
		t.Errorf("backfilled incident %+v", bf)
	}
	if u := bf.IncidentUpdates[1]; u.ID != "u1a" || u.DisplayAt != "2023-05-03T10:00:00.000Z" || u.CreatedAt != "2023-05-03T18:00:00.000Z" {
		t.Errorf("backfilled update %+v", u)
	}
	// old_status as recorded; a resolving update lists what the source
	// lists, and leaves a component degraded.
	gb := incs["inc3goesback"]
	if a := gb.IncidentUpdates[len(gb.IncidentUpdates)-1].AffectedComponents; len(a) != 1 || a[0].Code != "vmeuwest0002" || a[0].OldStatus != "degraded_performance" {
		t.Errorf("first update of inc3goesback: %+v", a)
	}
	if gb.Status != "resolved" || gb.IncidentUpdates[0].ID != "u3e" {
		t.Errorf("inc3goesback %+v", gb)
	}
	dg := incs["inc0degraded"].IncidentUpdates[0]
	if len(dg.AffectedComponents) != 1 || dg.AffectedComponents[0].NewStatus != "partial_outage" || dg.Status != "resolved" {
		t.Errorf("resolving update of inc0degraded %+v", dg)
	}
	// The API returns bodies as stored.
	hb := incs["inc2htmlbody"]
	if body := hb.IncidentUpdates[len(hb.IncidentUpdates)-1].Body; body != `Sign-in fails for some users.<br>See <a href="https://help.orbit.example/signin">the help page</a>.` {
		t.Errorf("HTML body in the API: %q", body)
	}

	// Components: the summary's fields where given, nothing invented.
	_, body := fetch(t, hs.URL+"/api/v2/components.json")
	var cdoc struct {
		Components []struct {
			ID          string  `json:"id"`
			Description *string `json:"description"`
			Showcase    bool    `json:"showcase"`
			StartDate   *string `json:"start_date"`
			GroupID     *string `json:"group_id"`
			Group       bool    `json:"group"`
		} `json:"components"`
	}
	if err := json.Unmarshal([]byte(body), &cdoc); err != nil {
		t.Fatal(err)
	}
	var cs []string
	for _, c := range cdoc.Components {
		line := c.ID
		if c.GroupID != nil {
			line += " in " + *c.GroupID
		}
		if c.Description != nil {
			line += " " + strconv.Quote(*c.Description)
		}
		if c.StartDate != nil {
			line += " from " + *c.StartDate
		}
		if c.Showcase {
			line += " showcase"
		}
		cs = append(cs, line)
	}
	if got, want := strings.Join(cs, "; "), `Dashboard_04; grpcompute01 "Virtual machines"; vmuseast0001 in grpcompute01 "Instances in us-east" from 2019-04-01 showcase; `+
		`vmeuwest0002 in grpcompute01; grpstorage02; objstore0003 in grpstorage02 "Buckets" showcase`; got != want {
		t.Errorf("components:\n got %s\nwant %s", got, want)
	}

	// page.updated_at and the feeds are dated by the data, not the import.
	thisYear := strconv.Itoa(time.Now().UTC().Year()) + "-"
	_, summary := fetch(t, hs.URL+"/api/v2/summary.json")
	if !strings.Contains(summary, `"updated_at":"2023-05-30T22:00:00.000Z"`) || strings.Contains(summary, thisYear) {
		t.Errorf("summary.json is dated by the import:\n%.400s", summary)
	}
	_, atom := fetch(t, hs.URL+"/history.atom")
	_, rss := fetch(t, hs.URL+"/history.rss")
	updated := regexp.MustCompile(`<updated>([^<]*)</updated>`).FindAllStringSubmatch(atom, -1)
	if len(updated) < 2 || !strings.Contains(rss, "<pubDate>Tue, 30 May 2023 22:00:00 +0000</pubDate>") {
		t.Fatalf("feeds:\n%.600s\n%.600s", atom, rss)
	}
	for _, u := range updated {
		if !strings.HasPrefix(u[1], "2023-") {
			t.Errorf("atom <updated>%s</updated> is not the data's", u[1])
		}
	}
	if strings.Contains(rss, strconv.Itoa(time.Now().UTC().Year())+" ") {
		t.Errorf("rss dated by the import")
	}
	// HTML bodies render as markup, sanitised, in the feeds too.
	if !strings.Contains(atom, `&lt;a href=&#34;https://help.orbit.example/signin&#34; rel=&#34;nofollow&#34;&gt;the help page&lt;/a&gt;`) ||
		strings.Contains(atom, "alert(1)") {
		t.Errorf("atom does not carry the HTML body as markup")
	}

	// /incidents/{statuspage-id} redirects to the incident, whose page
	// shows the HTML body as markup and plain text as text.
	resp, _ := fetch(t, hs.URL+"/incidents/inc2htmlbody")
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusMovedPermanently || !regexp.MustCompile(`^/incidents/\d+$`).MatchString(loc) {
		t.Fatalf("redirect: %d %q", resp.StatusCode, loc)
	}
	_, page := fetch(t, hs.URL+loc)
	for _, want := range []string{
		`<a href="https://help.orbit.example/signin" rel="nofollow">the help page</a>`,
		`<li>sessions renewed</li>`,
		`Plain text with a &lt; sign &amp; an ampersand.`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("incident page lacks %q", want)
		}
	}
	if strings.Contains(page, "alert(1)") || strings.Contains(page, "&lt;br&gt;") {
		t.Errorf("incident page shows script or literal tags")
	}
	if resp, _ := fetch(t, hs.URL+"/incidents/nosuchincident"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown id: %d", resp.StatusCode)
	}

	// A later file: the open incident is resolved, one update's text is
	// corrected; nothing else changes.
	before := map[string]incidents.Incident{}
	for _, inc := range allIncidents(t, st.incidents) {
		before[inc.ExternalID] = inc
	}
	code, stdout, stderr = runCmd(t, "import", "statuspage", "--db", db, historyFile("incidents-later.json"))
	if code != 0 || !strings.Contains(stdout, "updated 1 incidents imported before: 1 updates added, 1 corrected") {
		t.Fatalf("later file: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, inc := range allIncidents(t, st.incidents) {
		if inc.ExternalID != "inc5openlate" {
			if !reflect.DeepEqual(inc, before[inc.ExternalID]) {
				t.Errorf("%s changed", inc.ExternalID)
			}
			continue
		}
		if inc.Phase != incidents.Resolved || len(inc.Updates) != 2 || inc.Updates[0].Message != "Object storage uploads fail in us-east." ||
			inc.Updates[0].ID != before["inc5openlate"].Updates[0].ID {
			t.Errorf("inc5openlate after the later file: %+v", inc)
		}
	}
	// The update row stays as first published; the new text is an
	// imported edit dated by the origin's updated_at.
	var old, edit, editedAt string
	var imported int
	if err := st.db.QueryRow(`SELECT u.message, e.message, e.edited_at, e.imported FROM incident_update_edits e
		JOIN incident_updates u ON u.id = e.update_id`).Scan(&old, &edit, &editedAt, &imported); err != nil ||
		old != "Object storage uploads fail." || edit != "Object storage uploads fail in us-east." || editedAt != "2023-05-31T23:00:00Z" || imported != 1 {
		t.Errorf("correction: %q → %q at %s (imported %d), %v", old, edit, editedAt, imported, err)
	}
	// Every reader shows the origin's new text, dated by the origin's
	// updated_at and without the "edited" mark of a correction made here.
	later, _ := pageServer(t, db)
	if _, v2 := fetch(t, later.URL+"/api/v2/incidents.json"); !strings.Contains(v2, `"body":"Object storage uploads fail in us-east."`) ||
		!strings.Contains(v2, `"updated_at":"2023-05-31T23:00:00.000Z"`) || strings.Contains(v2, `"body":"Object storage uploads fail."`) {
		t.Errorf("/api/v2/incidents.json does not show the corrected text")
	}
	if _, atom := fetch(t, later.URL+"/history.atom"); !strings.Contains(atom, "Object storage uploads fail in us-east.") {
		t.Errorf("the feed does not show the corrected text")
	}
	if resp, _ := fetch(t, later.URL+"/incidents/inc5openlate"); resp.StatusCode == http.StatusMovedPermanently {
		if _, page := fetch(t, later.URL+resp.Header.Get("Location")); !strings.Contains(page, "Object storage uploads fail in us-east.") ||
			strings.Contains(page, "timeline__edited") {
			t.Errorf("the incident page does not show the corrected text, unmarked")
		}
	} else {
		t.Errorf("/incidents/inc5openlate: %d", resp.StatusCode)
	}
	var audited int
	if err := st.db.QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'incident.update.correct'`).Scan(&audited); err != nil || audited != 1 {
		t.Errorf("correction audited %d times, %v", audited, err)
	}
	// Daily uptime: the days after the resolution are full again.
	day := time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC)
	up, err := st.incidents.DailyUptime(ctx, day, day.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if ev := up.Events["objstore0003"]; len(ev) != 0 {
		t.Errorf("2023-06-01 still has downtime on objstore0003: %+v", ev)
	}

	// Twice on the same file changes nothing, not even the audit log.
	counts := rowCounts(t, st.db)
	if code, stdout, stderr := runCmd(t, "import", "statuspage", "--db", db, historyFile("incidents-later.json")); code != 0 ||
		!strings.Contains(stdout, "skipped 26 already imported and unchanged") {
		t.Errorf("again: exit %d\n%s%s", code, stdout, stderr)
	}
	if after := rowCounts(t, st.db); !reflect.DeepEqual(counts, after) {
		t.Errorf("the same file again wrote: %v → %v", counts, after)
	}

	// Published updates still refuse ordinary edits, imported or not.
	for _, q := range []string{
		`UPDATE incident_updates SET message = 'edited' WHERE external_id = 'u0a'`,
		`UPDATE incident_updates SET at = '2023-01-01T00:00:00Z' WHERE external_id = 'u5a'`,
		`DELETE FROM incident_updates WHERE external_id = 'u0a'`,
		`UPDATE incident_update_edits SET message = 'x'`,
		`UPDATE incident_updates SET message = 'Object storage uploads fail in us-east.', updated_at = '2023-05-31T23:00:00Z' WHERE external_id = 'u5a'`,
	} {
		if _, err := st.db.Exec(q); err == nil {
			t.Errorf("%s: allowed", q)
		}
	}
}

// TestImportStatuspageFromPage reads a live page's documents, served by a
// local server from recorded files; an address that does not answer is a
// clear error, and so is one that answers too slowly for --timeout.
func TestImportStatuspageFromPage(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v2/summary.json", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, historyFile("summary.json"))
	})
	mux.HandleFunc("/api/v2/incidents.json", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, historyFile("incidents.json"))
	})
	slow := make(chan struct{})
	mux.HandleFunc("/slow/api/v2/summary.json", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-slow:
		case <-r.Context().Done():
		}
	})
	hs := httptest.NewServer(mux)
	defer hs.Close()
	defer close(slow)
	db := filepath.Join(t.TempDir(), "amends.db")

	code, stdout, stderr := runCmd(t, "import", "statuspage", "--db", db, hs.URL)
	if code != 0 || !strings.Contains(stdout, "imported 26 incidents") {
		t.Fatalf("from the page: exit %d\n%s%s", code, stdout, stderr)
	}
	code, _, stderr = runCmd(t, "import", "statuspage", "--db", db, "--timeout", "50ms", hs.URL+"/slow")
	if code != 1 || !strings.Contains(stderr, "no answer within the --timeout") {
		t.Errorf("slow page: exit %d, %s", code, stderr)
	}
	code, _, stderr = runCmd(t, "import", "statuspage", "--db", db, hs.URL+"/missing")
	if code != 1 || !strings.Contains(stderr, "answered 404 Not Found") {
		t.Errorf("missing page: exit %d, %s", code, stderr)
	}
	gone := httptest.NewServer(mux)
	gone.Close()
	code, _, stderr = runCmd(t, "import", "statuspage", "--db", db, gone.URL)
	if code != 1 || !strings.Contains(stderr, "is unreachable") || !strings.Contains(stderr, "Nothing was imported.") {
		t.Errorf("unreachable page: exit %d, %s", code, stderr)
	}
}

// TestExportStatuspageRoundTrip: import → export → import into a fresh
// database gives the same pages and the same API documents.
func TestExportStatuspageRoundTrip(t *testing.T) {
	dir := t.TempDir()
	first := filepath.Join(dir, "first.db")
	// One run of both documents numbers the incidents in the order they
	// began, as the import of the export will: the pages that show Amends'
	// numbers can then be compared byte for byte.
	for _, files := range [][]string{{"summary.json", "incidents.json"}, {"incidents-later.json"}} {
		args := []string{"import", "statuspage", "--db", first}
		for _, f := range files {
			args = append(args, historyFile(f))
		}
		if code, stdout, stderr := runCmd(t, args...); code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", files, code, stdout, stderr)
		}
	}
	out := filepath.Join(dir, "export")
	code, stdout, stderr := runCmd(t, "export", "statuspage", "--db", first, "--url", "https://status.orbit.example", out)
	if code != 0 || !strings.Contains(stdout, "26 incidents") {
		t.Fatalf("export: exit %d\n%s%s", code, stdout, stderr)
	}
	second := filepath.Join(dir, "second.db")
	code, stdout, stderr = runCmd(t, "import", "statuspage", "--db", second, filepath.Join(out, "summary.json"), filepath.Join(out, "incidents.json"))
	if code != 0 || !strings.Contains(stdout, "imported 26 incidents") {
		t.Fatalf("import of the export: exit %d\n%s%s", code, stdout, stderr)
	}
	a, _ := pageServer(t, first)
	b, _ := pageServer(t, second)
	paths := []string{"/api/v2/summary.json", "/api/v2/incidents.json", "/api/v2/components.json", "/", "/history", "/uptime", "/history.atom"}
	for id := 1; id <= 26; id++ {
		paths = append(paths, "/incidents/"+strconv.Itoa(id))
	}
	for _, p := range paths {
		ra, pa := fetch(t, a.URL+p)
		rb, pb := fetch(t, b.URL+p)
		if ra.StatusCode != http.StatusOK || ra.StatusCode != rb.StatusCode || pa != pb {
			t.Errorf("%s differs after the round trip (%d, %d)", p, ra.StatusCode, rb.StatusCode)
		}
	}
	if code, _, _ := runCmd(t, "export", "statuspage", "--db", filepath.Join(dir, "none.db"), out); code != 1 {
		t.Errorf("export of a missing database: exit %d", code)
	}
}

// TestImportStatuspageConcurrent: two imports of the same documents at
// once record each incident once; the one that commits second finds the
// first's and changes nothing.
func TestImportStatuspageConcurrent(t *testing.T) {
	db := filepath.Join(t.TempDir(), "amends.db")
	// The schema first, so both runs start from a migrated database.
	if code, _, stderr := runCmd(t, "import", "statuspage", "--db", db, historyFile("summary.json")); code != 0 {
		t.Fatal(stderr)
	}
	type result struct {
		code           int
		stdout, stderr string
	}
	results := make(chan result, 2)
	for range 2 {
		go func() {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), []string{"import", "statuspage", "--db", db, historyFile("incidents-later.json")}, strings.NewReader(""), &stdout, &stderr)
			results <- result{code, stdout.String(), stderr.String()}
		}()
	}
	imported := 0
	for range 2 {
		r := <-results
		if r.code != 0 {
			t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		if strings.Contains(r.stdout, "imported 25 incidents") {
			imported++
		}
	}
	if imported != 1 {
		t.Errorf("%d runs imported the incidents, want 1", imported)
	}
	_, st := pageServer(t, db)
	if all := allIncidents(t, st.incidents); len(all) != 26 {
		t.Errorf("%d incidents stored, want 26", len(all))
	}
}
