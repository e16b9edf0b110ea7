package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/templates"
	"github.com/amends/amends/web/api"
	"github.com/amends/amends/web/form"
)

// noticeSite is what filling a notice needs besides its figures.
func (s *Server) noticeSite(c echo.Context) api.NoticeSite {
	return api.NoticeSite{Name: s.cfg.SiteName, BaseURL: s.spBase(c), Markdown: noticeMarkdown.render}
}

// handleNotices shows "/admin/incidents/:id/notices" (support and above):
// a draft notice for every customer the incident affected, its figures
// beside the message (the same drafts as GET /api/v1/incidents/:id/notices).
func (s *Server) handleNotices(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	n, err := s.reports.IncidentNotices(ctx, id, s.now())
	if err != nil {
		return err
	}
	t, err := s.desk.NoticeTemplate(ctx)
	if err != nil {
		return err
	}
	drafts, err := api.Drafts(n, t, s.noticeSite(c), nil)
	if err != nil {
		return err
	}
	v := templates.NoticesPage{Page: s.page(c, "Personal notices: "+n.Incident.Title, ""), IncidentTitle: n.Incident.Title,
		IncidentURL: "/admin/incidents/" + strconv.FormatInt(id, 10), Month: monthName(n.Month), TemplateURL: "/admin/notices/template",
		StatementNote: "Statement links are kept only as hashes: each is " + api.StatementURLNote + ".",
		RequestURL:    "/admin/incidents/" + strconv.FormatInt(id, 10) + "/notices/request", CanRequest: true}
	batches, err := s.desk.NoticeBatches(ctx, strconv.FormatInt(id, 10))
	if err != nil {
		return err
	}
	for _, b := range batches {
		ref := templates.NoticeBatchRef{ID: strconv.FormatInt(b.ID, 10), URL: noticeBatchPath(b.ID), State: string(b.State),
			Requested: viewTime(b.RequestedAt).Text + " by " + b.RequestedBy, Correction: b.CorrectionOf != 0}
		if b.ApprovedAt != nil {
			ref.Approved = viewTime(*b.ApprovedAt).Text + " by " + b.ApprovedBy
		}
		v.Batches = append(v.Batches, ref)
	}
	for _, d := range drafts.Notices {
		row := templates.NoticeRow{CustomerID: d.Customer.ID, Customer: d.Customer.Name, CustomerURL: customerPath(d.Customer.ID), Email: d.Customer.Email,
			Downtime: d.DowntimeText, DowntimeExact: d.DowntimeSeconds + " s", Subject: d.Subject, HTML: d.HTML}
		for _, r := range d.Resources {
			line := strconv.FormatInt(r.Count, 10) + " in " + r.ComponentName
			if r.Affected != r.Count {
				line = strconv.FormatInt(r.Affected, 10) + " of " + line
			}
			row.Resources = append(row.Resources, line+", "+intervalText(r.From, r.To, r.Ongoing))
		}
		for _, u := range d.Uptime {
			row.Uptime = append(row.Uptime, u.Service+": "+u.UptimePercent+"% (target "+u.TargetPercent.String()+"%, tier "+u.CreditPercent.String()+"%)")
		}
		for _, cr := range d.Credits {
			what := "goodwill"
			if cr.Kind == desk.EntryTier {
				what = cr.Service + " tier credit"
			}
			row.Credits = append(row.Credits, what+" "+monthName(cr.Period)+": "+desk.FormatMoney(cr.AmountMinor, cr.Currency)+", "+cr.State)
		}
		v.Notices = append(v.Notices, row)
	}
	return s.render(c, http.StatusOK, templates.Notices(v))
}

// handleNoticeTemplate shows "/admin/notices/template": the wording of
// personal notices with its placeholders.
func (s *Server) handleNoticeTemplate(c echo.Context) error {
	t, err := s.desk.NoticeTemplate(c.Request().Context())
	if err != nil {
		return err
	}
	v := templates.NoticeTemplatePage{Subject: t.Subject, Body: t.Body, Saved: c.QueryParam("saved") == "1"}
	return s.renderNoticeTemplate(c, http.StatusOK, v, t)
}

