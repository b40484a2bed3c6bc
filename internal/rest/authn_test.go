package rest_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"businesstools/internal/apikey"
	"businesstools/internal/apptest"
	"businesstools/internal/tenant"
)

// Ensure every unusable key — missing, malformed, bad checksum, unknown,
// inactive, expired, rolled without grace, past its grace, from the wrong
// address — gets 401 with WWW-Authenticate and the very same body.
func TestAuthn_401(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	ctx := tenant.Unscoped(context.Background())
	valid := app.CreateKey(token, "valid", "SEND_EMAILS")
	flipped := []byte(valid.Secret)
	flipped[len(flipped)-1] ^= 1 // still base62, checksum now wrong
	unknown, _ := apikey.Generate()

	inactive := app.CreateKey(token, "inactive", "SEND_EMAILS")
	setActive(t, app, token, inactive.ID, false)

	expired := app.CreateKey(token, "expired", "SEND_EMAILS")
	app.DB.Client.ApiKey.UpdateOneID(intID(t, expired.ID)).SetExpiresAt(time.Now().Add(-time.Minute)).ExecX(ctx)

	rolled := app.CreateKey(token, "rolled", "SEND_EMAILS")
	roll(t, app, token, rolled.ID, 0)

	graceEnded := app.CreateKey(token, "grace ended", "SEND_EMAILS")
	roll(t, app, token, graceEnded.ID, 3600)
	app.DB.Client.ApiKey.UpdateOneID(intID(t, graceEnded.ID)).SetPreviousValidUntil(time.Now().Add(-time.Second)).ExecX(ctx)

	wrongIP := createKey(t, app, token, map[string]any{"name": "office only", "permissions": []string{"SEND_EMAILS"},
		"ipAllowlist": []string{"10.0.0.0/8"}})
	noSecretsInLogs(t, app, valid.Secret, inactive.Secret, expired.Secret, rolled.Secret, graceEnded.Secret, wrongIP.Secret, unknown)

	cases := []struct{ name, key string }{
		{"Missing", ""},
		{"Malformed", "not-a-key"},
		{"BadChecksum", string(flipped)},
		{"Unknown", unknown},
		{"Inactive", inactive.Secret},
		{"Expired", expired.Secret},
		{"RolledNoGrace", rolled.Secret},
		{"GraceEnded", graceEnded.Secret},
		{"WrongIP", wrongIP.Secret},
	}
	var first string
	for _, c := range cases {
		resp := app.REST(http.MethodGet, "/v1/me", c.key, nil)
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401 (%s)", c.name, resp.StatusCode, body)
			continue
		}
		if !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s: WWW-Authenticate = %q", c.name, resp.Header.Get("WWW-Authenticate"))
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
			t.Errorf("%s: Content-Type = %q", c.name, ct)
		}
		if first == "" {
			first = string(body)
		} else if string(body) != first {
			t.Errorf("%s: body %s differs from %s", c.name, body, first)
		}
	}
	if code, body := status(t, app, "/v1/me", valid.Secret); code != http.StatusOK {
		t.Fatalf("the valid key: %d %s", code, body)
	}
	// Each case was refused for its own reason (only metrics can tell).
	code, metrics := status(t, app, "/metrics", "")
	for _, want := range []string{`outcome="missing"} 1`, `outcome="malformed"} 2`, `outcome="unknown"} 2`,
		`outcome="inactive"} 1`, `outcome="expired"} 1`, `outcome="grace_ended"} 1`, `outcome="ip_denied"} 1`} {
		if code != 200 || !strings.Contains(metrics, "apikey_verifications_total{"+want) {
			t.Errorf("/metrics lacks apikey_verifications_total{%s", want)
		}
	}
}

// Ensure the key is also read from X-API-Key.
func TestAuthn_XAPIKey(t *testing.T) {
	app := apptest.New(t)
	k := app.CreateKey(app.LoginOwner(), "header", "READ_LEADS")
	noSecretsInLogs(t, app, k.Secret)
	req, _ := http.NewRequest(http.MethodGet, app.HTTP.URL+"/v1/me", nil)
	req.Header.Set("X-API-Key", k.Secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("X-API-Key: %d", resp.StatusCode)
	}
}

