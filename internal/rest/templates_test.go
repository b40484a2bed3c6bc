package rest_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"businesstools/internal/apptest"
	"businesstools/internal/templates"
	"businesstools/internal/tenant"
)

type templateJSON struct {
	ID        int       `json:"id"`
	Name      string    `json:"name"`
	Subject   string    `json:"subject"`
	HTML      string    `json:"html"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

type templateList struct {
	Data       []templateJSON `json:"data"`
	NextCursor *string        `json:"next_cursor"`
}

// Ensure templates can be created, read, listed, replaced, patched and deleted.
func TestTemplatesCRUD(t *testing.T) {
	app, key := resourceApp(t)
	resp := app.REST("POST", "/v1/templates", key, map[string]any{"name": "welcome", "subject": "Hi {{.name}}", "html": "<p>{{.name}}</p>"})
	var tpl templateJSON
	wantJSON(t, resp, http.StatusCreated, &tpl)
	if resp.Header.Get("Location") != fmt.Sprintf("/v1/templates/%d", tpl.ID) || tpl.Name != "welcome" || tpl.Text != "" {
		t.Fatalf("created %+v at %q", tpl, resp.Header.Get("Location"))
	}
	var got templateJSON
	wantJSON(t, app.REST("GET", fmt.Sprintf("/v1/templates/%d", tpl.ID), key, nil), http.StatusOK, &got)
	if got != tpl {
		t.Fatalf("GET %+v, want %+v", got, tpl)
	}
	wantJSON(t, app.REST("PATCH", fmt.Sprintf("/v1/templates/%d", tpl.ID), key, map[string]any{"text": "Hi {{.name}}"}), http.StatusOK, &got)
	if got.Text != "Hi {{.name}}" || got.HTML != tpl.HTML || got.Name != "welcome" {
		t.Fatalf("PATCH gave %+v", got)
	}
	wantJSON(t, app.REST("PUT", fmt.Sprintf("/v1/templates/%d", tpl.ID), key, map[string]any{"name": "welcome2", "text": "plain"}), http.StatusOK, &got)
	if got.Name != "welcome2" || got.HTML != "" || got.Subject != "" || got.Text != "plain" {
		t.Fatalf("PUT gave %+v", got)
	}
	for i := range 3 {
		wantJSON(t, app.REST("POST", "/v1/templates", key, map[string]any{"name": fmt.Sprintf("t%d", i), "text": "x"}), http.StatusCreated, nil)
	}
	var page1, page2 templateList
	wantJSON(t, app.REST("GET", "/v1/templates?limit=3", key, nil), http.StatusOK, &page1)
	if len(page1.Data) != 3 || page1.NextCursor == nil || page1.Data[0].Name != "t2" {
		t.Fatalf("page 1: %+v", page1)
	}
	wantJSON(t, app.REST("GET", "/v1/templates?limit=3&cursor="+*page1.NextCursor, key, nil), http.StatusOK, &page2)
	if len(page2.Data) != 1 || page2.NextCursor != nil || page2.Data[0].ID != tpl.ID {
		t.Fatalf("page 2: %+v", page2)
	}
	resp = app.REST("DELETE", fmt.Sprintf("/v1/templates/%d", tpl.ID), key, nil)
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE: %d", resp.StatusCode)
	}
	wantProblem(t, app.REST("GET", fmt.Sprintf("/v1/templates/%d", tpl.ID), key, nil), http.StatusNotFound, "")
}

// Ensure bad template input is refused naming the field and changes nothing.
func TestTemplatesBadInput(t *testing.T) {
	app, key := resourceApp(t)
	var tpl templateJSON
	wantJSON(t, app.REST("POST", "/v1/templates", key, map[string]any{"name": "keep", "subject": "S", "text": "T"}), http.StatusCreated, &tpl)
	path := fmt.Sprintf("/v1/templates/%d", tpl.ID)
	for _, c := range []struct {
		name, method, path string
		body               any
		status             int
		field              string
	}{
		{"Malformed", "POST", "/v1/templates", `{"name":`, 400, ""},
		{"UnknownField", "POST", "/v1/templates", map[string]any{"name": "n", "text": "x", "body": "x"}, 400, "body"},
		{"WrongType", "POST", "/v1/templates", map[string]any{"name": 5, "text": "x"}, 400, "name"},
		{"NoName", "POST", "/v1/templates", map[string]any{"text": "x"}, 400, "name"},
		{"NullText", "POST", "/v1/templates", `{"name":"n","html":"<p>x</p>","text":null}`, 400, "text"},
		{"NoContent", "POST", "/v1/templates", map[string]any{"name": "n", "subject": "s"}, 400, "html"},
		{"HTMLDoesNotParse", "POST", "/v1/templates", map[string]any{"name": "n", "html": "<p>{{.name</p>"}, 422, "html"},
		{"SubjectDoesNotParse", "POST", "/v1/templates", map[string]any{"name": "n", "subject": "{{if}}", "text": "x"}, 422, "subject"},
		{"TextDoesNotParse", "POST", "/v1/templates", map[string]any{"name": "n", "text": "{{end}}"}, 422, "text"},
		{"DuplicateName", "POST", "/v1/templates", map[string]any{"name": "keep", "text": "x"}, 409, "name"},
		{"TooLarge", "POST", "/v1/templates", `{"name":"big","text":"` + strings.Repeat("x", 1<<20) + `"}`, 413, ""},
		{"PatchDoesNotParse", "PATCH", path, map[string]any{"text": "{{.x"}, 422, "text"},
		{"PatchNullSubject", "PATCH", path, `{"subject":null}`, 400, "subject"},
		{"RangeOverNumber", "POST", "/v1/templates", map[string]any{"name": "n", "text": "{{range 400000}}" + strings.Repeat("x", 100) + "{{end}}"}, 422, "text"},
		{"NestedRangeOverNumbers", "POST", "/v1/templates", map[string]any{"name": "n", "html": "{{range 3000}}{{range 3000}}{{end}}{{end}}"}, 422, "html"},
		{"RangeOverNumberVariable", "POST", "/v1/templates", map[string]any{"name": "n", "subject": "{{$n := 9}}{{range $n}}{{end}}", "text": "x"}, 422, "subject"},
		{"RecursiveTemplate", "POST", "/v1/templates", map[string]any{"name": "n", "text": `{{define "a"}}{{template "a"}}{{end}}{{template "a"}}`}, 422, "text"},
		{"PrintfHugeWidth", "POST", "/v1/templates", map[string]any{"name": "n", "text": `{{printf "%999999999d" 1}}`}, 422, "text"},
		{"PatchRangeOverNumber", "PATCH", path, map[string]any{"text": "{{range 5}}x{{end}}"}, 422, "text"},
		{"PatchPrintfHugePrecision", "PATCH", path, map[string]any{"html": `<p>{{printf "%.99999f" 1.5}}</p>`}, 422, "html"},
		{"HTMLCannotBeEscaped", "POST", "/v1/templates", map[string]any{"name": "n", "html": `<a href="{{if .x}}">{{end}}</a>`}, 422, "html"},
		{"PatchHTMLCannotBeEscaped", "PATCH", path, map[string]any{"html": `<a href="{{.x}}`}, 422, "html"},
		{"PutHTMLCannotBeEscaped", "PUT", path, map[string]any{"name": "keep", "html": `<script>{{if .x}}"{{end}}</script>`}, 422, "html"},
		{"PatchWrongType", "PATCH", path, map[string]any{"html": []int{1}}, 400, "html"},
		{"PutWithoutName", "PUT", path, map[string]any{"text": "x"}, 400, "name"},
		{"PatchUnknown", "PATCH", "/v1/templates/999999", map[string]any{"text": "x"}, 404, ""},
		{"DeleteUnknown", "DELETE", "/v1/templates/999999", nil, 404, ""},
		{"LimitTooBig", "GET", "/v1/templates?limit=201", nil, 400, "limit"},
		{"LimitZero", "GET", "/v1/templates?limit=0", nil, 400, "limit"},
		{"LimitNotANumber", "GET", "/v1/templates?limit=ten", nil, 400, "limit"},
		{"BadCursor", "GET", "/v1/templates?cursor=bm9wZQ", nil, 400, "cursor"},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantProblem(t, app.REST(c.method, c.path, key, c.body), c.status, c.field)
		})
	}
	var got templateJSON
	wantJSON(t, app.REST("GET", path, key, nil), http.StatusOK, &got)
	if got != tpl {
		t.Fatalf("template changed by refused requests: %+v", got)
	}
	if n := app.DB.Client.Template.Query().CountX(tenant.Unscoped(context.Background())); n != 1 {
		t.Fatalf("%d templates, want 1", n)
	}
}

