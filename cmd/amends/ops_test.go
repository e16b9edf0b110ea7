package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/demo"
	"github.com/amends/amends/internal/sqlitedb"
)

// TestFirstAdminFromCLI: on a fresh database, `amends user add --role
// admin` creates the first admin without a setup link, `amends token
// create` gives that admin a token, and the token works against the API of
// a server started on the database, with the admin's rights; serve then
// prints no setup link.
func TestFirstAdminFromCLI(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "amends.db")
	var out, errOut bytes.Buffer
	if code := run2(ctx, []string{"user", "add", "--db", db, "--email", "ops@example.com", "--name", "Ops", "--role", "admin"},
		bytes.NewBufferString("a long enough password\n"), &out, &errOut); code != 0 {
		t.Fatalf("user add: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "as admin") {
		t.Errorf("user add said %q", out.String())
	}
	var token bytes.Buffer
	errOut.Reset()
	if code := run2(ctx, []string{"token", "create", "--db", db, "--user", "ops@example.com", "--name", "ops"}, nil, &token, &errOut); code != 0 {
		t.Fatalf("token create: exit %d\n%s", code, errOut.String())
	}
	// Once a user exists, user add adds users of any role as before.
	if code := run2(ctx, []string{"user", "add", "--db", db, "--email", "v@example.com", "--name", "V", "--role", "viewer"},
		bytes.NewBufferString("a long enough password\n"), &bytes.Buffer{}, &bytes.Buffer{}); code != 0 {
		t.Fatalf("user add viewer after the first admin: exit %d", code)
	}

	base, stdout, _, _ := startServeArgs(t, db)
	if setupLink.MatchString(stdout.String()) {
		t.Errorf("serve printed a setup link though an admin exists:\n%s", stdout.String())
	}
	api := &apiClient{t: t, base: base, token: strings.TrimSpace(token.String())}
	api.call(http.MethodPost, "/api/v1/services", map[string]any{"id": "OPS", "name": "Ops test", "position": 99}, nil, http.StatusCreated)
	var services struct{ Items []struct{ ID string } }
	api.call(http.MethodGet, "/api/v1/services", nil, &services, http.StatusOK)
	found := false
	for _, s := range services.Items {
		found = found || s.ID == "OPS"
	}
	if !found {
		t.Errorf("the service created with the CLI token is not listed: %+v", services)
	}
	(&apiClient{t: t, base: base, token: "not-a-token"}).call(http.MethodGet, "/api/v1/services", nil, nil, http.StatusUnauthorized)
}

// TestFirstAdminFromEnvironment: AMENDS_ADMIN_EMAIL with
// AMENDS_ADMIN_PASSWORD_FILE creates the first admin at start-up instead of
// printing a link, who can then sign in; on the next start, with users in
// the database, it is ignored with a log line.
func TestFirstAdminFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "amends.db")
	pwFile := filepath.Join(dir, "admin-password")
	if err := os.WriteFile(pwFile, []byte("a long enough password\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AMENDS_ADMIN_EMAIL", "boot@example.com")
	t.Setenv("AMENDS_ADMIN_PASSWORD_FILE", pwFile)

	base, stdout, _, stop := startServeArgs(t, db)
	if !strings.Contains(stdout.String(), "Created the first admin boot@example.com") {
		t.Errorf("serve did not say it created the admin:\n%s", stdout.String())
	}
	if setupLink.MatchString(stdout.String()) {
		t.Errorf("serve printed a setup link as well:\n%s", stdout.String())
	}
	newWebClient(t, base).signIn("boot@example.com", "a long enough password")
	if code := stop(); code != 0 {
		t.Fatalf("serve exited %d", code)
	}

	t.Setenv("AMENDS_ADMIN_EMAIL", "other@example.com")
	_, out, errOut, stop := startServeArgs(t, db)
	if code := stop(); code != 0 {
		t.Fatalf("second serve exited %d\n%s", code, errOut.String())
	}
	if !strings.Contains(errOut.String(), "ignoring --admin-email") || strings.Contains(out.String(), "Created the first admin") {
		t.Errorf("second start with users did not just log and ignore the admin email:\nstdout: %s\nstderr: %s", out.String(), errOut.String())
	}

	// The email without the password file is a usage error.
	os.Unsetenv("AMENDS_ADMIN_PASSWORD_FILE") // t.Setenv above restores it after the test
	if code := run2(context.Background(), []string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, nil, &bytes.Buffer{}, &bytes.Buffer{}); code != 2 {
		t.Errorf("--admin-email without a password file: exit %d, want 2", code)
	}
}

