package web

import (
	"context"
	"encoding/xml"
	"html"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/amends/amends/incidents"
)

// This file serves the incident history as feeds: /history.atom (Atom 1.0,
// RFC 4287) and /history.rss (RSS 2.0), each with the feedMaxEntries most
// recent incidents, active and resolved, one entry per incident whose
// content is its timeline. Both come from the page cache.

const (
	atomType       = "application/atom+xml; charset=utf-8"
	rssType        = "application/rss+xml; charset=utf-8"
	feedMaxEntries = 50
	atomNS         = "http://www.w3.org/2005/Atom"
	dcNS           = "http://purl.org/dc/elements/1.1/"
)

// Atom 1.0 documents, as encoding/xml writes them.

type atomFeed struct {
	XMLName   xml.Name      `xml:"http://www.w3.org/2005/Atom feed"`
	ID        string        `xml:"id"`
	Title     atomText      `xml:"title"`
	Subtitle  atomText      `xml:"subtitle"`
	Updated   string        `xml:"updated"`
	Links     []atomLink    `xml:"link"`
	Author    atomPerson    `xml:"author"`
	Generator atomGenerator `xml:"generator"`
	Entries   []atomEntry   `xml:"entry"`
}

type atomText struct {
	Type string `xml:"type,attr,omitempty"`
	Text string `xml:",chardata"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomGenerator struct {
	URI  string `xml:"uri,attr,omitempty"`
	Text string `xml:",chardata"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      atomText       `xml:"title"`
	Links      []atomLink     `xml:"link"`
	Published  string         `xml:"published"`
	Updated    string         `xml:"updated"`
	Author     atomPerson     `xml:"author"`
	Categories []atomCategory `xml:"category"`
	Content    atomText       `xml:"content"`
}

// RSS 2.0 documents.

type rssDoc struct {
	XMLName xml.Name   `xml:"rss"`
	Version string     `xml:"version,attr"`
	Atom    string     `xml:"xmlns:atom,attr"`
	DC      string     `xml:"xmlns:dc,attr"`
	Channel rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Description   string    `xml:"description"`
	Language      string    `xml:"language"`
	LastBuildDate string    `xml:"lastBuildDate"`
	Generator     string    `xml:"generator"`
	Docs          string    `xml:"docs"`
	Self          rssSelf   `xml:"atom:link"`
	Items         []rssItem `xml:"item"`
}

// rssSelf is the feed's own address, atom:link rel="self", as feed
// validators ask for.
type rssSelf struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

type rssItem struct {
	Title       string   `xml:"title"`
	Link        string   `xml:"link"`
	Description string   `xml:"description"`
	GUID        rssGUID  `xml:"guid"`
	PubDate     string   `xml:"pubDate"`
	Category    []string `xml:"category"`
	Creator     string   `xml:"dc:creator"`
}

type rssGUID struct {
	IsPermaLink bool   `xml:"isPermaLink,attr"`
	Text        string `xml:",chardata"`
}

// feedItem is one incident, ready for either format.
type feedItem struct {
	id        string // a tag: URI that never changes
	title     string
	link      string
	phase     incidents.Phase
	impact    incidents.Impact
	published time.Time
	updated   time.Time
	html      string // the timeline, as HTML
}

// handleHistoryAtom serves "/history.atom".
func (s *Server) handleHistoryAtom(c echo.Context) error {
	base := s.spBase(c)
	return s.pages.serve(c, "/history.atom "+base, func(ctx context.Context) (rendered, error) {
		items, updated, err := s.feedItems(ctx, base)
		if err != nil {
			return rendered{}, err
		}
		f := atomFeed{
			ID:       base + "/history.atom",
			Title:    atomText{Type: "text", Text: s.cfg.SiteName + " incident history"},
			Subtitle: atomText{Type: "text", Text: "Incidents of " + s.cfg.SiteName + " with their updates, newest first."},
			Updated:  updated.Format(time.RFC3339),
			Links: []atomLink{
				{Rel: "self", Type: "application/atom+xml", Href: base + "/history.atom"},
				{Rel: "alternate", Type: "text/html", Href: base + "/history"},
			},
			Author:    atomPerson{Name: s.cfg.SiteName, URI: base + "/"},
			Generator: atomGenerator{Text: "Amends"},
		}
		for _, it := range items {
			f.Entries = append(f.Entries, atomEntry{
				ID:         it.id,
				Title:      atomText{Type: "text", Text: it.title},
				Links:      []atomLink{{Rel: "alternate", Type: "text/html", Href: it.link}},
				Published:  it.published.Format(time.RFC3339),
				Updated:    it.updated.Format(time.RFC3339),
				Author:     atomPerson{Name: s.cfg.SiteName},
				Categories: []atomCategory{{Term: string(it.phase), Label: it.phase.Label()}, {Term: "impact-" + string(it.impact), Label: it.impact.Label() + " impact"}},
				Content:    atomText{Type: "html", Text: it.html},
			})
		}
		body, err := feedXML(f)
		return rendered{atomType, body, 0}, err
	})
}

