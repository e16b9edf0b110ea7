package sqlite_test

import (
	"context"
	"testing"
	"time"
)

// TestSpoolKeepsMessagesNewestFirst: the mail spool keeps each message as
// given, lists them newest first in pages with the total, and refuses to
// change or delete one.
func TestSpoolKeepsMessagesNewestFirst(t *testing.T) {
	e := newEnv(t)
	st, db := e.st, e.db
	at := time.Date(2013, 1, 5, 10, 0, 0, 0, time.UTC)
	sp := st.Spool(func() time.Time { return at })
	ctx := context.Background()
	for _, to := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		if err := sp.Send(ctx, "status@localhost", to, []byte("Subject: hi\r\n\r\nbody for "+to)); err != nil {
			t.Fatal(err)
		}
	}
	page, total, err := sp.Messages(ctx, 1, 1)
	if err != nil || total != 3 || len(page) != 1 {
		t.Fatalf("page: %v, total %d, %v", page, total, err)
	}
	if m := page[0]; m.To != "b@example.com" || string(m.Message) != "Subject: hi\r\n\r\nbody for b@example.com" || !m.CreatedAt.Equal(at) {
		t.Errorf("second newest: %+v", m)
	}
	if _, err := db.Exec(`UPDATE notify_mail_spool SET mail_to = 'x@example.com'`); err == nil {
		t.Error("a spooled message was changed")
	}
	if _, err := db.Exec(`DELETE FROM notify_mail_spool`); err == nil {
		t.Error("a spooled message was deleted")
	}
}