// Ensure another account's key gets 404 for a template, whatever it tries.
func TestTemplatesIsolation(t *testing.T) {
	app, key := resourceApp(t)
	var tpl templateJSON
	wantJSON(t, app.REST("POST", "/v1/templates", key, map[string]any{"name": "mine", "text": "x"}), http.StatusCreated, &tpl)
	other := otherAccountKey(t, app)
	path := fmt.Sprintf("/v1/templates/%d", tpl.ID)
	wantProblem(t, app.REST("GET", path, other, nil), http.StatusNotFound, "")
	wantProblem(t, app.REST("PATCH", path, other, map[string]any{"text": "stolen"}), http.StatusNotFound, "")
	wantProblem(t, app.REST("PUT", path, other, map[string]any{"name": "stolen", "text": "x"}), http.StatusNotFound, "")
	wantProblem(t, app.REST("DELETE", path, other, nil), http.StatusNotFound, "")
	var l templateList
	wantJSON(t, app.REST("GET", "/v1/templates", other, nil), http.StatusOK, &l)
	if len(l.Data) != 0 {
		t.Fatalf("other account lists %+v", l.Data)
	}
	// The same name is free in another account.
	wantJSON(t, app.REST("POST", "/v1/templates", other, map[string]any{"name": "mine", "text": "y"}), http.StatusCreated, nil)
	var got templateJSON
	wantJSON(t, app.REST("GET", path, key, nil), http.StatusOK, &got)
	if got != tpl {
		t.Fatalf("changed by another account: %+v", got)
	}
}

