package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/auth"
	"github.com/amends/amends/desk"
	notifysqlite "github.com/amends/amends/notify/sqlite"
)

// seedManualCredits issues n manual credits to acme (seedManualDesk's), one
// a minute, each within the USD threshold, so each is a ledger entry too.
func (e *testEnv) seedManualCredits(n int) {
	e.t.Helper()
	for i := range n {
		m := desk.ManualCredit{Customer: "acme", AmountMinor: int64(100 + i), Reason: fmt.Sprintf("Support ticket %d.", i)}
		if _, err := e.desk.CreateManualCredit(context.Background(), audit.Person("support@example.com"), m, e.clock.Now()); err != nil {
			e.t.Fatal(err)
		}
		e.clock.Advance(time.Minute)
	}
}

// firstNumber is the first whole number in s ("#42 …" → 42).
func firstNumber(t *testing.T, s string) int {
	t.Helper()
	f := strings.FieldsFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	if len(f) == 0 {
		t.Fatalf("no number in %q", s)
	}
	n, err := strconv.Atoi(f[0])
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Each pager names its links as its list's order makes them true: the
// ledger, oldest first, is paged "Previous" and "Next" (its second page
// holds later entries); the manual credits and the audit log, newest
// first, "Newer" and "Older" (their second page holds older rows).
func TestPagerLinksSayTheListsOrder(t *testing.T) {
	env := newTestEnv(t)
	env.seedManualDesk()
	env.seedManualCredits(120)
	b := env.user(auth.Manager)
	for _, tc := range []struct {
		path, row, cell string
		oldestFirst     bool
	}{
		{"/admin/credits/ledger", "ledger-row", "th", true},
		{"/admin/credits/manual", "manual-row", "th", false},
		{"/admin/audit", "audit-row", "td .table__sub", false},
	} {
		ids := func(doc *goquery.Document) (first, last int) {
			rows := doc.Find(testid(tc.row))
			if rows.Length() == 0 {
				t.Fatalf("%s: no rows", tc.path)
			}
			return firstNumber(t, textOf(rows.First().Find(tc.cell).First())), firstNumber(t, textOf(rows.Last().Find(tc.cell).First()))
		}
		_, body := b.get(tc.path)
		one := parseHTML(t, body)
		_, body = b.get(tc.path + "?page=2")
		two := parseHTML(t, body)
		first1, last1 := ids(one)
		first2, _ := ids(two)
		next, prev := textOf(one.Find(testid("pagination-next"))), textOf(two.Find(testid("pagination-prev")))
		if tc.oldestFirst {
			if !(first1 < last1 && last1 < first2) {
				t.Errorf("%s: page 1 holds %d to %d, page 2 starts at %d: not oldest first", tc.path, first1, last1, first2)
			}
			if !strings.HasPrefix(next, "Next") || !strings.HasSuffix(prev, "Previous") {
				t.Errorf("%s, oldest first: links %q and %q, want Next and Previous", tc.path, next, prev)
			}
		} else {
			if !(first1 > last1 && last1 > first2) {
				t.Errorf("%s: page 1 holds %d to %d, page 2 starts at %d: not newest first", tc.path, first1, last1, first2)
			}
			if !strings.HasPrefix(next, "Older") || !strings.HasSuffix(prev, "Newer") {
				t.Errorf("%s, newest first: links %q and %q, want Older and Newer", tc.path, next, prev)
			}
		}
	}
}

// Every paged list reads its page the same way: a page number that is not
// one (0, -1, abc, 1e2, 1.5, twenty digits, over 100000) is a 422 naming
// page; a page past the last is a 404 naming page and its value, before
// and after the lists have rows; page 1 of an empty list is a 200 with
// the list's empty message, and the last page a 200.
func TestEveryPagedListAnswersPagesItDoesNotHold(t *testing.T) {
	var spool *notifysqlite.Spool
	env := newTestEnvWith(t, envOptions{config: func(c *Config) { c.MailSpool = spoolHolder{&spool}; c.MailSpooled = true }})
	st, err := notifysqlite.New(env.db)
	if err != nil {
		t.Fatal(err)
	}
	spool = st.Spool(env.clock.Now)
	b := env.user(auth.Manager)
	empty := map[string]string{
		"/admin/credits":        "No credit runs yet.",
		"/admin/credits/ledger": "No ledger entries match.",
		"/admin/credits/manual": "No manual credits match.",
		"/admin/outbox":         "No messages yet.",
		"/admin/incidents":      "No resolved incidents yet.",
	}
	for path, message := range empty {
		if resp, body := b.get(path + "?page=1"); resp.StatusCode != http.StatusOK || !strings.Contains(textOf(parseHTML(t, body).Selection), message) {
			t.Errorf("%s?page=1 of an empty list: %d, want 200 saying %q", path, resp.StatusCode, message)
		}
	}
	if resp, body := env.publicGet("/history?page=1"); resp.StatusCode != http.StatusOK || parseHTML(t, body).Find(testid("history-empty")).Length() != 1 {
		t.Errorf("/history?page=1 of no incidents: %d", resp.StatusCode)
	}

	support := env.token(auth.Support)
	manager := env.personToken("max@example.com", auth.Manager)
	env.seedDesk(support, manager)
	run := env.payRun(support, env.personToken("zoe@example.com", auth.Manager), map[string]any{"month": "2012-12"})
	for range 5 { // six runs of December in all
		env.api("POST", "/credit-runs", support, map[string]any{"month": "2012-12"}).expect(t, http.StatusCreated)
	}
	runPath := fmt.Sprintf("/admin/credits/runs/%d", run.ID)
	b = env.user(auth.Manager) // signed in again: the clock moved on past the first session
	get := func(path string) (int, string) {
		if strings.HasPrefix(path, "/admin") {
			resp, body := b.get(path)
			return resp.StatusCode, body
		}
		resp, body := env.publicGet(path)
		return resp.StatusCode, body
	}
	// Each list on one page, so page 2 is past its last; the audit log's
	// rows fill fewer than 1,000 pages.
	lists := []string{"/admin/credits", "/admin/credits/ledger", "/admin/credits/ledger?customer=acme", runPath, runPath + "?lines=all",
		"/admin/credits/manual", "/admin/incidents", "/admin/outbox", "/history"}
	sep := func(path string) string {
		if strings.Contains(path, "?") {
			return "&"
		}
		return "?"
	}
	for _, path := range append(lists, "/admin/audit") {
		if st, body := get(path); st != http.StatusOK {
			t.Errorf("%s: %d\n%.300s", path, st, body)
		}
		past := "2"
		if path == "/admin/audit" {
			past = "1000"
		}
		if st, body := get(path + sep(path) + "page=" + past); st != http.StatusNotFound || !strings.Contains(body, "there is no page "+past) || !strings.Contains(body, "page="+past) {
			t.Errorf("%s, page %s past the last: %d, want 404 naming page=%s\n%.300s", path, past, st, past, textOf(parseHTML(t, body).Find("main")))
		}
		for _, bad := range []string{"0", "-1", "abc", "1e2", "1.5", "99999999999999999999", "100001"} {
			if st, body := get(path + sep(path) + "page=" + bad); st != http.StatusUnprocessableEntity || !strings.Contains(body, "page: ") || !strings.Contains(body, "is not a page number") {
				t.Errorf("%s, page=%s: %d, want 422 naming page", path, bad, st)
			}
		}
	}
	var resolved incidentList
	env.api("GET", "/incidents?state=resolved&page=1", support, nil).expect(t, http.StatusOK).decode(t, &resolved)
	if e := env.api("GET", "/incidents?state=resolved&page=2", support, nil).expect(t, http.StatusNotFound).apiError(t); !strings.Contains(e.Message, "page=2") {
		t.Errorf("the API's page past the last: %q", e.Message)
	}
	for _, bad := range []string{"0", "abc", "99999999999999999999"} {
		if e := env.api("GET", "/incidents?state=resolved&page="+bad, support, nil).expect(t, http.StatusUnprocessableEntity).apiError(t); e.Field != "page" {
			t.Errorf("the API's page=%s: field %q", bad, e.Field)
		}
	}
}
