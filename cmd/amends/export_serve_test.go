package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestServeKeepsMirror: `amends serve --export-dir` writes the mirror at
// start and, after an incident is declared through the API, the mirror's
// index.html names it. The test waits generously rather than timing the
// update; scripts/mirror-latency.sh measures how soon it comes.
func TestServeKeepsMirror(t *testing.T) {
	ctx := context.Background()
	tmp := t.TempDir()
	db := filepath.Join(tmp, "amends.db")
	if code := run2(ctx, []string{"user", "add", "--db", db, "--email", "ops@example.com", "--name", "Ops", "--role", "admin"},
		bytes.NewBufferString("a long enough password\n"), &bytes.Buffer{}, &bytes.Buffer{}); code != 0 {
		t.Fatalf("user add: exit %d", code)
	}
	var token, errOut bytes.Buffer
	if code := run2(ctx, []string{"token", "create", "--db", db, "--user", "ops@example.com", "--name", "ops"}, nil, &token, &errOut); code != 0 {
		t.Fatalf("token create: exit %d\n%s", code, errOut.String())
	}
	site := filepath.Join(tmp, "site")
	base, _, stderr, _ := startServeArgs(t, db, "--export-dir", site)

	index := filepath.Join(site, "index.html")
	waitFor := func(what string, ok func(string) bool) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if b, err := os.ReadFile(index); err == nil && ok(string(b)) {
				return
			}
		}
		t.Fatalf("the mirror's index.html never %s\nserve stderr:\n%s", what, stderr.String())
	}
	waitFor("appeared", func(string) bool { return true })

	const title = "Mirror test: elevated errors on ELB"
	waitFor("lacked the title", func(s string) bool { return !strings.Contains(s, title) })
	api := &apiClient{t: t, base: base, token: strings.TrimSpace(token.String())}
	var inc struct{ ID int64 }
	api.call(http.MethodPost, "/api/v1/incidents", map[string]any{
		"title": title, "message": "Investigating.",
		"components": []map[string]any{{"component": "elb-us-east-1", "status": "partial_outage", "affected_percent": 10}},
	}, &inc, http.StatusCreated)
	waitFor("named the new incident", func(s string) bool { return strings.Contains(s, title) })
	if _, err := os.Stat(filepath.Join(site, "incidents", strconv.FormatInt(inc.ID, 10), "index.html")); err != nil {
		t.Errorf("the mirror has no page of the new incident: %v", err)
	}
}
