package desk_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
)

var (
	importAccounts = []desk.Account{
		{ID: "acme", Name: "Acme", Currency: "USD"},
		{ID: "yen", Name: "Yen Co", Currency: "JPY"},
	}
	importComponents = []string{"elb-us-east-1", "ec2-us-east-1"}
)

const (
	resourcesLine = "customer,component,count,from,to\n"
	chargesLine   = "customer,component,month,amount_minor,currency\n"
)

func parseCSV(t *testing.T, text string) (desk.AccountImport, []desk.ImportProblem, error) {
	t.Helper()
	return desk.ParseAccountCSV([]byte(text), importAccounts, importComponents)
}

func problemText(list []desk.ImportProblem) string {
	var b strings.Builder
	for _, p := range list {
		fmt.Fprintf(&b, "Line %d: %s\n", p.Line, p.Reason)
	}
	return b.String()
}

func TestParseAccountCSVReadsResources(t *testing.T) {
	im, problems, err := parseCSV(t, resourcesLine+
		"acme,elb-us-east-1,4,2012-01-01 00:00,\n"+
		"\n"+ // a blank line is skipped, and counted
		" yen , elb-us-east-1 , 2 ,,2013-01-01T00:00:00Z\n")
	if err != nil || problems != nil {
		t.Fatalf("ParseAccountCSV: %v, %v", problems, err)
	}
	from := time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2013, 1, 1, 0, 0, 0, 0, time.UTC)
	if im.Kind != "resources" || len(im.Resources) != 2 || im.Charges != nil || fmt.Sprint(im.Lines) != "[2 4]" {
		t.Fatalf("import = %+v", im)
	}
	if r := im.Resources[0]; r.Customer != "acme" || r.Component != "elb-us-east-1" || r.Count != 4 || r.From == nil || !r.From.Equal(from) || r.To != nil {
		t.Errorf("row 1 = %+v", r)
	}
	if r := im.Resources[1]; r.Customer != "yen" || r.Component != "elb-us-east-1" || r.Count != 2 || r.From != nil || r.To == nil || !r.To.Equal(to) {
		t.Errorf("row 2 = %+v", r)
	}
}

func TestParseAccountCSVReadsCharges(t *testing.T) {
	im, problems, err := parseCSV(t, chargesLine+
		"acme,elb-us-east-1,2012-12,250000,usd\n"+
		"yen,ec2-us-east-1, 2012-12 ,3000,\n")
	if err != nil || problems != nil {
		t.Fatalf("ParseAccountCSV: %v, %v", problems, err)
	}
	want := []desk.AccountCharge{
		{Customer: "acme", Component: "elb-us-east-1", Month: "2012-12", AmountMinor: 250000, Currency: "USD"},
		{Customer: "yen", Component: "ec2-us-east-1", Month: "2012-12", AmountMinor: 3000},
	}
	if im.Kind != "charges" || im.Resources != nil || fmt.Sprint(im.Charges) != fmt.Sprint(want) || fmt.Sprint(im.Lines) != "[2 3]" {
		t.Errorf("import = %+v, want charges %+v on lines 2 and 3", im, want)
	}
}

// The header is read without case or surrounding spaces, after a byte
// order mark, with CRLF line ends; quoted fields are CSV's.
func TestParseAccountCSVReadsWhatSpreadsheetsWrite(t *testing.T) {
	text := "\ufeff Customer , COMPONENT,Month,Amount_Minor,Currency\r\n" +
		"\"acme\",\"elb-us-east-1\",2012-12,\"250000\",USD\r\n" +
		"yen,\"ec2-us-east-1\",\"2012-11\",\"3000\",\"\"\r\n"
	im, problems, err := parseCSV(t, text)
	if err != nil || problems != nil {
		t.Fatalf("ParseAccountCSV: %v, %v", problems, err)
	}
	if im.Kind != "charges" || len(im.Charges) != 2 || im.Charges[0].AmountMinor != 250000 || im.Charges[1].Month != "2012-11" || fmt.Sprint(im.Lines) != "[2 3]" {
		t.Errorf("import = %+v", im)
	}
	// A quoted field may hold the separator and doubled quotes: here they
	// make an unknown customer, named as written.
	_, problems, err = parseCSV(t, resourcesLine+"\"ac,me\"\"\",elb-us-east-1,1,,\r\n")
	if err != nil || problemText(problems) != "Line 2: customer: unknown customer \"ac,me\\\"\"\n" {
		t.Errorf("quoted: %q, %v", problemText(problems), err)
	}
}

