package web

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/web/api"
)

var sentStatement = regexp.MustCompile(`/statement/([A-Za-z0-9_-]{43})`)

// Sending notices takes two people: support requests, a manager who is not
// the requester (nor an account made after the request) approves; approval
// queues one message per customer contact with a delivery id and a fresh
// statement link, never twice; a correction goes only to the customers
// whose figures changed.
func TestNoticeBatchFourEyes(t *testing.T) {
	env := newDemoEnv(t)
	support := env.token(auth.Support)
	max := env.personToken("max@example.com", auth.Manager)
	zoe := env.personToken("zoe@example.com", auth.Manager)
	elb := env.demoIncident("Degraded load balancers")
	path := fmt.Sprintf("/incidents/%d/notices", elb.ID)
	var drafts api.Notices
	env.api("GET", path, support, nil).expect(t, http.StatusOK).decode(t, &drafts)

	var b api.NoticeBatch
	env.api("POST", path+"/request", max, nil).expect(t, http.StatusCreated).decode(t, &b)
	if b.State != desk.NoticeRequested || len(b.Messages) != len(drafts.Notices) || b.Customers[0].Draft != 1 {
		t.Fatalf("requested %+v", b.NoticeBatch)
	}
	env.api("POST", path+"/request", support, nil).expect(t, http.StatusConflict)
	batch := fmt.Sprintf("/notices/%d", b.ID)
	env.api("POST", batch+"/approve", support, nil).expect(t, http.StatusForbidden) // role
	env.api("POST", batch+"/approve", max, nil).expect(t, http.StatusForbidden)     // the requester
	late := env.personToken("late@example.com", auth.Manager)
	if e := env.api("POST", batch+"/approve", late, nil).expect(t, http.StatusForbidden).apiError(t); !strings.Contains(e.Message, "created after") {
		t.Errorf("late account: %q", e.Message)
	}
	env.api("POST", batch+"/approve", zoe, nil).expect(t, http.StatusOK).decode(t, &b)
	if b.State != desk.NoticeApproved || b.ApprovedBy != "zoe@example.com" {
		t.Fatalf("approved %+v", b.NoticeBatch)
	}
	ids := map[string]bool{}
	for _, m := range b.Messages {
		if m.State != desk.MessagePending || m.Channel != "email" || len(m.DeliveryID) != 32 || ids[m.DeliveryID] {
			t.Errorf("message %+v", m)
		}
		ids[m.DeliveryID] = true
		if strings.Contains(m.Text+m.HTML, desk.StatementMarker) {
			t.Errorf("%s: the statement link was not filled", m.Customer)
		}
	}
	var stream desk.NoticeMessage
	for _, m := range b.Messages {
		if m.Customer == "streamflix" {
			stream = m
		}
	}
	link := sentStatement.FindString(stream.Text)
	if link == "" || !strings.Contains(stream.HTML, link) || stream.Contact != "billing@streamflix.example" {
		t.Fatalf("Streamflix's message %+v", stream)
	}
	if resp, page := env.publicGet(link); resp.StatusCode != http.StatusOK || !strings.Contains(page, "Streamflix") {
		t.Errorf("the sent statement link: %d", resp.StatusCode)
	}
	env.api("POST", batch+"/approve", zoe, nil).expect(t, http.StatusConflict)
	if n := env.count("notice_messages"); n != len(drafts.Notices) {
		t.Errorf("%d messages after a second approval", n)
	}
	var got api.NoticeBatch
	env.api("GET", batch, support, nil).expect(t, http.StatusOK).decode(t, &got)
	if len(got.Customers) != len(drafts.Notices) || got.Customers[0].Pending != 1 {
		t.Errorf("batch %+v", got.Customers)
	}

	// Nothing changed: no correction.
	if e := env.api("POST", path+"/request", support, map[string]any{"correction": true}).expect(t, http.StatusUnprocessableEntity).apiError(t); e.Field != "correction" {
		t.Errorf("empty correction: %+v", e)
	}
	// The month's credits are paid: the customers with a credit get a correction.
	var run struct{ ID int64 }
	env.api("POST", "/credit-runs", support, map[string]any{"month": "2012-12"}).expect(t, http.StatusCreated).decode(t, &run)
	env.api("POST", fmt.Sprintf("/credit-runs/%d/request", run.ID), max, nil).expect(t, http.StatusOK)
	env.api("POST", fmt.Sprintf("/credit-runs/%d/approve", run.ID), zoe, nil).expect(t, http.StatusOK)
	var fix api.NoticeBatch
	env.api("POST", path+"/request", support, map[string]any{"correction": true}).expect(t, http.StatusCreated).decode(t, &fix)
	if fix.CorrectionOf != b.ID || len(fix.Messages) == 0 || len(fix.Messages) >= len(b.Messages) {
		t.Fatalf("correction of %d with %d of %d messages", fix.CorrectionOf, len(fix.Messages), len(b.Messages))
	}
	for _, m := range fix.Messages {
		if !strings.HasPrefix(m.Subject, "Correction: ") || !strings.Contains(m.Text, "paid") {
			t.Errorf("correction message %q %q", m.Subject, m.Text)
		}
	}
}

// On the admin pages support requests a batch, a manager approves it, and
// the batch page counts each customer's messages and shows every one.
func TestNoticeBatchAdminPages(t *testing.T) {
	env := newDemoEnv(t)
	elb := env.demoIncident("Degraded load balancers")
	sup := env.user(auth.Support)
	mgr := env.user(auth.Manager)
	page := fmt.Sprintf("/admin/incidents/%d/notices", elb.ID)
	sup.get(page)
	st, _ := sup.send(page+"/request", nil)
	if st != http.StatusSeeOther {
		t.Fatalf("request: %d", st)
	}
	_, body := sup.get("/admin/notices/1")
	doc := parseHTML(t, body)
	if doc.Find(testid("batch-customer")).Length() < 5 || doc.Find(testid("approve-notices")).Length() != 0 {
		t.Errorf("requested batch page: %d customers", doc.Find(testid("batch-customer")).Length())
	}
	if st, _ := sup.send("/admin/notices/1/approve", nil); st != http.StatusForbidden {
		t.Errorf("support approving: %d", st)
	}
	_, body = mgr.get("/admin/notices/1")
	if parseHTML(t, body).Find(testid("approve-notices")).Length() != 1 {
		t.Fatal("no approve button for the manager")
	}
	if st, _ := mgr.send("/admin/notices/1/approve", nil); st != http.StatusSeeOther {
		t.Fatalf("approve: %d", st)
	}
	_, body = mgr.get("/admin/notices/1")
	doc = parseHTML(t, body)
	row := textOf(doc.Find(testid("batch-customer")).First())
	if !strings.HasSuffix(row, "0010") || !strings.Contains(textOf(doc.Find(testid("batch-state"))), "Approved") {
		t.Errorf("approved batch: %q %q", row, textOf(doc.Find(testid("batch-state"))))
	}
	if doc.Find(testid("batch-message")).Length() != doc.Find(testid("batch-customer")).Length() {
		t.Error("messages not listed")
	}
	if st, _ := mgr.send("/admin/notices/1/approve", nil); st != http.StatusConflict {
		t.Errorf("second approval: %d", st)
	}
}
