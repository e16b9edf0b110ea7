package web

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/incidents"
)

type incidentList struct {
	Items []incidents.Incident `json:"items"`
	Total int                  `json:"total"`
}

// TestAPIPercentExponent: a percentage in exponent form, as a string or as a
// JSON number, is read exactly, whatever the digits of its whole part.
func TestAPIPercentExponent(t *testing.T) {
	env := newTestEnv(t)
	tok := env.token(auth.Support)
	for _, tc := range []struct {
		percent any
		want    string
	}{
		{"1e2", "100"}, {json.Number("1e2"), "100"}, {"1E2", "100"}, {json.Number("100e0"), "100"},
		{"0.5e2", "50"}, {json.Number("1e-2"), "0.01"}, {" 7 ", "7"}, {"-0", "0"},
	} {
		status := "partial_outage"
		if tc.want == "0" {
			status = "operational"
		}
		r := env.api("POST", "/incidents", tok, map[string]any{
			"title": "Elevated errors", "message": "Investigating.", "no_components": status == "operational",
			"components": []map[string]any{{"component": "elb-us-east-1", "status": status, "affected_percent": tc.percent}},
		}).expect(t, http.StatusCreated)
		var inc incidents.Incident
		r.decode(t, &inc)
		if cs := inc.Updates[0].Components; len(cs) != 1 || cs[0].AffectedPercent.String() != tc.want {
			t.Errorf("affected_percent %v: components %+v, want %s%%", tc.percent, cs, tc.want)
		}
		if !bytes.Contains(r.body, []byte(`"affected_percent":"`+tc.want+`"`)) {
			t.Errorf("affected_percent %v: JSON %s", tc.percent, r.body)
		}
	}
}

