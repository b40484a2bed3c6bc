package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"businesstools/internal/apptest"
)

// rawPost posts body to /graphql as JSON with the session token (may be
// empty) and returns the answer, its decoded errors and how long it took.
type rawAnswer struct {
	Status  int
	Header  http.Header
	Body    []byte
	Resp    apptest.GQLResponse
	Elapsed time.Duration
}

func rawPost(t *testing.T, app *apptest.App, client *http.Client, token string, body []byte) rawAnswer {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, app.HTTP.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("POST /graphql: %v", err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	a := rawAnswer{Status: resp.StatusCode, Header: resp.Header, Body: raw, Elapsed: time.Since(start)}
	if err := json.Unmarshal(raw, &a.Resp); err != nil {
		t.Fatalf("answer %d is not JSON: %.300s", resp.StatusCode, raw)
	}
	return a
}

func queryBody(query string, vars map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return b
}

// The documents of issue 7 that held a CPU or grew memory without bound.
func dosDocuments() map[string]string {
	var doubling strings.Builder
	doubling.WriteString("query{...F0}")
	for i := range 39 {
		fmt.Fprintf(&doubling, "fragment F%d on Query{...F%d ...F%d}", i, i+1, i+1)
	}
	doubling.WriteString("fragment F39 on Query{__typename}")
	return map[string]string{
		"30000 typename":      "{" + strings.Repeat("__typename ", 30000) + "}",
		"5000 typename":       "{" + strings.Repeat("__typename ", 5000) + "}",
		"5000 spreads":        "query{" + strings.Repeat("...F ", 5000) + "} fragment F on Query{__typename}",
		"40 doubling levels":  doubling.String(),
		"1999 merged fields":  "{" + strings.Repeat("__typename ", 1999) + "}",
		"6^4 nested merges":   "{" + strings.Repeat("apiKeys{"+strings.Repeat("edges{"+strings.Repeat("node{"+strings.Repeat("id ", 6)+"} ", 6)+"} ", 6)+"} ", 6) + "}",
		"fragment cycle":      "query{...A} fragment A on Query{...B} fragment B on Query{...A}",
		"250 same-name calls": "{" + strings.Repeat(`apiKey(id:"1"){id} `, 250) + "}",
	}
}

// Ensure each denial-of-service document is refused with a coded error in
// under a second, signed in or not, and leaves no memory or goroutines
// behind.
func TestDoSDocuments_Refused(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	docs := dosDocuments()
	if n := len(docs["40 doubling levels"]); n > 1500 {
		t.Fatalf("the doubling document is %d bytes, not the issue's 1.4 KB", n)
	}
	heapBefore, goroutinesBefore := settle()
	t.Logf("before: %s", rss())
	for name, doc := range docs {
		for _, who := range []struct{ name, token string }{{"anonymous", ""}, {"signed in", token}} {
			t.Run(name+"/"+who.name, func(t *testing.T) {
				a := rawPost(t, app, client, who.token, queryBody(doc, nil))
				t.Logf("%s (%d bytes): %d in %v", name, len(doc), a.Status, a.Elapsed)
				if a.Elapsed > time.Second {
					t.Errorf("answered in %v, want < 1 s", a.Elapsed)
				}
				if a.Status != http.StatusBadRequest || len(a.Resp.Errors) != 1 || a.Resp.Errors[0].Code() != "BAD_USER_INPUT" {
					t.Fatalf("answer %d %.300s, want 400 with one BAD_USER_INPUT error", a.Status, a.Body)
				}
				if a.Resp.Data != nil && string(a.Resp.Data) != "null" {
					t.Fatalf("data %s for a refused document", a.Resp.Data)
				}
			})
		}
	}
	heapAfter, goroutinesAfter := settle()
	t.Logf("heap in use %.1f MB before, %.1f MB after; goroutines %d before, %d after; %s",
		float64(heapBefore)/(1<<20), float64(heapAfter)/(1<<20), goroutinesBefore, goroutinesAfter, rss())
	if heapAfter > heapBefore+16<<20 {
		t.Errorf("heap grew from %d to %d bytes", heapBefore, heapAfter)
	}
	if goroutinesAfter > goroutinesBefore+5 {
		t.Errorf("goroutines grew from %d to %d", goroutinesBefore, goroutinesAfter)
	}
}

// rss reads the process's resident set size (Linux; for the log only).
func rss() string {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "RSS unknown"
	}
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			return "RSS " + strings.Join(strings.Fields(line)[1:], " ")
		}
	}
	return "RSS unknown"
}

// settle collects garbage and returns the heap in use and the goroutine
// count, once finished requests' goroutines have had a moment to exit.
func settle() (uint64, int) {
	var ms runtime.MemStats
	n := runtime.NumGoroutine()
	for range 50 {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
		if m := runtime.NumGoroutine(); m >= n {
			break
		} else {
			n = m
		}
	}
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse, runtime.NumGoroutine()
}

