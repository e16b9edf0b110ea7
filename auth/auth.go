// Package auth is the accounts domain of Amends: users and their roles,
// password hashing, server-side sessions, API tokens and the one-time setup
// of the first admin. It holds the types, their validation and the rules;
// package auth/sqlite stores them. Nothing here touches a database, HTTP or
// the clock: every function that needs the time takes now.
package auth

import (
	"context"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/internal/check"
	"github.com/amends/amends/internal/errs"
)

// Role says what a user (or a token) may do. Roles are ordered: each one may
// do everything the roles below it may.
type Role string

const (
	// Viewer reads the admin pages.
	Viewer Role = "viewer"
	// Support declares and updates incidents, schedules maintenance, keeps
	// customers, charges and policies, requests credit runs.
	Support Role = "support"
	// Manager approves credit runs and publications.
	Manager Role = "manager"
	// Admin manages users, roles, tokens, backups and settings.
	Admin Role = "admin"
)

// Roles lists every role, lowest first.
var Roles = []Role{Viewer, Support, Manager, Admin}

func (r Role) rank() int {
	switch r {
	case Viewer:
		return 1
	case Support:
		return 2
	case Manager:
		return 3
	case Admin:
		return 4
	}
	return 0
}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return r.rank() > 0 }

// Validate returns an Invalid error on field "role" unless r is one of
// Roles.
func (r Role) Validate() error {
	if !r.Valid() {
		return errRole()
	}
	return nil
}

// AtLeast reports whether r may do what min may. An unknown role is never
// at least anything, and nothing is at least an unknown role.
func (r Role) AtLeast(min Role) bool {
	return r.rank() > 0 && min.rank() > 0 && r.rank() >= min.rank()
}

// Label is the role's name for people to read.
func (r Role) Label() string {
	switch r {
	case Viewer:
		return "Viewer"
	case Support:
		return "Support"
	case Manager:
		return "Manager"
	case Admin:
		return "Admin"
	}
	return string(r)
}

// LowerRole returns the lower of a and b: the role a token acts with is the
// lower of its own role and its owner's current role.
func LowerRole(a, b Role) Role {
	if a.rank() <= b.rank() {
		return a
	}
	return b
}

// ParseRole reads a role name (case and surrounding spaces ignored). It
// returns an Invalid error on field "role" for anything else.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if !r.Valid() {
		return "", errRole()
	}
	return r, nil
}

func errRole() error {
	return errs.Invalidf("role", "must be one of viewer, support, manager, admin")
}

// User is a person who may log in to the admin.
type User struct {
	ID        int64
	Email     string // trimmed and lowercased
	Name      string
	Role      Role
	Disabled  bool
	CreatedAt time.Time
}

// Limits on user input.
const (
	MaxEmailLen     = 254
	MaxNameLen      = 100
	MinPasswordLen  = 12
	MaxPasswordLen  = 1024
	MaxTokenNameLen = 100
)

// NewUser is what it takes to create a user.
type NewUser struct {
	Email    string
	Name     string
	Role     Role
	Password string
}

// Normalized returns u with the email trimmed and lowercased and the name
// trimmed; the password is kept exactly as given.
func (u NewUser) Normalized() NewUser {
	u.Email = NormalizeEmail(u.Email)
	u.Name = strings.TrimSpace(u.Name)
	return u
}

// Validate checks u as Normalized would store it. It returns an Invalid
// error on field "email", "name", "role" or "password", the first that is
// wrong in that order.
func (u NewUser) Validate() error {
	u = u.Normalized()
	if err := validateEmail(u.Email); err != nil {
		return err
	}
	switch n := utf8.RuneCountInString(u.Name); {
	case n == 0:
		return errs.Invalidf("name", "required")
	case n > MaxNameLen:
		return errs.Invalidf("name", "must be at most %d characters", MaxNameLen)
	}
	if err := check.Line("name", u.Name); err != nil {
		return err
	}
	if err := u.Role.Validate(); err != nil {
		return err
	}
	return CheckPassword("password", u.Password, u.Email)
}

