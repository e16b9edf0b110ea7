package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/templates"
)

// statusByCode is the one table from domain error codes to HTTP statuses.
var statusByCode = map[errs.Code]int{
	errs.Invalid:      http.StatusUnprocessableEntity,
	errs.Malformed:    http.StatusBadRequest,
	errs.NotFound:     http.StatusNotFound,
	errs.Conflict:     http.StatusConflict,
	errs.Unauthorized: http.StatusUnauthorized,
	errs.Forbidden:    http.StatusForbidden,
	errs.TooLarge:     http.StatusRequestEntityTooLarge,
	errs.Unavailable:  http.StatusServiceUnavailable,
	errs.Internal:     http.StatusInternalServerError,
}

// retryUnavailable is the Retry-After, in seconds, of a write refused
// because the database cannot be written now.
const retryUnavailable = "60"

func statusOf(err error) int {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return he.Code
	}
	if errors.Is(err, context.Canceled) {
		return 499 // the client went away
	}
	return statusByCode[errs.CodeOf(err)]
}

// errorBody is the JSON shape of every API error.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// handleError is echo's HTTPErrorHandler: it maps the error to a status,
// logs only server faults, and answers JSON to API clients and a page to
// browsers.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status := statusOf(err)
	message := errs.MessageOf(err)
	field := errs.FieldOf(err)
	var he *echo.HTTPError
	if errors.As(err, &he) {
		message = fmt.Sprint(he.Message)
		if he.Code >= 500 {
			message = http.StatusText(he.Code)
		}
	}
	unavailable := errs.CodeOf(err) == errs.Unavailable
	if status >= 500 {
		s.log.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
		if !unavailable {
			message = "Something went wrong on our side. Please try again in a moment."
		}
	}
	if unavailable {
		// A full or read-only database: nothing was written, and the
		// writer may try again once the operator has made room.
		c.Response().Header().Set("Retry-After", retryUnavailable)
	}
	if status == 499 {
		return
	}

	var werr error
	switch {
	case c.Request().Method == http.MethodHead:
		werr = c.NoContent(status)
	case wantsJSON(c):
		werr = c.JSON(status, errorBody{Error: errorDetail{Field: field, Message: message}})
	default:
		if field != "" {
			message = field + ": " + message
		}
		werr = s.render(c, status, templates.Error(templates.ErrorPage{
			Page:    s.page(c, http.StatusText(status), ""),
			Status:  status,
			Heading: errorHeading(status),
			Message: message,
		}))
	}
	if werr != nil {
		s.log.Error("writing error response", "err", werr)
	}
}

func wantsJSON(c echo.Context) bool {
	path := c.Request().URL.Path
	if strings.HasPrefix(path, "/api/") {
		return true
	}
	accept := c.Request().Header.Get(echo.HeaderAccept)
	return strings.Contains(accept, "application/json") && !strings.Contains(accept, "text/html")
}

func errorHeading(status int) string {
	switch status {
	case http.StatusNotFound:
		return "Page not found"
	case http.StatusUnauthorized:
		return "Please sign in"
	case http.StatusForbidden:
		return "Not allowed"
	case http.StatusTooManyRequests:
		return "Too many attempts"
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		return "That did not work"
	case http.StatusConflict:
		return "That has changed meanwhile"
	case http.StatusServiceUnavailable:
		return "Not saved: please try again later"
	}
	if status >= 500 {
		return "Something went wrong"
	}
	return http.StatusText(status)
}
