package desk_test

import (
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
)

func TestNewGoodwillGrantInvalid(t *testing.T) {
	ok := desk.GoodwillGrant{Incident: "2", Days: 10, Services: []string{"EBS", "EC2", "RDS"}, Components: []string{"ebs-us-east-1a"}}
	for name, tc := range map[string]struct {
		edit  func(*desk.GoodwillGrant)
		field string
	}{
		"no incident":     {func(g *desk.GoodwillGrant) { g.Incident = " " }, "incident"},
		"zero days":       {func(g *desk.GoodwillGrant) { g.Days = 0 }, "days"},
		"too many days":   {func(g *desk.GoodwillGrant) { g.Days = 367 }, "days"},
		"no services":     {func(g *desk.GoodwillGrant) { g.Services = nil }, "services"},
		"empty service":   {func(g *desk.GoodwillGrant) { g.Services = []string{"EBS", ""} }, "services[1]"},
		"service twice":   {func(g *desk.GoodwillGrant) { g.Services = []string{"EBS", " EBS"} }, "services[1]"},
		"component twice": {func(g *desk.GoodwillGrant) { g.Components = []string{"a", "b", "a"} }, "components[2]"},
	} {
		g := ok
		tc.edit(&g)
		_, err := desk.NewGoodwillGrant(g, "sam", deskNow)
		if errs.CodeOf(err) != errs.Invalid {
			t.Errorf("%s: %v", name, err)
			continue
		}
		wantCode(t, err, errs.Invalid, tc.field)
	}
	g, err := desk.NewGoodwillGrant(ok, "sam", deskNow.Add(300*time.Millisecond))
	if err != nil || g.State != desk.GoodwillPending || g.RequestedBy != "sam" || !g.RequestedAt.Equal(deskNow) || g.Goodwill() != nil {
		t.Fatalf("%+v %v", g, err)
	}
	if _, err := g.Approve("sam", deskNow); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("self approval: %v", err)
	}
	a, err := g.Approve("max", deskNow)
	if err != nil || a.State != desk.GoodwillApproved || a.ApprovedBy != "max" || a.Goodwill().Days != 10 {
		t.Fatalf("approved %+v %v", a, err)
	}
	if _, err := a.Approve("zoe", deskNow); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("second approval: %v", err)
	}
}

// A pending grant may be withdrawn, with a reason, by its requester or a
// manager; an approved or withdrawn grant may not; a withdrawn grant gives
// no goodwill.
func TestWithdrawGoodwillGrant(t *testing.T) {
	g, err := desk.NewGoodwillGrant(desk.GoodwillGrant{Incident: "2", Days: 10, Services: []string{"EBS"}}, "sam", deskNow)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Withdraw("kim", false, "duplicate", deskNow); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("another support user withdrew: %v", err)
	}
	if _, err := g.Withdraw("sam", false, "  ", deskNow); errs.FieldOf(err) != "reason" || errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("no reason: %v", err)
	}
	w, err := g.Withdraw("sam", false, " Asked for the wrong zone. ", deskNow.Add(900*time.Millisecond))
	if err != nil || w.State != desk.GoodwillWithdrawn || w.WithdrawnBy != "sam" || !w.WithdrawnAt.Equal(deskNow) ||
		w.WithdrawReason != "Asked for the wrong zone." || w.Goodwill() != nil || w.Live() {
		t.Fatalf("withdrawn %+v %v", w, err)
	}
	if _, err := w.Withdraw("max", true, "again", deskNow); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("withdrawn twice: %v", err)
	}
	if _, err := w.Approve("max", deskNow); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("a withdrawn grant approved: %v", err)
	}
	if m, err := g.Withdraw("max", true, "Not our fault.", deskNow); err != nil || m.WithdrawnBy != "max" {
		t.Fatalf("a manager withdrew %+v %v", m, err)
	}
	a, _ := g.Approve("max", deskNow)
	if _, err := a.Withdraw("sam", false, "too late", deskNow); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("an approved grant withdrawn: %v", err)
	}
	if _, err := a.Withdraw("max", true, "too late", deskNow); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("an approved grant withdrawn by a manager: %v", err)
	}
}

// aprilBase is the April 2011 EBS event in us-east-1a, with the 10-day
// goodwill of EBS, EC2 and RDS usage in that zone.
func aprilBase(approved bool) *sla.Scenario {
	s := &sla.Scenario{
		Components: []sla.Component{
			{ID: "ebs-us-east-1a", Service: "EBS"}, {ID: "ec2-us-east-1a", Service: "EC2"}, {ID: "rds-us-east-1a", Service: "RDS"},
			{ID: "ebs-us-east-1b", Service: "EBS"}, {ID: "elb-us-east-1", Service: "ELB"},
		},
		Incidents: []sla.Incident{{ID: "2", Impacts: []sla.Impact{{Component: "ebs-us-east-1a", Status: sla.MajorOutage, AffectedPercent: P("13"),
			Start: tm("2011-04-21T08:47:00Z"), End: tm("2011-04-24T18:00:00Z")}}}},
	}
	g := desk.GoodwillGrant{ID: 1, Incident: "2", Days: 10, Services: []string{"EBS", "EC2", "RDS"},
		Components: []string{"ebs-us-east-1a", "ec2-us-east-1a", "rds-us-east-1a"}, State: desk.GoodwillPending, RequestedBy: "sam", Reason: "the whole zone"}
	if approved {
		g.State = desk.GoodwillApproved
	}
	return desk.WithGoodwill(s, []desk.GoodwillGrant{g})
}

