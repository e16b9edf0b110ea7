package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/report"
)

const creditsUsage = `usage: amends credits reconcile --month YYYY-MM [--db amends.db] [--as-of RFC3339]

reconcile compares, for every customer and service, the ledger's tier-credit
entries of the month (adjustments included) with what the engine's evaluation
of the stored data says is payable (report.MonthLines, as a run previewed now
would pay). It prints each difference and exits 1 if there is any, 0 when the
ledger agrees, 2 on bad usage.
`

// runCredits is `amends credits SUBCOMMAND`.
func runCredits(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, creditsUsage)
		return 2
	}
	switch args[0] {
	case "reconcile":
		return creditsReconcile(ctx, args[1:], stdout, stderr, time.Now)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, creditsUsage)
		return 0
	}
	fmt.Fprintf(stderr, "amends credits: unknown subcommand %q\n\n%s", args[0], creditsUsage)
	return 2
}

// reconcileKey is what a tier credit is paid for: one customer's service.
type reconcileKey struct{ customer, service string }

// creditsReconcile is `amends credits reconcile --month M`: exit 0 when
// the ledger's tier credits of M equal the evaluation's payable amounts
// for every customer and service, 1 when any differs (each printed) or the
// database fails, 2 on bad usage or a month not over.
func creditsReconcile(ctx context.Context, args []string, stdout, stderr io.Writer, now func() time.Time) int {
	fs := flagSet("credits reconcile", stderr)
	fs.Usage = func() { fmt.Fprint(stderr, creditsUsage) }
	dbPath := fs.String("db", "amends.db", "SQLite database file (env AMENDS_DB)")
	month := fs.String("month", "", "the month, YYYY-MM")
	asOf := fs.String("as-of", "", "evaluation instant (RFC 3339); default now")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, "amends credits reconcile: "+format+"\n", a...)
		return code
	}
	if fs.NArg() != 0 {
		return fail(2, "no arguments are taken; use --month")
	}
	if _, _, err := desk.MonthWindow(*month); err != nil {
		return fail(2, "--month: %q is not a month like 2012-12", *month)
	}
	at := now().UTC().Truncate(time.Second)
	if *asOf != "" {
		t, err := time.Parse(time.RFC3339, *asOf)
		if err != nil {
			return fail(2, "--as-of: %q is not an RFC 3339 time", *asOf)
		}
		at = t
	}
	if _, err := os.Stat(*dbPath); err != nil {
		return fail(2, "--db: %v", err)
	}
	st, err := openStores(ctx, *dbPath)
	if err != nil {
		return fail(1, "%v", err)
	}
	defer st.Close()
	lines, err := report.New(st.incidents, st.desk).MonthLines(ctx, *month, at, "")
	if errs.CodeOf(err) == errs.Invalid {
		return fail(2, "%v", err) // the month is not over
	}
	if err != nil {
		return fail(1, "%v", err)
	}
	type pair struct {
		currency           string
		ledger, evaluation int64
	}
	sums := map[reconcileKey]*pair{}
	get := func(k reconcileKey, currency string) *pair {
		if sums[k] == nil {
			sums[k] = &pair{currency: currency}
		}
		return sums[k]
	}
	for _, l := range lines {
		p := get(reconcileKey{l.Customer, l.Service}, l.Currency)
		p.evaluation += l.PayableMinor
	}
	for f := (desk.LedgerFilter{Period: *month, Limit: 500}); ; {
		page, total, err := st.desk.Ledger(ctx, f)
		if err != nil {
			return fail(1, "%v", err)
		}
		for _, e := range page {
			if e.CreditKind != desk.EntryTier {
				continue
			}
			p := get(reconcileKey{e.Customer, e.Service}, e.Currency)
			p.ledger += e.AmountMinor
		}
		f.Offset += len(page)
		if len(page) == 0 || f.Offset >= total {
			break
		}
	}
	keys := make([]reconcileKey, 0, len(sums))
	for k, p := range sums {
		if p.ledger != p.evaluation {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].customer != keys[j].customer {
			return keys[i].customer < keys[j].customer
		}
		return keys[i].service < keys[j].service
	})
	for _, k := range keys {
		p := sums[k]
		fmt.Fprintf(stdout, "%s %s: ledger %s, evaluation %s, difference %s\n", k.customer, k.service,
			desk.FormatMoney(p.ledger, p.currency), desk.FormatMoney(p.evaluation, p.currency), desk.FormatMoney(p.evaluation-p.ledger, p.currency))
	}
	if len(keys) > 0 {
		fmt.Fprintf(stdout, "%d of %d customer services of %s differ.\n", len(keys), len(sums), *month)
		return 1
	}
	fmt.Fprintf(stdout, "The ledger's tier credits of %s agree with the evaluation of the stored data (%d customer services).\n", *month, len(sums))
	return 0
}
