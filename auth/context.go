package auth

import (
	"context"

	"github.com/amends/amends/audit"
)

// signedIn is what a request's context carries about who made it.
type signedIn struct {
	user  *User
	label string
}

type contextKey struct{}

// NewContext returns ctx carrying the signed-in user u and label, what the
// audit log records for the request's writes ("ann@example.com", or
// "ann@example.com (token ci)" for an API token). The web layer's session
// and bearer-token checks set it; handlers in any package read it back
// with UserFrom and ActorFrom.
func NewContext(ctx context.Context, u *User, label string) context.Context {
	return context.WithValue(ctx, contextKey{}, signedIn{user: u, label: label})
}

// UserFrom returns the signed-in user that ctx carries, or nil.
func UserFrom(ctx context.Context) *User {
	s, _ := ctx.Value(contextKey{}).(signedIn)
	return s.user
}

// ActorFrom returns who acts in ctx: the person is the signed-in user's
// e-mail address (the two-person rules compare it, whatever session or
// token they use), the label what the audit log records. The zero Actor
// when nobody is signed in.
func ActorFrom(ctx context.Context) audit.Actor {
	s, _ := ctx.Value(contextKey{}).(signedIn)
	if s.user == nil {
		return audit.Actor{}
	}
	return audit.Actor{Person: s.user.Email, Label: s.label}
}