// TestBackupCommand: exit 0 with a copy that opens, 2 without exactly one
// OUT, 1 with a message naming the file when the database is missing or OUT
// cannot be written.
func TestBackupCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "amends.db")
	if code := run2(ctx, []string{"demo", "--db", db}, nil, &bytes.Buffer{}, &bytes.Buffer{}); code != 0 {
		t.Fatalf("demo: exit %d", code)
	}
	out := filepath.Join(dir, "backup.db")
	cases := []struct {
		name string
		args []string
		want int
		say  string
	}{
		{"no OUT", []string{"backup", "--db", db}, 2, "usage"},
		{"two OUTs", []string{"backup", "--db", db, out, out}, 2, "usage"},
		{"missing database", []string{"backup", "--db", filepath.Join(dir, "missing.db"), out}, 1, "missing.db"},
		{"OUT in a missing directory", []string{"backup", "--db", db, filepath.Join(dir, "no", "b.db")}, 1, "no/b.db"},
		{"done", []string{"backup", "--db", db, out}, 0, "Backed up"},
	}
	for _, tc := range cases {
		var stdout, stderr bytes.Buffer
		if code := run2(ctx, tc.args, nil, &stdout, &stderr); code != tc.want || !strings.Contains(stdout.String()+stderr.String(), tc.say) {
			t.Errorf("%s: exit %d (want %d)\nstdout: %s\nstderr: %s", tc.name, code, tc.want, stdout.String(), stderr.String())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); !os.IsNotExist(err) {
		t.Errorf("backup created the missing database: %v", err)
	}
	var stdout bytes.Buffer
	if code := run2(ctx, []string{"sla", "scenario", "--db", out, "--month", "2012-12"}, nil, &stdout, &bytes.Buffer{}); code != 0 || stdout.Len() == 0 {
		t.Errorf("the backup does not serve the demo month: exit %d", code)
	}
}

