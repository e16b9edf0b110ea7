package api

import (
	"context"
	"time"

	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"github.com/amends/amends/audit"
	"github.com/amends/amends/report"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/web/form"
)

// NoticeBatch is a batch with its messages and, per customer, how many
// are sent, failed and pending.
type NoticeBatch struct {
	desk.NoticeBatch
	Customers []NoticeBatchCustomer `json:"customers"`
	Messages  []desk.NoticeMessage  `json:"messages"`
	// Skipped are the affected customers without a contact, not sent to.
	Skipped []string `json:"skipped,omitempty"`
}

// NoticeBatchCustomer counts one customer's messages by state.
type NoticeBatchCustomer struct {
	Customer string `json:"customer"`
	Sent     int    `json:"sent"`
	Failed   int    `json:"failed"`
	Pending  int    `json:"pending"`
	Draft    int    `json:"draft"`
}

// NoticeBatchOf counts msgs per customer.
func NoticeBatchOf(b desk.NoticeBatch, msgs []desk.NoticeMessage) NoticeBatch {
	out := NoticeBatch{NoticeBatch: b, Messages: msgs, Customers: []NoticeBatchCustomer{}}
	if out.Messages == nil {
		out.Messages = []desk.NoticeMessage{}
	}
	index := map[string]int{}
	for _, m := range msgs {
		i, ok := index[m.Customer]
		if !ok {
			i = len(out.Customers)
			index[m.Customer] = i
			out.Customers = append(out.Customers, NoticeBatchCustomer{Customer: m.Customer})
		}
		c := &out.Customers[i]
		switch m.State {
		case desk.MessageSent:
			c.Sent++
		case desk.MessageFailed:
			c.Failed++
		case desk.MessagePending:
			c.Pending++
		default:
			c.Draft++
		}
	}
	return out
}

