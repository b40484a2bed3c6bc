package rest_test

import (
	"net/http"
	"strconv"
	"testing"

	"businesstools/internal/apptest"
	"businesstools/internal/tenant"
)

// Ensure a key over its own rate limit gets 429 with Retry-After, and every
// authenticated answer carries the RateLimit-* headers.
func TestRateLimit_429(t *testing.T) {
	app := apptest.New(t)
	k := app.CreateKey(app.LoginOwner(), "slow", "SEND_EMAILS")
	noSecretsInLogs(t, app, k.Secret)
	// 1 request/s: a bucket of 2 (ratelimit.Burst), set before the key is first used.
	app.DB.Client.ApiKey.UpdateOneID(intID(t, k.ID)).SetRateLimit(1).ExecX(tenant.Unscoped(t.Context()))

	for i, want := range []struct{ status, remaining int }{{200, 1}, {200, 0}, {429, 0}} {
		resp := app.REST(http.MethodGet, "/v1/me", k.Secret, nil)
		h := resp.Header
		if resp.StatusCode != want.status || h.Get("RateLimit-Limit") != "2" ||
			h.Get("RateLimit-Remaining") != strconv.Itoa(want.remaining) || h.Get("RateLimit-Reset") == "" {
			t.Fatalf("request %d: %d Limit=%q Remaining=%q Reset=%q, want %d and %d remaining", i+1, resp.StatusCode,
				h.Get("RateLimit-Limit"), h.Get("RateLimit-Remaining"), h.Get("RateLimit-Reset"), want.status, want.remaining)
		}
		if want.status == 429 {
			var p struct{ Type string }
			apptest.ReadJSON(t, resp, &p)
			if ra, err := strconv.Atoi(h.Get("Retry-After")); err != nil || ra < 1 || p.Type == "" {
				t.Fatalf("429: Retry-After %q, problem %+v", h.Get("Retry-After"), p)
			}
		}
	}
}

// Ensure requests refused by the IP allow-list spend none of the key's quota.
func TestRateLimit_RefusedAddressesSpendNothing(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	k := createKey(t, app, token, map[string]any{"name": "office", "permissions": []string{"SEND_EMAILS"},
		"ipAllowlist": []string{"10.0.0.0/8"}})
	noSecretsInLogs(t, app, k.Secret)
	app.DB.Client.ApiKey.UpdateOneID(intID(t, k.ID)).SetRateLimit(1).ExecX(tenant.Unscoped(t.Context()))
	for range 5 {
		if code, _ := status(t, app, "/v1/me", k.Secret); code != 401 {
			t.Fatalf("from 127.0.0.1 outside 10.0.0.0/8: %d", code)
		}
	}
	mutate(t, app, token, `mutation($id:ID!){updateApiKey(id:$id,input:{ipAllowlist:["127.0.0.0/8"]}){id}}`, map[string]any{"id": k.ID})
	resp := app.REST(http.MethodGet, "/v1/me", k.Secret, nil)
	if resp.StatusCode != 200 || resp.Header.Get("RateLimit-Remaining") != "1" {
		t.Fatalf("first allowed request: %d, remaining %q, want 200 and 1", resp.StatusCode, resp.Header.Get("RateLimit-Remaining"))
	}
}