func aprilData() *desk.MonthData {
	res := func(c, comp string, n int64, from, to string) desk.AccountResource {
		r := desk.AccountResource{Customer: c, Component: comp, Count: n}
		if from != "" {
			t := tm(from)
			r.From = &t
		}
		if to != "" {
			t := tm(to)
			r.To = &t
		}
		return r
	}
	ch := func(c, comp string, amount int64) desk.AccountCharge {
		return desk.AccountCharge{Customer: c, Component: comp, Month: "2011-04", AmountMinor: amount}
	}
	return &desk.MonthData{
		Accounts: []desk.Account{{ID: "a-ebs", Currency: "USD"}, {ID: "b-zone", Currency: "USD"}, {ID: "c-gone", Currency: "JPY"}, {ID: "d-late", Currency: "EUR"}},
		Resources: []desk.AccountResource{
			res("a-ebs", "ebs-us-east-1a", 3, "", ""), res("a-ebs", "ec2-us-east-1a", 2, "", ""), res("a-ebs", "elb-us-east-1", 1, "", ""),
			res("b-zone", "ebs-us-east-1b", 5, "", ""),
			res("c-gone", "rds-us-east-1a", 1, "2011-03-01T00:00:00Z", "2011-04-21T09:00:00Z"), // there at the start
			res("d-late", "ebs-us-east-1a", 1, "2011-04-25T00:00:00Z", ""),                     // came after
		},
		Charges: []desk.AccountCharge{
			ch("a-ebs", "ebs-us-east-1a", 30000), ch("a-ebs", "ec2-us-east-1a", 60000), ch("a-ebs", "elb-us-east-1", 99999),
			ch("b-zone", "ebs-us-east-1b", 50000), ch("c-gone", "rds-us-east-1a", 9000), ch("d-late", "ebs-us-east-1a", 3000),
		},
	}
}

// Goodwill reaches every customer with a resource in a scope component
// during the window, whether hit or not, for its charges in scope.
func TestPreviewGoodwill(t *testing.T) {
	if _, err := desk.PreviewGoodwill("2", "2011-04", deskNow, aprilBase(false), aprilData()); errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("pending grant previewed: %v", err)
	}
	lines, err := desk.PreviewGoodwill("2", "2011-04", deskNow, aprilBase(true), aprilData())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, l := range lines {
		got[l.Customer] = l.PayableMinor
		if l.Claim != desk.ClaimNotRequired || l.CreditMinor != l.PayableMinor || !strings.HasPrefix(l.Reason, "goodwill for incident 2: 10 days of EBS, EC2, RDS") ||
			!strings.HasSuffix(l.Reason, "; reason: the whole zone") {
			t.Errorf("line %+v", l)
		}
	}
	// 10 of April's 30 days: a third of the charges in scope.
	want := map[string]int64{"a-ebs": 30000, "c-gone": 3000}
	if len(got) != len(want) || got["a-ebs"] != want["a-ebs"] || got["c-gone"] != want["c-gone"] {
		t.Fatalf("goodwill %v, want %v", got, want)
	}
}

// An incident run pays goodwill once; after corrected data only the
// difference, as an adjustment of the goodwill key.
func TestPlanIssueGoodwill(t *testing.T) {
	lines, err := desk.PreviewGoodwill("2", "2011-04", deskNow, aprilBase(true), aprilData())
	if err != nil {
		t.Fatal(err)
	}
	run, err := desk.NewIncidentRun("2", "2011-04", deskNow, lines, "sam", deskNow)
	if err != nil || run.Kind != desk.RunIncident || run.Incident != "2" {
		t.Fatalf("%+v %v", run, err)
	}
	run, _ = run.Request("sam", deskNow)
	run, _ = run.Approve("max", deskNow)
	entries, err := desk.PlanIssue(run, lines, nil, "max")
	if err != nil || len(entries) != 2 {
		t.Fatalf("%+v %v", entries, err)
	}
	held := map[desk.LedgerKey]desk.Held{}
	for i, e := range entries {
		if e.Kind != desk.EntryGoodwill || e.Incident != "2" || e.Period != "2011-04" {
			t.Errorf("entry %+v", e)
		}
		held[e.Key()] = desk.Held{SumMinor: e.AmountMinor, IDs: []int64{int64(i + 1)}, Currency: e.Currency}
	}
	if again, _ := desk.PlanIssue(run, lines, held, "max"); len(again) != 0 {
		t.Fatalf("second issue %+v", again)
	}
	d := aprilData()
	d.Charges[0].AmountMinor = 60000 // a-ebs's EBS charge corrected: 10,000 more owed
	lines, _ = desk.PreviewGoodwill("2", "2011-04", deskNow, aprilBase(true), d)
	fix, err := desk.PlanIssue(run, lines, held, "max")
	if err != nil || len(fix) != 1 || fix[0].Kind != desk.EntryAdjustment || fix[0].CreditKind != desk.EntryGoodwill || fix[0].AmountMinor != 10000 || len(fix[0].Adjusts) != 1 {
		t.Fatalf("correction %+v %v", fix, err)
	}
}

// tm parses an RFC 3339 instant.
func tm(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}
