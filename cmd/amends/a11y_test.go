package main

import (
	"net/url"
	"os/exec"
	"strings"
	"testing"
)

// TestPagesAreAccessible runs axe-core's WCAG 2.1 A and AA rules over every
// kind of page, public and admin, in light and dark, in headless Chromium,
// and checks each at a phone's 390 px for sideways scrolling and cut-off
// table cells (scripts/a11y.mjs; .ci/run installs its npm packages and
// chromium).
func TestPagesAreAccessible(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is not installed: apt-get install nodejs npm (CI's .ci/run does)")
	}
	if _, err := exec.LookPath("chromium"); err != nil {
		t.Fatal("chromium is not installed: apt-get install chromium (CI's .ci/run does)")
	}
	base, link, _ := startServe(t)
	check := func(cookie string, paths ...string) {
		t.Helper()
		cmd := exec.Command(node, append([]string{"../../scripts/a11y.mjs", base}, paths...)...)
		cmd.Env = append(cmd.Environ(), "AMENDS_COOKIE="+cookie)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("accessibility check failed (%v):\n%s", err, out)
		}
		t.Logf("%s", out)
	}
	check("", "/", "/uptime", "/uptime?year=2012", "/history", "/incidents/2", "/incidents/2/explanation", "/login", "/subscribe", "404:/nope")

	web := newWebClient(t, base)
	web.becomeFirstAdmin(link)
	u, _ := url.Parse(base)
	var cookies []string
	for _, c := range web.client.Jar.Cookies(u) {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	desk := seedDeskPages(web)
	for _, p := range desk {
		if strings.HasPrefix(p, "/admin/credits/runs/") {
			// Its requester's confirmation step refuses them.
			desk = append(desk, "403:"+p+"/approve")
			break
		}
	}
	desk = append(append(desk, seedGoodwillPages(web)...), seedOutbox(web)...)
	check(strings.Join(cookies, "; "), append([]string{"/admin", "/admin/incidents", "/admin/incidents/new", "/admin/incidents/2", "/admin/incidents/2/correct",
		"/admin/incidents/2/explanation", "/admin/maintenance", "/admin/services", "/admin/users", "/admin/account",
		"/admin/incident-templates", "/admin/incident-templates/new", "/admin/incident-templates/1", "/admin/incidents/new?template=1"}, append(desk, dashboardPages...)...)...)
}
