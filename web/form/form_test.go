package form

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/internal/errs"
)

func request(target string) echo.Context {
	return echo.New().NewContext(httptest.NewRequest("GET", target, nil), httptest.NewRecorder())
}

func TestPathIDIsAPositiveNumberOrNotFound(t *testing.T) {
	for _, tc := range []struct {
		param string
		want  int64
		code  errs.Code
	}{
		{"7", 7, ""}, {"0", 0, errs.NotFound}, {"-3", 0, errs.NotFound}, {"x", 0, errs.NotFound}, {"", 0, errs.NotFound},
	} {
		c := request("/")
		c.SetParamNames("id")
		c.SetParamValues(tc.param)
		got, err := PathID(c)
		if got != tc.want || (err == nil) != (tc.code == "") || (err != nil && errs.CodeOf(err) != tc.code) {
			t.Errorf("PathID(%q) = %d, %v; want %d, code %q", tc.param, got, err, tc.want, tc.code)
		}
	}
}

func TestPageDefaultsToOneAndNamesTheParameter(t *testing.T) {
	for _, tc := range []struct {
		query string
		want  int
		ok    bool
	}{
		{"", 1, true}, {"?page=3", 3, true}, {"?page=100000", 100000, true},
		{"?page=0", 0, false}, {"?page=100001", 0, false}, {"?page=two", 0, false},
	} {
		got, err := Page(request("/" + tc.query))
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("Page(%q) = %d, %v; want %d", tc.query, got, err, tc.want)
		}
		if err != nil && (errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != "page") {
			t.Errorf("Page(%q): %v, want errs.Invalid on page", tc.query, err)
		}
	}
}

func TestPageOfNamesItsOwnParameter(t *testing.T) {
	c := request("/?page=abc&resources_page=2&charges_page=1e2")
	if n, err := PageOf(c, "resources_page"); n != 2 || err != nil {
		t.Errorf("resources_page = %d, %v; want 2", n, err)
	}
	if n, err := PageOf(c, "claims_page"); n != 1 || err != nil {
		t.Errorf("claims_page (absent) = %d, %v; want 1", n, err)
	}
	if _, err := PageOf(c, "charges_page"); errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != "charges_page" {
		t.Errorf("charges_page=1e2: %v, want errs.Invalid on charges_page", err)
	}
}

// Page 1 is held by every list, an empty one too; a page past the last
// is errs.NotFound whose message names the parameter and its value.
func TestPageHeldNamesAPagePastTheLast(t *testing.T) {
	for _, tc := range []struct {
		page, total int
		held        bool
	}{{1, 0, true}, {2, 0, false}, {2, 51, true}, {2, 50, false}, {3, 100, false}} {
		err := PageHeld("claims_page", "the claims", tc.page, 50, tc.total)
		if (err == nil) != tc.held {
			t.Errorf("page %d of %d rows: %v, held %v", tc.page, tc.total, err, tc.held)
		}
		if err != nil && (errs.CodeOf(err) != errs.NotFound || !strings.Contains(err.Error(), fmt.Sprintf("claims_page=%d", tc.page))) {
			t.Errorf("page %d of %d rows: %v, want errs.NotFound naming claims_page", tc.page, tc.total, err)
		}
	}
}

func TestLedgerFilterReadsTheQuery(t *testing.T) {
	f, err := LedgerFilter(request("/?customer=+acme+&period=2013-01&run=4"))
	if err != nil || f.Customer != "acme" || f.Period != "2013-01" || f.RunID != 4 {
		t.Errorf("LedgerFilter = %+v, %v", f, err)
	}
	for query, field := range map[string]string{"?period=2013-13": "period", "?period=Jan": "period", "?run=0": "run", "?run=r4": "run"} {
		_, err := LedgerFilter(request("/" + query))
		if errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != field {
			t.Errorf("LedgerFilter(%q): %v, want errs.Invalid on %s", query, err, field)
		}
	}
}
