package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"slices"
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
// apikey.LoadFacts).
func uncachedSection(ctx context.Context, o options, srv *server, d *database) error {
	ctx = tenant.Unscoped(ctx) // the bench writes keys like a system job
	conn, err := openDirect(ctx, d)
	if err != nil {
		return err
	}
	defer conn.Close()
	secrets, err := insertKeys(ctx, conn, max(o.insertKeys, o.uncached+1))
	if err != nil {
		return err
	}
	total, err := conn.Client.ApiKey.Query().Count(ctx)
	if err != nil {
		return err
	}

	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1}}
	if resp, err := client.Get(srv.base + "/healthz"); err == nil { // open the one connection
		resp.Body.Close()
	}
	// The floor: the same calls with the one key the server has cached (the
	// loopback round trip and the handler, no database).
	cachedKeys := make([]string, o.uncached)
	for i := range cachedKeys {
		cachedKeys[i] = srv.key
	}
	cached, err := meLatencies(ctx, client, srv.base, cachedKeys)
	if err != nil {
		return err
	}
	lookups0, _ := srv.metric("apikey_db_lookups_total")
	lat, err := meLatencies(ctx, client, srv.base, secrets[:o.uncached])
	if err != nil {
		return err
	}
	lookups1, _ := srv.metric("apikey_db_lookups_total")
	fmt.Printf("\nGET /v1/me with %d keys this server never saw, one call at a time on 1 connection (%s, %d keys in the database)\n",
		len(lat), d.kind, total)
	fmt.Printf("p50 %s  p90 %s  p99 %s  max %s  (target p99 < 2ms %s); the server's database lookups: %.0f\n",
		pct(lat, 0.50), pct(lat, 0.90), pct(lat, 0.99), lat[len(lat)-1].Round(time.Microsecond),
		passFail(pct(lat, 0.99) < 2*time.Millisecond), lookups1-lookups0)
	fmt.Printf("reference, the same calls with a cached key: p50 %s  p90 %s  p99 %s  max %s\n",
		pct(cached, 0.50), pct(cached, 0.90), pct(cached, 0.99), cached[len(cached)-1].Round(time.Microsecond))
	return explain(ctx, conn, secrets[len(secrets)-1])
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
