package incidents

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/internal/errs"
)

// explanationWith returns an explanation of incident 7 with the given
// revisions, numbered from 1.
func explanationWith(revs ...Revision) Explanation {
	e := Explanation{IncidentID: 7}
	for i, r := range revs {
		r.IncidentID, r.Number = 7, i+1
		if r.Author == "" {
			r.Author = "ann"
		}
		e.Revisions = append(e.Revisions, r)
	}
	return e
}

func TestExplanationRules(t *testing.T) {
	draft := Revision{Title: "T", Body: "B", State: RevisionDraft}
	review := Revision{Title: "T", Body: "B", State: RevisionInReview, SubmittedAt: &now}
	published := Revision{Title: "T", Body: "B", State: RevisionPublished, PublishedAt: &now, PublishedBy: "bob"}
	edited := review
	edited.Editors = []string{"cat"}
	long := strings.Repeat("x", MaxExplanationBodyLen+1)

	tests := []struct {
		name string
		e    Explanation
		do   func(Explanation) error
		code errs.Code
		want string
	}{
		{"start while a draft is open", explanationWith(published, draft),
			func(e Explanation) error { _, err := e.Start("ann", "t", "b", now); return err },
			errs.Conflict, "revision 2 of this explanation is still draft: change that one instead of starting another"},
		{"start while one is in review", explanationWith(review),
			func(e Explanation) error { _, err := e.Start("ann", "t", "b", now); return err },
			errs.Conflict, "revision 1 of this explanation is still in review: change that one instead of starting another"},
		{"start with a long title", explanationWith(),
			func(e Explanation) error { _, err := e.Start("ann", strings.Repeat("t", 201), "b", now); return err },
			errs.Invalid, "title: is longer than 200 characters"},
		{"start with a long body", explanationWith(),
			func(e Explanation) error { _, err := e.Start("ann", "t", long, now); return err },
			errs.Invalid, "body: is longer than 100000 characters"},
		{"start with bad UTF-8", explanationWith(),
			func(e Explanation) error { _, err := e.Start("ann", "t", "\xff", now); return err },
			errs.Invalid, "body: is not valid UTF-8"},
		{"edit with nothing open", explanationWith(published),
			func(e Explanation) error { _, _, err := e.Edit("ann", "t", "b", now); return err },
			errs.Conflict, "there is no draft or revision in review to edit: start a new revision"},
		{"edit in review", explanationWith(review),
			func(e Explanation) error { _, _, err := e.Edit("ann", "t", "b", now); return err },
			errs.Conflict, "revision 1 is in review, so its text cannot change: a reviewer must return it to draft first"},
		{"edit with a long body", explanationWith(draft),
			func(e Explanation) error { _, _, err := e.Edit("ann", "t", long, now); return err },
			errs.Invalid, "body: is longer than 100000 characters"},
		{"submit without a title", explanationWith(Revision{Body: "B", State: RevisionDraft}),
			func(e Explanation) error { _, err := e.Submit("ann", now); return err },
			errs.Invalid, "title: must not be empty before it goes to review"},
		{"submit without a body", explanationWith(Revision{Title: "T", State: RevisionDraft}),
			func(e Explanation) error { _, err := e.Submit("ann", now); return err },
			errs.Invalid, "body: must not be empty before it goes to review"},
		{"submit twice", explanationWith(review),
			func(e Explanation) error { _, err := e.Submit("ann", now); return err },
			errs.Conflict, "revision 1 is already in review"},
		{"submit with nothing open", explanationWith(),
			func(e Explanation) error { _, err := e.Submit("ann", now); return err },
			errs.Conflict, "there is no draft or revision in review to submit: start a new revision"},
		{"return a draft", explanationWith(draft),
			func(e Explanation) error { _, err := e.Return("bob", "fix it", now); return err },
			errs.Conflict, "revision 1 is a draft, not in review"},
		{"return without a note", explanationWith(review),
			func(e Explanation) error { _, err := e.Return("bob", "  ", now); return err },
			errs.Invalid, "note: must not be empty"},
		{"return with a long note", explanationWith(review),
			func(e Explanation) error { _, err := e.Return("bob", strings.Repeat("n", 2001), now); return err },
			errs.Invalid, "note: is longer than 2000 characters"},
		{"publish a draft", explanationWith(draft),
			func(e Explanation) error { _, err := e.Publish("bob", now); return err },
			errs.Conflict, "revision 1 is a draft: submit it for review before it is published"},
		{"publish with nothing open", explanationWith(published),
			func(e Explanation) error { _, err := e.Publish("bob", now); return err },
			errs.Conflict, "there is no draft or revision in review to publish: start a new revision"},
		{"author publishes", explanationWith(review),
			func(e Explanation) error { _, err := e.Publish("ann", now); return err },
			errs.Forbidden, "nothing is published on one person's say: you wrote or edited revision 1, so another manager must review and publish it"},
		{"editor publishes", explanationWith(published, edited),
			func(e Explanation) error { _, err := e.Publish("cat", now); return err },
			errs.Forbidden, "nothing is published on one person's say: you wrote or edited revision 2, so another manager must review and publish it"},
	}
	for _, tt := range tests {
		before := cloneExplanation(tt.e)
		wantErr(t, tt.name, tt.do(tt.e), tt.code, tt.want)
		if !reflect.DeepEqual(before, tt.e) {
			t.Errorf("%s: the explanation was changed", tt.name)
		}
	}
}

