package templates

// AccountPage is "/admin/account": the signed-in user's own account and
// the form that changes their password.
type AccountPage struct {
	Page
	Email string
	Name  string
	Role  string
	// Changed says the password was just changed (after the redirect).
	Changed bool
	Error   FormError
}
