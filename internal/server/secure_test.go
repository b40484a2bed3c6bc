package server_test

import (
	"bytes"
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"businesstools/internal/apptest"
	"businesstools/internal/config"
	"businesstools/internal/server"
)

// loginCookie signs the owner in through h and returns the session cookie
// and the answer's headers; the request comes from peer with the headers set.
func loginCookie(t *testing.T, h http.Handler, peer string, tlsOn bool, headers map[string]string) (*http.Cookie, http.Header) {
	t.Helper()
	body := `{"query":"mutation($e:String!,$p:String!){login(input:{email:$e,password:$p}){token}}","variables":{"e":"` +
		apptest.OwnerEmail + `","p":"` + apptest.OwnerPassword + `"}}`
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader([]byte(body)))
	req.RemoteAddr = peer + ":40000"
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	if tlsOn {
		req.TLS = &tls.ConnectionState{}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.Name == "bt_session" && c.Value != "" {
			return c, rec.Header()
		}
	}
	t.Fatalf("login from %s set no session cookie: %d %s", peer, rec.Code, rec.Body)
	return nil, nil
}

// Ensure the session cookie is Secure when the request came over TLS or
// through a trusted proxy saying X-Forwarded-Proto: https — never on the
// word of an untrusted peer — and always with BT_ENV=production, where every
// answer also carries HSTS.
func TestSecureCookieAndHSTS(t *testing.T) {
	dev := apptest.New(t, func(c *config.Config) {
		c.Env = "development"
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	})
	https := map[string]string{"X-Forwarded-Proto": "https"}
	for _, tc := range []struct {
		name    string
		peer    string
		tls     bool
		headers map[string]string
		secure  bool
	}{
		{"plain HTTP", "192.0.2.1", false, nil, false},
		{"TLS", "192.0.2.1", true, nil, true},
		{"trusted proxy says https", "10.1.2.3", false, https, true},
		{"trusted proxy says http", "10.1.2.3", false, map[string]string{"X-Forwarded-Proto": "http"}, false},
		{"trusted proxy, client forged https before it", "10.1.2.3", false, map[string]string{"X-Forwarded-Proto": "https, http"}, false},
		{"untrusted peer says https", "192.0.2.1", false, https, false},
	} {
		c, h := loginCookie(t, dev.Server.Handler(), tc.peer, tc.tls, tc.headers)
		if c.Secure != tc.secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
			t.Errorf("development, %s: Secure=%v HttpOnly=%v SameSite=%v; want Secure=%v", tc.name, c.Secure, c.HttpOnly, c.SameSite, tc.secure)
		}
		if got := h.Get("Strict-Transport-Security"); got != "" {
			t.Errorf("development, %s: HSTS %q", tc.name, got)
		}
	}

	prod := apptest.New(t) // apptest runs in production
	c, h := loginCookie(t, prod.Server.Handler(), "192.0.2.1", false, nil)
	if !c.Secure {
		t.Error("production over plain HTTP: cookie not Secure")
	}
	if got := h.Get("Strict-Transport-Security"); got != server.HSTS {
		t.Errorf("production login answer: HSTS %q, want %q", got, server.HSTS)
	}
	resp, err := http.Get(prod.HTTP.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Strict-Transport-Security"); got != server.HSTS {
		t.Errorf("production /healthz: HSTS %q", got)
	}
}
