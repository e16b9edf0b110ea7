//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/amends/amends/internal/sqlitedb"
)

// TestFullDiskOnTmpfs: with the database on a small tmpfs filled to the
// last byte, `amends serve` answers a write with 503 and Retry-After, keeps
// serving the status page, and /healthz says reads work and writes do not;
// once there is room again the same write succeeds. Skipped where the test
// may not mount a tmpfs.
func TestFullDiskOnTmpfs(t *testing.T) {
	ctx := context.Background()
	disk := filepath.Join(t.TempDir(), "disk")
	if err := os.Mkdir(disk, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", disk, "tmpfs", 0, "size=6m"); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(disk, syscall.MNT_DETACH) })

	db := filepath.Join(disk, "amends.db")
	if code := run2(ctx, []string{"user", "add", "--db", db, "--email", "ops@example.com", "--name", "Ops", "--role", "admin"},
		bytes.NewBufferString("a long enough password\n"), &bytes.Buffer{}, &bytes.Buffer{}); code != 0 {
		t.Fatalf("user add: exit %d", code)
	}
	var token bytes.Buffer
	if code := run2(ctx, []string{"token", "create", "--db", db, "--user", "ops@example.com", "--name", "ops"}, nil, &token, &bytes.Buffer{}); code != 0 {
		t.Fatalf("token create: exit %d", code)
	}
	base, _, _, _ := startServeArgs(t, db)

	// Empty the WAL into the database, so that the next write must grow a
	// file, then fill the disk.
	other, err := sqlitedb.OpenExisting(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	var busy, logged, moved int
	if err := other.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logged, &moved); err != nil || busy != 0 {
		t.Fatalf("checkpoint: busy %d, %v", busy, err)
	}
	other.Close()
	filler := filepath.Join(disk, "filler")
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			break
		}
	}
	for n := 4096; n > 0; n /= 2 { // the last bytes
		for {
			if _, err := f.Write(chunk[:n]); err != nil {
				break
			}
		}
	}
	f.Close()

	post := func() *http.Response {
		body := `{"title":"Elevated errors","message":"Investigating.","components":[{"component":"elb-us-east-1","status":"partial_outage","affected_percent":10}]}`
		req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/incidents", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(token.String()))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	var health map[string]string
	json.NewDecoder(resp.Body).Decode(&health)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || health["reads"] != "ok" || health["writes"] != "failing" {
		t.Errorf("/healthz on a full disk: %d %v, want 200 with reads ok and writes failing", resp.StatusCode, health)
	}

	if resp := post(); resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("a write on a full disk: %d, Retry-After %q; want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if resp, err := http.Get(base + "/"); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("the status page on a full disk: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	os.Remove(filler)
	if resp := post(); resp.StatusCode != http.StatusCreated {
		t.Errorf("the write once there is room: %d, want 201", resp.StatusCode)
	}
}
