package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/incidents"
)

// sendMultipart posts fields and files (form name → content, sent as
// "<name>.csv") as multipart/form-data with the browser's CSRF token,
// without following redirects, as the incident forms are sent.
func (b *browser) sendMultipart(path string, fields url.Values, files map[string]string) (int, string) {
	b.env.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField(csrfField, b.csrf)
	for k, vs := range fields {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	for name, content := range files {
		fw, _ := w.CreateFormFile(name, strings.TrimPrefix(name, "customers_file.")+".csv")
		fw.Write([]byte(content))
	}
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, b.env.http.URL+path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := b.noFollow().client.Do(req)
	if err != nil {
		b.env.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// The incident forms name the customers a component's status hits, as
// lines in a box (a pasted CSV's header is skipped) or as an uploaded CSV:
// bad lines are refused at the box with their line and nothing is stored;
// named customers are stored, shown on the admin page (never the public
// one) and filled in again, so an update that leaves them alone does not
// repeat them.
func TestAdminFormsNameCustomers(t *testing.T) {
	env := newTestEnv(t)
	support := env.token(auth.Support)
	for _, id := range []string{"acme", "globex"} {
		env.api("POST", "/customers", support, map[string]any{"id": id, "name": strings.ToUpper(id), "currency": "USD", "contact_email": "ap@" + id + ".example"}).
			expect(t, http.StatusCreated)
	}
	sup := env.user(auth.Support)
	_, body := sup.get("/admin/incidents/new")
	doc := parseHTML(t, body)
	if doc.Find(testid("incident-form")).AttrOr("enctype", "") != "multipart/form-data" ||
		doc.Find(`textarea[name="customers.elb-us-east-1"]`).Length() != 1 || doc.Find(`input[type="file"][name="customers_file.elb-us-east-1"]`).Length() != 1 {
		t.Fatal("the incident form has no customers box and file per component")
	}
	declare := func(customers string) url.Values {
		return url.Values{"title": {"Load balancers down"}, "impact": {"major"}, "message": {"Investigating."}, "started_at": {"2012-12-24 19:00"},
			"status.elb-us-east-1": {"major_outage"}, "customers.elb-us-east-1": {customers}}
	}
	const box = "customers.elb-us-east-1"
	for _, tc := range []struct {
		form url.Values
		box  string
		want string
	}{
		{declare("customer,affected_resources\nacme, 2\nglobex\nx\n"), box, `line 4: unknown customer "x"`},
		{declare("acme\r\n\r\nacme, 3"), box, `line 3: "acme" appears twice`},
		{declare("acme, -1"), box, "line 1: -1 is below 0"},
		{declare("acme\nglobex, two"), box, `line 2: affected resources "two" is not a whole number`},
		{declare("acme, 2, 3"), box, "line 1: has 3 values"},
		{declare(", 2"), box, "line 1: must not be empty"},
		{func() url.Values {
			f := declare("acme")
			f.Set("customers.elb-eu-west-1", "globex")
			return f
		}(), "customers.elb-eu-west-1", "must be empty for an operational component"},
	} {
		before := env.counts()
		st, body := sup.sendMultipart("/admin/incidents", tc.form, nil)
		doc := parseHTML(t, body)
		if got := fieldError(doc, tc.box); st != http.StatusUnprocessableEntity || !strings.Contains(got, tc.want) {
			t.Errorf("%q: %d, box error %q, want %q", tc.form.Get(tc.box), st, got, tc.want)
		}
		if got := textOf(doc.Find(testid("form-error"))); !strings.Contains(got, "customers hit in ELB") || !strings.Contains(got, tc.want) {
			t.Errorf("%q: summary %q", tc.form.Get(tc.box), got)
		}
		if got := doc.Find(`textarea[name="` + tc.box + `"]`).Text(); got != strings.ReplaceAll(tc.form.Get(tc.box), "\r\n", "\n") {
			t.Errorf("the box shows %q again, want %q", got, tc.form.Get(tc.box))
		}
		if _, open := doc.Find(`textarea[name="` + tc.box + `"]`).Closest("details").Attr("open"); !open {
			t.Errorf("the box with the error is folded away")
		}
		env.assertNothingStored(before)
	}
	viewer := env.user(auth.Viewer)
	viewer.get("/admin/incidents")
	before := env.counts()
	if st, _ := viewer.sendMultipart("/admin/incidents", declare("acme"), nil); st != http.StatusForbidden {
		t.Errorf("viewer declared: %d", st)
	}
	env.assertNothingStored(before)

	// A pasted CSV with its header, declared urlencoded as well as it would be multipart.
	resp := sup.noFollow().postForm("/admin/incidents", declare("customer,affected_resources\nacme, 2\n globex \n"))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("declare: %d\n%s", resp.StatusCode, readBody(t, resp))
	}
	page := resp.Header.Get("Location")
	var id int64
	fmt.Sscanf(page, "/admin/incidents/%d", &id)
	inc, err := env.incidents.Incident(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if got := customersOf(inc.Updates[0], "elb-us-east-1"); got != "acme:2 globex:all" {
		t.Fatalf("stored customers %q", got)
	}
	_, body = sup.get(page)
	doc = parseHTML(t, body)
	if got := textOf(doc.Find(testid("update-customers"))); got != "Customers hit: acme (2 resources), globex (all its resources)" {
		t.Errorf("admin timeline customers %q", got)
	}
	if got := doc.Find(`textarea[name="` + box + `"]`).Text(); got != "acme, 2\nglobex\n" {
		t.Errorf("update form customers %q", got)
	}
	if _, open := doc.Find(`textarea[name="customers.elb-eu-west-1"]`).Closest("details").Attr("open"); open {
		t.Error("an empty customers box is unfolded")
	}
	if _, public := env.publicGet(fmt.Sprintf("/incidents/%d", id)); strings.Contains(public, "acme") || strings.Contains(public, "globex") {
		t.Error("the public page names customers")
	}

	// An update that leaves the rows as they are changes no component.
	same := url.Values{"phase": {"identified"}, "message": {"Found it."}, "status.elb-us-east-1": {"major_outage"}, "percent.elb-us-east-1": {"100"}, box: {"acme, 2\nglobex\n"}}
	if st, body := sup.sendMultipart(page+"/updates", same, nil); st != http.StatusSeeOther {
		t.Fatalf("unchanged update: %d\n%s", st, body)
	}
	// The customers as an uploaded CSV (the box emptied), and both at once refused.
	upload := url.Values{"phase": {"identified"}, "message": {"Narrowed down."}, "status.elb-us-east-1": {"major_outage"}, "percent.elb-us-east-1": {"100"}}
	before = env.counts()
	withBox := url.Values{box: {"acme"}}
	for k, v := range upload {
		withBox[k] = v
	}
	st, body := sup.sendMultipart(page+"/updates", withBox, map[string]string{"customers_file.elb-us-east-1": "customer,affected_resources\nglobex,1\n"})
	if got := fieldError(parseHTML(t, body), box); st != http.StatusUnprocessableEntity || got != "Error: give the customers in the box or as a file, not both" {
		t.Errorf("box and file: %d %q", st, got)
	}
	st, body = sup.sendMultipart(page+"/updates", upload, map[string]string{"customers_file.elb-us-east-1": "customer,affected_resources\r\nglobex,1\r\nnobody,4\r\n"})
	doc = parseHTML(t, body)
	if got := fieldError(doc, box); st != http.StatusUnprocessableEntity || got != `Error: line 3: unknown customer "nobody"` {
		t.Errorf("bad file: %d %q", st, got)
	}
	if got := doc.Find(`textarea[name="` + box + `"]`).Text(); !strings.Contains(got, "nobody,4") {
		t.Errorf("the file's lines are not shown to correct: %q", got)
	}
	env.assertNothingStored(before)
	if st, body := sup.sendMultipart(page+"/updates", upload, map[string]string{"customers_file.elb-us-east-1": "\ufeffcustomer,affected_resources\r\nglobex,1\r\n"}); st != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%s", st, body)
	}
	inc, err = env.incidents.Incident(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(inc.Updates); n != 3 || len(inc.Updates[1].Components) != 0 || customersOf(inc.Updates[2], "elb-us-east-1") != "globex:1" {
		t.Fatalf("updates %+v", inc.Updates)
	}
	_, body = viewer.get(page)
	if got := textOf(parseHTML(t, body).Find(testid("update-customers")).First()); got != "Customers hit: globex (1 resource)" {
		t.Errorf("newest update's customers %q", got)
	}

	// Back to operational with the box as the form shows it: the component
	// leaves the incident; naming someone new on it is refused.
	back := url.Values{"phase": {"monitoring"}, "message": {"Recovered."}, "status.elb-us-east-1": {"operational"}}
	back.Set(box, "globex, 1\n")
	back.Set("status.elb-eu-west-1", "operational")
	back.Set("customers.elb-eu-west-1", "acme")
	before = env.counts()
	if st, body := sup.sendMultipart(page+"/updates", back, nil); st != http.StatusUnprocessableEntity ||
		!strings.Contains(fieldError(parseHTML(t, body), "customers.elb-eu-west-1"), "must be empty for an operational component") {
		t.Errorf("customers on an operational component: %d", st)
	}
	env.assertNothingStored(before)
	back.Del("customers.elb-eu-west-1")
	if st, body := sup.sendMultipart(page+"/updates", back, nil); st != http.StatusSeeOther {
		t.Fatalf("back to operational: %d\n%s", st, body)
	}
	inc, _ = env.incidents.Incident(context.Background(), id)
	if last := inc.Updates[3]; len(last.Components) != 1 || last.Components[0].Status != incidents.Operational || len(last.Components[0].Customers) != 0 {
		t.Fatalf("back to operational: %+v", last.Components)
	}
}

// customersOf is "id:count" (or "id:all") of each customer u names for component.
func customersOf(u incidents.Update, component string) string {
	var out []string
	for _, cs := range u.Components {
		if cs.Component != component {
			continue
		}
		for _, ac := range cs.Customers {
			n := "all"
			if ac.AffectedResources != nil {
				n = fmt.Sprint(*ac.AffectedResources)
			}
			out = append(out, ac.Customer+":"+n)
		}
	}
	return strings.Join(out, " ")
}
