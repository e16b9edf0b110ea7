package statuspage

import (
	"encoding/xml"
	"html"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/report"
	"github.com/amends/amends/web/richtext"
)

// The incident history as feeds: Atom 1.0 (RFC 4287) and RSS 2.0. Each
// holds the FeedMaxEntries most recent entries, newest first by when they
// were first published: one per incident, active or resolved, whose
// content is its timeline, and one per published explanation, whose
// content is the explanation itself (the newest published revision,
// sanitised as on its page). An explanation is news of its own, so a
// reader who has long read the incident still sees it arrive; the
// incident's entry links to it (rel="related") as well. A new revision of
// an explanation keeps its entry's id and moves its updated instant.

const (
	// AtomType and RSSType are the feeds' content types.
	AtomType = "application/atom+xml; charset=utf-8"
	RSSType  = "application/rss+xml; charset=utf-8"
	// FeedMaxEntries is how many entries a feed holds: the n that
	// report.Reports.RecentHistory is asked for.
	FeedMaxEntries = 50
	atomNS         = "http://www.w3.org/2005/Atom"
	dcNS           = "http://purl.org/dc/elements/1.1/"
)

// Markdown renders an explanation's Markdown as HTML that is safe to put
// in a page, as the explanation's own page shows it.
type Markdown func(src string) (string, error)

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

// feedItem is one incident or explanation, ready for either format.
type feedItem struct {
	id        string // a tag: URI that never changes
	title     string
	link      string
	related   string // the incident's explanation, if published
	published time.Time
	updated   time.Time
	html      string // the timeline or the explanation, as HTML
	// categories are the entry's terms with their labels.
	categories []atomCategory
}

// Atom is the history as an Atom 1.0 feed (/history.atom).
func Atom(h report.RecentHistory, site Site, now time.Time, markdown Markdown) ([]byte, error) {
	base := site.URL
	items, updated, err := feedItems(h, base, now, markdown)
	if err != nil {
		return nil, err
	}
	f := atomFeed{
		ID:       base + "/history.atom",
		Title:    atomText{Type: "text", Text: site.Name + " incident history"},
		Subtitle: atomText{Type: "text", Text: "Incidents of " + site.Name + " with their updates, and their explanations, newest first."},
		Updated:  updated.Format(time.RFC3339),
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: base + "/history.atom"},
			{Rel: "alternate", Type: "text/html", Href: base + "/history"},
		},
		Author:    atomPerson{Name: site.Name, URI: base + "/"},
		Generator: atomGenerator{Text: "Amends"},
	}
	for _, it := range items {
		links := []atomLink{{Rel: "alternate", Type: "text/html", Href: it.link}}
		if it.related != "" {
			links = append(links, atomLink{Rel: "related", Type: "text/html", Href: it.related})
		}
		f.Entries = append(f.Entries, atomEntry{
			ID:         it.id,
			Title:      atomText{Type: "text", Text: it.title},
			Links:      links,
			Published:  it.published.Format(time.RFC3339),
			Updated:    it.updated.Format(time.RFC3339),
			Author:     atomPerson{Name: site.Name},
			Categories: it.categories,
			Content:    atomText{Type: "html", Text: it.html},
		})
	}
	return feedXML(f)
}

// RSS is the history as an RSS 2.0 feed (/history.rss).
func RSS(h report.RecentHistory, site Site, now time.Time, markdown Markdown) ([]byte, error) {
	base := site.URL
	items, updated, err := feedItems(h, base, now, markdown)
	if err != nil {
		return nil, err
	}
	doc := rssDoc{
		Version: "2.0",
		Atom:    atomNS,
		DC:      dcNS,
		Channel: rssChannel{
			Title:         site.Name + " incident history",
			Link:          base + "/history",
			Description:   "Incidents of " + site.Name + " with their updates, and their explanations, newest first.",
			Language:      "en",
			LastBuildDate: updated.Format(time.RFC1123Z),
			Generator:     "Amends",
			Docs:          "https://www.rssboard.org/rss-specification",
			Self:          rssSelf{Href: base + "/history.rss", Rel: "self", Type: "application/rss+xml"},
		},
	}
	for _, it := range items {
		var categories []string
		for _, c := range it.categories {
			categories = append(categories, c.Label)
		}
		doc.Channel.Items = append(doc.Channel.Items, rssItem{
			Title:       it.title,
			Link:        it.link,
			Description: it.html,
			GUID:        rssGUID{Text: it.id},
			PubDate:     it.updated.Format(time.RFC1123Z),
			Category:    categories,
			Creator:     site.Name,
		})
	}
	return feedXML(doc)
}

func feedXML(v any) ([]byte, error) {
	out, err := xml.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), append(out, '\n')...), nil
}

