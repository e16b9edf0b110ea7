package statuspage

import (
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/incidents"
	"github.com/amends/amends/report"
)

// These test the feed builders on histories made in memory; web's tests
// validate the served feeds against the Atom and RSS schemas.

// plainMarkdown stands in for web's renderer: it marks what it rendered.
func plainMarkdown(src string) (string, error) { return "<p>" + src + "</p>", nil }

type testAtom struct {
	Updated string `xml:"updated"`
	Entries []struct {
		ID        string `xml:"id"`
		Title     string `xml:"title"`
		Published string `xml:"published"`
		Updated   string `xml:"updated"`
		Links     []struct {
			Rel  string `xml:"rel,attr"`
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Content string `xml:"content"`
	} `xml:"entry"`
}

func parseAtom(t *testing.T, h report.RecentHistory, now time.Time) testAtom {
	t.Helper()
	doc, err := Atom(h, testSite, now, plainMarkdown)
	if err != nil {
		t.Fatal(err)
	}
	var f testAtom
	if err := xml.Unmarshal(doc, &f); err != nil {
		t.Fatalf("%v\n%s", err, doc)
	}
	return f
}

// testIncident is a resolved incident that started at start and was last
// updated an hour later.
func testIncident(id int64, start time.Time) incidents.Incident {
	end := start.Add(time.Hour)
	return incidents.Incident{
		ID: id, Title: fmt.Sprintf("Incident %d", id), Impact: incidents.ImpactMinor, Phase: incidents.Resolved,
		StartedAt: start, CreatedAt: start, UpdatedAt: end, ResolvedAt: &end,
		Updates: []incidents.Update{
			{ID: 2 * id, Phase: incidents.Investigating, Message: "Looking.", At: start, CreatedAt: start,
				Components: []incidents.ComponentStatus{{Component: "elb-a", Status: incidents.PartialOutage, AffectedPercent: 68000}}},
			{ID: 2*id + 1, Phase: incidents.Resolved, Message: "Done.", At: end, CreatedAt: end,
				Components: []incidents.ComponentStatus{{Component: "elb-a", Status: incidents.Operational}}},
		},
	}
}

func TestFeedOfAnEmptyHistoryIsUpdatedNow(t *testing.T) {
	f := parseAtom(t, report.RecentHistory{}, testNow)
	if f.Updated != "2012-12-24T20:00:00Z" || len(f.Entries) != 0 {
		t.Errorf("updated %q with %d entries, want now and none", f.Updated, len(f.Entries))
	}
	doc, err := RSS(report.RecentHistory{}, testSite, testNow, plainMarkdown)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), "<lastBuildDate>Mon, 24 Dec 2012 20:00:00 +0000</lastBuildDate>") {
		t.Errorf("RSS of an empty history:\n%s", doc)
	}
}