func TestAPIIncidentLifecycle(t *testing.T) {
	env := newTestEnv(t)
	tok := env.token(auth.Support)

	r := env.api("POST", "/incidents", tok, map[string]any{
		"title": "Elevated errors", "impact": "major", "message": "Investigating.",
		"components": []map[string]any{
			{"component": "elb-us-east-1", "status": "partial_outage", "affected_percent": 12.5},
			{"component": "elb-eu-west-1", "status": "degraded_performance", "affected_percent": "0.0001"},
		},
	}).expect(t, http.StatusCreated)
	var inc incidents.Incident
	r.decode(t, &inc)
	if want := fmt.Sprintf("/api/v1/incidents/%d", inc.ID); r.header.Get("Location") != want {
		t.Errorf("Location %q, want %q", r.header.Get("Location"), want)
	}
	if inc.ID == 0 || inc.Phase != incidents.Investigating || !inc.StartedAt.Equal(env.clock.Now()) || len(inc.Updates) != 1 {
		t.Fatalf("created %+v", inc)
	}
	if cs := inc.Updates[0].Components; len(cs) != 2 || cs[0].AffectedPercent.String() != "12.5" || cs[1].AffectedPercent.String() != "0.0001" {
		t.Errorf("components %+v", cs)
	}
	if a := inc.Updates[0].Author; a != "support@example.com (token test token)" {
		t.Errorf("author %q", a)
	}
	// The JSON keeps percentages exact.
	if !bytes.Contains(r.body, []byte(`"affected_percent":12.5`)) && !bytes.Contains(r.body, []byte(`"affected_percent":"12.5"`)) {
		t.Errorf("percent in JSON: %s", r.body)
	}

	var got incidents.Incident
	env.api("GET", fmt.Sprintf("/incidents/%d", inc.ID), tok, nil).expect(t, http.StatusOK).decode(t, &got)
	if got.ID != inc.ID || got.Title != "Elevated errors" || len(got.Updates) != 1 {
		t.Errorf("GET %+v", got)
	}

	env.clock.Advance(15 * time.Minute)
	r = env.api("POST", fmt.Sprintf("/incidents/%d/updates", inc.ID), tok, map[string]any{
		"phase": "identified", "message": "Found it.",
		"components": []map[string]any{{"component": "elb-us-east-1", "status": "partial_outage", "affected_percent": "6.8"}},
	}).expect(t, http.StatusCreated)
	r.decode(t, &got)
	if r.header.Get("Location") != fmt.Sprintf("/api/v1/incidents/%d", inc.ID) || got.Phase != incidents.Identified || len(got.Updates) != 2 {
		t.Errorf("update: Location %q, %+v", r.header.Get("Location"), got)
	}

	// Active list and status.
	var list incidentList
	env.api("GET", "/incidents", tok, nil).expect(t, http.StatusOK).decode(t, &list)
	if list.Total != 1 || len(list.Items) != 1 || list.Items[0].ID != inc.ID {
		t.Errorf("active list %+v", list)
	}
	env.api("GET", "/incidents?state=active", tok, nil).expect(t, http.StatusOK).decode(t, &list)
	if list.Total != 1 {
		t.Errorf("state=active total %d", list.Total)
	}
	env.api("GET", "/incidents?state=resolved", tok, nil).expect(t, http.StatusOK).decode(t, &list)
	if list.Total != 0 || list.Items == nil {
		t.Errorf("resolved list before resolving: %+v (items must be [] not null)", list)
	}
	var status struct {
		Status     incidents.Status `json:"status"`
		AsOf       time.Time        `json:"as_of"`
		Components []struct {
			ID, Name, Service string
			Status            incidents.Status
		} `json:"components"`
		Active []int64 `json:"active_incidents"`
	}
	env.api("GET", "/status", tok, nil).expect(t, http.StatusOK).decode(t, &status)
	if status.Status != incidents.PartialOutage || len(status.Components) != 2 || len(status.Active) != 1 || !status.AsOf.Equal(env.clock.Now()) {
		t.Errorf("status %+v", status)
	}
	for _, c := range status.Components {
		want := map[string]incidents.Status{"elb-us-east-1": incidents.PartialOutage, "elb-eu-west-1": incidents.DegradedPerformance}[c.ID]
		if c.Status != want || c.Service != "ELB" {
			t.Errorf("component %+v, want %s", c, want)
		}
	}

	// Resolve with a backfilled instant.
	env.clock.Advance(10 * time.Minute)
	at := env.clock.Now().Add(-5 * time.Minute)
	env.api("POST", fmt.Sprintf("/incidents/%d/updates", inc.ID), tok, map[string]any{
		"phase": "resolved", "message": "Recovered.", "at": at.Format(time.RFC3339),
	}).expect(t, http.StatusCreated).decode(t, &got)
	if got.ResolvedAt == nil || !got.ResolvedAt.Equal(at) {
		t.Errorf("resolved at %v, want %s", got.ResolvedAt, at)
	}
	env.api("GET", "/incidents?state=resolved", tok, nil).expect(t, http.StatusOK).decode(t, &list)
	if list.Total != 1 || list.Items[0].ID != inc.ID {
		t.Errorf("resolved list %+v", list)
	}
	env.api("GET", "/incidents", tok, nil).expect(t, http.StatusOK).decode(t, &list)
	if list.Total != 0 || list.Items == nil {
		t.Errorf("active list after resolving %+v", list)
	}
	env.api("GET", "/status", tok, nil).expect(t, http.StatusOK).decode(t, &status)
	if status.Status != incidents.Operational || len(status.Active) != 0 || status.Active == nil {
		t.Errorf("status after resolving %+v", status)
	}
}

func TestAPIResolvedPagination(t *testing.T) {
	env := newTestEnv(t)
	tok := env.token(auth.Viewer)
	for i := 0; i < 23; i++ {
		env.backfill(fmt.Sprintf("Past %d", i), time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i))
	}
	var list incidentList
	env.api("GET", "/incidents?state=resolved", tok, nil).expect(t, http.StatusOK).decode(t, &list)
	if list.Total != 23 || len(list.Items) != 20 || list.Items[0].Title != "Past 22" {
		t.Errorf("page 1: total %d, %d items, first %q", list.Total, len(list.Items), list.Items[0].Title)
	}
	env.api("GET", "/incidents?state=resolved&page=2", tok, nil).expect(t, http.StatusOK).decode(t, &list)
	if list.Total != 23 || len(list.Items) != 3 || list.Items[2].Title != "Past 0" {
		t.Errorf("page 2: total %d, %d items", list.Total, len(list.Items))
	}
}

