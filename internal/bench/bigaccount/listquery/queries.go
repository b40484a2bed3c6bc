// Package listquery holds what the big-account benchmark and its plan tests
// share: the SPA's key-list requests, a GraphQL client for them, an ent
// driver that records the SQL the resolvers send, and EXPLAIN.
package listquery

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// apiKeysDocument is the SPA's ApiKeys query (frontend/src/graphql/
// operations.ts) without totalCount: DESIGN.md section 8 counts only when
// asked, and the list then reads "1–20 of many".
const apiKeysDocument = `query ApiKeys($first: Int, $after: Cursor, $last: Int, $before: Cursor, $orderBy: ApiKeyOrder, $where: ApiKeyWhereInput) {
  apiKeys(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy, where: $where) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { ...ApiKeyFields } }
  }
}
fragment ApiKeyFields on ApiKey {
  id name maskedKey status createdAt lastUsedAt expiresAt ipAllowlist rateLimit
  permissions { id key name }
}`

// withTotalDocument is the same with totalCount, as the SPA asked before.
const withTotalDocument = `query ApiKeysCounted($first: Int, $orderBy: ApiKeyOrder, $where: ApiKeyWhereInput) {
  apiKeys(first: $first, orderBy: $orderBy, where: $where) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { ...ApiKeyFields } }
  }
}
fragment ApiKeyFields on ApiKey {
  id name maskedKey status createdAt lastUsedAt expiresAt ipAllowlist rateLimit
  permissions { id key name }
}`

// pageInfoDocument asks for pageInfo alone.
const pageInfoDocument = `query { apiKeys(first: 20) { pageInfo { hasNextPage endCursor } } }`

// PageSize is the SPA's page size.
const PageSize = 20

// Query is one key-list request.
type Query struct {
	Name     string
	Document string
	Vars     map[string]any
	// Target says the request is one of DESIGN.md section 8's (p99 < 50 ms);
	// the others are shown for comparison.
	Target bool
}

func list(name string, orderField string, where map[string]any) Query {
	vars := map[string]any{"first": PageSize, "orderBy": map[string]any{"field": orderField, "direction": "DESC"}}
	if where != nil {
		vars["where"] = where
	}
	return Query{Name: name, Document: apiKeysDocument, Vars: vars, Target: true}
}

// SPAQueries are the first pages the SPA asks for: both orders, name search
// (a common word, a rare number, a mid-frequency phrase, a term matching
// nothing, and a two-character term), the permission and status filters,
// pageInfo alone, and, for comparison, the list with totalCount.
func SPAQueries() []Query {
	return []Query{
		list("default order (CREATED_AT DESC)", "CREATED_AT", nil),
		list("LAST_USED_AT DESC", "LAST_USED_AT", nil),
		list(`nameContainsFold "crm"`, "CREATED_AT", map[string]any{"nameContainsFold": "crm"}),
		list(`nameContainsFold "4711"`, "CREATED_AT", map[string]any{"nameContainsFold": "4711"}),
		list(`nameContainsFold "mailer (eu)"`, "CREATED_AT", map[string]any{"nameContainsFold": "mailer (eu)"}),
		list(`nameContainsFold "xyzzy" (no match)`, "CREATED_AT", map[string]any{"nameContainsFold": "xyzzy"}),
		list(`nameContainsFold "zq" (2 chars: prefix)`, "CREATED_AT", map[string]any{"nameContainsFold": "zq"}),
		list("permission DELETE_LEADS", "CREATED_AT", map[string]any{"permission": "DELETE_LEADS"}),
		list("permission SEND_EMAILS, LAST_USED_AT", "LAST_USED_AT", map[string]any{"permission": "SEND_EMAILS"}),
		list("status INACTIVE", "CREATED_AT", map[string]any{"status": "INACTIVE"}),
		list("status EXPIRED, LAST_USED_AT", "LAST_USED_AT", map[string]any{"status": "EXPIRED"}),
		list(`"crm" + READ_LEADS + ACTIVE`, "CREATED_AT",
			map[string]any{"nameContainsFold": "crm", "permission": "READ_LEADS", "status": "ACTIVE"}),
		{Name: "pageInfo alone", Document: pageInfoDocument, Target: true},
		{Name: "with totalCount (COUNT of the account)", Document: withTotalDocument,
			Vars: map[string]any{"first": PageSize, "orderBy": map[string]any{"field": "CREATED_AT", "direction": "DESC"}}},
	}
}

// Page is what a key-list answer holds that the benchmark checks.
type Page struct {
	APIKeys struct {
		TotalCount *int
		PageInfo   struct {
			HasNextPage bool
			EndCursor   *string
		}
		Edges []struct {
			Node struct {
				ID          string
				Name        string
				Permissions []struct{ Key string }
			}
		}
	} `json:"apiKeys"`
}

// Client speaks GraphQL to a server at Base.
type Client struct {
	HTTP  *http.Client
	Base  string // e.g. http://127.0.0.1:8080
	Token string // the session token, once signed in
}

// Do posts a GraphQL request and decodes data into out (when not nil). A
// GraphQL error is returned as an error.
func (c *Client) Do(ctx context.Context, document string, vars map[string]any, out any) error {
	body, _ := json.Marshal(map[string]any{"query": document, "variables": vars})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Base+"/graphql", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var r struct {
		Data   json.RawMessage
		Errors []struct{ Message string }
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("status %d: %s", resp.StatusCode, raw)
	}
	if len(r.Errors) > 0 {
		return fmt.Errorf("graphql: %s", r.Errors[0].Message)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(r.Data, out)
}

// Login signs in and keeps the session token.
func (c *Client) Login(ctx context.Context, email, password string) error {
	var data struct{ Login struct{ Token string } }
	err := c.Do(ctx, `mutation($e:String!,$p:String!){login(input:{email:$e,password:$p}){token}}`,
		map[string]any{"e": email, "p": password}, &data)
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	c.Token = data.Login.Token
	return nil
}

// Run sends q and decodes the page.
func (c *Client) Run(ctx context.Context, q Query) (Page, error) {
	var p Page
	err := c.Do(ctx, q.Document, q.Vars, &p)
	return p, err
}