// Ensure a template whose rendering would be over 1 MiB is refused when an
// email is sent, naming the part.
func TestTemplatesRenderedSizeCapped(t *testing.T) {
	app, key := resourceApp(t)
	for part, body := range map[string]map[string]any{
		"html":    {"html": "{{range .xs}}<p>{{.}}{{.}}</p>{{end}}"},
		"text":    {"text": "{{range .xs}}{{.}}{{.}}{{.}}{{end}}"},
		"subject": {"subject": "{{range .xs}}{{.}}{{.}}{{end}}", "text": "x"},
	} {
		body["name"] = part
		var tpl templateJSON
		wantJSON(t, app.REST("POST", "/v1/templates", key, body), http.StatusCreated, &tpl)
		xs := make([]string, 1000)
		for i := range xs {
			xs[i] = strings.Repeat("y", 800) // 800 KB of variables, over 1 MiB rendered twice
		}
		p := wantProblem(t, app.REST("POST", "/v1/emails", key, map[string]any{"to": []string{"a@example.com"},
			"template_id": tpl.ID, "variables": map[string]any{"xs": xs}}), http.StatusUnprocessableEntity, part)
		if p.Detail != "The rendered "+part+" is larger than 1 MiB." {
			t.Errorf("%s: %q", part, p.Detail)
		}
	}
}

// Ensure a subject holds at most 998 characters (counted as characters, not
// bytes) as written inline, as saved in a template and as rendered from one,
// a template name has no control characters, and nothing refused is stored.
func TestTemplatesSubjectAndNameLimits(t *testing.T) {
	app, key := resourceApp(t)
	send := func(body map[string]any) *http.Response {
		body["to"] = []string{"a@example.com"}
		return app.REST("POST", "/v1/emails", key, body)
	}
	long := strings.Repeat("é", templates.MaxSubjectLen) // 1996 bytes, 998 characters: fits
	wantJSON(t, send(map[string]any{"subject": long, "text": "x"}), http.StatusAccepted, nil)
	wantProblem(t, send(map[string]any{"subject": long + "x", "text": "x"}), http.StatusBadRequest, "subject")

	var tpl templateJSON
	wantJSON(t, app.REST("POST", "/v1/templates", key, map[string]any{"name": "fits", "subject": long, "text": "x"}),
		http.StatusCreated, &tpl)
	fits := tpl.ID
	wantProblem(t, app.REST("POST", "/v1/templates", key, map[string]any{"name": "long", "subject": long + "x", "text": "x"}),
		http.StatusBadRequest, "subject")
	wantProblem(t, app.REST("PATCH", fmt.Sprintf("/v1/templates/%d", tpl.ID), key, map[string]any{"subject": long + "x"}),
		http.StatusBadRequest, "subject")
	for _, name := range []string{`two\nlines`, `tab\there`, `bell\u0007`, `c1\u0085`} {
		wantProblem(t, app.REST("POST", "/v1/templates", key, `{"name":"`+name+`","text":"x"}`), http.StatusBadRequest, "name")
	}

	wantJSON(t, app.REST("POST", "/v1/templates", key, map[string]any{"name": "var", "subject": "{{.s}}", "text": "x"}),
		http.StatusCreated, &tpl)
	wantJSON(t, send(map[string]any{"template_id": tpl.ID, "variables": map[string]any{"s": long}}), http.StatusAccepted, nil)
	p := wantProblem(t, send(map[string]any{"template_id": tpl.ID, "variables": map[string]any{"s": strings.Repeat("x", 100000)}}),
		http.StatusUnprocessableEntity, "subject")
	if !strings.Contains(p.Detail, "at most 998 characters (it has 100000)") {
		t.Errorf("detail %q", p.Detail)
	}
	ctx := tenant.Unscoped(context.Background())
	if n := app.DB.Client.Email.Query().CountX(ctx); n != 2 {
		t.Errorf("%d emails stored, want the 2 that fit", n)
	}
	if n := app.DB.Client.Template.Query().CountX(ctx); n != 2 {
		t.Errorf("%d templates stored, want the 2 valid ones", n)
	}
	var got templateJSON
	wantJSON(t, app.REST("GET", fmt.Sprintf("/v1/templates/%d", fits), key, nil), http.StatusOK, &got)
	if got.Subject != long {
		t.Errorf("a refused PATCH changed the subject to %d characters", len([]rune(got.Subject)))
	}
}

