package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/notify"
	"github.com/amends/amends/templates"
	"github.com/amends/amends/web/form"
)

// explanationDone are the notices shown after a write ("?done=...").
var explanationDone = map[string]string{
	"saved":     "Draft saved.",
	"submitted": "Submitted for review. A manager who did not write it can now publish it.",
	"returned":  "Returned to draft with your note.",
	"published": "Published. The public page shows it now.",
}

func adminExplanationPath(id int64) string {
	return "/admin/incidents/" + strconv.FormatInt(id, 10) + "/explanation"
}

func publicIncidentPath(id int64) string {
	return "/incidents/" + strconv.FormatInt(id, 10)
}

func publicExplanationPath(id int64) string {
	return "/incidents/" + strconv.FormatInt(id, 10) + "/explanation"
}

func revisionPath(id int64, n int) string {
	return publicExplanationPath(id) + "/revisions/" + strconv.Itoa(n)
}

// handleAdminExplanation shows "/admin/incidents/:id/explanation". With no
// unpublished revision, the editor holds the text a new one starts from:
// the last published revision's, or a draft prefilled from the incident.
func (s *Server) handleAdminExplanation(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	v, e, inc, err := s.adminExplanationView(c, id)
	if err != nil {
		return err
	}
	if v.New && v.CanEdit {
		title, body := "", ""
		if _, published := e.Current(); !published {
			if title, body, err = s.prefilledExplanation(c.Request().Context(), inc); err != nil {
				return err
			}
		}
		v.Title, v.Body = e.NextText(title, body)
	}
	v.Flash = explanationDone[c.QueryParam("done")]
	return s.render(c, http.StatusOK, templates.AdminExplanation(v))
}

// adminExplanationView builds the admin page of incident id's explanation
// for the request's user, with the unpublished revision's text.
func (s *Server) adminExplanationView(c echo.Context, id int64) (templates.AdminExplanationPage, incidents.Explanation, incidents.Incident, error) {
	ctx := c.Request().Context()
	var v templates.AdminExplanationPage
	inc, err := s.incidents.Incident(ctx, id)
	if err != nil {
		return v, incidents.Explanation{}, inc, err
	}
	e, err := s.incidents.Explanation(ctx, id)
	if err != nil {
		return v, e, inc, err
	}
	components, err := s.incidents.Components(ctx)
	if err != nil {
		return v, e, inc, err
	}
	user := currentUser(c)
	v = templates.AdminExplanationPage{
		Page:       s.page(c, "Explanation: "+inc.Title, ""),
		IncidentID: id,
		Incident:   incidentSummary(inc, namesOf(components), "/admin/incidents/", s.now()),
	}
	if _, ok := e.Current(); ok {
		v.PublicURL = publicExplanationPath(id)
	}
	for i := len(e.Revisions) - 1; i >= 0; i-- {
		r := e.Revisions[i]
		row := templates.AdminRevisionRow{
			Number: r.Number, Title: r.Title, State: revisionBadge(r.State),
			Author: r.Author, Editors: strings.Join(r.Editors, ", "),
			Updated: viewTime(r.UpdatedAt), Published: viewTimePtr(r.PublishedAt), PublishedBy: r.PublishedBy,
		}
		if r.State == incidents.RevisionPublished {
			row.URL = revisionPath(id, r.Number)
		}
		v.Revisions = append(v.Revisions, row)
	}
	p, pending := e.Pending()
	v.New = !pending
	if !pending {
		v.Number = len(e.Revisions) + 1
		v.CanEdit = user.Role.AtLeast(auth.Support)
		return v, e, inc, nil
	}
	v.Number, v.State = p.Number, revisionBadge(p.State)
	v.Title, v.Body = p.Title, p.Body
	v.Author, v.Editors = p.Author, strings.Join(p.Editors, ", ")
	v.ReturnNote, v.ReturnedBy = p.ReturnNote, p.ReturnedBy
	switch p.State {
	case incidents.RevisionDraft:
		v.CanEdit = user.Role.AtLeast(auth.Support)
	case incidents.RevisionInReview:
		v.ReturnNote = "" // the note was about the text before this submission
		if v.PreviewHTML, err = explanationMarkdown.render(p.Body); err != nil {
			return v, e, inc, err
		}
		v.CanReview = user.Role.AtLeast(auth.Manager)
		switch {
		case !v.CanReview:
			v.PublishNote = "Publishing needs the manager role or above, and someone who did not write or edit it."
		case p.WrittenBy(by(c).Who()):
			v.PublishNote = "You wrote or edited this revision, so another manager must publish it: nothing is published on one person's say."
		default:
			v.CanPublish = true
		}
	}
	return v, e, inc, nil
}

