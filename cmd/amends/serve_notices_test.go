package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/internal/sqlitedb"
)

// TestServeSendsApprovedNoticesOnce: on `serve --demo` with no SMTP
// server, a notice batch of the December 2012 ELB incident requested by
// support and approved by another manager puts one e-mail per customer
// contact in the local mail spool (admin's Outbox); after a restart a
// second approval is refused and nothing is sent twice.
func TestServeSendsApprovedNoticesOnce(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "amends.db")
	tokens := map[string]string{}
	for _, u := range []struct{ email, role string }{{"ops@example.com", "admin"}, {"sam@example.com", "support"}, {"max@example.com", "manager"}} {
		if code := run2(ctx, []string{"user", "add", "--db", db, "--email", u.email, "--name", u.role, "--role", u.role},
			bytes.NewBufferString("a long enough password\n"), &bytes.Buffer{}, &bytes.Buffer{}); code != 0 {
			t.Fatalf("user add %s: exit %d", u.email, code)
		}
		var token, errOut bytes.Buffer
		if code := run2(ctx, []string{"token", "create", "--db", db, "--user", u.email, "--name", "test"}, nil, &token, &errOut); code != 0 {
			t.Fatalf("token create: exit %d\n%s", code, errOut.String())
		}
		tokens[u.role] = strings.TrimSpace(token.String())
	}
	base, _, stderr, stop := startServeArgs(t, db)
	support := &apiClient{t: t, base: base, token: tokens["support"]}
	var incs struct {
		Items []struct {
			ID    int64
			Title string
		}
	}
	support.call(http.MethodGet, "/api/v1/incidents?state=resolved", nil, &incs, http.StatusOK)
	var elb int64
	for _, in := range incs.Items {
		if strings.HasPrefix(in.Title, "Degraded load balancers") {
			elb = in.ID
		}
	}
	if elb == 0 {
		t.Fatalf("no ELB incident in %+v", incs.Items)
	}
	var batch struct {
		ID       int64
		Messages []struct {
			Customer, Contact, State string
			DeliveryID               string `json:"delivery_id"`
		}
	}
	support.call(http.MethodPost, fmt.Sprintf("/api/v1/incidents/%d/notices/request", elb), nil, &batch, http.StatusCreated)
	approve := fmt.Sprintf("/api/v1/notices/%d/approve", batch.ID)
	(&apiClient{t: t, base: base, token: tokens["manager"]}).call(http.MethodPost, approve, nil, nil, http.StatusOK)

	other, err := sqlitedb.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	spooled := func() (n int) {
		if err := other.QueryRow(`SELECT COUNT(*) FROM notify_mail_spool`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	n := len(batch.Messages)
	// The worker spools each e-mail, then records it sent.
	allSent := func() bool {
		support.call(http.MethodGet, fmt.Sprintf("/api/v1/notices/%d", batch.ID), nil, &batch, http.StatusOK)
		for _, m := range batch.Messages {
			if m.State != "sent" {
				return false
			}
		}
		return true
	}
	for deadline := time.Now().Add(20 * time.Second); !allSent() && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
	}
	if !allSent() {
		t.Fatalf("not every message was sent: %+v\n%s", batch.Messages, stderr.String())
	}
	if got := spooled(); got != n || n < 5 {
		t.Fatalf("%d e-mails in the spool for %d messages", got, n)
	}
	for _, m := range batch.Messages {
		var to string
		if err := other.QueryRow(`SELECT mail_to FROM notify_mail_spool WHERE message LIKE ?`, "%X-Amends-Delivery: "+m.DeliveryID+"%").Scan(&to); err != nil || to != m.Contact {
			t.Errorf("%s: no e-mail to %s under its delivery id (%v)", m.Customer, m.Contact, err)
		}
	}

	if code := stop(); code != 0 {
		t.Fatalf("serve stopped with %d", code)
	}
	base, _, _, _ = startServeArgs(t, db)
	(&apiClient{t: t, base: base, token: tokens["manager"]}).call(http.MethodPost, approve, nil, nil, http.StatusConflict)
	time.Sleep(3 * time.Second) // longer than a worker's poll
	if got := spooled(); got != n {
		t.Errorf("%d e-mails after the restart, %d before", got, n)
	}
}
