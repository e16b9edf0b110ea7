package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/amends/amends/internal/demo"
)

// runDemo is `amends demo`: it loads the demo data into an empty database.
func runDemo(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flagSet("demo", stderr)
	dbPath := fs.String("db", "amends.db", "SQLite database file, created if missing (env AMENDS_DB)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	st, err := openStores(ctx, *dbPath)
	if err != nil {
		fmt.Fprintf(stderr, "amends demo: %v\n", err)
		return 1
	}
	defer st.Close()
	loaded, err := demo.Load(ctx, st.incidents, st.desk, time.Now())
	if err != nil {
		fmt.Fprintf(stderr, "amends demo: %v\n", err)
		return 1
	}
	if !loaded {
		fmt.Fprintf(stderr, "amends demo: %s already has services; the demo data goes only into an empty database\n", *dbPath)
		return 1
	}
	fmt.Fprintf(stdout, "Loaded the demo data into %s.\n", *dbPath)
	return 0
}
