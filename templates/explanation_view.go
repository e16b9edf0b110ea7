package templates

// ExplanationPage is "/incidents/{id}/explanation": the newest published
// revision of an incident's explanation; and
// "/incidents/{id}/explanation/revisions/{n}": an earlier one.
type ExplanationPage struct {
	Page
	// Incident is the incident the explanation is about; its URL is the
	// public incident page.
	Incident IncidentSummary
	Title    string
	// BodyHTML is the revision's Markdown rendered and sanitized by the web
	// layer; it is written to the page as it is.
	BodyHTML string
	// Number is the revision shown.
	Number int
	// Published is when the explanation was first published; Updated is
	// when the revision shown was, zero for the first revision.
	Published Time
	Updated   Time
	// Superseded is set when the revision shown is not the newest: the
	// page then links CurrentURL.
	Superseded bool
	CurrentURL string
	// History is every published revision, newest first; shown when there
	// is more than one.
	History []RevisionLink
}

// RevisionLink is one published revision in the public history.
type RevisionLink struct {
	Number    int
	URL       string
	Title     string
	Published Time
	// Shown marks the revision on the page being viewed.
	Shown bool
}

// AdminExplanationPage is "/admin/incidents/{id}/explanation": the editor of
// the unpublished revision, its review, and every revision so far.
type AdminExplanationPage struct {
	Page
	IncidentID int64
	Incident   IncidentSummary
	// PublicURL is the public page, empty until a revision is published.
	PublicURL string
	// Number is the unpublished revision's number, or the number a new one
	// gets when there is none (the editor then starts it on save).
	Number int
	// New is true when there is no unpublished revision: the editor holds
	// the text a new revision starts from.
	New bool
	// State is the unpublished revision's state: Class "draft" or
	// "in_review", Label "Draft" or "In review". Zero when New.
	State StatusBadge
	// Title and Body are the editor's values (or, in review, the text under
	// review).
	Title string
	Body  string
	// Author and Editors wrote the unpublished revision.
	Author  string
	Editors string // "cat@example.com, dan@example.com"
	// ReturnNote is the reviewer's note from the last return, by ReturnedBy.
	ReturnNote string
	ReturnedBy string
	// CanEdit: the user may save and submit (support and above, and the
	// revision is a draft or there is none).
	CanEdit bool
	// CanReview: the revision is in review and the user is a manager or
	// above; CanPublish also needs the user not to have written it, and
	// PublishNote says why not when it is false.
	CanReview   bool
	CanPublish  bool
	PublishNote string
	// ReviewNote is the return form's value.
	ReviewNote string
	// PreviewHTML is the sanitized rendering of Body, set after "Preview".
	PreviewHTML string
	// Revisions is every revision, newest first.
	Revisions []AdminRevisionRow
	Error     FormError
}

// AdminRevisionRow is one revision in the admin list.
type AdminRevisionRow struct {
	Number      int
	Title       string
	State       StatusBadge
	Author      string
	Editors     string
	Updated     Time
	Published   Time
	PublishedBy string
	// URL is the public page of a published revision, else "".
	URL string
}
