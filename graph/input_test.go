package graph_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"businesstools/internal/apptest"
	"businesstools/internal/requestid"
)

// nestedWhere returns a filter with levels of or/not/and nesting around an
// id filter.
func nestedWhere(levels int) map[string]any {
	w := map[string]any{"idGT": "1"}
	for i := range levels {
		switch i % 3 {
		case 0:
			w = map[string]any{"or": []any{w}}
		case 1:
			w = map[string]any{"not": w}
		default:
			w = map[string]any{"and": []any{w, map[string]any{"idLT": "1000"}}}
		}
	}
	return w
}

func ids(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprint(i + 1)
	}
	return out
}

// Ensure where filters are bounded in depth and list size before any
// database work, with BAD_USER_INPUT naming the argument, on every filter.
func TestWhere_Bounded(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	app.CreateKey(token, "One", "SEND_EMAILS")
	keys := `query($w:ApiKeyWhereInput){apiKeys(where:$w){edges{node{id}}}}`
	audit := `query($w:AuditEventWhereInput){auditEvents(where:$w){edges{node{id}}}}`
	// Huge variables are refused before gqlgen coerces them, naming the
	// member at fault; the rest name the argument.
	refused := []struct {
		name, query string
		where       map[string]any
		field       string
	}{
		{"ErrDepth6", keys, nestedWhere(6), "where"},
		{"ErrDepth5000", keys, nestedWhere(4998), "and"},
		{"ErrIdIn101", keys, map[string]any{"idIn": ids(101)}, "where"},
		{"ErrIdIn40000", keys, map[string]any{"idIn": ids(40000)}, "idIn"},
		{"ErrNestedIdNotIn", keys, map[string]any{"or": []any{map[string]any{"idNotIn": ids(101)}}}, "where"},
		{"ErrLongString", keys, map[string]any{"nameContains": strings.Repeat("x", 100_000)}, "where"},
		{"ErrEmptyNot", keys, map[string]any{"not": map[string]any{}}, "where"},
		{"ErrEmptyOr", keys, map[string]any{"or": []any{map[string]any{"idIn": []any{}}}}, "where"},
		{"ErrAuditDepth6", audit, nestedWhere(6), "where"},
		{"ErrAuditIdIn101", audit, map[string]any{"idIn": ids(101)}, "where"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot(t, app)
			start := time.Now()
			e := wantError(t, app.GQL(token, tc.query, map[string]any{"w": tc.where}), "BAD_USER_INPUT", tc.field)
			if d := time.Since(start); d > time.Second {
				t.Errorf("refused in %v, want < 1 s", d)
			}
			if strings.Contains(e.Message, "ent:") || strings.Contains(e.Message, "predicate") {
				t.Fatalf("message carries ent text: %s", e.Message)
			}
			if snapshot(t, app) != before {
				t.Fatal("database changed")
			}
		})
	}
	// Ensure inline filters are bounded as variables are.
	t.Run("ErrInlineIdIn101", func(t *testing.T) {
		list, _ := json.Marshal(ids(101))
		wantError(t, app.GQL(token, `{apiKeys(where:{idIn:`+string(list)+`}){edges{node{id}}}}`, nil), "BAD_USER_INPUT", "where")
	})
	// Ensure the bounds themselves are allowed.
	for name, w := range map[string]map[string]any{
		"Depth5": nestedWhere(5), "IdIn100": {"idIn": ids(100)}, "EmptyTop": {"and": []any{}},
	} {
		t.Run(name, func(t *testing.T) {
			var data struct{ APIKeys struct{ Edges []any } }
			app.GQL(token, keys, map[string]any{"w": w}).Decode(t, &data)
		})
	}
}

