package listquery_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"businesstools/internal/auth"
	"businesstools/internal/bench/bigaccount/listquery"
	"businesstools/internal/config"
	"businesstools/internal/seed"
	"businesstools/internal/server"
	"businesstools/internal/testdb"
)

// Ensure every SPA key-list query of DESIGN.md section 8 reads the key
// tables through indexes at 20,000 keys: EXPLAIN of each statement the
// resolvers send shows no sequential scan of api_keys or its join table,
// and the first page is complete.
func TestSPAQueriesUseIndexes(t *testing.T) {
	if testdb.Kind() != "postgres" {
		t.Skip("plans are PostgreSQL's (TEST_DB=postgres)")
	}
	ctx := context.Background()
	seeded := testdb.Open(t)
	if _, err := seed.Run(ctx, seeded, seed.Options{Account: "Big", Keys: 20_000, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	if _, err := auth.CreateAdmin(ctx, seeded.Client, "Big", "big@example.com", "a long enough password"); err != nil {
		t.Fatal(err)
	}
	d, rec, err := listquery.OpenRecorded(seeded.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	cfg := config.Config{Env: "production", DataDir: t.TempDir(), RateLimit: 50, MailFrom: "bt <noreply@example.com>"}
	srv, err := server.New(ctx, cfg, d, slog.New(slog.DiscardHandler), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(ctx)
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	c := &listquery.Client{HTTP: hs.Client(), Base: hs.URL}
	if err := c.Login(ctx, "big@example.com", "a long enough password"); err != nil {
		t.Fatal(err)
	}
	for _, q := range listquery.SPAQueries() {
		if !q.Target {
			continue
		}
		rec.Start()
		p, err := c.Run(ctx, q)
		stmts := listquery.ListStatements(rec.Stop())
		if err != nil {
			t.Fatalf("%s: %v", q.Name, err)
		}
		if len(stmts) == 0 {
			t.Fatalf("%s: no statement recorded", q.Name)
		}
		if n := len(p.APIKeys.Edges); strings.Contains(q.Document, "edges") && p.APIKeys.PageInfo.HasNextPage && n != listquery.PageSize || n > listquery.PageSize {
			t.Errorf("%s: %d keys on the first page, hasNextPage %v", q.Name, n, p.APIKeys.PageInfo.HasNextPage)
		}
		if q.Vars != nil && q.Vars["where"] == nil && len(p.APIKeys.Edges) != listquery.PageSize {
			t.Errorf("%s: %d keys on the first page of 20,000", q.Name, len(p.APIKeys.Edges))
		}
		for _, st := range stmts {
			plan, err := listquery.Explain(ctx, d.SQL, st, false)
			if err != nil {
				t.Fatalf("%s: %v", q.Name, err)
			}
			if scans := listquery.SeqScans(plan); len(scans) > 0 {
				t.Errorf("%s: %s\nreads sequentially:\n%s", q.Name, st.SQL, plan)
			}
		}
	}
}