func TestParseAccountCSVRefusesTheFileForItsHeader(t *testing.T) {
	for name, tc := range map[string]struct{ text, message string }{
		"empty":         {"", "has no header line: EOF"},
		"only a BOM":    {"\ufeff", "has no header line: EOF"},
		"blank lines":   {"\n\r\n\n", "has no header line: EOF"},
		"another":       {"a,b\n1,2\n", `line 1 must be the header "customer,component,count,from,to" (resources) or "customer,component,month,amount_minor,currency" (charges), not "a,b"`},
		"a column less": {"customer,component,count,from\n", `line 1 must be the header "customer,component,count,from,to" (resources) or "customer,component,month,amount_minor,currency" (charges), not "customer,component,count,from"`},
		"a bad header":  {"customer,\"component\n", "has no header line: parse error on line 1, column 21: extraneous or missing \" in quoted-field"},
		"no rows":       {resourcesLine, "has a header but no rows"},
		"no rows, CRLF": {"customer,component,month,amount_minor,currency\r\n\r\n", "has a header but no rows"},
	} {
		im, problems, err := parseCSV(t, tc.text)
		if errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != "file" || errs.MessageOf(err) != tc.message || problems != nil {
			t.Errorf("%s: %v (%q), problems %v; want errs.Invalid on file: %s", name, err, errs.MessageOf(err), problems, tc.message)
		}
		if im.Resources != nil || im.Charges != nil || im.Lines != nil {
			t.Errorf("%s: rows %+v came with the refusal", name, im)
		}
	}
}

// Every bad row is listed by its line, good rows are not, and nothing is
// returned to import.
func TestParseAccountCSVListsEveryBadRow(t *testing.T) {
	for name, tc := range map[string]struct{ text, want string }{
		"resources": {resourcesLine +
			"acme,elb-us-east-1,4,,\n" +
			"acme,elb-us-east-1,4\n" +
			"acme,elb-us-east-1,4,,,\n" +
			",elb-us-east-1,4,,\n" +
			"nobody,elb-us-east-1,4,,\n" +
			"acme,,4,,\n" +
			"acme,nowhere,4,,\n" +
			"acme,elb-us-east-1,,,\n" +
			"acme,elb-us-east-1,four,,\n" +
			"acme,elb-us-east-1,-1,,\n" +
			"acme,elb-us-east-1,1,yesterday,\n" +
			"acme,elb-us-east-1,1,,2012-13-01 00:00\n" +
			"acme,elb-us-east-1,1,2013-01-01 00:00,2012-01-01 00:00\n" +
			"yen,ec2-us-east-1,1,2012-01-01T00:00:00+09:00,\n",
			"Line 3: has 3 fields, not 5\n" +
				"Line 4: has 6 fields, not 5\n" +
				"Line 5: customer: is required\n" +
				"Line 6: customer: unknown customer \"nobody\"\n" +
				"Line 7: component: is required\n" +
				"Line 8: component: unknown component \"nowhere\"\n" +
				"Line 9: count: is required\n" +
				"Line 10: count: \"four\" is not a whole number\n" +
				"Line 11: count: -1 is below 0\n" +
				"Line 12: from: \"yesterday\" is not a time; write it as 2012-12-24 20:24 (UTC)\n" +
				"Line 13: to: \"2012-13-01 00:00\" is not a time; write it as 2012-12-24 20:24 (UTC)\n" +
				"Line 14: to: must be after from\n"},
		"charges": {chargesLine +
			"acme,elb-us-east-1,2012-12,250000,USD\n" +
			"nobody,elb-us-east-1,2012-12,100,USD\n" +
			"acme,nowhere,2012-12,100,\n" +
			"yen,elb-us-east-1,2012-12,100,USD\n" +
			"acme,elb-us-east-1,2012-13,-5,USD\n" +
			"acme,elb-us-east-1,,5,\n" +
			"acme,elb-us-east-1,2012-12,,\n" +
			"acme,elb-us-east-1,2012-12,12.50,\n" +
			"acme,elb-us-east-1,2012-12,-5,\n" +
			"acme,elb-us-east-1,2012-12,5,EURO\n",
			"Line 3: customer: unknown customer \"nobody\"\n" +
				"Line 4: component: unknown component \"nowhere\"\n" +
				"Line 5: currency: USD is not the currency of customer yen, which pays in JPY\n" +
				"Line 6: month: \"2012-13\" is not a month such as 2012-12\n" +
				"Line 7: month: is required\n" +
				"Line 8: amount_minor: is required\n" +
				"Line 9: amount_minor: \"12.50\" is not a whole number\n" +
				"Line 10: amount_minor: -5 is below 0\n" +
				"Line 11: currency: EURO is not the currency of customer acme, which pays in USD\n"},
	} {
		im, problems, err := parseCSV(t, tc.text)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := problemText(problems); got != tc.want {
			t.Errorf("%s: problems\n%s\nwant\n%s", name, got, tc.want)
		}
		if im.Resources != nil || im.Charges != nil || im.Lines != nil {
			t.Errorf("%s: rows %+v came with the problems", name, im)
		}
	}
}

