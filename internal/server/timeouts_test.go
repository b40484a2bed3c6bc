package server_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"businesstools/internal/apptest"
	"businesstools/internal/server"
	"businesstools/internal/tenant"
)

// Ensure the server's timeouts are DESIGN.md's: headers 10 s, body 30 s,
// idle keep-alive 120 s, and that HTTPServer applies them.
func TestDefaultTimeouts(t *testing.T) {
	want := server.Timeouts{ReadHeader: 10 * time.Second, Read: 30 * time.Second, Write: 60 * time.Second, Idle: 120 * time.Second}
	if server.DefaultTimeouts != want {
		t.Fatalf("DefaultTimeouts = %+v, want %+v", server.DefaultTimeouts, want)
	}
	s := server.HTTPServer(":0", http.NotFoundHandler(), server.DefaultTimeouts)
	if s.ReadHeaderTimeout != want.ReadHeader || s.ReadTimeout != want.Read || s.WriteTimeout != want.Write || s.IdleTimeout != want.Idle {
		t.Fatalf("HTTPServer: %+v", s)
	}
}

// serveWith starts app's handler on a loopback listener under t.
func serveWith(tb testing.TB, app *apptest.App, to server.Timeouts) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	srv := server.HTTPServer(ln.Addr().String(), app.Server.Handler(), to)
	go func() { _ = srv.Serve(ln) }()
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		_ = srv.Close()
	})
	return ln.Addr().String()
}

// cutAfter writes head, then trickles body one byte every 50 ms for up to
// 10 s, and returns how long the server kept the connection open. The
// server may answer first (401) but must still close the connection.
func cutAfter(t *testing.T, addr, head string, trickle bool) time.Duration {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	closed := make(chan time.Duration, 1)
	go func() {
		_, _ = io.Copy(io.Discard, conn) // returns when the server closes
		closed <- time.Since(start)
	}()
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case d := <-closed:
			return d
		case <-deadline:
			t.Fatalf("the server kept a slow connection open for 10 s")
		case <-tick.C:
			if trickle {
				_, _ = conn.Write([]byte(" "))
			}
		}
	}
}

// Ensure a client sending its headers or its body slowly is cut off within
// the read timeouts, with or without an API key (and with the key before any
// lead is written), and an idle keep-alive connection within the idle one.
// The timeouts are short ones; TestDefaultTimeouts holds the real values.
func TestSlowClientsAreCut(t *testing.T) {
	app := apptest.New(t)
	key := app.CreateKey(app.LoginOwner(), "slow", "WRITE_LEADS").Secret
	to := server.Timeouts{ReadHeader: 300 * time.Millisecond, Read: 600 * time.Millisecond, Write: 5 * time.Second, Idle: 400 * time.Millisecond}
	addr := serveWith(t, app, to)
	// Scheduling on a loaded machine adds delay; a connection never cut would run the full 10 s.
	const slack = 1500 * time.Millisecond

	slowBody := func(auth string) string {
		return "POST /v1/leads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + auth +
			"Content-Length: 100000\r\n\r\n{\"email\":\"slow@example.com\""
	}
	for name, tc := range map[string]struct {
		head  string
		limit time.Duration
	}{
		"slow headers":          {"POST /v1/leads HTTP/1.1\r\nHost: x\r\n", to.ReadHeader},
		"slow body, no key":     {slowBody(""), to.Read},
		"slow body, with a key": {slowBody("Authorization: Bearer " + key + "\r\n"), to.Read},
		"slow body, bad key":    {slowBody("Authorization: Bearer bt_nope\r\n"), to.Read},
		"slow GraphQL body":     {"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{", to.Read},
	} {
		if d := cutAfter(t, addr, tc.head, true); d > tc.limit+slack {
			t.Errorf("%s: cut after %v, want within %v", name, d, tc.limit)
		} else {
			t.Logf("%s: cut after %v (timeout %v)", name, d.Round(time.Millisecond), tc.limit)
		}
	}
	if n := app.DB.Client.Lead.Query().CountX(tenant.Unscoped(context.Background())); n != 0 {
		t.Fatalf("%d leads written from cut requests", n)
	}

	// Idle keep-alive: one request answered, then silence.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprint(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	idleFrom := time.Now()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err = conn.Read(make([]byte, 1))
	if d := time.Since(idleFrom); errors.Is(err, context.DeadlineExceeded) || d > to.Idle+slack {
		t.Fatalf("idle connection closed after %v (%v), want within %v", d, err, to.Idle)
	}
}
