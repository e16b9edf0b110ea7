package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/templates"
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
			Error: formError(err, nil),
		}))
	}
	id, err := s.accounts.CreateSession(ctx, user.ID, s.now())
	if err != nil {
		return err
	}
	s.setSessionCookie(c, id)
	return c.Redirect(http.StatusSeeOther, "/admin")
}

// formError turns a domain error into a form's errors. rename maps a domain
// field path to the form field it belongs to, where they differ.
func formError(err error, rename func(field string) string) templates.FormError {
	field := errs.FieldOf(err)
	msg := errs.MessageOf(err)
	if field == "" {
		return templates.FormError{Summary: msg}
	}
	if rename != nil {
		field = rename(field)
	}
	return templates.FormError{
		Summary: "Please correct the field marked below: " + msg,
		Fields:  map[string]string{field: msg},
	}
}

// formErrorOn is formError for a form that shows the error beside each of
// fields: when it does, the summary points to the field instead of
// repeating its message word for word.
func formErrorOn(err error, rename func(field string) string, fields ...string) templates.FormError {
	fe := formError(err, rename)
	for f := range fe.Fields {
		if slices.Contains(fields, f) {
			fe.Summary = "Please correct the field marked below."
		}
	}
	return fe
}