// Ensure every input string is valid UTF-8 without NUL, in variables and
// inline arguments, nested in input objects and lists: BAD_USER_INPUT
// naming the field, and nothing changes.
func TestStrings_Checked(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	k := app.CreateKey(token, "One", "SEND_EMAILS")
	cases := []struct {
		name, body, field string
	}{
		{"ErrNULVariable", `{"query":"mutation($in:CreateApiKeyInput!){createApiKey(input:$in){secret}}","variables":{"in":{"name":"a\u0000b","permissions":["SEND_EMAILS"]}}}`, "name"},
		{"ErrNULInList", `{"query":"mutation($in:CreateApiKeyInput!){createApiKey(input:$in){secret}}","variables":{"in":{"name":"n","permissions":["SEND_EMAILS"],"ipAllowlist":["10.0.0.1\u0000"]}}}`, "ipAllowlist"},
		{"ErrNULInline", `{"query":"mutation{createApiKey(input:{name:\"a\\u0000b\",permissions:[SEND_EMAILS]}){secret}}"}`, "name"},
		{"ErrInvalidUTF8Variable", "{\"query\":\"mutation($in:CreateApiKeyInput!){createApiKey(input:$in){secret}}\",\"variables\":{\"in\":{\"name\":\"a\xff\xfeb\",\"permissions\":[\"SEND_EMAILS\"]}}}", "name"},
		{"ErrLoneSurrogateVariable", `{"query":"mutation($in:CreateApiKeyInput!){createApiKey(input:$in){secret}}","variables":{"in":{"name":"a\ud800b","permissions":["SEND_EMAILS"]}}}`, "name"},
		{"ErrLoneLowSurrogateVariable", `{"query":"mutation($id:ID!,$in:UpdateApiKeyInput!){updateApiKey(id:$id,input:$in){id}}","variables":{"id":"` + k.ID + `","in":{"name":"\udc00"}}}`, "name"},
		{"ErrLoneSurrogateInline", `{"query":"mutation{createApiKey(input:{name:\"a\\ud800b\",permissions:[SEND_EMAILS]}){secret}}"}`, "name"},
		{"ErrNULLogin", `{"query":"mutation($e:String!){login(input:{email:$e,password:\"x\"}){token}}","variables":{"e":"owner@example.com\u0000"}}`, "e"},
		{"ErrNULWhere", `{"query":"query($w:ApiKeyWhereInput){apiKeys(where:$w){totalCount}}","variables":{"w":{"nameContains":"\u0000"}}}`, "nameContains"},
	}
	client := http.DefaultClient
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot(t, app)
			a := rawPost(t, app, client, token, []byte(tc.body))
			wantError(t, a.Resp, "BAD_USER_INPUT", tc.field)
			if a.Status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", a.Status)
			}
			if snapshot(t, app) != before {
				t.Fatal("database changed")
			}
		})
	}
	// Ensure a braced surrogate escape is refused (by the lexer).
	a := rawPost(t, app, client, token, []byte(`{"query":"mutation{createApiKey(input:{name:\"a\\u{D800}b\",permissions:[SEND_EMAILS]}){secret}}"}`))
	if a.Status < 400 || a.Status >= 500 || len(a.Resp.Errors) != 1 || a.Resp.Errors[0].Code() == "" {
		t.Fatalf("braced surrogate: %d %s", a.Status, a.Body)
	}
	// Ensure a real surrogate pair (an emoji) and U+FFFD itself are accepted.
	for _, name := range []string{`key \ud83d\ude00`, `key \ufffd`} {
		a := rawPost(t, app, client, token, []byte(`{"query":"mutation($in:CreateApiKeyInput!){createApiKey(input:$in){secret}}","variables":{"in":{"name":"`+name+`","permissions":["SEND_EMAILS"]}}}`))
		if len(a.Resp.Errors) > 0 {
			t.Fatalf("%s refused: %+v", name, a.Resp.Errors)
		}
	}
}

// Ensure an internal error answers a fixed message and a request id (the
// X-Request-Id header's), never driver text, and is logged with that id.
func TestInternalError_RequestID(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	if _, err := app.DB.SQL.Exec(`ALTER TABLE permissions RENAME TO permissions_gone`); err != nil {
		t.Fatal(err)
	}
	a := rawPost(t, app, http.DefaultClient, token, queryBody(`{permissions{id key}}`, nil))
	e := a.Resp.Err(t)
	if e.Code() != "INTERNAL_SERVER_ERROR" || e.Message != "Something went wrong on our side." {
		t.Fatalf("error = %+v", e)
	}
	id, _ := e.Extensions["requestId"].(string)
	if id == "" || id != a.Header.Get(requestid.Header) {
		t.Fatalf("requestId %q, X-Request-Id %q", id, a.Header.Get(requestid.Header))
	}
	if body := strings.ToLower(string(a.Body)); strings.Contains(body, "permissions_gone") || strings.Contains(body, "sql") ||
		strings.Contains(body, "pq:") || strings.Contains(body, "relation") || strings.Contains(body, "table") {
		t.Fatalf("the answer carries driver text: %s", a.Body)
	}
	logged := false
	for _, line := range strings.Split(app.Logs.String(), "\n") {
		if strings.Contains(line, `"request_id":"`+id+`"`) && strings.Contains(line, "permissions") {
			logged = true
		}
	}
	if !logged {
		t.Fatalf("no log line with request_id %s and the cause:\n%s", id, app.Logs.String())
	}
}

