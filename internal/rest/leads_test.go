package rest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"businesstools/internal/apptest"
	"businesstools/internal/tenant"
)

type leadJSON struct {
	ID        int            `json:"id"`
	Email     string         `json:"email"`
	FirstName string         `json:"first_name"`
	LastName  string         `json:"last_name"`
	Company   string         `json:"company"`
	Phone     string         `json:"phone"`
	Status    string         `json:"status"`
	Source    string         `json:"source"`
	Custom    map[string]any `json:"custom"`
	UpdatedAt time.Time      `json:"updated_at"`
}

type leadList struct {
	Data       []leadJSON `json:"data"`
	NextCursor *string    `json:"next_cursor"`
}

func createLead(t *testing.T, app *apptest.App, key string, body map[string]any) leadJSON {
	t.Helper()
	resp := app.REST("POST", "/v1/leads", key, body)
	var l leadJSON
	wantJSON(t, resp, http.StatusCreated, &l)
	if resp.Header.Get("Location") != fmt.Sprintf("/v1/leads/%d", l.ID) {
		t.Fatalf("Location %q for lead %d", resp.Header.Get("Location"), l.ID)
	}
	return l
}

// Ensure leads can be created, read, replaced, patched and deleted.
func TestLeadsCRUD(t *testing.T) {
	app, key := resourceApp(t)
	l := createLead(t, app, key, map[string]any{"email": " Ann@Example.com ", "first_name": "Ann", "company": "Acme",
		"custom": map[string]any{"plan": "pro", "seats": 5}})
	if l.Email != "ann@example.com" || l.Status != "new" || l.Custom["plan"] != "pro" || l.Custom["seats"] != float64(5) {
		t.Fatalf("created %+v", l)
	}
	path := fmt.Sprintf("/v1/leads/%d", l.ID)
	var got leadJSON
	wantJSON(t, app.REST("PATCH", path, key, map[string]any{"status": "qualified", "phone": "+1 555"}), http.StatusOK, &got)
	if got.Status != "qualified" || got.Phone != "+1 555" || got.Company != "Acme" || got.Custom["plan"] != "pro" {
		t.Fatalf("PATCH gave %+v", got)
	}
	got = leadJSON{} // decoding into a map merges
	wantJSON(t, app.REST("PUT", path, key, map[string]any{"email": "ann@example.com", "last_name": "Lee"}), http.StatusOK, &got)
	if got.LastName != "Lee" || got.FirstName != "" || got.Status != "new" || len(got.Custom) != 0 {
		t.Fatalf("PUT gave %+v", got)
	}
	wantJSON(t, app.REST("GET", path, key, nil), http.StatusOK, &got)
	if got.LastName != "Lee" {
		t.Fatalf("GET gave %+v", got)
	}
	if resp := app.REST("DELETE", path, key, nil); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE: %d", resp.StatusCode)
	}
	wantProblem(t, app.REST("GET", path, key, nil), http.StatusNotFound, "")
}

// Ensure the list filters by status, email and text, and pages with a cursor.
func TestLeadsListFiltersAndPages(t *testing.T) {
	app, key := resourceApp(t)
	for i := range 7 {
		status := "new"
		if i%2 == 1 {
			status = "won"
		}
		createLead(t, app, key, map[string]any{"email": fmt.Sprintf("p%d@example.com", i), "status": status,
			"company": fmt.Sprintf("Company %d", i)})
	}
	createLead(t, app, key, map[string]any{"email": "zed@other.org", "last_name": "Zedson"})
	list := func(q string) leadList {
		t.Helper()
		var l leadList
		wantJSON(t, app.REST("GET", "/v1/leads?"+q, key, nil), http.StatusOK, &l)
		return l
	}
	if l := list("status=won"); len(l.Data) != 3 || l.NextCursor != nil {
		t.Errorf("status=won: %d leads", len(l.Data))
	}
	if l := list("email=" + url.QueryEscape("P3@example.com")); len(l.Data) != 1 || l.Data[0].Email != "p3@example.com" {
		t.Errorf("email filter: %+v", l.Data)
	}
	if l := list("q=zeds"); len(l.Data) != 1 || l.Data[0].Email != "zed@other.org" {
		t.Errorf("q=zeds: %+v", l.Data)
	}
	if l := list("q=company&status=new"); len(l.Data) != 4 {
		t.Errorf("q=company&status=new: %d leads", len(l.Data))
	}
	seen := map[string]bool{}
	q := "limit=3"
	pages := 0
	for {
		l := list(q)
		pages++
		for _, x := range l.Data {
			if seen[x.Email] {
				t.Fatalf("%s on two pages", x.Email)
			}
			seen[x.Email] = true
		}
		if l.NextCursor == nil {
			break
		}
		q = "limit=3&cursor=" + url.QueryEscape(*l.NextCursor)
	}
	if len(seen) != 8 || pages != 3 {
		t.Fatalf("paged through %d leads in %d pages", len(seen), pages)
	}
	if l := list(""); len(l.Data) != 8 || l.Data[0].Email != "zed@other.org" {
		t.Errorf("default list: %d leads, first %+v", len(l.Data), l.Data[0])
	}
}

