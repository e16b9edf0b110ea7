package api

import (
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/report"
	"github.com/amends/amends/sla"
	"github.com/amends/amends/web/form"
)

// StatementURLNote says how a draft's statement link is filled: links are
// kept only as hashes, so a draft cannot show one.
const StatementURLNote = "filled when the notice is sent: a new statement link is made for the customer then, and any earlier link stops working"

// statementPlaceholder is what a draft's text shows for {{statement_url}}.
const statementPlaceholder = "[your own status page: the link is made when this notice is sent]"

// Notices is the answer of GET /incidents/:id/notices.
type Notices struct {
	Incident NoticeIncident `json:"incident"`
	// Month is the month the incident began in, whose figures the notices give.
	Month   string   `json:"month"`
	Notices []Notice `json:"notices"`
}

// NoticeIncident names the incident.
type NoticeIncident struct {
	ID             int64  `json:"id"`
	Title          string `json:"title"`
	URL            string `json:"url"`
	ExplanationURL string `json:"explanation_url,omitempty"`
}

// Notice is one customer's draft notice.
type Notice struct {
	Customer  NoticeCustomer   `json:"customer"`
	Resources []NoticeResource `json:"resources"`
	// DowntimeSeconds is the customer's downtime from the incident alone
	// in its worst-hit service, as the engine counts it (exact, at most 6
	// decimals); Services gives it per service.
	DowntimeSeconds string `json:"downtime_seconds"`
	// DowntimeText is DowntimeSeconds in words ("9 h 41 min").
	DowntimeText string              `json:"downtime_text"`
	Services     []NoticeDowntime    `json:"services"`
	Uptime       []NoticeUptime      `json:"uptime"`
	Credits      []NoticeCreditEntry `json:"credits"`
	// StatementURL is null in a draft (see StatementURLNote).
	StatementURL     *string `json:"statement_url"`
	StatementURLNote string  `json:"statement_url_note,omitempty"`
	Subject          string  `json:"subject"`
	Text             string  `json:"text"`
	HTML             string  `json:"html"`
}