// TestBackupUnderLoadPassesCheck is issue 13's "done when" for backup and
// restore: while 8 writers post incident updates through the stores, `amends
// backup` copies the database; `amends check` passes on the copy, and the
// copy, opened as a restored database, has every update acknowledged before
// the backup began.
func TestBackupUnderLoadPassesCheck(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "amends.db")
	st, err := openStores(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := demo.Load(ctx, st.incidents, st.desk, time.Now()); err != nil {
		t.Fatal(err)
	}

	const writers = 8
	var (
		mu    sync.Mutex
		acked = map[int64][]string{} // incident: the messages acknowledged
		stop  = make(chan struct{})
		wg    sync.WaitGroup
		fail  = make(chan error, writers)
	)
	ids := make([]int64, writers)
	for w := range ids {
		inc, err := st.incidents.CreateIncident(ctx, audit.Named("writer"), incidents.IncidentInput{
			Title: fmt.Sprintf("Load test %d", w), Message: "Starting.", NoComponents: true}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		ids[w] = inc.ID
	}
	for w := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				msg := fmt.Sprintf("writer %d update %d", w, n)
				if _, err := st.incidents.AddUpdate(ctx, audit.Named("writer"), ids[w], incidents.UpdateInput{Phase: incidents.Investigating, Message: msg}, time.Now()); err != nil {
					fail <- err
					return
				}
				mu.Lock()
				acked[ids[w]] = append(acked[ids[w]], msg)
				mu.Unlock()
			}
		}()
	}
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, m := range acked {
			n += len(m)
		}
		return n
	}
	for deadline := time.Now().Add(20 * time.Second); count() < 10*writers && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	// Everything acknowledged so far must be in the copy.
	mu.Lock()
	before := map[int64][]string{}
	total := 0
	for id, m := range acked {
		before[id] = slices.Clone(m)
		total += len(m)
	}
	mu.Unlock()

	out := filepath.Join(dir, "backup.db")
	var stdout, stderr bytes.Buffer
	code := run2(ctx, []string{"backup", "--db", db, out}, nil, &stdout, &stderr)
	during := count()
	// Let the writers go on a moment after the backup, then stop them.
	time.Sleep(50 * time.Millisecond)
	close(stop)
	wg.Wait()
	close(fail)
	for err := range fail {
		t.Fatalf("a writer failed: %v", err)
	}
	if code != 0 {
		t.Fatalf("backup under load: exit %d\n%s", code, stderr.String())
	}
	if total < 10*writers || count() <= during {
		t.Fatalf("the writers were not busy around the backup: %d acknowledged before it, %d when it ended, %d in all", total, during, count())
	}
	for _, f := range []string{out + "-wal", out + "-shm"} {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("%s beside the backup: %v", f, err)
		}
	}

	stdout.Reset()
	stderr.Reset()
	if code := run2(ctx, []string{"check", "--db", out}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("check on the backup: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}

	// Restore: the copy opened as the database of a new install.
	restored, err := openStores(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	for id, msgs := range before {
		inc, err := restored.incidents.Incident(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		have := map[string]bool{}
		for _, u := range inc.Updates {
			have[u.Message] = true
		}
		for _, m := range msgs {
			if !have[m] {
				t.Errorf("incident %d in the backup lacks %q, acknowledged before the backup began", id, m)
			}
		}
	}
}

// TestCheckCommand: exit 0 on a sound database at the binary's schema,
// 1 naming what is wrong otherwise, 2 on bad usage.
func TestCheckCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "amends.db")
	if code := run2(ctx, []string{"demo", "--db", db}, nil, &bytes.Buffer{}, &bytes.Buffer{}); code != 0 {
		t.Fatalf("demo: exit %d", code)
	}
	var stdout, stderr bytes.Buffer
	if code := run2(ctx, []string{"check", "--db", db}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("check on a fresh database: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	for _, set := range []string{"core", "incidents", "auth", "sla", "notify"} {
		if !regexp.MustCompile(`migrations ` + set + ` +(\d+) of (\d+): ok`).MatchString(stdout.String()) {
			t.Errorf("check does not report the %s level:\n%s", set, stdout.String())
		}
	}
	if code := run2(ctx, []string{"check", "--db", db, "extra"}, nil, &bytes.Buffer{}, &bytes.Buffer{}); code != 2 {
		t.Errorf("check with an argument: exit %d, want 2", code)
	}
	if code := run2(ctx, []string{"check", "--db", filepath.Join(dir, "missing.db")}, nil, &bytes.Buffer{}, &bytes.Buffer{}); code != 1 {
		t.Errorf("check on a missing file: exit %d, want 1", code)
	}

	// A database one incidents migration behind the binary.
	st, err := openStores(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.db.ExecContext(ctx, `DELETE FROM schema_migrations WHERE set_name = 'incidents' AND version = (SELECT MAX(version) FROM schema_migrations WHERE set_name = 'incidents')`)
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	if code := run2(ctx, []string{"check", "--db", db}, nil, &stdout, &bytes.Buffer{}); code != 1 || !strings.Contains(stdout.String(), "older than this binary") {
		t.Errorf("check on a database behind the binary: exit %d\n%s", code, stdout.String())
	}
}

// TestHealthzWrites: /healthz reports reads and writes apart. While another
// process holds the database's write lock past the probe's wait, reads
// still work: 200, status "degraded", writes "failing"; once it lets go,
// both are ok again.
func TestHealthzWrites(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "amends.db")
	base, _, _, _ := startServeArgs(t, db)
	health := func() (int, map[string]string, time.Duration) {
		t.Helper()
		began := time.Now()
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v map[string]string
		if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, v, time.Since(began)
	}
	if code, v, _ := health(); code != 200 || v["status"] != "ok" || v["reads"] != "ok" || v["writes"] != "ok" {
		t.Fatalf("healthz on a healthy server: %d %v", code, v)
	}

	other, err := sqlitedb.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tx, err := other.BeginTx(ctx, nil) // BEGIN IMMEDIATE: the write lock
	if err != nil {
		t.Fatal(err)
	}
	code, v, took := health()
	tx.Rollback()
	if code != 200 || v["status"] != "degraded" || v["reads"] != "ok" || v["writes"] != "failing" {
		t.Errorf("healthz while writes are locked out: %d %v", code, v)
	}
	if took > 5*time.Second {
		t.Errorf("healthz took %v while writes were locked out: the probe should give up after about 2 s", took)
	}
	if code, v, _ := health(); code != 200 || v["status"] != "ok" || v["writes"] != "ok" {
		t.Errorf("healthz after the lock is gone: %d %v", code, v)
	}
}