// Ensure bad lead input is refused naming the field and changes nothing.
func TestLeadsBadInput(t *testing.T) {
	app, key := resourceApp(t)
	l := createLead(t, app, key, map[string]any{"email": "keep@example.com", "first_name": "Keep"})
	createLead(t, app, key, map[string]any{"email": "taken@example.com"})
	path := fmt.Sprintf("/v1/leads/%d", l.ID)
	for _, c := range []struct {
		name, method, path string
		body               any
		status             int
		field              string
	}{
		{"Malformed", "POST", "/v1/leads", `{"email": "x@example.com",}`, 400, ""},
		{"Empty", "POST", "/v1/leads", ``, 400, ""},
		{"UnknownField", "POST", "/v1/leads", map[string]any{"email": "n@example.com", "age": 3}, 400, "age"},
		{"WrongType", "POST", "/v1/leads", map[string]any{"email": "n@example.com", "phone": 5551234}, 400, "phone"},
		{"CustomNotObject", "POST", "/v1/leads", map[string]any{"email": "n@example.com", "custom": []int{1}}, 400, "custom"},
		{"NoEmail", "POST", "/v1/leads", map[string]any{"first_name": "x"}, 400, "email"},
		{"InvalidEmail", "POST", "/v1/leads", map[string]any{"email": "not an email"}, 400, "email"},
		{"EmailWithName", "POST", "/v1/leads", map[string]any{"email": "Ann <ann@example.com>"}, 400, "email"},
		{"InvalidStatus", "POST", "/v1/leads", map[string]any{"email": "n@example.com", "status": "hot"}, 400, "status"},
		{"Duplicate", "POST", "/v1/leads", map[string]any{"email": "TAKEN@example.com"}, 409, "email"},
		{"TooLong", "POST", "/v1/leads", map[string]any{"email": "n@example.com", "company": strings.Repeat("c", 201)}, 400, "company"},
		{"TooLarge", "POST", "/v1/leads", map[string]any{"email": "n@example.com", "custom": map[string]any{"blob": strings.Repeat("x", 1<<20)}}, 413, ""},
		{"PatchInvalidStatus", "PATCH", path, map[string]any{"status": "maybe"}, 400, "status"},
		{"PatchDuplicate", "PATCH", path, map[string]any{"email": "taken@example.com"}, 409, "email"},
		{"PatchInvalidEmail", "PATCH", path, map[string]any{"email": "@"}, 400, "email"},
		{"PutWithoutEmail", "PUT", path, map[string]any{"first_name": "x"}, 400, "email"},
		{"NullName", "POST", "/v1/leads", `{"email":"n@example.com","first_name":null}`, 400, "first_name"},
		{"PatchNullEmail", "PATCH", path, `{"email":null}`, 400, "email"},
		{"PatchNullStatus", "PATCH", path, `{"first_name":"Changed","STATUS": null}`, 400, "status"},
		{"PutNullCompany", "PUT", path, `{"email":"keep@example.com","company":null}`, 400, "company"},
		{"PatchUnknownID", "PATCH", "/v1/leads/999999", map[string]any{"status": "won"}, 404, ""},
		{"GetUnknownID", "GET", "/v1/leads/999999", nil, 404, ""},
		{"GetNonNumericID", "GET", "/v1/leads/abc", nil, 404, ""},
		{"DeleteUnknownID", "DELETE", "/v1/leads/999999", nil, 404, ""},
		{"LimitTooBig", "GET", "/v1/leads?limit=500", nil, 400, "limit"},
		{"LimitNegative", "GET", "/v1/leads?limit=-1", nil, 400, "limit"},
		{"BadCursor", "GET", "/v1/leads?cursor=%21%21", nil, 400, "cursor"},
		{"ForgedCursor", "GET", "/v1/leads?cursor=YzE6LTU", nil, 400, "cursor"},
		{"InvalidStatusFilter", "GET", "/v1/leads?status=hot", nil, 400, "status"},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantProblem(t, app.REST(c.method, c.path, key, c.body), c.status, c.field)
		})
	}
	var got leadJSON
	wantJSON(t, app.REST("GET", path, key, nil), http.StatusOK, &got)
	if got.Email != "keep@example.com" || got.FirstName != "Keep" || got.Status != "new" {
		t.Fatalf("lead changed by refused requests: %+v", got)
	}
	if n := app.DB.Client.Lead.Query().CountX(tenant.Unscoped(context.Background())); n != 2 {
		t.Fatalf("%d leads, want 2", n)
	}
}

