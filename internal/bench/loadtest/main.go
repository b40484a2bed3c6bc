// Command loadtest is `make bench`: a loopback load test of the key check.
// It starts a fresh server in this process (SQLite in a temporary
// directory), creates a key with a raised rate limit, then attacks /healthz
// and GET /v1/me with a valid key, an unknown well-formed key and a
// bad-checksum key, each at the highest rate its connections allow
// (github.com/tsenart/vegeta as a library). The targets take turns in short
// rounds so that background load on a shared machine hits them alike. It
// prints requests/s, p50/p99 latency, each one's throughput as a ratio to
// /healthz, and the database lookups each target caused.
//
//	go run ./internal/bench/loadtest [-duration 8s] [-rounds 8] [-workers 16] [-cpuprofile f]
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"businesstools/ent"
	"businesstools/ent/permission"
	"businesstools/internal/apikey"
	"businesstools/internal/config"
	"businesstools/internal/db"
	"businesstools/internal/server"
	"businesstools/internal/tenant"
)

func main() {
	duration := flag.Duration("duration", 8*time.Second, "measured attack time per target")
	rounds := flag.Int("rounds", 8, "the targets take turns this many times, so background load hits all alike")
	workers := flag.Uint64("workers", 16, "concurrent connections")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run (server and load) to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(*duration, *rounds, *workers); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

// phase is one attack: a target and the status it must answer.
type phase struct {
	name   string
	header http.Header
	path   string
	status int
}

// result sums one target's rounds.
type result struct {
	metrics          vegeta.Metrics
	elapsed          time.Duration
	lookups, queries int64
	flushes          int64
}

func run(duration time.Duration, rounds int, workers uint64) error {
	ctx := tenant.Unscoped(context.Background()) // the bench sets up across accounts

	dir, err := os.MkdirTemp("", "bt-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	d, err := db.Open(ctx, "", dir)
	if err != nil {
		return err
	}
	defer d.Close()
	keyQueries := countKeyQueries(d.Client)
	cfg := config.Config{DataDir: dir, Env: "production", RateLimit: 50,
		AdminEmail: "bench@example.com", AdminPassword: "bench password, not secret"}
	srv, err := server.New(ctx, cfg, d, slog.New(slog.DiscardHandler), os.Stderr)
	if err != nil {
		return err
	}
	defer srv.Stop(ctx)

	secret, err := benchKey(ctx, srv)
	if err != nil {
		return err
	}
	unknown, _ := apikey.Generate()
	bad := []byte(secret)
	bad[len(bad)-1] ^= 1

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	defer hs.Close()
	base := "http://" + ln.Addr().String()
	bearer := func(k string) http.Header { return http.Header{"Authorization": {"Bearer " + k}} }
	phases := []phase{
		{"/healthz", nil, "/healthz", 200},
		{"/v1/me valid key", bearer(secret), "/v1/me", 200},
		{"/v1/me unknown key", bearer(unknown), "/v1/me", 401},
		{"/v1/me bad checksum", bearer(string(bad)), "/v1/me", 401},
	}

	fmt.Printf("businesstools loopback load test: %d connections, %d rounds of %s per target, GOMAXPROCS=%d, SQLite\n\n",
		workers, rounds, duration/time.Duration(rounds), runtime.GOMAXPROCS(0))
	for _, p := range phases { // warm up connections and, for the valid and unknown keys, the caches
		if _, _, err := attack(base, p, workers, 500*time.Millisecond, nil); err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
	}
	results := make([]result, len(phases))
	for range rounds {
		for i, p := range phases {
			r := &results[i]
			lookups, queries, flushes := srv.Verifier.Lookups(), keyQueries.Load(), srv.Usage.Stats().Flushes
			_, elapsed, err := attack(base, p, workers, duration/time.Duration(rounds), &r.metrics)
			if err != nil {
				return fmt.Errorf("%s: %w", p.name, err)
			}
			r.elapsed += elapsed
			r.lookups += srv.Verifier.Lookups() - lookups
			r.queries += keyQueries.Load() - queries
			r.flushes += srv.Usage.Stats().Flushes - flushes
		}
	}
	fmt.Printf("%-22s %9s %9s %9s %6s %11s %12s %8s\n", "target", "req/s", "p50", "p99", "ratio", "DB lookups", "key queries", "flushes")
	var healthz float64
	for i, p := range phases {
		r := &results[i]
		r.metrics.Close()
		rps := float64(r.metrics.Requests) / r.elapsed.Seconds()
		if i == 0 {
			healthz = rps
		}
		fmt.Printf("%-22s %9.0f %9s %9s %6.2f %11d %12d %8d\n", p.name, rps,
			r.metrics.Latencies.P50.Round(time.Microsecond), r.metrics.Latencies.P99.Round(time.Microsecond), rps/healthz,
			r.lookups, r.queries, r.flushes)
	}
	fmt.Print(`
DB lookups: database lookups by the key verifier. The bad-checksum key never gets one;
the valid and the unknown key get one at first sight and then one each time their cache
entry's 10 s freshness runs out (the safety net; every change drops entries at once).
Key queries: every query of the api_keys, permissions and accounts tables, whoever made
it: a lookup is 1 (unknown) or 3 (known key) of them, a usage flush 1 (the flushes column
counts flushes of the valid key's usage, which may land in the next target's turn).
`)
	return nil
}

// attack runs one phase at the highest rate workers connections allow,
// adds its results to into (if set), and checks every answer had the
// expected status. It returns the requests made and the time taken.
func attack(base string, p phase, workers uint64, duration time.Duration, into *vegeta.Metrics) (uint64, time.Duration, error) {
	tr := vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodGet, URL: base + p.path, Header: p.header})
	a := vegeta.NewAttacker(vegeta.Workers(workers), vegeta.MaxWorkers(workers), vegeta.Connections(int(workers)),
		vegeta.KeepAlive(true))
	var n, ok uint64
	start := time.Now()
	for res := range a.Attack(tr, vegeta.Rate{}, duration, p.name) { // zero rate: as fast as possible
		n++
		if int(res.Code) == p.status {
			ok++
		}
		if into != nil {
			into.Add(res)
		}
	}
	elapsed := time.Since(start)
	if ok != n {
		return n, elapsed, fmt.Errorf("%d of %d answers were not %d", n-ok, n, p.status)
	}
	return n, elapsed, nil
}