// NormalizeEmail trims and lowercases an email address, as users are stored
// and looked up.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func validateEmail(e string) error {
	if e == "" {
		return errs.Invalidf("email", "required")
	}
	if len(e) > MaxEmailLen {
		return errs.Invalidf("email", "must be at most %d characters", MaxEmailLen)
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || a.Name != "" || !strings.Contains(e[strings.LastIndexByte(e, '@')+1:], ".") {
		return errs.Invalidf("email", "must be an email address such as name@example.com")
	}
	return nil
}

// ValidatePassword checks a new password as CheckPassword does, for an
// account whose email is not known. It returns an Invalid error on field
// "password".
func ValidatePassword(pw string) error { return CheckPassword("password", pw, "") }

// ValidateTokenName trims name and checks it is 1 to MaxTokenNameLen
// characters. It returns the trimmed name or an Invalid error on field
// "name".
func ValidateTokenName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		return "", errs.Invalidf("name", "required")
	case n > MaxTokenNameLen:
		return "", errs.Invalidf("name", "must be at most %d characters", MaxTokenNameLen)
	}
	if err := check.Line("name", name); err != nil {
		return "", err
	}
	return name, nil
}

// Session lifetimes. They are variables so tests can shorten them.
var (
	// SessionIdle ends a session that has not been used for this long.
	SessionIdle = 12 * time.Hour
	// SessionMax ends a session this long after login, however busy.
	SessionMax = 7 * 24 * time.Hour
	// TouchEvery is how stale a session's LastSeenAt or a token's
	// LastUsedAt may get before use writes it again, so that a busy client
	// does not cost a write per request. Idle expiry is therefore measured
	// from a LastSeenAt up to this much older than the latest request.
	TouchEvery = time.Minute
	// SetupCodeTTL is how long a first-admin setup code stays valid.
	SetupCodeTTL = 24 * time.Hour
)

// Session is a logged-in browser. Its raw id lives only in the cookie.
type Session struct {
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // the earlier of LastSeenAt+SessionIdle and CreatedAt+SessionMax
}

// NewSession returns the session a login at now starts.
func NewSession(userID int64, now time.Time) Session {
	return Session{UserID: userID, CreatedAt: now, LastSeenAt: now}.withExpiry()
}

func (s Session) withExpiry() Session {
	s.ExpiresAt = s.LastSeenAt.Add(SessionIdle)
	if end := s.CreatedAt.Add(SessionMax); end.Before(s.ExpiresAt) {
		s.ExpiresAt = end
	}
	return s
}

// RestoreSession returns the session with the given instants and its ExpiresAt
// worked out from the current lifetimes.
func RestoreSession(userID int64, createdAt, lastSeenAt time.Time) Session {
	return Session{UserID: userID, CreatedAt: createdAt, LastSeenAt: lastSeenAt}.withExpiry()
}

// Expired reports whether s has ended by now.
func (s Session) Expired(now time.Time) bool { return !now.Before(s.ExpiresAt) }

// Touch returns s as used at now, and whether that changed it enough (by
// TouchEvery or more) to be worth writing.
func (s Session) Touch(now time.Time) (Session, bool) {
	if now.Sub(s.LastSeenAt) < TouchEvery {
		return s, false
	}
	s.LastSeenAt = now
	return s.withExpiry(), true
}