// Ensure another account's key gets 404 for a lead, whatever it tries, and
// the same email may be a lead in both accounts.
func TestLeadsIsolation(t *testing.T) {
	app, key := resourceApp(t)
	l := createLead(t, app, key, map[string]any{"email": "ann@example.com"})
	other := otherAccountKey(t, app)
	path := fmt.Sprintf("/v1/leads/%d", l.ID)
	wantProblem(t, app.REST("GET", path, other, nil), http.StatusNotFound, "")
	wantProblem(t, app.REST("PATCH", path, other, map[string]any{"status": "lost"}), http.StatusNotFound, "")
	wantProblem(t, app.REST("PUT", path, other, map[string]any{"email": "x@example.com"}), http.StatusNotFound, "")
	wantProblem(t, app.REST("DELETE", path, other, nil), http.StatusNotFound, "")
	var list leadList
	wantJSON(t, app.REST("GET", "/v1/leads?email=ann%40example.com", other, nil), http.StatusOK, &list)
	if len(list.Data) != 0 {
		t.Fatalf("other account lists %+v", list.Data)
	}
	createLead(t, app, other, map[string]any{"email": "ann@example.com"})
	var got leadJSON
	wantJSON(t, app.REST("GET", path, key, nil), http.StatusOK, &got)
	if got.Status != "new" {
		t.Fatalf("changed by another account: %+v", got)
	}
}

// Ensure each leads route needs its own scope.
func TestLeadsScopes(t *testing.T) {
	app, key := resourceApp(t)
	l := createLead(t, app, key, map[string]any{"email": "ann@example.com"})
	path := fmt.Sprintf("/v1/leads/%d", l.ID)
	readOnly := app.CreateKey(app.LoginOwner(), "read", "READ_LEADS").Secret
	wantJSON(t, app.REST("GET", path, readOnly, nil), http.StatusOK, nil)
	for _, c := range []struct{ method, path, scope string }{
		{"POST", "/v1/leads", "leads:write"}, {"PATCH", path, "leads:write"}, {"PUT", path, "leads:write"}, {"DELETE", path, "leads:delete"},
	} {
		var body any
		if c.method != "DELETE" {
			body = map[string]any{"email": "x@example.com"}
		}
		if p := wantProblem(t, app.REST(c.method, c.path, readOnly, body), http.StatusForbidden, ""); p.Scope != c.scope {
			t.Errorf("%s %s: 403 names %q, want %q", c.method, c.path, p.Scope, c.scope)
		}
	}
}

// Ensure Idempotency-Key works on lead creation too.
func TestLeadsIdempotentCreate(t *testing.T) {
	app, key := resourceApp(t)
	idem := apptest.WithHeader("Idempotency-Key", "import-1")
	body := map[string]any{"email": "ann@example.com"}
	var a, b leadJSON
	wantJSON(t, app.REST("POST", "/v1/leads", key, body, idem), http.StatusCreated, &a)
	again := app.REST("POST", "/v1/leads", key, body, idem)
	wantJSON(t, again, http.StatusCreated, &b)
	if a.ID != b.ID || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replayed %+v, first %+v", b, a)
	}
	wantProblem(t, app.REST("POST", "/v1/leads", key, map[string]any{"email": "bob@example.com"}, idem), http.StatusConflict, "Idempotency-Key")
	if n := app.DB.Client.Lead.Query().CountX(tenant.Unscoped(context.Background())); n != 1 {
		t.Fatalf("%d leads, want 1", n)
	}
}

