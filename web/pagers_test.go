package web

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/auth"
	"github.com/amends/amends/desk"
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
