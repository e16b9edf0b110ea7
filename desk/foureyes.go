package desk

import (
	"time"

	"github.com/amends/amends/internal/errs"
)

// SponsorWindow is how long an account stays bound to the person who
// created it, re-enabled it or changed its role: within it, that account may
// not approve what that person requested (credit runs, goodwill grants,
// manual credits, threshold raises), nor that person what it requested.
const SponsorWindow = 90 * 24 * time.Hour

// Sponsorship is one audit log record of a person making another's account
// what it is: "user.create", "user.enable" or "user.role".
type Sponsorship struct {
	By      string // who acted (audit.Actor.Who)
	Account string // the account acted on: its e-mail address
	Action  string
	At      time.Time
}

var sponsorVerb = map[string]string{"user.create": "created", "user.enable": "re-enabled", "user.role": "changed the role of"}

// CheckApprover returns errs.Forbidden when approver may not approve what
// (such as "credit run 4"), requested by requester at requestedAt: when
// approver is requester; when requester created, re-enabled or changed the
// role of approver's account within SponsorWindow before now; when
// approver did so to requester's account within SponsorWindow before now
// (an admin who makes a support account and approves what it asks for
// pays on their own say); or when anyone made approver's account what it
// is after requestedAt (an account made what it is after the request
// cannot be the request's second person, whoever made it). sponsored
// holds the audit log's records about approver's account and those
// approver made. The domain's own Approve methods refuse the requester;
// this adds the accounts made for the purpose.
func CheckApprover(what, requester string, requestedAt time.Time, approver string, sponsored []Sponsorship, now time.Time) error {
	if approver == requester {
		return errs.Forbiddenf("no credit is paid on one person's say: you requested %s, so another manager must approve it", what)
	}
	for _, s := range sponsored {
		verb := sponsorVerb[s.Action]
		if verb != "" && s.Account == requester && s.By == approver && !s.At.After(now) && now.Sub(s.At) <= SponsorWindow {
			return errs.Forbiddenf("no credit is paid on one person's say: you %s the account %s on %s, within the last 90 days, and it requested %s, so a manager who did not create, re-enable or change the role of %s must approve it",
				verb, requester, s.At.UTC().Format("2006-01-02"), what, requester)
		}
	}
	made := func(s Sponsorship) string {
		if s.Account != approver || s.At.After(now) {
			return ""
		}
		return sponsorVerb[s.Action]
	}
	for _, s := range sponsored {
		if verb := made(s); verb != "" && s.By == requester && now.Sub(s.At) <= SponsorWindow {
			return errs.Forbiddenf("no credit is paid on one person's say: %s requested %s and %s your account %s on %s, within the last 90 days, so a manager whose account %s did not create, re-enable or change the role of must approve it",
				requester, what, verb, approver, s.At.UTC().Format("2006-01-02"), requester)
		}
	}
	for _, s := range sponsored {
		if verb := made(s); verb != "" && !requestedAt.IsZero() && s.At.After(requestedAt) {
			return errs.Forbiddenf("no credit is paid on one person's say: %s %s your account %s on %s, after %s requested %s, so a manager whose account was what it is before the request must approve it",
				s.By, verb, approver, s.At.UTC().Format("2006-01-02 15:04 UTC"), requester, what)
		}
	}
	return nil
}
