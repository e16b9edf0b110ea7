package web

import (
	"net/http"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/amends/amends/auth"
)

// A row that is not valid CSV is a line of the refusal, never a 500
// (issue 15: an unterminated quote in a row's first field panicked).
func TestAdminCustomerImportNamesTheLineOfBadCSV(t *testing.T) {
	env := newTestEnv(t)
	env.api("POST", "/customers", env.token(auth.Support), map[string]any{"id": "acme", "name": "Acme", "currency": "USD", "contact_email": "billing@acme.example"}).expect(t, http.StatusCreated)
	sup := env.user(auth.Support)
	sup.get("/admin/customers/import")
	before := env.count("customer_resources")
	bad := "customer,component,count,from,to\nacme,elb-us-east-1,1,,\n\"acme,elb-us-east-1,1,,\nacme,elb-us-east-1,1,,\n"
	st, body := sup.upload("/admin/customers/import", "resources.csv", []byte(bad), true)
	if st != http.StatusUnprocessableEntity {
		t.Fatalf("unterminated quote: %d", st)
	}
	var got []string
	parseHTML(t, body).Find(testid("import-problem")).Each(func(_ int, s *goquery.Selection) { got = append(got, textOf(s)) })
	want := `Line 3: is not valid CSV: record on line 3; parse error on line 4, column 24: extraneous or missing " in quoted-field`
	if len(got) != 1 || got[0] != want {
		t.Errorf("problems %q, want %q", got, want)
	}
	if env.count("customer_resources") != before {
		t.Error("a refused import stored something")
	}
}
