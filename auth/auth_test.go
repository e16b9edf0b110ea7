package auth

import (
	"context"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/internal/errs"
)

// fast lowers the argon2 cost for the duration of a test.
func fast(t *testing.T) {
	t.Helper()
	saved := PasswordParams
	PasswordParams = Argon2Params{Memory: 64, Time: 1, Threads: 1}
	t.Cleanup(func() { PasswordParams = saved })
}

func TestRoles(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Role
	}{{"viewer", Viewer}, {" Support ", Support}, {"MANAGER", Manager}, {"admin", Admin}} {
		got, err := ParseRole(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseRole(%q) = %q, %v", tc.in, got, err)
		}
	}
	for _, in := range []string{"", "root", "admins"} {
		_, err := ParseRole(in)
		if errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != "role" {
			t.Errorf("ParseRole(%q) error %v", in, err)
		}
	}
	if len(Roles) != 4 || Roles[0] != Viewer || Roles[3] != Admin {
		t.Fatalf("Roles %v", Roles)
	}
	for i, r := range Roles {
		for j, min := range Roles {
			if got := r.AtLeast(min); got != (i >= j) {
				t.Errorf("%s.AtLeast(%s) = %v", r, min, got)
			}
		}
		if Role("bogus").AtLeast(r) || r.AtLeast("bogus") {
			t.Errorf("unknown role compared with %s", r)
		}
	}
	if Admin.Label() != "Admin" || Viewer.Label() != "Viewer" {
		t.Error("labels")
	}
	if LowerRole(Admin, Support) != Support || LowerRole(Viewer, Manager) != Viewer {
		t.Error("LowerRole")
	}
}

func TestNewUserValidate(t *testing.T) {
	good := NewUser{Email: "  Ada@Example.COM ", Name: " Ada ", Role: Support, Password: "correct horse battery"}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	if n := good.Normalized(); n.Email != "ada@example.com" || n.Name != "Ada" || n.Password != good.Password {
		t.Fatalf("normalized %+v", n)
	}
	mod := func(f func(*NewUser)) NewUser { u := good; f(&u); return u }
	for _, tc := range []struct {
		u       NewUser
		field   string
		message string
	}{
		{mod(func(u *NewUser) { u.Email = "  " }), "email", "required"},
		{mod(func(u *NewUser) { u.Email = "not an address" }), "email", "must be an email address such as name@example.com"},
		{mod(func(u *NewUser) { u.Email = "Ada <ada@example.com>" }), "email", "must be an email address such as name@example.com"},
		{mod(func(u *NewUser) { u.Email = "ada@localhost" }), "email", "must be an email address such as name@example.com"},
		{mod(func(u *NewUser) { u.Email = strings.Repeat("a", 250) + "@b.co" }), "email", "must be at most 254 characters"},
		{mod(func(u *NewUser) { u.Name = " " }), "name", "required"},
		{mod(func(u *NewUser) { u.Name = strings.Repeat("é", 101) }), "name", "must be at most 100 characters"},
		{mod(func(u *NewUser) { u.Role = "" }), "role", "must be one of viewer, support, manager, admin"},
		{mod(func(u *NewUser) { u.Role = "root" }), "role", "must be one of viewer, support, manager, admin"},
		{mod(func(u *NewUser) { u.Password = "short" }), "password", "must be at least 12 characters"},
		{mod(func(u *NewUser) { u.Password = "ééééééééééé" }), "password", "must be at least 12 characters"}, // 22 bytes, 11 characters
		{mod(func(u *NewUser) { u.Password = strings.Repeat("x", 1025) }), "password", "must be at most 1024 characters"},
		{mod(func(u *NewUser) { u.Password = "aaaaaaaaaaaa" }), "password", "must not be one character repeated"},
		{mod(func(u *NewUser) { u.Password = "éééééééééééé" }), "password", "must not be one character repeated"},
		{mod(func(u *NewUser) { u.Password = "ADA@example.com" }), "password", "must not be the account's email address"},
		{mod(func(u *NewUser) { u.Email = "grace.hopper.navy@example.com"; u.Password = "Grace.Hopper.Navy" }), "password", "must not be the account's email address"},
		{mod(func(u *NewUser) { u.Password = "passwordpassword" }), "password", "is one of the 100,000 most common passwords: choose another"},
		{mod(func(u *NewUser) { u.Password = "QWERTY123456" }), "password", "is one of the 100,000 most common passwords: choose another"},
	} {
		err := tc.u.Validate()
		if errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != tc.field || errs.MessageOf(err) != tc.message {
			t.Errorf("%+v: got %v (%s), want %s: %s", tc.u, err, errs.CodeOf(err), tc.field, tc.message)
		}
	}
	if err := mod(func(u *NewUser) { u.Name = strings.Repeat("é", 100); u.Password = strings.Repeat("xy", 512) }).Validate(); err != nil {
		t.Errorf("limits themselves rejected: %v", err)
	}
	if _, err := ValidateTokenName("  "); errs.FieldOf(err) != "name" {
		t.Errorf("token name: %v", err)
	}
	if _, err := ValidateTokenName(strings.Repeat("n", 101)); errs.FieldOf(err) != "name" {
		t.Errorf("token name: %v", err)
	}
	if n, err := ValidateTokenName(" ci "); n != "ci" || err != nil {
		t.Errorf("token name %q %v", n, err)
	}
}

