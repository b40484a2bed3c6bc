package server_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"businesstools/internal/apptest"
	"businesstools/internal/config"
	"businesstools/internal/tenant"
)

// Ensure /healthz and /readyz answer, readyz after checking the database.
func TestHealth(t *testing.T) {
	app := apptest.New(t)
	for path, want := range map[string]string{"/healthz": `"ok"`, "/readyz": `"database":"up"`} {
		resp, err := http.Get(app.HTTP.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Fatalf("%s = %d %s", path, resp.StatusCode, body)
		}
	}
	app.DB.SQL.Close()
	resp, err := http.Get(app.HTTP.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("readyz with a closed database = %d", resp.StatusCode)
	}
}

// Ensure /graphql with another method than POST answers 405 with Allow and
// a GraphQL error body in JSON, as clients read errors.
func TestGraphQLPostOnly(t *testing.T) {
	app := apptest.New(t)
	for _, m := range []string{"GET", "PUT", "DELETE"} {
		req, _ := http.NewRequest(m, app.HTTP.URL+"/graphql?query=%7Bme%7Bemail%7D%7D", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Errors []struct {
				Message    string
				Extensions struct{ Code string }
			}
		}
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" ||
			resp.Header.Get("Content-Type") != "application/json" || len(body.Errors) != 1 || body.Errors[0].Extensions.Code != "METHOD_NOT_ALLOWED" {
			t.Fatalf("%s /graphql: %d %v %+v (%v)", m, resp.StatusCode, resp.Header, body, err)
		}
	}
}

func preflight(t *testing.T, app *apptest.App, origin string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("OPTIONS", app.HTTP.URL+"/graphql", nil)
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// Ensure nothing cross-origin is allowed by default, and only listed origins when configured.
func TestCORS(t *testing.T) {
	closed := apptest.New(t)
	if h := preflight(t, closed, "https://evil.example").Header.Get("Access-Control-Allow-Origin"); h != "" {
		t.Fatalf("default allows %q", h)
	}
	open := apptest.New(t, func(c *config.Config) { c.CORSOrigins = []string{"https://admin.example"} })
	if h := preflight(t, open, "https://admin.example").Header.Get("Access-Control-Allow-Origin"); h != "https://admin.example" {
		t.Fatalf("listed origin got %q", h)
	}
	if h := preflight(t, open, "https://evil.example").Header.Get("Access-Control-Allow-Origin"); h != "" {
		t.Fatalf("unlisted origin got %q", h)
	}
}

// Ensure no secret — key, password, session token, master key — reaches the
// logs or the terminal in a whole create → reveal → roll → delete flow,
// including the failures along it.
func TestNoSecretsInLogs(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	k := app.CreateKey(token, "Leaky?", "SEND_EMAILS", "READ_LEADS")
	secrets := []string{apptest.OwnerPassword, token, k.Secret, app.Config.MasterKey}
	var reveal struct{ RevealApiKey struct{ Secret string } }
	app.GQL(token, `mutation($id:ID!,$p:String!){revealApiKey(id:$id,password:$p){secret}}`,
		map[string]any{"id": k.ID, "p": apptest.OwnerPassword}).Decode(t, &reveal)
	app.GQL(token, `mutation($id:ID!,$p:String!){revealApiKey(id:$id,password:$p){secret}}`,
		map[string]any{"id": k.ID, "p": "wrong password guess"})
	app.GQL("", `mutation{login(input:{email:"owner@example.com",password:"another wrong guess"}){token}}`, nil)
	app.REST("GET", "/v1/me", k.Secret, nil)
	app.REST("GET", "/v1/leads", k.Secret[:len(k.Secret)-1]+"x", nil)
	var roll struct{ RollApiKey struct{ Secret string } }
	app.GQL(token, `mutation($id:ID!){rollApiKey(id:$id,oldSecretValidFor:60){secret}}`, map[string]any{"id": k.ID}).Decode(t, &roll)
	app.REST("GET", "/v1/me", roll.RollApiKey.Secret, nil)
	app.GQL(token, `mutation($id:ID!){deleteApiKey(id:$id){deletedId}}`, map[string]any{"id": k.ID})
	app.GQL(token, `mutation{logout{ok}}`, nil)
	secrets = append(secrets, roll.RollApiKey.Secret, "wrong password guess", "another wrong guess")
	raw, _ := base64.StdEncoding.DecodeString(app.Config.MasterKey)
	secrets = append(secrets, base64.RawURLEncoding.EncodeToString(raw))

	var audit strings.Builder
	events, err := app.DB.Client.AuditEvent.Query().All(tenant.Unscoped(t.Context()))
	if err != nil || len(events) < 5 {
		t.Fatalf("audit events: %d, %v", len(events), err)
	}
	for _, e := range events {
		audit.WriteString(e.Detail + e.APIKeyName + e.ActorEmail)
	}
	for name, out := range map[string]string{"log": app.Logs.String(), "terminal": app.Terminal.String(), "audit": audit.String()} {
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("the %s holds a secret (%d chars)", name, len(s))
			}
		}
	}
}

// Ensure the SPA (or its placeholder) is served at / and client routes.
func TestSPAServed(t *testing.T) {
	app := apptest.New(t)
	for _, path := range []string{"/", "/keys/123"} {
		resp, err := http.Get(app.HTTP.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), "<html") || resp.Header.Get("Content-Security-Policy") == "" {
			t.Fatalf("%s = %d, CSP %q", path, resp.StatusCode, resp.Header.Get("Content-Security-Policy"))
		}
	}
}

// Ensure turning reveal off deletes the stored ciphertexts at the next start,
// and a master key that does not open them stops the start.
func TestRevealSettingAtStart(t *testing.T) {
	first := apptest.New(t)
	first.CreateKey(first.LoginOwner(), "sealed", "SEND_EMAILS")
	sealed := func() int {
		n := 0
		for _, k := range first.DB.Client.ApiKey.Query().AllX(tenant.Unscoped(t.Context())) {
			if k.KeyCiphertext != nil && len(*k.KeyCiphertext) > 0 {
				n++
			}
		}
		return n
	}
	if sealed() != 1 {
		t.Fatal("no ciphertext stored with reveal on")
	}
	otherKey := base64.StdEncoding.EncodeToString(make([]byte, 32))
	if _, err := apptest.Start(t, apptest.SameDatabase(first), func(c *config.Config) { c.MasterKey = otherKey }); err == nil {
		t.Fatal("a server started with a master key that does not open the stored keys")
	}
	apptest.New(t, apptest.SameDatabase(first), func(c *config.Config) { c.AllowReveal = false })
	if n := sealed(); n != 0 {
		t.Fatalf("%d ciphertexts left with reveal off", n)
	}
}