// handlePostNoticeTemplate previews the posted wording against a real
// customer (action "preview", any signed-in support user) or saves it
// (action "save"); an unknown placeholder is a 422 naming it, and nothing
// is saved.
func (s *Server) handlePostNoticeTemplate(c echo.Context) error {
	ctx := c.Request().Context()
	stored, err := s.desk.NoticeTemplate(ctx)
	if err != nil {
		return err
	}
	t := desk.NoticeTemplate{Subject: c.FormValue("subject"), Body: c.FormValue("body")}.Normalize()
	v := templates.NoticeTemplatePage{Subject: t.Subject, Body: t.Body, Incident: c.FormValue("incident"), Customer: strings.TrimSpace(c.FormValue("customer"))}
	if err := t.Validate(); err != nil {
		v.Error = form.Error(err, nil)
		return s.renderNoticeTemplate(c, http.StatusUnprocessableEntity, v, stored)
	}
	if c.FormValue("action") == "save" {
		if _, err := s.desk.PutNoticeTemplate(ctx, by(c), t, s.now()); err != nil {
			if errs.CodeOf(err) != errs.Invalid {
				return err
			}
			v.Error = form.Error(err, nil)
			return s.renderNoticeTemplate(c, http.StatusUnprocessableEntity, v, stored)
		}
		return c.Redirect(http.StatusSeeOther, "/admin/notices/template?saved=1")
	}
	if err := s.noticePreview(c, &v, t); err != nil {
		if errs.CodeOf(err) != errs.Invalid {
			return err
		}
		v.Error = form.Error(err, nil)
		return s.renderNoticeTemplate(c, http.StatusUnprocessableEntity, v, stored)
	}
	return s.renderNoticeTemplate(c, http.StatusOK, v, stored)
}

// noticePreview fills v's preview: t for the chosen customer of the chosen
// incident, or its first affected customer. errs.Invalid on "incident" or
// "customer".
func (s *Server) noticePreview(c echo.Context, v *templates.NoticeTemplatePage, t desk.NoticeTemplate) error {
	id, err := strconv.ParseInt(v.Incident, 10, 64)
	if err != nil || id <= 0 {
		return errs.Invalidf("incident", "choose an incident to preview with")
	}
	n, err := s.reports.IncidentNotices(c.Request().Context(), id, s.now())
	if errs.CodeOf(err) == errs.NotFound {
		return errs.Invalidf("incident", "there is no incident %d", id)
	}
	if err != nil {
		return err
	}
	if v.Customer != "" {
		kept := n.Notices[:0]
		for _, cn := range n.Notices {
			if cn.Account.ID == v.Customer {
				kept = append(kept, cn)
			}
		}
		if len(kept) == 0 {
			return errs.Invalidf("customer", "incident %d did not affect customer %q", id, v.Customer)
		}
		n.Notices = kept
	}
	if len(n.Notices) == 0 {
		v.PreviewNote = "Incident " + v.Incident + " affected no customer: choose another to preview with."
		return nil
	}
	n.Notices = n.Notices[:1]
	d, err := api.Drafts(n, t, s.noticeSite(c), nil)
	if err != nil {
		return err
	}
	v.PreviewFor, v.PreviewSubject, v.PreviewHTML = d.Notices[0].Customer.Name, d.Notices[0].Subject, d.Notices[0].HTML
	return nil
}

