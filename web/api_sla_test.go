package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/amends/amends/auth"
)

func postSLA(t *testing.T, env *testEnv, token string, body []byte) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, env.http.URL+"/api/v1/sla/evaluate", bytes.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp, readBody(t, resp)
}

// The spec's worked example through HTTP gives the spec's result, the same
// as `amends sla evaluate` does.
func TestSLAEvaluateEndpoint(t *testing.T) {
	env := newTestEnv(t)
	token := env.token(auth.Viewer)
	scenario, err := os.ReadFile("../sla/testdata/example.json")
	if err != nil {
		t.Fatal(err)
	}
	wantText, err := os.ReadFile("../sla/testdata/example-result.json")
	if err != nil {
		t.Fatal(err)
	}
	// The spec's example has "..." for the maintenance window's instants;
	// a window elsewhere in the month changes nothing.
	scenario = bytes.Replace(scenario, []byte(`"start": "...", "end": "...", "announced": "..."`),
		[]byte(`"start": "2012-12-10T02:00:00Z", "end": "2012-12-10T04:00:00Z", "announced": "2012-12-01T00:00:00Z"`), 1)
	resp, body := postSLA(t, env, token, scenario)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var got, want any
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("result is not JSON: %v\n%s", err, body)
	}
	if err := json.Unmarshal(wantText, &want); err != nil {
		t.Fatal(err)
	}
	gotJSON, _ := json.Marshal(got)
	wantJSON, _ := json.Marshal(want)
	if !bytes.Equal(gotJSON, wantJSON) {
		t.Fatalf("result differs from the spec's example\n got: %s\nwant: %s", gotJSON, wantJSON)
	}
}

func TestSLAEvaluateRejections(t *testing.T) {
	env := newTestEnv(t)
	token := env.token(auth.Viewer)
	scenario, err := os.ReadFile("../sla/testdata/example.json")
	if err != nil {
		t.Fatal(err)
	}
	if resp, _ := postSLA(t, env, "", scenario); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("without a token: %d, want 401", resp.StatusCode)
	}
	bad := strings.Replace(string(scenario), `"affected_percent": "6.8"`, `"affected_percent": "120"`, 1)
	resp, body := postSLA(t, env, token, []byte(bad))
	var e errorBody
	json.Unmarshal([]byte(body), &e)
	if resp.StatusCode != http.StatusUnprocessableEntity || e.Error.Field != "incidents[0].impacts[0].affected_percent" || e.Error.Message != "120 is above 100" {
		t.Fatalf("bad percentage: %d %s", resp.StatusCode, body)
	}
	resp, body = postSLA(t, env, token, []byte(`{"period": `))
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("truncated JSON: %d %s", resp.StatusCode, body)
	}
}
