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
	if title := textOf(parseHTML(t, body).Find(".alert__title").First()); title != "Nothing was imported: 1 row is wrong" {
		t.Errorf("title %q", title)
	}
	if env.count("customer_resources") != before {
		t.Error("a refused import stored something")
	}
}

// An imported charge past 10^15 minor units or a count past 10^9 is a
// problem of its line, and nothing is stored.
func TestAdminCustomerImportRefusesAmountsPastTheBound(t *testing.T) {
	env := newTestEnv(t)
	env.api("POST", "/customers", env.token(auth.Support), map[string]any{"id": "acme", "name": "Acme", "currency": "USD", "contact_email": "billing@acme.example"}).expect(t, http.StatusCreated)
	sup := env.user(auth.Support)
	for _, tc := range []struct{ table, file, want string }{
		{"customer_charges", "customer,component,month,amount_minor,currency\nacme,elb-us-east-1,2012-12,1000000000000000,\nacme,elb-eu-west-1,2012-12,1000000000000001,\n",
			"Line 3: amount_minor: 1000000000000001 is more than 1000000000000000 minor units, the most an amount may be"},
		{"customer_resources", "customer,component,count,from,to\nacme,elb-us-east-1,1000000001,,\n",
			"Line 2: count: 1000000001 is more than 1000000000, the most resources one row may count"},
	} {
		sup.get("/admin/customers/import")
		before := env.count(tc.table)
		st, body := sup.upload("/admin/customers/import", "data.csv", []byte(tc.file), true)
		if st != http.StatusUnprocessableEntity {
			t.Fatalf("%s: %d", tc.table, st)
		}
		var got []string
		parseHTML(t, body).Find(testid("import-problem")).Each(func(_ int, s *goquery.Selection) { got = append(got, textOf(s)) })
		if len(got) != 1 || got[0] != tc.want {
			t.Errorf("problems %q, want %q", got, tc.want)
		}
		if env.count(tc.table) != before {
			t.Errorf("a refused import stored into %s", tc.table)
		}
	}
}
