package templates

// CorrectIncidentPage is "/admin/incidents/{id}/correct": the forms that
// correct a mistaken title, impact or update message, and (for admins) the
// one that deletes an incident declared by mistake.
type CorrectIncidentPage struct {
	Page
	ID       int64
	Incident IncidentSummary
	Title    string
	Impacts  []Option
	Updates  []UpdateCorrection
	// Error is the title and impact form's; an update's error is on its
	// row, the delete form's in DeleteError.
	Error FormError
	// CanDelete is true for admins.
	CanDelete   bool
	DeleteError string
}

// UpdateCorrection is one published update with the form that corrects
// its message.
type UpdateCorrection struct {
	ID      int64
	Phase   string
	At      Time
	Edited  Time // zero if never corrected
	Message string
	Error   string
}
