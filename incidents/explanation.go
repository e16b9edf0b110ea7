package incidents

import (
	"slices"
	"strings"
	"time"

	"github.com/amends/amends/internal/errs"
)

// Explanation is the post-incident report of one incident: what happened,
// why, what changes, and the apology. It is kept as numbered revisions. At
// most one revision is unpublished at a time (a draft, or one in review);
// published revisions are never changed, so a correction is a new revision
// that starts as a copy of the last published one. The public page shows
// the newest published revision and lists the others.
type Explanation struct {
	IncidentID int64 `json:"incident_id"`
	// Revisions are every revision, oldest (number 1) first.
	Revisions []Revision `json:"revisions"`
}

// Revision is one version of an explanation.
type Revision struct {
	IncidentID int64 `json:"incident_id"`
	// Number counts the incident's revisions from 1.
	Number int           `json:"number"`
	Title  string        `json:"title"`
	Body   string        `json:"body"` // Markdown
	State  RevisionState `json:"state"`
	// Author started the revision; Editors are the others who changed its
	// text, first change first. None of them may publish it. They, like
	// ReturnedBy and PublishedBy, are persons (audit.Actor.Who), not labels.
	Author  string   `json:"author"`
	Editors []string `json:"editors"`
	// ReturnNote is the reviewer's note when it was last sent back to
	// draft, by ReturnedBy at ReturnedAt; empty if it never was.
	ReturnNote string     `json:"return_note,omitempty"`
	ReturnedBy string     `json:"returned_by,omitempty"`
	ReturnedAt *time.Time `json:"returned_at,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	// UpdatedAt is the last change of any kind (text, state).
	UpdatedAt time.Time `json:"updated_at"`
	// SubmittedAt is when it was last submitted for review; nil while it is
	// a draft.
	SubmittedAt *time.Time `json:"submitted_at,omitempty"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
	PublishedBy string     `json:"published_by,omitempty"`
}

// RevisionState is where a revision stands: draft → in_review → published;
// a reviewer may send in_review back to draft.
type RevisionState string

// The revision states.
const (
	RevisionDraft     RevisionState = "draft"
	RevisionInReview  RevisionState = "in_review"
	RevisionPublished RevisionState = "published"
)

// Valid reports whether s is one of the revision states.
func (s RevisionState) Valid() bool {
	return s == RevisionDraft || s == RevisionInReview || s == RevisionPublished
}

// Label is the state as a reader sees it: "In review".
func (s RevisionState) Label() string {
	switch s {
	case RevisionDraft:
		return "Draft"
	case RevisionInReview:
		return "In review"
	case RevisionPublished:
		return "Published"
	}
	return string(s)
}

// Length limits of an explanation, in characters.
const (
	MaxExplanationBodyLen = 100000
	MaxReturnNoteLen      = 2000
)

// WrittenBy reports whether actor wrote any of the revision's text: its
// author or one of its editors.
func (r Revision) WrittenBy(actor string) bool {
	return r.Author == actor || slices.Contains(r.Editors, actor)
}

// Published returns the published revisions, oldest first.
func (e Explanation) Published() []Revision {
	var out []Revision
	for _, r := range e.Revisions {
		if r.State == RevisionPublished {
			out = append(out, r)
		}
	}
	return out
}

// Current returns the newest published revision, and false if none is.
func (e Explanation) Current() (Revision, bool) {
	for i := len(e.Revisions) - 1; i >= 0; i-- {
		if e.Revisions[i].State == RevisionPublished {
			return e.Revisions[i], true
		}
	}
	return Revision{}, false
}

// Pending returns the unpublished revision (a draft or one in review), and
// false if there is none.
func (e Explanation) Pending() (Revision, bool) {
	for i := len(e.Revisions) - 1; i >= 0; i-- {
		if e.Revisions[i].State != RevisionPublished {
			return e.Revisions[i], true
		}
	}
	return Revision{}, false
}

// Revision returns revision n, and false if there is none.
func (e Explanation) Revision(n int) (Revision, bool) {
	for _, r := range e.Revisions {
		if r.Number == n {
			return r, true
		}
	}
	return Revision{}, false
}

// NextText is the text a new revision starts from: the last published
// revision's, or title and body (a prefilled draft) when none is published.
func (e Explanation) NextText(title, body string) (string, string) {
	if cur, ok := e.Current(); ok {
		return cur.Title, cur.Body
	}
	return title, body
}

// checkExplanationText checks the text of a revision; a draft may be
// incomplete, so neither is required here (Submit requires both).
func checkExplanationText(title, body string) (string, string, error) {
	title = strings.TrimSpace(title)
	body = strings.TrimRight(strings.ReplaceAll(body, "\r\n", "\n"), " \t\n")
	if err := text("title", title, MaxTitleLen, false); err != nil {
		return "", "", err
	}
	if err := bodyText("body", body, MaxExplanationBodyLen, false); err != nil {
		return "", "", err
	}
	return title, body, nil
}

// Start returns a new draft revision written by actor, numbered after the
// last one. It is an errs.Conflict while another revision is unpublished
// (there is only one at a time), and an errs.Invalid on "title" or "body"
// for text that is too long or not UTF-8. e is not changed.
func (e Explanation) Start(actor, title, body string, now time.Time) (Revision, error) {
	if p, ok := e.Pending(); ok {
		return Revision{}, errs.Conflictf("revision %d of this explanation is still %s: change that one instead of starting another", p.Number, strings.ToLower(p.State.Label()))
	}
	title, body, err := checkExplanationText(title, body)
	if err != nil {
		return Revision{}, err
	}
	now = instant(now)
	n := 1
	if len(e.Revisions) > 0 {
		n = e.Revisions[len(e.Revisions)-1].Number + 1
	}
	return Revision{
		IncidentID: e.IncidentID,
		Number:     n,
		Title:      title,
		Body:       body,
		State:      RevisionDraft,
		Author:     actor,
		CreatedAt:  now,
		UpdatedAt:  now,
	}, nil
}

