package web

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/web/statuspage"
)

// feedGet fetches a feed and checks its status and content type.
func feedGet(t *testing.T, env *testEnv, path, contentType string) []byte {
	t.Helper()
	resp, body := env.request(http.MethodGet, path, nil, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != contentType {
		t.Errorf("GET %s: Content-Type %q, want %q", path, ct, contentType)
	}
	return body
}

// feedValidateAtom validates doc against the RELAX NG schema of RFC 4287
// (Appendix B) with xmllint.
func feedValidateAtom(t *testing.T, doc []byte) {
	t.Helper()
	feedValidate(t, doc, "atom.rng", "the Atom feed is not valid RFC 4287")
}

// feedValidateRSS validates doc against web/testdata/rss.rng, the RSS
// Board's RSS 2.0 specification in RELAX NG, with xmllint.
func feedValidateRSS(t *testing.T, doc []byte) {
	t.Helper()
	feedValidate(t, doc, "rss.rng", "the RSS feed is not valid RSS 2.0")
}

func feedValidate(t *testing.T, doc []byte, schema, problem string) {
	t.Helper()
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Fatal("xmllint is not installed: install libxml2-utils (apt-get install -y libxml2-utils) to validate the feeds; CI installs it")
	}
	file := filepath.Join(t.TempDir(), "feed.xml")
	if err := os.WriteFile(file, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(xmllint, "--noout", "--relaxng", filepath.Join("testdata", schema), file).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s\n%s", problem, err, out, doc)
	}
}

// Atom as a reader parses it.
type feedAtom struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Links   []struct {
		Rel  string `xml:"rel,attr"`
		Type string `xml:"type,attr"`
		Href string `xml:"href,attr"`
	} `xml:"link"`
	Author  *struct{ Name string } `xml:"author"`
	Entries []struct {
		ID        string `xml:"id"`
		Title     string `xml:"title"`
		Published string `xml:"published"`
		Updated   string `xml:"updated"`
		Links     []struct {
			Rel  string `xml:"rel,attr"`
			Type string `xml:"type,attr"`
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Author *struct {
			Name string `xml:"name"`
		} `xml:"author"`
		Content struct {
			Type string `xml:"type,attr"`
			Text string `xml:",chardata"`
		} `xml:"content"`
	} `xml:"entry"`
}

func feedParseAtom(t *testing.T, doc []byte) feedAtom {
	t.Helper()
	var f feedAtom
	if err := xml.Unmarshal(doc, &f); err != nil {
		t.Fatalf("parsing the Atom feed: %v", err)
	}
	return f
}

