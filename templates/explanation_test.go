package templates

import (
	"strings"
	"testing"
)

func sampleExplanation() ExplanationPage {
	return ExplanationPage{
		Page: Page{
			Title: "Summary of the ELB event", Description: "What happened, why, and our apology.", Nav: publicNav("/incidents/7/explanation"),
			OGType: "article", OGURL: "https://status.example.com/incidents/7/explanation",
		},
		Incident:  elbSummary("/incidents/7"),
		Title:     "Summary of the ELB event",
		BodyHTML:  "<h2>What happened</h2><p>Load balancers failed.</p><table><tr><th>Component</th></tr><tr><td>ELB</td></tr></table>",
		Number:    2,
		Published: at("2012-12-29T02:00:00Z", "29 Dec 2012, 02:00 UTC"),
		Updated:   at("2013-01-04T10:00:00Z", "4 Jan 2013, 10:00 UTC"),
		History: []RevisionLink{
			{Number: 2, URL: "/incidents/7/explanation/revisions/2", Published: at("2013-01-04T10:00:00Z", "4 Jan 2013, 10:00 UTC"), Shown: true},
			{Number: 1, URL: "/incidents/7/explanation/revisions/1", Published: at("2012-12-29T02:00:00Z", "29 Dec 2012, 02:00 UTC")},
		},
		CurrentURL: "/incidents/7/explanation",
	}
}

func TestExplanationPage(t *testing.T) {
	doc, _ := render(t, Explanation(sampleExplanation()))
	checkPage(t, doc)
	mustContain(t, mustOne(t, doc, "explanation-title"), "title", "Summary of the ELB event")
	mustContain(t, mustOne(t, doc, "explanation-published"), "published", "29 Dec 2012, 02:00 UTC")
	mustContain(t, mustOne(t, doc, "explanation-updated"), "updated", "4 Jan 2013, 10:00 UTC")
	if mustOne(t, doc, "explanation-body").Find("table td").Length() != 1 {
		t.Error("the body HTML is not written as HTML")
	}
	for prop, want := range map[string]string{"og:type": "article", "og:url": "https://status.example.com/incidents/7/explanation"} {
		if got, _ := doc.Find(`meta[property="` + prop + `"]`).Attr("content"); got != want {
			t.Errorf("%s = %q, want %q", prop, got, want)
		}
	}
	links := byTestID(doc, "revision-link")
	if links.Length() != 2 {
		t.Fatalf("%d revision links", links.Length())
	}
	if cur, _ := links.First().Find("a").Attr("aria-current"); cur != "page" {
		t.Errorf("the revision shown is not marked: %q", cur)
	}
	if byTestID(doc, "explanation-superseded").Length() != 0 {
		t.Error("the newest revision is marked superseded")
	}

	// One revision: no "Updated", no history; an old one says so.
	v := sampleExplanation()
	v.Updated, v.History = Time{}, v.History[1:]
	doc, _ = render(t, Explanation(v))
	if byTestID(doc, "explanation-updated").Length() != 0 || byTestID(doc, "revision-history").Length() != 0 {
		t.Error("a single revision shows Updated or a history")
	}
	v = sampleExplanation()
	v.Superseded = true
	doc, _ = render(t, Explanation(v))
	mustContain(t, mustOne(t, doc, "explanation-superseded"), "superseded", "an earlier version")

	// Pages without OpenGraph fields do not get them.
	doc, _ = render(t, History(sampleHistory()))
	if doc.Find(`meta[property="og:type"], meta[property="og:url"]`).Length() != 0 {
		t.Error("og:type or og:url on a page that sets neither")
	}
}

func sampleAdminExplanation() AdminExplanationPage {
	return AdminExplanationPage{
		Page:       Page{Title: "Explanation", Nav: adminNav("/admin/incidents/7/explanation")},
		IncidentID: 7,
		Incident:   elbSummary("/admin/incidents/7"),
		Number:     1,
		State:      StatusBadge{Class: "draft", Label: "Draft"},
		Title:      "Summary",
		Body:       "## What happened\n\n<script>alert(1)</script>",
		Author:     "support@example.com",
		Editors:    "manager@example.com",
		ReturnNote: "Say what changes.",
		ReturnedBy: "reviewer@example.com",
		CanEdit:    true,
		Revisions: []AdminRevisionRow{
			{Number: 1, Title: "Summary", State: StatusBadge{Class: "draft", Label: "Draft"}, Author: "support@example.com", Updated: at("2012-12-27T16:00:00Z", "27 Dec 2012, 16:00 UTC")},
		},
		PreviewHTML: "<h2>What happened</h2>",
		Error:       FormError{Summary: "Please correct the field marked below: must not be empty", Fields: map[string]string{"body": "must not be empty"}},
	}
}

func TestAdminExplanation(t *testing.T) {
	doc, html := render(t, AdminExplanation(sampleAdminExplanation()))
	checkPage(t, doc)
	form := mustOne(t, doc, "explanation-form")
	if form.Find(`button[name="action"]`).Length() != 3 {
		t.Error("the editor lacks save, preview and submit")
	}
	if strings.Contains(html, "<script>alert") {
		t.Error("the editor's text is not escaped")
	}
	mustContain(t, mustOne(t, doc, "return-note"), "note", "Say what changes.")
	mustContain(t, mustOne(t, doc, "explanation-preview"), "preview", "What happened")
	if msg := text(form.Find(`[data-testid="field-error"]`)); !strings.Contains(msg, "must not be empty") {
		t.Errorf("body error %q", msg)
	}

	// In review: the reviewer may publish or return it; the writer may not.
	v := sampleAdminExplanation()
	v.CanEdit, v.State, v.Error = false, StatusBadge{Class: "in_review", Label: "In review"}, FormError{}
	v.CanReview, v.CanPublish = true, true
	doc, _ = render(t, AdminExplanation(v))
	checkPage(t, doc)
	mustOne(t, doc, "publish-form")
	mustOne(t, doc, "return-form")
	if byTestID(doc, "explanation-form").Length() != 0 {
		t.Error("text in review is editable")
	}
	v.CanPublish, v.PublishNote = false, "You wrote or edited this revision."
	doc, _ = render(t, AdminExplanation(v))
	if byTestID(doc, "publish-form").Length() != 0 {
		t.Error("the writer is offered publishing")
	}
	mustContain(t, mustOne(t, doc, "publish-note"), "publish note", "You wrote or edited")

	// A viewer reads only.
	v = sampleAdminExplanation()
	v.CanEdit, v.PreviewHTML, v.Error = false, "", FormError{}
	doc, _ = render(t, AdminExplanation(v))
	checkPage(t, doc)
	mustOne(t, doc, "readonly-notice")
	if doc.Find("form").Length() != 1 { // sign out only
		t.Errorf("a viewer gets %d forms", doc.Find("form").Length())
	}
}
