package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	"entgo.io/ent/dialect"

	"businesstools/ent"
	"businesstools/ent/account"
	"businesstools/ent/permission"
	"businesstools/internal/apikey"
	"businesstools/internal/db"
	"businesstools/internal/tenant"
)

// uncachedSection measures GET /v1/me with keys the server never saw: each
// call's verification goes to the database (one statement: see
// apikey.LoadFacts). wrk makes the calls, one at a time on one connection,
// so that what is measured is the server, the loopback and the database; a
// second line makes the same kind of calls through Go's net/http client,
// whose own goroutine hand-offs add about a quarter of a millisecond a call
// on this VM (the figures up to 0.3.0 were taken that way).
func uncachedSection(ctx context.Context, o options, srv *server, d *database, tmp string) error {
	ctx = tenant.Unscoped(ctx) // the bench writes keys like a system job
	conn, err := openDirect(ctx, d)
	if err != nil {
		return err
	}
	defer conn.Close()
	const rounds = 3
	goCalls := min(300, o.uncached)
	secrets, err := insertKeys(ctx, conn, max(o.insertKeys, rounds*o.uncached+goCalls+1))
	if err != nil {
		return err
	}
	total, err := conn.Client.ApiKey.Query().Count(ctx)
	if err != nil {
		return err
	}
	if err := settle(ctx, conn); err != nil {
		return err
	}
	// Rounds take turns with the floor: as many calls with the one key the
	// server has cached (the loopback round trip and the handler, no
	// database), so that a spell of the VM's jitter hits both alike.
	var floor, lat []round
	// One unmeasured round first: the first calls after the settling find
	// the machine busier (seen: p99 8–9 ms for the cached key, then < 1 ms).
	if _, err := oneAtATime(ctx, srv, slices.Repeat([]string{srv.key}, o.uncached), tmp, "warm-up"); err != nil {
		return err
	}
	lookups0, _ := srv.metric("apikey_db_lookups_total")
	for i := range rounds {
		f, err := oneAtATime(ctx, srv, slices.Repeat([]string{srv.key}, o.uncached), tmp, fmt.Sprint("cached", i))
		if err != nil {
			return err
		}
		u, err := oneAtATime(ctx, srv, secrets[i*o.uncached:(i+1)*o.uncached], tmp, fmt.Sprint("uncached", i))
		if err != nil {
			return err
		}
		floor, lat = append(floor, f), append(lat, u)
	}
	lookups1, _ := srv.metric("apikey_db_lookups_total")
	fmt.Printf("\nGET /v1/me with keys this server never saw, one call at a time on 1 connection (wrk -t1 -c1; %s, %d keys in the database)\n",
		d.kind, total)
	fmt.Printf("%d rounds of %d calls, taking turns with the cached key; medians of the rounds\n", rounds, o.uncached)
	fmt.Printf("%-30s %9s %9s %9s %9s  %s\n", "", "p50", "p90", "p99", "max", "p99 of each round")
	p99 := printLatencies("uncached key", lat)
	fmt.Printf("  (target p99 < 2ms) %s; the server's database lookups: %.0f\n",
		passFail(p99 < 2*time.Millisecond), lookups1-lookups0)
	printLatencies("reference: the cached key", floor)

	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1}}
	if resp, err := client.Get(srv.base + "/healthz"); err == nil { // open the one connection
		resp.Body.Close()
	}
	goLat, err := meLatencies(ctx, client, srv.base, secrets[rounds*o.uncached:rounds*o.uncached+goCalls])
	if err != nil {
		return err
	}
	fmt.Printf("the same through Go's net/http client, %d other uncached keys: p50 %s  p90 %s  p99 %s  max %s\n",
		len(goLat), pct(goLat, 0.50), pct(goLat, 0.90), pct(goLat, 0.99), goLat[len(goLat)-1].Round(time.Microsecond))
	return explain(ctx, conn, secrets[len(secrets)-1])
}

