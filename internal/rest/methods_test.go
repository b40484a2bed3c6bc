package rest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"businesstools/internal/apptest"
	"businesstools/internal/tenant"
)

// Ensure a known path called with a method it does not take answers 405
// with Allow listing its methods (after the key check), and an unknown path 404.
func TestMethodNotAllowed(t *testing.T) {
	app, key := resourceApp(t)
	for _, c := range []struct{ method, path, allow string }{
		{"DELETE", "/v1/leads", "GET, HEAD, POST"},
		{"PUT", "/v1/leads", "GET, HEAD, POST"},
		{"POST", "/v1/leads/7", "DELETE, GET, HEAD, PATCH, PUT"},
		{"DELETE", "/v1/emails", "POST"},
		{"PATCH", "/v1/emails/1", "GET, HEAD"},
		{"POST", "/v1/me", "GET, HEAD"},
		{"DELETE", "/v1/templates", "GET, HEAD, POST"},
		{"POST", "/v1/openapi.json", "GET, HEAD"},
	} {
		resp := app.REST(c.method, c.path, key, nil)
		p := wantProblem(t, resp, http.StatusMethodNotAllowed, "")
		if got := resp.Header.Get("Allow"); got != c.allow {
			t.Errorf("%s %s: Allow %q, want %q", c.method, c.path, got, c.allow)
		}
		if !strings.HasSuffix(p.Type, "/method_not_allowed") || !strings.Contains(p.Detail, c.method) {
			t.Errorf("%s %s: problem %+v", c.method, c.path, p)
		}
	}
	// Still behind the key check: without a key it is the same 401 as anywhere.
	resp := app.REST("DELETE", "/v1/leads", "", nil)
	wantProblem(t, resp, http.StatusUnauthorized, "")
	if resp.Header.Get("Allow") != "" {
		t.Errorf("Allow %q leaked before the key check", resp.Header.Get("Allow"))
	}
	wantProblem(t, app.REST("DELETE", "/v1/leads", "bt_bogus", nil), http.StatusUnauthorized, "")
	// Unknown paths stay 404, whatever the method.
	for _, c := range []struct{ method, path string }{
		{"DELETE", "/v1/widgets"}, {"GET", "/v1/leads/7/notes"}, {"GET", "/v1/lead"}, {"POST", "/v1/"},
	} {
		resp := app.REST(c.method, c.path, key, nil)
		wantProblem(t, resp, http.StatusNotFound, "")
		if resp.Header.Get("Allow") != "" {
			t.Errorf("%s %s: 404 with Allow %q", c.method, c.path, resp.Header.Get("Allow"))
		}
	}
	// The routes themselves still work.
	wantJSON(t, app.REST("GET", "/v1/leads", key, nil), http.StatusOK, nil)
	if n := app.DB.Client.Lead.Query().CountX(tenant.Unscoped(context.Background())); n != 0 {
		t.Fatalf("%d leads", n)
	}
}

// Ensure a body of the wrong JSON type is refused naming the body, not an
// empty field.
func TestBodyMustBeObject(t *testing.T) {
	app, key := resourceApp(t)
	lead := fmt.Sprintf("/v1/leads/%d", createLead(t, app, key, map[string]any{"email": "ann@example.com"}).ID)
	for _, c := range []struct{ method, path, body string }{
		{"POST", "/v1/leads", `[]`},
		{"POST", "/v1/leads", `"ann@example.com"`},
		{"POST", "/v1/leads", `42`},
		{"POST", "/v1/leads", ` null `},
		{"PATCH", lead, `[{"status":"won"}]`},
		{"PATCH", lead, `null`},
		{"PUT", lead, `true`},
		{"POST", "/v1/templates", `[]`},
		{"POST", "/v1/emails", `[]`},
	} {
		p := wantProblem(t, app.REST(c.method, c.path, key, c.body), http.StatusBadRequest, "")
		if p.Detail != "The body must be a JSON object." {
			t.Errorf("%s %s %s: %q", c.method, c.path, c.body, p.Detail)
		}
	}
	// A field of the wrong type is still named; an empty field name is explained.
	if p := wantProblem(t, app.REST("POST", "/v1/leads", key, `{"email":[]}`), http.StatusBadRequest, "email"); p.Detail != `The field "email" must be of type string.` {
		t.Errorf("detail %q", p.Detail)
	}
	for body, want := range map[string]string{
		`{"to":["a@example.com"],"template_id":1.5}`:                  `The field "template_id" must be a whole number between -9223372036854775808 and 9223372036854775807.`,
		`{"to":["a@example.com"],"template_id":99999999999999999999}`: `The field "template_id" must be a whole number between -9223372036854775808 and 9223372036854775807.`,
		`{"to":["a@example.com"],"template_id":"7"}`:                  `The field "template_id" must be of type integer.`,
	} {
		if p := wantProblem(t, app.REST("POST", "/v1/emails", key, body), http.StatusBadRequest, "template_id"); p.Detail != want {
			t.Errorf("%s: detail %q", body, p.Detail)
		}
	}
	// An array's item of the wrong type is named with its index.
	for body, field := range map[string]string{
		`{"to":["a@example.com"],"bcc":["b@example.com",1],"subject":"s","text":"t"}`: "bcc[1]",
		`{"to":[true],"subject":"s","text":"t"}`:                                      "to[0]",
		`{"TO":["a@example.com",{}],"subject":"s","text":"t"}`:                        "to[1]",
		`{"to":"a@example.com","subject":"s","text":"t"}`:                             "to",
	} {
		wantProblem(t, app.REST("POST", "/v1/emails", key, body), http.StatusBadRequest, field)
	}
	if p := wantProblem(t, app.REST("POST", "/v1/leads", key, `{"email":"bob@example.com","":1}`), http.StatusBadRequest, ""); p.Detail != "The body holds a field with an empty name." {
		t.Errorf("detail %q", p.Detail)
	}
	// The lead was not touched by the refused PATCH null.
	var got leadJSON
	wantJSON(t, app.REST("GET", lead, key, nil), http.StatusOK, &got)
	if got.Email != "ann@example.com" {
		t.Fatalf("lead %+v", got)
	}
}

