package mirror

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// site is a Renderer of a tiny public site that fails while failing is set.
type site struct{ failing atomic.Bool }

func (s *site) RenderPublic(_ context.Context, target string) (int, http.Header, []byte, error) {
	if s.failing.Load() && target == "/" {
		return http.StatusInternalServerError, http.Header{}, nil, nil
	}
	h := http.Header{"Content-Type": []string{"text/html; charset=utf-8"}}
	if !strings.HasPrefix(target, "/") || strings.Contains(target, ".") {
		h.Set("Content-Type", "application/octet-stream")
	}
	return http.StatusOK, h, []byte(`<!DOCTYPE html><html><body><a href="/history">History</a></body></html>`), nil
}

type fixedRevision int64

func (r fixedRevision) Revision(context.Context) (int64, error) { return int64(r), nil }

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestWatcherSurvivesFailures: while the site fails to render, the watcher
// logs the failure, writes nothing and keeps running; once it renders
// again, the next try writes the mirror.
func TestWatcherSurvivesFailures(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	s := &site{}
	s.failing.Store(true)
	var log syncBuffer
	exported := make(chan Result, 10)
	w := &Watcher{Renderer: s, Revision: fixedRevision(1), Dir: dir, Logger: slog.New(slog.NewTextHandler(&log, nil)),
		Poll: 10 * time.Millisecond, Exported: func(r Result) { exported <- r }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.Run(ctx) }()
	defer func() { cancel(); <-done }()

	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(log.String(), "mirror export failed"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no failure logged")
		}
	}
	if _, err := os.Lstat(dir); err == nil {
		t.Errorf("a failed export made %s", dir)
	}
	s.failing.Store(false)
	select {
	case r := <-exported:
		if r.Files == 0 {
			t.Errorf("the export after the failure wrote no files")
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("no export after the site recovered\n%s", log.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "history", "index.html")); err != nil {
		t.Errorf("the mirror lacks the linked page: %v", err)
	}
}
