// Command amends is the one Amends binary: the server, the demo loader, user
// and token administration, and the SLA engine on the command line.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// command is one subcommand: it gets its arguments (after its name) and
// returns the process exit code: 0 success, 1 failure, 2 bad input or usage.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"serve", "serve the status page, admin and API (serve [--addr] [--db] [--demo])", runServe},
		{"demo", "load the demo data into an empty database (demo [--db])", runDemo},
		{"user", "add a user (user add --email --name --role < password)", runUser},
		{"token", "create an API token (token create --user EMAIL --name NAME)", runToken},
		{"backup", "copy the database while it is served (backup [--db] OUT)", runBackup},
		{"check", "check a database's integrity and schema level, as after a restore (check [--db])", runCheck},
		{"export", "write the public site as static files (export [--db] [--base-url URL] DIR), or as Statuspage's documents (export statuspage [--db] DIR)", runExport},
		{"import", "import a Statuspage history (import statuspage [--db] [--dry-run] FILE...|URL)", runImport},
		{"sla", "evaluate an SLA scenario (sla evaluate FILE|-), or generate one (sla generate)", runSLA},
		{"credits", "check the ledger's tier credits against the engine (credits reconcile --month YYYY-MM [--db])", runCredits},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdin, stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "amends: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: amends COMMAND [flags]")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
}
