package db_test

import (
	"context"
	"crypto/sha256"
	"testing"

	"businesstools/internal/apikey"
	"businesstools/internal/testdb"
)

// Ensure the key lookup pool plans its prepared statement once: on
// PostgreSQL its sessions run the generic plan from the first execution
// (pg_prepared_statements counts no custom plan), while the main pool keeps
// PostgreSQL's default; SQLite has no such pool.
func TestLookupPoolPlansOnce(t *testing.T) {
	d := testdb.Open(t)
	ctx := context.Background()
	pool, err := d.OpenLookupPool()
	if err != nil {
		t.Fatal(err)
	}
	if !d.IsPostgres() {
		if pool != nil {
			t.Fatal("a lookup pool on SQLite")
		}
		return
	}
	defer pool.Close()
	conn, err := pool.Conn(ctx) // one session, so pg_prepared_statements sees the statement
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	stmt, err := conn.PrepareContext(ctx, apikey.FactsQuery(d.Dialect))
	if err != nil {
		t.Fatal(err)
	}
	const runs = 7 // more than PostgreSQL's five custom plans
	for i := range runs {
		h := sha256.Sum256([]byte{byte(i)})
		rows, err := stmt.QueryContext(ctx, h[:], h[:])
		if err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	var generic, custom int
	if err := conn.QueryRowContext(ctx, `SELECT generic_plans, custom_plans FROM pg_prepared_statements
		WHERE statement = $1`, apikey.FactsQuery(d.Dialect)).Scan(&generic, &custom); err != nil {
		t.Fatal(err)
	}
	if generic != runs || custom != 0 {
		t.Fatalf("lookup pool: %d generic and %d custom plans for %d runs; want only generic", generic, custom, runs)
	}
	var mode string
	if err := d.SQL.QueryRowContext(ctx, "SHOW plan_cache_mode").Scan(&mode); err != nil || mode != "auto" {
		t.Fatalf("main pool plan_cache_mode %q (%v), want auto", mode, err)
	}
}
