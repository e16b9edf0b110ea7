package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"github.com/amends/amends/internal/sqlitedb"
	"github.com/amends/amends/notify"
	"github.com/amends/amends/notify/sqlite"
)

func approvalMsg(key, to string) notify.Message {
	return notify.Message{Key: key, To: to, Subject: "Waiting for you: Credit run 3", Heading: "Credit run 3",
		Lines: []string{"Requested by sam@example.com."}, Path: "/admin/credits/runs/3/approve", LinkText: "Open it to decide"}
}

// A message to the team is queued once per key, however often it is
// offered; its job carries the message and its address as an e-mail
// subscriber with no id; the delivery log shows it, and subscribers' own
// deliveries go on as before.
func TestQueueMessagesOncePerKey(t *testing.T) {
	e := newEnv(t)
	sub := e.activeHook("ops")
	e.publish("incident.updated:1:1")
	msgs := []notify.Message{approvalMsg("approval:credit_run:3:1:zoe@example.com", "zoe@example.com"), approvalMsg("approval:credit_run:3:1:max@example.com", "max@example.com")}
	for i, want := range []int{2, 0, 0} {
		n, err := e.st.QueueMessages(e.ctx, msgs, e.now)
		if err != nil || n != want {
			t.Fatalf("offer %d: %d new, %v; want %d", i+1, n, err, want)
		}
	}
	if n := e.count(`SELECT COUNT(*) FROM notify_messages`); n != 2 {
		t.Errorf("%d messages stored", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM notify_deliveries WHERE kind = 'message'`); n != 2 {
		t.Errorf("%d message deliveries", n)
	}
	if n, err := e.st.QueueMessages(e.ctx, append(msgs, approvalMsg("approval:credit_run:4:2:zoe@example.com", "zoe@example.com")), e.now); err != nil || n != 1 {
		t.Errorf("a new key among known ones: %d new, %v", n, err)
	}

	jobs := e.claim(e.now, 10)
	var messages, events int
	for _, j := range jobs {
		switch j.Delivery.Kind {
		case notify.KindMessage:
			messages++
			if j.Message == nil || j.Subscriber.Channel != notify.Email || j.Subscriber.Address != j.Message.To || j.Subscriber.ID != 0 ||
				j.Message.Path != "/admin/credits/runs/3/approve" || j.Message.Subject != "Waiting for you: Credit run 3" || len(j.Message.Lines) != 1 {
				t.Errorf("message job %+v, message %+v", j, j.Message)
			}
			e.finish(j, nil, nil)
		case notify.KindEvent:
			events++
			if j.Subscriber.ID != sub.ID || j.Message != nil {
				t.Errorf("event job %+v", j)
			}
		}
	}
	if messages != 3 || events != 1 {
		t.Fatalf("claimed %d messages and %d events", messages, events)
	}
	log, err := e.st.Log(e.ctx, notify.LogFilter{Kind: notify.KindMessage})
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 3 {
		t.Fatalf("delivery log of messages: %+v", log)
	}
	for _, a := range log {
		if !a.OK || a.SubscriberID != 0 || a.Channel != notify.Email || (a.Address != "zoe@example.com" && a.Address != "max@example.com") || a.State != notify.Sent {
			t.Errorf("log line %+v", a)
		}
	}
	if _, err := e.db.ExecContext(e.ctx, `DELETE FROM notify_messages`); err == nil {
		t.Error("a message was deleted")
	}
}

// Migration 3 rebuilds the outbox: a database at migration 2 with a
// subscriber, an event, deliveries and their attempts keeps every one of
// them, and the foreign keys hold.
func TestMessagesMigrationKeepsTheOutbox(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "amends.db")
	db, err := sqlitedb.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	old := fstest.MapFS{}
	for _, name := range []string{"0001_notify.sql", "0002_mail_spool.sql"} {
		b, err := os.ReadFile(filepath.Join("migrations", name))
		if err != nil {
			t.Fatal(err)
		}
		old[name] = &fstest.MapFile{Data: b}
	}
	if err := sqlitedb.Migrate(ctx, db, sqlite.MigrationSet, old); err != nil {
		t.Fatal(err)
	}
	at := sqlitedb.FormatTime(t0)
	for _, q := range []string{
		`INSERT INTO notify_subscribers (id, channel, address, state, unsubscribe_token, created_at) VALUES (1, 'webhook', 'https://a.example.com/h', 'active', 'tok', '` + at + `')`,
		`INSERT INTO notify_events (id, key, type, at, payload_json, created_at) VALUES (1, 'k', 'incident.updated', '` + at + `', '{}', '` + at + `')`,
		`INSERT INTO notify_deliveries (id, subscriber_id, kind, event_id, state, next_at, created_at) VALUES ('dlv_a', 1, 'event', 1, 'sent', '` + at + `', '` + at + `')`,
		`INSERT INTO notify_deliveries (id, subscriber_id, kind, state, next_at, created_at) VALUES ('dlv_b', 1, 'challenge', 'pending', '` + at + `', '` + at + `')`,
		`INSERT INTO notify_attempts (delivery_id, number, at, ok, code) VALUES ('dlv_a', 1, '` + at + `', 1, 204)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	st, err := sqlite.New(db)
	if err != nil {
		t.Fatal(err)
	}
	list, err := st.Deliveries(ctx, 10)
	if err != nil || len(list) != 2 {
		t.Fatalf("deliveries after the migration: %+v, %v", list, err)
	}
	log, err := st.Log(ctx, notify.LogFilter{})
	if err != nil || len(log) != 1 || log[0].DeliveryID != "dlv_a" || log[0].Address != "https://a.example.com/h" {
		t.Fatalf("log after the migration: %+v, %v", log, err)
	}
	var bad int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pragma_foreign_key_check`).Scan(&bad); err != nil || bad != 0 {
		t.Errorf("foreign key check: %d rows, %v", bad, err)
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM notify_deliveries`); err == nil {
		t.Error("the rebuilt outbox lets deliveries be deleted")
	}
	if jobs, err := st.Claim(ctx, t0.Add(time.Minute), time.Minute, 10); err != nil || len(jobs) != 1 || jobs[0].Delivery.ID != "dlv_b" {
		t.Errorf("claim after the migration: %+v, %v", jobs, err)
	}
}