func TestFeedEntriesNewestFirstAndAtMostFifty(t *testing.T) {
	var h report.RecentHistory
	h.Components = []incidents.Component{{ID: "elb-a", Name: "ELB A"}}
	first := testNow.Add(-60 * 24 * time.Hour)
	for i := range 50 {
		h.Recent = append([]incidents.Incident{testIncident(int64(i+1), first.Add(time.Duration(i)*24*time.Hour))}, h.Recent...)
	}
	// The explanation of incident 3, first published after every incident
	// started, and revised since: it comes first and pushes the oldest
	// incident out.
	h.Explanations = []report.PublishedExplanation{{
		ExplanationSummary: incidents.ExplanationSummary{
			IncidentID: 3, Revisions: 2, FirstPublishedAt: testNow.Add(-time.Hour), LastPublishedAt: testNow.Add(-time.Minute),
		},
		Current: incidents.Revision{IncidentID: 3, Number: 2, Title: "What happened", Body: "We are sorry."},
	}}
	f := parseAtom(t, h, testNow)
	if len(f.Entries) != FeedMaxEntries {
		t.Fatalf("%d entries, want %d", len(f.Entries), FeedMaxEntries)
	}
	x := f.Entries[0]
	if x.ID != "tag:status.example.com,2012-12-24:incidents/3/explanation" || x.Title != "What happened" ||
		x.Published != "2012-12-24T19:00:00Z" || x.Updated != "2012-12-24T19:59:00Z" || f.Updated != x.Updated {
		t.Errorf("explanation entry %+v, feed updated %q", x, f.Updated)
	}
	for _, want := range []string{"<p><em>Updated: revision 2.</em></p>", "<p>We are sorry.</p>", `<a href="https://status.example.com/incidents/3">`} {
		if !strings.Contains(x.Content, want) {
			t.Errorf("explanation content lacks %q:\n%s", want, x.Content)
		}
	}
	if f.Entries[1].Title != "Incident 50" || f.Entries[49].Title != "Incident 2" {
		t.Errorf("entries from %q to %q, want Incident 50 to Incident 2", f.Entries[1].Title, f.Entries[49].Title)
	}
	explained := f.Entries[48] // incident 3
	if len(explained.Links) != 2 || explained.Links[1].Rel != "related" || explained.Links[1].Href != "https://status.example.com/incidents/3/explanation" {
		t.Errorf("the explained incident's links %+v", explained.Links)
	}
}

func TestFeedTimelineIsEscapedHTML(t *testing.T) {
	inc := testIncident(1, testNow.Add(-2*time.Hour))
	inc.Updates[0].Message = "First <b>paragraph</b>\r\nsame paragraph.\n\n\n  Second & last.  "
	h := report.RecentHistory{Components: []incidents.Component{{ID: "elb-a", Name: "ELB <A>"}}, Recent: []incidents.Incident{inc}}
	got := parseAtom(t, h, testNow).Entries[0].Content
	want := "<p><strong>Minor impact</strong> · Resolved · Affected: ELB &lt;A&gt;</p>\n" +
		"<h3>Resolved · <time datetime=\"2012-12-24T19:00:00Z\">24 Dec 2012, 19:00 UTC</time></h3>\n" +
		"<p>Done.</p>\n<ul>\n<li>ELB &lt;A&gt;: Operational</li>\n</ul>\n" +
		"<h3>Investigating · <time datetime=\"2012-12-24T18:00:00Z\">24 Dec 2012, 18:00 UTC</time></h3>\n" +
		"<p>First &lt;b&gt;paragraph&lt;/b&gt;<br>same paragraph.</p>\n<p>Second &amp; last.</p>\n" +
		"<ul>\n<li>ELB &lt;A&gt;: Partial outage (6.8% affected)</li>\n</ul>\n"
	if got != want {
		t.Errorf("timeline:\n%s\nwant:\n%s", got, want)
	}
}

func TestFeedFailsWhenAnExplanationCannotBeRendered(t *testing.T) {
	broken := errors.New("markdown broke")
	h := report.RecentHistory{Explanations: []report.PublishedExplanation{{
		ExplanationSummary: incidents.ExplanationSummary{IncidentID: 1, Revisions: 1, FirstPublishedAt: testNow, LastPublishedAt: testNow},
		Current:            incidents.Revision{Number: 1, Title: "T", Body: "B"},
	}}}
	fail := func(string) (string, error) { return "", broken }
	if _, err := Atom(h, testSite, testNow, fail); !errors.Is(err, broken) {
		t.Errorf("Atom: %v, want the renderer's error", err)
	}
	if _, err := RSS(h, testSite, testNow, fail); !errors.Is(err, broken) {
		t.Errorf("RSS: %v, want the renderer's error", err)
	}
}

func TestFeedAuthority(t *testing.T) {
	for base, want := range map[string]string{
		"https://Status.Example.COM:8443": "status.example.com",
		"http://127.0.0.1:8080":           "127.0.0.1",
		"not a url":                       "amends.invalid",
	} {
		if got := feedAuthority(base); got != want {
			t.Errorf("feedAuthority(%q) = %q, want %q", base, got, want)
		}
	}
}