// Ensure ordinary documents, the SPA's and a full introspection query (as
// deep as DepthLimit allows), stay within the limits.
func TestDocumentLimits_AllowOrdinaryQueries(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	app.CreateKey(token, "One", "SEND_EMAILS")
	var data struct {
		Schema struct{ Types []struct{ Name string } } `json:"__schema"`
	}
	app.GQL(token, introspectionQuery, nil).Decode(t, &data)
	if len(data.Schema.Types) < 10 {
		t.Fatalf("introspection found %d types", len(data.Schema.Types))
	}
	app.GQL(token, `fragment K on ApiKey{id name maskedKey status permissions{id key name}}
		query{a:apiKeys(first:5){edges{node{...K}}} b:apiKeys(last:5){edges{node{...K id}}} me{id}}`, nil).Decode(t, &struct{}{})
}

const introspectionQuery = `query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } }
}`

// Ensure the body is bounded (413), a batch is refused without echoing the
// request, and a body that is not one JSON object is refused with a code.
func TestBody_Refused(t *testing.T) {
	app := apptest.New(t)
	client := http.DefaultClient
	secret := "do-not-echo-" + strings.Repeat("x", 20)
	cases := []struct {
		name   string
		body   []byte
		status int
	}{
		{"ErrTooLarge", queryBody("{__typename}", map[string]any{"pad": strings.Repeat("x", 2<<20)}), http.StatusRequestEntityTooLarge},
		{"ErrBatch", []byte(`[{"query":"{__typename}","variables":{"s":"` + secret + `"}}]`), http.StatusBadRequest},
		{"ErrNotJSON", []byte(`{"query":"{__typename}", "variables": ` + secret), http.StatusBadRequest},
		{"ErrTrailing", []byte(`{"query":"{__typename}"} {"query":"` + secret + `"}`), http.StatusBadRequest},
		{"ErrQueryNotString", []byte(`{"query":["` + secret + `"]}`), http.StatusBadRequest},
		{"ErrString", []byte(`"` + secret + `"`), http.StatusBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := rawPost(t, app, client, "", tc.body)
			if a.Status != tc.status || len(a.Resp.Errors) != 1 || a.Resp.Errors[0].Code() != "BAD_USER_INPUT" {
				t.Fatalf("answer %d %.300s, want %d with one BAD_USER_INPUT error", a.Status, a.Body, tc.status)
			}
			if bytes.Contains(a.Body, []byte(secret)) || bytes.Contains(a.Body, []byte("RawParams")) {
				t.Fatalf("the answer echoes the request or Go names: %s", a.Body)
			}
		})
	}
	// Ensure a wrong Content-Type is refused with a code too.
	req, _ := http.NewRequest(http.MethodPost, app.HTTP.URL+"/graphql", strings.NewReader(`{"query":"{__typename}"}`))
	req.Header.Set("Content-Type", "text/plain")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out apptest.GQLResponse
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != http.StatusUnsupportedMediaType || len(out.Errors) != 1 || out.Errors[0].Code() != "BAD_USER_INPUT" {
		t.Fatalf("text/plain: %d %+v", resp.StatusCode, out.Errors)
	}
}

// Ensure every GraphQL answer, and those carrying a secret or a session
// token above all, may not be stored by a cache.
func TestAnswers_NoStore(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	k := app.CreateKey(token, "One", "SEND_EMAILS")
	ops := map[string]struct {
		query string
		vars  map[string]any
	}{
		"login":        {`mutation($e:String!,$p:String!){login(input:{email:$e,password:$p}){token}}`, map[string]any{"e": apptest.OwnerEmail, "p": apptest.OwnerPassword}},
		"createApiKey": {createMutation, map[string]any{"in": map[string]any{"name": "Two", "permissions": []string{"SEND_EMAILS"}}}},
		"revealApiKey": {`mutation($id:ID!,$p:String!){revealApiKey(id:$id,password:$p){secret}}`, map[string]any{"id": k.ID, "p": apptest.OwnerPassword}},
		"rollApiKey":   {`mutation($id:ID!){rollApiKey(id:$id,oldSecretValidFor:0){secret}}`, map[string]any{"id": k.ID}},
		"refused":      {`{__typename`, nil},
	}
	for name, op := range ops {
		t.Run(name, func(t *testing.T) {
			resp := app.GQL(token, op.query, op.vars)
			if got := resp.Header.Get("Cache-Control"); got != "no-store" {
				t.Fatalf("Cache-Control = %q (errors %+v)", got, resp.Errors)
			}
		})
	}
}
