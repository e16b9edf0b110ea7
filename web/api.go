package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
)

// maxJSONBody bounds an API request body.
const maxJSONBody = 1 << 20

// decodeJSON reads the request body into v, strictly: unknown fields, a
// second value or a body over maxJSONBody are errors that name the field.
func decodeJSON(c echo.Context, v any) error {
	body := http.MaxBytesReader(c.Response(), c.Request().Body, maxJSONBody)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if err := dec.Decode(&struct{}{}); err != io.EOF {
		return errs.Malformedf("", "the body must hold one JSON value")
	}
	return nil
}

func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return &errs.Error{Code: errs.TooLarge, Message: fmt.Sprintf("the body is larger than %d bytes", maxJSONBody)}
	case errors.As(err, &syntax):
		return errs.Malformedf("", "the body is not valid JSON (at byte %d): %v", syntax.Offset, err)
	case errors.As(err, &typ):
		return errs.Invalidf(typ.Field, "must be a %s, not a JSON %s", typ.Type, typ.Value)
	case errors.Is(err, io.EOF):
		return errs.Malformedf("", "the body is empty; send a JSON object")
	case errs.CodeOf(err) != errs.Internal:
		return err
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return errs.Malformedf(strings.Trim(name, `"`), "is not a known field")
	}
	return errs.Malformedf("", "the body could not be read: %v", err)
}

// apiChange is a component change as the API takes it: the percentage stays
// raw until it is parsed with its field path.
type apiChange struct {
	Component       string                       `json:"component"`
	Status          incidents.Status             `json:"status"`
	AffectedPercent json.RawMessage              `json:"affected_percent"`
	Customers       []incidents.AffectedCustomer `json:"customers"`
}

// changes reads the API's component changes. Every customer a change names
// must be one the credit desk keeps: errs.Invalid on
// "components[i].customers[j].customer" otherwise (the rest of the rules
// are the incidents package's).
func (s *Server) changes(ctx context.Context, in []apiChange) ([]incidents.ComponentChange, error) {
	out := make([]incidents.ComponentChange, len(in))
	for i, ch := range in {
		out[i] = incidents.ComponentChange{Component: ch.Component, Status: ch.Status, Customers: ch.Customers}
	}
	if err := s.checkCustomers(ctx, out); err != nil {
		return nil, err
	}
	for i, ch := range in {
		raw := strings.TrimSpace(string(ch.AffectedPercent))
		if raw == "" || raw == "null" {
			continue
		}
		if s, err := strconv.Unquote(raw); err == nil {
			raw = s
		}
		p, err := sla.ParsePercent(raw)
		if err != nil {
			return nil, errs.Prefix(fmt.Sprintf("components[%d].affected_percent", i), err)
		}
		out[i].AffectedPercent = &p
	}
	return out, nil
}

// checkCustomers refuses a customer that the credit desk does not keep:
// errs.Invalid on "components[i].customers[j].customer". The accounts are
// read once, however many customers the changes name.
func (s *Server) checkCustomers(ctx context.Context, changes []incidents.ComponentChange) error {
	var known map[string]bool
	for i, ch := range changes {
		for j, ac := range ch.Customers {
			id := strings.TrimSpace(ac.Customer)
			if id == "" {
				continue
			}
			if known == nil {
				accounts, err := s.desk.Accounts(ctx)
				if err != nil {
					return err
				}
				known = make(map[string]bool, len(accounts))
				for _, a := range accounts {
					known[a.ID] = true
				}
			}
			if !known[id] {
				return errs.Invalidf(fmt.Sprintf("components[%d].customers[%d].customer", i, j), "unknown customer %q", id)
			}
		}
	}
	return nil
}

// apiTime reads an optional RFC 3339 instant, naming field when it is not one.
func apiTime(field string, raw json.RawMessage) (*time.Time, error) {
	text := strings.TrimSpace(string(raw))
	if text == "" || text == "null" {
		return nil, nil
	}
	s, err := strconv.Unquote(text)
	if err != nil {
		return nil, errs.Invalidf(field, "%s is not an RFC 3339 time in quotes, such as \"2012-12-24T20:24:00Z\"", text)
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil, errs.Invalidf(field, "%q is not an RFC 3339 time, such as \"2012-12-24T20:24:00Z\"", s)
	}
	return &t, nil
}

// requiredAPITime is apiTime for a field that must be given.
func requiredAPITime(field string, raw json.RawMessage) (time.Time, error) {
	t, err := apiTime(field, raw)
	if err != nil {
		return time.Time{}, err
	}
	if t == nil {
		return time.Time{}, errs.Invalidf(field, "is required")
	}
	return *t, nil
}

// created answers 201 with the new resource and its location.
func created(c echo.Context, location string, v any) error {
	c.Response().Header().Set(echo.HeaderLocation, location)
	return c.JSON(http.StatusCreated, v)
}
