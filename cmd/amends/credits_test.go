package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/internal/demo"
	"github.com/amends/amends/report"
)

// `amends credits reconcile`: after the demo's December 2012 run is
// requested and approved by two people, the ledger agrees with the
// evaluation (exit 0); April 2011, whose EBS credits were never run, shows
// Streamflix's 2,400.00 USD difference (exit 1); bad usage exits 2.
func TestCreditsReconcile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "amends.db")
	st, err := openStores(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	if ok, err := demo.Load(ctx, st.incidents, st.desk, now); err != nil || !ok {
		t.Fatalf("demo: %v %v", ok, err)
	}
	support := audit.Actor{Person: "sam@example.com", Label: "sam@example.com"}
	manager := audit.Actor{Person: "mia@example.com", Label: "mia@example.com"}
	r, err := report.New(st.incidents, st.desk).PreviewRun(ctx, support, "2012-12", now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.desk.RequestRun(ctx, support, r.ID, now); err != nil {
		t.Fatal(err)
	}
	if r, err = st.desk.ApproveRun(ctx, manager, r.ID, now); err != nil || r.Issued == nil || r.Issued.Entries == 0 {
		t.Fatalf("approve: %+v %v", r, err)
	}
	st.Close()

	reconcile := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(ctx, append([]string{"credits", "reconcile"}, args...), strings.NewReader(""), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	if code, out, errOut := reconcile("--month", "2012-12", "--db", path); code != 0 || !strings.Contains(out, "agree") {
		t.Fatalf("December 2012: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ := reconcile("--month", "2011-04", "--db", path)
	if code != 1 || !strings.Contains(out, "streamflix EBS: ledger 0.00 USD, evaluation 2,400.00 USD, difference 2,400.00 USD") {
		t.Fatalf("April 2011 (never run): exit %d\n%s", code, out)
	}
	for _, args := range [][]string{{"--db", path}, {"--month", "2012-13", "--db", path}, {"--month", "2012-12", "extra", "--db", path},
		{"--month", "2012-12", "--db", filepath.Join(t.TempDir(), "missing.db")}, {"--month", "2999-01", "--db", path}} {
		if code, out, errOut := reconcile(args...); code != 2 || errOut == "" {
			t.Errorf("%v: exit %d\n%s%s", args, code, out, errOut)
		}
	}
}
