package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/templates"
	"github.com/amends/amends/web/form"
)

// handleSetupForm shows "/setup?code=...", where the holder of the one-time
// code printed by `amends serve` creates the first admin.
func (s *Server) handleSetupForm(c echo.Context) error {
	n, err := s.accounts.UserCount(c.Request().Context())
	if err != nil {
		return err
	}
	if n > 0 {
		return errs.Conflictf("this site already has users; sign in instead")
	}
	return s.render(c, http.StatusOK, templates.Setup(templates.SetupPage{
		Page: s.page(c, "Create the first admin", ""),
		Code: c.QueryParam("code"),
	}))
}

// handleSetup creates the first admin and signs them in.
func (s *Server) handleSetup(c echo.Context) error {
	ctx := c.Request().Context()
	in := auth.NewUser{
		Email:    strings.TrimSpace(c.FormValue("email")),
		Name:     strings.TrimSpace(c.FormValue("name")),
		Role:     auth.Admin,
		Password: c.FormValue("password"),
	}
	user, err := s.accounts.CreateFirstAdmin(ctx, c.FormValue("code"), in, s.now())
	if err != nil {
		if code := errs.CodeOf(err); code != errs.Invalid && code != errs.Unauthorized {
			return err
		}
		return s.render(c, statusOf(err), templates.Setup(templates.SetupPage{
			Page:  s.page(c, "Create the first admin", ""),
			Code:  c.FormValue("code"),
			Email: in.Email,
			Name:  in.Name,
			Error: form.Error(err, nil),
		}))
	}
	id, err := s.accounts.CreateSession(ctx, user.ID, s.now())
	if err != nil {
		return err
	}
	s.setSessionCookie(c, id)
	return c.Redirect(http.StatusSeeOther, "/admin")
}
