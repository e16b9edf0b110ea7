package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/auth"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/sla"
)

// This file extends the harness of server_test.go: raw requests, API calls,
// row counts, HTML parsing and direct store writes.

const testPassword = "correct horse battery staple"

// ---- raw HTTP ----

// rawClient sends exactly the headers a test sets: no cookie jar, no
// transparent gzip, no redirects followed.
var rawClient = &http.Client{
	Transport:     &http.Transport{DisableCompression: true},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// request sends method path with the given headers and body, and returns the
// response with its body read.
func (e *testEnv) request(method, path string, header http.Header, body io.Reader) (*http.Response, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.http.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := rawClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp, b
}

// publicGet fetches a public page with no cookies, plain (not gzip).
func (e *testEnv) publicGet(path string) (*http.Response, string) {
	e.t.Helper()
	resp, b := e.request(http.MethodGet, path, nil, nil)
	return resp, string(b)
}

// ---- API ----

type apiResult struct {
	status int
	header http.Header
	body   []byte
}

// api calls the JSON API with a bearer token ("" for none). body is sent
// as is when it is a string or []byte, and as JSON otherwise.
func (e *testEnv) api(method, path, token string, body any) apiResult {
	e.t.Helper()
	var r io.Reader
	switch v := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(v)
	case []byte:
		r = bytes.NewReader(v)
	default:
		b, err := json.Marshal(v)
		if err != nil {
			e.t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	if r != nil {
		h.Set("Content-Type", "application/json")
	}
	resp, b := e.request(method, "/api/v1"+path, h, r)
	return apiResult{status: resp.StatusCode, header: resp.Header, body: b}
}

// decode reads the body as JSON into v.
func (r apiResult) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
}

// apiError reads the body as the API's error shape.
func (r apiResult) apiError(t testing.TB) errorDetail {
	t.Helper()
	var eb errorBody
	if err := json.Unmarshal(r.body, &eb); err != nil {
		t.Fatalf("error body is not {\"error\":…}: %v\n%s", err, r.body)
	}
	if eb.Error.Message == "" {
		t.Fatalf("error body has no message: %s", r.body)
	}
	return eb.Error
}

// expect fails the test unless the status is want.
func (r apiResult) expect(t testing.TB, want int) apiResult {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d\n%s", r.status, want, r.body)
	}
	return r
}

// ---- the database ----

// countedTables are the tables whose row counts show whether a request
// stored anything.
var countedTables = []string{
	"services", "components", "incidents", "incident_updates", "incident_update_components",
	"maintenances", "maintenance_components", "users", "api_tokens", "audit_log",
	"goodwill_grants", "credit_runs", "ledger", "customers", "customer_resources", "customer_charges",
	"incident_update_edits", "incident_templates", "incident_template_components",
	// Not a count: the data revision, which every write raises.
	"data_revision",
}

type rowCounts map[string]int

func (e *testEnv) count(table string) int {
	e.t.Helper()
	var n int
	query := `SELECT COUNT(*) FROM ` + table
	switch table {
	case "data_revision":
		query = `SELECT n FROM data_revision WHERE id = 1`
	case "ledger": // its rows and the entries of its blocks
		query = `SELECT (SELECT count(*) FROM ledger_entries) + (SELECT coalesce(sum(entries), 0) FROM ledger_blocks)`
	}
	if err := e.db.QueryRow(query).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *testEnv) counts() rowCounts {
	e.t.Helper()
	out := rowCounts{}
	for _, t := range countedTables {
		out[t] = e.count(t)
	}
	return out
}

// assertNothingStored fails unless every counted table has the rows it had
// in before.
func (e *testEnv) assertNothingStored(before rowCounts) {
	e.t.Helper()
	after := e.counts()
	for _, t := range countedTables {
		if after[t] != before[t] {
			e.t.Errorf("%s: %d rows, had %d: the refused request stored something", t, after[t], before[t])
		}
	}
}

