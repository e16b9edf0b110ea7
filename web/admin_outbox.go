package web

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/notify"
	"github.com/amends/amends/notify/deliver"
	"github.com/amends/amends/templates"
	"github.com/amends/amends/web/form"
)

// MailSpool reads the local mail spool, where e-mail goes when no SMTP
// server is set up (notify/sqlite's Spool implements it).
type MailSpool interface {
	// Messages returns a page of spooled messages, newest first, and how
	// many there are.
	Messages(ctx context.Context, offset, limit int) ([]notify.SpooledMail, int, error)
}

const outboxPerPage = 20

// urlPattern finds the web links in a message's bodies.
var urlPattern = regexp.MustCompile(`https?://[^\s<>"']+`)

// linkedText cuts text into plain runs and the web links between them.
func linkedText(text string) []templates.TextRun {
	var out []templates.TextRun
	last := 0
	for _, m := range urlPattern.FindAllStringIndex(text, -1) {
		if m[0] > last {
			out = append(out, templates.TextRun{Text: text[last:m[0]]})
		}
		out = append(out, templates.TextRun{Text: text[m[0]:m[1]], URL: text[m[0]:m[1]]})
		last = m[1]
	}
	if last < len(text) {
		out = append(out, templates.TextRun{Text: text[last:]})
	}
	return out
}

// trimLines drops the spaces at the end of each line ("-- " above a
// signature), which a page keeps nothing of but noise.
func trimLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.Join(lines, "\n")
}

// htmlLinks lists the distinct links an HTML body points to, unescaped.
func htmlLinks(body string) []string {
	seen := map[string]bool{}
	var out []string
	for _, u := range urlPattern.FindAllString(body, -1) {
		u = strings.ReplaceAll(u, "&amp;", "&")
		if !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	return out
}

// handleOutbox shows "/admin/outbox" (support and above): every message of
// the local mail spool, newest first, with its headers and both bodies.
func (s *Server) handleOutbox(c echo.Context) error {
	if s.cfg.MailSpool == nil {
		return errs.NotFoundf("the outbox is not available here")
	}
	page, err := form.Page(c)
	if err != nil {
		return err
	}
	list, total, err := s.cfg.MailSpool.Messages(c.Request().Context(), (page-1)*outboxPerPage, outboxPerPage)
	if err != nil {
		return err
	}
	if err := form.PageHeld("page", "the outbox's messages", page, outboxPerPage, total); err != nil {
		return err
	}
	v := templates.OutboxPage{Page: s.page(c, "Outbox", ""), Spooled: s.cfg.MailSpooled,
		Pagination: pagesOf("/admin/outbox", c.QueryParams(), newestFirst, page, outboxPerPage, total)}
	v.Total = fmt.Sprintf("%d messages", total)
	if total == 1 {
		v.Total = "1 message"
	}
	for _, m := range list {
		row := templates.OutboxMessage{ID: fmt.Sprint(m.ID), At: viewTime(m.CreatedAt), To: m.To}
		read, err := deliver.ReadMessage(m.Message)
		if err != nil {
			row.Problem = "This message cannot be read: " + err.Error()
			row.Text = linkedText(trimLines(string(m.Message)))
		} else {
			row.Subject = read.Subject
			for _, h := range read.Headers {
				row.Headers = append(row.Headers, templates.Pair{Name: h.Name, Value: h.Value})
			}
			row.Text = linkedText(trimLines(read.Text))
			row.HTML = trimLines(read.HTML)
			row.HTMLLinks = htmlLinks(read.HTML)
		}
		if row.Subject == "" {
			row.Subject = "(no subject)"
		}
		v.Messages = append(v.Messages, row)
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return s.render(c, http.StatusOK, templates.Outbox(v))
}
