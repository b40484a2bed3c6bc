package rest_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"businesstools/internal/apptest"
	"businesstools/internal/tenant"
)

// counts is how many leads, templates and emails the database holds.
func counts(t *testing.T, app *apptest.App) [3]int {
	t.Helper()
	ctx := tenant.Unscoped(context.Background())
	c := app.DB.Client
	return [3]int{c.Lead.Query().CountX(ctx), c.Template.Query().CountX(ctx), c.Email.Query().CountX(ctx)}
}

// Ensure every string a request carries — JSON values and keys at any
// depth (custom, variables, recipient lists), query parameters — is refused
// with 400 naming the field when it holds NUL, a lone surrogate or invalid
// UTF-8, on SQLite and PostgreSQL alike, and that nothing is written.
func TestInvalidTextRefused(t *testing.T) {
	app, key := resourceApp(t)
	var lead leadJSON
	wantJSON(t, app.REST("POST", "/v1/leads", key, map[string]any{"email": "ann@example.com"}), http.StatusCreated, &lead)
	var tpl templateJSON
	wantJSON(t, app.REST("POST", "/v1/templates", key, map[string]any{"name": "t", "text": "Hi {{.n}}"}), http.StatusCreated, &tpl)
	leadPath, tplPath := fmt.Sprintf("/v1/leads/%d", lead.ID), fmt.Sprintf("/v1/templates/%d", tpl.ID)
	before := counts(t, app)

	for _, tc := range []struct{ method, path, body, field string }{
		{"POST", "/v1/leads", `{"email":"a\u0000@example.com"}`, "email"},
		{"POST", "/v1/leads", `{"email":"b@example.com","company":"\ud800"}`, "company"},
		{"POST", "/v1/leads", "{\"email\":\"b@example.com\",\"source\":\"\xff\xfe\"}", "source"},
		{"POST", "/v1/leads", `{"email":"b@example.com","custom":{"a":[{"b":"\u0000"}]}}`, "custom.a[0].b"},
		{"POST", "/v1/leads", `{"email":"b@example.com","custom":{"k\u0000":1}}`, "custom"},
		{"PUT", leadPath, `{"email":"ann@example.com","first_name":"\u0000"}`, "first_name"},
		{"PATCH", leadPath, `{"custom":{"x":"\udfff"}}`, "custom.x"},
		{"POST", "/v1/templates", `{"name":"n\u0000","text":"x"}`, "name"},
		{"POST", "/v1/templates", "{\"name\":\"n\",\"html\":\"<p>\xc3</p>\"}", "html"},
		{"PUT", tplPath, `{"name":"t","subject":"\u0000","text":"x"}`, "subject"},
		{"PATCH", tplPath, `{"text":"\u0000"}`, "text"},
		{"POST", "/v1/emails", `{"to":["x@example.com","y\u0000@example.com"],"subject":"s","text":"t"}`, "to[1]"},
		{"POST", "/v1/emails", `{"to":["x@example.com"],"subject":"s\u0000","text":"t"}`, "subject"},
		{"POST", "/v1/emails", fmt.Sprintf(`{"to":["x@example.com"],"template_id":%d,"variables":{"n":{"\u0000":1}}}`, tpl.ID), "variables.n"},
		{"POST", "/v1/emails", fmt.Sprintf(`{"to":["x@example.com"],"template_id":%d,"variables":{"n":"\u0000"}}`, tpl.ID), "variables.n"},
		{"GET", "/v1/leads?q=%00", "", "q"},
		{"GET", "/v1/leads?q=%ff", "", "q"},
		{"GET", "/v1/leads?email=a%00@example.com", "", "email"},
		{"GET", "/v1/leads?status=new%00", "", "status"},
		{"GET", "/v1/leads?x%00=1", "", "query"},
		{"GET", "/v1/leads?q=%zz", "", "query"},
		{"GET", "/v1/templates?cursor=%00", "", "cursor"},
	} {
		var body any
		if tc.body != "" {
			body = tc.body
		}
		wantProblem(t, app.REST(tc.method, tc.path, key, body), http.StatusBadRequest, tc.field)
	}
	if after := counts(t, app); after != before {
		t.Fatalf("refused requests wrote: %v → %v", before, after)
	}
	var got leadJSON
	wantJSON(t, app.REST("GET", leadPath, key, nil), http.StatusOK, &got)
	if got.FirstName != "" || len(got.Custom) != 0 {
		t.Fatalf("lead changed: %+v", got)
	}
	// Valid text beyond ASCII goes through.
	wantJSON(t, app.REST("POST", "/v1/leads", key, `{"email":"b@example.com","company":"Zoë \ud83d\ude00 😀","custom":{"ключ":"значение"}}`),
		http.StatusCreated, &got)
	if got.Company != "Zoë 😀 😀" || got.Custom["ключ"] != "значение" {
		t.Fatalf("valid text stored as %+v", got)
	}
	var list leadList
	wantJSON(t, app.REST("GET", "/v1/leads?q=zo%C3%AB", key, nil), http.StatusOK, &list)
	if len(list.Data) != 1 {
		t.Fatalf("search for zoë found %d", len(list.Data))
	}
}

