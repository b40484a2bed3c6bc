package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"businesstools/internal/apptest"
	"businesstools/internal/server"
	"businesstools/internal/tenant"
	"businesstools/internal/testdb"
)

// Ensure that when the key change feed (LISTEN/NOTIFY) loses its connection
// the server logs the loss and the reconnection and verifies keys afresh:
// notices sent meanwhile are lost, so a change they carried must not stay
// hidden behind the cache.
func TestChangeFeedReconnectDropsCache(t *testing.T) {
	if testdb.Kind() != "postgres" {
		t.Skip("the change feed is PostgreSQL's (TEST_DB=postgres)")
	}
	app := apptest.New(t)
	k := app.CreateKey(app.LoginOwner(), "feed", "SEND_EMAILS")
	me := func() int {
		t.Helper()
		resp := app.REST(http.MethodGet, "/v1/me", k.Secret, nil)
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := me(); code != http.StatusOK {
		t.Fatalf("GET /v1/me = %d", code)
	}
	// A change no notice announces (as if its notice were lost): the cache hides it.
	app.DB.Client.ApiKey.UpdateOneID(mustAtoi(t, k.ID)).SetActive(false).ExecX(tenant.Unscoped(t.Context()))
	if code := me(); code != http.StatusOK {
		t.Fatalf("cached key: %d", code)
	}

	var killed int
	if err := app.DB.SQL.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE 'listen%' AND query LIKE '%` + server.KeyChangedChannel + `%'`).Scan(&killed); err != nil || killed != 1 {
		t.Fatalf("terminated %d listener connections (%v), want 1", killed, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(app.Logs.String(), "reconnected") {
		if time.Now().After(deadline) {
			t.Fatal("no reconnection logged within 10 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if code := me(); code != http.StatusUnauthorized {
		t.Fatalf("after the reconnection the deactivated key answers %d, want 401", code)
	}
}