func TestAPIBackfilledIncident(t *testing.T) {
	env := newTestEnv(t)
	tok := env.token(auth.Support)
	var inc incidents.Incident
	env.api("POST", "/incidents", tok, map[string]any{
		"title": "Recorded later", "phase": "resolved", "message": "A short blip, recorded after the fact.", "excluded": true,
		"started_at": "2012-12-20T10:00:00+02:00",
	}).expect(t, http.StatusCreated).decode(t, &inc)
	want := time.Date(2012, 12, 20, 8, 0, 0, 0, time.UTC)
	if !inc.StartedAt.Equal(want) || inc.ResolvedAt == nil || !inc.ResolvedAt.Equal(want) || !inc.Excluded {
		t.Errorf("backfilled %+v", inc)
	}
	if inc.StartedAt.Location() != time.UTC {
		t.Errorf("instants come back in %s, want UTC", inc.StartedAt.Location())
	}
}

func TestAPIServicesAndComponents(t *testing.T) {
	env := newTestEnv(t)
	tok := env.token(auth.Admin)
	var svc incidents.Service
	r := env.api("POST", "/services", tok, map[string]any{"id": "EC2", "name": "Elastic Compute Cloud", "position": 2}).expect(t, http.StatusCreated)
	r.decode(t, &svc)
	if r.header.Get("Location") != "/api/v1/services/EC2" || svc.Name != "Elastic Compute Cloud" {
		t.Errorf("created service %+v at %q", svc, r.header.Get("Location"))
	}
	env.api("PUT", "/services/EC2", tok, map[string]any{"name": "Amazon EC2", "description": "Servers", "position": 3}).expect(t, http.StatusOK).decode(t, &svc)
	if svc.ID != "EC2" || svc.Name != "Amazon EC2" || svc.Position != 3 {
		t.Errorf("updated service %+v", svc)
	}
	// The path names the service, whatever the body says.
	env.api("PUT", "/services/EC2", tok, map[string]any{"id": "ELB", "name": "Still EC2"}).expect(t, http.StatusOK).decode(t, &svc)
	if svc.ID != "EC2" {
		t.Errorf("PUT /services/EC2 changed service %s", svc.ID)
	}
	var services struct {
		Items []incidents.Service `json:"items"`
		Total int                 `json:"total"`
	}
	env.api("GET", "/services", tok, nil).expect(t, http.StatusOK).decode(t, &services)
	names := map[string]string{}
	for _, s := range services.Items {
		names[s.ID] = s.Name
	}
	if services.Total != 2 || names["EC2"] != "Still EC2" || names["ELB"] != "Elastic Load Balancing" {
		t.Errorf("services %+v", services)
	}

	var comp incidents.Component
	r = env.api("POST", "/components", tok, map[string]any{"id": "ec2-us-east-1a", "service": "EC2", "name": "EC2 us-east-1a", "region": "us-east-1", "zone": "us-east-1a", "resources": 5000}).expect(t, http.StatusCreated)
	r.decode(t, &comp)
	if r.header.Get("Location") != "/api/v1/components/ec2-us-east-1a" || comp.Resources != 5000 {
		t.Errorf("created component %+v at %q", comp, r.header.Get("Location"))
	}
	env.api("PUT", "/components/ec2-us-east-1a", tok, map[string]any{"service": "EC2", "name": "EC2 us-east-1a", "region": "us-east-1", "zone": "us-east-1a", "resources": 6000, "group": "N. Virginia"}).expect(t, http.StatusOK).decode(t, &comp)
	if comp.Resources != 6000 || comp.Group != "N. Virginia" {
		t.Errorf("updated component %+v", comp)
	}
	var components struct {
		Items []incidents.Component `json:"items"`
		Total int                   `json:"total"`
	}
	env.api("GET", "/components", tok, nil).expect(t, http.StatusOK).decode(t, &components)
	if components.Total != 3 {
		t.Errorf("components %+v", components)
	}
	// The public page follows at once.
	if _, body := env.publicGet("/"); !strings.Contains(body, "Still EC2") || !strings.Contains(body, "EC2 us-east-1a") {
		t.Error("the status page does not show the new service and component")
	}
}

