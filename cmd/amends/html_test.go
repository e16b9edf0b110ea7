package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestPagesAreValidHTML fetches every kind of page from the demo, public
// and admin, and runs html-validate (installed by .ci/run with npm into
// scripts/node_modules) over them with its recommended rules.
func TestPagesAreValidHTML(t *testing.T) {
	validator, err := filepath.Abs("../../scripts/node_modules/.bin/html-validate")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(validator); err != nil {
		t.Fatal("html-validate is not installed: run `npm ci --prefix scripts` (CI's .ci/run does)")
	}
	base, link, _ := startServe(t)
	web := newWebClient(t, base)
	pages := []string{"/", "/uptime", "/history", "/incidents/1", "/incidents/2", "/incidents/2/explanation", "/login"}
	var files []string
	save := func(path string) {
		name := filepath.Join(t.TempDir(), fmt.Sprintf("page-%02d.html", len(files)))
		if err := os.WriteFile(name, []byte(web.get(path)), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, name)
		t.Logf("%s is %s", name, path)
	}
	for _, p := range pages {
		save(p)
	}
	web.becomeFirstAdmin(link)
	for _, p := range []string{"/admin", "/admin/incidents", "/admin/incidents/new", "/admin/incidents/2",
		"/admin/incidents/2/explanation", "/admin/maintenance", "/admin/services", "/admin/users"} {
		save(p)
	}
	args := append([]string{"--config", "../../scripts/.htmlvalidate.json"}, files...)
	out, err := exec.Command(validator, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("html-validate found problems (%v):\n%s", err, out)
	}
}
