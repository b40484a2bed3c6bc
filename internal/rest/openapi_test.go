package rest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"businesstools/internal/apptest"
	"businesstools/internal/rest"
)

// routes is every /v1 route of rest.New with its scope.
var routes = []struct{ method, path, scope string }{
	{"GET", "/v1/me", ""},
	{"POST", "/v1/emails", "emails:send"}, {"GET", "/v1/emails/{id}", "emails:send"},
	{"GET", "/v1/templates", "templates:manage"}, {"POST", "/v1/templates", "templates:manage"},
	{"GET", "/v1/templates/{id}", "templates:manage"}, {"PUT", "/v1/templates/{id}", "templates:manage"},
	{"PATCH", "/v1/templates/{id}", "templates:manage"}, {"DELETE", "/v1/templates/{id}", "templates:manage"},
	{"GET", "/v1/leads", "leads:read"}, {"GET", "/v1/leads/{id}", "leads:read"},
	{"POST", "/v1/leads", "leads:write"}, {"PUT", "/v1/leads/{id}", "leads:write"},
	{"PATCH", "/v1/leads/{id}", "leads:write"}, {"DELETE", "/v1/leads/{id}", "leads:delete"},
}

// Ensure the document is served without a key and is a valid OpenAPI 3.1 document.
func TestOpenAPIServed(t *testing.T) {
	app := apptest.New(t)
	resp := app.REST("GET", "/v1/openapi.json", "", nil)
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") ||
		!bytes.Equal(raw, rest.OpenAPIDocument()) {
		t.Fatalf("GET /v1/openapi.json: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	doc, _, err := apptest.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	schemes := doc.Components.SecuritySchemes
	if b := schemes["bearer"]; b == nil || b.Value.Type != "http" || b.Value.Scheme != "bearer" {
		t.Error("no bearer security scheme")
	}
	if k := schemes["apiKey"]; k == nil || k.Value.In != "header" || k.Value.Name != "X-API-Key" {
		t.Error("no X-API-Key security scheme")
	}
}

// Ensure every route is documented with its scope and every error it can answer.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	doc, _, err := apptest.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, item := range doc.Paths.Map() {
		n += len(item.Operations())
	}
	if n != len(routes)+3 { // + the document itself and the two leak routes (internal/leaks, tested there)
		t.Errorf("the document has %d operations, the API %d", n, len(routes)+3)
	}
	for _, r := range routes {
		item := doc.Paths.Value(r.path)
		if item == nil || item.GetOperation(r.method) == nil {
			t.Errorf("%s %s is not documented", r.method, r.path)
			continue
		}
		op := item.GetOperation(r.method)
		scope, _ := op.Extensions["x-required-scope"].(string)
		if scope != r.scope || (r.scope != "" && !strings.Contains(op.Description, "`"+r.scope+"`")) {
			t.Errorf("%s %s: documented scope %q, want %q", r.method, r.path, scope, r.scope)
		}
		want := []string{"401", "429", "500"}
		if r.scope != "" {
			want = append(want, "403")
		}
		if strings.Contains(r.path, "{id}") {
			want = append(want, "404")
		}
		if r.method == "POST" || r.method == "PUT" || r.method == "PATCH" {
			want = append(want, "400", "413", "415")
		}
		if r.method == "POST" {
			want = append(want, "409") // Idempotency-Key reuse
		}
		for _, code := range want {
			resp := op.Responses.Value(code)
			if resp == nil || resp.Value.Content.Get("application/problem+json") == nil {
				t.Errorf("%s %s: no problem+json %s response", r.method, r.path, code)
			}
		}
	}
}

// Ensure the validating transport would notice drift between the code and
// the document.
func TestOpenAPIValidatorCatchesDrift(t *testing.T) {
	check := func(method, target, key, body string, status int, ctype, respBody string) string {
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		resp := &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {ctype}}}
		return apptest.CheckExchange(req, []byte(body), resp, []byte(respBody))
	}
	lead := `{"id":1,"email":"a@example.com","first_name":"","last_name":"","company":"","phone":"","status":"new","source":"","custom":{},"created_at":"2030-01-01T00:00:00Z","updated_at":"2030-01-01T00:00:00Z"}`
	problem := `{"type":"https://businesstools.dev/problems/invalid","title":"Bad Request","status":400,"field":"limit"}`
	if msg := check("GET", "/v1/leads/1", "k", "", 200, "application/json", lead); msg != "" {
		t.Fatalf("a correct exchange was refused: %s", msg)
	}
	for name, msg := range map[string]string{
		"UndocumentedField":  check("GET", "/v1/leads/1", "k", "", 200, "application/json", strings.Replace(lead, `"id":1`, `"id":1,"score":3`, 1)),
		"WrongType":          check("GET", "/v1/leads/1", "k", "", 200, "application/json", strings.Replace(lead, `"id":1`, `"id":"1"`, 1)),
		"UndocumentedStatus": check("GET", "/v1/leads/1", "k", "", 418, "application/problem+json", problem),
		"InvalidAccepted":    check("GET", "/v1/leads?limit=900", "k", "", 200, "application/json", `{"data":[],"next_cursor":null}`),
		"NoKeyAccepted":      check("GET", "/v1/leads/1", "", "", 200, "application/json", lead),
		"UnknownOperation":   check("GET", "/v1/widgets", "k", "", 200, "application/json", `{}`),
	} {
		if msg == "" {
			t.Errorf("%s: not noticed", name)
		}
	}
	var p map[string]any
	if err := json.Unmarshal([]byte(problem), &p); err != nil {
		t.Fatal(err)
	}
	if msg := check("GET", "/v1/leads?limit=900", "k", "", 400, "application/problem+json", problem); msg != "" {
		t.Errorf("a refused bad request was flagged: %s", msg)
	}
}