// pending returns the unpublished revision, or an errs.Conflict saying that
// there is none to act on.
func (e Explanation) pending(action string) (Revision, error) {
	p, ok := e.Pending()
	if !ok {
		return Revision{}, errs.Conflictf("there is no draft or revision in review to %s: start a new revision", action)
	}
	p.Editors = slices.Clone(p.Editors)
	return p, nil
}

// Edit returns the unpublished revision with its text replaced by actor,
// who joins its editors unless they are its author or already one.
// Unchanged text returns the revision as it is (changed reports whether
// anything changed). The text changes only while the revision is a draft:
// in review it is an errs.Conflict, as it is when there is no unpublished
// revision. Text errors are errs.Invalid on "title" or "body".
func (e Explanation) Edit(actor, title, body string, now time.Time) (r Revision, changed bool, err error) {
	r, err = e.pending("edit")
	if err != nil {
		return Revision{}, false, err
	}
	if r.State != RevisionDraft {
		return Revision{}, false, errs.Conflictf("revision %d is in review, so its text cannot change: a reviewer must return it to draft first", r.Number)
	}
	title, body, err = checkExplanationText(title, body)
	if err != nil {
		return Revision{}, false, err
	}
	if title == r.Title && body == r.Body {
		return r, false, nil
	}
	r.Title, r.Body, r.UpdatedAt = title, body, instant(now)
	if !r.WrittenBy(actor) {
		r.Editors = append(r.Editors, actor)
	}
	return r, true, nil
}

// Submit returns the draft revision sent for review. It needs a title and a
// body (errs.Invalid on "title" or "body": "must not be empty before it
// goes to review"); a revision that is not a draft, or none, is an
// errs.Conflict.
func (e Explanation) Submit(actor string, now time.Time) (Revision, error) {
	r, err := e.pending("submit")
	if err != nil {
		return Revision{}, err
	}
	if r.State != RevisionDraft {
		return Revision{}, errs.Conflictf("revision %d is already in review", r.Number)
	}
	if err := CheckReviewText(r.Title, r.Body); err != nil {
		return Revision{}, err
	}
	now = instant(now)
	r.State, r.SubmittedAt, r.UpdatedAt = RevisionInReview, &now, now
	return r, nil
}

// CheckReviewText reports whether a revision with this text may go to
// review: errs.Invalid on "title" or "body" ("must not be empty before it
// goes to review", or a length or UTF-8 error). It lets a form refuse a
// submission before saving anything.
func CheckReviewText(title, body string) error {
	title, body, err := checkExplanationText(title, body)
	if err != nil {
		return err
	}
	if title == "" {
		return errs.Invalidf("title", "must not be empty before it goes to review")
	}
	if strings.TrimSpace(body) == "" {
		return errs.Invalidf("body", "must not be empty before it goes to review")
	}
	return nil
}

// Return returns the revision in review sent back to draft by actor with a
// note saying what to change (errs.Invalid on "note": required, at most
// MaxReturnNoteLen characters). A draft, or no unpublished revision, is an
// errs.Conflict.
func (e Explanation) Return(actor, note string, now time.Time) (Revision, error) {
	r, err := e.pending("return")
	if err != nil {
		return Revision{}, err
	}
	if r.State != RevisionInReview {
		return Revision{}, errs.Conflictf("revision %d is a draft, not in review", r.Number)
	}
	note = strings.TrimSpace(note)
	if err := bodyText("note", note, MaxReturnNoteLen, true); err != nil {
		return Revision{}, err
	}
	now = instant(now)
	r.State, r.SubmittedAt, r.UpdatedAt = RevisionDraft, nil, now
	r.ReturnNote, r.ReturnedBy, r.ReturnedAt = note, actor, &now
	return r, nil
}

// Publish returns the revision in review published by actor. Nothing is
// published on one person's say: an actor who wrote or edited the revision
// gets errs.Forbidden. A draft, or no unpublished revision, is an
// errs.Conflict.
func (e Explanation) Publish(actor string, now time.Time) (Revision, error) {
	r, err := e.pending("publish")
	if err != nil {
		return Revision{}, err
	}
	if r.State != RevisionInReview {
		return Revision{}, errs.Conflictf("revision %d is a draft: submit it for review before it is published", r.Number)
	}
	if r.WrittenBy(actor) {
		return Revision{}, errs.Forbiddenf("nothing is published on one person's say: you wrote or edited revision %d, so another manager must review and publish it", r.Number)
	}
	now = instant(now)
	r.State, r.PublishedAt, r.PublishedBy, r.UpdatedAt = RevisionPublished, &now, actor, now
	return r, nil
}

// ExplanationSummary is a published explanation in a list: its newest
// published revision and when the first one was published.
type ExplanationSummary struct {
	IncidentID int64  `json:"incident_id"`
	Title      string `json:"title"`
	// Revision is the number of the newest published revision; Revisions
	// how many are published.
	Revision         int       `json:"revision"`
	Revisions        int       `json:"revisions"`
	FirstPublishedAt time.Time `json:"first_published_at"`
	LastPublishedAt  time.Time `json:"last_published_at"`
}
