package graph_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"businesstools/internal/apptest"
	"businesstools/internal/config"
)

// Ensure every operation but login needs a session.
func TestUnauthenticated(t *testing.T) {
	app := apptest.New(t)
	owner := app.LoginOwner()
	k := app.CreateKey(owner, "One", "SEND_EMAILS")
	ops := []string{
		`{me{email}}`, `{permissions{key}}`, `{apiKeys{totalCount}}`, `{auditEvents{totalCount}}`,
		`{apiKey(id:"` + k.ID + `"){id}}`, `{node(id:"` + k.ID + `"){id}}`, `{apiKeyUsage(id:"` + k.ID + `"){day}}`,
		`mutation{createApiKey(input:{name:"x",permissions:[SEND_EMAILS]}){secret}}`,
		`mutation{updateApiKey(id:"` + k.ID + `",input:{name:"y"}){id}}`,
		`mutation{setApiKeyActive(id:"` + k.ID + `",active:false){id}}`,
		`mutation{revealApiKey(id:"` + k.ID + `",password:"` + apptest.OwnerPassword + `"){secret}}`,
		`mutation{rollApiKey(id:"` + k.ID + `",oldSecretValidFor:0){secret}}`,
		`mutation{deleteApiKey(id:"` + k.ID + `"){deletedId}}`,
		`mutation{logout{ok}}`,
	}
	for _, token := range []string{"", "not-a-session", strings.Repeat("A", 43)} {
		for _, op := range ops {
			before := snapshot(t, app)
			resp := app.GQL(token, op, nil)
			if len(resp.Errors) == 0 || resp.Errors[0].Code() != "UNAUTHENTICATED" {
				t.Fatalf("%s with token %q: %+v", op, token, resp.Errors)
			}
			if snapshot(t, app) != before {
				t.Fatalf("%s changed the database", op)
			}
		}
	}
}

// Ensure login sets a safe cookie that authenticates, and logout revokes it.
func TestLoginCookieAndLogout(t *testing.T) {
	app := apptest.New(t)
	body := `{"query":"mutation($e:String!,$p:String!){login(input:{email:$e,password:$p}){token admin{email}}}","variables":{"e":"` + apptest.OwnerEmail + `","p":"` + apptest.OwnerPassword + `"}}`
	resp, err := http.Post(app.HTTP.URL+"/graphql", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "bt_session" {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Value == "" || cookie.Path != "/" {
		t.Fatalf("session cookie = %+v", cookie)
	}
	post := func(query string) apptest.GQLResponse {
		req, _ := http.NewRequest("POST", app.HTTP.URL+"/graphql", strings.NewReader(`{"query":"`+query+`"}`))
		req.Header.Set("Content-Type", "application/json")
		req.AddCookie(cookie)
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		var out apptest.GQLResponse
		apptest.ReadJSON(t, r, &out)
		return out
	}
	if r := post("{me{email}}"); len(r.Errors) > 0 || !strings.Contains(string(r.Data), apptest.OwnerEmail) {
		t.Fatalf("cookie session: %s %+v", r.Data, r.Errors)
	}
	post("mutation{logout{ok}}")
	if r := post("{me{email}}"); len(r.Errors) == 0 || r.Errors[0].Code() != "UNAUTHENTICATED" {
		t.Fatalf("after logout: %s %+v", r.Data, r.Errors)
	}
	// The bearer form of the same session is revoked too.
	if r := app.GQL(cookie.Value, "{me{email}}", nil); len(r.Errors) == 0 {
		t.Fatal("revoked token still works as a bearer token")
	}
}

// Ensure GraphQL is POST+JSON only, so a cross-site form or link cannot run a mutation.
func TestTransportPOSTJSONOnly(t *testing.T) {
	app := apptest.New(t)
	owner := app.LoginOwner()
	before := snapshot(t, app)
	mutation := `mutation{createApiKey(input:{name:"csrf",permissions:[SEND_EMAILS]}){secret}}`
	get, _ := http.NewRequest("GET", app.HTTP.URL+"/graphql?query="+url.QueryEscape(mutation), nil)
	get.Header.Set("Authorization", "Bearer "+owner)
	form, _ := http.NewRequest("POST", app.HTTP.URL+"/graphql", strings.NewReader(url.Values{"query": {mutation}}.Encode()))
	form.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	form.Header.Set("Authorization", "Bearer "+owner)
	multipart, _ := http.NewRequest("POST", app.HTTP.URL+"/graphql", bytes.NewReader([]byte("--x\r\n")))
	multipart.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	multipart.Header.Set("Authorization", "Bearer "+owner)
	for _, req := range []*http.Request{get, form, multipart} {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode < 400 {
			t.Fatalf("%s %s: status %d", req.Method, req.Header.Get("Content-Type"), resp.StatusCode)
		}
	}
	if snapshot(t, app) != before {
		t.Fatal("a non-JSON request mutated")
	}
}

// Ensure introspection is for signed-in admins in production, for all in development.
func TestIntrospection(t *testing.T) {
	q := `{__schema{queryType{name}}}`
	prod := apptest.New(t)
	wantError(t, prod.GQL("", q, nil), "UNAUTHENTICATED", "")
	if r := prod.GQL(prod.LoginOwner(), q, nil); len(r.Errors) > 0 {
		t.Fatalf("signed-in admin refused introspection: %+v", r.Errors)
	}
	dev := apptest.New(t, func(c *config.Config) { c.Env = "development" })
	if r := dev.GQL("", q, nil); len(r.Errors) > 0 {
		t.Fatalf("development refused introspection: %+v", r.Errors)
	}
}

// Ensure deeply nested queries are refused. The schema has no cycles, so
// nesting inline fragments is how a client would build a deep query.
func TestDepthLimit(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	if r := app.GQL(token, `{apiKeys{edges{node{createdBy{account{id}}}}}}`, nil); len(r.Errors) > 0 {
		t.Fatalf("a normal query was refused: %+v", r.Errors)
	}
	q := "{me{" + strings.Repeat("... on Admin{", 13) + "email" + strings.Repeat("}", 13) + "}}"
	e := wantError(t, app.GQL(token, q, nil), "BAD_USER_INPUT", "")
	if !strings.Contains(e.Message, "deep") {
		t.Fatalf("message %q", e.Message)
	}
}

// Ensure signing in as another account's admin works from a request that
// still carries the first account's session (switching users in one browser).
func TestLoginWhileSignedInElsewhere(t *testing.T) {
	app := apptest.New(t)
	ownerA := app.LoginOwner()
	app.NewAdmin("Account B", "b@example.com")
	var data struct{ Login struct{ Token string } }
	app.GQL(ownerA, `mutation($e:String!,$p:String!){login(input:{email:$e,password:$p}){token}}`,
		map[string]any{"e": "b@example.com", "p": apptest.OwnerPassword}).Decode(t, &data)
	var me struct{ Me struct{ Email string } }
	app.GQL(data.Login.Token, `{me{email}}`, nil).Decode(t, &me)
	if me.Me.Email != "b@example.com" {
		t.Fatalf("signed in as %q", me.Me.Email)
	}
}