// Ensure a valid key without the route's scope gets 403 naming the scope.
func TestAuthn_403NamesScope(t *testing.T) {
	app := apptest.New(t)
	k := app.CreateKey(app.LoginOwner(), "mailer", "SEND_EMAILS")
	noSecretsInLogs(t, app, k.Secret)
	resp := app.REST(http.MethodGet, "/v1/leads", k.Secret, nil)
	var p struct {
		Status int
		Scope  string
		Detail string
	}
	apptest.ReadJSON(t, resp, &p)
	if resp.StatusCode != http.StatusForbidden || p.Scope != "leads:read" || !strings.Contains(p.Detail, "leads:read") {
		t.Fatalf("GET /v1/leads with emails:send only = %d %+v", resp.StatusCode, p)
	}
}

// Ensure GET /v1/me answers the key, its account and its scopes.
func TestMe(t *testing.T) {
	app := apptest.New(t)
	k := app.CreateKey(app.LoginOwner(), "Production Email API", "SEND_EMAILS", "READ_LEADS")
	noSecretsInLogs(t, app, k.Secret)
	resp := app.REST(http.MethodGet, "/v1/me", k.Secret, nil)
	var me struct {
		ID      int
		Name    string
		Account struct {
			ID   int
			Name string
		}
		Scopes []string
	}
	apptest.ReadJSON(t, resp, &me)
	acc := app.DB.Client.Account.GetX(tenant.Unscoped(context.Background()), me.Account.ID)
	if resp.StatusCode != 200 || apptest.ID(me.ID) != k.ID || me.Name != "Production Email API" || me.Account.Name != acc.Name ||
		strings.Join(me.Scopes, " ") != "emails:send leads:read" {
		t.Fatalf("GET /v1/me = %d %+v", resp.StatusCode, me)
	}
}

// Ensure changes made through GraphQL take effect on the very next request,
// although the key's facts were cached by the previous one.
func TestAuthn_ChangesApplyAtOnce(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	mustStatus := func(t *testing.T, path, key string, want int) {
		t.Helper()
		if code, body := status(t, app, path, key); code != want {
			t.Fatalf("GET %s = %d %s, want %d", path, code, body, want)
		}
	}
	scopes := func(t *testing.T, key string) string {
		t.Helper()
		var me struct{ Scopes []string }
		apptest.ReadJSON(t, app.REST(http.MethodGet, "/v1/me", key, nil), &me)
		return strings.Join(me.Scopes, " ")
	}

	t.Run("Deactivate", func(t *testing.T) {
		k := app.CreateKey(token, "deactivate", "SEND_EMAILS")
		noSecretsInLogs(t, app, k.Secret)
		mustStatus(t, "/v1/me", k.Secret, 200)
		setActive(t, app, token, k.ID, false)
		mustStatus(t, "/v1/me", k.Secret, 401)
		setActive(t, app, token, k.ID, true)
		mustStatus(t, "/v1/me", k.Secret, 200)
	})
	t.Run("PermissionsChanged", func(t *testing.T) {
		k := app.CreateKey(token, "permissions", "READ_LEADS", "SEND_EMAILS")
		noSecretsInLogs(t, app, k.Secret)
		if got := scopes(t, k.Secret); got != "emails:send leads:read" {
			t.Fatalf("scopes = %q", got)
		}
		mutate(t, app, token, `mutation($id:ID!){updateApiKey(id:$id,input:{permissions:[SEND_EMAILS]}){id}}`, map[string]any{"id": k.ID})
		if got := scopes(t, k.Secret); got != "emails:send" {
			t.Fatalf("scopes after the change = %q", got)
		}
		mustStatus(t, "/v1/leads", k.Secret, 403)
	})
	t.Run("AllowlistChanged", func(t *testing.T) {
		k := app.CreateKey(token, "allowlist", "SEND_EMAILS")
		noSecretsInLogs(t, app, k.Secret)
		mustStatus(t, "/v1/me", k.Secret, 200)
		mutate(t, app, token, `mutation($id:ID!){updateApiKey(id:$id,input:{ipAllowlist:["10.0.0.0/8"]}){id}}`, map[string]any{"id": k.ID})
		mustStatus(t, "/v1/me", k.Secret, 401)
	})
	t.Run("Deleted", func(t *testing.T) {
		k := app.CreateKey(token, "delete", "SEND_EMAILS")
		noSecretsInLogs(t, app, k.Secret)
		mustStatus(t, "/v1/me", k.Secret, 200)
		mutate(t, app, token, `mutation($id:ID!){deleteApiKey(id:$id){deletedId}}`, map[string]any{"id": k.ID})
		mustStatus(t, "/v1/me", k.Secret, 401)
	})
	t.Run("RolledNoGrace", func(t *testing.T) {
		k := app.CreateKey(token, "roll now", "SEND_EMAILS")
		mustStatus(t, "/v1/me", k.Secret, 200)
		fresh := roll(t, app, token, k.ID, 0)
		noSecretsInLogs(t, app, k.Secret, fresh)
		mustStatus(t, "/v1/me", k.Secret, 401)
		mustStatus(t, "/v1/me", fresh, 200)
	})
	t.Run("RolledWithGrace", func(t *testing.T) {
		k := app.CreateKey(token, "roll later", "SEND_EMAILS")
		mustStatus(t, "/v1/me", k.Secret, 200)
		fresh := roll(t, app, token, k.ID, 3600)
		noSecretsInLogs(t, app, k.Secret, fresh)
		mustStatus(t, "/v1/me", k.Secret, 200)
		mustStatus(t, "/v1/me", fresh, 200)
		// A second roll ends the first secret's grace at once.
		third := roll(t, app, token, k.ID, 3600)
		noSecretsInLogs(t, app, third)
		mustStatus(t, "/v1/me", k.Secret, 401)
		mustStatus(t, "/v1/me", fresh, 200)
	})
}

