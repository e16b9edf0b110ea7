package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
)

const slaUsage = `usage:
  amends sla evaluate [--as-of TIME] FILE|-
      Read one JSON scenario (SLA-SPEC.md) from FILE or standard input and
      print its result as JSON. A scenario without "as_of" is evaluated as of
      --as-of (RFC 3339), or now. Exit 0 on success, 2 on bad input.
  amends sla generate [--customers N] [--incidents N] [--maintenance N] [--seed S] [--month YYYY-MM]
      Print a reproducible generated month scenario (3 services, 1 to 5
      resources per customer) as JSON; the same flags give the same bytes.
  amends sla scenario --month YYYY-MM [--as-of TIME] [--customer ID] [--timezone TZ] [--db FILE]
      Print the stored data of a month (components, incidents, maintenance,
      policies, customers with resources and charges) as the scenario the
      credit desk evaluates, so that "sla evaluate" on it gives the figures
      the desk pays. --customer narrows it to one customer (and its own
      policies); --timezone picks one time zone when policies use several.
  amends sla scenario --incident ID [--as-of TIME] [--db FILE]
      Print the scenario of an incident's goodwill run: the incident alone
      with its approved goodwill grant, over the month its window starts in,
      with every customer of that month, so that "sla evaluate" on it gives
      the goodwill credits the desk pays.
`

// runSLA runs "amends sla ...": evaluate, generate or scenario.
func runSLA(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, slaUsage)
		return 2
	}
	switch args[0] {
	case "evaluate":
		return slaEvaluate(ctx, args[1:], stdin, stdout, stderr, time.Now)
	case "generate":
		return slaGenerate(args[1:], stdout, stderr)
	case "scenario":
		return slaScenario(ctx, args[1:], stdout, stderr, time.Now)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, slaUsage)
		return 0
	}
	fmt.Fprintf(stderr, "amends sla: unknown subcommand %q\n\n%s", args[0], slaUsage)
	return 2
}

func slaEvaluate(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, now func() time.Time) int {
	fs := flag.NewFlagSet("amends sla evaluate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asOf := fs.String("as-of", "", "evaluation instant (RFC 3339) for a scenario without as_of; default now")
	fs.Usage = func() { fmt.Fprint(stderr, slaUsage) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprintf(stderr, "amends sla evaluate: give one FILE, or - for standard input\n\n%s", slaUsage)
		return 2
	}
	var at time.Time
	if *asOf != "" {
		t, err := time.Parse(time.RFC3339, *asOf)
		if err != nil {
			fmt.Fprintf(stderr, "amends sla evaluate: --as-of: %q is not an RFC 3339 time\n", *asOf)
			return 2
		}
		at = t
	}
	in := stdin
	if name := fs.Arg(0); name != "-" {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(stderr, "amends sla evaluate: %v\n", err)
			return 1
		}
		defer f.Close()
		in = f
	}
	s, err := sla.DecodeScenario(bufio.NewReaderSize(in, 1<<20))
	if err != nil {
		return slaFail(stderr, err)
	}
	if s.AsOf.IsZero() {
		if at.IsZero() {
			at = now()
		}
		s.AsOf = at
	}
	if err := ctx.Err(); err != nil {
		fmt.Fprintf(stderr, "amends sla evaluate: %v\n", err)
		return 1
	}
	res, err := sla.Evaluate(s)
	if err != nil {
		return slaFail(stderr, err)
	}
	w := bufio.NewWriterSize(stdout, 1<<20)
	if err := res.WriteJSON(w); err != nil {
		fmt.Fprintf(stderr, "amends sla evaluate: %v\n", err)
		return 1
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintf(stderr, "amends sla evaluate: %v\n", err)
		return 1
	}
	return 0
}

// slaFail reports err; bad input exits 2, anything else 1.
func slaFail(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "amends sla evaluate: %v\n", err)
	switch errs.CodeOf(err) {
	case errs.Invalid, errs.Malformed, errs.TooLarge:
		return 2
	}
	return 1
}

func slaGenerate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("amends sla generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, slaUsage) }
	var o sla.GenerateOptions
	fs.IntVar(&o.Customers, "customers", 1000, "number of customers")
	fs.IntVar(&o.Incidents, "incidents", 200, "number of incidents")
	fs.IntVar(&o.Maintenance, "maintenance", 10, "number of maintenance windows")
	fs.Uint64Var(&o.Seed, "seed", 1, "random seed")
	fs.StringVar(&o.Month, "month", "2012-12", "evaluated month, YYYY-MM (UTC)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 0 || o.Customers < 1 || o.Incidents < 0 || o.Maintenance < 0 {
		fmt.Fprintf(stderr, "amends sla generate: --customers must be at least 1, --incidents and --maintenance at least 0, and no arguments\n\n%s", slaUsage)
		return 2
	}
	if _, _, err := (sla.Period{Month: o.Month}).Bounds(); err != nil {
		fmt.Fprintf(stderr, "amends sla generate: --month: %q is not a month like 2012-12\n", o.Month)
		return 2
	}
	if o.Incidents == 0 {
		o.Incidents = -1 // none
	}
	if o.Maintenance == 0 {
		o.Maintenance = -1
	}
	s := sla.Generate(o)
	w := bufio.NewWriterSize(stdout, 1<<20)
	if err := sla.EncodeScenario(w, s); err != nil {
		fmt.Fprintf(stderr, "amends sla generate: %v\n", err)
		return 1
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintf(stderr, "amends sla generate: %v\n", err)
		return 1
	}
	return 0
}