// Ensure a key name with a control character (a line break, a tab, an
// escape) is BAD_USER_INPUT naming name, on create and update, and nothing
// changes: names are shown on one line, in emails too.
func TestKeyName_ControlCharactersRefused(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	k := app.CreateKey(token, "One", "SEND_EMAILS")
	client := http.DefaultClient
	for _, name := range []string{`a\nb`, `tab\there`, `esc\u001b[31m`, `c1\u0085x`, `del\u007fx`} { // trailing ones would be trimmed as space
		for _, body := range []string{
			`{"query":"mutation($in:CreateApiKeyInput!){createApiKey(input:$in){secret}}","variables":{"in":{"name":"` + name + `","permissions":["SEND_EMAILS"]}}}`,
			`{"query":"mutation($id:ID!,$in:UpdateApiKeyInput!){updateApiKey(id:$id,input:$in){id}}","variables":{"id":"` + k.ID + `","in":{"name":"` + name + `"}}}`,
		} {
			before := snapshot(t, app)
			a := rawPost(t, app, client, token, []byte(body))
			wantError(t, a.Resp, "BAD_USER_INPUT", "name")
			if snapshot(t, app) != before {
				t.Fatalf("%s: database changed", name)
			}
		}
	}
}

// Ensure an ID that is not one and a String sent as a number or boolean are
// BAD_USER_INPUT naming the argument, in variables and inline, with a
// message in the API's words, and nothing is created.
func TestScalars_StrictInput(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	client := http.DefaultClient
	for _, tc := range []struct{ body, field string }{
		{`{"query":"{node(id:\"xyz\"){id}}"}`, "id"},
		{`{"query":"query($i:ID!){apiKey(id:$i){id}}","variables":{"i":12.5}}`, "id"},
		{`{"query":"mutation($i:ID!){setApiKeyActive(id:$i,active:false){id}}","variables":{"i":"1e3"}}`, "id"},
		{`{"query":"mutation($n:String!){createApiKey(input:{name:$n,permissions:[READ_LEADS]}){secret}}","variables":{"n":5}}`, "name"},
		{`{"query":"mutation($in:CreateApiKeyInput!){createApiKey(input:$in){secret}}","variables":{"in":{"name":true,"permissions":["READ_LEADS"]}}}`, "name"},
		{`{"query":"mutation{createApiKey(input:{name:5,permissions:[READ_LEADS]}){secret}}"}`, "name"},
	} {
		before := snapshot(t, app)
		a := rawPost(t, app, client, token, []byte(tc.body))
		e := wantError(t, a.Resp, "BAD_USER_INPUT", tc.field)
		if strings.Contains(e.Message, "strconv") {
			t.Errorf("%s: message in Go's words: %s", tc.body, e.Message)
		}
		if snapshot(t, app) != before {
			t.Fatalf("%s: database changed", tc.body)
		}
	}
}

// Ensure times are kept to the microsecond on both databases: a key's
// createdAt has no nanoseconds, and an expiresAt sent with nanoseconds reads
// back truncated to microseconds (PostgreSQL kept microseconds, SQLite
// nanoseconds).
func TestTimes_Microseconds(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	exp := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second).Add(123456789 * time.Nanosecond)
	var out struct {
		CreateApiKey struct {
			ApiKey struct{ CreatedAt, ExpiresAt time.Time }
		}
	}
	app.GQL(token, `mutation($in:CreateApiKeyInput!){createApiKey(input:$in){apiKey{createdAt expiresAt}}}`,
		map[string]any{"in": map[string]any{"name": "t", "permissions": []string{"READ_LEADS"}, "expiresAt": exp.Format(time.RFC3339Nano)}}).Decode(t, &out)
	k := out.CreateApiKey.ApiKey
	if k.CreatedAt.Nanosecond()%1000 != 0 {
		t.Errorf("createdAt %s has nanoseconds", k.CreatedAt.Format(time.RFC3339Nano))
	}
	if !k.ExpiresAt.Equal(exp.Truncate(time.Microsecond)) {
		t.Errorf("expiresAt %s, want %s", k.ExpiresAt.Format(time.RFC3339Nano), exp.Truncate(time.Microsecond).Format(time.RFC3339Nano))
	}
}
