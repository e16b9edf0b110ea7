package sqlite

import (
	"database/sql"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
	incsqlite "github.com/amends/amends/incidents/sqlite"
	"github.com/amends/amends/internal/sqlitedb"
	"github.com/amends/amends/sla"
)

// BenchmarkCreditRun100k measures a month's run for 100,000 customers with
// 3 services each (ELB in one of 3 regions, EC2 and EBS in one of 3 zones),
// on a real SQLite file, where an outage on every component makes every
// one of the 300,000 lines pay: "preview" is what POST /api/v1/credit-runs
// does (the incidents' scenario, the desk's month data, desk.PreviewMonth,
// and storing the run with its 300,000 lines in one transaction); "issue"
// is request and approve, which writes the 300,000 ledger entries in one
// transaction. Each iteration is a new month, so every issue starts from a
// ledger without entries for it. The figures are reported as preview-s and
// issue-s (seconds per run), preview-cpu-s and issue-cpu-s (the CPU
// seconds of the whole process, both cores, in each: steadier than the
// wall clock on a busy machine), and outstanding-s, what the run's page adds
// to say what approving it would pay (in neither preview-s nor issue-s); see
// docs/credits.md.
func BenchmarkCreditRun100k(b *testing.B) {
	const customers = 100_000
	st, db := newStore(b)
	inc, err := incsqlite.New(db)
	if err != nil {
		b.Fatal(err)
	}
	seedAt := time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC)
	comps := map[string][]string{
		"ELB": {"elb-us-east-1", "elb-us-west-2", "elb-eu-west-1"},
		"EC2": {"ec2-us-east-1a", "ec2-us-east-1b", "ec2-us-east-1c"},
		"EBS": {"ebs-us-east-1a", "ebs-us-east-1b", "ebs-us-east-1c"},
	}
	services := []string{"ELB", "EC2", "EBS"}
	for i, s := range services {
		if _, err := inc.CreateService(ctx, audit.Person("bench"), incidents.Service{ID: s, Name: s, Position: i}, seedAt); err != nil {
			b.Fatal(err)
		}
		for _, c := range comps[s] {
			if _, err := inc.CreateComponent(ctx, audit.Person("bench"), incidents.Component{ID: c, Service: s, Name: c, Region: "r"}, seedAt); err != nil {
				b.Fatal(err)
			}
		}
		tiers := []sla.Tier{{Below: sla.MustPercent("99.95"), CreditPercent: sla.MustPercent("10")},
			{Below: sla.MustPercent("99"), CreditPercent: sla.MustPercent("25")}}
		if _, err := st.PutPolicy(ctx, mgr, desk.ServicePolicy{Policy: sla.Policy{ID: s, Service: s, Target: sla.MustPercent("99.95"), Tiers: tiers, Unlisted: sla.Full}}, seedAt); err != nil {
			b.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	placed := make([][3]string, customers)
	for i := range placed {
		for j, s := range services {
			placed[i][j] = comps[s][rng.IntN(3)]
		}
	}
	id := func(i int) string { return "c" + strconv.Itoa(i) }
	err = sqlitedb.InTx(ctx, db, func(tx *sql.Tx) error {
		at := sqlitedb.FormatTime(seedAt)
		if err := insertBatch(ctx, tx, "customers", []string{"id", "name", "external_id", "currency", "email", "created_at", "updated_at"}, customers,
			func(i int, a []any) {
				a[0], a[1], a[2], a[3], a[4], a[5], a[6] = id(i), "Customer "+id(i), "", "USD", id(i)+"@example.com", at, at
			}); err != nil {
			return err
		}
		return insertBatch(ctx, tx, "customer_resources", []string{"customer_id", "component_id", "count"}, customers*3, func(i int, a []any) {
			a[0], a[1], a[2] = id(i/3), placed[i/3][i%3], int64(1+i%5)
		})
	})
	if err != nil {
		b.Fatal(err)
	}

	var previewTotal, issueTotal, outstandingTotal, previewCPU, issueCPU time.Duration
	for n := 0; b.Loop(); n++ {
		month := time.Date(2012, time.Month(1+n%12), 1, 0, 0, 0, 0, time.UTC).AddDate(n/12, 0, 0)
		name := month.Format("2006-01")
		now := month.AddDate(0, 1, 5)
		b.StopTimer()
		// The month's charges, and one outage per component (1 to 9 hours).
		err := sqlitedb.InTx(ctx, db, func(tx *sql.Tx) error {
			return insertBatch(ctx, tx, "customer_charges", []string{"customer_id", "component_id", "month", "amount_minor"}, customers*3, func(i int, a []any) {
				a[0], a[1], a[2], a[3] = id(i/3), placed[i/3][i%3], name, int64(10_000+(i*7919)%90_000)
			})
		})
		if err != nil {
			b.Fatal(err)
		}
		k := 0
		for _, s := range services {
			for _, c := range comps[s] {
				k++
				start := month.Add(time.Duration(24*k) * time.Hour)
				in, err := inc.CreateIncident(ctx, audit.Person("bench"), incidents.IncidentInput{Title: "Outage " + c, Message: "Down.", StartedAt: &start,
					Components: []incidents.ComponentChange{{Component: c, Status: incidents.MajorOutage}}}, now)
				if err != nil {
					b.Fatal(err)
				}
				end := start.Add(time.Duration(k) * time.Hour)
				if _, err := inc.AddUpdate(ctx, audit.Person("bench"), in.ID, incidents.UpdateInput{Phase: incidents.Resolved, Message: "Up.", At: &end}, now); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.StartTimer()

		t0, c0 := time.Now(), cpuTime()
		from, to, err := desk.MonthWindow(name)
		if err != nil {
			b.Fatal(err)
		}
		base, err := incidents.StoredScenario(ctx, inc, sla.Period{Month: name}, from, to, now)
		if err != nil {
			b.Fatal(err)
		}
		d, err := st.MonthData(ctx, name)
		if err != nil {
			b.Fatal(err)
		}
		lines, err := desk.PreviewMonth(name, now, base, d)
		if err != nil {
			b.Fatal(err)
		}
		run, err := desk.NewMonthRun(name, now, lines, sam.Person, now)
		if err != nil {
			b.Fatal(err)
		}
		if run, err = st.CreateRun(ctx, sam, run, lines, now); err != nil {
			b.Fatal(err)
		}
		t1, c1 := time.Now(), cpuTime()
		previewTotal += t1.Sub(t0)
		previewCPU += c1 - c0
		if _, err := st.RequestRun(ctx, sam, run.ID, now); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		t3, c3 := time.Now(), cpuTime()
		if out, err := st.Outstanding(ctx, run.ID); err != nil || out.Entries != customers*3 {
			b.Fatalf("outstanding %+v %v", out, err)
		}
		outstandingTotal += time.Since(t3)
		b.StartTimer()
		t1 = t1.Add(time.Since(t3))
		c1 += cpuTime() - c3
		done, err := st.ApproveRun(ctx, mgr, run.ID, now)
		if err != nil {
			b.Fatal(err)
		}
		t2, c2 := time.Now(), cpuTime()
		issueCPU += c2 - c1
		if run.Lines != customers*3 || done.Issued.Entries != customers*3 {
			b.Fatalf("%d lines, %d entries; want %d of each", run.Lines, done.Issued.Entries, customers*3)
		}
		issueTotal += t2.Sub(t1)
	}
	runs := float64(b.N)
	b.ReportMetric(previewTotal.Seconds()/runs, "preview-s")
	b.ReportMetric(issueTotal.Seconds()/runs, "issue-s")
	b.ReportMetric(outstandingTotal.Seconds()/runs, "outstanding-s")
	b.ReportMetric(previewCPU.Seconds()/runs, "preview-cpu-s")
	b.ReportMetric(issueCPU.Seconds()/runs, "issue-cpu-s")
}

// monthBlockLines is a block of lines as a month's run makes them: three
// services a customer, a few uptimes, and a reason for each line with
// its own uptime and charges in it.
func monthBlockLines() []desk.RunLine {
	lines := make([]desk.RunLine, blockLines)
	for i := range lines {
		l := desk.RunLine{Customer: "c" + strconv.Itoa(i/3), Service: []string{"ELB", "EC2", "EBS"}[i%3], Policy: "ELB", Currency: "USD",
			Downtime: "3600", Uptime: "99." + strconv.Itoa(1000+i%3), Claim: desk.ClaimNotRequired, ChargesMinor: int64(10_000 + (i*7919)%90_000)}
		l.Reason = "uptime " + l.Uptime + "% below 99.95%: 10% of " + desk.FormatMoney(l.ChargesMinor, l.Currency)
		lines[i] = l
	}
	return lines
}

// BenchmarkEncodeBlock measures encoding a block of a month's lines, as
// storing a run does for every 1,024 lines, and reports the block's size
// (block-bytes).
func BenchmarkEncodeBlock(b *testing.B) {
	lines := monthBlockLines()
	var e blockEncoder
	var buf []byte
	for b.Loop() {
		var err error
		if buf, _, err = e.encode(buf, lines); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(buf)), "block-bytes")
}

// BenchmarkDecodeBlock measures decoding a block of a month's lines, as
// a run's page and its approval do.
func BenchmarkDecodeBlock(b *testing.B) {
	data, _, err := encodeBlock(monthBlockLines())
	if err != nil {
		b.Fatal(err)
	}
	out := make([]desk.RunLine, 0, blockLines)
	for b.Loop() {
		if out, err = decodeBlock(data, out[:0]); err != nil {
			b.Fatal(err)
		}
	}
}