func TestAPIMaintenance(t *testing.T) {
	env := newTestEnv(t)
	tok := env.token(auth.Support)
	var m incidents.Maintenance
	r := env.api("POST", "/maintenance", tok, map[string]any{
		"title": "Upgrade", "message": "Resets possible.", "components": []string{"elb-us-east-1"},
		"starts_at": "2012-12-25T02:00:00Z", "ends_at": "2012-12-25T04:00:00Z",
	}).expect(t, http.StatusCreated)
	r.decode(t, &m)
	if r.header.Get("Location") != fmt.Sprintf("/api/v1/maintenance/%d", m.ID) || m.Phase != incidents.Scheduled || m.Author != "support@example.com (token test token)" {
		t.Errorf("created %+v at %q", m, r.header.Get("Location"))
	}
	var list struct {
		Items []incidents.Maintenance `json:"items"`
		Total int                     `json:"total"`
	}
	env.api("GET", "/maintenance", tok, nil).expect(t, http.StatusOK).decode(t, &list)
	if list.Total != 1 || list.Items[0].ID != m.ID {
		t.Errorf("list %+v", list)
	}
	env.api("GET", fmt.Sprintf("/maintenance/%d", m.ID), tok, nil).expect(t, http.StatusOK)
	env.api("GET", "/maintenance/999", tok, nil).expect(t, http.StatusNotFound)

	env.api("POST", fmt.Sprintf("/maintenance/%d/advance", m.ID), tok, map[string]any{"phase": "in_progress"}).expect(t, http.StatusOK).decode(t, &m)
	if m.Phase != incidents.InProgress {
		t.Errorf("after start: %s", m.Phase)
	}
	var status struct {
		Status incidents.Status `json:"status"`
	}
	env.api("GET", "/status", tok, nil).expect(t, http.StatusOK).decode(t, &status)
	if status.Status != incidents.UnderMaintenance {
		t.Errorf("status during maintenance %s", status.Status)
	}
	if _, body := env.publicGet("/"); !strings.Contains(body, "Scheduled maintenance in progress") {
		t.Error("the status page does not show the maintenance started through the API")
	}
	env.api("POST", fmt.Sprintf("/maintenance/%d/advance", m.ID), tok, map[string]any{"phase": "completed"}).expect(t, http.StatusOK).decode(t, &m)
	if m.Phase != incidents.Completed {
		t.Errorf("after completing: %s", m.Phase)
	}
	env.api("GET", "/maintenance", tok, nil).expect(t, http.StatusOK).decode(t, &list)
	if list.Total != 0 || list.Items == nil {
		t.Errorf("list after completing %+v", list)
	}
}

func TestAPIGzip(t *testing.T) {
	env := newTestEnv(t)
	tok := env.token(auth.Viewer)
	for i := 0; i < 30; i++ {
		env.declare(fmt.Sprintf("Incident number %d with a long enough title", i))
	}
	h := http.Header{"Authorization": {"Bearer " + tok}}
	_, plain := env.request("GET", "/api/v1/incidents", h, nil)
	h.Set("Accept-Encoding", "gzip")
	resp, gz := env.request("GET", "/api/v1/incidents", h, nil)
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, _ := io.ReadAll(zr)
	if !bytes.Equal(unzipped, plain) {
		t.Error("the gzip body is not the plain body")
	}
}
