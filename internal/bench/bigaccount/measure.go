package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"time"

	"businesstools/internal/bench/bigaccount/listquery"
	"businesstools/internal/config"
	"businesstools/internal/server"
)

// result is one query's latencies.
type result struct {
	query    listquery.Query
	rows     int
	hasNext  bool
	samples  []time.Duration
	p50, p99 time.Duration
}

// measure signs in to the server at base and calls every SPA query calls
// times (after a warm-up of five), one at a time over one connection, the
// queries taking turns.
func measure(ctx context.Context, base string, calls int) ([]result, error) {
	c := &listquery.Client{HTTP: &http.Client{Timeout: 30 * time.Second}, Base: base}
	if err := c.Login(ctx, adminEmail, adminPassword); err != nil {
		return nil, err
	}
	queries := listquery.SPAQueries()
	results := make([]result, len(queries))
	for i, q := range queries {
		results[i].query = q
		for range 5 {
			p, err := c.Run(ctx, q)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", q.Name, err)
			}
			results[i].rows, results[i].hasNext = len(p.APIKeys.Edges), p.APIKeys.PageInfo.HasNextPage
		}
	}
	for range calls {
		for i, q := range queries {
			started := time.Now()
			if _, err := c.Run(ctx, q); err != nil {
				return nil, fmt.Errorf("%s: %w", q.Name, err)
			}
			results[i].samples = append(results[i].samples, time.Since(started))
		}
	}
	for i := range results {
		r := &results[i]
		slices.Sort(r.samples)
		r.p50, r.p99 = percentile(r.samples, 0.50), percentile(r.samples, 0.99)
	}
	return results, nil
}

// percentile is the nearest-rank percentile of sorted samples.
func percentile(sorted []time.Duration, p float64) time.Duration {
	rank := int(float64(len(sorted))*p+0.999999) - 1
	return sorted[max(0, min(rank, len(sorted)-1))]
}

func printResults(results []result, calls int) {
	fmt.Printf("\nKey list at %s, one server process, %d calls per query over one connection (GraphQL over HTTP, end to end)\n\n",
		account, calls)
	fmt.Printf("%-44s %5s %5s %9s %9s  %s\n", "apiKeys(first: 20) …", "rows", "next", "p50", "p99", "p99 < 50 ms")
	for _, r := range results {
		verdict := "ok"
		switch {
		case !r.query.Target:
			verdict = "(for comparison)"
		case r.p99 >= target:
			verdict = "MISSED"
		}
		fmt.Printf("%-44s %5d %5v %9s %9s  %s\n", r.query.Name, r.rows, r.hasNext,
			r.p50.Round(10*time.Microsecond), r.p99.Round(10*time.Microsecond), verdict)
	}
}

// explainAll replays each query once through an in-process server whose
// ent driver records its SQL, and prints EXPLAIN (ANALYZE, BUFFERS) of each
// statement that reads the key tables.
func explainAll(ctx context.Context, dbURL string) error {
	d, rec, err := listquery.OpenRecorded(dbURL)
	if err != nil {
		return err
	}
	defer d.Close()
	dir, err := os.MkdirTemp("", "bt-bigaccount-explain-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	env := map[string]string{"BT_ENV": "production", "BT_DATA_DIR": dir, "BT_ALLOW_REVEAL": "false"}
	cfg, err := config.Load(nil, func(k string) string { return env[k] })
	if err != nil {
		return err
	}
	srv, err := server.New(ctx, cfg, d, slog.New(slog.DiscardHandler), io.Discard)
	if err != nil {
		return err
	}
	defer srv.Stop(ctx)
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	c := &listquery.Client{HTTP: hs.Client(), Base: hs.URL}
	if err := c.Login(ctx, adminEmail, adminPassword); err != nil {
		return err
	}
	fmt.Printf("\nEXPLAIN (ANALYZE, BUFFERS) of the SQL each query sends (recorded from the resolvers; second run, warm cache)\n")
	for _, q := range listquery.SPAQueries() {
		if _, err := c.Run(ctx, q); err != nil { // warm, as the measured calls were
			return fmt.Errorf("%s: %w", q.Name, err)
		}
		rec.Start()
		_, err := c.Run(ctx, q)
		stmts := listquery.ListStatements(rec.Stop())
		if err != nil {
			return fmt.Errorf("%s: %w", q.Name, err)
		}
		fmt.Printf("\n### %s\n", q.Name)
		for _, st := range stmts {
			plan, err := listquery.Explain(ctx, d.SQL, st, true)
			if err != nil {
				return fmt.Errorf("%s: %w", q.Name, err)
			}
			fmt.Printf("\n%s\n  args: %v\n\n%s", st.SQL, st.Args, indent(plan))
		}
	}
	return nil
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ") + "\n"
}