// benchKey creates a key in the first account with a rate limit the attack
// cannot reach, so the limiter is exercised but never refuses.
func benchKey(ctx context.Context, srv *server.Server) (string, error) {
	acc, err := srv.DB.Client.Account.Query().First(ctx)
	if err != nil {
		return "", err
	}
	k, secret, err := srv.Keys.Create(ctx, apikey.Actor{AccountID: acc.ID, Email: "bench"},
		apikey.CreateInput{Name: "bench", Permissions: []permission.Key{permission.KeySEND_EMAILS}})
	if err != nil {
		return "", err
	}
	if err := srv.DB.Client.ApiKey.UpdateOneID(k.ID).SetRateLimit(10_000_000).Exec(ctx); err != nil {
		return "", err
	}
	return secret, nil
}

// countKeyQueries counts ent queries of the tables key verification reads.
func countKeyQueries(c *ent.Client) *atomic.Int64 {
	var n atomic.Int64
	count := ent.InterceptFunc(func(next ent.Querier) ent.Querier {
		return ent.QuerierFunc(func(ctx context.Context, q ent.Query) (ent.Value, error) {
			n.Add(1)
			return next.Query(ctx, q)
		})
	})
	c.ApiKey.Intercept(count)
	c.Permission.Intercept(count)
	c.Account.Intercept(count)
	return &n
}
