package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os/user"
	"strings"
	"time"

	"github.com/amends/amends/audit"
	"github.com/amends/amends/auth"
	"github.com/amends/amends/internal/errs"
)

// cliActor is who the audit log names for writes made from the command line.
func cliActor() audit.Actor {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return audit.Named("cli:" + name)
}

// exitCode maps a domain error to the CLI's exit code: 2 for what the
// caller got wrong, 1 for anything else.
func exitCode(err error) int {
	switch errs.CodeOf(err) {
	case errs.Invalid, errs.Malformed, errs.NotFound, errs.Conflict, errs.Forbidden, errs.Unauthorized, errs.TooLarge:
		return 2
	}
	return 1
}

// runUser is `amends user add`.
func runUser(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "add" {
		fmt.Fprintln(stderr, "usage: amends user add --email E --name N --role viewer|support|manager|admin [--db amends.db] < password")
		return 2
	}
	fs := flagSet("user add", stderr)
	dbPath := fs.String("db", "amends.db", "SQLite database file (env AMENDS_DB)")
	email := fs.String("email", "", "the user's email, used to sign in")
	name := fs.String("name", "", "the user's name")
	roleName := fs.String("role", "support", "viewer, support, manager or admin")
	if code, ok := parseFlags(fs, args[1:]); !ok {
		return code
	}
	role, err := auth.ParseRole(*roleName)
	if err != nil {
		fmt.Fprintf(stderr, "amends user add: %v\n", err)
		return 2
	}
	password, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		fmt.Fprintf(stderr, "amends user add: reading the password from standard input: %v\n", err)
		return 1
	}
	password = strings.TrimRight(password, "\r\n")

	st, err := openStores(ctx, *dbPath)
	if err != nil {
		fmt.Fprintf(stderr, "amends user add: %v\n", err)
		return 1
	}
	defer st.Close()
	n, err := st.accounts.UserCount(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "amends user add: %v\n", err)
		return 1
	}
	nu := auth.NewUser{Email: *email, Name: *name, Role: role, Password: password}
	var u auth.User
	if n == 0 {
		// Whoever can run the binary on the database file already holds
		// everything in it, so the first admin needs no setup link here.
		if role != auth.Admin {
			fmt.Fprintln(stderr, "amends user add: there are no users yet: the first user must be an admin (--role admin)")
			return 2
		}
		u, err = st.accounts.CreateInitialAdmin(ctx, cliActor(), nu, time.Now())
	} else {
		u, err = st.accounts.CreateUser(ctx, cliActor(), nu, time.Now())
	}
	if err != nil {
		fmt.Fprintf(stderr, "amends user add: %v\n", err)
		return exitCode(err)
	}
	fmt.Fprintf(stdout, "Added %s (%s) as %s.\n", u.Email, u.Name, u.Role)
	return 0
}

// runToken is `amends token create`.
func runToken(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(stderr, "usage: amends token create --user EMAIL --name NAME [--role ROLE] [--db amends.db]")
		return 2
	}
	fs := flagSet("token create", stderr)
	dbPath := fs.String("db", "amends.db", "SQLite database file (env AMENDS_DB)")
	owner := fs.String("user", "", "email of the user the token acts for")
	name := fs.String("name", "", "what the token is for, e.g. \"deploy pipeline\"")
	roleName := fs.String("role", "", "the token's role, at most its user's (default: the user's role)")
	if code, ok := parseFlags(fs, args[1:]); !ok {
		return code
	}
	st, err := openStores(ctx, *dbPath)
	if err != nil {
		fmt.Fprintf(stderr, "amends token create: %v\n", err)
		return 1
	}
	defer st.Close()
	users, err := st.accounts.Users(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "amends token create: %v\n", err)
		return 1
	}
	var found *auth.User
	for i := range users {
		if strings.EqualFold(users[i].Email, strings.TrimSpace(*owner)) {
			found = &users[i]
		}
	}
	if found == nil {
		fmt.Fprintf(stderr, "amends token create: --user: no user has the email %q\n", *owner)
		return 2
	}
	role := found.Role
	if *roleName != "" {
		if role, err = auth.ParseRole(*roleName); err != nil {
			fmt.Fprintf(stderr, "amends token create: %v\n", err)
			return 2
		}
	}
	raw, _, err := st.accounts.CreateToken(ctx, cliActor(), found.ID, *name, role, time.Now())
	if err != nil {
		fmt.Fprintf(stderr, "amends token create: %v\n", err)
		return exitCode(err)
	}
	fmt.Fprintln(stdout, raw)
	return 0
}