// feedItems returns the history's incidents and published explanations as
// feed items, newest first by when they were first published (an
// incident's start, an explanation's first publication), at most
// FeedMaxEntries, and when the newest of them last changed (now if there
// are none).
func feedItems(h report.RecentHistory, base string, now time.Time, markdown Markdown) ([]feedItem, time.Time, error) {
	hasExplanation := map[int64]bool{}
	for _, x := range h.Explanations {
		hasExplanation[x.IncidentID] = true
	}
	names := namesOf(h.Components)
	authority := feedAuthority(base)
	var items []feedItem
	for _, inc := range h.Recent {
		id := strconv.FormatInt(inc.ID, 10)
		it := feedItem{
			// RFC 4151: the authority and a date it was held (the day the
			// incident was recorded), then the incident's own name.
			id:        "tag:" + authority + "," + inc.CreatedAt.UTC().Format(time.DateOnly) + ":incidents/" + id,
			title:     inc.Title,
			link:      base + "/incidents/" + id,
			published: inc.StartedAt.UTC(),
			updated:   inc.UpdatedAt.UTC(),
			html:      timelineHTML(inc, names),
			categories: []atomCategory{
				{Term: string(inc.Phase), Label: inc.Phase.Label()},
				{Term: "impact-" + string(inc.Impact), Label: inc.Impact.Label() + " impact"},
			},
		}
		if hasExplanation[inc.ID] {
			it.related = base + explanationPath(inc.ID)
			it.html += "<p><a href=\"" + html.EscapeString(it.related) + "\">Read the explanation and apology</a></p>\n"
		}
		items = append(items, it)
	}
	for _, x := range h.Explanations {
		it, err := explanationFeedItem(base, authority, x, markdown)
		if err != nil {
			return nil, time.Time{}, err
		}
		items = append(items, it)
	}
	for i := range items {
		if items[i].updated.Before(items[i].published) {
			items[i].updated = items[i].published
		}
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].published.After(items[j].published) })
	if len(items) > FeedMaxEntries {
		items = items[:FeedMaxEntries]
	}
	var updated time.Time
	for _, it := range items {
		if it.updated.After(updated) {
			updated = it.updated
		}
	}
	if updated.IsZero() {
		updated = now
	}
	return items, updated, nil
}

// explanationFeedItem is the entry of a published explanation: its newest
// published revision, rendered as on its page, first published at its
// first publication and updated at its latest.
func explanationFeedItem(base, authority string, x report.PublishedExplanation, markdown Markdown) (feedItem, error) {
	current := x.Current
	body, err := markdown(current.Body)
	if err != nil {
		return feedItem{}, err
	}
	id := strconv.FormatInt(x.IncidentID, 10)
	link := base + explanationPath(x.IncidentID)
	var b strings.Builder
	if x.Revisions > 1 {
		b.WriteString("<p><em>Updated: revision " + strconv.Itoa(current.Number) + ".</em></p>\n")
	}
	b.WriteString(body)
	b.WriteString("\n<p><a href=\"" + html.EscapeString(base+"/incidents/"+id) + "\">The incident and its timeline</a></p>\n")
	return feedItem{
		id:         "tag:" + authority + "," + x.FirstPublishedAt.UTC().Format(time.DateOnly) + ":incidents/" + id + "/explanation",
		title:      current.Title,
		link:       link,
		published:  x.FirstPublishedAt.UTC(),
		updated:    x.LastPublishedAt.UTC(),
		html:       b.String(),
		categories: []atomCategory{{Term: "explanation", Label: "Explanation"}},
	}, nil
}

// explanationPath is the public page of incident id's explanation.
func explanationPath(id int64) string {
	return "/incidents/" + strconv.FormatInt(id, 10) + "/explanation"
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
		if u.ExternalID != "" && richtext.IsHTML(u.Message) {
			// An imported body written in HTML, sanitised as the page
			// shows it.
			b.WriteString("<div>" + richtext.HTML(u.Message) + "</div>\n")
		} else {
			for _, p := range paragraphs(u.Message) {
				b.WriteString("<p>" + strings.ReplaceAll(esc(p), "\n", "<br>") + "</p>\n")
			}
		}
		if len(u.Components) > 0 {
			b.WriteString("<ul>\n")
			for _, cs := range u.Components {
				line := names.name(cs.Component) + ": " + cs.Status.Label()
				if cs.Status != incidents.Operational {
					line += " (" + cs.AffectedPercent.String() + "% affected)"
				}
				b.WriteString("<li>" + esc(line) + "</li>\n")
			}
			b.WriteString("</ul>\n")
		}
	}
	return b.String()
}

// paragraphs splits a message at blank lines, as the pages do.
func paragraphs(msg string) []string {
	msg = strings.ReplaceAll(msg, "\r\n", "\n")
	var out []string
	for _, p := range strings.Split(msg, "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
