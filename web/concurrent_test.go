package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/incidents"
)

// tickingEnv is a test env whose server clock moves one second on every
// read, so that concurrent requests read different instants and commit in
// an order of their own.
func tickingEnv(t *testing.T) *testEnv {
	var ticks atomic.Int64
	var env *testEnv
	env = newTestEnvWith(t, envOptions{config: func(c *Config) {
		c.Now = func() time.Time { return env.clock.Now().Add(time.Duration(ticks.Add(1)) * time.Second) }
	}})
	return env
}

// concurrentPosts sends n POSTs of body(i) to the API path at once and
// returns each one's status and body. It is safe to call from the test
// goroutine only; the requests themselves run on their own.
func concurrentPosts(t *testing.T, env *testEnv, token, path string, n int, body func(i int) any) ([]int, [][]byte) {
	t.Helper()
	statuses, bodies := make([]int, n), make([][]byte, n)
	errc := make(chan error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, _ := json.Marshal(body(i))
			req, err := http.NewRequest(http.MethodPost, env.http.URL+"/api/v1"+path, bytes.NewReader(b))
			if err != nil {
				errc <- err
				return
			}
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			<-start
			resp, err := rawClient.Do(req)
			if err != nil {
				errc <- err
				return
			}
			defer resp.Body.Close()
			statuses[i] = resp.StatusCode
			bodies[i], err = io.ReadAll(resp.Body)
			if err != nil {
				errc <- err
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	return statuses, bodies
}

// Twenty responders posting to one incident at once, none giving "at",
// are all accepted: each update is stamped when it is written, never
// before the one written before it, and the timeline is in order.
func TestConcurrentUpdatesAllAccepted(t *testing.T) {
	env := tickingEnv(t)
	tok := env.token(auth.Support)
	inc := env.declare("Elevated errors", change("elb-us-east-1", incidents.PartialOutage, "5"))
	const n = 20
	path := fmt.Sprintf("/incidents/%d/updates", inc.ID)
	statuses, bodies := concurrentPosts(t, env, tok, path, n, func(i int) any {
		return map[string]any{"message": fmt.Sprintf("Update %d.", i)}
	})
	for i, st := range statuses {
		if st/100 != 2 {
			t.Errorf("writer %d: %d\n%s", i, st, bodies[i])
		}
	}
	got := env.api("GET", fmt.Sprintf("/incidents/%d", inc.ID), tok, nil).expect(t, http.StatusOK)
	var stored incidents.Incident
	got.decode(t, &stored)
	if len(stored.Updates) != n+1 {
		t.Fatalf("%d updates stored, want %d", len(stored.Updates), n+1)
	}
	for i := 1; i < len(stored.Updates); i++ {
		prev, u := stored.Updates[i-1], stored.Updates[i]
		if u.At.Before(prev.At) {
			t.Errorf("update %d (id %d) at %s is before update %d (id %d) at %s", i, u.ID, u.At, i-1, prev.ID, prev.At)
		}
		if u.ID <= prev.ID {
			t.Errorf("update %d has id %d, not after %d", i, u.ID, prev.ID)
		}
	}
}

// Twenty incidents declared at once are all stored, each once.
func TestConcurrentDeclaresAllAccepted(t *testing.T) {
	env := tickingEnv(t)
	tok := env.token(auth.Support)
	const n = 20
	before := env.count("incidents")
	statuses, bodies := concurrentPosts(t, env, tok, "/incidents", n, func(i int) any {
		return map[string]any{"title": fmt.Sprintf("Incident %d", i), "message": "Looking.",
			"components": []map[string]any{{"component": "elb-us-east-1", "status": "partial_outage", "affected_percent": i + 1}}}
	})
	ids := map[int64]bool{}
	for i, st := range statuses {
		if st != http.StatusCreated {
			t.Errorf("writer %d: %d\n%s", i, st, bodies[i])
			continue
		}
		var inc incidents.Incident
		if err := json.Unmarshal(bodies[i], &inc); err != nil {
			t.Fatal(err)
		}
		if ids[inc.ID] {
			t.Errorf("id %d returned twice", inc.ID)
		}
		ids[inc.ID] = true
	}
	if got := env.count("incidents") - before; got != n {
		t.Errorf("%d incidents stored, want %d", got, n)
	}
}
