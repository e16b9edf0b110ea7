package demo

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/sla"
)

// On the demo data, the April 2011 goodwill run reaches every customer that
// had an EBS volume or RDS instance in us-east-1a during the incident and
// no one else (not those with only instances there), for a third of their
// EBS, EC2 and RDS charges there; a second run pays nothing.
func TestDemoAprilGoodwill(t *testing.T) {
	ctx := context.Background()
	st, err := openStores(ctx, filepath.Join(t.TempDir(), "amends.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2013, 1, 10, 12, 0, 0, 0, time.UTC)
	if ok, err := Load(ctx, st.incidents, st.desk, now); err != nil || !ok {
		t.Fatalf("Load: %v, %v", ok, err)
	}
	accounts, err := st.desk.Accounts(ctx)
	if err != nil || len(accounts) < 30 {
		t.Fatalf("%d accounts, %v", len(accounts), err)
	}
	currencies := map[string]bool{}
	for _, a := range accounts {
		currencies[a.Currency] = true
	}
	if !currencies["USD"] || !currencies["EUR"] || !currencies["JPY"] {
		t.Errorf("currencies %v", currencies)
	}

	// Who should get it, from the demo's own list.
	from, to := utc("2011-04-21T08:47:00Z"), utc("2011-04-24T19:00:00Z")
	want := map[string]int64{}
	instancesOnly := 0
	for _, c := range demoCustomers() {
		var charges int64
		in, eligible := false, false
		for comp, n := range c.resources {
			if !strings.HasSuffix(comp, "-us-east-1a") {
				continue
			}
			if c.from.Before(to) && (c.to.IsZero() || c.to.After(from)) {
				in = true
				svc := strings.ToUpper(strings.SplitN(comp, "-", 2)[0])
				eligible = eligible || svc == "EBS" || svc == "RDS"
				charges += demoCharge(c.currency, svc, n)
			}
		}
		if eligible {
			want[c.id] = (charges + 1) / 3 // 10 of April's 30 days, rounded half up
		} else if in {
			instancesOnly++
		}
	}
	if len(want) < 5 || want[demoStreamer] == 0 || instancesOnly == 0 {
		t.Fatalf("the demo has too few eligible customers (%v), or none with only instances in the zone (%d)", want, instancesOnly)
	}

	grants, err := st.desk.GoodwillGrants(ctx, "")
	if err != nil || len(grants) != 1 || grants[0].State != desk.GoodwillApproved || grants[0].RequestedBy == grants[0].ApprovedBy {
		t.Fatalf("grants %+v %v", grants, err)
	}
	incID := grants[0].Incident
	run := func() desk.CreditRun {
		from, to, _ := desk.MonthWindow("2011-04")
		base, err := incidents.StoredScenario(ctx, st.incidents, sla.Period{Month: "2011-04"}, from, to, now)
		if err != nil {
			t.Fatal(err)
		}
		data, err := st.desk.MonthData(ctx, "2011-04")
		if err != nil {
			t.Fatal(err)
		}
		lines, err := desk.PreviewGoodwill(incID, "2011-04", now, desk.WithGoodwill(base, grants), data)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for _, l := range lines {
			got[l.Customer] = l.PayableMinor
		}
		if len(got) != len(want) {
			t.Fatalf("goodwill reaches %v, want %v", got, want)
		}
		for id, amount := range want {
			if got[id] != amount {
				t.Errorf("%s: %d, want %d", id, got[id], amount)
			}
		}
		r, err := desk.NewIncidentRun(incID, "2011-04", now, lines, demoSupport.Person, now)
		if err != nil {
			t.Fatal(err)
		}
		if r, err = st.desk.CreateRun(ctx, demoSupport, r, lines, now); err != nil {
			t.Fatal(err)
		}
		if _, err = st.desk.RequestRun(ctx, demoSupport, r.ID, now); err != nil {
			t.Fatal(err)
		}
		if r, err = st.desk.ApproveRun(ctx, demoManager, r.ID, now); err != nil {
			t.Fatal(err)
		}
		return r
	}
	if first := run(); first.Issued.Entries != len(want) {
		t.Fatalf("first run wrote %+v", first.Issued)
	}
	if second := run(); second.Issued.Entries != 0 {
		t.Fatalf("second run wrote %+v", second.Issued)
	}

	// The December 2012 ELB impact names the streaming service.
	inc, err := st.incidents.Incident(ctx, mustID(t, incID)+1)
	if err != nil {
		t.Fatal(err)
	}
	named := false
	for _, sp := range inc.Timeline() {
		for _, ac := range sp.Customers {
			named = named || ac.Customer == demoStreamer
		}
	}
	if !named {
		t.Error("no span of the December 2012 incident names the streaming service")
	}
}

func mustID(t *testing.T, s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
