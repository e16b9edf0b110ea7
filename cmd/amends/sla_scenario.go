package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/amends/amends/desk"
	"github.com/amends/amends/incidents"
	"github.com/amends/amends/internal/errs"
	"github.com/amends/amends/sla"
)

// slaScenario prints the stored data of one month as the spec scenario the
// credit desk evaluates for it (see desk.MonthScenarios), or with
// --incident the scenario of an incident's goodwill run (see
// desk.GoodwillScenario): exit 0, 2 on bad flags, an unknown incident or one
// without an approved goodwill grant, or when the month needs several
// scenarios and the flags do not pick one, 1 when the database fails.
func slaScenario(ctx context.Context, args []string, stdout, stderr io.Writer, now func() time.Time) int {
	fs := flagSet("sla scenario", stderr)
	fs.Usage = func() { fmt.Fprint(stderr, slaUsage) }
	dbPath := fs.String("db", "amends.db", "SQLite database file (env AMENDS_DB)")
	month := fs.String("month", "", "the month, YYYY-MM")
	asOf := fs.String("as-of", "", "evaluation instant (RFC 3339); default now")
	customer := fs.String("customer", "", "only this customer, with its own policies if it has any")
	zone := fs.String("timezone", "", "only the policies of this time zone, when they use several")
	incident := fs.String("incident", "", "an incident's id: its goodwill run's scenario instead of a month's")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, "amends sla scenario: "+format+"\n", a...)
		return code
	}
	if fs.NArg() != 0 {
		return fail(2, "no arguments are taken; use --month or --incident")
	}
	at := now().UTC().Truncate(time.Second)
	if *asOf != "" {
		t, err := time.Parse(time.RFC3339, *asOf)
		if err != nil {
			return fail(2, "--as-of: %q is not an RFC 3339 time", *asOf)
		}
		at = t
	}
	if *incident != "" {
		if *month != "" || *customer != "" || *zone != "" {
			return fail(2, "--incident takes no --month, --customer or --timezone: its goodwill belongs to the month its window starts in, for every customer")
		}
		id, err := strconv.ParseInt(*incident, 10, 64)
		if err != nil || id <= 0 {
			return fail(2, "--incident: %q is not an incident id", *incident)
		}
		return goodwillScenario(ctx, *dbPath, id, at, stdout, fail)
	}
	from, to, err := desk.MonthWindow(*month)
	if err != nil {
		return fail(2, "--month: %q is not a month like 2012-12", *month)
	}
	st, err := openStores(ctx, *dbPath)
	if err != nil {
		return fail(1, "%v", err)
	}
	defer st.Close()
	base, err := incidents.StoredScenario(ctx, st.incidents, sla.Period{Month: *month}, from, to, at)
	if err != nil {
		return fail(1, "%v", err)
	}
	data, err := st.desk.MonthData(ctx, *month)
	if err != nil {
		return fail(1, "%v", err)
	}
	groups, err := desk.MonthScenarios(*month, at, base, data)
	if err != nil {
		return fail(1, "%v", err)
	}
	var picked []desk.GroupScenario
	own := map[string]bool{}
	for _, g := range groups {
		if g.Customer != "" {
			own[g.Customer] = true
		}
		if *zone != "" && g.TimeZone != *zone {
			continue
		}
		switch {
		case *customer == "" && g.Customer == "":
			picked = append(picked, g)
		case *customer != "" && g.Customer == *customer:
			picked = append(picked, g)
		}
	}
	if *customer != "" && len(picked) == 0 {
		// A customer without overrides is in the default group: keep it alone.
		for _, g := range groups {
			if g.Customer != "" || (*zone != "" && g.TimeZone != *zone) {
				continue
			}
			if one, ok := g.Only(*customer); ok {
				picked = append(picked, one)
			}
		}
		if len(picked) == 0 {
			return fail(2, "--customer: %q has no resources or charges in %s", *customer, *month)
		}
	}
	if len(picked) != 1 {
		var zones []string
		for _, g := range picked {
			zones = append(zones, g.TimeZone)
		}
		return fail(2, "the policies use several time zones (%s): pick one with --timezone", strings.Join(zones, ", "))
	}
	if *customer == "" && len(own) > 0 {
		fmt.Fprintf(stderr, "amends sla scenario: %d customers with their own policies are left out; see each with --customer\n", len(own))
	}
	return writeScenario(stdout, picked[0].Scenario, fail)
}

// goodwillScenario prints the scenario of incident id's goodwill run as of
// at: the month its window starts in, the incident alone with its approved
// grant, every customer with resources or charges that month.
func goodwillScenario(ctx context.Context, dbPath string, id int64, at time.Time, stdout io.Writer, fail func(int, string, ...any) int) int {
	st, err := openStores(ctx, dbPath)
	if err != nil {
		return fail(1, "%v", err)
	}
	defer st.Close()
	inc, err := st.incidents.Incident(ctx, id)
	if errs.CodeOf(err) == errs.NotFound {
		return fail(2, "--incident: there is no incident %d", id)
	}
	if err != nil {
		return fail(1, "%v", err)
	}
	month, err := incidents.GoodwillMonth(inc)
	if err != nil {
		return fail(2, "--incident: %s", errs.MessageOf(err))
	}
	from, to, err := desk.MonthWindow(month)
	if err != nil {
		return fail(1, "%v", err)
	}
	base, err := incidents.StoredScenario(ctx, st.incidents, sla.Period{Month: month}, from, to, at)
	if err != nil {
		return fail(1, "%v", err)
	}
	grants, err := st.desk.GoodwillGrants(ctx, strconv.FormatInt(id, 10))
	if err != nil {
		return fail(1, "%v", err)
	}
	data, err := st.desk.MonthData(ctx, month)
	if err != nil {
		return fail(1, "%v", err)
	}
	s, err := desk.GoodwillScenario(strconv.FormatInt(id, 10), month, at, desk.WithGoodwill(base, grants), data)
	if errs.CodeOf(err) == errs.Invalid {
		return fail(2, "--incident: %s", errs.MessageOf(err))
	}
	if err != nil {
		return fail(1, "%v", err)
	}
	return writeScenario(stdout, s, fail)
}

// writeScenario prints s as the spec's JSON.
func writeScenario(stdout io.Writer, s *sla.Scenario, fail func(int, string, ...any) int) int {
	w := bufio.NewWriterSize(stdout, 1<<20)
	if err := sla.EncodeScenario(w, s); err != nil {
		return fail(1, "%v", err)
	}
	if err := w.Flush(); err != nil {
		return fail(1, "%v", err)
	}
	return 0
}
