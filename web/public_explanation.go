package web

import (
	"context"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/templates"
	"github.com/amends/amends/web/form"
)

// handleExplanation serves "/incidents/:id/explanation": the newest
// published revision of the incident's explanation, from the page cache.
func (s *Server) handleExplanation(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	return s.serveExplanation(c, id, 0)
}

// handleExplanationRevision serves
// "/incidents/:id/explanation/revisions/:n": one published revision.
func (s *Server) handleExplanationRevision(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 {
		return errs.NotFoundf("no such page")
	}
	return s.serveExplanation(c, id, n)
}

// serveExplanation answers with published revision n of incident id's
// explanation, or the newest when n is 0. Drafts and revisions in review
// are never shown here: an unpublished revision is errs.NotFound.
func (s *Server) serveExplanation(c echo.Context, id int64, n int) error {
	path := publicExplanationPath(id)
	if n > 0 {
		path = revisionPath(id, n)
	}
	return s.pages.serve(c, path, func(ctx context.Context) (rendered, error) {
		v, err := s.explanationView(ctx, id, n, path)
		if err != nil {
			return rendered{}, err
		}
		body, err := renderBytes(ctx, templates.Explanation(v))
		return rendered{htmlType, body, 0, nil}, err
	})
}

func (s *Server) explanationView(ctx context.Context, id int64, n int, path string) (templates.ExplanationPage, error) {
	var v templates.ExplanationPage
	inc, err := s.incidents.Incident(ctx, id)
	if err != nil {
		return v, err
	}
	e, err := s.incidents.Explanation(ctx, id)
	if err != nil {
		return v, err
	}
	published := e.Published()
	if len(published) == 0 {
		return v, errs.NotFoundf("incident %d has no published explanation yet", id)
	}
	current := published[len(published)-1]
	shown := current
	if n > 0 {
		r, ok := e.Revision(n)
		if !ok || r.State != incidents.RevisionPublished {
			return v, errs.NotFoundf("the explanation of incident %d has no published revision %d", id, n)
		}
		shown = r
	}
	components, err := s.incidents.Components(ctx)
	if err != nil {
		return v, err
	}
	html, err := explanationMarkdown.render(shown.Body)
	if err != nil {
		return v, err
	}
	page := s.publicPage(shown.Title, "What happened during “"+inc.Title+"”, why, what we are changing, and our apology.", path)
	page.OGType = "article"
	page.OGURL = strings.TrimRight(s.cfg.BaseURL, "/") + path
	v = templates.ExplanationPage{
		Page:       page,
		Incident:   incidentSummary(inc, namesOf(components), "/incidents/", s.now()),
		Title:      shown.Title,
		BodyHTML:   html,
		Number:     shown.Number,
		Published:  viewTimePtr(published[0].PublishedAt),
		Superseded: shown.Number != current.Number,
		CurrentURL: publicExplanationPath(id),
	}
	if shown.Number != published[0].Number {
		v.Updated = viewTimePtr(shown.PublishedAt)
	}
	for i := len(published) - 1; i >= 0; i-- {
		r := published[i]
		v.History = append(v.History, templates.RevisionLink{
			Number: r.Number, URL: revisionPath(id, r.Number), Title: r.Title,
			Published: viewTimePtr(r.PublishedAt), Shown: r.Number == shown.Number,
		})
	}
	return v, nil
}
