package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	auditsqlite "github.com/amends/amends/audit/sqlite"
	"github.com/amends/amends/auth"
	authsqlite "github.com/amends/amends/auth/sqlite"
	"github.com/amends/amends/desk"
	desksqlite "github.com/amends/amends/desk/sqlite"
	"github.com/amends/amends/incidents"
	incsqlite "github.com/amends/amends/incidents/sqlite"
	"github.com/amends/amends/internal/sqlitedb"
	notifysqlite "github.com/amends/amends/notify/sqlite"
)

// flagSet returns a FlagSet whose every flag can also come from an
// AMENDS_* environment variable (flag "site-name" from AMENDS_SITE_NAME);
// a flag on the command line wins.
func flagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("amends "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseFlags parses args, then fills every flag not given from its
// environment variable. It returns exit code 2 on a usage error.
func parseFlags(fs *flag.FlagSet, args []string) (int, bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, false
		}
		return 2, false
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var bad error
	fs.VisitAll(func(f *flag.Flag) {
		env := "AMENDS_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(env); ok && !given[f.Name] && bad == nil {
			if err := f.Value.Set(v); err != nil {
				bad = fmt.Errorf("%s: %v", env, err)
			}
		}
	})
	if bad != nil {
		fmt.Fprintln(fs.Output(), bad)
		return 2, false
	}
	return 0, true
}

// stores is the opened database with every store over it.
type stores struct {
	db        *sql.DB
	incidents *incsqlite.Store
	accounts  *authsqlite.Store
	desk      *desksqlite.Store
	notify    *notifysqlite.Store
	audit     *auditsqlite.Log
}

var (
	_ incidents.Store = (*incsqlite.Store)(nil)
	_ auth.Store      = (*authsqlite.Store)(nil)
	_ desk.Store      = (*desksqlite.Store)(nil)
)

// openStores opens (creating and migrating) the database at path.
func openStores(ctx context.Context, path string) (*stores, error) {
	db, err := sqlitedb.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	inc, err := incsqlite.New(db)
	if err != nil {
		db.Close()
		return nil, err
	}
	acc, err := authsqlite.New(db)
	if err != nil {
		db.Close()
		return nil, err
	}
	desk, err := desksqlite.New(db)
	if err != nil {
		db.Close()
		return nil, err
	}
	nst, err := notifysqlite.New(db)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &stores{db: db, incidents: inc, accounts: acc, desk: desk, notify: nst, audit: auditsqlite.New(db)}, nil
}

// Revision implements web.Revisioner over the database.
func (s *stores) Revision(ctx context.Context) (int64, error) { return sqlitedb.Revision(ctx, s.db) }

// ProbeWrite implements web.WriteProber over the database.
func (s *stores) ProbeWrite(ctx context.Context) error { return sqlitedb.ProbeWrite(ctx, s.db) }

func (s *stores) Close() error { return s.db.Close() }
