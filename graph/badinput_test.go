package graph_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"businesstools/internal/apptest"
	"businesstools/internal/config"
	"businesstools/internal/tenant"
)

const createMutation = `mutation($in:CreateApiKeyInput!){createApiKey(input:$in){secret apiKey{id}}}`

// Ensure invalid key input is refused with BAD_USER_INPUT naming the field,
// and changes nothing.
func TestCreateApiKey_BadInput(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	app.CreateKey(token, "Taken", "SEND_EMAILS")
	past := time.Now().Add(-time.Hour).Format(time.RFC3339)
	cases := []struct {
		name  string
		input map[string]any
		field string
	}{
		{"ErrNameEmpty", map[string]any{"name": "  ", "permissions": []string{"SEND_EMAILS"}}, "name"},
		{"ErrNameTooLong", map[string]any{"name": strings.Repeat("x", 101), "permissions": []string{"SEND_EMAILS"}}, "name"},
		{"ErrNameTaken", map[string]any{"name": "Taken", "permissions": []string{"SEND_EMAILS"}}, "name"},
		{"ErrNoPermissions", map[string]any{"name": "k", "permissions": []string{}}, "permissions"},
		{"ErrExpiryInPast", map[string]any{"name": "k", "permissions": []string{"SEND_EMAILS"}, "expiresAt": past}, "expiresAt"},
		{"ErrBadCIDR", map[string]any{"name": "k", "permissions": []string{"SEND_EMAILS"}, "ipAllowlist": []string{"10.0.0.0/33"}}, "ipAllowlist"},
		{"ErrNotAnIP", map[string]any{"name": "k", "permissions": []string{"SEND_EMAILS"}, "ipAllowlist": []string{"example.com"}}, "ipAllowlist"},
		{"ErrRateLimitNegative", map[string]any{"name": "k", "permissions": []string{"SEND_EMAILS"}, "rateLimit": -1}, "rateLimit"},
		{"ErrRateLimitTooHigh", map[string]any{"name": "k", "permissions": []string{"SEND_EMAILS"}, "rateLimit": 10001}, "rateLimit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot(t, app)
			wantError(t, app.GQL(token, createMutation, map[string]any{"in": tc.input}), "BAD_USER_INPUT", tc.field)
			if after := snapshot(t, app); after != before {
				t.Fatalf("database changed:\n%s\n%s", before, after)
			}
		})
	}
	// Ensure a malformed time names its field.
	t.Run("ErrExpiryNotATime", func(t *testing.T) {
		before := snapshot(t, app)
		resp := app.GQL(token, `mutation{createApiKey(input:{name:"k",permissions:[SEND_EMAILS],expiresAt:"tomorrow"}){secret}}`, nil)
		wantError(t, resp, "BAD_USER_INPUT", "expiresAt")
		if after := snapshot(t, app); after != before {
			t.Fatal("database changed")
		}
	})
	// Ensure an unknown permission is refused by the schema before any resolver runs.
	t.Run("ErrUnknownPermission", func(t *testing.T) {
		before := snapshot(t, app)
		resp := app.GQL(token, createMutation, map[string]any{"in": map[string]any{"name": "k", "permissions": []string{"ROOT"}}})
		e := wantError(t, resp, "BAD_USER_INPUT", "permissions")
		if !strings.Contains(e.Message, "ROOT") {
			t.Fatalf("error %q does not name the value and the field", e.Message)
		}
		if after := snapshot(t, app); after != before {
			t.Fatal("database changed")
		}
	})
}

// Ensure updates validate like creates and a refused update changes nothing.
func TestUpdateApiKey_BadInput(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	k := app.CreateKey(token, "One", "SEND_EMAILS")
	app.CreateKey(token, "Two", "SEND_EMAILS")
	cases := []struct {
		name  string
		input map[string]any
		field string
	}{
		{"ErrNameTaken", map[string]any{"name": "Two"}, "name"},
		{"ErrNameEmpty", map[string]any{"name": ""}, "name"},
		{"ErrNoPermissions", map[string]any{"permissions": []string{}}, "permissions"},
		{"ErrBadCIDR", map[string]any{"ipAllowlist": []string{"300.1.1.1"}}, "ipAllowlist"},
		{"ErrExpiryInPast", map[string]any{"expiresAt": "2001-01-01T00:00:00Z"}, "expiresAt"},
		{"ErrRateLimitTooHigh", map[string]any{"rateLimit": 100000}, "rateLimit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot(t, app)
			wantError(t, app.GQL(token, `mutation($id:ID!,$in:UpdateApiKeyInput!){updateApiKey(id:$id,input:$in){id}}`,
				map[string]any{"id": k.ID, "in": tc.input}), "BAD_USER_INPUT", tc.field)
			if after := snapshot(t, app); after != before {
				t.Fatalf("database changed:\n%s\n%s", before, after)
			}
		})
	}
}

// Ensure a roll's grace period is bounded to 0 … 7 days.
func TestRollApiKey_BadGrace(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	k := app.CreateKey(token, "One", "SEND_EMAILS")
	for _, secs := range []int{-1, 7*24*3600 + 1} {
		before := snapshot(t, app)
		wantError(t, app.GQL(token, `mutation($id:ID!,$s:Int!){rollApiKey(id:$id,oldSecretValidFor:$s){secret}}`,
			map[string]any{"id": k.ID, "s": secs}), "BAD_USER_INPUT", "oldSecretValidFor")
		if snapshot(t, app) != before {
			t.Fatal("database changed")
		}
	}
}

