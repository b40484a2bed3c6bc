package rest_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"businesstools/internal/apptest"
)

// allScopes are the permissions of a key that may call every resource route.
var allScopes = []string{"SEND_EMAILS", "MANAGE_EMAIL_TEMPLATES", "READ_LEADS", "WRITE_LEADS", "DELETE_LEADS"}

// resourceApp starts a server and returns it with an all-scopes key of the owner's account.
func resourceApp(t *testing.T, opts ...apptest.Option) (*apptest.App, string) {
	t.Helper()
	app := apptest.New(t, opts...)
	return app, app.CreateKey(app.LoginOwner(), "all", allScopes...).Secret
}

// otherAccountKey returns an all-scopes key of a second account.
func otherAccountKey(t *testing.T, app *apptest.App) string {
	t.Helper()
	return app.CreateKey(app.NewAdmin("Other", "b@example.com"), "other", allScopes...).Secret
}

// problemBody is a problem+json answer.
type problemBody struct {
	Type     string `json:"type"`
	Status   int    `json:"status"`
	Detail   string `json:"detail"`
	Field    string `json:"field"`
	Instance string `json:"instance"`
	Scope    string `json:"scope"`
}

// wantProblem checks resp is a problem+json with status naming field.
func wantProblem(t *testing.T, resp *http.Response, status int, field string) problemBody {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		raw, _ := io.ReadAll(resp.Body)
		t.Fatalf("want problem+json %d, got %d %s: %s", status, resp.StatusCode, ct, raw)
	}
	var p problemBody
	apptest.ReadJSON(t, resp, &p)
	if resp.StatusCode != status || p.Status != status || p.Field != field {
		t.Fatalf("want %d naming %q, got %d naming %q: %s", status, field, resp.StatusCode, p.Field, p.Detail)
	}
	return p
}

// wantJSON checks the status and decodes the body into v (may be nil).
func wantJSON(t *testing.T, resp *http.Response, status int, v any) {
	t.Helper()
	if resp.StatusCode != status {
		raw, _ := io.ReadAll(resp.Body)
		t.Fatalf("want %d, got %d: %s", status, resp.StatusCode, raw)
	}
	if v != nil {
		apptest.ReadJSON(t, resp, v)
	}
}

// eventually polls cond until it holds or a generous deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
