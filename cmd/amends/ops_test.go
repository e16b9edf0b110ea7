package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
