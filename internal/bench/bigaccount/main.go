// Command bigaccount is the 1M-key section of `make bench` (DESIGN.md
// section 8): it creates a fresh PostgreSQL database, seeds one account with
// a million keys (internal/seed), starts the real server binary on it, signs
// in over GraphQL and measures the SPA's first-page key-list queries (p50 and
// p99 of -calls calls each, taking turns so background load hits all alike).
// It then replays each query once through an in-process server whose ent
// driver records the SQL, and prints EXPLAIN (ANALYZE, BUFFERS) of it.
//
//	go run ./internal/bench/bigaccount [-keys 1000000] [-calls 60] [-database-url postgres://…/postgres]
//	go run ./internal/bench/bigaccount -reuse postgres://…/bt_bench_x   # measure an already seeded database
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"flag"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"time"

	_ "github.com/lib/pq"

	"businesstools/internal/apperr"
	"businesstools/internal/auth"
	"businesstools/internal/bench/machine"
	"businesstools/internal/db"
	"businesstools/internal/seed"
)

const (
	account       = "Big Account"
	adminEmail    = "bench@example.com"
	adminPassword = "bench password, not a secret"
	target        = 50 * time.Millisecond
)

func main() {
	keys := flag.Int("keys", 1_000_000, "keys to seed into the account")
	calls := flag.Int("calls", 60, "measured calls per query (p99 needs at least 50)")
	base := flag.String("database-url", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable",
		"PostgreSQL server to create the benchmark database on (any database of it)")
	reuse := flag.String("reuse", "", "measure this already seeded database instead of creating one (kept)")
	keep := flag.Bool("keep", false, "keep the benchmark database (its URL is printed)")
	flag.Parse()
	if err := run(*base, *reuse, *keys, *calls, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "bigaccount:", err)
		os.Exit(1)
	}
}

func run(base, reuse string, keys, calls int, keep bool) error {
	ctx := context.Background()
	fmt.Printf("businesstools key list at %d keys — %s\nmachine: %s, %d CPUs, load average %s; %s\n\n",
		keys, time.Now().UTC().Format("2006-01-02 15:04 MST"), machine.CPUModel(), runtime.NumCPU(), machine.LoadAverage(), runtime.Version())
	dbURL := reuse
	if dbURL == "" {
		u, drop, err := createDatabase(base)
		if err != nil {
			return err
		}
		if keep {
			fmt.Printf("database kept: %s\n", u)
		} else {
			defer drop()
		}
		dbURL = u
		if err := seedAccount(ctx, dbURL, keys); err != nil {
			return err
		}
	}
	if err := ensureAdmin(ctx, dbURL); err != nil {
		return err
	}
	srv, err := startServer(ctx, dbURL)
	if err != nil {
		return err
	}
	defer srv.stop()
	results, err := measure(ctx, srv.base, calls)
	if err != nil {
		return err
	}
	printResults(results, calls)
	return explainAll(ctx, dbURL)
}

// createDatabase creates an empty database on the server of base and
// returns its URL and a function dropping it.
func createDatabase(base string) (string, func(), error) {
	admin, err := sql.Open("postgres", base)
	if err == nil {
		err = admin.Ping()
	}
	if err != nil {
		return "", nil, fmt.Errorf("PostgreSQL at %s: %w", redact(base), err)
	}
	buf := make([]byte, 4)
	_, _ = rand.Read(buf)
	name := "bt_bench_" + hex.EncodeToString(buf)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		return "", nil, fmt.Errorf("create database: %w", err)
	}
	u, _ := url.Parse(base)
	u.Path = "/" + name
	drop := func() {
		_, _ = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		admin.Close()
	}
	return u.String(), drop, nil
}

// seedAccount migrates, seeds keys into the account and settles the table
// as autovacuum would (VACUUM ANALYZE).
func seedAccount(ctx context.Context, dbURL string, keys int) error {
	d, err := db.Open(ctx, dbURL, "")
	if err != nil {
		return err
	}
	defer d.Close()
	res, err := seed.Run(ctx, d, seed.Options{Account: account, Keys: keys, Seed: 1,
		Progress: func(done int) { fmt.Fprintf(os.Stderr, "\rseeding: %d of %d keys", done, keys) }})
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return err
	}
	fmt.Printf("seed: %d keys in %s (%.0f keys/s) — %d inactive, %d used, %d expiring, %d expired, %d permission grants\n",
		res.Keys, res.Elapsed.Round(time.Millisecond), float64(res.Keys)/res.Elapsed.Seconds(),
		res.Inactive, res.Used, res.Expiring, res.Expired, res.PermissionRows)
	started := time.Now()
	if _, err := d.SQL.ExecContext(ctx, "VACUUM ANALYZE api_keys, api_key_permissions"); err != nil {
		return fmt.Errorf("vacuum: %w", err)
	}
	fmt.Printf("VACUUM ANALYZE: %s\n", time.Since(started).Round(time.Millisecond))
	return nil
}

// ensureAdmin adds the admin the benchmark signs in as, unless it exists.
func ensureAdmin(ctx context.Context, dbURL string) error {
	d, err := db.Open(ctx, dbURL, "")
	if err != nil {
		return err
	}
	defer d.Close()
	_, err = auth.CreateAdmin(ctx, d.Client, account, adminEmail, adminPassword)
	if apperr.CodeOf(err) == apperr.Conflict {
		return nil
	}
	return err
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}
