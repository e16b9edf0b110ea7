package web

import (
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/templates"
	"github.com/amends/amends/web/form"
)

// The paging of a page that shows several long lists (a customer's
// resources, charges and claims), each by its own query parameter, so that
// the page stays the same size however long the lists grow.

// listPages pages one of the lists a page shows several of, each by its
// own query parameter param ("resources_page"): the links keep the rest of
// the query q (the other lists' pages), return to the list's heading
// (anchor) and are named Previous and Next, and Showing says which rows
// the page holds ("Showing 101–200 of 20,000").
func listPages(path string, q url.Values, param string, page, perPage, total int, anchor string) templates.Pagination {
	p := pagesOfParam(path, q, param, page, perPage, total)
	for _, u := range []*string{&p.PrevURL, &p.NextURL} {
		if *u != "" {
			*u += "#" + anchor
		}
	}
	p.Prev, p.Next = "Previous", "Next"
	if first := (page-1)*perPage + 1; first <= total {
		p.Showing = "Showing " + countText(first) + "–" + countText(min(page*perPage, total)) + " of " + countText(total)
	}
	return p
}

// listPage reads the page of a list paged by the query parameter param
// (form.PageOf: errs.Invalid on param) and returns it with the offset of
// its first row.
func listPage(c echo.Context, param string, perPage int) (page, offset int, err error) {
	page, err = form.PageOf(c, param)
	return page, (page - 1) * perPage, err
}

// pageHeld is errs.NotFound, naming param, when page is past the last of
// the pages total rows fill (page 1 always exists); what names the list.
func pageHeld(param, what string, page, perPage, total int) error {
	if pages := max(1, (total+perPage-1)/perPage); page > pages {
		return errs.NotFoundf("there is no page %d of %s (%s=%d): they fill %d %s of %d", page, what, param, page, pages, plural(int64(pages), "page", "pages"), perPage)
	}
	return nil
}

// countText writes n with its thousands grouped: "20,000".
func countText(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + countText(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