func TestPasswordProductionParams(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$([A-Za-z0-9+/]{22})\$([A-Za-z0-9+/]{43})$`)
	m := re.FindStringSubmatch(h)
	if m == nil {
		t.Fatalf("hash %q is not the expected PHC string", h)
	}
	if salt, _ := base64.RawStdEncoding.DecodeString(m[1]); len(salt) != 16 {
		t.Fatalf("salt %d bytes", len(salt))
	}
	if ok, err := VerifyPassword(h, "correct horse battery"); !ok || err != nil {
		t.Fatalf("verify %v %v", ok, err)
	}
}

func TestPasswordRoundTrip(t *testing.T) {
	fast(t)
	h1, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := HashPassword("correct horse battery")
	if h1 == h2 {
		t.Fatal("same hash twice: salt not random")
	}
	if !strings.HasPrefix(h1, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q", h1)
	}
	for pw, want := range map[string]bool{"correct horse battery": true, "correct horse batter": false, "": false, "Correct horse battery": false} {
		if ok, err := VerifyPassword(h1, pw); ok != want || err != nil {
			t.Errorf("verify %q = %v, %v", pw, ok, err)
		}
	}
	// A hash keeps verifying after the parameters change.
	PasswordParams = Argon2Params{Memory: 128, Time: 2, Threads: 2}
	if ok, err := VerifyPassword(h1, "correct horse battery"); !ok || err != nil {
		t.Errorf("old hash after parameter change: %v %v", ok, err)
	}
}

func TestPasswordParseErrors(t *testing.T) {
	fast(t)
	h, _ := HashPassword("correct horse battery")
	parts := strings.Split(h, "$")
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	for name, bad := range map[string]string{
		"empty":           "",
		"bcrypt":          "$2a$10$abcdefghijklmnopqrstuv",
		"argon2i":         with(1, "argon2i"),
		"too few fields":  strings.Join(parts[:5], "$"),
		"too many fields": h + "$x",
		"version 16":      with(2, "v=16"),
		"version junk":    with(2, "v=19x"),
		"params junk":     with(3, "m=64,t=1"),
		"params order":    with(3, "t=1,m=64,p=1"),
		"memory huge":     with(3, "m=4294967295,t=1,p=1"),
		"time zero":       with(3, "m=64,t=0,p=1"),
		"threads zero":    with(3, "m=64,t=1,p=0"),
		"salt not b64":    with(4, "!!!!"),
		"salt short":      with(4, "AAAA"),
		"hash not b64":    with(5, "***"),
		"hash short":      with(5, "AAAA"),
		"padded salt":     with(4, parts[4]+"=="),
	} {
		ok, err := VerifyPassword(bad, "correct horse battery")
		if err == nil || ok {
			t.Errorf("%s: %q accepted (%v, %v)", name, bad, ok, err)
		}
	}
}

func TestSecrets(t *testing.T) {
	a, _ := NewSecret()
	b, _ := NewSecret()
	if a == b || len(a) != 43 || strings.ContainsAny(a, "+/=") {
		t.Fatalf("secrets %q %q", a, b)
	}
	tok, _ := NewTokenSecret()
	if !strings.HasPrefix(tok, "amd_") || len(tok) != 47 || TokenDisplayPrefix(tok) != tok[4:12] {
		t.Fatalf("token %q prefix %q", tok, TokenDisplayPrefix(tok))
	}
	if h := HashSecret(a); len(h) != 64 || h == HashSecret(b) || strings.Contains(h, a) {
		t.Fatalf("hash %q", h)
	}
}

func TestSessionLifetime(t *testing.T) {
	t0 := time.Date(2012, 12, 24, 20, 24, 0, 0, time.UTC)
	s := NewSession(7, t0)
	if !s.ExpiresAt.Equal(t0.Add(12*time.Hour)) || s.Expired(t0.Add(12*time.Hour-time.Second)) || !s.Expired(t0.Add(12*time.Hour)) {
		t.Fatalf("idle expiry %v", s.ExpiresAt)
	}
	if s2, ok := s.Touch(t0.Add(59 * time.Second)); ok || s2 != s {
		t.Fatal("touched within a minute")
	}
	// Used every 11 hours, it lives until the absolute limit.
	now := t0
	for i := 0; i < 20; i++ {
		now = now.Add(11 * time.Hour)
		if s.Expired(now) {
			break
		}
		var ok bool
		if s, ok = s.Touch(now); !ok {
			t.Fatal("not touched after 11 hours")
		}
	}
	if !s.ExpiresAt.Equal(t0.Add(7*24*time.Hour)) || now.Before(t0.Add(7*24*time.Hour)) || now.After(t0.Add(7*24*time.Hour+11*time.Hour)) {
		t.Fatalf("absolute expiry %v, ended at %v", s.ExpiresAt, now)
	}
}

func TestContext(t *testing.T) {
	ctx := context.Background()
	if UserFrom(ctx) != nil || ActorFrom(ctx) != (audit.Actor{}) {
		t.Fatal("an empty context carries nobody")
	}
	u := &User{ID: 3, Email: "ann@example.com", Role: Support}
	ctx = NewContext(ctx, u, "ann@example.com (token ci)")
	if UserFrom(ctx) != u {
		t.Fatalf("user: %+v", UserFrom(ctx))
	}
	if got := ActorFrom(ctx); got.Person != "ann@example.com" || got.AuditLabel() != "ann@example.com (token ci)" {
		t.Fatalf("actor: %+v", got)
	}
}

// The shipped list is the top 100,000 (a few entries differ only by case,
// so slightly fewer once lowercased), and a password off it passes.
func TestCommonPasswordList(t *testing.T) {
	if n := CommonPasswordCount(); n < 95_000 || n > 100_000 {
		t.Errorf("common passwords: %d, want about 100,000", n)
	}
	for _, pw := range []string{"123456", "password", "PassWord", "1qaz2wsx3edc", "passwordpassword"} {
		if !IsCommonPassword(pw) {
			t.Errorf("%q is not found common", pw)
		}
	}
	for _, pw := range []string{"correct horse battery staple", "", "violet kettle under ninety"} {
		if IsCommonPassword(pw) {
			t.Errorf("%q is found common", pw)
		}
	}
	if err := CheckPassword("new_password", "qwertyqwerty", "ann@example.com"); errs.FieldOf(err) != "new_password" {
		t.Errorf("the field is named as asked: %v", err)
	}
}
