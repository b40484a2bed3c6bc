package rest_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// race runs op for 0…7 at once and checks one answers ok and every other
// answers the sequential case's problem: status naming field.
func race(t *testing.T, what string, ok, status int, field string, op func(i int) *http.Response) {
	t.Helper()
	const n = 8
	var wg sync.WaitGroup
	start := make(chan struct{})
	resps := make([]*http.Response, n)
	for i := range n {
		wg.Go(func() {
			<-start
			resps[i] = op(i)
		})
	}
	close(start)
	wg.Wait()
	won := 0
	for _, resp := range resps {
		if resp.StatusCode == ok {
			won++
			continue
		}
		wantProblem(t, resp, status, field)
	}
	if won != 1 {
		t.Errorf("%s: %d of %d succeeded, want 1", what, won, n)
	}
}

// Ensure 8 concurrent creates with one template name, 8 concurrent renames
// of templates to one name, 8 concurrent creates of one lead email and 8
// concurrent changes of leads to one email each leave one winner and answer
// every other request 409 naming the field — what the sequential case
// answers — never 500.
func TestUniqueRaces(t *testing.T) {
	app, key := resourceApp(t)
	race(t, "template creates", http.StatusCreated, http.StatusConflict, "name", func(int) *http.Response {
		return app.REST("POST", "/v1/templates", key, map[string]any{"name": "same", "text": "x"})
	})
	race(t, "lead creates", http.StatusCreated, http.StatusConflict, "email", func(int) *http.Response {
		return app.REST("POST", "/v1/leads", key, map[string]any{"email": "same@example.com"})
	})
	tpls, lds := make([]string, 8), make([]string, 8)
	for i := range 8 {
		var tpl templateJSON
		wantJSON(t, app.REST("POST", "/v1/templates", key, map[string]any{"name": fmt.Sprintf("t%d", i), "text": "x"}), http.StatusCreated, &tpl)
		tpls[i] = fmt.Sprintf("/v1/templates/%d", tpl.ID)
		var l leadJSON
		wantJSON(t, app.REST("POST", "/v1/leads", key, map[string]any{"email": fmt.Sprintf("l%d@example.com", i)}), http.StatusCreated, &l)
		lds[i] = fmt.Sprintf("/v1/leads/%d", l.ID)
	}
	race(t, "template renames", http.StatusOK, http.StatusConflict, "name", func(i int) *http.Response {
		return app.REST("PATCH", tpls[i], key, map[string]any{"name": "renamed"})
	})
	race(t, "lead email changes", http.StatusOK, http.StatusConflict, "email", func(i int) *http.Response {
		return app.REST("PUT", lds[i], key, map[string]any{"email": "taken@example.com"})
	})
	// The sequential case answers the same.
	wantProblem(t, app.REST("POST", "/v1/templates", key, map[string]any{"name": "same", "text": "x"}), http.StatusConflict, "name")
	wantProblem(t, app.REST("POST", "/v1/leads", key, map[string]any{"email": "same@example.com"}), http.StatusConflict, "email")
}

// Ensure lengths count characters, and what validation accepts is stored:
// a 200-emoji template name and lead text fields, a 254-character
// non-ASCII lead email; one character more is 400 naming the field.
func TestLengthsCountCharacters(t *testing.T) {
	app, key := resourceApp(t)
	name := strings.Repeat("😀", 200)
	var tpl templateJSON
	wantJSON(t, app.REST("POST", "/v1/templates", key, map[string]any{"name": name, "text": "x"}), http.StatusCreated, &tpl)
	if tpl.Name != name {
		t.Fatalf("template name stored as %d bytes", len(tpl.Name))
	}
	wantProblem(t, app.REST("POST", "/v1/templates", key, map[string]any{"name": name + "😀", "text": "x"}), http.StatusBadRequest, "name")
	email := strings.Repeat("é", 254-len("@example.com")) + "@example.com"
	body := map[string]any{"email": email, "first_name": name, "last_name": name, "company": name, "source": name,
		"phone": strings.Repeat("☎", 50)}
	var l leadJSON
	wantJSON(t, app.REST("POST", "/v1/leads", key, body), http.StatusCreated, &l)
	if l.Email != email || l.Company != name {
		t.Fatalf("lead stored as %+v", l)
	}
	var got leadJSON
	wantJSON(t, app.REST("GET", fmt.Sprintf("/v1/leads/%d", l.ID), key, nil), http.StatusOK, &got)
	if got.Email != email || got.FirstName != name || got.Phone != body["phone"] {
		t.Fatalf("lead read back as %+v", got)
	}
	wantProblem(t, app.REST("POST", "/v1/leads", key, map[string]any{"email": "x" + email}), http.StatusBadRequest, "email")
	wantProblem(t, app.REST("POST", "/v1/leads", key, map[string]any{"email": "a@example.com", "company": name + "x"}), http.StatusBadRequest, "company")
}