// Token is an API token. Its secret is shown once, at creation; only its
// SHA-256 is stored.
type Token struct {
	ID         int64
	Name       string
	UserID     int64
	Role       Role   // as created; it acts with LowerRole(Role, owner's role)
	Prefix     string // the first 8 characters of the secret after "amd_", for display
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// NeedsTouch reports whether using t at now should record LastUsedAt.
func (t Token) NeedsTouch(now time.Time) bool {
	return t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= TouchEvery
}

// CheckTokenRole checks that a token with role may be given to a user with
// owner's role: a valid role, and no higher than the owner's. It returns an
// Invalid error on field "role".
func CheckTokenRole(role, owner Role) error {
	if err := role.Validate(); err != nil {
		return err
	}
	if !owner.AtLeast(role) {
		return errs.Invalidf("role", "may not exceed the owner's role (%s)", owner)
	}
	return nil
}

// Store keeps users, sessions, tokens and the setup code. Every write that
// changes a user or a token is audited with by (its AuditLabel), in the same transaction.
type Store interface {
	// UserCount returns how many users exist, disabled ones included.
	UserCount(ctx context.Context) (int, error)
	// CreateUser validates u and creates the user. Invalid for bad input;
	// Conflict on field "email" if the address is already in use.
	CreateUser(ctx context.Context, by audit.Actor, u NewUser, now time.Time) (User, error)
	// Users returns every user, oldest first.
	Users(ctx context.Context) ([]User, error)
	// User returns one user; NotFound if there is none with id.
	User(ctx context.Context, id int64) (User, error)
	// SetRole changes a user's role. Invalid for an unknown role, NotFound,
	// Conflict when it would leave no enabled admin.
	SetRole(ctx context.Context, by audit.Actor, id int64, role Role, now time.Time) (User, error)
	// SetDisabled disables or re-enables a user; disabling ends the user's
	// sessions. NotFound; Conflict when it would leave no enabled admin.
	SetDisabled(ctx context.Context, by audit.Actor, id int64, disabled bool, now time.Time) (User, error)
	// SetPassword validates and sets a user's password and ends all the
	// user's sessions. Invalid on "password"; NotFound.
	SetPassword(ctx context.Context, by audit.Actor, id int64, password string, now time.Time) error
	// ChangePassword sets a user's own password, given the current one,
	// and ends every other session of theirs (keepSession, the raw id of
	// the session asking, stays). Invalid on "current_password" when it is
	// wrong, on "new_password" when the new one breaks CheckPassword or is
	// the current one; NotFound.
	ChangePassword(ctx context.Context, by audit.Actor, id int64, current, next, keepSession string, now time.Time) error
	// NewSetupCode returns a fresh first-admin setup code, valid for
	// SetupCodeTTL, replacing any earlier one. Conflict once a user exists.
	NewSetupCode(ctx context.Context, now time.Time) (string, error)
	// CreateFirstAdmin creates the first user, as an admin whatever u.Role
	// says, and consumes the code. Invalid for bad input; Conflict if a user
	// already exists; Unauthorized for a wrong or expired code.
	CreateFirstAdmin(ctx context.Context, code string, u NewUser, now time.Time) (User, error)
	// Authenticate checks an email and password. Unauthorized ("wrong email
	// or password") for an unknown email, a wrong password or a disabled
	// user, all taking the same time.
	Authenticate(ctx context.Context, email, password string, now time.Time) (User, error)
	// CreateSession starts a session for an enabled user and returns its raw
	// id, new at every call. NotFound; Unauthorized if the user is disabled.
	CreateSession(ctx context.Context, userID int64, now time.Time) (string, error)
	// SessionUser returns the session with rawID and its user, sliding its
	// idle expiry. Unauthorized if unknown, expired or the user is disabled.
	SessionUser(ctx context.Context, rawID string, now time.Time) (User, Session, error)
	// DeleteSession ends a session; an unknown id is not an error.
	DeleteSession(ctx context.Context, rawID string) error
	// CreateToken creates an API token for a user and returns its secret,
	// shown only this once. Invalid on "name" or "role" (unknown, or above
	// the owner's role); NotFound; Conflict if the owner is disabled.
	CreateToken(ctx context.Context, by audit.Actor, userID int64, name string, role Role, now time.Time) (string, Token, error)
	// TokenUser returns the token with secret raw and its owner, whose Role
	// is the token's effective role. Unauthorized if unknown, revoked or the
	// owner is disabled.
	TokenUser(ctx context.Context, raw string, now time.Time) (User, Token, error)
	// Tokens returns a user's tokens, or everyone's for userID 0, oldest
	// first, revoked ones included.
	Tokens(ctx context.Context, userID int64) ([]Token, error)
	// RevokeToken revokes a token. NotFound; Conflict if already revoked.
	RevokeToken(ctx context.Context, by audit.Actor, id int64, now time.Time) error
}
