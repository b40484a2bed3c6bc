package auth_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"businesstools/ent/auditevent"
	"businesstools/internal/auth"
	"businesstools/internal/tenant"
	"businesstools/internal/testdb"
)

// Ensure sign-ins are on the security log: LOGIN, LOGIN_FAILED for a known
// email (actor: the email, with the client IP), nothing for an unknown one
// (it has no account), and nothing for attempts refused by the throttle
// (they never reach the database), so the log costs one row per real try.
func TestLogin_Audited(t *testing.T) {
	d := testdb.Open(t)
	ctx := context.Background()
	if _, err := auth.CreateAdmin(ctx, d.Client, "Acme", "ann@example.com", pw); err != nil {
		t.Fatal(err)
	}
	s := auth.New(d.Client, auth.Config{})
	if _, _, _, err := s.Login(ctx, "Ann@Example.com", pw, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := s.Login(ctx, "ann@example.com", "wrong password", "192.0.2.2"); err == nil {
		t.Fatal("a wrong password signed in")
	}
	if _, _, _, err := s.Login(ctx, "nobody@example.com", pw, "192.0.2.3"); err == nil {
		t.Fatal("an unknown email signed in")
	}
	for range 10 { // slowed after 3 failures: refused before any lookup
		_, _, _, _ = s.Login(ctx, "ann@example.com", "guess", "192.0.2.4")
	}
	events := d.Client.AuditEvent.Query().Order(auditevent.ByID()).AllX(tenant.Unscoped(ctx))
	var got []string
	for _, e := range events {
		if e.ActorID == nil || e.APIKeyID != nil {
			t.Errorf("event %s: actor id %v, key %v", e.Action, e.ActorID, e.APIKeyID)
		}
		got = append(got, fmt.Sprintf("%s %s %s", e.Action, e.ActorEmail, e.ClientIP))
	}
	want := "LOGIN ann@example.com 192.0.2.1|LOGIN_FAILED ann@example.com 192.0.2.2|" +
		"LOGIN_FAILED ann@example.com 192.0.2.4|LOGIN_FAILED ann@example.com 192.0.2.4"
	if strings.Join(got, "|") != want {
		t.Fatalf("events\n%s\nwant\n%s", strings.Join(got, "\n"), strings.ReplaceAll(want, "|", "\n"))
	}
}

// Ensure the middleware tells credentials apart by shape: an API key or an
// access token it cannot verify is refused with 401 before the handler
// runs, while a session token that happens to begin with "bt_" is still
// treated as a session.
func TestMiddleware_CredentialShapes(t *testing.T) {
	d := testdb.Open(t)
	s := auth.New(d.Client, auth.Config{}) // no token verifier: every btm_ is refused
	reached := false
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached = true }))
	for bearer, want := range map[string]int{
		"bt_" + strings.Repeat("A", 40):  http.StatusOK, // a session token's length
		"btm_" + strings.Repeat("A", 39): http.StatusOK,
		"bt_" + strings.Repeat("A", 49):  http.StatusUnauthorized, // an API key's
		"btm_" + strings.Repeat("A", 49): http.StatusUnauthorized,
		"btm_x":                          http.StatusUnauthorized,
		"not-a-session":                  http.StatusOK,
	} {
		reached = false
		req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
		req.Header.Set("Authorization", "Bearer "+bearer)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != want || reached != (want == http.StatusOK) {
			t.Errorf("%q: status %d, handler reached %v; want %d", bearer, rec.Code, reached, want)
		}
		if want == http.StatusUnauthorized && (!strings.Contains(rec.Body.String(), `"UNAUTHENTICATED"`) ||
			rec.Header().Get("WWW-Authenticate") == "" || strings.Contains(rec.Body.String(), bearer)) {
			t.Errorf("%q: refusal %s %v", bearer, rec.Body.String(), rec.Header())
		}
	}
}