// handleHistoryRSS serves "/history.rss".
func (s *Server) handleHistoryRSS(c echo.Context) error {
	base := s.spBase(c)
	return s.pages.serve(c, "/history.rss "+base, func(ctx context.Context) (rendered, error) {
		items, updated, err := s.feedItems(ctx, base)
		if err != nil {
			return rendered{}, err
		}
		doc := rssDoc{
			Version: "2.0",
			Atom:    atomNS,
			DC:      dcNS,
			Channel: rssChannel{
				Title:         s.cfg.SiteName + " incident history",
				Link:          base + "/history",
				Description:   "Incidents of " + s.cfg.SiteName + " with their updates, newest first.",
				Language:      "en",
				LastBuildDate: updated.Format(time.RFC1123Z),
				Generator:     "Amends",
				Docs:          "https://www.rssboard.org/rss-specification",
				Self:          rssSelf{Href: base + "/history.rss", Rel: "self", Type: "application/rss+xml"},
			},
		}
		for _, it := range items {
			doc.Channel.Items = append(doc.Channel.Items, rssItem{
				Title:       it.title,
				Link:        it.link,
				Description: it.html,
				GUID:        rssGUID{Text: it.id},
				PubDate:     it.updated.Format(time.RFC1123Z),
				Category:    []string{it.phase.Label(), it.impact.Label() + " impact"},
				Creator:     s.cfg.SiteName,
			})
		}
		body, err := feedXML(doc)
		return rendered{rssType, body, 0}, err
	})
}

func feedXML(v any) ([]byte, error) {
	out, err := xml.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), append(out, '\n')...), nil
}

// feedItems returns the most recent incidents as feed items, newest
// StartedAt first, and when the newest of them last changed (now if there
// are none).
func (s *Server) feedItems(ctx context.Context, base string) ([]feedItem, time.Time, error) {
	active, err := s.incidents.ActiveIncidents(ctx)
	if err != nil {
		return nil, time.Time{}, err
	}
	recent, err := s.spRecent(ctx, active, feedMaxEntries)
	if err != nil {
		return nil, time.Time{}, err
	}
	components, err := s.incidents.Components(ctx)
	if err != nil {
		return nil, time.Time{}, err
	}
	names := namesOf(components)
	authority := feedAuthority(base)
	var items []feedItem
	var updated time.Time
	for _, inc := range recent {
		id := strconv.FormatInt(inc.ID, 10)
		it := feedItem{
			// RFC 4151: the authority and a date it was held (the day the
			// incident was recorded), then the incident's own name.
			id:        "tag:" + authority + "," + inc.CreatedAt.UTC().Format(time.DateOnly) + ":incidents/" + id,
			title:     inc.Title,
			link:      base + "/incidents/" + id,
			phase:     inc.Phase,
			impact:    inc.Impact,
			published: inc.StartedAt.UTC(),
			updated:   inc.UpdatedAt.UTC(),
			html:      timelineHTML(inc, names),
		}
		if it.updated.Before(it.published) {
			it.updated = it.published
		}
		if it.updated.After(updated) {
			updated = it.updated
		}
		items = append(items, it)
	}
	if updated.IsZero() {
		updated = s.now()
	}
	return items, updated, nil
}

// feedAuthority is the host name of base, as a tag: URI names its
// authority (no port, lower case).
func feedAuthority(base string) string {
	u, err := url.Parse(base)
	if err != nil || u.Hostname() == "" {
		return "amends.invalid"
	}
	return strings.ToLower(u.Hostname())
}

// timelineHTML summarises an incident as HTML: its affected components,
// then every update newest first with its phase, time, message and the
// components it changed. Every piece of text is escaped.
func timelineHTML(inc incidents.Incident, names componentNames) string {
	var b strings.Builder
	esc := html.EscapeString
	b.WriteString("<p><strong>" + esc(inc.Impact.Label()) + " impact</strong> · " + esc(inc.Phase.Label()))
	if ids := inc.AffectedComponents(); len(ids) > 0 {
		b.WriteString(" · Affected: " + esc(strings.Join(names.names(ids), ", ")))
	}
	b.WriteString("</p>\n")
	for i := len(inc.Updates) - 1; i >= 0; i-- {
		u := inc.Updates[i]
		at := u.At.UTC()
		b.WriteString("<h3>" + esc(u.Phase.Label()) + " · <time datetime=\"" + at.Format(time.RFC3339) + "\">" + esc(at.Format("2 Jan 2006, 15:04 UTC")) + "</time></h3>\n")
		for _, p := range paragraphs(u.Message) {
			b.WriteString("<p>" + strings.ReplaceAll(esc(p), "\n", "<br>") + "</p>\n")
		}
		if len(u.Components) > 0 {
			b.WriteString("<ul>\n")
			for _, cs := range u.Components {
				line := names.name(cs.Component) + ": " + cs.Status.Label()
				if cs.Status != incidents.Operational {
					line += " (" + percentText(cs.AffectedPercent) + " affected)"
				}
				b.WriteString("<li>" + esc(line) + "</li>\n")
			}
			b.WriteString("</ul>\n")
		}
	}
	return b.String()
}