// printLatencies prints the rounds' median latencies and returns the p99.
func printLatencies(name string, rs []round) time.Duration {
	med := func(f func(round) time.Duration) time.Duration {
		return time.Duration(median(rs, func(r round) float64 { return float64(f(r)) })).Round(time.Microsecond)
	}
	var each []string
	for _, r := range rs {
		each = append(each, r.p99.Round(time.Microsecond).String())
	}
	p99 := med(func(r round) time.Duration { return r.p99 })
	fmt.Printf("%-30s %9s %9s %9s %9s  %s\n", name, med(func(r round) time.Duration { return r.p50 }),
		med(func(r round) time.Duration { return r.p90 }), p99, med(func(r round) time.Duration { return r.max }),
		strings.Join(each, " "))
	return p99
}

// oneAtATimeLua hands wrk the next key of a file for each call; after the
// last answer it stops wrk's thread and leaves a mark file. wrk asks for
// one request before it starts, so the first key is never sent.
const oneAtATimeLua = `local keys = {}
for line in io.lines(%q) do keys[#keys + 1] = line end
local sent = 0
request = function()
  sent = math.min(sent + 1, #keys)
  return wrk.format("GET", "/v1/me", {["Authorization"] = "Bearer " .. keys[sent]})
end
response = function(status)
  if sent == #keys then
    io.open(%q, "w"):close()
    wrk.thread:stop()
  end
end
`

// oneAtATime has wrk call GET /v1/me with each key in turn, one call at a
// time on one connection, and returns wrk's latency figures. The keys go
// to wrk in a file only this user can read (nothing prints them). wrk runs
// for a set time, so once the mark file shows the last call answered, the
// bench interrupts it and it prints its report.
func oneAtATime(ctx context.Context, srv *server, keys []string, tmp, name string) (round, error) {
	keyFile, mark, script := tmp+"/"+name+".keys", tmp+"/"+name+".done", tmp+"/"+name+".lua"
	if err := os.WriteFile(keyFile, []byte(strings.Join(keys, "\n")+"\n"), 0o600); err != nil {
		return round{}, err
	}
	if err := os.WriteFile(script, fmt.Appendf(nil, oneAtATimeLua, keyFile, mark), 0o600); err != nil {
		return round{}, err
	}
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, "wrk", "-t1", "-c1", "-d10m", "--latency", "-s", script, srv.base+"/v1/me")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return round{}, fmt.Errorf("wrk: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	limit := time.Duration(len(keys))*20*time.Millisecond + 30*time.Second
	if err := waitForFile(mark, exited, limit); err != nil {
		_ = cmd.Process.Kill()
		<-exited
		return round{}, fmt.Errorf("wrk, %d calls: %w\n%s", len(keys), err, out.String())
	}
	_ = cmd.Process.Signal(os.Interrupt) // wrk prints its report and exits
	if err := <-exited; err != nil {
		return round{}, fmt.Errorf("wrk: %w\n%s", err, out.String())
	}
	r, err := parseWrk(out.String())
	if err != nil {
		return r, fmt.Errorf("wrk: %w\n%s", err, out.String())
	}
	if r.non2xx > 0 || r.requests < len(keys)-1 {
		return r, fmt.Errorf("wrk: %d answers, %d of them not 2xx; want %d, all 2xx", r.requests, r.non2xx, len(keys)-1)
	}
	return r, nil
}