func TestFeedAtomIsValidRFC4287(t *testing.T) {
	// An empty history is a valid feed too.
	empty := newTestEnv(t)
	feedValidateAtom(t, feedGet(t, empty, "/history.atom", "application/atom+xml; charset=utf-8"))

	f := newSPFixture(t)
	doc := feedGet(t, f.env, "/history.atom", "application/atom+xml; charset=utf-8")
	feedValidateAtom(t, doc)
	feed := feedParseAtom(t, doc)

	// What the schema cannot say (RFC 4287's Schematron rules and 4.1.1):
	// an author for every entry, unique ids, one alternate link per type,
	// and a self link.
	if feed.Updated != "2012-12-24T20:00:00Z" || feed.ID == "" {
		t.Errorf("feed id %q, updated %q", feed.ID, feed.Updated)
	}
	self := false
	for _, l := range feed.Links {
		self = self || l.Rel == "self" && l.Href == spTestBase+"/history.atom" && l.Type == "application/atom+xml"
	}
	if !self {
		t.Errorf("no rel=self link: %+v", feed.Links)
	}
	if len(feed.Entries) != 2 {
		t.Fatalf("%d entries, want 2", len(feed.Entries))
	}
	ids := map[string]bool{}
	for i, e := range feed.Entries {
		if ids[e.ID] {
			t.Errorf("entry %d: id %q repeats", i, e.ID)
		}
		ids[e.ID] = true
		if feed.Author == nil && e.Author == nil {
			t.Errorf("entry %d has no author and neither has the feed", i)
		}
		alternates := map[string]int{}
		for _, l := range e.Links {
			if l.Rel == "alternate" || l.Rel == "" {
				alternates[l.Type]++
			}
		}
		for typ, n := range alternates {
			if n > 1 {
				t.Errorf("entry %d: %d alternate links of type %q", i, n, typ)
			}
		}
	}

	// Newest first; each entry links to its incident and has a stable tag.
	for i, inc := range []incidents.Incident{f.active, f.resolved} {
		e := feed.Entries[i]
		wantID := fmt.Sprintf("tag:status.example.com,2012-12-24:incidents/%d", inc.ID)
		if e.ID != wantID || e.Title != inc.Title {
			t.Errorf("entry %d: id %q title %q, want %q %q", i, e.ID, e.Title, wantID, inc.Title)
		}
		if len(e.Links) != 1 || e.Links[0].Href != fmt.Sprintf("%s/incidents/%d", spTestBase, inc.ID) {
			t.Errorf("entry %d: links %+v", i, e.Links)
		}
		if e.Updated != inc.UpdatedAt.UTC().Format(time.RFC3339) || e.Published != inc.StartedAt.UTC().Format(time.RFC3339) {
			t.Errorf("entry %d: updated %q published %q", i, e.Updated, e.Published)
		}
		if e.Author == nil || e.Author.Name != "Test Cloud" {
			t.Errorf("entry %d: author %+v", i, e.Author)
		}
	}
	// The content is the timeline: every update's phase, time and message.
	c := feed.Entries[1].Content
	if c.Type != "html" {
		t.Errorf("content type %q", c.Type)
	}
	for _, want := range []string{
		"Resolved · <time datetime=\"2012-12-24T15:00:00Z\">24 Dec 2012, 15:00 UTC</time>", "Phase resolved.",
		"Monitoring · ", "Identified · ", "Investigating · ", "ELB us-east-1: Partial outage (6.8% affected)",
	} {
		if !strings.Contains(c.Text, want) {
			t.Errorf("content lacks %q:\n%s", want, c.Text)
		}
	}
	if strings.Index(c.Text, "Resolved ·") > strings.Index(c.Text, "Investigating ·") {
		t.Errorf("updates are not newest first:\n%s", c.Text)
	}

	// An update changes the entry's updated instant, never its id.
	f.env.clock.Advance(time.Minute)
	if _, err := f.env.incidents.AddUpdate(t.Context(), audit.Person("ops"), f.active.ID, incidents.UpdateInput{Phase: incidents.Identified, Message: "Found it."}, f.env.clock.Now()); err != nil {
		t.Fatal(err)
	}
	f.env.passRevisionCheck()
	again := feedParseAtom(t, feedGet(t, f.env, "/history.atom", "application/atom+xml; charset=utf-8"))
	if again.Entries[0].ID != feed.Entries[0].ID || again.Entries[0].Updated == feed.Entries[0].Updated || again.Updated == feed.Updated {
		t.Errorf("after an update: id %q (was %q), updated %q (was %q)", again.Entries[0].ID, feed.Entries[0].ID, again.Entries[0].Updated, feed.Entries[0].Updated)
	}
}

// RSS 2.0 as a reader parses it.
type feedRSS struct {
	XMLName xml.Name `xml:"rss"`
	Version string   `xml:"version,attr"`
	Channel struct {
		// Self comes first: encoding/xml gives an element to the first
		// field that matches, and "link" with no namespace matches any.
		Self struct {
			Href string `xml:"href,attr"`
			Rel  string `xml:"rel,attr"`
		} `xml:"http://www.w3.org/2005/Atom link"`
		Title         *string `xml:"title"`
		Link          *string `xml:"link"`
		Description   *string `xml:"description"`
		LastBuildDate string  `xml:"lastBuildDate"`
		Items         []struct {
			Title       string `xml:"title"`
			Link        string `xml:"link"`
			Description string `xml:"description"`
			GUID        struct {
				IsPermaLink string `xml:"isPermaLink,attr"`
				Text        string `xml:",chardata"`
			} `xml:"guid"`
			PubDate string `xml:"pubDate"`
			Creator string `xml:"http://purl.org/dc/elements/1.1/ creator"`
		} `xml:"item"`
	} `xml:"channel"`
}