// Ensure concurrent PATCHes of different fields of one lead all apply.
func TestLeadsConcurrentPatches(t *testing.T) {
	app, key := resourceApp(t)
	const n = 10
	paths := make([]string, n)
	for i := range n {
		paths[i] = fmt.Sprintf("/v1/leads/%d", createLead(t, app, key, map[string]any{"email": fmt.Sprintf("c%d@example.com", i)}).ID)
	}
	var wg sync.WaitGroup
	for _, path := range paths {
		for _, body := range []map[string]any{{"first_name": "A"}, {"company": "B"}} {
			wg.Go(func() {
				if resp := app.REST("PATCH", path, key, body); resp.StatusCode != http.StatusOK {
					t.Errorf("PATCH %s %v: %d", path, body, resp.StatusCode)
				}
			})
		}
	}
	wg.Wait()
	for _, path := range paths {
		var got leadJSON
		wantJSON(t, app.REST("GET", path, key, nil), http.StatusOK, &got)
		if got.FirstName != "A" || got.Company != "B" {
			t.Errorf("%s lost an update: %+v", path, got)
		}
	}
}

// Ensure custom numbers round-trip exactly as written, big integers and
// exponents included, through creation, update and reads, on both databases
// (PostgreSQL's jsonb would write 1e2 as 100 and -0 as 0).
func TestLeadsCustomNumbersExact(t *testing.T) {
	app, key := resourceApp(t)
	custom := `{"big":12345678901234567890,"neg":-98765432109876543210,"small":5,"frac":0.1,"nested":{"xs":[18446744073709551617]},` +
		`"exp":1e2,"negzero":-0,"tiny":1.5e-7,"under":1e-20000,"huge":1E300}`
	want := map[string]string{"big": "12345678901234567890", "neg": "-98765432109876543210", "small": "5", "frac": "0.1",
		"nested": `{"xs":[18446744073709551617]}`, "exp": "1e2", "negzero": "-0", "tiny": "1.5e-7", "under": "1e-20000", "huge": "1E300"}
	check := func(what string, resp *http.Response, status int) int {
		t.Helper()
		var l struct {
			ID     int                        `json:"id"`
			Custom map[string]json.RawMessage `json:"custom"`
		}
		wantJSON(t, resp, status, &l)
		for k, v := range want {
			if string(l.Custom[k]) != v {
				t.Errorf("%s: custom.%s = %s, want %s", what, k, l.Custom[k], v)
			}
		}
		return l.ID
	}
	id := check("POST", app.REST("POST", "/v1/leads", key, `{"email":"n@example.com","custom":`+custom+`}`), http.StatusCreated)
	path := fmt.Sprintf("/v1/leads/%d", id)
	check("GET", app.REST("GET", path, key, nil), http.StatusOK)
	check("PATCH other field", app.REST("PATCH", path, key, `{"company":"Acme"}`), http.StatusOK)
	check("PATCH custom", app.REST("PATCH", path, key, `{"custom":`+custom+`}`), http.StatusOK)
	check("PUT", app.REST("PUT", path, key, `{"email":"n@example.com","custom":`+custom+`}`), http.StatusOK)
	check("GET again", app.REST("GET", path, key, nil), http.StatusOK)
	var list struct {
		Data []json.RawMessage `json:"data"`
	}
	wantJSON(t, app.REST("GET", "/v1/leads", key, nil), http.StatusOK, &list)
	if len(list.Data) != 1 || !strings.Contains(string(list.Data[0]), `"big":12345678901234567890`) {
		t.Errorf("list: %s", list.Data)
	}
}

