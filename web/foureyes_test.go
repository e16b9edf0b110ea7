package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/web/api"
)

// An admin requests a run, creates a new manager account, signs in as it
// and tries to approve: 403 with a page saying why (no redirect), the same
// through the API (and for a manual credit and a goodwill grant), and nothing is issued. A manager whose account the
// admin did not make approves it; so does one whose role the admin changed
// only after 90 days have passed.
func TestApproverMayNotBeAnAccountTheRequesterMade(t *testing.T) {
	env := newTestEnv(t)
	support := env.token(auth.Support)
	env.seedDesk(support, env.token(auth.Manager))
	admin := env.user(auth.Admin)
	adminTok := env.token(auth.Admin)
	env.personToken("zoe@example.com", auth.Support) // before the request

	var run desk.CreditRun
	env.api("POST", "/credit-runs", adminTok, map[string]any{"month": "2012-12"}).expect(t, http.StatusCreated).decode(t, &run)
	path := fmt.Sprintf("/credit-runs/%d", run.ID)
	env.api("POST", path+"/request", adminTok, nil).expect(t, http.StatusOK)

	admin.get("/admin/users")
	if st, body := admin.send("/admin/users", url.Values{"email": {"new@example.com"}, "name": {"New"}, "role": {"manager"}, "password": {testPassword}}); st != http.StatusSeeOther {
		t.Fatalf("create user: %d\n%s", st, body)
	}
	fresh := env.browser()
	if resp := fresh.postForm("/login", url.Values{"email": {"new@example.com"}, "password": {testPassword}}); resp.StatusCode != http.StatusOK {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	fresh.get("/admin" + strings.Replace(path, "/credit-runs", "/credits/runs", 1))
	st, body := fresh.send("/admin"+strings.Replace(path, "/credit-runs", "/credits/runs", 1)+"/approve", nil)
	if st != http.StatusForbidden || !strings.Contains(body, "admin@example.com requested credit run 1 and created your account new@example.com") {
		t.Fatalf("approval by the account the requester created: %d\n%s", st, body)
	}
	freshTok := env.namedTokenFor("new@example.com", auth.Manager, "ci")
	if e := env.api("POST", path+"/approve", freshTok, nil).expect(t, http.StatusForbidden).apiError(t); !strings.Contains(e.Message, "created your account new@example.com") {
		t.Errorf("API refusal says %q", e.Message)
	}
	var m desk.ManualCredit
	env.api("POST", "/manual-credits", adminTok, map[string]any{"customer": "acme", "amount_minor": 5000, "reason": "call"}).expect(t, http.StatusCreated).decode(t, &m)
	if e := env.api("POST", fmt.Sprintf("/manual-credits/%d/approve", m.ID), freshTok, nil).expect(t, http.StatusForbidden).apiError(t); !strings.Contains(e.Message, "requested manual credit 1 and created your account") {
		t.Errorf("API refusal of the manual credit says %q", e.Message)
	}
	var list api.List[incidents.Incident]
	env.api("GET", "/incidents?state=resolved", support, nil).expect(t, http.StatusOK).decode(t, &list)
	var g desk.GoodwillGrant
	env.api("POST", fmt.Sprintf("/incidents/%d/goodwill", list.Items[0].ID), adminTok,
		map[string]any{"days": 10, "services": []string{"ELB"}, "components": []string{"elb-us-east-1"}, "reason": "Christmas Eve"}).expect(t, http.StatusCreated).decode(t, &g)
	if e := env.api("POST", fmt.Sprintf("/goodwill/%d/approve", g.ID), freshTok, nil).expect(t, http.StatusForbidden).apiError(t); !strings.Contains(e.Message, "requested goodwill grant 1 and created your account") {
		t.Errorf("API refusal of the goodwill grant says %q", e.Message)
	}
	if n := env.count("goodwill_grants WHERE state = 'pending'"); n != 1 {
		t.Errorf("%d pending grants after the refused approval", n)
	}
	if n := env.count("ledger"); n != 0 {
		t.Fatalf("%d ledger entries after refused approvals", n)
	}
	var shown struct {
		Run desk.CreditRun `json:"run"`
	}
	env.api("GET", path, support, nil).expect(t, http.StatusOK).decode(t, &shown)
	if shown.Run.State != desk.RunRequested {
		t.Fatalf("run is %s", shown.Run.State)
	}

	// A role the admin gave counts too, for 90 days.
	var zoeID int64
	users, err := env.accounts.Users(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.Email == "zoe@example.com" {
			zoeID = u.ID
		}
	}
	admin.get("/admin/users")
	if st, body := admin.send(fmt.Sprintf("/admin/users/%d/role", zoeID), url.Values{"role": {"manager"}}); st != http.StatusSeeOther {
		t.Fatalf("role: %d\n%s", st, body)
	}
	zoeTok := env.namedTokenFor("zoe@example.com", auth.Manager, "manager token")
	if e := env.api("POST", path+"/approve", zoeTok, nil).expect(t, http.StatusForbidden).apiError(t); !strings.Contains(e.Message, "changed the role of your account zoe@example.com") {
		t.Errorf("API refusal says %q", e.Message)
	}
	env.clock.Advance(91 * 24 * time.Hour)
	var got desk.CreditRun
	env.api("POST", path+"/approve", zoeTok, nil).expect(t, http.StatusOK).decode(t, &got)
	if got.State != desk.RunIssued || got.Issued.Entries != 1 {
		t.Fatalf("approved %+v", got)
	}
}

// An admin raises the USD threshold to 10^11 minor units; a support user
// who then grants 999,999,999.99 USD alone still needs a second person (the
// ceiling is 1,000,000.00), on the page and through the API; nothing is in
// the ledger until a manager approves.
func TestManualCreditCeilingHoldsWhateverTheThreshold(t *testing.T) {
	env := newTestEnv(t)
	env.seedManualDesk()
	adminTok := env.token(auth.Admin)
	env.api("PUT", "/credit-settings/manual-approval-above/USD", adminTok, map[string]any{"above_minor": 100_000_000_000}).expect(t, http.StatusOK)
	env.confirmThreshold("USD")
	sup := env.user(auth.Support)
	id := sup.grant(url.Values{"customer": {"acme"}, "amount": {"999999999.99"}, "service": {""}, "month": {""}, "reason": {"Ticket 9."}})
	var m desk.ManualCredit
	env.api("GET", "/manual-credits/"+id, adminTok, nil).expect(t, http.StatusOK).decode(t, &m)
	if m.State != desk.ManualPending || m.AmountMinor != 99_999_999_999 {
		t.Fatalf("page grant %+v", m)
	}
	env.api("POST", "/manual-credits", env.token(auth.Support), map[string]any{"customer": "acme", "amount_minor": 99_999_999_999, "reason": "x"}).
		expect(t, http.StatusCreated).decode(t, &m)
	if m.State != desk.ManualPending {
		t.Fatalf("API grant %+v", m)
	}
	if n := env.ledgerRowsOfManual(id); n != 0 {
		t.Fatalf("%d ledger entries for a credit above the ceiling", n)
	}
	// At the ceiling the threshold still rules.
	env.api("POST", "/manual-credits", env.token(auth.Support), map[string]any{"customer": "acme", "amount_minor": 100_000_000, "reason": "x"}).
		expect(t, http.StatusCreated).decode(t, &m)
	if m.State != desk.ManualIssued {
		t.Fatalf("grant at the ceiling %+v", m)
	}
}

// Support requests a run; afterwards another admin (not the requester)
// creates a manager account, and another re-enables one: neither may
// approve it (403 on the page and through the API, nothing issued), since
// an account made what it is after the request is no second person. A
// manager whose account was there before the request approves it, and the
// customer's ledger then shows the credit.
func TestApproverMayNotBeAnAccountMadeAfterTheRequest(t *testing.T) {
	env := newTestEnv(t)
	support := env.token(auth.Support)
	env.seedDesk(support, env.token(auth.Manager))
	before := env.personToken("max@example.com", auth.Manager)
	admin := env.user(auth.Admin)

	var run desk.CreditRun
	env.api("POST", "/credit-runs", support, map[string]any{"month": "2012-12"}).expect(t, http.StatusCreated).decode(t, &run)
	path := fmt.Sprintf("/credit-runs/%d", run.ID)
	env.api("POST", path+"/request", support, nil).expect(t, http.StatusOK)
	env.clock.Advance(time.Minute)

	admin.get("/admin/users")
	if st, body := admin.send("/admin/users", url.Values{"email": {"late@example.com"}, "name": {"Late"}, "role": {"manager"}, "password": {testPassword}}); st != http.StatusSeeOther {
		t.Fatalf("create user: %d\n%s", st, body)
	}
	late := env.browser()
	if resp := late.postForm("/login", url.Values{"email": {"late@example.com"}, "password": {testPassword}}); resp.StatusCode != http.StatusOK {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	page := "/admin/credits/runs/" + fmt.Sprint(run.ID)
	late.get(page)
	st, body := late.send(page+"/approve", nil)
	if st != http.StatusForbidden || !strings.Contains(body, "after support@example.com requested credit run 1") {
		t.Fatalf("approval by an account created after the request: %d\n%s", st, body)
	}
	lateTok := env.namedTokenFor("late@example.com", auth.Manager, "ci")
	if e := env.api("POST", path+"/approve", lateTok, nil).expect(t, http.StatusForbidden).apiError(t); !strings.Contains(e.Message, "created your account late@example.com") {
		t.Errorf("API refusal says %q", e.Message)
	}
	if n := env.count("ledger"); n != 0 {
		t.Fatalf("%d ledger entries after refused approvals", n)
	}

	var got desk.CreditRun
	env.api("POST", path+"/approve", before, nil).expect(t, http.StatusOK).decode(t, &got)
	if got.State != desk.RunIssued || got.Issued.Entries != 1 {
		t.Fatalf("approved %+v", got)
	}
	var led api.List[desk.LedgerEntry]
	env.api("GET", "/ledger?customer=acme", env.token(auth.Viewer), nil).expect(t, http.StatusOK).decode(t, &led)
	if led.Total != 1 || led.Items[0].AmountMinor != 25000 || !strings.HasPrefix(led.Items[0].Actor, "max@example.com") {
		t.Fatalf("ledger %+v", led.Items)
	}
}

// An admin creates a support account, which asks for a manual credit and
// a credit run: the admin may approve neither, on the page or through the
// API (403 saying why, nothing issued), since a request from an account
// the approver made is no second person's. A manager whose account the
// admin did not make approves the manual credit, and the ledger holds it
// once; after 90 days the admin may approve the run.
func TestApproverMayNotBeThePersonWhoMadeTheRequester(t *testing.T) {
	env := newTestEnv(t)
	env.seedDesk(env.token(auth.Support), env.token(auth.Manager))
	max := env.personToken("max@example.com", auth.Manager)
	admin := env.user(auth.Admin)
	adminTok := env.namedTokenFor("admin@example.com", auth.Admin, "ops")

	admin.get("/admin/users")
	if st, body := admin.send("/admin/users", url.Values{"email": {"sock@example.com"}, "name": {"Sock"}, "role": {"support"}, "password": {testPassword}}); st != http.StatusSeeOther {
		t.Fatalf("create user: %d\n%s", st, body)
	}
	sock := env.namedTokenFor("sock@example.com", auth.Support, "desk")
	env.clock.Advance(time.Minute)
	var m desk.ManualCredit
	env.api("POST", "/manual-credits", sock, map[string]any{"customer": "acme", "amount_minor": 5000, "reason": "Ticket 9."}).
		expect(t, http.StatusCreated).decode(t, &m)
	var run desk.CreditRun
	env.api("POST", "/credit-runs", sock, map[string]any{"month": "2012-12"}).expect(t, http.StatusCreated).decode(t, &run)
	env.api("POST", fmt.Sprintf("/credit-runs/%d/request", run.ID), sock, nil).expect(t, http.StatusOK)
	if m.State != desk.ManualPending {
		t.Fatalf("manual credit %+v", m)
	}

	const why = "you created the account sock@example.com"
	manual := fmt.Sprintf("/admin/credits/manual/%d/approve", m.ID)
	if resp, body := admin.get(manual); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, why) {
		t.Errorf("the admin's confirmation step of the manual credit: %d", resp.StatusCode)
	}
	if st, body := admin.send(manual, nil); st != http.StatusForbidden || !strings.Contains(body, why) {
		t.Errorf("the admin approving the manual credit on the page: %d\n%.600s", st, body)
	}
	if e := env.api("POST", fmt.Sprintf("/manual-credits/%d/approve", m.ID), adminTok, nil).expect(t, http.StatusForbidden).apiError(t); !strings.Contains(e.Message, why) {
		t.Errorf("API refusal of the manual credit says %q", e.Message)
	}
	runPage := fmt.Sprintf("/admin/credits/runs/%d", run.ID)
	admin.get(runPage)
	if st, body := admin.send(runPage+"/approve", nil); st != http.StatusForbidden || !strings.Contains(body, why) {
		t.Errorf("the admin approving the run on the page: %d\n%.600s", st, body)
	}
	if e := env.api("POST", fmt.Sprintf("/credit-runs/%d/approve", run.ID), adminTok, nil).expect(t, http.StatusForbidden).apiError(t); !strings.Contains(e.Message, why) {
		t.Errorf("API refusal of the run says %q", e.Message)
	}
	if n := env.count("ledger"); n != 0 {
		t.Fatalf("%d ledger entries after refused approvals", n)
	}

	env.api("POST", fmt.Sprintf("/manual-credits/%d/approve", m.ID), max, nil).expect(t, http.StatusOK)
	var led api.List[desk.LedgerEntry]
	env.api("GET", "/ledger?customer=acme", env.token(auth.Viewer), nil).expect(t, http.StatusOK).decode(t, &led)
	if led.Total != 1 || led.Items[0].AmountMinor != 5000 || !strings.HasPrefix(led.Items[0].Actor, "max@example.com") {
		t.Fatalf("ledger %+v", led.Items)
	}
	env.clock.Advance(91 * 24 * time.Hour)
	var got desk.CreditRun
	env.api("POST", fmt.Sprintf("/credit-runs/%d/approve", run.ID), adminTok, nil).expect(t, http.StatusOK).decode(t, &got)
	if got.State != desk.RunIssued {
		t.Fatalf("approved after 90 days: %+v", got)
	}
}