// Ensure reveal with the wrong password fails, is audited, changes no key,
// and is throttled after repeated failures.
func TestRevealApiKey_WrongPassword(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	k := app.CreateKey(token, "One", "SEND_EMAILS")
	reveal := `mutation($id:ID!,$p:String!){revealApiKey(id:$id,password:$p){secret}}`
	wantError(t, app.GQL(token, reveal, map[string]any{"id": k.ID, "p": "wrong"}), "BAD_USER_INPUT", "password")
	var data struct {
		AuditEvents struct {
			Edges []struct {
				Node struct{ Action, ActorEmail string }
			}
		}
	}
	app.GQL(token, `query($id:ID!){auditEvents(where:{apiKeyID:$id}){edges{node{action actorEmail}}}}`,
		map[string]any{"id": k.ID}).Decode(t, &data)
	if got := data.AuditEvents.Edges[0].Node; got.Action != "REVEAL_FAILED" || got.ActorEmail != apptest.OwnerEmail {
		t.Fatalf("latest audit event = %+v, want REVEAL_FAILED by the owner", got)
	}
	// Two more failures reach the slow-down threshold: the next try is refused
	// even with the right password, and says when to retry.
	app.GQL(token, reveal, map[string]any{"id": k.ID, "p": "wrong"})
	app.GQL(token, reveal, map[string]any{"id": k.ID, "p": "wrong"})
	before := keysSnapshot(t, app)
	e := wantError(t, app.GQL(token, reveal, map[string]any{"id": k.ID, "p": apptest.OwnerPassword}), "RATE_LIMITED", "")
	if e.Extensions["retryAfter"] == nil {
		t.Fatal("RATE_LIMITED without retryAfter")
	}
	if keysSnapshot(t, app) != before {
		t.Fatal("a key changed")
	}
	// Four refused attempts, the throttled one included, follow CREATED.
	want := []string{"CREATED", "REVEAL_FAILED", "REVEAL_FAILED", "REVEAL_FAILED", "REVEAL_FAILED"}
	if got := auditActions(t, app, token, k.ID); !slices.Equal(got, want) {
		t.Fatalf("audit trail = %v", got)
	}
}

// Ensure reveal is refused when the server stores no ciphertext.
func TestRevealApiKey_Disabled(t *testing.T) {
	app := apptest.New(t, func(c *config.Config) { c.AllowReveal = false })
	token := app.LoginOwner()
	k := app.CreateKey(token, "One", "SEND_EMAILS")
	row, err := app.DB.Client.ApiKey.Query().Only(tenant.Unscoped(t.Context()))
	if err != nil {
		t.Fatal(err)
	}
	if row.KeyCiphertext != nil && len(*row.KeyCiphertext) > 0 {
		t.Fatal("a ciphertext was stored with BT_ALLOW_REVEAL=false")
	}
	before := keysSnapshot(t, app)
	wantError(t, app.GQL(token, `mutation($id:ID!,$p:String!){revealApiKey(id:$id,password:$p){secret}}`,
		map[string]any{"id": k.ID, "p": apptest.OwnerPassword}), "REVEAL_DISABLED", "")
	if keysSnapshot(t, app) != before {
		t.Fatal("a key changed")
	}
	// The refused attempt is on the audit trail.
	if got := auditActions(t, app, token, k.ID); len(got) != 2 || got[1] != "REVEAL_FAILED" {
		t.Fatalf("audit trail = %v", got)
	}
}

// Ensure connections are priced by page size: one full page of keys with
// every field fits the complexity limit, a few of them in one request do not.
func TestComplexityLimit(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	page := `apiKeys(first:200){totalCount edges{cursor node{id name maskedKey status createdAt lastUsedAt expiresAt ipAllowlist rateLimit permissions{id key scope name description} createdBy{id email}}}}`
	if r := app.GQL(token, "{"+page+"}", nil); len(r.Errors) > 0 {
		t.Fatalf("one full page refused: %+v", r.Errors)
	}
	var b strings.Builder
	b.WriteString("{")
	for i := range 4 {
		fmt.Fprintf(&b, "p%d: %s ", i, page)
	}
	b.WriteString("}")
	e := app.GQL(token, b.String(), nil).Err(t)
	if !strings.Contains(e.Message, "complexity") {
		t.Fatalf("error = %q, want a complexity error", e.Message)
	}
}

// Ensure nodes(ids) is bounded.
func TestNodes_Bounded(t *testing.T) {
	app := apptest.New(t)
	ids := make([]string, 101)
	for i := range ids {
		ids[i] = fmt.Sprint(i + 1)
	}
	wantError(t, app.GQL(app.LoginOwner(), `query($ids:[ID!]!){nodes(ids:$ids){id}}`, map[string]any{"ids": ids}), "BAD_USER_INPUT", "ids")
}

// Ensure page sizes are bounded.
func TestApiKeys_PageSizeBounded(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	wantError(t, app.GQL(token, `{apiKeys(first:201){totalCount}}`, nil), "BAD_USER_INPUT", "first")
	wantError(t, app.GQL(token, `{apiKeys(last:-1){totalCount}}`, nil), "BAD_USER_INPUT", "last")
}
