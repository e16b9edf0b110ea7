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

func roleOptions(selected auth.Role) []templates.Option {
	out := make([]templates.Option, len(auth.Roles))
	for i, r := range auth.Roles {
		out[i] = templates.Option{Value: string(r), Label: r.Label(), Selected: r == selected}
	}
	return out
}

// usersView is "/admin/users" with the forms as given.
func (s *Server) usersView(c echo.Context, v templates.UsersPage) (templates.UsersPage, error) {
	ctx := c.Request().Context()
	users, err := s.accounts.Users(ctx)
	if err != nil {
		return v, err
	}
	tokens, err := s.accounts.Tokens(ctx, 0)
	if err != nil {
		return v, err
	}
	v.Page = s.page(c, "Users and API tokens", "")
	if v.UserForm.Role == "" {
		v.UserForm.Role = string(auth.Support)
	}
	v.Roles = roleOptions(auth.Role(v.UserForm.Role))
	owners := map[int64]string{}
	for _, u := range users {
		owners[u.ID] = u.Email
		v.Users = append(v.Users, templates.UserRow{
			ID: u.ID, Email: u.Email, Name: u.Name, Role: string(u.Role), Disabled: u.Disabled,
			Created: viewTime(u.CreatedAt), Roles: roleOptions(u.Role),
		})
	}
	for _, t := range tokens {
		v.Tokens = append(v.Tokens, templates.TokenRow{
			ID: t.ID, Name: t.Name, Owner: owners[t.UserID], Role: t.Role.Label(), Prefix: t.Prefix,
			Created: viewTime(t.CreatedAt), LastUsed: viewTimePtr(t.LastUsedAt), Revoked: viewTimePtr(t.RevokedAt),
		})
	}
	return v, nil
}

func (s *Server) handleUsers(c echo.Context) error {
	v, err := s.usersView(c, templates.UsersPage{})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, templates.Users(v))
}

func (s *Server) usersFormError(c echo.Context, err error, v templates.UsersPage) error {
	if code := errs.CodeOf(err); code != errs.Invalid && code != errs.Conflict {
		return err
	}
	v.Error = form.Error(err, nil)
	v, verr := s.usersView(c, v)
	if verr != nil {
		return verr
	}
	return s.render(c, statusOf(err), templates.Users(v))
}

func (s *Server) handleCreateUser(c echo.Context) error {
	f := templates.UserFields{Email: strings.TrimSpace(c.FormValue("email")), Name: strings.TrimSpace(c.FormValue("name")), Role: c.FormValue("role")}
	_, err := s.accounts.CreateUser(c.Request().Context(), by(c), auth.NewUser{
		Email: f.Email, Name: f.Name, Role: auth.Role(f.Role), Password: c.FormValue("password"),
	}, s.now())
	if err != nil {
		return s.usersFormError(c, err, templates.UsersPage{UserForm: f, ErrorFor: "user"})
	}
	return c.Redirect(http.StatusSeeOther, "/admin/users")
}

func (s *Server) handleSetRole(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	r, err := auth.ParseRole(c.FormValue("role"))
	if err == nil {
		_, err = s.accounts.SetRole(c.Request().Context(), by(c), id, r, s.now())
	}
	if err != nil {
		return s.usersFormError(c, err, templates.UsersPage{})
	}
	return c.Redirect(http.StatusSeeOther, "/admin/users")
}

func (s *Server) handleSetDisabled(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	disabled := c.FormValue("disabled") == "true"
	if _, err := s.accounts.SetDisabled(c.Request().Context(), by(c), id, disabled, s.now()); err != nil {
		return s.usersFormError(c, err, templates.UsersPage{})
	}
	return c.Redirect(http.StatusSeeOther, "/admin/users")
}

// handleCreateToken creates an API token for the signed-in admin and shows
// its secret once.
func (s *Server) handleCreateToken(c echo.Context) error {
	name := strings.TrimSpace(c.FormValue("name"))
	r, err := auth.ParseRole(c.FormValue("role"))
	var raw string
	if err == nil {
		raw, _, err = s.accounts.CreateToken(c.Request().Context(), by(c), currentUser(c).ID, name, r, s.now())
	}
	if err != nil {
		return s.usersFormError(c, err, templates.UsersPage{TokenName: name, ErrorFor: "token"})
	}
	v, err := s.usersView(c, templates.UsersPage{NewToken: raw})
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return s.render(c, http.StatusOK, templates.Users(v))
}

func (s *Server) handleRevokeToken(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	if err := s.accounts.RevokeToken(c.Request().Context(), by(c), id, s.now()); err != nil {
		return s.usersFormError(c, err, templates.UsersPage{})
	}
	return c.Redirect(http.StatusSeeOther, "/admin/users")
}
