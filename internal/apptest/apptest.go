// Package apptest starts a whole businesstools server on a real test
// database (see testdb) behind httptest, and speaks GraphQL and REST to it.
// Every package's end-to-end tests go through it.
package apptest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"businesstools/internal/auth"
	"businesstools/internal/config"
	"businesstools/internal/db"
	"businesstools/internal/server"
	"businesstools/internal/syncbuf"
	"businesstools/internal/testdb"
)

// Owner credentials of every test server's first account.
const (
	OwnerEmail    = "owner@example.com"
	OwnerPassword = "correct horse battery staple"
)

// App is a running test server.
type App struct {
	tb       testing.TB
	Server   *server.Server
	HTTP     *httptest.Server
	DB       *db.DB
	Config   config.Config
	Logs     *syncbuf.Buffer // the structured log
	Terminal *syncbuf.Buffer // what the server printed for a person
}

// Option changes the test server's configuration before it starts.
type Option func(*config.Config)

// New starts a server on a fresh database; it stops when tb ends.
func New(tb testing.TB, opts ...Option) *App {
	tb.Helper()
	a, err := Start(tb, opts...)
	if err != nil {
		tb.Fatalf("start server: %v", err)
	}
	return a
}

// Start is New for tests of start-up failures: it returns the error.
func Start(tb testing.TB, opts ...Option) (*App, error) {
	tb.Helper()
	master := make([]byte, 32)
	_, _ = rand.Read(master)
	cfg := config.Config{Addr: "127.0.0.1:0", DataDir: tb.TempDir(), Env: "production", AllowReveal: true,
		MasterKey: base64.StdEncoding.EncodeToString(master), AdminEmail: OwnerEmail, AdminPassword: OwnerPassword,
		MailFrom: "businesstools <noreply@example.com>", RateLimit: 1000}
	for _, o := range opts {
		o(&cfg)
	}
	d := openDB(tb, cfg.DatabaseURL)
	a := &App{tb: tb, DB: d, Config: cfg, Logs: &syncbuf.Buffer{}, Terminal: &syncbuf.Buffer{}}
	logger := slog.New(slog.NewJSONHandler(a.Logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := server.New(context.Background(), cfg, d, logger, a.Terminal)
	if err != nil {
		return nil, err
	}
	a.Server = srv
	a.HTTP = httptest.NewServer(srv.Handler())
	tb.Cleanup(func() {
		a.HTTP.Close()
		_ = srv.Stop(context.Background())
	})
	return a, nil
}

// SameDatabase makes the new server a second process on other's database
// (with the same master key), as when several servers share one database,
// or as a restart of other.
func SameDatabase(other *App) Option {
	return func(c *config.Config) {
		c.DatabaseURL = other.DB.URL
		if other.DB.Path != "" {
			c.DatabaseURL = sqlitePrefix + other.DB.Path
		}
		c.MasterKey = other.Config.MasterKey
	}
}

// sqlitePrefix marks a shared SQLite file in Config.DatabaseURL (tests only).
const sqlitePrefix = "sqlite-test-file:"

// openDB opens a fresh test database, or url when it is set (SameDatabase).
func openDB(tb testing.TB, url string) *db.DB {
	tb.Helper()
	if url == "" {
		return testdb.Open(tb)
	}
	var d *db.DB
	var err error
	if path, ok := strings.CutPrefix(url, sqlitePrefix); ok {
		if d, err = db.OpenSQLiteFile(path); err == nil {
			err = db.Migrate(context.Background(), d)
		}
	} else {
		d, err = db.Open(context.Background(), url, "")
	}
	if err != nil {
		tb.Fatalf("open shared database: %v", err)
	}
	tb.Cleanup(func() { d.Close() })
	return d
}

// GQLError is one GraphQL error.
type GQLError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Code is the error's extensions.code.
func (e GQLError) Code() string { s, _ := e.Extensions["code"].(string); return s }

// Field is the error's extensions.field.
func (e GQLError) Field() string { s, _ := e.Extensions["field"].(string); return s }

// GQLResponse is a GraphQL answer.
type GQLResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []GQLError      `json:"errors"`
	Status int             `json:"-"`
	Header http.Header     `json:"-"`
}

// Decode unmarshals data into v, failing the test on GraphQL errors.
func (r GQLResponse) Decode(tb testing.TB, v any) {
	tb.Helper()
	if len(r.Errors) > 0 {
		tb.Fatalf("unexpected GraphQL errors: %+v", r.Errors)
	}
	if err := json.Unmarshal(r.Data, v); err != nil {
		tb.Fatalf("decode data %s: %v", r.Data, err)
	}
}

// Err returns the only error, failing the test if there is not exactly one.
func (r GQLResponse) Err(tb testing.TB) GQLError {
	tb.Helper()
	if len(r.Errors) != 1 {
		tb.Fatalf("want exactly one error, got %+v (data %s)", r.Errors, r.Data)
	}
	return r.Errors[0]
}

// GQL posts a GraphQL operation with the session token (may be empty).
func (a *App) GQL(token, query string, vars map[string]any) GQLResponse {
	a.tb.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, a.HTTP.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.tb.Fatalf("POST /graphql: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out GQLResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		a.tb.Fatalf("GraphQL answer %d is not JSON: %s", resp.StatusCode, raw)
	}
	out.Status, out.Header = resp.StatusCode, resp.Header
	return out
}

// Login signs in and returns the session token.
func (a *App) Login(email, password string) string {
	a.tb.Helper()
	var data struct{ Login struct{ Token string } }
	a.GQL("", `mutation($e:String!,$p:String!){login(input:{email:$e,password:$p}){token}}`,
		map[string]any{"e": email, "p": password}).Decode(a.tb, &data)
	return data.Login.Token
}

// LoginOwner signs in as the first account's owner.
func (a *App) LoginOwner() string { return a.Login(OwnerEmail, OwnerPassword) }

// NewAdmin creates an admin in a (possibly new) account and signs in.
func (a *App) NewAdmin(account, email string) string {
	a.tb.Helper()
	if _, err := auth.CreateAdmin(context.Background(), a.DB.Client, account, email, OwnerPassword); err != nil {
		a.tb.Fatalf("create admin: %v", err)
	}
	return a.Login(email, OwnerPassword)
}

// Key is a key created through GraphQL.
type Key struct {
	ID     string
	Secret string
}

// CreateKey creates a key with the permissions (GraphQL enum names).
func (a *App) CreateKey(token, name string, permissions ...string) Key {
	a.tb.Helper()
	var data struct {
		CreateApiKey struct {
			Secret string
			ApiKey struct{ ID string }
		}
	}
	a.GQL(token, `mutation($in:CreateApiKeyInput!){createApiKey(input:$in){secret apiKey{id}}}`,
		map[string]any{"in": map[string]any{"name": name, "permissions": permissions}}).Decode(a.tb, &data)
	return Key{ID: data.CreateApiKey.ApiKey.ID, Secret: data.CreateApiKey.Secret}
}

// REST calls the /v1 API with an API key (may be empty) and a JSON body (may
// be nil), through a ValidatingTransport: the request and the answer are
// checked against the OpenAPI document.
func (a *App) REST(method, path, key string, body any, opts ...RequestOption) *http.Response {
	a.tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, _ := json.Marshal(b)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, a.HTTP.URL+path, rd)
	if err != nil {
		a.tb.Fatalf("request: %v", err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for _, o := range opts {
		o(req)
	}
	resp, err := (&http.Client{Transport: &ValidatingTransport{TB: a.tb}}).Do(req)
	if err != nil {
		a.tb.Fatalf("%s %s: %v", method, path, err)
	}
	a.tb.Cleanup(func() { resp.Body.Close() })
	return resp
}

// RequestOption changes a REST request before it is sent.
type RequestOption func(*http.Request)

// WithHeader sets a request header (e.g. Idempotency-Key).
func WithHeader(name, value string) RequestOption {
	return func(r *http.Request) { r.Header.Set(name, value) }
}

// ReadJSON decodes a response body into v.
func ReadJSON(tb testing.TB, resp *http.Response, v any) {
	tb.Helper()
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, v); err != nil {
		tb.Fatalf("response %d is not JSON: %s", resp.StatusCode, raw)
	}
}

// ID formats a numeric id as GraphQL returns it.
func ID(n int) string { return fmt.Sprint(n) }