// Ensure concurrent PATCHes of different fields of one template all apply.
func TestTemplatesConcurrentPatches(t *testing.T) {
	app, key := resourceApp(t)
	const n = 10
	var wg sync.WaitGroup
	paths := make([]string, n)
	for i := range n {
		var tpl templateJSON
		wantJSON(t, app.REST("POST", "/v1/templates", key, map[string]any{"name": fmt.Sprintf("t%d", i), "text": "x"}), http.StatusCreated, &tpl)
		paths[i] = fmt.Sprintf("/v1/templates/%d", tpl.ID)
	}
	for _, path := range paths {
		for _, body := range []map[string]any{{"subject": "A"}, {"html": "<p>B</p>"}} {
			wg.Go(func() {
				if resp := app.REST("PATCH", path, key, body); resp.StatusCode != http.StatusOK {
					t.Errorf("PATCH %s %v: %d", path, body, resp.StatusCode)
				}
			})
		}
	}
	wg.Wait()
	for _, path := range paths {
		var got templateJSON
		wantJSON(t, app.REST("GET", path, key, nil), http.StatusOK, &got)
		if got.Subject != "A" || got.HTML != "<p>B</p>" || got.Text != "x" {
			t.Errorf("%s lost an update: %+v", path, got)
		}
	}
}

// Ensure a body that is not sent as JSON is 415, and one over 1 MiB is 413
// even when the excess is whitespace after a valid value.
func TestTemplatesBodyMediaTypeAndSize(t *testing.T) {
	app, key := resourceApp(t)
	var tpl templateJSON
	wantJSON(t, app.REST("POST", "/v1/templates", key, map[string]any{"name": "keep", "text": "T"}), http.StatusCreated, &tpl)
	path := fmt.Sprintf("/v1/templates/%d", tpl.ID)
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "application/jsonx", "not a media type"} {
		for _, m := range []struct{ method, path string }{{"POST", "/v1/templates"}, {"PATCH", path}, {"PUT", path}} {
			p := wantProblem(t, app.REST(m.method, m.path, key, `{"name":"n","text":"x"}`, apptest.WithHeader("Content-Type", ct)),
				http.StatusUnsupportedMediaType, "")
			if p.Type != "https://businesstools.dev/problems/unsupported_media_type" {
				t.Errorf("%s %s as %s: type %q", m.method, m.path, ct, p.Type)
			}
		}
	}
	wantJSON(t, app.REST("PATCH", path, key, `{"text":"y"}`, apptest.WithHeader("Content-Type", "application/json; charset=utf-8")), http.StatusOK, nil)
	padded := `{"text":"z"}` + strings.Repeat(" ", 1<<20+10)
	for _, m := range []string{"PATCH", "PUT"} {
		wantProblem(t, app.REST(m, path, key, padded), http.StatusRequestEntityTooLarge, "")
	}
	wantProblem(t, app.REST("POST", "/v1/templates", key, `{"name":"p","text":"z"}`+strings.Repeat("\n", 1<<20)), http.StatusRequestEntityTooLarge, "")
	var got templateJSON
	wantJSON(t, app.REST("GET", path, key, nil), http.StatusOK, &got)
	if got.Text != "y" {
		t.Fatalf("text %q", got.Text)
	}
}
