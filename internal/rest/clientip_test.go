package rest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/netip"
	"testing"

	"businesstools/ent/auditevent"
	"businesstools/internal/apptest"
	"businesstools/internal/config"
	"businesstools/internal/tenant"
)

// trustLoopback makes the test server trust its httptest client (127.0.0.1)
// as a reverse proxy.
func trustLoopback(c *config.Config) {
	c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
}

// Ensure a key's IP allow-list sees the X-Forwarded-For client behind a
// trusted proxy, and only there: from an untrusted peer the header is ignored.
func TestAllowlistBehindTrustedProxy(t *testing.T) {
	xff := func(ip string) apptest.RequestOption { return apptest.WithHeader("X-Forwarded-For", ip) }
	office := map[string]any{"name": "office", "permissions": []string{"READ_LEADS"}, "ipAllowlist": []string{"198.51.100.0/24"}}
	local := map[string]any{"name": "local", "permissions": []string{"READ_LEADS"}, "ipAllowlist": []string{"127.0.0.1/32"}}

	t.Run("TrustedProxy", func(t *testing.T) {
		app := apptest.New(t, trustLoopback)
		token := app.LoginOwner()
		k := createKey(t, app, token, office).Secret
		wantJSON(t, app.REST("GET", "/v1/leads", k, nil, xff("198.51.100.7")), http.StatusOK, nil)
		wantJSON(t, app.REST("GET", "/v1/leads", k, nil, xff("203.0.113.5, 198.51.100.7")), http.StatusOK, nil) // spoofed left part ignored
		wantProblem(t, app.REST("GET", "/v1/leads", k, nil, xff("198.51.100.7, 203.0.113.5")), http.StatusUnauthorized, "")
		wantProblem(t, app.REST("GET", "/v1/leads", k, nil), http.StatusUnauthorized, "") // the proxy itself is not the office
		// The loopback-only key no longer sees 127.0.0.1 when a client is forwarded.
		l := createKey(t, app, token, local).Secret
		wantJSON(t, app.REST("GET", "/v1/leads", l, nil), http.StatusOK, nil)
		wantProblem(t, app.REST("GET", "/v1/leads", l, nil, xff("198.51.100.7")), http.StatusUnauthorized, "")

		// Audit events record the forwarded client too.
		body, _ := json.Marshal(map[string]any{"query": `mutation($in:CreateApiKeyInput!){createApiKey(input:$in){apiKey{id}}}`,
			"variables": map[string]any{"in": map[string]any{"name": "audited", "permissions": []string{"READ_LEADS"}}}})
		req, _ := http.NewRequest("POST", app.HTTP.URL+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("X-Forwarded-For", "198.51.100.42")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		ev, err := app.DB.Client.AuditEvent.Query().Where(auditevent.APIKeyName("audited")).Only(tenant.Unscoped(context.Background()))
		if err != nil || ev.ClientIP != "198.51.100.42" {
			t.Fatalf("audit event %+v, %v", ev, err)
		}
	})
	t.Run("UntrustedPeer", func(t *testing.T) {
		app := apptest.New(t)
		token := app.LoginOwner()
		k := createKey(t, app, token, office).Secret
		wantProblem(t, app.REST("GET", "/v1/leads", k, nil, xff("198.51.100.7")), http.StatusUnauthorized, "")
		l := createKey(t, app, token, local).Secret
		wantJSON(t, app.REST("GET", "/v1/leads", l, nil, xff("198.51.100.7")), http.StatusOK, nil)
	})
}
