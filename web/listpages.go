package web

import (
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/templates"
	"github.com/amends/amends/web/form"
)

// The paging of lists: the pager under a list, whose links are named by
// the list's order, and the paging of a page that shows several long lists
// (a customer's resources, charges and claims), each by its own query
// parameter, so that the page stays the same size however long the lists
// grow.

// listOrder is the order of a paged list, which names its pager's links.
type listOrder int

const (
	// inOrder is a list oldest first (the ledger) or in an order that is
	// not time's (a run's lines, by customer): its links are "Previous"
	// and "Next".
	inOrder listOrder = iota
	// newestFirst is a list whose later pages are older: its links are
	// "Newer" and "Older".
	newestFirst
)

// pagesOf is the pager of a list paged by ?page=, in order, whose links
// keep the query q (without its page).
func pagesOf(path string, q url.Values, order listOrder, page, perPage, total int) templates.Pagination {
	return pagesOfParam(path, q, "page", order, page, perPage, total)
}

// pagesOfParam is pagesOf for a list paged by the query parameter param.
func pagesOfParam(path string, q url.Values, param string, order listOrder, page, perPage, total int) templates.Pagination {
	pages := max(1, (total+perPage-1)/perPage)
	p := templates.Pagination{Page: page, Pages: pages, Prev: "Previous", Next: "Next"}
	if order == newestFirst {
		p.Prev, p.Next = "Newer", "Older"
	}
	link := func(n int) string {
		v := url.Values{}
		for k, vs := range q {
			if k != param && len(vs) > 0 && vs[0] != "" {
				v.Set(k, vs[0])
			}
		}
		v.Set(param, strconv.Itoa(n))
		return path + "?" + v.Encode()
	}
	if page > 1 {
		p.PrevURL = link(page - 1)
	}
	if page < pages {
		p.NextURL = link(page + 1)
	}
	return p
}

// listPages pages one of the lists a page shows several of, each by its
// own query parameter param ("resources_page"): the links keep the rest of
// the query q (the other lists' pages), return to the list's heading
// (anchor) and are named Previous and Next (the lists are in the order of
// their ids or months, not newest first), and Showing says which rows
// the page holds ("Showing 101–200 of 20,000").
func listPages(path string, q url.Values, param string, page, perPage, total int, anchor string) templates.Pagination {
	p := pagesOfParam(path, q, param, inOrder, page, perPage, total)
	for _, u := range []*string{&p.PrevURL, &p.NextURL} {
		if *u != "" {
			*u += "#" + anchor
		}
	}
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