// A row that is not valid CSV is a problem on the line its record starts
// on, and the reading stops there (issue 15: asking where the fields of
// such a row are panicked when its first field was the bad one).
func TestParseAccountCSVNamesTheLineOfBadCSV(t *testing.T) {
	for name, tc := range map[string]struct{ text, want string }{
		"an unterminated quote in the first field": {resourcesLine + "acme,elb-us-east-1,1,,\n\"acme,elb-us-east-1,1,,\nacme,elb-us-east-1,1,,\n",
			"Line 3: is not valid CSV: record on line 3; parse error on line 4, column 24: extraneous or missing \" in quoted-field\n"},
		"an unterminated quote at the end": {resourcesLine + "\"acme,elb-us-east-1,1,,",
			"Line 2: is not valid CSV: parse error on line 2, column 24: extraneous or missing \" in quoted-field\n"},
		"an unterminated quote in a later field": {resourcesLine + "nobody,x,1,,\nacme,\"elb-us-east-1,1,,\nyen,elb-us-east-1,1,,\n",
			"Line 2: customer: unknown customer \"nobody\"\n" +
				"Line 3: is not valid CSV: record on line 3; parse error on line 4, column 23: extraneous or missing \" in quoted-field\n"},
		"a bare quote in the first field": {resourcesLine + "ac\"me,elb-us-east-1,1,,\nnobody,x,1,,\n",
			"Line 2: is not valid CSV: parse error on line 2, column 3: bare \" in non-quoted-field\n"},
		"text after a closing quote": {chargesLine + "\"acme\"x,elb-us-east-1,2012-12,1,\n",
			"Line 2: is not valid CSV: parse error on line 2, column 6: extraneous or missing \" in quoted-field\n"},
	} {
		_, problems, err := parseCSV(t, tc.text)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := problemText(problems); got != tc.want {
			t.Errorf("%s: problems\n%s\nwant\n%s", name, got, tc.want)
		}
	}
}

