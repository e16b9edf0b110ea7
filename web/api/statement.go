package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// StatementLink is the answer to making a statement link: the link itself,
// shown this once (only its hash is kept).
type StatementLink struct {
	Customer string `json:"customer"`
	URL      string `json:"url"`
}

// RotateStatementLink handles POST /customers/:customer/statement-link: a
// new statement link for the customer, replacing any earlier one (which is
// a 404 at once). errs.NotFound for an unknown customer.
func (h *Handler) RotateStatementLink(c echo.Context) error {
	token, err := h.desk.RotateStatementLink(c.Request().Context(), by(c), c.Param("customer"), h.now())
	if err != nil {
		return err
	}
	base := ""
	if h.baseURL != nil {
		base = h.baseURL(c)
	}
	return c.JSON(http.StatusCreated, StatementLink{Customer: c.Param("customer"), URL: base + "/statement/" + token})
}

// RevokeStatementLink handles DELETE /customers/:customer/statement-link:
// the customer's statement link stops working. errs.NotFound when it has
// none.
func (h *Handler) RevokeStatementLink(c echo.Context) error {
	if err := h.desk.RevokeStatementLink(c.Request().Context(), by(c), c.Param("customer"), h.now()); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
