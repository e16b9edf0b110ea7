package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/templates"
	"github.com/amends/amends/web/form"
)

// accountView is "/admin/account" for the signed-in user.
func (s *Server) accountView(c echo.Context, v templates.AccountPage) templates.AccountPage {
	u := currentUser(c)
	v.Page = s.page(c, "Your account", "")
	v.Email, v.Name, v.Role = u.Email, u.Name, u.Role.Label()
	return v
}

// handleAccount shows "/admin/account": who is signed in, and the form
// that changes their own password.
func (s *Server) handleAccount(c echo.Context) error {
	v := s.accountView(c, templates.AccountPage{Changed: c.QueryParam("changed") == "1"})
	return s.render(c, http.StatusOK, templates.Account(v))
}

// handleChangePassword changes the signed-in user's own password, given
// the current one. This session stays; every other session of theirs
// ends (the store does both, with the audit row, in one transaction).
func (s *Server) handleChangePassword(c echo.Context) error {
	u := currentUser(c)
	var keep string
	if ck, err := c.Cookie(sessionCookie); err == nil {
		keep = ck.Value
	}
	err := s.accounts.ChangePassword(c.Request().Context(), by(c), u.ID,
		c.FormValue("current_password"), c.FormValue("new_password"), keep, s.now())
	if err != nil {
		if errs.CodeOf(err) != errs.Invalid {
			return err
		}
		v := s.accountView(c, templates.AccountPage{Error: form.ErrorOn(err, nil, "current_password", "new_password")})
		return s.render(c, statusOf(err), templates.Account(v))
	}
	return c.Redirect(http.StatusSeeOther, "/admin/account?changed=1")
}
