package sqlite

import (
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/desk"
)

// An approved batch's messages are claimed once each with a lease; a
// sent message is never claimed again, a sender that stopped mid-send
// leaves its message to be claimed again under the same delivery id once
// the lease runs out, and the stopped sender's late finish changes
// nothing.
func TestNoticeMessagesAreClaimedAndSentOnce(t *testing.T) {
	st, db := newStore(t)
	seed(t, st)
	msgs := []desk.NoticeMessage{
		{Customer: "acme", Contact: "billing@acme.example", Channel: "email", Fingerprint: "a", Subject: "s", Text: "see /statement/" + desk.StatementMarker, HTML: "<p>h</p>"},
		{Customer: "globex", Contact: "ap@globex.example", Channel: "email", Fingerprint: "g", Subject: "s", Text: "t", HTML: "<p>h</p>"},
	}
	b := must[desk.NoticeBatch](t)(st.RequestNoticeBatch(ctx, sam, "1", 0, msgs, now))
	if got := must[[]desk.NoticeMessage](t)(st.ClaimNoticeMessages(ctx, now.Add(time.Hour), time.Minute, 10)); len(got) != 0 {
		t.Fatalf("drafts claimed before approval: %d", len(got))
	}
	must[desk.NoticeBatch](t)(st.ApproveNoticeBatch(ctx, zoe, b.ID, now))
	lease := 2 * time.Minute
	first := must[[]desk.NoticeMessage](t)(st.ClaimNoticeMessages(ctx, now, lease, 10))
	if len(first) != 2 || first[0].Claim == "" || first[0].QueuedAt == nil || !first[0].QueuedAt.Equal(now) {
		t.Fatalf("claimed %+v", first)
	}
	if strings.Contains(first[0].Text, desk.StatementMarker) {
		t.Error("a claimed message still holds the marker")
	}
	// Leased: nobody else takes them.
	if again := must[[]desk.NoticeMessage](t)(st.ClaimNoticeMessages(ctx, now.Add(time.Minute), lease, 10)); len(again) != 0 {
		t.Fatalf("claimed twice within the lease: %d", len(again))
	}
	// The first is sent; the second's sender stops before finishing.
	if err := st.FinishNoticeMessage(ctx, first[0], "", nil, now.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	later := now.Add(lease + time.Second)
	retaken := must[[]desk.NoticeMessage](t)(st.ClaimNoticeMessages(ctx, later, lease, 10))
	if len(retaken) != 1 || retaken[0].DeliveryID != first[1].DeliveryID || retaken[0].Attempts != 1 || retaken[0].Claim == first[1].Claim {
		t.Fatalf("after the lease: %+v", retaken)
	}
	// The stopped sender's finish comes late: its claim was taken over.
	if err := st.FinishNoticeMessage(ctx, first[1], "", nil, later); err != nil {
		t.Fatal(err)
	}
	var state string
	if err := db.QueryRow(`SELECT state FROM notice_messages WHERE id = ?`, first[1].ID).Scan(&state); err != nil || state != "pending" {
		t.Fatalf("a finish under a lost claim changed the message: %q %v", state, err)
	}
	// A failure is due again at next, then fails for good.
	next := later.Add(time.Minute)
	if err := st.FinishNoticeMessage(ctx, retaken[0], "421 try later", &next, later); err != nil {
		t.Fatal(err)
	}
	if got := must[[]desk.NoticeMessage](t)(st.ClaimNoticeMessages(ctx, next.Add(-time.Second), lease, 10)); len(got) != 0 {
		t.Fatal("claimed before it was due again")
	}
	last := must[[]desk.NoticeMessage](t)(st.ClaimNoticeMessages(ctx, next, lease, 10))
	if len(last) != 1 || last[0].Attempts != 2 || last[0].Error != "421 try later" {
		t.Fatalf("due again: %+v", last)
	}
	if err := st.FinishNoticeMessage(ctx, last[0], "550 no such user", nil, next); err != nil {
		t.Fatal(err)
	}
	got := must[[]desk.NoticeMessage](t)(st.NoticeMessages(ctx, b.ID))
	states := map[string]desk.NoticeMessageState{}
	for _, m := range got {
		states[m.Customer] = m.State
	}
	if states["acme"] != desk.MessageSent || states["globex"] != desk.MessageFailed || got[0].SentAt == nil || got[1].Error != "550 no such user" || got[1].Attempts != 3 {
		t.Errorf("finished %+v", got)
	}
	if rest := must[[]desk.NoticeMessage](t)(st.ClaimNoticeMessages(ctx, next.AddDate(1, 0, 0), lease, 10)); len(rest) != 0 {
		t.Errorf("a finished message was claimed again: %+v", rest)
	}
	if n := count(t, db, "notice_messages"); n != 2 {
		t.Errorf("%d messages", n)
	}
}