func (s *Server) renderNoticeTemplate(c echo.Context, status int, v templates.NoticeTemplatePage, stored desk.NoticeTemplate) error {
	v.Page = s.page(c, "Wording of personal notices", "")
	v.CanWrite = currentUser(c).Role.AtLeast(auth.Support)
	v.UpdatedBy, v.UpdatedAt = stored.UpdatedBy, viewTime(stored.UpdatedAt)
	for _, p := range desk.NoticePlaceholders {
		v.Placeholders = append(v.Placeholders, templates.Option{Value: "{{" + p.Name + "}}", Label: p.Means})
	}
	incs, _, err := s.incidents.ResolvedIncidents(c.Request().Context(), 0, 50)
	if err != nil {
		return err
	}
	active, err := s.incidents.ActiveIncidents(c.Request().Context())
	if err != nil {
		return err
	}
	for _, inc := range append(active, incs...) {
		id := strconv.FormatInt(inc.ID, 10)
		v.Incidents = append(v.Incidents, templates.Option{Value: id, Label: inc.Title + " (" + viewTime(inc.StartedAt).Text + ")", Selected: id == v.Incident})
	}
	return s.render(c, status, templates.NoticeTemplateEditor(v))
}

func noticeBatchPath(id int64) string { return "/admin/notices/" + strconv.FormatInt(id, 10) }

// handleRequestNotices requests a batch of the incident's notices (support
// and above), or with "correction" one to the customers whose figures
// changed since the last approved batch, and shows it.
func (s *Server) handleRequestNotices(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	b, _, err := api.RequestBatch(c.Request().Context(), s.reports, s.desk, s.noticeSite(c), id, c.FormValue("correction") != "", by(c), s.now())
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, noticeBatchPath(b.ID))
}

// handleApproveNotices approves a batch (a manager who did not request it)
// and shows it.
func (s *Server) handleApproveNotices(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	if _, err := s.desk.ApproveNoticeBatch(c.Request().Context(), by(c), id, s.now()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, noticeBatchPath(id))
}

// handleNoticeBatch shows "/admin/notices/:id": per customer, its messages
// sent, failed and pending, and every message in full.
func (s *Server) handleNoticeBatch(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	b, err := s.desk.NoticeBatch(ctx, id)
	if err != nil {
		return err
	}
	msgs, err := s.desk.NoticeMessages(ctx, id)
	if err != nil {
		return err
	}
	v := templates.NoticeBatchPage{Page: s.page(c, "Notice batch "+strconv.FormatInt(id, 10), ""), ID: strconv.FormatInt(id, 10), State: strings.ToUpper(string(b.State[:1])) + string(b.State[1:]),
		IncidentURL: "/admin/incidents/" + b.Incident + "/notices", IncidentTitle: "Personal notices of incident " + b.Incident,
		RequestedBy: b.RequestedBy, RequestedAt: viewTime(b.RequestedAt), ApprovedBy: b.ApprovedBy, ApprovedAt: viewTimePtr(b.ApprovedAt)}
	if b.CorrectionOf != 0 {
		v.Correction = ", a correction of batch " + strconv.FormatInt(b.CorrectionOf, 10)
	}
	u := currentUser(c)
	v.CanApprove = b.State == desk.NoticeRequested && u.Role.AtLeast(auth.Manager) && u.Email != b.RequestedBy
	v.Spooled = s.cfg.MailSpooled && s.cfg.MailSpool != nil
	for _, bc := range api.NoticeBatchOf(b, msgs).Customers {
		v.Customers = append(v.Customers, templates.NoticeBatchCustomerRow{Customer: bc.Customer, URL: customerPath(bc.Customer),
			Sent: strconv.Itoa(bc.Sent), Failed: strconv.Itoa(bc.Failed), Pending: strconv.Itoa(bc.Pending), Drafts: strconv.Itoa(bc.Draft)})
	}
	for _, m := range msgs {
		v.Messages = append(v.Messages, templates.NoticeMessageRow{Customer: m.Customer, Contact: m.Contact, Channel: m.Channel, DeliveryID: m.DeliveryID,
			State: string(m.State), Subject: m.Subject, Error: m.Error, SentAt: viewTimePtr(m.SentAt), HTML: m.HTML,
			ChannelText: channelText(m.Channel), Attempts: strconv.Itoa(m.Attempts)})
	}
	return s.render(c, http.StatusOK, templates.NoticeBatchView(v))
}

// channelText names a notice's channel for the batch page.
func channelText(ch string) string {
	switch ch {
	case "email":
		return "E-mail"
	case "webhook":
		return "Webhook"
	}
	return ch
}
