package web

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/amends/amends/auth"
)

// limitPages caps the test database at its present size on every pooled
// connection (PRAGMA max_page_count is a connection's setting), so that a
// write needing one more page fails with SQLITE_FULL as on a full disk.
func (e *testEnv) limitPages(conns int) {
	e.t.Helper()
	ctx := context.Background()
	e.db.SetMaxOpenConns(conns)
	e.db.SetMaxIdleConns(conns)
	var pages int64
	if err := e.db.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		e.t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	held := make(chan struct{})
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := e.db.Conn(ctx)
			if err == nil {
				_, err = c.ExecContext(ctx, `PRAGMA max_page_count = `+itoa(pages))
				<-held // every connection is taken at once, so each is a new one
				c.Close()
			}
			if err != nil {
				mu.Lock()
				e.t.Error(err)
				mu.Unlock()
			}
		}()
	}
	close(held)
	wg.Wait()
}

// TestFullDiskRefusesWritesAndServesReads: when SQLite cannot grow the
// database (SQLITE_FULL), a write through the API answers 503 with
// Retry-After and a message that says the disk is full, and stores
// nothing; the status page, an incident page and the API's reads keep
// answering 200.
func TestFullDiskRefusesWritesAndServesReads(t *testing.T) {
	env := newTestEnv(t)
	tok := env.namedToken(auth.Support, "full")
	inc := env.declare("Before the disk filled")
	env.limitPages(4)
	before := env.counts()

	long := strings.Repeat("The load balancers answer slowly while we look into it. ", 300)
	r := env.api("POST", "/incidents", tok, map[string]any{
		"title": "Elevated errors", "message": long,
		"components": []map[string]any{{"component": "elb-us-east-1", "status": "partial_outage", "affected_percent": 10}},
	})
	if r.status != http.StatusServiceUnavailable {
		t.Fatalf("a write on a full database: %d %s, want 503", r.status, r.body)
	}
	if r.header.Get("Retry-After") == "" {
		t.Errorf("503 without Retry-After")
	}
	if e := r.apiError(t); !strings.Contains(e.Message, "disk is full") {
		t.Errorf("the error says %q, want that the disk is full", e.Message)
	}
	env.assertNothingStored(before)

	env.passRevisionCheck()
	for _, path := range []string{"/", "/incidents/" + itoa(inc.ID), "/history", "/api/v2/summary.json"} {
		if resp, _ := env.publicGet(path); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s on a full database: %d, want 200", path, resp.StatusCode)
		}
	}
	if r := env.api("GET", "/incidents", tok, nil); r.status != http.StatusOK {
		t.Errorf("an API read on a full database: %d %s", r.status, r.body)
	}
}