func TestFeedRSSStructure(t *testing.T) {
	f := newSPFixture(t)
	doc := feedGet(t, f.env, "/history.rss", "application/rss+xml; charset=utf-8")
	feedValidateRSS(t, doc)
	// The schema refuses what the specification refuses: a channel without
	// its description, and a date that is not RFC 822.
	firstDescription := regexp.MustCompile(`(?s)<description>.*?</description>`).FindString(string(doc))
	for name, broken := range map[string]string{
		"no channel description": strings.Replace(string(doc), firstDescription, "", 1),
		"a bad date":             regexp.MustCompile(`<pubDate>[^<]*</pubDate>`).ReplaceAllString(string(doc), "<pubDate>2012-12-24</pubDate>"),
	} {
		xmllint, _ := exec.LookPath("xmllint")
		file := filepath.Join(t.TempDir(), "broken.xml")
		if err := os.WriteFile(file, []byte(broken), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := exec.Command(xmllint, "--noout", "--relaxng", filepath.Join("testdata", "rss.rng"), file).Run(); err == nil {
			t.Errorf("the RSS schema accepted a feed with %s", name)
		}
	}
	var rss feedRSS
	if err := xml.Unmarshal(doc, &rss); err != nil {
		t.Fatalf("parsing the RSS feed: %v\n%s", err, doc)
	}
	ch := rss.Channel
	if rss.Version != "2.0" {
		t.Errorf("version %q", rss.Version)
	}
	// The three required channel elements.
	if ch.Title == nil || *ch.Title == "" || ch.Link == nil || *ch.Link != spTestBase+"/history" || ch.Description == nil || *ch.Description == "" {
		t.Errorf("channel title, link, description: %q, %q, %q", feedDeref(ch.Title), feedDeref(ch.Link), feedDeref(ch.Description))
	}
	if ch.Self.Href != spTestBase+"/history.rss" || ch.Self.Rel != "self" {
		t.Errorf("atom:link self = %+v", ch.Self)
	}
	if _, err := time.Parse(time.RFC1123Z, ch.LastBuildDate); err != nil {
		t.Errorf("lastBuildDate %q: %v", ch.LastBuildDate, err)
	}
	if len(ch.Items) != 2 {
		t.Fatalf("%d items, want 2", len(ch.Items))
	}
	for i, inc := range []incidents.Incident{f.active, f.resolved} {
		it := ch.Items[i]
		if it.Title != inc.Title || it.Link != fmt.Sprintf("%s/incidents/%d", spTestBase, inc.ID) || it.Description == "" {
			t.Errorf("item %d: %+v", i, it)
		}
		if it.GUID.IsPermaLink != "false" || !strings.HasPrefix(it.GUID.Text, "tag:status.example.com,") {
			t.Errorf("item %d: guid %+v", i, it.GUID)
		}
		when, err := time.Parse(time.RFC1123Z, it.PubDate)
		if err != nil {
			t.Errorf("item %d: pubDate %q: %v", i, it.PubDate, err)
		} else if !when.Equal(inc.UpdatedAt) {
			t.Errorf("item %d: pubDate %v, want %v", i, when, inc.UpdatedAt)
		}
		if it.Creator != "Test Cloud" {
			t.Errorf("item %d: dc:creator %q", i, it.Creator)
		}
	}
	if !strings.Contains(ch.Items[1].Description, "Phase monitoring.") {
		t.Errorf("description lacks the timeline:\n%s", ch.Items[1].Description)
	}
}

// TestFeedEscapesMessages: a message is text. In the document the HTML
// content is escaped once for XML, and the message within it once more for
// HTML, so a reader never sees a script element.
func TestFeedEscapesMessages(t *testing.T) {
	f := newSPFixture(t)
	for _, path := range []string{"/history.atom", "/history.rss"} {
		doc := string(feedGet(t, f.env, path, map[string]string{"/history.atom": statuspage.AtomType, "/history.rss": statuspage.RSSType}[path]))
		if strings.Contains(strings.ToLower(doc), "<script") {
			t.Errorf("%s holds a script element:\n%s", path, doc)
		}
		var html string
		if path == "/history.atom" {
			html = feedParseAtom(t, []byte(doc)).Entries[1].Content.Text
		} else {
			var rss feedRSS
			if err := xml.Unmarshal([]byte(doc), &rss); err != nil {
				t.Fatal(err)
			}
			html = rss.Channel.Items[1].Description
		}
		if strings.Contains(html, "<script") || !strings.Contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s: the HTML content does not escape the message:\n%s", path, html)
		}
	}
}

func TestFeedFiftyMostRecentIncidents(t *testing.T) {
	env := newTestEnv(t)
	base := env.clock.Now().Add(-100 * 24 * time.Hour)
	for i := range 52 {
		env.backfill(fmt.Sprintf("Incident %d", i), base.Add(time.Duration(i)*24*time.Hour), change("elb-us-east-1", incidents.DegradedPerformance, ""))
	}
	atom := feedParseAtom(t, feedGet(t, env, "/history.atom", statuspage.AtomType))
	if len(atom.Entries) != 50 || atom.Entries[0].Title != "Incident 51" || atom.Entries[49].Title != "Incident 2" {
		t.Errorf("%d entries from %q", len(atom.Entries), atom.Entries[0].Title)
	}
	var rss feedRSS
	if err := xml.Unmarshal(feedGet(t, env, "/history.rss", statuspage.RSSType), &rss); err != nil {
		t.Fatal(err)
	}
	if len(rss.Channel.Items) != 50 || rss.Channel.Items[0].Title != "Incident 51" {
		t.Errorf("%d items", len(rss.Channel.Items))
	}
}

