package pgnotify_test

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"businesstools/internal/pgnotify"
	"businesstools/internal/syncbuf"
	"businesstools/internal/testdb"
)

// postgres opens a fresh PostgreSQL database (skipping on SQLite runs).
func postgres(t *testing.T) (url string, db *sql.DB) {
	t.Helper()
	if testdb.Kind() != "postgres" {
		t.Skip("LISTEN/NOTIFY is PostgreSQL's (TEST_DB=postgres)")
	}
	url = testdb.NewPostgresDatabase(t)
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return url, db
}

// listen collects channel's payloads.
func listen(t *testing.T, url, channel string) <-chan string {
	t.Helper()
	payloads := make(chan string, 4096)
	l, err := pgnotify.Listen(url, channel, func(p string) { payloads <- p }, func(bool) {}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return payloads
}

func expect(t *testing.T, payloads <-chan string, want string) {
	t.Helper()
	select {
	case got := <-payloads:
		if got != want {
			t.Fatalf("payload %q, want %q", got, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("no notice %q within 5 s", want)
	}
}

// Ensure a burst of notices arrives complete and in order (they go out in
// batches, one statement each).
func TestPublisher_DeliversInOrder(t *testing.T) {
	url, db := postgres(t)
	payloads := listen(t, url, "burst")
	pub := pgnotify.NewPublisher(pgnotify.PublisherConfig{DB: db, Channel: "burst", Logger: slog.New(slog.DiscardHandler)})
	for i := range 1000 {
		pub.Publish(strconv.Itoa(i))
	}
	if err := pub.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i := range 1000 {
		expect(t, payloads, strconv.Itoa(i))
	}
}

// Ensure the caller never waits on the database: with the publisher's only
// connection taken (its statements wait, then time out), a thousand
// Publish calls return at once; the full queue drops notices and says so
// once; when the database answers again notices flow, and the drop count is
// logged. Close returns by its deadline even while a statement is stuck.
func TestPublisher_NeverBlocksTheCaller(t *testing.T) {
	url, db := postgres(t)
	payloads := listen(t, url, "stuck")
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	held, err := db.Conn(ctx) // the pool's one connection
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncbuf.Buffer{}
	pub := pgnotify.NewPublisher(pgnotify.PublisherConfig{DB: db, Channel: "stuck", Timeout: 200 * time.Millisecond,
		Queue: 8, Logger: slog.New(slog.NewTextHandler(logs, nil))})

	start := time.Now()
	for i := range 1000 {
		pub.Publish("lost " + strconv.Itoa(i))
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Fatalf("1000 Publish calls took %v with the database stuck; want no waiting", d)
	}
	waitFor(t, logs, "notices not sent")
	if n := strings.Count(logs.String(), "queue full"); n != 1 {
		t.Fatalf("'queue full' logged %d times, want once per outage:\n%s", n, logs.String())
	}

	held.Close() // the database answers again
	deadline := time.Now().Add(5 * time.Second)
	for { // what was still queued may arrive first; "back" must arrive
		pub.Publish("back")
		if drainUntil(payloads, "back", 500*time.Millisecond) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no notice after the connection came back:\n%s", logs.String())
		}
	}
	waitFor(t, logs, "sending notices again")
	if !strings.Contains(logs.String(), "dropped=") {
		t.Fatalf("the number of dropped notices is not logged:\n%s", logs.String())
	}

	if held, err = db.Conn(ctx); err != nil { // stuck again, then Close
		t.Fatal(err)
	}
	defer held.Close()
	pub.Publish("during close")
	time.Sleep(20 * time.Millisecond) // taken off the queue: its statement waits
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	start = time.Now()
	if err := pub.Close(cctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close with a stuck statement: %v, want the deadline's error", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Close took %v past a 50 ms deadline", d)
	}
}

func waitFor(t *testing.T, logs *syncbuf.Buffer, text string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), text) {
		if time.Now().After(deadline) {
			t.Fatalf("%q not logged within 5 s:\n%s", text, logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// drainUntil reads payloads until want arrives (true) or d passes.
func drainUntil(payloads <-chan string, want string, d time.Duration) bool {
	timeout := time.After(d)
	for {
		select {
		case got := <-payloads:
			if got == want {
				return true
			}
		case <-timeout:
			return false
		}
	}
}