// Ensure refused keys cost no database work: malformed and bad-checksum
// keys never reach it, an unknown key is looked up once and then remembered,
// and a valid key is looked up once for many requests.
func TestAuthn_InvalidKeysNoDBWork(t *testing.T) {
	app := apptest.New(t)
	k := app.CreateKey(app.LoginOwner(), "hot", "SEND_EMAILS")
	unknown, _ := apikey.Generate()
	bad := []byte(k.Secret)
	bad[10] ^= 1
	noSecretsInLogs(t, app, k.Secret, unknown)
	lookups := app.Server.Verifier.Lookups // each one statement (see apikey's TestVerifier_OneQueryPerUncachedKey)

	for range 20 {
		for _, key := range []string{"", "bt_short", string(bad)} {
			if code, _ := status(t, app, "/v1/me", key); code != 401 {
				t.Fatalf("status %d", code)
			}
		}
	}
	if l := lookups(); l != 0 {
		t.Fatalf("missing/malformed/bad-checksum keys made %d lookups; want none", l)
	}
	for range 20 {
		if code, _ := status(t, app, "/v1/me", unknown); code != 401 {
			t.Fatalf("status %d", code)
		}
	}
	if l := lookups(); l != 1 {
		t.Fatalf("20 requests with one unknown key made %d lookups, want 1 (then cached)", l)
	}
	for range 20 {
		if code, _ := status(t, app, "/v1/me", k.Secret); code != 200 {
			t.Fatalf("status %d", code)
		}
	}
	if l := lookups(); l != 2 {
		t.Fatalf("20 requests with one valid key made %d lookups, want 1", l-1)
	}
}

// Ensure /metrics shows requests by route and verification outcomes.
func TestMetrics(t *testing.T) {
	app := apptest.New(t)
	k := app.CreateKey(app.LoginOwner(), "metered", "SEND_EMAILS")
	noSecretsInLogs(t, app, k.Secret)
	status(t, app, "/v1/me", k.Secret)
	status(t, app, "/v1/me", "bt_nope")
	resp, err := http.Get(app.HTTP.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, want := range []string{
		`http_requests_total{code="200",method="GET",route="GET /v1/me"} 1`,
		`http_requests_total{code="401",method="GET",route="GET /v1/me"} 1`,
		`apikey_verifications_total{outcome="ok"} 1`,
		`apikey_verifications_total{outcome="malformed"} 1`,
		`apikey_cache_lookups_total{result="miss"} 1`,
		`apikey_db_lookups_total 1`,
		`usage_flushes_total`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(string(body), k.Secret) {
		t.Error("/metrics shows a key")
	}
}
