package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/lib/pq" // PostgreSQL driver
)

// database is the bench's own database: a fresh PostgreSQL database, or a
// SQLite file in the temporary directory.
type database struct {
	kind string // "PostgreSQL" or "SQLite"
	url  string // DATABASE_URL for the server; empty for SQLite
	dir  string // BT_DATA_DIR (the SQLite file's directory)
	drop func()
}

// newDatabase creates a database on the PostgreSQL server at pgURL, or
// falls back to SQLite when pgURL is empty or unreachable (and says so).
func newDatabase(ctx context.Context, pgURL, tmp string) (*database, error) {
	d := &database{kind: "SQLite", dir: tmp + "/data", drop: func() {}}
	if pgURL == "" {
		return d, nil
	}
	admin, err := sql.Open("postgres", pgURL)
	if err == nil {
		err = admin.PingContext(ctx)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "loadtest: PostgreSQL not reachable (%v); using SQLite\n", err)
		return d, nil
	}
	buf := make([]byte, 6)
	_, _ = rand.Read(buf)
	name := "bt_bench_" + hex.EncodeToString(buf)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return nil, fmt.Errorf("create database: %w", err)
	}
	u, err := url.Parse(pgURL)
	if err != nil {
		return nil, err
	}
	u.Path = "/" + name
	d.kind, d.url = "PostgreSQL", u.String()
	d.drop = func() {
		_, _ = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		admin.Close()
	}
	return d, nil
}

// env is the server's environment: the bench's database, a loopback
// address, a known owner, and a default rate limit the load cannot reach
// (the limiter still runs on every request).
func (d *database) env(addr string) []string {
	env := append(os.Environ(), "BT_ADDR="+addr, "BT_DATA_DIR="+d.dir, "BT_ENV=production",
		"BT_ADMIN_EMAIL="+ownerEmail, "BT_ADMIN_PASSWORD="+ownerPassword, "BT_RATE_LIMIT=10000000",
		"BT_ALLOW_REVEAL=false")
	if d.url != "" {
		env = append(env, "DATABASE_URL="+d.url)
	}
	return env
}

const (
	ownerEmail    = "bench@example.com"
	ownerPassword = "bench password, not a secret"
)

// server is the running server process.
type server struct {
	cmd  *exec.Cmd
	base string
	logs string // its log file
	// key is a valid key with SEND_EMAILS, created through GraphQL.
	key    string
	client *http.Client
}

// startServer starts bin on a free loopback port and waits until /readyz
// answers, then signs in and creates the bench key.
func startServer(ctx context.Context, bin string, d *database, tmp string) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	logs := tmp + "/server.log"
	f, err := os.Create(logs)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cmd := exec.Command(bin)
	cmd.Env = d.env(addr)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	s := &server{cmd: cmd, base: "http://" + addr, logs: logs,
		client: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 4}}}
	if err := s.waitReady(30 * time.Second); err != nil {
		s.stop()
		return nil, err
	}
	if s.key, err = s.createKey(ctx); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

func (s *server) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		resp, err := s.client.Get(s.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the server did not get ready within %s; its log:\n%s", limit, s.logTail())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop sends SIGTERM (the server drains and flushes) and waits for it.
func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
}

func (s *server) logTail() string {
	b, _ := os.ReadFile(s.logs)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// gql posts a GraphQL operation and decodes its data into out.
func (s *server) gql(ctx context.Context, token, query string, vars map[string]any, out any) error {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var r struct {
		Data   json.RawMessage
		Errors []struct{ Message string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return fmt.Errorf("GraphQL answer %d: %w", resp.StatusCode, err)
	}
	if len(r.Errors) > 0 {
		return fmt.Errorf("GraphQL: %s", r.Errors[0].Message)
	}
	return json.Unmarshal(r.Data, out)
}

// createKey signs in as the owner and creates a key with SEND_EMAILS.
func (s *server) createKey(ctx context.Context) (string, error) {
	var login struct{ Login struct{ Token string } }
	if err := s.gql(ctx, "", `mutation($e:String!,$p:String!){login(input:{email:$e,password:$p}){token}}`,
		map[string]any{"e": ownerEmail, "p": ownerPassword}, &login); err != nil {
		return "", fmt.Errorf("sign in: %w", err)
	}
	var created struct{ CreateApiKey struct{ Secret string } }
	if err := s.gql(ctx, login.Login.Token, `mutation{createApiKey(input:{name:"bench",permissions:[SEND_EMAILS]}){secret}}`,
		nil, &created); err != nil {
		return "", fmt.Errorf("create the bench key: %w", err)
	}
	return created.CreateApiKey.Secret, nil
}

// metric returns a counter's value from /metrics (0 when absent).
func (s *server) metric(name string) (float64, error) {
	resp, err := s.client.Get(s.base + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			return strconv.ParseFloat(strings.TrimSpace(v), 64)
		}
	}
	return 0, nil
}

// seed runs `<bin> seed --account bench --keys n` on the bench's database.
func seed(bin string, d *database, n int) error {
	start := time.Now()
	cmd := exec.Command(bin, "seed", "--account", benchAccount, "--keys", strconv.Itoa(n))
	cmd.Env = d.env("127.0.0.1:0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("seed %d keys (does this build have the seed command?): %w\n%s", n, err, out)
	}
	fmt.Printf("seeded %d keys in %s\n", n, time.Since(start).Round(time.Millisecond))
	return nil
}

// benchAccount holds the keys of the uncached section (and the seed's).
const benchAccount = "bench"