// changedTables names the counted tables whose row counts differ from
// before, "" if none.
func (e *testEnv) changedTables(before rowCounts) string {
	e.t.Helper()
	after := e.counts()
	var out []string
	for _, t := range countedTables {
		if after[t] != before[t] {
			out = append(out, fmt.Sprintf("%s (%d → %d)", t, before[t], after[t]))
		}
	}
	return strings.Join(out, ", ")
}

type auditRow struct {
	Actor, Action, Entity, EntityID string
}

// audits returns the audit log rows after id (0 for all), oldest first,
// and the last id.
func (e *testEnv) auditsAfter(id int64) ([]auditRow, int64) {
	e.t.Helper()
	rows, err := e.db.Query(`SELECT id, actor, action, entity, entity_id FROM audit_log WHERE id > ? ORDER BY id`, id)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var out []auditRow
	last := id
	for rows.Next() {
		var r auditRow
		if err := rows.Scan(&last, &r.Actor, &r.Action, &r.Entity, &r.EntityID); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		e.t.Fatal(err)
	}
	return out, last
}

func (e *testEnv) lastAuditID() int64 {
	e.t.Helper()
	var id int64
	if err := e.db.QueryRow(`SELECT COALESCE(MAX(id), 0) FROM audit_log`).Scan(&id); err != nil {
		e.t.Fatal(err)
	}
	return id
}

// ---- accounts ----

