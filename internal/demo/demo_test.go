package demo

import (
	"context"
	"database/sql"

	desksqlite "github.com/amends/amends/desk/sqlite"
	incsqlite "github.com/amends/amends/incidents/sqlite"
	"github.com/amends/amends/internal/sqlitedb"
)

// stores are the stores Load writes to, over one database file, as
// cmd/amends opens them.
type stores struct {
	db        *sql.DB
	incidents *incsqlite.Store
	desk      *desksqlite.Store
}

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
	desk, err := desksqlite.New(db)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &stores{db: db, incidents: inc, desk: desk}, nil
}

func (s *stores) Close() error { return s.db.Close() }
