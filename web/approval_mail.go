package web

import (
	"context"
	"strconv"
	"time"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/notify"
)

// ApprovalMessages is the notify.MessageSource of the approvals waiting:
// for each request that waits for a second person (desk.Store.Approvals),
// one e-mail to each manager or admin who may approve it (enabled, not
// its requester, nor an account the requester made what it is, nor one
// made what it is after the request: desk.Store.MayApprove), saying what
// it is and linking to where it is decided. Its key names the request and
// the approver, so the worker, which offers these every pass, queues each
// once: a crash between the request and the message loses nothing, and a
// manager is never told twice of one request.
func (s *Server) ApprovalMessages(ctx context.Context, now time.Time) ([]notify.Message, error) {
	waiting, err := s.desk.Approvals(ctx)
	if err != nil || len(waiting) == 0 {
		return nil, err
	}
	users, err := s.accounts.Users(ctx)
	if err != nil {
		return nil, err
	}
	var out []notify.Message
	for _, u := range users {
		if u.Disabled || u.Email == "" || !u.Role.AtLeast(auth.Manager) {
			continue
		}
		may, err := s.desk.MayApprove(ctx, u.Email, waiting, now)
		if err != nil {
			return nil, err
		}
		for i, a := range waiting {
			if may[i] == nil {
				out = append(out, approvalMessage(a, u.Email))
			}
		}
	}
	return out, nil
}

// approvalKey names one request (kind, id or currency, and when it was
// asked for, so that a threshold raised again is a new request).
func approvalKey(a desk.Approval) string {
	id := strconv.FormatInt(a.ID, 10)
	if a.Kind == desk.ApprovalThreshold {
		id = a.Currency
	}
	return "approval:" + string(a.Kind) + ":" + id + ":" + strconv.FormatInt(a.RequestedAt.Unix(), 10)
}

// approvalMessage is the e-mail telling to that a waits for them.
func approvalMessage(a desk.Approval, to string) notify.Message {
	r := approvalRow(a, nil)
	m := notify.Message{Key: approvalKey(a) + ":" + to, To: to, Subject: "Waiting for you: " + r.What, Heading: r.What,
		Path: r.URL, LinkText: "Open it to decide"}
	switch {
	case a.Kind == desk.ApprovalRun && r.PaysNote != "":
		// What approving it pays depends on the ledger when it is
		// approved; the page linked says it then.
		m.Lines = append(m.Lines, r.PaysNote+"; what approving it pays, after what the ledger already holds, is on the page below.")
	case r.Pays != "":
		m.Lines = append(m.Lines, "Pays if approved: "+r.Pays+".")
	}
	m.Lines = append(m.Lines,
		"Requested by "+a.RequestedBy+" at "+a.RequestedAt.UTC().Format("2 Jan 2006, 15:04 UTC")+".",
		"It takes a second person: "+a.RequestedBy+" cannot decide it, and you can. It has no effect until someone who may approve it does.")
	return m
}
