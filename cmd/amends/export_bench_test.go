package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/amends/amends/web"
	"github.com/amends/amends/web/mirror"
)

// BenchmarkExportDemo is one export of the demo site after a change to the
// data, as `serve --export-dir` makes it: every page rendered again (the
// page cache is new each time), unchanged files linked from the previous
// version.
func BenchmarkExportDemo(b *testing.B) {
	ctx := context.Background()
	tmp := b.TempDir()
	db := filepath.Join(tmp, "amends.db")
	if code := run(ctx, []string{"demo", "--db", db}, nil, io.Discard, io.Discard); code != 0 {
		b.Fatalf("demo: exit %d", code)
	}
	st, err := openStores(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	log := slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))
	if err := backfillUptime(ctx, st, time.Time{}, log); err != nil {
		b.Fatal(err)
	}
	site := filepath.Join(tmp, "site")
	b.ResetTimer()
	for range b.N {
		srv := web.New(exportConfig("Amends Cloud", "https://status.example.com", time.Time{}, log, st), st.incidents, st.accounts, st.desk, st)
		if _, err := mirror.Export(ctx, srv, site, mirror.Options{BaseURL: "https://status.example.com"}); err != nil {
			b.Fatal(err)
		}
	}
}
