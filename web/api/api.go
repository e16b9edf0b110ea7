// Package api is the JSON API v1 (/api/v1): incidents and their updates,
// maintenance, services and components, the current status, the SLA
// engine's evaluation, and the credit desk (customers with their
// resources, charges and claims, SLA policies, goodwill grants, credit
// runs, the ledger, manual credits and their thresholds).
//
// Its Handler's methods are echo handlers that web mounts in its URL map
// (web/routes.go) behind the bearer-token and role checks; who is acting
// comes from the request's context (auth.ActorFrom). Handlers decode the
// body strictly, check what it names, call the domain stores and answer
// JSON; errors are returned to web's error handler, which answers
// {"error": {"field", "message"}} with the status of their code.
package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/auth"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/notify"
	"github.com/amends/amends/report"
)

// Deps is what the API works with.
type Deps struct {
	Incidents incidents.Store
	Desk      desk.Store
	// Reports loads and evaluates stored data: the current status, credit
	// run previews and the checks of what a request names.
	Reports *report.Reports
	// Publish tells subscribers about an incident or maintenance after its
	// write has committed.
	Publish func(context.Context, notify.Event)
	// Invalidate drops the public pages' cached copies after a write that
	// they show.
	Invalidate func()
	// Now is the current instant, truncated to the second as stored.
	Now func() time.Time
	// Past says the server's pages describe an instant of the past (web's
	// Config.AsOf): GET /status then leaves out, as the pages do, what was
	// declared or announced after now.
	Past bool
	// BaseURL is the site's address for links the API answers with
	// (a statement link): the configured base URL, else the request's.
	BaseURL func(echo.Context) string
	// SiteName and Markdown fill personal notices: the status page's name,
	// and the sanitizing Markdown renderer of explanations.
	SiteName string
	Markdown func(string) (string, error)
	// CheckWebhookURL checks a customer's webhook URL as subscribing
	// checks a subscriber's, returning its normal form ("" for "").
	CheckWebhookURL func(ctx context.Context, field, raw string) (string, error)
}

// Handler serves the JSON API. Build it with New.
type Handler struct {
	incidents  incidents.Store
	desk       desk.Store
	reports    *report.Reports
	publish    func(context.Context, notify.Event)
	invalidate func()
	now        func() time.Time
	past       bool
	baseURL    func(echo.Context) string
	siteName   string
	markdown   func(string) (string, error)
	checkHook  func(ctx context.Context, field, raw string) (string, error)
}

// New returns the API's handler over d.
func New(d Deps) *Handler {
	return &Handler{incidents: d.Incidents, desk: d.Desk, reports: d.Reports, publish: d.Publish,
		invalidate: d.Invalidate, now: d.Now, past: d.Past, baseURL: d.BaseURL,
		siteName: d.SiteName, markdown: d.Markdown, checkHook: d.CheckWebhookURL}
}

// by is the acting person (the signed-in user, whatever token they use):
// whom the desk's two-person rules compare and the audit log names.
func by(c echo.Context) audit.Actor { return auth.ActorFrom(c.Request().Context()) }

// MaxBody bounds an API request body (other than a scenario posted for
// evaluation, see EvaluateSLA).
const MaxBody = 1 << 20

// decodeJSON reads the request body into v, strictly: unknown fields, a
// second value or a body over MaxBody are errors that name the field.
func decodeJSON(c echo.Context, v any) error {
	data, err := io.ReadAll(http.MaxBytesReader(c.Response(), c.Request().Body, MaxBody))
	if err != nil {
		return jsonError(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if err := dec.Decode(&struct{}{}); err != io.EOF {
		return errs.Malformedf("", "the body must hold one JSON value")
	}
	// The decoder quietly turns bytes that are not UTF-8 into U+FFFD; the
	// text would be stored otherwise than it was sent, so it is refused.
	if !utf8.Valid(data) {
		return errs.Invalidf(invalidUTF8Field(data), "is not valid UTF-8")
	}
	// So does an escaped lone surrogate ("\ud800"), which is no character.
	if esc, ok := loneSurrogate(data); ok {
		return errs.Invalidf(invalidUTF8Field(data), "has the lone surrogate %s, which is not a character", esc)
	}
	return nil
}

// invalidUTF8Field returns the path ("components[0].component") of the
// first string in the JSON value data that holds bytes that are not UTF-8
// or an escaped lone surrogate, "" if none does.
func invalidUTF8Field(data []byte) string {
	type frame struct {
		array   bool
		index   int    // in an array, of the current element
		key     string // in an object, of the current member
		wantKey bool   // in an object, the next token is a key
	}
	var stack []*frame
	path := func() string {
		var b strings.Builder
		for _, f := range stack {
			if f.array {
				fmt.Fprintf(&b, "[%d]", f.index)
			} else {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(f.key)
			}
		}
		return b.String()
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		tokBytes := data[start:dec.InputOffset()]
		_, lone := loneSurrogate(tokBytes)
		bad := !utf8.Valid(tokBytes) || lone
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			continue
		}
		if n := len(stack); n > 0 {
			top := stack[n-1]
			switch {
			case top.wantKey:
				top.key, _ = tok.(string)
				top.wantKey = false
				if bad {
					return path()
				}
				continue
			case top.array:
				top.index++
			default:
				top.wantKey = true
			}
		}
		if bad {
			return path()
		}
		if d, ok := tok.(json.Delim); ok {
			stack = append(stack, &frame{array: d == '[', index: -1, wantKey: d == '{'})
		}
	}
}

// loneSurrogate returns the first escape in data ("\\udc00") of a UTF-16
// surrogate that is not half of a pair, which encoding/json would quietly
// read as U+FFFD.
func loneSurrogate(data []byte) (string, bool) {
	hex := func(i int) (rune, bool) {
		if i+6 > len(data) || data[i] != '\\' || data[i+1] != 'u' {
			return 0, false
		}
		v, err := strconv.ParseUint(string(data[i+2:i+6]), 16, 32)
		return rune(v), err == nil
	}
	for i := 0; i < len(data); i++ {
		if data[i] != '\\' {
			continue
		}
		r, ok := hex(i)
		if !ok {
			i++ // another escape: skip its second byte
			continue
		}
		switch {
		case r >= 0xd800 && r <= 0xdbff:
			if lo, ok := hex(i + 6); ok && lo >= 0xdc00 && lo <= 0xdfff {
				i += 11
				continue
			}
			return string(data[i : i+6]), true
		case r >= 0xdc00 && r <= 0xdfff:
			return string(data[i : i+6]), true
		}
		i += 5
	}
	return "", false
}

func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return &errs.Error{Code: errs.TooLarge, Message: fmt.Sprintf("the body is larger than %d bytes", MaxBody)}
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

// List is how the API answers a collection: its items (a page of them
// where the request pages) and how many there are in all.
type List[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// pageParams reads ?offset= and ?limit= (limit defaults to def, at most max).
func pageParams(c echo.Context, def, max int) (int, int, error) {
	offset, limit := 0, def
	if v := c.QueryParam("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, 0, errs.Invalidf("offset", "%q is not a whole number of 0 or more", v)
		}
		offset = n
	}
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > max {
			return 0, 0, errs.Invalidf("limit", "%q is not a whole number from 1 to %d", v, max)
		}
		limit = n
	}
	return offset, limit, nil
}
