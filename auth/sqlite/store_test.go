package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/auth"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/internal/sqlitedb"
)

func TestMain(m *testing.M) {
	// Real argon2id, at a cost tests can afford; package auth checks the
	// production parameters.
	auth.PasswordParams = auth.Argon2Params{Memory: 64, Time: 1, Threads: 1}
	os.Exit(m.Run())
}

var (
	ctx = context.Background()
	t0  = time.Date(2012, 12, 24, 20, 24, 0, 0, time.UTC)
)

const pw = "correct horse battery"

func newStore(t *testing.T) (*Store, *sql.DB) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "amends.db")
	db, err := sqlitedb.Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := New(db)
	if err != nil {
		t.Fatal(err)
	}
	return s, db
}

// withAdmin returns a store whose first user is an admin created by setup.
func withAdmin(t *testing.T) (*Store, *sql.DB, auth.User) {
	t.Helper()
	s, db := newStore(t)
	code, err := s.NewSetupCode(ctx, t0)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := s.CreateFirstAdmin(ctx, code, auth.NewUser{Email: "root@example.com", Name: "Root", Password: pw}, t0)
	if err != nil {
		t.Fatal(err)
	}
	return s, db, admin
}

func mustUser(t *testing.T, s *Store, email string, role auth.Role) auth.User {
	t.Helper()
	u, err := s.CreateUser(ctx, audit.Person("admin:1"), auth.NewUser{Email: email, Name: email, Role: role, Password: pw}, t0)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// dump returns every row of every table in the database as text.
func dump(t *testing.T, db *sql.DB) string {
	t.Helper()
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	var b strings.Builder
	for _, table := range tables {
		rows, err := db.QueryContext(ctx, `SELECT * FROM "`+table+`" ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s:", table)
			for _, v := range vals {
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				fmt.Fprintf(&b, " %v", v)
			}
			b.WriteByte('\n')
		}
		rows.Close()
	}
	return b.String()
}

// rejected checks that write fails with code and leaves the database as it
// was, byte for byte.
func rejected(t *testing.T, db *sql.DB, code errs.Code, what string, write func() error) error {
	t.Helper()
	before := dump(t, db)
	err := write()
	if errs.CodeOf(err) != code {
		t.Errorf("%s: got %v (%s), want %s", what, err, errs.CodeOf(err), code)
	}
	if after := dump(t, db); after != before {
		t.Errorf("%s: rejected write changed the database:\nbefore:\n%s\nafter:\n%s", what, before, after)
	}
	return err
}

func TestNewIsIdempotent(t *testing.T) {
	s, db := newStore(t)
	if v, err := sqlitedb.Version(ctx, db, "auth"); v != 1 || err != nil {
		t.Fatalf("version %d %v", v, err)
	}
	if _, err := New(db); err != nil {
		t.Fatalf("second New: %v", err)
	}
	if n, err := s.UserCount(ctx); n != 0 || err != nil {
		t.Fatalf("count %d %v", n, err)
	}
	// STRICT tables and CHECKs hold even against direct writes.
	if _, err := db.ExecContext(ctx, `INSERT INTO users (email, name, role, password_hash, created_at, updated_at)
		VALUES ('a@b.co', 'A', 'root', '$argon2id$x', 'x', 'x')`); err == nil {
		t.Error("role CHECK missing")
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at)
		VALUES (?, 999, 'x', 'x')`, strings.Repeat("a", 64)); err == nil {
		t.Error("sessions.user_id foreign key missing")
	}
}

func TestFirstAdmin(t *testing.T) {
	s, db := newStore(t)
	first, err := s.NewSetupCode(ctx, t0)
	if err != nil {
		t.Fatal(err)
	}
	code, err := s.NewSetupCode(ctx, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if code == first || len(code) != 43 {
		t.Fatalf("codes %q %q", first, code)
	}
	if strings.Contains(dump(t, db), code) {
		t.Fatal("setup code stored in the clear")
	}
	nu := auth.NewUser{Email: "Root@Example.com", Name: "Root", Role: auth.Viewer, Password: pw}
	later := t0.Add(2 * time.Hour)

	rejected(t, db, errs.Unauthorized, "replaced code", func() error {
		_, err := s.CreateFirstAdmin(ctx, first, nu, later)
		return err
	})
	rejected(t, db, errs.Unauthorized, "wrong code", func() error {
		_, err := s.CreateFirstAdmin(ctx, "nope", nu, later)
		return err
	})
	rejected(t, db, errs.Unauthorized, "expired code", func() error {
		_, err := s.CreateFirstAdmin(ctx, code, nu, t0.Add(time.Hour+24*time.Hour))
		return err
	})
	err = rejected(t, db, errs.Invalid, "short password", func() error {
		bad := nu
		bad.Password = "short"
		_, err := s.CreateFirstAdmin(ctx, code, bad, later)
		return err
	})
	if errs.FieldOf(err) != "password" {
		t.Errorf("field %q", errs.FieldOf(err))
	}

	admin, err := s.CreateFirstAdmin(ctx, code, nu, later)
	if err != nil {
		t.Fatal(err)
	}
	if admin.Role != auth.Admin || admin.Email != "root@example.com" || admin.Disabled || !admin.CreatedAt.Equal(later) {
		t.Fatalf("first admin %+v", admin)
	}
	var n int
	db.QueryRowContext(ctx, `SELECT COUNT(*) FROM setup_codes`).Scan(&n)
	if n != 0 {
		t.Fatal("code not consumed")
	}
	var actor, action string
	db.QueryRowContext(ctx, `SELECT actor, action FROM audit_log WHERE entity = 'user'`).Scan(&actor, &action)
	if actor != "setup" || action != "user.create" {
		t.Fatalf("audit %q %q", actor, action)
	}

	rejected(t, db, errs.Conflict, "second use", func() error {
		_, err := s.CreateFirstAdmin(ctx, code, auth.NewUser{Email: "eve@example.com", Name: "Eve", Password: pw}, later)
		return err
	})
	rejected(t, db, errs.Conflict, "code after setup", func() error {
		_, err := s.NewSetupCode(ctx, later)
		return err
	})
}

func TestCreateUserConsumesSetupCode(t *testing.T) {
	s, db := newStore(t)
	code, _ := s.NewSetupCode(ctx, t0)
	mustUser(t, s, "cli@example.com", auth.Admin) // amends user add
	rejected(t, db, errs.Conflict, "code after user add", func() error {
		_, err := s.CreateFirstAdmin(ctx, code, auth.NewUser{Email: "eve@example.com", Name: "Eve", Password: pw}, t0)
		return err
	})
	var n int
	db.QueryRowContext(ctx, `SELECT COUNT(*) FROM setup_codes`).Scan(&n)
	if n != 0 {
		t.Fatal("code left behind")
	}
}

func TestUsersAndAuthenticate(t *testing.T) {
	s, db, admin := withAdmin(t)
	ada := mustUser(t, s, "ada@example.com", auth.Support)
	err := rejected(t, db, errs.Conflict, "duplicate email", func() error {
		_, err := s.CreateUser(ctx, audit.Person("admin:1"), auth.NewUser{Email: " ADA@example.com", Name: "Other", Role: auth.Viewer, Password: pw}, t0)
		return err
	})
	if errs.FieldOf(err) != "email" || err.Error() != "email: already in use" {
		t.Errorf("duplicate: %v", err)
	}
	for _, nu := range []auth.NewUser{
		{Email: "x", Name: "X", Role: auth.Viewer, Password: pw},
		{Email: "x@example.com", Name: "", Role: auth.Viewer, Password: pw},
		{Email: "x@example.com", Name: "X", Role: "root", Password: pw},
		{Email: "x@example.com", Name: "X", Role: auth.Viewer, Password: "2short"},
	} {
		rejected(t, db, errs.Invalid, "invalid user", func() error {
			_, err := s.CreateUser(ctx, audit.Person("admin:1"), nu, t0)
			return err
		})
	}

	if n, _ := s.UserCount(ctx); n != 2 {
		t.Fatalf("count %d", n)
	}
	list, err := s.Users(ctx)
	if err != nil || len(list) != 2 || list[0] != admin || list[1] != ada {
		t.Fatalf("users %+v %v", list, err)
	}
	if got, err := s.User(ctx, ada.ID); err != nil || got != ada {
		t.Fatalf("user %+v %v", got, err)
	}
	if _, err := s.User(ctx, 999); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("missing user: %v", err)
	}

	if u, err := s.Authenticate(ctx, "  Ada@EXAMPLE.com ", pw, t0); err != nil || u != ada {
		t.Fatalf("authenticate %+v %v", u, err)
	}
	for _, tc := range []struct{ email, pw string }{
		{"ada@example.com", pw + "!"},
		{"ada@example.com", ""},
		{"nobody@example.com", pw},
	} {
		_, err := s.Authenticate(ctx, tc.email, tc.pw, t0)
		if errs.CodeOf(err) != errs.Unauthorized || errs.MessageOf(err) != "wrong email or password" {
			t.Errorf("authenticate %q %q: %v", tc.email, tc.pw, err)
		}
	}
	if _, err := s.SetDisabled(ctx, audit.Person("admin:1"), ada.ID, true, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, "ada@example.com", pw, t0); errs.MessageOf(err) != "wrong email or password" {
		t.Errorf("disabled user logged in: %v", err)
	}

	// New password: old one stops working, sessions end.
	if _, err := s.SetDisabled(ctx, audit.Person("admin:1"), ada.ID, false, t0); err != nil {
		t.Fatal(err)
	}
	sid, _ := s.CreateSession(ctx, ada.ID, t0)
	rejected(t, db, errs.Invalid, "short new password", func() error {
		return s.SetPassword(ctx, audit.Person("admin:1"), ada.ID, "short", t0)
	})
	rejected(t, db, errs.NotFound, "password of nobody", func() error {
		return s.SetPassword(ctx, audit.Person("admin:1"), 999, "another long password", t0)
	})
	if err := s.SetPassword(ctx, audit.Person("admin:1"), ada.ID, "another long password", t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, "ada@example.com", pw, t0); errs.CodeOf(err) != errs.Unauthorized {
		t.Error("old password still works")
	}
	if _, err := s.Authenticate(ctx, "ada@example.com", "another long password", t0); err != nil {
		t.Error(err)
	}
	if _, _, err := s.SessionUser(ctx, sid, t0); errs.CodeOf(err) != errs.Unauthorized {
		t.Error("session survived a password change")
	}
}

func TestUnknownEmailCostsAnArgon2Verify(t *testing.T) {
	saved := auth.PasswordParams
	auth.PasswordParams = auth.Argon2Params{Memory: 19456, Time: 2, Threads: 1}
	defer func() { auth.PasswordParams = saved }()
	s, _ := newStore(t)
	mustUser(t, s, "ada@example.com", auth.Support)
	for _, email := range []string{"ada@example.com", "nobody@example.com"} {
		start := time.Now()
		_, err := s.Authenticate(ctx, email, "wrong password!", t0)
		// 19 MiB of argon2id takes well over 5 ms on any machine.
		if took := time.Since(start); took < 5*time.Millisecond || errs.CodeOf(err) != errs.Unauthorized {
			t.Errorf("%s: %v in %v: no argon2 work done", email, err, took)
		}
	}
}

func TestRolesAndLastAdmin(t *testing.T) {
	s, db, root := withAdmin(t)
	rejected(t, db, errs.Conflict, "demote last admin", func() error {
		_, err := s.SetRole(ctx, audit.Person("admin:1"), root.ID, auth.Manager, t0)
		return err
	})
	rejected(t, db, errs.Conflict, "disable last admin", func() error {
		_, err := s.SetDisabled(ctx, audit.Person("admin:1"), root.ID, true, t0)
		return err
	})
	for _, r := range []auth.Role{"root", "ADMIN", ""} {
		rejected(t, db, errs.Invalid, "unknown role "+string(r), func() error {
			_, err := s.SetRole(ctx, audit.Person("admin:1"), root.ID, r, t0)
			return err
		})
	}
	rejected(t, db, errs.NotFound, "role of nobody", func() error {
		_, err := s.SetRole(ctx, audit.Person("admin:1"), 999, auth.Viewer, t0)
		return err
	})
	rejected(t, db, errs.NotFound, "disable nobody", func() error {
		_, err := s.SetDisabled(ctx, audit.Person("admin:1"), 999, true, t0)
		return err
	})

	bob := mustUser(t, s, "bob@example.com", auth.Viewer)
	bob, err := s.SetRole(ctx, audit.Person("admin:1"), bob.ID, auth.Admin, t0)
	if err != nil || bob.Role != auth.Admin {
		t.Fatalf("promote %+v %v", bob, err)
	}
	if bob, err = s.SetDisabled(ctx, audit.Person("admin:1"), bob.ID, true, t0); err != nil || !bob.Disabled {
		t.Fatalf("disable %+v %v", bob, err)
	}
	// A disabled admin does not count.
	rejected(t, db, errs.Conflict, "demote last enabled admin", func() error {
		_, err := s.SetRole(ctx, audit.Person("admin:1"), root.ID, auth.Viewer, t0)
		return err
	})
	// Demoting a disabled admin is fine: it was not counted.
	if _, err := s.SetDisabled(ctx, audit.Person("admin:1"), bob.ID, false, t0); err != nil {
		t.Fatal(err)
	}
	root, err = s.SetRole(ctx, audit.Person("admin:2"), root.ID, auth.Viewer, t0)
	if err != nil || root.Role != auth.Viewer {
		t.Fatalf("demote with another admin: %+v %v", root, err)
	}
	// Setting what is already there is a no-op, not audited.
	before := dump(t, db)
	if _, err := s.SetRole(ctx, audit.Person("admin:2"), root.ID, auth.Viewer, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetDisabled(ctx, audit.Person("admin:2"), root.ID, false, t0); err != nil {
		t.Fatal(err)
	}
	if dump(t, db) != before {
		t.Error("no-op change wrote something")
	}
}

func TestSessions(t *testing.T) {
	s, db, root := withAdmin(t)
	a, err := s.CreateSession(ctx, root.ID, t0)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.CreateSession(ctx, root.ID, t0)
	if a == b || len(a) != 43 {
		t.Fatalf("session ids %q %q", a, b)
	}
	if strings.Contains(dump(t, db), a) {
		t.Fatal("session id stored in the clear")
	}
	u, sess, err := s.SessionUser(ctx, a, t0.Add(time.Second))
	if err != nil || u != root || sess.UserID != root.ID || !sess.ExpiresAt.Equal(t0.Add(auth.SessionIdle)) {
		t.Fatalf("session %+v %+v %v", u, sess, err)
	}

	// Within a minute of the last write, use writes nothing.
	before := dump(t, db)
	if _, _, err := s.SessionUser(ctx, a, t0.Add(59*time.Second)); err != nil {
		t.Fatal(err)
	}
	if dump(t, db) != before {
		t.Error("session written twice within a minute")
	}
	// Later, it slides.
	_, sess, _ = s.SessionUser(ctx, a, t0.Add(2*time.Hour))
	if !sess.ExpiresAt.Equal(t0.Add(14 * time.Hour)) {
		t.Fatalf("slid to %v", sess.ExpiresAt)
	}
	var last string
	db.QueryRowContext(ctx, `SELECT last_seen_at FROM sessions WHERE id_hash = ?`, auth.HashSecret(a)).Scan(&last)
	if last != sqlitedb.FormatTime(t0.Add(2*time.Hour)) {
		t.Fatalf("last_seen_at %s", last)
	}

	// Idle: b was never used after t0.
	if _, _, err := s.SessionUser(ctx, b, t0.Add(12*time.Hour-time.Second)); err != nil {
		t.Fatalf("before idle expiry: %v", err)
	}
	c, _ := s.CreateSession(ctx, root.ID, t0)
	if _, _, err := s.SessionUser(ctx, c, t0.Add(12*time.Hour)); errs.CodeOf(err) != errs.Unauthorized {
		t.Fatalf("idle session accepted: %v", err)
	}
	var n int
	db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE id_hash = ?`, auth.HashSecret(c)).Scan(&n)
	if n != 0 {
		t.Error("expired session left in the table")
	}

	// Absolute: used every 11 hours, a ends 7 days after login.
	now := t0.Add(2 * time.Hour)
	for now.Add(11 * time.Hour).Before(t0.Add(auth.SessionMax)) {
		now = now.Add(11 * time.Hour)
		if _, _, err := s.SessionUser(ctx, a, now); err != nil {
			t.Fatalf("busy session ended at %v: %v", now, err)
		}
	}
	if _, _, err := s.SessionUser(ctx, a, t0.Add(auth.SessionMax)); errs.CodeOf(err) != errs.Unauthorized {
		t.Fatalf("session outlived its absolute limit: %v", err)
	}

	// Logout.
	d, _ := s.CreateSession(ctx, root.ID, t0)
	if err := s.DeleteSession(ctx, d); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SessionUser(ctx, d, t0); errs.CodeOf(err) != errs.Unauthorized {
		t.Fatalf("deleted session accepted: %v", err)
	}
	if err := s.DeleteSession(ctx, d); err != nil {
		t.Fatalf("second logout: %v", err)
	}
	for _, raw := range []string{"", "garbage"} {
		if _, _, err := s.SessionUser(ctx, raw, t0); errs.CodeOf(err) != errs.Unauthorized {
			t.Fatalf("session %q: %v", raw, err)
		}
	}

	// Disabled user: sessions end, and none can start.
	ada := mustUser(t, s, "ada@example.com", auth.Support)
	e, _ := s.CreateSession(ctx, ada.ID, t0)
	if _, err := s.SetDisabled(ctx, audit.Person("admin:1"), ada.ID, true, t0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SessionUser(ctx, e, t0); errs.CodeOf(err) != errs.Unauthorized {
		t.Fatalf("disabled user's session accepted: %v", err)
	}
	if _, err := s.CreateSession(ctx, ada.ID, t0); errs.CodeOf(err) != errs.Unauthorized {
		t.Fatalf("session for disabled user: %v", err)
	}
	if _, err := s.CreateSession(ctx, 999, t0); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("session for nobody: %v", err)
	}
	// Even a session row that survived (say, written by an older binary) is refused.
	if _, err := s.SetDisabled(ctx, audit.Person("admin:1"), ada.ID, false, t0); err != nil {
		t.Fatal(err)
	}
	f, _ := s.CreateSession(ctx, ada.ID, t0)
	db.ExecContext(ctx, `UPDATE users SET disabled = 1 WHERE id = ?`, ada.ID)
	if _, _, err := s.SessionUser(ctx, f, t0); errs.CodeOf(err) != errs.Unauthorized {
		t.Fatalf("disabled user's surviving session accepted: %v", err)
	}
}

func TestTokens(t *testing.T) {
	s, db, root := withAdmin(t)
	ada := mustUser(t, s, "ada@example.com", auth.Manager)

	raw, tok, err := s.CreateToken(ctx, audit.Person("admin:1"), ada.ID, "  deploy bot ", auth.Support, t0)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(raw, "amd_") || len(raw) != 47 || tok.Prefix != raw[4:12] || tok.Name != "deploy bot" ||
		tok.Role != auth.Support || tok.UserID != ada.ID || tok.LastUsedAt != nil || tok.RevokedAt != nil || !tok.CreatedAt.Equal(t0) {
		t.Fatalf("token %q %+v", raw, tok)
	}
	all := dump(t, db)
	if strings.Contains(all, raw) || strings.Contains(all, raw[4:]) {
		t.Fatal("token secret stored in the clear")
	}
	if !strings.Contains(all, auth.HashSecret(raw)) {
		t.Fatal("token hash not stored")
	}

	for _, tc := range []struct {
		what  string
		user  int64
		name  string
		role  auth.Role
		code  errs.Code
		field string
	}{
		{"role above owner", ada.ID, "x", auth.Admin, errs.Invalid, "role"},
		{"unknown role", ada.ID, "x", "root", errs.Invalid, "role"},
		{"uppercase role", ada.ID, "x", "VIEWER", errs.Invalid, "role"},
		{"empty name", ada.ID, " ", auth.Viewer, errs.Invalid, "name"},
		{"long name", ada.ID, strings.Repeat("n", 101), auth.Viewer, errs.Invalid, "name"},
		{"no owner", 999, "x", auth.Viewer, errs.NotFound, ""},
	} {
		err := rejected(t, db, tc.code, tc.what, func() error {
			_, _, err := s.CreateToken(ctx, audit.Person("admin:1"), tc.user, tc.name, tc.role, t0)
			return err
		})
		if errs.FieldOf(err) != tc.field {
			t.Errorf("%s: field %q", tc.what, errs.FieldOf(err))
		}
	}

	u, got, err := s.TokenUser(ctx, raw, t0.Add(time.Second))
	if err != nil || u.ID != ada.ID || u.Role != auth.Support || got.ID != tok.ID || got.LastUsedAt == nil {
		t.Fatalf("token user %+v %+v %v", u, got, err)
	}
	before := dump(t, db)
	if _, _, err := s.TokenUser(ctx, raw, t0.Add(30*time.Second)); err != nil {
		t.Fatal(err)
	}
	if dump(t, db) != before {
		t.Error("last_used_at written twice within a minute")
	}
	_, got, _ = s.TokenUser(ctx, raw, t0.Add(5*time.Minute))
	if !got.LastUsedAt.Equal(t0.Add(5 * time.Minute)) {
		t.Errorf("last used %v", got.LastUsedAt)
	}
	if list, _ := s.Tokens(ctx, ada.ID); len(list) != 1 || list[0].LastUsedAt == nil || !list[0].LastUsedAt.Equal(t0.Add(5*time.Minute)) {
		t.Errorf("tokens %+v", list)
	}

	// The owner's demotion lowers what the token may do.
	if _, err := s.SetRole(ctx, audit.Person("admin:1"), ada.ID, auth.Viewer, t0); err != nil {
		t.Fatal(err)
	}
	if u, _, err := s.TokenUser(ctx, raw, t0); err != nil || u.Role != auth.Viewer {
		t.Fatalf("after demotion: %+v %v", u, err)
	}
	if _, err := s.SetRole(ctx, audit.Person("admin:1"), ada.ID, auth.Admin, t0); err != nil {
		t.Fatal(err)
	}
	if u, _, _ := s.TokenUser(ctx, raw, t0); u.Role != auth.Support {
		t.Fatalf("after promotion the token rose above its own role: %s", u.Role)
	}

	// A disabled owner's tokens stop working.
	if _, err := s.SetDisabled(ctx, audit.Person("admin:1"), ada.ID, true, t0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.TokenUser(ctx, raw, t0); errs.CodeOf(err) != errs.Unauthorized {
		t.Fatalf("disabled owner's token: %v", err)
	}
	rejected(t, db, errs.Conflict, "token for disabled user", func() error {
		_, _, err := s.CreateToken(ctx, audit.Person("admin:1"), ada.ID, "x", auth.Viewer, t0)
		return err
	})
	if _, err := s.SetDisabled(ctx, audit.Person("admin:1"), ada.ID, false, t0); err != nil {
		t.Fatal(err)
	}

	rootRaw, rootTok, err := s.CreateToken(ctx, audit.Person("admin:1"), root.ID, "ci", auth.Admin, t0)
	if err != nil {
		t.Fatal(err)
	}
	if list, _ := s.Tokens(ctx, 0); len(list) != 2 || list[0].ID != tok.ID || list[1].ID != rootTok.ID {
		t.Fatalf("all tokens %+v", list)
	}
	if list, _ := s.Tokens(ctx, root.ID); len(list) != 1 || list[0].ID != rootTok.ID {
		t.Fatalf("root's tokens %+v", list)
	}

	if err := s.RevokeToken(ctx, audit.Person("admin:1"), tok.ID, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.TokenUser(ctx, raw, t0.Add(2*time.Hour)); errs.CodeOf(err) != errs.Unauthorized {
		t.Fatalf("revoked token: %v", err)
	}
	rejected(t, db, errs.Conflict, "revoke twice", func() error { return s.RevokeToken(ctx, audit.Person("admin:1"), tok.ID, t0) })
	rejected(t, db, errs.NotFound, "revoke nothing", func() error { return s.RevokeToken(ctx, audit.Person("admin:1"), 999, t0) })
	if list, _ := s.Tokens(ctx, ada.ID); len(list) != 1 || list[0].RevokedAt == nil || !list[0].RevokedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("revoked token listed as %+v", list)
	}
	if _, _, err := s.TokenUser(ctx, rootRaw, t0); err != nil {
		t.Fatalf("other token hit by revocation: %v", err)
	}
	for _, bad := range []string{"", "amd_", rootRaw[4:], rootRaw + "x", "amd_" + strings.Repeat("A", 43)} {
		if _, _, err := s.TokenUser(ctx, bad, t0); errs.CodeOf(err) != errs.Unauthorized {
			t.Errorf("token %q: %v", bad, err)
		}
	}
}

func TestAuditLog(t *testing.T) {
	s, db := newStore(t)
	var secrets []string
	code, _ := s.NewSetupCode(ctx, t0)
	secrets = append(secrets, code)
	root, err := s.CreateFirstAdmin(ctx, code, auth.NewUser{Email: "root@example.com", Name: "Root", Password: pw}, t0)
	if err != nil {
		t.Fatal(err)
	}
	ada := mustUser(t, s, "ada@example.com", auth.Support)
	s.SetRole(ctx, audit.Person("user:1"), ada.ID, auth.Manager, t0)
	s.SetDisabled(ctx, audit.Person("user:1"), ada.ID, true, t0)
	s.SetDisabled(ctx, audit.Person("user:1"), ada.ID, false, t0)
	s.SetPassword(ctx, audit.Person("user:1"), ada.ID, "another long password", t0)
	raw, tok, err := s.CreateToken(ctx, audit.Person("user:1"), root.ID, "ci", auth.Admin, t0)
	if err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, raw, raw[4:], tok.Prefix)
	if err := s.RevokeToken(ctx, audit.Person("user:1"), tok.ID, t0); err != nil {
		t.Fatal(err)
	}
	sid, _ := s.CreateSession(ctx, root.ID, t0)
	secrets = append(secrets, sid, pw, "another long password")
	for _, sec := range append([]string(nil), secrets...) {
		secrets = append(secrets, auth.HashSecret(sec))
	}

	rows, err := db.QueryContext(ctx, `SELECT actor, action, entity, entity_id, COALESCE(before_json, ''), COALESCE(after_json, '') FROM audit_log ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var actor, action, entity, id, before, after string
		rows.Scan(&actor, &action, &entity, &id, &before, &after)
		got = append(got, actor+" "+action+" "+entity+"/"+id)
		for _, js := range []string{before, after} {
			for _, sec := range secrets {
				if strings.Contains(js, sec) {
					t.Errorf("%s: audit JSON %s holds a secret %q", action, js, sec)
				}
			}
			if strings.Contains(js, "argon2") || strings.Contains(strings.ToLower(js), "hash") {
				t.Errorf("%s: audit JSON %s holds a hash", action, js)
			}
		}
		if action == "user.role" && (!strings.Contains(before, `"role":"support"`) || !strings.Contains(after, `"role":"manager"`)) {
			t.Errorf("role change before %s after %s", before, after)
		}
	}
	want := []string{
		"setup user.create user/1",
		"admin:1 user.create user/2",
		"user:1 user.role user/2",
		"user:1 user.disable user/2",
		"user:1 user.enable user/2",
		"user:1 user.password user/2",
		"user:1 token.create token/1",
		"user:1 token.revoke token/1",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A storage failure says which method and key it came from, and never
// carries a secret; a domain error comes back as it was.
func TestErrorsSayWhere(t *testing.T) {
	s, db, admin := withAdmin(t)
	if _, err := s.User(ctx, 99); errs.CodeOf(err) != errs.NotFound || err.Error() != "user 99 not found" {
		t.Errorf("unknown user: %v", err)
	}
	raw, err := s.CreateSession(ctx, admin.ID, t0)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = s.User(ctx, admin.ID)
	if want := fmt.Sprintf("auth/sqlite: User %d: ", admin.ID); errs.CodeOf(err) != errs.Internal || !strings.HasPrefix(fmt.Sprint(err), want) {
		t.Errorf("User on a closed database: %v, want Internal starting %q", err, want)
	}
	_, _, err = s.SessionUser(ctx, raw, t0)
	if errs.CodeOf(err) != errs.Internal || !strings.HasPrefix(fmt.Sprint(err), "auth/sqlite: SessionUser: ") || strings.Contains(err.Error(), raw) {
		t.Errorf("SessionUser on a closed database: %v", err)
	}
}

// TestCreateInitialAdmin: the first admin from the command line needs no
// code, is an admin whatever role was asked, voids a pending setup code,
// and is refused once anyone exists.
func TestCreateInitialAdmin(t *testing.T) {
	s, _ := newStore(t)
	code, err := s.NewSetupCode(ctx, t0)
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.CreateInitialAdmin(ctx, audit.Named("cli:ops"), auth.NewUser{Email: "ops@example.com", Name: "Ops", Role: auth.Viewer, Password: pw}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if u.Role != auth.Admin {
		t.Errorf("role %s, want admin", u.Role)
	}
	if _, err := s.Authenticate(ctx, "ops@example.com", pw, t0); err != nil {
		t.Errorf("cannot sign in as the initial admin: %v", err)
	}
	_, err = s.CreateFirstAdmin(ctx, code, auth.NewUser{Email: "late@example.com", Name: "Late", Password: pw}, t0)
	if errs.CodeOf(err) != errs.Conflict {
		t.Errorf("setup code after the initial admin: %v, want Conflict", err)
	}
	_, err = s.CreateInitialAdmin(ctx, audit.Named("cli:ops"), auth.NewUser{Email: "two@example.com", Name: "Two", Password: pw}, t0)
	if errs.CodeOf(err) != errs.Conflict {
		t.Errorf("second initial admin: %v, want Conflict", err)
	}
	_, err = s.CreateInitialAdmin(ctx, audit.Named("cli:ops"), auth.NewUser{Email: "bad", Name: "", Password: "x"}, t0)
	if errs.CodeOf(err) != errs.Invalid {
		t.Errorf("bad input: %v, want Invalid (checked before anything else)", err)
	}
}