// Ensure REST ids are accepted in their canonical decimal form only: a
// sign, leading zeros or a fraction name no record (404).
func TestCanonicalIDs(t *testing.T) {
	app, key := resourceApp(t)
	var lead leadJSON
	wantJSON(t, app.REST("POST", "/v1/leads", key, map[string]any{"email": "ann@example.com"}), http.StatusCreated, &lead)
	var tpl templateJSON
	wantJSON(t, app.REST("POST", "/v1/templates", key, map[string]any{"name": "t", "text": "x"}), http.StatusCreated, &tpl)
	for _, base := range []struct {
		path string
		id   int
	}{{"/v1/leads/", lead.ID}, {"/v1/templates/", tpl.ID}} {
		id := fmt.Sprint(base.id)
		wantJSON(t, app.REST("GET", base.path+id, key, nil), http.StatusOK, nil)
		for _, alias := range []string{"+" + id, "0" + id, "00" + id, id + ".0", "%2B" + id, " " + id, "-0"} {
			wantProblem(t, app.REST("GET", base.path+strings.ReplaceAll(alias, " ", "%20"), key, nil), http.StatusNotFound, "")
			wantProblem(t, app.REST("PATCH", base.path+strings.ReplaceAll(alias, " ", "%20"), key, map[string]any{}), http.StatusNotFound, "")
			wantProblem(t, app.REST("DELETE", base.path+strings.ReplaceAll(alias, " ", "%20"), key, nil), http.StatusNotFound, "")
		}
		// Not text at all: bad input naming the id; the problem's instance
		// is the path as sent, escaped (no NUL in the answer).
		for _, bad := range []string{id + "%00", "%00", "%FF" + id, "%C3"} {
			for _, m := range []string{"GET", "PATCH", "DELETE"} {
				var body any
				if m == "PATCH" {
					body = map[string]any{}
				}
				p := wantProblem(t, app.REST(m, base.path+bad, key, body), http.StatusBadRequest, "id")
				if p.Instance != base.path+bad {
					t.Errorf("%s %s: instance %q, want the escaped path", m, base.path+bad, p.Instance)
				}
			}
		}
		wantJSON(t, app.REST("GET", base.path+id, key, nil), http.StatusOK, nil)
	}
}

// Ensure a lead's custom object nests at most 10 levels (itself included):
// deeper is 422 naming custom, and is not stored.
func TestCustomDepthCapped(t *testing.T) {
	app, key := resourceApp(t)
	nest := func(levels int) string { // custom itself is the first level
		return strings.Repeat(`{"a":`, levels-1) + `{}` + strings.Repeat(`}`, levels-1)
	}
	wantJSON(t, app.REST("POST", "/v1/leads", key, `{"email":"ten@example.com","custom":`+nest(10)+`}`), http.StatusCreated, nil)
	wantProblem(t, app.REST("POST", "/v1/leads", key, `{"email":"eleven@example.com","custom":`+nest(11)+`}`), http.StatusUnprocessableEntity, "custom")
	wantProblem(t, app.REST("POST", "/v1/leads", key, `{"email":"deep@example.com","custom":{"a":[`+strings.Repeat("[", 5000)+strings.Repeat("]", 5000)+`]}}`),
		http.StatusUnprocessableEntity, "custom")
	var lead leadJSON
	wantJSON(t, app.REST("POST", "/v1/leads", key, map[string]any{"email": "p@example.com"}), http.StatusCreated, &lead)
	wantProblem(t, app.REST("PATCH", fmt.Sprintf("/v1/leads/%d", lead.ID), key, `{"custom":`+nest(11)+`}`), http.StatusUnprocessableEntity, "custom")
	if n := counts(t, app)[0]; n != 2 {
		t.Fatalf("%d leads stored, want 2", n)
	}
}
