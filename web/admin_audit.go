package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/templates"
	"github.com/amends/amends/web/form"
)

// AuditLog reads the append-only audit log (audit/sqlite's Log implements
// it over the database).
type AuditLog interface {
	// Entries returns a page of the entries f selects, newest first, and
	// how many it selects.
	Entries(ctx context.Context, f audit.Filter) ([]audit.Record, int, error)
	// LatestEntries returns the newest entry of every entity id of
	// entity, by entity id.
	LatestEntries(ctx context.Context, entity string) (map[string]audit.Record, error)
	// Actions returns every action the log holds, in order.
	Actions(ctx context.Context) ([]string, error)
}

// auditActionOptions are the action filter's choices: any action, then
// for each kind of entity every action on it ("credit_run.") followed by
// each action ("credit_run.approve"), in words; selected is chosen.
func auditActionOptions(actions []string, selected string) []templates.Option {
	words := func(s string) string {
		s = strings.ReplaceAll(s, "_", " ")
		if s == "" {
			return s
		}
		return strings.ToUpper(s[:1]) + s[1:]
	}
	out := []templates.Option{{Value: "", Label: "Any action"}}
	prev := ""
	for _, a := range actions {
		entity, verb, ok := strings.Cut(a, ".")
		if !ok {
			out = append(out, templates.Option{Value: a, Label: words(a)})
			continue
		}
		if entity != prev {
			out = append(out, templates.Option{Value: entity + ".", Label: words(entity) + ": every action"})
			prev = entity
		}
		out = append(out, templates.Option{Value: a, Label: words(entity) + ": " + verb})
	}
	return withOption(out, selected)
}

const auditPerPage = 50

// auditDate reads an optional date ("2013-01-05") of the audit filter.
func auditDate(field, raw string) (*time.Time, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, nil
	}
	t, err := time.Parse("2006-01-02", raw)
	if err != nil {
		return nil, errs.Invalidf(field, "%q is not a date such as 2013-01-05", raw)
	}
	return &t, nil
}

// handleAudit shows "/admin/audit" (managers and admins): the audit log,
// newest first, filtered by actor, entity, action and dates.
func (s *Server) handleAudit(c echo.Context) error {
	if s.cfg.Audit == nil {
		return errs.NotFoundf("the audit log is not available here")
	}
	page, err := form.Page(c)
	if err != nil {
		return err
	}
	v := templates.AuditPage{Actor: strings.TrimSpace(c.QueryParam("actor")), Entity: strings.TrimSpace(c.QueryParam("entity")),
		Action: strings.TrimSpace(c.QueryParam("action")), From: strings.TrimSpace(c.QueryParam("from")), To: strings.TrimSpace(c.QueryParam("to"))}
	f := audit.Filter{Actor: v.Actor, Entity: v.Entity, Action: v.Action, Offset: (page - 1) * auditPerPage, Limit: auditPerPage}
	if f.From, err = auditDate("from", v.From); err != nil {
		return err
	}
	if f.To, err = auditDate("to", v.To); err != nil {
		return err
	}
	if f.To != nil {
		end := f.To.AddDate(0, 0, 1) // the "to" day is included
		f.To = &end
	}
	list, total, err := s.cfg.Audit.Entries(c.Request().Context(), f)
	if err != nil {
		return err
	}
	if err := form.PageHeld("page", "the audit entries that match", page, auditPerPage, total); err != nil {
		return err
	}
	actions, err := s.cfg.Audit.Actions(c.Request().Context())
	if err != nil {
		return err
	}
	v.Actions = auditActionOptions(actions, v.Action)
	v.Page = s.page(c, "Audit log", "")
	v.Total = entriesCount(total)
	v.Pagination = pagesOf("/admin/audit", c.QueryParams(), newestFirst, page, auditPerPage, total)
	for _, r := range list {
		v.Entries = append(v.Entries, templates.AuditRow{ID: strconv.FormatInt(r.ID, 10), At: viewTime(r.At), Actor: r.Actor, Action: r.Action,
			Entity: r.Entity, EntityID: r.EntityID, Before: prettyJSON(r.Before), After: prettyJSON(r.After)})
	}
	return s.render(c, http.StatusOK, templates.Audit(v))
}

// prettyJSON indents stored JSON for reading; anything else stays as is.
func prettyJSON(s string) string {
	var b bytes.Buffer
	if s == "" || json.Indent(&b, []byte(s), "", "  ") != nil {
		return s
	}
	return b.String()
}

// entriesCount is "1 entry", "12 entries".
func entriesCount(n int) string {
	if n == 1 {
		return "1 entry"
	}
	return fmt.Sprintf("%d entries", n)
}