// waitForFile polls for path until limit; an exit of the process first is
// an error.
func waitForFile(path string, exited <-chan error, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(path); err == nil {
			return nil
		}
		select {
		case err := <-exited:
			return fmt.Errorf("wrk exited before the last call (%v)", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	return fmt.Errorf("the calls took longer than %s", limit)
}

// settle brings the database to the steady state of a table that was not
// just bulk-loaded: analyzed, and checkpointed, so that neither autovacuum
// nor a checkpoint starts during the measured calls.
func settle(ctx context.Context, conn *db.DB) error {
	if !conn.IsPostgres() {
		return nil
	}
	start := time.Now()
	for _, stmt := range []string{"VACUUM ANALYZE", "CHECKPOINT"} {
		if _, err := conn.SQL.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	fmt.Printf("VACUUM ANALYZE and CHECKPOINT in %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}

// meLatencies calls GET /v1/me once with each key, one call at a time, and
// returns the latencies sorted.
func meLatencies(ctx context.Context, client *http.Client, base string, keys []string) ([]time.Duration, error) {
	lat := make([]time.Duration, 0, len(keys))
	for _, key := range keys {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+key)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return nil, fmt.Errorf("GET /v1/me: %w", err)
		}
		resp.Body.Close()
		lat = append(lat, time.Since(start))
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET /v1/me answered %d", resp.StatusCode)
		}
	}
	slices.Sort(lat)
	return lat, nil
}

// pct is the p-quantile of sorted latencies.
func pct(lat []time.Duration, p float64) time.Duration {
	return lat[min(len(lat)-1, int(p*float64(len(lat))))].Round(time.Microsecond)
}

// openDirect opens the bench's database beside the server.
func openDirect(ctx context.Context, d *database) (*db.DB, error) {
	if d.url != "" {
		return db.Open(ctx, d.url, "")
	}
	return db.OpenSQLiteFile(d.dir + "/businesstools.db")
}

// insertKeys writes n keys into the bench account in bulk, as the seed
// would, and returns their secrets.
func insertKeys(ctx context.Context, conn *db.DB, n int) ([]string, error) {
	acc, err := conn.Client.Account.Query().Where(account.Name(benchAccount)).Only(ctx)
	if ent.IsNotFound(err) {
		acc, err = conn.Client.Account.Create().SetName(benchAccount).Save(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("bench account: %w", err)
	}
	perms, err := conn.Client.Permission.Query().Where(permission.KeyIn(permission.KeySEND_EMAILS, permission.KeyREAD_LEADS)).IDs(ctx)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	secrets := make([]string, 0, n)
	for len(secrets) < n {
		batch := make([]*ent.ApiKeyCreate, 0, 500)
		for i := 0; i < 500 && len(secrets) < n; i++ {
			s, err := apikey.Generate()
			if err != nil {
				return nil, err
			}
			batch = append(batch, conn.Client.ApiKey.Create().SetAccountID(acc.ID).
				SetName(fmt.Sprintf("uncached %06d %s", len(secrets), s[3:9])).SetKeyHash(apikey.Hash(s)).
				SetKeyStart(apikey.Start(s)).SetKeyEnd(apikey.End(s)).AddPermissionIDs(perms...))
			secrets = append(secrets, s)
		}
		if err := conn.Client.ApiKey.CreateBulk(batch...).Exec(ctx); err != nil {
			return nil, fmt.Errorf("insert keys: %w", err)
		}
	}
	fmt.Printf("\ninserted %d keys directly in %s\n", n, time.Since(start).Round(time.Millisecond))
	return secrets, nil
}

// explain prints the verification statement's plan for one key.
func explain(ctx context.Context, conn *db.DB, secret string) error {
	q := apikey.FactsQuery(conn.Dialect)
	prefix := "EXPLAIN QUERY PLAN "
	if conn.Dialect == dialect.Postgres {
		prefix = "EXPLAIN (ANALYZE, COSTS OFF) "
	}
	h := sha256.Sum256([]byte(secret))
	rows, err := conn.SQL.QueryContext(ctx, prefix+q, h[:], h[:])
	if err != nil {
		return fmt.Errorf("explain: %w", err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	fmt.Println("\nthe verification statement's plan:")
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		fmt.Println("  " + fmt.Sprint(vals[len(vals)-1])) // the plan text is the last column in both
	}
	return rows.Err()
}
