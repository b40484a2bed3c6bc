package pgnotify_test

import (
	"context"
	"database/sql"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"businesstools/internal/pgnotify"
	"businesstools/internal/syncbuf"
	"businesstools/internal/testdb"
)

// Ensure notices arrive, and that when the listener's connection is killed
// it says so, logs the reconnection, reports the state both ways (so caches
// drop what they hold) and receives notices again.
func TestListener_Reconnects(t *testing.T) {
	if testdb.Kind() != "postgres" {
		t.Skip("LISTEN/NOTIFY is PostgreSQL's (TEST_DB=postgres)")
	}
	url := testdb.NewPostgresDatabase(t)
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	logs := &syncbuf.Buffer{}
	payloads := make(chan string, 10)
	var mu sync.Mutex
	var states []bool
	l, err := pgnotify.Listen(url, "test_channel", func(p string) { payloads <- p }, func(up bool) {
		mu.Lock()
		defer mu.Unlock()
		states = append(states, up)
	}, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	pub := pgnotify.NewPublisher(pgnotify.PublisherConfig{DB: db, Channel: "test_channel", Logger: slog.New(slog.NewTextHandler(logs, nil))})
	defer pub.Close(context.Background())
	receive := func(want string) {
		t.Helper()
		pub.Publish(want)
		expect(t, payloads, want)
	}
	receive("before")

	var killed int
	if err := db.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE 'listen%'`).Scan(&killed); err != nil || killed != 1 {
		t.Fatalf("terminated %d listener connections (%v), want 1", killed, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), "reconnected") {
		if time.Now().After(deadline) {
			t.Fatalf("no reconnection logged within 10 s: %s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	got := append([]bool(nil), states...)
	mu.Unlock()
	if len(got) != 3 || !got[0] || got[1] || !got[2] {
		t.Fatalf("states %v, want [true false true] (connected, lost, reconnected)", got)
	}
	if !strings.Contains(logs.String(), "connection lost") {
		t.Fatalf("the lost connection was not logged: %s", logs.String())
	}
	receive("after")
}
