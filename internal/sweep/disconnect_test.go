package sweep_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"businesstools/internal/apptest"
	"businesstools/internal/testdb"
)

// Ensure work stops when the client goes away (DESIGN.md section 7): a
// request whose statement waits on a table another transaction has locked
// is abandoned by its client, and the server cancels the statement — the
// database shows no waiting query soon after — instead of holding a
// connection until the lock goes. PostgreSQL only: it is where a statement
// can be seen waiting (pg_stat_activity) and cancelled.
func TestWorkStopsWhenTheClientGoesAway(t *testing.T) {
	if testdb.Kind() != "postgres" {
		t.Skip("PostgreSQL only (TEST_DB=postgres; make test runs it)")
	}
	app := apptest.New(t)
	token := app.LoginOwner()
	key := app.CreateKey(token, "reader", "READ_LEADS")
	cases := []struct {
		name, table string
		request     func(ctx context.Context) *http.Request
	}{
		{"GraphQL apiKeys", "api_keys", func(ctx context.Context) *http.Request {
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, app.HTTP.URL+"/graphql",
				strings.NewReader(`{"query":"{apiKeys(first:5){edges{node{id}}}}"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+token)
			return req
		}},
		{"REST GET /v1/leads", "leads", func(ctx context.Context) *http.Request {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, app.HTTP.URL+"/v1/leads", nil)
			req.Header.Set("Authorization", "Bearer "+key.Secret)
			return req
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			lock, err := app.DB.SQL.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer lock.Rollback()
			if _, err := lock.ExecContext(ctx, "LOCK TABLE "+tc.table+" IN ACCESS EXCLUSIVE MODE"); err != nil {
				t.Fatal(err)
			}
			reqCtx, cancel := context.WithCancel(ctx)
			answered := make(chan error, 1)
			go func() {
				resp, err := http.DefaultClient.Do(tc.request(reqCtx))
				if err == nil {
					resp.Body.Close()
				}
				answered <- err
			}()
			if !waitFor(t, 5*time.Second, func() bool { return waiting(t, app, tc.table) > 0 }) {
				cancel()
				t.Fatal("the request's statement never waited on the lock")
			}
			cancel() // the client goes away
			if err := <-answered; err == nil {
				t.Fatal("the request was answered while its table was locked")
			}
			if !waitFor(t, 2*time.Second, func() bool { return waiting(t, app, tc.table) == 0 }) {
				t.Fatalf("2 s after the client left, a statement still waits on %s", tc.table)
			}
		})
	}
}

// waiting counts this test database's statements waiting for a lock on
// table, other than the test's own.
func waiting(t *testing.T, app *apptest.App, table string) int {
	var n int
	err := app.DB.SQL.QueryRow(`SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'
		AND query ILIKE '%' || $1 || '%'`, table).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// waitFor polls ok every 20 ms until it holds or limit passes.
func waitFor(t *testing.T, limit time.Duration, ok func() bool) bool {
	t.Helper()
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if ok() {
			return true
		}
	}
	return ok()
}