// userID returns the id of the user with email.
func (e *testEnv) userID(email string) int64 {
	e.t.Helper()
	users, err := e.accounts.Users(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	for _, u := range users {
		if u.Email == email {
			return u.ID
		}
	}
	e.t.Fatalf("no user %s", email)
	return 0
}

// namedToken creates a token called name for the user of role (created
// if needed) and returns its secret.
func (e *testEnv) namedToken(role auth.Role, name string) string {
	e.t.Helper()
	e.user(role)
	raw, _, err := e.accounts.CreateToken(context.Background(), audit.Person("test"), e.userID(string(role)+"@example.com"), name, role, e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	return raw
}

// ---- browsers ----

// noFollow returns a browser sharing b's cookies and CSRF token that does
// not follow redirects.
func (b *browser) noFollow() *browser {
	c := *b.client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &browser{env: b.env, client: &c, csrf: b.csrf}
}

// cookie returns the browser's cookie called name, or nil.
func (b *browser) cookie(name string) *http.Cookie {
	u, _ := url.Parse(b.env.http.URL)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// post posts a form as is: no CSRF token is added.
func (b *browser) post(path string, form url.Values, header http.Header) (*http.Response, string) {
	b.env.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.env.http.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.env.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.env.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// ---- HTML ----

func parseHTML(t testing.TB, body string) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// testid selects elements by data-testid.
func testid(id string) string { return `[data-testid="` + id + `"]` }

// textOf is the squeezed text of a selection.
func textOf(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }

// fieldError returns the error shown beside the form control named name:
// the field-error of its field (or component row), "" if there is none.
func fieldError(doc *goquery.Document, name string) string {
	ctl := doc.Find(`[name="` + name + `"]`).First()
	if ctl.Length() == 0 {
		return ""
	}
	box := ctl.Closest(".field, .cf-row, .fieldset")
	return textOf(box.Find(testid("field-error")))
}

// formFieldError is fieldError within the form with data-testid form.
func formFieldError(doc *goquery.Document, form, name string) string {
	ctl := doc.Find(testid(form)).Find(`[name="` + name + `"]`).First()
	return textOf(ctl.Closest(".field, .cf-row, .fieldset").Find(testid("field-error")))
}

// ---- direct store writes (as another process would make them) ----

func pct(s string) *sla.Percent {
	p, err := sla.ParsePercent(s)
	if err != nil {
		panic(err)
	}
	return &p
}

func change(component string, st incidents.Status, percent string) incidents.ComponentChange {
	ch := incidents.ComponentChange{Component: component, Status: st}
	if percent != "" {
		ch.AffectedPercent = pct(percent)
	}
	return ch
}

// declare stores an active incident directly.
func (e *testEnv) declare(title string, changes ...incidents.ComponentChange) incidents.Incident {
	e.t.Helper()
	inc, err := e.incidents.CreateIncident(context.Background(), audit.Person("ops@example.com"), incidents.IncidentInput{
		Title: title, Message: "We are investigating " + strings.ToLower(title) + ".", Components: changes, NoComponents: len(changes) == 0,
	}, e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	return inc
}

// backfill stores a past incident that started at start and was resolved
// an hour later.
func (e *testEnv) backfill(title string, start time.Time, changes ...incidents.ComponentChange) incidents.Incident {
	e.t.Helper()
	ctx := context.Background()
	inc, err := e.incidents.CreateIncident(ctx, audit.Person("ops@example.com"), incidents.IncidentInput{
		Title: title, Message: "Investigating.", StartedAt: &start, Components: changes, NoComponents: len(changes) == 0,
	}, e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	end := start.Add(time.Hour)
	inc, err = e.incidents.AddUpdate(ctx, audit.Person("ops@example.com"), inc.ID, incidents.UpdateInput{
		Phase: incidents.Resolved, Message: "Resolved.", At: &end,
	}, e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	return inc
}

// maintenance stores a maintenance window directly.
func (e *testEnv) maintenance(title string, starts, ends time.Time, components ...string) incidents.Maintenance {
	e.t.Helper()
	m, err := e.incidents.CreateMaintenance(context.Background(), audit.Person("ops@example.com"), incidents.MaintenanceInput{
		Title: title, Message: "Planned work.", Components: components, StartsAt: starts, EndsAt: ends,
	}, e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// passRevisionCheck moves the clock past the page cache's revision check,
// as time passes between a write by another process and the next reader.
func (e *testEnv) passRevisionCheck() { e.clock.Advance(revisionCheckEvery) }

// ---- failing dependencies, for the page cache's last good copy ----

var errTestOutage = errors.New("test: the database is unavailable")

// flakyStore is an incidents.Store whose reads fail while failing is set.
type flakyStore struct {
	incidents.Store
	failing *atomic.Bool
}

func (s flakyStore) fail() error {
	if s.failing.Load() {
		return errTestOutage
	}
	return nil
}

func (s flakyStore) Services(ctx context.Context) ([]incidents.Service, error) {
	if err := s.fail(); err != nil {
		return nil, err
	}
	return s.Store.Services(ctx)
}

func (s flakyStore) Components(ctx context.Context) ([]incidents.Component, error) {
	if err := s.fail(); err != nil {
		return nil, err
	}
	return s.Store.Components(ctx)
}

func (s flakyStore) Incident(ctx context.Context, id int64) (incidents.Incident, error) {
	if err := s.fail(); err != nil {
		return incidents.Incident{}, err
	}
	return s.Store.Incident(ctx, id)
}

func (s flakyStore) ResolvedIncidents(ctx context.Context, offset, limit int) ([]incidents.Incident, int, error) {
	if err := s.fail(); err != nil {
		return nil, 0, err
	}
	return s.Store.ResolvedIncidents(ctx, offset, limit)
}

// flakyRevision is a Revisioner that fails while failing is set.
type flakyRevision struct {
	Revisioner
	failing *atomic.Bool
}

func (r flakyRevision) Revision(ctx context.Context) (int64, error) {
	if r.failing.Load() {
		return 0, errTestOutage
	}
	return r.Revisioner.Revision(ctx)
}

// update posts an update to incident id that sets changes, as
// ops@example.com, now.
func (e *testEnv) update(id int64, changes ...incidents.ComponentChange) incidents.Incident {
	e.t.Helper()
	inc, err := e.incidents.AddUpdate(context.Background(), audit.Person("ops@example.com"), id, incidents.UpdateInput{
		Message: "Update.", Components: changes,
	}, e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	return inc
}