// Ensure Idempotency-Key compares bodies as JSON: whitespace, key order and
// escapes replay; a different value is still 409.
func TestIdempotencyCanonicalBody(t *testing.T) {
	app, key := resourceApp(t)
	idem := apptest.WithHeader("Idempotency-Key", "canon-1")
	var first leadJSON
	wantJSON(t, app.REST("POST", "/v1/leads", key, `{"email":"ann@example.com","first_name":"Ann","custom":{"a":1,"b":[1,2]}}`, idem),
		http.StatusCreated, &first)
	for _, same := range []string{
		"{\n  \"first_name\": \"Ann\",\n  \"custom\": {\"b\": [1, 2], \"a\": 1},\n  \"email\": \"ann@example.com\"\n}\n",
		`{"custom":{"b":[1,2],"a":1},"email":"ann\u0040example.com","first_name":"\u0041nn"}`,
	} {
		resp := app.REST("POST", "/v1/leads", key, same, idem)
		var again leadJSON
		wantJSON(t, resp, http.StatusCreated, &again)
		if again.ID != first.ID || resp.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("%s: got lead %d (replayed %q), first %d", same, again.ID, resp.Header.Get("Idempotent-Replayed"), first.ID)
		}
	}
	for _, different := range []string{
		`{"email":"ann@example.com","first_name":"Ann","custom":{"a":2,"b":[1,2]}}`,
		`{"email":"ann@example.com","first_name":"Ann","custom":{"a":1,"b":[2,1]}}`,
		`{"email":"ann@example.com","first_name":"Ann","custom":{"a":1,"b":[1,2]},"company":"Acme"}`,
		`{"email":"ann@example.com","first_name":"Ann","custom":{"a":1,"b":[1,2]}} {}`,
	} {
		wantProblem(t, app.REST("POST", "/v1/leads", key, different, idem), http.StatusConflict, "Idempotency-Key")
	}
	if n := app.DB.Client.Lead.Query().CountX(tenant.Unscoped(context.Background())); n != 1 {
		t.Fatalf("%d leads, want 1", n)
	}
}

// Ensure the validating transport insists on 405 with the right Allow for a
// documented path's undocumented method.
func TestOpenAPIValidatorCatchesWrongMethodAnswers(t *testing.T) {
	check := func(status int, allow, body string) string {
		req := httptest.NewRequest("DELETE", "/v1/leads", nil)
		req.Header.Set("Authorization", "Bearer k")
		resp := &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/problem+json"}}}
		if allow != "" {
			resp.Header.Set("Allow", allow)
		}
		return apptest.CheckExchange(req, nil, resp, []byte(body))
	}
	p405 := `{"type":"https://businesstools.dev/problems/method_not_allowed","title":"Method Not Allowed","status":405}`
	p404 := `{"type":"https://businesstools.dev/problems/not_found","title":"Not Found","status":404}`
	if msg := check(405, "GET, HEAD, POST", p405); msg != "" {
		t.Fatalf("a correct 405 was refused: %s", msg)
	}
	for name, msg := range map[string]string{
		"404":        check(404, "", p404),
		"WrongAllow": check(405, "GET, POST", p405),
		"NoAllow":    check(405, "", p405),
		"BadBody":    check(405, "GET, HEAD, POST", `{"status":"x"}`),
	} {
		if msg == "" {
			t.Errorf("%s: not noticed", name)
		}
	}
}