func revisionBadge(s incidents.RevisionState) templates.StatusBadge {
	return templates.StatusBadge{Class: string(s), Label: s.Label()}
}

// prefilledExplanation is the draft a first revision starts from (see
// incidents.DraftExplanation), with the figures report.Reports computes:
// the uptime of the month in which the incident started as sla.Evaluate
// finds it from the stored incidents and maintenance, and the credits
// that month's run offers. A figure that cannot be computed is left out
// of the draft (and the failure is logged) rather than show anything
// invented.
func (s *Server) prefilledExplanation(ctx context.Context, inc incidents.Incident) (string, string, error) {
	now := s.now()
	f, err := s.reports.ExplanationFigures(ctx, inc, now)
	if err != nil {
		return "", "", err
	}
	if f.MonthErr != nil {
		s.log.Warn("explanation draft without uptime figures", "incident", inc.ID, "err", f.MonthErr)
	}
	if f.CreditsErr != nil {
		s.log.Warn("explanation draft without credit figures", "incident", inc.ID, "err", f.CreditsErr)
	}
	title, body := incidents.DraftExplanation(inc, f.Services, f.Components, f.Month, f.Credits, now)
	return title, body, nil
}

// handleSaveExplanation is the editor's form: "save" starts or edits the
// draft, "preview" shows the text rendered without saving, and "submit"
// saves and sends it for review (refusing empty text before saving).
func (s *Server) handleSaveExplanation(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	title, body := c.FormValue("title"), c.FormValue("body")
	action := c.FormValue("action")
	switch action {
	case "save", "preview", "submit":
	case "":
		action = "save"
	default:
		return errs.Invalidf("action", "%q is not save, preview or submit", action)
	}
	v, e, _, err := s.adminExplanationView(c, id)
	if err != nil {
		return err
	}
	v.Title, v.Body = title, body
	if !v.CanEdit {
		// In review: the text is fixed until a reviewer returns it.
		return errs.Conflictf("revision %d is in review, so its text cannot change: a reviewer must return it to draft first", v.Number)
	}
	rerender := func(err error) error {
		if code := errs.CodeOf(err); code != errs.Invalid && code != errs.Conflict {
			return err
		}
		v.Error = form.Error(err, nil)
		return s.render(c, statusOf(err), templates.AdminExplanation(v))
	}
	if action == "preview" {
		if v.PreviewHTML, err = explanationMarkdown.render(body); err != nil {
			return err
		}
		return s.render(c, http.StatusOK, templates.AdminExplanation(v))
	}
	if action == "submit" {
		if err := incidents.CheckReviewText(title, body); err != nil {
			return rerender(err)
		}
	}
	if _, pending := e.Pending(); pending {
		_, err = s.incidents.EditExplanation(ctx, by(c), id, title, body, s.now())
	} else {
		_, err = s.incidents.StartExplanation(ctx, by(c), id, title, body, s.now())
	}
	if err != nil {
		return rerender(err)
	}
	s.pages.invalidate()
	done := "saved"
	if action == "submit" {
		if _, err := s.incidents.SubmitExplanation(ctx, by(c), id, s.now()); err != nil {
			return rerender(err)
		}
		done = "submitted"
	}
	return c.Redirect(http.StatusSeeOther, adminExplanationPath(id)+"?done="+done)
}

// handlePublishExplanation publishes the revision in review (manager and
// above, and not its author or an editor: errs.Forbidden).
func (s *Server) handlePublishExplanation(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	rev, err := s.incidents.PublishExplanation(ctx, by(c), id, s.now())
	if err != nil {
		return err
	}
	s.pages.invalidate()
	if inc, err := s.incidents.Incident(ctx, id); err != nil {
		s.log.Error("loading the incident of a published explanation", "incident", id, "err", err)
	} else {
		s.publish(ctx, notify.ForExplanation(inc, rev))
	}
	return c.Redirect(http.StatusSeeOther, adminExplanationPath(id)+"?done=published")
}

// handleReturnExplanation sends the revision in review back to draft with
// the reviewer's note (manager and above); a missing note re-renders the
// page with the error.
func (s *Server) handleReturnExplanation(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	note := c.FormValue("note")
	if _, err := s.incidents.ReturnExplanation(c.Request().Context(), by(c), id, note, s.now()); err != nil {
		if errs.CodeOf(err) != errs.Invalid {
			return err
		}
		v, _, _, verr := s.adminExplanationView(c, id)
		if verr != nil {
			return verr
		}
		v.ReviewNote = note
		v.Error = form.Error(err, nil)
		return s.render(c, statusOf(err), templates.AdminExplanation(v))
	}
	s.pages.invalidate()
	return c.Redirect(http.StatusSeeOther, adminExplanationPath(id)+"?done=returned")
}