func cloneExplanation(e Explanation) Explanation {
	out := e
	out.Revisions = nil
	for _, r := range e.Revisions {
		r.Editors = append([]string(nil), r.Editors...)
		out.Revisions = append(out.Revisions, r)
	}
	return out
}

func TestExplanationFlow(t *testing.T) {
	t0 := now.Add(500 * time.Millisecond) // stored instants are whole seconds
	e := Explanation{IncidentID: 7}
	r, err := e.Start("ann", "  Title ", "Body\r\n\n", t0)
	if err != nil {
		t.Fatal(err)
	}
	want := Revision{IncidentID: 7, Number: 1, Title: "Title", Body: "Body", State: RevisionDraft, Author: "ann", CreatedAt: now, UpdatedAt: now}
	if !reflect.DeepEqual(r, want) {
		t.Fatalf("Start: %+v, want %+v", r, want)
	}
	e.Revisions = []Revision{r}

	// The author's own edit adds no editor; another's does, once.
	t1 := now.Add(time.Minute)
	for _, step := range []struct {
		actor, body string
		changed     bool
		editors     []string
	}{
		{"ann", "Body 2", true, nil},
		{"cat", "Body 3", true, []string{"cat"}},
		{"cat", "Body 4", true, []string{"cat"}},
		{"dan", "Body 4", false, []string{"cat"}}, // unchanged text: no editor
	} {
		r, changed, err := e.Edit(step.actor, "Title", step.body, t1)
		if err != nil {
			t.Fatal(err)
		}
		if changed != step.changed || !reflect.DeepEqual(r.Editors, step.editors) || r.Body != step.body {
			t.Fatalf("Edit by %s: changed %v editors %v body %q", step.actor, changed, r.Editors, r.Body)
		}
		e.Revisions[0] = r
	}
	if !e.Revisions[0].UpdatedAt.Equal(t1) {
		t.Errorf("UpdatedAt %v, want %v", e.Revisions[0].UpdatedAt, t1)
	}

	r, err = e.Submit("ann", t1)
	if err != nil || r.State != RevisionInReview || r.SubmittedAt == nil {
		t.Fatalf("Submit: %+v, %v", r, err)
	}
	e.Revisions[0] = r
	r, err = e.Return("bob", "Say when access changed.", t1)
	if err != nil || r.State != RevisionDraft || r.SubmittedAt != nil || r.ReturnNote != "Say when access changed." || r.ReturnedBy != "bob" {
		t.Fatalf("Return: %+v, %v", r, err)
	}
	e.Revisions[0] = r
	if r, err = e.Submit("ann", t1); err != nil {
		t.Fatal(err)
	}
	e.Revisions[0] = r
	r, err = e.Publish("bob", t1)
	if err != nil || r.State != RevisionPublished || r.PublishedBy != "bob" || !r.PublishedAt.Equal(t1) {
		t.Fatalf("Publish: %+v, %v", r, err)
	}
	e.Revisions[0] = r
	if cur, ok := e.Current(); !ok || cur.Number != 1 {
		t.Fatalf("Current: %+v %v", cur, ok)
	}
	if _, ok := e.Pending(); ok {
		t.Fatal("Pending after publishing")
	}

	// A change is a new revision, prefilled from the published one.
	title, body := e.NextText("generated", "generated")
	if title != "Title" || body != "Body 4" {
		t.Errorf("NextText: %q %q", title, body)
	}
	if title, _ := (Explanation{}).NextText("generated", "x"); title != "generated" {
		t.Errorf("NextText without a published revision: %q", title)
	}
	r2, err := e.Start("dan", title, body+" corrected", t1)
	if err != nil || r2.Number != 2 || r2.Author != "dan" || len(r2.Editors) != 0 {
		t.Fatalf("second Start: %+v, %v", r2, err)
	}
	e.Revisions = append(e.Revisions, r2)
	if p, _ := e.Pending(); p.Number != 2 {
		t.Errorf("Pending is %d", p.Number)
	}
	if len(e.Published()) != 1 {
		t.Errorf("Published: %d", len(e.Published()))
	}
	// ann wrote revision 1, not revision 2: she may publish it.
	e.Revisions[1], _ = e.Submit("dan", t1)
	if r, err := e.Publish("ann", t1); err != nil || r.Number != 2 {
		t.Fatalf("ann publishes revision 2: %+v, %v", r, err)
	}
}