func TestFeedCachedWithETag(t *testing.T) {
	env := newTestEnv(t)
	env.declare("Trouble", change("elb-us-east-1", incidents.PartialOutage, ""))
	for _, path := range []string{"/history.atom", "/history.rss"} {
		resp, _ := env.request(http.MethodGet, path, nil, nil)
		etag := resp.Header.Get("ETag")
		if etag == "" {
			t.Fatalf("%s: no ETag", path)
		}
		resp, body := env.request(http.MethodGet, path, http.Header{"If-None-Match": {etag}}, nil)
		if resp.StatusCode != http.StatusNotModified || len(body) != 0 {
			t.Errorf("%s with If-None-Match: %d", path, resp.StatusCode)
		}
		resp, _ = env.request(http.MethodGet, path, http.Header{"Accept-Encoding": {"gzip"}}, nil)
		if resp.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("%s: not gzipped", path)
		}
	}
}

func feedDeref(s *string) string {
	if s == nil {
		return "<missing>"
	}
	return *s
}

// TestFeedExplanationIsAnEntry: a published explanation is news of its
// own: an entry whose content is the explanation (sanitised), linked from
// its incident's entry, whose id stays and whose updated instant moves
// when a new revision is published. Atom stays valid.
func TestFeedExplanationIsAnEntry(t *testing.T) {
	f := newSPFixture(t)
	f.env.clock.Advance(time.Hour) // 2012-12-24 21:00
	spPublishExplanation(t, f.env, f.resolved.ID, "What happened to the load balancers", hostileMarkdown)

	doc := feedGet(t, f.env, "/history.atom", statuspage.AtomType)
	feedValidateAtom(t, doc)
	feed := feedParseAtom(t, doc)
	if len(feed.Entries) != 3 {
		t.Fatalf("%d entries, want the explanation and two incidents", len(feed.Entries))
	}
	x := feed.Entries[0]
	explanationURL := fmt.Sprintf("%s/incidents/%d/explanation", spTestBase, f.resolved.ID)
	wantID := fmt.Sprintf("tag:status.example.com,2012-12-24:incidents/%d/explanation", f.resolved.ID)
	if x.ID != wantID || x.Title != "What happened to the load balancers" {
		t.Errorf("explanation entry: id %q title %q, want %q", x.ID, x.Title, wantID)
	}
	if len(x.Links) != 1 || x.Links[0].Href != explanationURL || x.Links[0].Rel != "alternate" {
		t.Errorf("explanation links %+v", x.Links)
	}
	if x.Published != "2012-12-24T21:00:00Z" || x.Updated != "2012-12-24T21:00:00Z" || feed.Updated != "2012-12-24T21:00:00Z" {
		t.Errorf("published %q updated %q, feed updated %q", x.Published, x.Updated, feed.Updated)
	}
	for _, want := range []string{"<h2>What happened</h2>", "<h2>Our apology</h2>", "We are sorry.", fmt.Sprintf(`href="%s/incidents/%d"`, spTestBase, f.resolved.ID)} {
		if !strings.Contains(x.Content.Text, want) {
			t.Errorf("explanation content lacks %q:\n%s", want, x.Content.Text)
		}
	}
	for _, bad := range []string{"<script", "javascript:", "onerror", "<iframe"} {
		if strings.Contains(x.Content.Text, bad) {
			t.Errorf("explanation content holds %q:\n%s", bad, x.Content.Text)
		}
	}
	// The incident's entry links to the explanation too.
	inc := feed.Entries[2]
	if inc.Title != f.resolved.Title || len(inc.Links) != 2 || inc.Links[1].Rel != "related" || inc.Links[1].Href != explanationURL ||
		!strings.Contains(inc.Content.Text, explanationURL) {
		t.Errorf("incident entry %q links %+v", inc.Title, inc.Links)
	}
	if other := feed.Entries[1]; len(other.Links) != 1 {
		t.Errorf("an incident without explanation links %+v", other.Links)
	}

	// RSS has the same entries.
	var rss feedRSS
	if err := xml.Unmarshal(feedGet(t, f.env, "/history.rss", statuspage.RSSType), &rss); err != nil {
		t.Fatal(err)
	}
	if items := rss.Channel.Items; len(items) != 3 || items[0].Link != explanationURL || items[0].GUID.Text != wantID ||
		!strings.Contains(items[0].Description, "<h2>What happened</h2>") {
		t.Errorf("RSS items %+v", items)
	}

	// A second revision: the same entry, updated.
	f.env.clock.Advance(24 * time.Hour)
	spPublishExplanation(t, f.env, f.resolved.ID, "What happened to the load balancers (corrected)", "## What happened\n\nCorrected.")
	again := feedParseAtom(t, feedGet(t, f.env, "/history.atom", statuspage.AtomType))
	y := again.Entries[0]
	if y.ID != wantID || y.Published != "2012-12-24T21:00:00Z" || y.Updated != "2012-12-25T21:00:00Z" ||
		y.Title != "What happened to the load balancers (corrected)" || !strings.Contains(y.Content.Text, "revision 2") {
		t.Errorf("after a new revision: %+v", y)
	}
}