// A field that is quoted over several lines is one row, on the line its
// record starts on.
func TestParseAccountCSVCountsLinesOfQuotedLineBreaks(t *testing.T) {
	_, problems, _ := parseCSV(t, resourcesLine+"\"no\nbody\",elb-us-east-1,1,,\nacme,elb-us-east-1,x,,\n")
	if got := problemText(problems); got != "Line 2: customer: unknown customer \"no\\nbody\"\nLine 4: count: \"x\" is not a whole number\n" {
		t.Errorf("problems %q", got)
	}
}

// An error from storing the rows (the data changed since they were read)
// is put back on the row's line.
func TestAccountImportProblemNamesTheRow(t *testing.T) {
	im, _, err := parseCSV(t, chargesLine+"acme,elb-us-east-1,2012-12,1,\n\nyen,elb-us-east-1,2012-12,1,\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		err  error
		want desk.ImportProblem
		ok   bool
	}{
		{errs.Invalidf("charges[1].currency", "USD is not the currency of customer yen, which pays in JPY"),
			desk.ImportProblem{Line: 4, Reason: "currency: USD is not the currency of customer yen, which pays in JPY"}, true},
		{errs.Invalidf("charges[0]", "is there twice"), desk.ImportProblem{Line: 2, Reason: "is there twice"}, true},
		{errs.Invalidf("charges[2].month", "is wrong"), desk.ImportProblem{}, false},
		{errs.Invalidf("charges[99999999999999999999].month", "is wrong"), desk.ImportProblem{}, false},
		{errs.Invalidf("month", "is wrong"), desk.ImportProblem{}, false},
		{errs.Invalidf("", "is wrong"), desk.ImportProblem{}, false},
	} {
		got, ok := im.Problem(tc.err)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Problem(%v) = %+v, %v; want %+v, %v", tc.err, got, ok, tc.want, tc.ok)
		}
	}
}

func FuzzParseAccountCSV(f *testing.F) {
	for _, seed := range []string{
		resourcesLine + "acme,elb-us-east-1,4,2012-01-01 00:00,\nyen,elb-us-east-1,2,,2013-01-01T00:00:00Z\n",
		chargesLine + "acme,elb-us-east-1,2012-12,250000,USD\nyen,ec2-us-east-1,2012-12,3000,\n",
		"\ufeffCustomer,Component,Month,Amount_Minor,Currency\r\n\"acme\",\"elb-us-east-1\",2012-12,\"1\",\"\"\r\n",
		resourcesLine + "\"acme,elb-us-east-1,1,,\n",
		resourcesLine + "ac\"me,x,1,,\n",
		chargesLine + "nobody,nowhere,2012-13,-5,EURO\nacme,elb-us-east-1\n",
		"",
		"a,b\n",
		chargesLine + "acme,elb-us-east-1,9999-12,1,USD\nacme,elb-us-east-1,0001-01,1,USD\n",
		resourcesLine + "acme,elb-us-east-1,1,0000-01-01 00:00,9999-12-31 23:59\n",
		resourcesLine + "acme,elb-us-east-1,1,,\n\"unterminated,x,1,,\nacme,elb-us-east-1,1,,\n",
		resourcesLine + "acme\x00,elb\u202e,1,,\n",
		chargesLine + "acme,elb-us-east-1,2012-12,1e3,USD\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		im, problems, err := desk.ParseAccountCSV(data, importAccounts, importComponents)
		if err != nil {
			if errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != "file" || problems != nil {
				t.Fatalf("error %v with problems %v; want errs.Invalid on file alone", err, problems)
			}
			return
		}
		if len(problems) > 0 {
			if im.Lines != nil {
				t.Fatalf("rows %v came with the problems", im.Lines)
			}
			for _, p := range problems {
				if p.Line < 1 || p.Reason == "" {
					t.Fatalf("problem %+v", p)
				}
			}
			return
		}
		if len(im.Lines) == 0 || len(im.Lines) != len(im.Resources)+len(im.Charges) {
			t.Fatalf("import %+v", im)
		}
		for i, line := range im.Lines {
			if line < 2 || i > 0 && line <= im.Lines[i-1] {
				t.Fatalf("lines %v", im.Lines)
			}
		}
	})
}
