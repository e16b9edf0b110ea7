package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/auth"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/templates"
)

const (
	sessionCookie = "amends_session"
	csrfCookie    = "amends_csrf"
	csrfField     = "_csrf"
	csrfHeader    = "X-CSRF-Token"

	ctxCSRF = "amends.csrf"
)

// csrf guards every state-changing browser request twice: the browser's
// own Sec-Fetch-Site / Origin headers must not say cross-origin (Go's
// http.CrossOriginProtection), and the form must echo the random token that
// the page got in a cookie (the double-submit pattern). Echo's CSRF
// middleware skips the token for browsers that send Sec-Fetch-Site and puts
// a fixed placeholder in forms; Amends wants a real token in every form.
func (s *Server) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	origin := http.NewCrossOriginProtection()
	return func(c echo.Context) error {
		req := c.Request()
		token := ""
		if ck, err := req.Cookie(csrfCookie); err == nil && len(ck.Value) == 43 {
			token = ck.Value
		}
		if token == "" {
			token = randomToken()
			c.SetCookie(&http.Cookie{
				Name: csrfCookie, Value: token, Path: "/", HttpOnly: true,
				SameSite: http.SameSiteLaxMode, Secure: s.secure(c),
			})
		}
		c.Set(ctxCSRF, token)
		switch req.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		if err := origin.Check(req); err != nil {
			return errs.Forbiddenf("cross-origin form posts are refused")
		}
		got := req.Header.Get(csrfHeader)
		if got == "" {
			got = c.FormValue(csrfField)
		}
		if subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
			return errs.Forbiddenf("the form's security token is missing or out of date; reload the page and try again")
		}
		return next(c)
	}
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Server) secure(c echo.Context) bool {
	return s.cfg.SecureCookies || c.IsTLS()
}

// session loads the signed-in user, if any, from the session cookie.
func (s *Server) session(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ck, err := c.Cookie(sessionCookie)
		if err == nil && ck.Value != "" {
			user, _, err := s.accounts.SessionUser(c.Request().Context(), ck.Value, s.now())
			switch errs.CodeOf(err) {
			case "":
				signIn(c, &user, user.Email)
			case errs.Unauthorized, errs.NotFound:
				s.clearSessionCookie(c)
			default:
				return err
			}
		}
		return next(c)
	}
}

// signedIn sends visitors without a session to the login page (or answers
// 401 to anything but a page load).
func (s *Server) signedIn(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if currentUser(c) != nil {
			c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
			return next(c)
		}
		if c.Request().Method == http.MethodGet {
			return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request().URL.RequestURI()))
		}
		return errs.Unauthorizedf("please sign in")
	}
}

// bearer authenticates API requests by their token.
func (s *Server) bearer(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		raw, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || strings.TrimSpace(raw) == "" {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="amends"`)
			return errs.Unauthorizedf("an API token is required: Authorization: Bearer <token>")
		}
		user, tok, err := s.accounts.TokenUser(c.Request().Context(), strings.TrimSpace(raw), s.now())
		if err != nil {
			if errs.CodeOf(err) == errs.NotFound {
				err = errs.Unauthorizedf("unknown or revoked API token")
			}
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="amends", error="invalid_token"`)
			return err
		}
		signIn(c, &user, user.Email+" (token "+tok.Name+")")
		return next(c)
	}
}

// role refuses users below min with 403.
func role(min auth.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			u := currentUser(c)
			if u == nil {
				return errs.Unauthorizedf("please sign in")
			}
			if !u.Role.AtLeast(min) {
				return errs.Forbiddenf("this needs the %s role; you are %s", min, u.Role)
			}
			return next(c)
		}
	}
}

// signIn records u as the request's user, label as what the audit log
// names for its writes, in the request's context (auth.NewContext), where
// handlers of every web package read them.
func signIn(c echo.Context, u *auth.User, label string) {
	r := c.Request()
	c.SetRequest(r.WithContext(auth.NewContext(r.Context(), u, label)))
}

func currentUser(c echo.Context) *auth.User { return auth.UserFrom(c.Request().Context()) }

// by is who acts in this request: the person the two-person rules compare
// (the signed-in user, whatever token or session they use) and the label
// the audit log records.
func by(c echo.Context) audit.Actor { return auth.ActorFrom(c.Request().Context()) }

func (s *Server) setSessionCookie(c echo.Context, id string) {
	c.SetCookie(&http.Cookie{
		Name: sessionCookie, Value: id, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.secure(c),
		MaxAge: int(auth.SessionMax.Seconds()),
	})
}

func (s *Server) clearSessionCookie(c echo.Context) {
	c.SetCookie(&http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.secure(c), MaxAge: -1,
	})
}

// page is the frame of a page for the request's user.
func (s *Server) page(c echo.Context, title, description string) templates.Page {
	nav := templates.Nav{SiteName: s.cfg.SiteName, Current: c.Request().URL.Path}
	if u := currentUser(c); u != nil {
		nav.UserName = u.Name
		nav.UserRole = string(u.Role)
		nav.Admin = strings.HasPrefix(c.Request().URL.Path, "/admin")
		if nav.Admin {
			nav.Waiting = s.waitingCount(c)
		}
	}
	nav.CSRF, _ = c.Get(ctxCSRF).(string)
	return templates.Page{Title: title, Description: description, Nav: nav}
}

// render writes a templ component as an HTML page. It renders into a buffer
// first, so a failure mid-way still gets a clean error page.
func (s *Server) render(c echo.Context, status int, comp templ.Component) error {
	body, err := renderBytes(c.Request().Context(), comp)
	if err != nil {
		return err
	}
	return c.HTMLBlob(status, body)
}

func renderBytes(ctx context.Context, comp templ.Component) ([]byte, error) {
	var buf bytes.Buffer
	if err := comp.Render(ctx, &buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
