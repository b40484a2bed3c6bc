package graph_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	entgo "entgo.io/ent"

	"businesstools/ent"
	"businesstools/internal/apptest"
)

// countQueries counts the COUNT queries the server sends for typ.
func countQueries(app *apptest.App, typ string) *atomic.Int64 {
	var n atomic.Int64
	app.DB.Client.Intercept(ent.InterceptFunc(func(next ent.Querier) ent.Querier {
		return ent.QuerierFunc(func(ctx context.Context, q ent.Query) (ent.Value, error) {
			if qc := entgo.QueryFromContext(ctx); qc != nil && qc.Type == typ && qc.Op == entgo.OpQueryCount {
				n.Add(1)
			}
			return next.Query(ctx, q)
		})
	}))
	return &n
}

type connection struct {
	TotalCount *int
	PageInfo   struct {
		HasNextPage, HasPreviousPage bool
		EndCursor                    *string
	}
	Edges []struct{ Node struct{ ID string } }
}

// Ensure the key list counts only when totalCount is asked: pageInfo comes
// from fetching one row more than the page (DESIGN.md section 8), also when
// pageInfo is asked alone.
func TestApiKeys_CountOnlyWhenAsked(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	for i := range 5 {
		app.CreateKey(token, fmt.Sprintf("key %d", i), "SEND_EMAILS")
	}
	counts := countQueries(app, ent.TypeApiKey)
	cases := []struct {
		name, query    string
		first          int
		counted        bool
		edges, hasNext int // hasNext: 1 true, 0 false
		totalCount     int // -1: not asked
	}{
		{"pageInfo and edges", `pageInfo{hasNextPage hasPreviousPage endCursor} edges{node{id}}`, 2, false, 2, 1, -1},
		{"last page", `pageInfo{hasNextPage} edges{node{id}}`, 5, false, 5, 0, -1},
		{"pageInfo alone", `pageInfo{hasNextPage endCursor}`, 3, false, 0, 1, -1},
		{"pageInfo alone, whole list", `pageInfo{hasNextPage}`, 10, false, 0, 0, -1},
		{"pageInfo in a fragment", `...on ApiKeyConnection{pageInfo{hasNextPage}} edges{node{id}}`, 4, false, 4, 1, -1},
		{"totalCount", `totalCount pageInfo{hasNextPage} edges{node{id}}`, 2, true, 2, 1, 5},
		{"totalCount alone", `totalCount`, 2, true, 0, 0, 5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := counts.Load()
			var data struct{ ApiKeys connection }
			app.GQL(token, fmt.Sprintf(`query($n:Int){apiKeys(first:$n){%s}}`, c.query), map[string]any{"n": c.first}).Decode(t, &data)
			if counted := counts.Load() > before; counted != c.counted {
				t.Errorf("counted: %v, want %v", counted, c.counted)
			}
			if len(data.ApiKeys.Edges) != c.edges {
				t.Errorf("%d edges, want %d", len(data.ApiKeys.Edges), c.edges)
			}
			if c.totalCount < 0 && data.ApiKeys.TotalCount != nil || c.totalCount >= 0 && (data.ApiKeys.TotalCount == nil || *data.ApiKeys.TotalCount != c.totalCount) {
				t.Errorf("totalCount %v, want %d", data.ApiKeys.TotalCount, c.totalCount)
			}
			if c.query != "totalCount" && data.ApiKeys.PageInfo.HasNextPage != (c.hasNext == 1) {
				t.Errorf("hasNextPage %v, want %v", data.ApiKeys.PageInfo.HasNextPage, c.hasNext == 1)
			}
		})
	}
}

// Ensure the audit trail's list counts only when totalCount is asked, and
// pages correctly without it.
func TestAuditEvents_CountOnlyWhenAsked(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	k := app.CreateKey(token, "audited", "SEND_EMAILS")
	for _, active := range []bool{false, true, false} {
		app.GQL(token, `mutation($id:ID!,$a:Boolean!){setApiKeyActive(id:$id,active:$a){id}}`, map[string]any{"id": k.ID, "a": active}).Decode(t, &struct{}{})
	}
	counts := countQueries(app, ent.TypeAuditEvent)
	var seen int
	after := any(nil)
	for page := 0; ; page++ {
		var data struct{ AuditEvents connection }
		app.GQL(token, `query($k:ID!,$after:Cursor){auditEvents(first:3,after:$after,where:{apiKeyID:$k},orderBy:{field:CREATED_AT,direction:DESC}){pageInfo{hasNextPage endCursor} edges{node{id}}}}`,
			map[string]any{"k": k.ID, "after": after}).Decode(t, &data)
		seen += len(data.AuditEvents.Edges)
		if !data.AuditEvents.PageInfo.HasNextPage {
			break
		}
		after = *data.AuditEvents.PageInfo.EndCursor
	}
	if seen != 4 || counts.Load() != 0 {
		t.Fatalf("saw %d events (want 4) with %d counts (want 0)", seen, counts.Load())
	}
	var data struct{ AuditEvents connection }
	app.GQL(token, `query($k:ID!){auditEvents(first:1,where:{apiKeyID:$k}){totalCount pageInfo{hasNextPage}}}`,
		map[string]any{"k": k.ID}).Decode(t, &data)
	if data.AuditEvents.TotalCount == nil || *data.AuditEvents.TotalCount != 4 || counts.Load() != 1 {
		t.Fatalf("totalCount %v with %d counts, want 4 with 1", data.AuditEvents.TotalCount, counts.Load())
	}
}

// Ensure a cursor this API did not hand out is BAD_USER_INPUT naming the
// argument, in the API's words (not the decoder's).
func TestCursor_BadIsInputError(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	for _, c := range []string{"garbage", "Q2Fy", "gqFpzwAAAAIAAAAB"} {
		for _, arg := range []string{"after", "before"} {
			e := wantError(t, app.GQL(token, `query($c:Cursor){apiKeys(`+arg+`:$c,first:5){edges{node{id}}}}`, map[string]any{"c": c}),
				"BAD_USER_INPUT", arg)
			if !strings.Contains(e.Message, "not a valid cursor") || strings.Contains(e.Message, "msgpack") {
				t.Errorf("%s %q: %s", arg, c, e.Message)
			}
		}
	}
}
