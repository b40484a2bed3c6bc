// Package proctest builds the server binary and runs it as real processes,
// for tests of several processes on one database: shared rate limits, mail
// taken over from a process killed with SIGKILL.
package proctest

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"businesstools/internal/syncbuf"
	"businesstools/internal/testdb"
)

// Owner credentials of the account the first process creates.
const (
	OwnerEmail    = "owner@example.com"
	OwnerPassword = "correct horse battery staple"
)

// Build compiles the server (the module's main package) into tb's temporary
// directory and returns the binary's path. The build cache makes it a link
// after the first time.
func Build(tb testing.TB) string {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "bt")
	out, err := exec.Command("go", "build", "-o", bin, "businesstools").CombinedOutput()
	if err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// PostgresURL returns a fresh PostgreSQL database for processes to share;
// the test is skipped (it needs PostgreSQL) unless TEST_DB=postgres.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	if testdb.Kind() != "postgres" {
		tb.Skip("several processes share PostgreSQL: runs with TEST_DB=postgres")
	}
	return testdb.NewPostgresDatabase(tb)
}

// Env is the environment every process of a test shares: one database, one
// master key, the first owner.
func Env(tb testing.TB, databaseURL string) []string {
	master := make([]byte, 32)
	_, _ = rand.Read(master)
	return []string{"DATABASE_URL=" + databaseURL, "BT_MASTER_KEY=" + base64.StdEncoding.EncodeToString(master),
		"BT_ADMIN_EMAIL=" + OwnerEmail, "BT_ADMIN_PASSWORD=" + OwnerPassword, "BT_ENV=production"}
}

// Proc is a running server process.
type Proc struct {
	URL  string
	cmd  *exec.Cmd
	logs *syncbuf.Buffer
	done chan struct{}
}

// Start runs bin with env (over PATH and HOME only) on a free port and its
// own data directory, waits until /readyz answers, and stops it (SIGTERM)
// when tb ends.
func Start(tb testing.TB, bin string, env ...string) *Proc {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	p := &Proc{URL: "http://" + addr, logs: &syncbuf.Buffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin)
	p.cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"BT_ADDR=" + addr, "BT_DATA_DIR=" + tb.TempDir()}, env...)
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	tb.Cleanup(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(30 * time.Second):
			_ = p.cmd.Process.Kill()
		}
		if tb.Failed() {
			tb.Logf("log of %s:\n%s", p.URL, p.Logs())
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		if resp, err := http.Get(p.URL + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case <-p.done:
			tb.Fatalf("server exited at start:\n%s", p.Logs())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			tb.Fatalf("server not ready after 60s:\n%s", p.Logs())
		}
	}
}

// Kill ends the process with SIGKILL — no shutdown, no flush, no hand-back
// — and waits until it is gone.
func (p *Proc) Kill(tb testing.TB) {
	tb.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		tb.Fatal(err)
	}
	<-p.done
}

// Logs returns what the process wrote so far (its structured log).
func (p *Proc) Logs() string { return p.logs.String() }

// Get fetches path and returns the status and body.
func (p *Proc) Get(tb testing.TB, path string, header ...string) (int, string) {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodGet, p.URL+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Post sends body to path as JSON and returns the status, the headers and
// the body of the answer.
func (p *Proc) Post(tb testing.TB, path, body string) (int, http.Header, string) {
	tb.Helper()
	resp, err := http.Post(p.URL+path, "application/json", strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// GQL runs a GraphQL operation as token ("" for none) and decodes data into out.
func (p *Proc) GQL(tb testing.TB, token, query string, out any) {
	tb.Helper()
	body, _ := json.Marshal(map[string]string{"query": query})
	req, _ := http.NewRequest(http.MethodPost, p.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Data   json.RawMessage
		Errors []struct{ Message string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || len(r.Errors) > 0 {
		tb.Fatalf("graphql %.60q: %v %+v", query, err, r.Errors)
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		tb.Fatal(err)
	}
}

// CreateKey signs in as the owner and creates an API key; it returns the secret.
func (p *Proc) CreateKey(tb testing.TB, name string) string {
	tb.Helper()
	var login struct{ Login struct{ Token string } }
	p.GQL(tb, "", `mutation{login(input:{email:"`+OwnerEmail+`",password:"`+OwnerPassword+`"}){token}}`, &login)
	var created struct{ CreateApiKey struct{ Secret string } }
	p.GQL(tb, login.Login.Token, `mutation{createApiKey(input:{name:"`+name+`",permissions:[READ_LEADS]}){secret}}`, &created)
	if !strings.HasPrefix(created.CreateApiKey.Secret, "bt_") {
		tb.Fatalf("no key created")
	}
	return created.CreateApiKey.Secret
}
