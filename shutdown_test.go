package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"businesstools/ent/apikey"
	"businesstools/ent/schema"
	"businesstools/internal/config"
	"businesstools/internal/db"
	"businesstools/internal/tenant"
)

// Ensure a stopping server (SIGTERM cancels serve's context) drains and then
// flushes the usage it has only counted in memory.
func TestServeFlushesUsageOnShutdown(t *testing.T) {
	useTestDatabase(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	t.Setenv("BT_ADDR", addr)
	t.Setenv("BT_ADMIN_EMAIL", "owner@example.com")
	t.Setenv("BT_ADMIN_PASSWORD", "a long enough password")
	t.Setenv("BT_ENV", "production")
	cfg, err := config.Load(nil, lookup)
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(tenant.Unscoped(context.Background()))
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard) }()
	base := "http://" + addr
	waitReady(t, base)

	token := gql(t, base, "", `mutation{login(input:{email:"owner@example.com",password:"a long enough password"}){token}}`, "login", "token")
	secret := gql(t, base, token, `mutation{createApiKey(input:{name:"k",permissions:[READ_LEADS]}){secret}}`, "createApiKey", "secret")
	for range 5 {
		req, _ := http.NewRequest("GET", base+"/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET /v1/me: %v %v", resp, err)
		}
		resp.Body.Close()
	}
	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not return after shutdown")
	}
	d, err := db.Open(tenant.Unscoped(context.Background()), cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	k := d.Client.ApiKey.Query().Where(apikey.Name("k")).OnlyX(tenant.Unscoped(context.Background()))
	var total int64
	for _, u := range d.Client.KeyUsage.Query().AllX(tenant.Unscoped(context.Background())) {
		total += u.Count
	}
	if !k.LastUsedAt.After(schema.NeverUsed) || total != 5 {
		t.Fatalf("after shutdown: last used %v, %d requests counted; want 5", k.LastUsedAt, total)
	}
}

func waitReady(t *testing.T, base string) {
	t.Helper()
	for range 200 {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatal("server never became ready")
}

// gql runs a query and returns data.<field>.<sub>.
func gql(t *testing.T, base, token, query, field, sub string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": query})
	req, _ := http.NewRequest("POST", base+"/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data map[string]map[string]string
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Data[field][sub] == "" {
		t.Fatalf("%s: %+v %v", field, out, err)
	}
	return out.Data[field][sub]
}
