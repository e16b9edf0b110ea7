package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/templates"
)

// handleLoginForm shows "/login".
func (s *Server) handleLoginForm(c echo.Context) error {
	if currentUser(c) != nil {
		return c.Redirect(http.StatusSeeOther, safeNext(c.QueryParam("next")))
	}
	return s.render(c, http.StatusOK, templates.Login(templates.LoginPage{
		Page: s.page(c, "Sign in", ""),
		Next: safeNext(c.QueryParam("next")),
	}))
}

// handleLogin checks the password and starts a fresh session: a new session
// id at every sign-in, so an id planted before login is worth nothing.
func (s *Server) handleLogin(c echo.Context) error {
	email := strings.TrimSpace(c.FormValue("email"))
	next := safeNext(c.FormValue("next"))
	ctx := c.Request().Context()
	account, address, now := auth.NormalizeEmail(email), c.RealIP(), s.now()
	device := s.throttle.deviceFor(c, account)
	if wait := s.throttle.wait(account, address, device, now); wait > 0 {
		c.Response().Header().Set("Retry-After", strconv.Itoa(retryAfter(wait)))
		return s.render(c, http.StatusTooManyRequests, templates.Login(templates.LoginPage{
			Page: s.page(c, "Sign in", ""), Email: email, Next: next,
			Error: fmt.Sprintf("Too many failed sign-ins. Try again in %s.", waitText(wait)),
		}))
	}
	user, err := s.accounts.Authenticate(ctx, email, c.FormValue("password"), now)
	if err != nil {
		if errs.CodeOf(err) != errs.Unauthorized {
			return err
		}
		s.throttle.fail(account, address, device, now)
		return s.render(c, http.StatusUnauthorized, templates.Login(templates.LoginPage{
			Page: s.page(c, "Sign in", ""), Email: email, Next: next, Error: "Wrong email or password.",
		}))
	}
	s.throttle.succeed(account, device)
	if device == "" {
		s.setDeviceCookie(c, account)
	}
	if old, err := c.Cookie(sessionCookie); err == nil && old.Value != "" {
		if err := s.accounts.DeleteSession(ctx, old.Value); err != nil {
			return err
		}
	}
	id, err := s.accounts.CreateSession(ctx, user.ID, s.now())
	if err != nil {
		return err
	}
	s.setSessionCookie(c, id)
	return c.Redirect(http.StatusSeeOther, next)
}

// handleLogout ends the session.
func (s *Server) handleLogout(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
		if err := s.accounts.DeleteSession(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	s.clearSessionCookie(c)
	return c.Redirect(http.StatusSeeOther, "/")
}

// safeNext keeps a post-login redirect on this site: a path, never a
// scheme or host, and nothing a browser would clean up into one (browsers
// drop tabs and newlines and read "\\" as "/", so "/\t/evil.example" and
// "/\\evil.example" would leave the site).
func safeNext(next string) string {
	const fallback = "/admin"
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsRune(next, '\\') {
		return fallback
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f {
			return fallback
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return fallback
	}
	return next
}

// tooManyAttempts answers a rate-limited setup, subscribe or unsubscribe
// attempt.
func (s *Server) tooManyAttempts(c echo.Context, _ string, _ error) error {
	c.Response().Header().Set("Retry-After", "60")
	return echo.NewHTTPError(http.StatusTooManyRequests, "Too many attempts from your address. Wait a minute and try again.")
}

// waitText says a wait for people: "1 minute", "12 minutes", "40 seconds".
func waitText(d time.Duration) string {
	switch secs := retryAfter(d); {
	case secs < 60:
		return fmt.Sprintf("%d seconds", secs)
	case secs < 120:
		return "1 minute"
	default:
		return fmt.Sprintf("%d minutes", (secs+59)/60)
	}
}
