// Command loadtest is `make bench`: the key verification hot path measured
// from outside, as a user would. It builds the server, starts it as its own
// process on a loopback port with a fresh database (PostgreSQL when -postgres
// reaches one, SQLite otherwise), creates a key through GraphQL, and then:
//
//   - drives wrk (-t1 -c32 by default) at /healthz and at GET /v1/me with a
//     valid key, an unknown key and a bad-checksum key, in alternating rounds
//     so that background load hits all alike, and prints each target's
//     median req/s, p50 and p99 and the median of its rounds' throughput
//     ratios, each to the mean of the /healthz rounds that open and close
//     that round's turn (the other targets' order rotates each turn);
//     a reference row sends /healthz the same Authorization header, which
//     shows what the request's size alone costs;
//
//   - inserts keys directly into the database (and, with -seed-keys, runs the
//     binary's seed command first) and calls GET /v1/me once with each of
//     -uncached keys the server never saw, one at a time on one connection
//     (wrk -t1 -c1, handed a new key per call by a Lua script): the latency
//     of a verification that goes to the database, beside the same number of
//     calls with the cached key, and with the lookup's query plan.
//
//     go run ./internal/bench/loadtest [-rounds 7] [-duration 3s] [-connections 32]
//     [-postgres URL] [-seed-keys N] [-bin path] [-uncached 1000]
//
// Nothing it prints holds a key: wrk reads the Authorization header from a
// script file only this user can read.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"time"

	"businesstools/internal/bench/machine"
)

func main() {
	var o options
	flag.IntVar(&o.rounds, "rounds", 7, "wrk rounds per target (they alternate); medians are reported; 0 skips wrk")
	flag.DurationVar(&o.duration, "duration", 3*time.Second, "length of one wrk round")
	flag.IntVar(&o.connections, "connections", 32, "wrk connections")
	flag.IntVar(&o.threads, "threads", 1, "wrk threads")
	flag.StringVar(&o.postgres, "postgres", "", "PostgreSQL server URL: the bench creates (and drops) its own database there; empty or unreachable: SQLite")
	flag.IntVar(&o.seedKeys, "seed-keys", 0, "run `<binary> seed --account bench --keys N` before the uncached section (needs the seed command)")
	flag.IntVar(&o.insertKeys, "insert-keys", 2000, "keys inserted directly into the database for the uncached section")
	flag.IntVar(&o.uncached, "uncached", 1000, "GET /v1/me calls with distinct keys the server never saw (≥ 50 for a p99)")
	flag.StringVar(&o.bin, "bin", "", "server binary to measure (default: go build of this checkout)")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

type options struct {
	rounds, connections, threads int
	duration                     time.Duration
	postgres, bin                string
	seedKeys, insertKeys         int
	uncached                     int
}

func run(o options) error {
	if _, err := exec.LookPath("wrk"); err != nil {
		return fmt.Errorf("wrk is not installed (Debian: apt-get install wrk; `make bench` does it)")
	}
	tmp, err := os.MkdirTemp("", "bt-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	ctx := context.Background()

	if o.bin == "" {
		o.bin = tmp + "/businesstools"
		build := exec.Command("go", "build", "-o", o.bin, ".")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("build the server: %w", err)
		}
	}
	database, err := newDatabase(ctx, o.postgres, tmp)
	if err != nil {
		return err
	}
	defer database.drop()
	if o.seedKeys > 0 {
		if err := seed(o.bin, database, o.seedKeys); err != nil {
			return err
		}
	}
	srv, err := startServer(ctx, o.bin, database, tmp)
	if err != nil {
		return err
	}
	defer srv.stop()

	fmt.Printf("businesstools hot path — %s\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Printf("machine: %s, %d CPUs (GOMAXPROCS of the bench %d), load average %s; %s; database %s\n\n",
		machine.CPUModel(), runtime.NumCPU(), runtime.GOMAXPROCS(0), machine.LoadAverage(), runtime.Version(), database.kind)

	if o.rounds > 0 {
		if err := hotPath(ctx, o, srv, tmp); err != nil {
			return err
		}
	}
	if o.uncached > 0 {
		if err := uncachedSection(ctx, o, srv, database, tmp); err != nil {
			return err
		}
	}
	fmt.Printf("\nload average at the end: %s\n", machine.LoadAverage())
	return nil
}