// fingerprint digests a notice's figures (not its wording), which a
// correction compares.
func fingerprint(n Notice) string {
	b, _ := json.Marshal(struct {
		R []NoticeResource
		D string
		S []NoticeDowntime
		U []NoticeUptime
		C []NoticeCreditEntry
	}{n.Resources, n.DowntimeSeconds, n.Services, n.Uptime, n.Credits})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// BatchMessages returns the messages of a batch for drafts, one per
// customer contact: its e-mail address, and its webhook where it has one
// (channel "webhook", a message of its own with its own delivery id), and
// the customers without a contact. With previous (a batch's messages) set,
// only customers whose figures changed since, or who were not in it, are
// kept, marked as a correction.
func BatchMessages(drafts Notices, previous []desk.NoticeMessage) (msgs []desk.NoticeMessage, skipped []string) {
	before := map[string]string{}
	for _, m := range previous {
		before[m.Customer] = m.Fingerprint
	}
	for _, n := range drafts.Notices {
		fp := fingerprint(n)
		if previous != nil && before[n.Customer.ID] == fp {
			continue
		}
		if n.Customer.Email == "" && n.Customer.WebhookURL == "" {
			skipped = append(skipped, n.Customer.ID)
			continue
		}
		m := desk.NoticeMessage{Customer: n.Customer.ID, Fingerprint: fp, Subject: n.Subject, Text: n.Text, HTML: n.HTML}
		if previous != nil {
			m.Subject = "Correction: " + m.Subject
			m.Text = "_This corrects the figures of our earlier notice about this incident._\n\n" + m.Text
			m.HTML = "<p><em>This corrects the figures of our earlier notice about this incident.</em></p>\n" + m.HTML
		}
		if n.Customer.Email != "" {
			m.Contact, m.Channel = n.Customer.Email, "email"
			msgs = append(msgs, m)
		}
		if n.Customer.WebhookURL != "" {
			m.Contact, m.Channel = n.Customer.WebhookURL, "webhook"
			msgs = append(msgs, m)
		}
	}
	return msgs, skipped
}

// RequestNotices handles POST /incidents/:id/notices/request
// {"correction": bool}: a batch of the incident's notices for a second
// person to approve. A correction holds only the customers whose figures
// changed since the incident's last approved batch (422 on "correction"
// when there is none, or when nobody's changed).
func (h *Handler) RequestNotices(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	var req struct {
		Correction bool `json:"correction"`
	}
	if c.Request().ContentLength != 0 {
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
	}
	b, skipped, err := RequestBatch(c.Request().Context(), h.reports, h.desk, h.noticeSite(c), id, req.Correction, by(c), h.now())
	if err != nil {
		return err
	}
	msgs, err := h.desk.NoticeMessages(c.Request().Context(), b.ID)
	if err != nil {
		return err
	}
	out := NoticeBatchOf(b, msgs)
	out.Skipped = skipped
	return created(c, "/api/v1/notices/"+strconv.FormatInt(b.ID, 10), out)
}

// ApproveNotices handles POST /notices/:id/approve.
func (h *Handler) ApproveNotices(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	b, err := h.desk.ApproveNoticeBatch(c.Request().Context(), by(c), id, h.now())
	if err != nil {
		return err
	}
	msgs, err := h.desk.NoticeMessages(c.Request().Context(), b.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, NoticeBatchOf(b, msgs))
}

// GetNotices handles GET /notices/:id.
func (h *Handler) GetNotices(c echo.Context) error {
	id, err := form.PathID(c)
	if err != nil {
		return err
	}
	b, err := h.desk.NoticeBatch(c.Request().Context(), id)
	if err != nil {
		return err
	}
	msgs, err := h.desk.NoticeMessages(c.Request().Context(), b.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, NoticeBatchOf(b, msgs))
}

// RequestBatch drafts incident id's notices as of now, with each
// statement link left to approval (desk.StatementMarker), and stores them
// as a batch who requests (see RequestNotices). It returns the batch and
// the customers skipped for want of a contact.
func RequestBatch(ctx context.Context, reports *report.Reports, d desk.Store, site NoticeSite, id int64, correction bool, who audit.Actor, now time.Time) (desk.NoticeBatch, []string, error) {
	n, err := reports.IncidentNotices(ctx, id, now)
	if err != nil {
		return desk.NoticeBatch{}, nil, err
	}
	t, err := d.NoticeTemplate(ctx)
	if err != nil {
		return desk.NoticeBatch{}, nil, err
	}
	drafts, err := Drafts(n, t, site, func(string) string { return site.BaseURL + "/statement/" + desk.StatementMarker })
	if err != nil {
		return desk.NoticeBatch{}, nil, err
	}
	incident := strconv.FormatInt(id, 10)
	var previous []desk.NoticeMessage
	var of int64
	if correction {
		batches, err := d.NoticeBatches(ctx, incident)
		if err != nil {
			return desk.NoticeBatch{}, nil, err
		}
		for _, b := range batches {
			if b.State == desk.NoticeApproved {
				of = b.ID
			}
		}
		if of == 0 {
			return desk.NoticeBatch{}, nil, errs.Invalidf("correction", "incident %d has no approved batch of notices to correct", id)
		}
		// The figures each customer was last sent: every approved batch's, the latest winning.
		last := map[string]desk.NoticeMessage{}
		for _, b := range batches {
			if b.State != desk.NoticeApproved {
				continue
			}
			msgs, err := d.NoticeMessages(ctx, b.ID)
			if err != nil {
				return desk.NoticeBatch{}, nil, err
			}
			for _, m := range msgs {
				last[m.Customer] = m
			}
		}
		previous = []desk.NoticeMessage{}
		for _, m := range last {
			previous = append(previous, m)
		}
	}
	msgs, skipped := BatchMessages(drafts, previous)
	if correction && len(msgs) == 0 {
		return desk.NoticeBatch{}, nil, errs.Invalidf("correction", "no customer's figures changed since batch %d", of)
	}
	b, err := d.RequestNoticeBatch(ctx, who, incident, of, msgs, now)
	return b, skipped, err
}