// NoticeCustomer is who a notice goes to.
type NoticeCustomer struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"contact_email"`
	// WebhookURL is the customer's webhook, which gets the notice too.
	WebhookURL string `json:"webhook_url,omitempty"`
	Named      bool   `json:"named_by_impact"`
}

// NoticeResource is the customer's resources in one component the incident hit.
type NoticeResource struct {
	Component     string    `json:"component"`
	ComponentName string    `json:"component_name"`
	Count         int64     `json:"count"`
	Affected      int64     `json:"affected"`
	From          time.Time `json:"from"`
	To            time.Time `json:"to"`
	Ongoing       bool      `json:"ongoing"`
}

// NoticeDowntime is the customer's downtime in one service from the incident.
type NoticeDowntime struct {
	Service         string `json:"service"`
	DowntimeSeconds string `json:"downtime_seconds"`
}

// NoticeUptime is the customer's uptime in one service in the incident's
// month (so far, while Final is false), with the tier reached.
type NoticeUptime struct {
	Service       string      `json:"service"`
	Month         string      `json:"month"`
	UptimePercent string      `json:"uptime_percent"`
	TargetPercent sla.Percent `json:"target_percent"`
	CreditPercent sla.Percent `json:"credit_percent"`
	Final         bool        `json:"final"`
}

// NoticeCreditEntry is one credit from the incident: "paid" (the ledger's
// amount) or "pending" (computed now, not yet issued).
type NoticeCreditEntry struct {
	Kind        desk.EntryKind `json:"kind"`
	Service     string         `json:"service,omitempty"`
	Period      string         `json:"period"`
	AmountMinor int64          `json:"amount_minor"`
	Currency    string         `json:"currency"`
	State       string         `json:"state"`
	Final       bool           `json:"final"`
}

// NoticeSite is what filling a notice needs besides its figures.
type NoticeSite struct {
	Name, BaseURL string
	// Markdown renders a filled body as sanitized HTML.
	Markdown func(string) (string, error)
}

// Drafts fills t for every notice of n. statementURL, when set, gives each
// customer's statement link (when sending); drafts leave it empty.
func Drafts(n *report.IncidentNotices, t desk.NoticeTemplate, site NoticeSite, statementURL func(customer string) string) (Notices, error) {
	inc := n.Incident
	out := Notices{Incident: NoticeIncident{ID: inc.ID, Title: inc.Title, URL: site.BaseURL + "/incidents/" + strconv.FormatInt(inc.ID, 10)}, Month: n.Month, Notices: []Notice{}}
	apology := ""
	if n.Explanation != nil {
		out.Incident.ExplanationURL = out.Incident.URL + "/explanation"
		apology = incidents.Apology(n.Explanation.Body)
	}
	names := map[string]string{}
	for _, c := range n.Catalog {
		names[c.ID] = c.Name
	}
	for _, s := range n.Services {
		names["service "+s.ID] = s.Name
	}
	name := func(key, id string) string {
		if v := names[key]; v != "" {
			return v
		}
		return id
	}
	from, to := window(inc)
	for _, cn := range n.Notices {
		a := cn.Account
		nt := Notice{Customer: NoticeCustomer{ID: a.ID, Name: a.Name, Email: a.Email, WebhookURL: a.WebhookURL, Named: cn.Named}, DowntimeSeconds: cn.Downtime.String(), DowntimeText: downtimeWords(cn.Downtime),
			Resources: []NoticeResource{}, Services: []NoticeDowntime{}, Uptime: []NoticeUptime{}, Credits: []NoticeCreditEntry{}}
		var res, up, cr []string
		for _, h := range cn.Hit {
			nt.Resources = append(nt.Resources, NoticeResource{Component: h.Component, ComponentName: name(h.Component, h.Component), Count: h.Count, Affected: h.Hit(), From: h.From, To: h.To, Ongoing: h.Ongoing})
			line := strconv.FormatInt(h.Count, 10) + " in " + name(h.Component, h.Component)
			if h.Hit() != h.Count {
				line = strconv.FormatInt(h.Hit(), 10) + " of your " + line
			}
			if h.Ongoing {
				line += ", since " + timeText(h.From)
			} else {
				line += ", " + timeText(h.From) + " to " + timeText(h.To)
			}
			res = append(res, "- "+line)
		}
		for _, s := range cn.Services {
			nt.Services = append(nt.Services, NoticeDowntime{Service: s.Service, DowntimeSeconds: s.Downtime.String()})
		}
		for _, sm := range cn.Month {
			u := NoticeUptime{Service: sm.Line.Service, Month: n.Month, UptimePercent: sm.Line.Uptime, TargetPercent: sm.Policy.Target, CreditPercent: sm.Line.CreditPercent, Final: n.MonthOver}
			nt.Uptime = append(nt.Uptime, u)
			verdict := "met"
			if sm.Uptime.CmpPercent(sm.Policy.Target) < 0 {
				verdict = "missed"
			}
			tier := "no credit tier reached"
			if !sm.Line.CreditPercent.Ratio().IsZero() {
				tier = "credit tier " + sm.Line.CreditPercent.String() + "% reached"
			}
			up = append(up, "- "+name("service "+sm.Line.Service, sm.Line.Service)+": "+sm.Line.Uptime+"% against a target of "+sm.Policy.Target.String()+"% ("+verdict+"; "+tier+")")
		}
		for _, c := range cn.Credits {
			state := "pending"
			if c.Paid {
				state = "paid"
			}
			nt.Credits = append(nt.Credits, NoticeCreditEntry{Kind: c.Kind, Service: c.Service, Period: c.Period, AmountMinor: c.Minor, Currency: c.Currency, State: state, Final: c.Final})
			what := "Goodwill credit"
			if c.Kind == desk.EntryTier {
				what = name("service "+c.Service, c.Service) + " service credit for " + monthText(c.Period)
			}
			line := "- " + what + ": " + desk.FormatMoney(c.Minor, c.Currency) + ", "
			switch {
			case c.Paid:
				line += "paid"
			case c.Final:
				line += "pending: it will be applied to your account without a claim"
			default:
				line += "pending: the month is not over, so it may still change"
			}
			cr = append(cr, line)
		}
		if len(res) == 0 {
			res = []string{"- None of your resources were in an affected component; an update of the incident named you."}
		}
		if len(up) == 0 {
			up = []string{"- No service of yours with an uptime commitment was hit."}
		}
		if len(cr) == 0 {
			cr = []string{"- No credit is due to you from this incident."}
		}
		link := statementPlaceholder
		if statementURL != nil {
			u := statementURL(a.ID)
			nt.StatementURL, link = &u, u
		} else {
			nt.StatementURLNote = StatementURLNote
		}
		values := map[string]string{
			"customer": a.Name, "site_name": site.Name, "incident_title": inc.Title, "incident_url": out.Incident.URL,
			"incident_window": windowText(from, to), "resources": strings.Join(res, "\n"), "downtime": downtimeWords(cn.Downtime),
			"month": monthText(n.Month), "uptime": strings.Join(up, "\n"), "credits": strings.Join(cr, "\n"),
			"statement_url": link, "explanation_url": out.Incident.ExplanationURL, "apology": apology,
		}
		nt.Subject, nt.Text = t.Fill(values)
		html, err := site.Markdown(nt.Text)
		if err != nil {
			return Notices{}, err
		}
		nt.HTML = html
		out.Notices = append(out.Notices, nt)
	}
	return out, nil
}

// window is the incident's start and end (zero while it goes on).
func window(inc incidents.Incident) (time.Time, time.Time) {
	var to time.Time
	if inc.ResolvedAt != nil {
		to = *inc.ResolvedAt
	}
	return inc.StartedAt, to
}

func windowText(from, to time.Time) string {
	if to.IsZero() {
		return timeText(from) + " (still going on)"
	}
	return timeText(from) + " to " + timeText(to)
}

func timeText(t time.Time) string { return t.UTC().Format("2 Jan 2006, 15:04 UTC") }

func monthText(month string) string {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return month
	}
	return t.Format("January 2006")
}

// downtimeWords is exact seconds in words: "9 h 41 min", "42 s", "none".
func downtimeWords(r sla.Ratio) string {
	if r.IsZero() {
		return "none"
	}
	x := r.Rat()
	q := new(big.Int).Quo(x.Num(), x.Denom())
	if !q.IsInt64() {
		return r.String() + " seconds"
	}
	s := q.Int64()
	if s < 60 {
		return strconv.FormatInt(max(s, 1), 10) + " s"
	}
	m := s / 60
	var parts []string
	if d := m / 1440; d > 0 {
		parts = append(parts, strconv.FormatInt(d, 10)+" d")
	}
	if h := m / 60 % 24; h > 0 {
		parts = append(parts, strconv.FormatInt(h, 10)+" h")
	}
	if mm := m % 60; mm > 0 {
		parts = append(parts, strconv.FormatInt(mm, 10)+" min")
	}
	return strings.Join(parts, " ")
}

// ListNotices handles GET /incidents/:id/notices: a draft notice for every
// customer the incident affected.
func (h *Handler) ListNotices(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	n, err := h.reports.IncidentNotices(ctx, id, h.now())
	if err != nil {
		return err
	}
	t, err := h.desk.NoticeTemplate(ctx)
	if err != nil {
		return err
	}
	out, err := Drafts(n, t, h.noticeSite(c), nil)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// noticeSite is the site's name, address and Markdown renderer.
func (h *Handler) noticeSite(c echo.Context) NoticeSite {
	site := NoticeSite{Name: h.siteName, Markdown: h.markdown}
	if h.baseURL != nil {
		site.BaseURL = h.baseURL(c)
	}
	return site
}

// GetNoticeTemplate handles GET /notice-template.
func (h *Handler) GetNoticeTemplate(c echo.Context) error {
	t, err := h.desk.NoticeTemplate(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}

// PutNoticeTemplate handles PUT /notice-template {"subject", "body"}: 422
// on "subject" or "body", naming an unknown placeholder.
func (h *Handler) PutNoticeTemplate(c echo.Context) error {
	var req struct {
		Subject string `json:"subject"`
		Body    string `json:"body"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	t, err := h.desk.PutNoticeTemplate(c.Request().Context(), by(c), desk.NoticeTemplate{Subject: req.Subject, Body: req.Body}, h.now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, t)
}
