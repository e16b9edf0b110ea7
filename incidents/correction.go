package incidents

import (
	"strings"
	"time"

	"github.com/amends/amends/internal/errs"
)

// IncidentCorrection corrects what an incident says of itself: its title,
// its impact, or both (nil leaves one as it is).
type IncidentCorrection struct {
	Title  *string `json:"title,omitempty"`
	Impact *Impact `json:"impact,omitempty"`
}

// Correct returns inc with c applied and whether anything changed; inc
// itself is not changed. errs.Invalid on "title" (empty, too long, control
// characters) or "impact" (unknown); a correction that names nothing is
// errs.Invalid too. A resolved incident may be corrected: a typo outlives
// the outage.
func (inc Incident) Correct(c IncidentCorrection, now time.Time) (Incident, bool, error) {
	if c.Title == nil && c.Impact == nil {
		return Incident{}, false, errs.Invalidf("", "give a title or an impact to correct")
	}
	out := inc
	if c.Title != nil {
		title := strings.TrimSpace(*c.Title)
		if err := text("title", title, MaxTitleLen, true); err != nil {
			return Incident{}, false, err
		}
		out.Title = title
	}
	if c.Impact != nil {
		if !c.Impact.Valid() {
			return Incident{}, false, errs.Invalidf("impact", "%q is not an impact", *c.Impact)
		}
		out.Impact = *c.Impact
	}
	if out.Title == inc.Title && out.Impact == inc.Impact {
		return inc, false, nil
	}
	out.UpdatedAt = instant(now)
	return out, true, nil
}

// CorrectUpdate returns inc with the message of its update updateID
// replaced by message, that update's EditedAt set to now, and whether the
// text changed (the same text again changes nothing); inc itself is not
// changed. The update as first published is kept by the Store, which
// records each correction beside it. errs.NotFound when inc has no such
// update, errs.Invalid on "message".
func (inc Incident) CorrectUpdate(updateID int64, message string, now time.Time) (Incident, bool, error) {
	i := -1
	for j, u := range inc.Updates {
		if u.ID == updateID {
			i = j
		}
	}
	if i < 0 {
		return Incident{}, false, errs.NotFoundf("incident %d has no update %d", inc.ID, updateID)
	}
	message, err := checkMessage(message)
	if err != nil {
		return Incident{}, false, err
	}
	if message == inc.Updates[i].Message {
		return inc, false, nil
	}
	out := inc
	out.Updates = append([]Update(nil), inc.Updates...)
	at := instant(now)
	out.Updates[i].Message = message
	out.Updates[i].EditedAt = &at
	return out, true, nil
}
