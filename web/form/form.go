// Package form reads what a request says the same way for every page that
// asks: in its path and query string, for the admin pages and the JSON API,
// a record's id, a page number and the ledger's filters; in a posted form,
// instants and whole numbers (Time, RequiredTime, Int) and the
// per-component rows of an incident form with the customers they name
// (ReadComponents, ComponentFields). Each refusal is a domain error naming
// the parameter, which web's error handler turns into the status, or which
// Error turns into the errors a form shows beside its fields.
package form

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
)

// PathID reads the ":id" path parameter as a positive integer:
// errs.NotFound otherwise, as no page or resource has such an id.
func PathID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.NotFoundf("no such page")
	}
	return id, nil
}

// Page reads "?page=N" (default 1): errs.Invalid on "page" unless N is a
// whole number from 1 to MaxPage.
func Page(c echo.Context) (int, error) { return PageOf(c, "page") }

// PageOf is Page of the query parameter param, for a page that pages
// several lists each by its own parameter ("?resources_page=N"):
// errs.Invalid on param.
func PageOf(c echo.Context, param string) (int, error) {
	raw := c.QueryParam(param)
	if raw == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > MaxPage {
		return 0, errs.Invalidf(param, "%q is not a page number: give a whole number from 1 to %d", raw, MaxPage)
	}
	return n, nil
}

// MaxPage is the highest page number Page and PageOf read.
const MaxPage = 100000

// PageHeld returns errs.NotFound, naming param and its value, when page
// is past the last of the pages that total rows fill perPage at a time;
// page 1 always exists, the page of an empty list. what names the list
// ("the ledger entries that match").
func PageHeld(param, what string, page, perPage, total int) error {
	pages := max(1, (total+perPage-1)/perPage)
	if page <= pages {
		return nil
	}
	filled := fmt.Sprintf("%d pages", pages)
	if pages == 1 {
		filled = "1 page"
	}
	return errs.NotFoundf("there is no page %d of %s (%s=%d): they fill %s of %d", page, what, param, page, filled, perPage)
}

// Year reads "?year=YYYY": ok is false when there is no year;
// errs.Malformed (400) on "year" unless it is given once, as four digits
// ("2012"; not "12", "02012", "1e3" or "+2012").
func Year(c echo.Context) (year int, ok bool, err error) {
	raw, given := c.QueryParams()["year"]
	if !given {
		return 0, false, nil
	}
	if len(raw) != 1 || len(raw[0]) != 4 || strings.Trim(raw[0], "0123456789") != "" {
		return 0, false, errs.Malformedf("year", "%q is not a year: give four digits, such as 2012", strings.Join(raw, ","))
	}
	year, _ = strconv.Atoi(raw[0])
	return year, true, nil
}

// LedgerFilter reads ?customer=, ?period= and ?run= (offset and limit are
// left to the caller): errs.Invalid on "period" for a period that is not a
// month (YYYY-MM), on "run" for one that is not a run id.
func LedgerFilter(c echo.Context) (desk.LedgerFilter, error) {
	f := desk.LedgerFilter{Customer: strings.TrimSpace(c.QueryParam("customer")), Period: strings.TrimSpace(c.QueryParam("period"))}
	if f.Period != "" {
		if err := desk.CheckMonth("period", f.Period); err != nil {
			return f, err
		}
	}
	if v := strings.TrimSpace(c.QueryParam("run")); v != "" {
		var err error
		if f.RunID, err = strconv.ParseInt(v, 10, 64); err != nil || f.RunID <= 0 {
			return f, errs.Invalidf("run", "%q is not a run id", v)
		}
	}
	return f, nil
}