// Ensure a custom number beyond a double's range is refused with 422 naming
// its path, and nothing is stored or changed (PostgreSQL's jsonb answered
// 500 to 1e200000).
func TestLeadsCustomNumberRange(t *testing.T) {
	app, key := resourceApp(t)
	for _, tc := range []struct{ custom, field string }{
		{`{"a":1e200000}`, "custom.a"},
		{`{"a":-2e308}`, "custom.a"},
		{`{"ok":1,"x":{"y":[1,1e400]}}`, "custom.x.y[1]"},
	} {
		wantProblem(t, app.REST("POST", "/v1/leads", key, `{"email":"r@example.com","custom":`+tc.custom+`}`),
			http.StatusUnprocessableEntity, tc.field)
	}
	var l struct{ ID int }
	wantJSON(t, app.REST("POST", "/v1/leads", key, `{"email":"r@example.com","custom":{"a":1}}`), http.StatusCreated, &l)
	path := fmt.Sprintf("/v1/leads/%d", l.ID)
	wantProblem(t, app.REST("PATCH", path, key, `{"custom":{"a":1e999}}`), http.StatusUnprocessableEntity, "custom.a")
	var got struct {
		Custom map[string]json.RawMessage `json:"custom"`
	}
	wantJSON(t, app.REST("GET", path, key, nil), http.StatusOK, &got)
	if string(got.Custom["a"]) != "1" {
		t.Errorf("after a refused PATCH custom.a = %s, want 1", got.Custom["a"])
	}
	var list struct{ Data []json.RawMessage }
	wantJSON(t, app.REST("GET", "/v1/leads", key, nil), http.StatusOK, &list)
	if len(list.Data) != 1 {
		t.Errorf("%d leads stored, want the one valid", len(list.Data))
	}
}

// Ensure lead bodies not sent as JSON are 415, and over 1 MiB with trailing
// whitespace 413.
func TestLeadsBodyMediaTypeAndSize(t *testing.T) {
	app, key := resourceApp(t)
	l := createLead(t, app, key, map[string]any{"email": "m@example.com"})
	path := fmt.Sprintf("/v1/leads/%d", l.ID)
	for _, m := range []struct{ method, path string }{{"POST", "/v1/leads"}, {"PATCH", path}, {"PUT", path}} {
		wantProblem(t, app.REST(m.method, m.path, key, `{"email":"x@example.com"}`, apptest.WithHeader("Content-Type", "text/plain")),
			http.StatusUnsupportedMediaType, "")
		wantProblem(t, app.REST(m.method, m.path, key, `{"email":"x@example.com"}`+strings.Repeat(" ", 1<<20)),
			http.StatusRequestEntityTooLarge, "")
	}
}

// Ensure a PATCH or PUT that changes nothing writes nothing: updated_at
// keeps saying when the lead last changed; a real change moves it.
func TestLeadsUnchangedWriteKeepsUpdatedAt(t *testing.T) {
	app, key := resourceApp(t)
	l := createLead(t, app, key, map[string]any{"email": "same@example.com", "first_name": "Ann", "custom": map[string]any{"n": 1}})
	path := fmt.Sprintf("/v1/leads/%d", l.ID)
	for _, body := range []string{`{}`, `{"email":"SAME@example.com"}`, `{"first_name":"Ann","custom":{"n":1}}`} {
		var got leadJSON
		wantJSON(t, app.REST("PATCH", path, key, body), http.StatusOK, &got)
		if !got.UpdatedAt.Equal(l.UpdatedAt) {
			t.Errorf("PATCH %s moved updated_at from %s to %s", body, l.UpdatedAt, got.UpdatedAt)
		}
	}
	var got leadJSON
	wantJSON(t, app.REST("PUT", path, key, `{"email":"same@example.com","first_name":"Ann","custom":{"n":1}}`), http.StatusOK, &got)
	if !got.UpdatedAt.Equal(l.UpdatedAt) {
		t.Errorf("an identical PUT moved updated_at")
	}
	time.Sleep(2 * time.Millisecond)
	wantJSON(t, app.REST("PATCH", path, key, `{"first_name":"Bea"}`), http.StatusOK, &got)
	if !got.UpdatedAt.After(l.UpdatedAt) || got.FirstName != "Bea" {
		t.Errorf("a change: %+v, updated_at %s was %s", got, got.UpdatedAt, l.UpdatedAt)
	}
}
