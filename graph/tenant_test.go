package graph_test

import (
	"strings"
	"testing"

	"businesstools/internal/apptest"
)

// Ensure an admin of one account cannot see or touch another account's keys:
// every query and mutation answers NOT_FOUND (or nothing) and changes nothing.
func TestTenantIsolation(t *testing.T) {
	app := apptest.New(t)
	ownerA := app.LoginOwner()
	keyA := app.CreateKey(ownerA, "A's key", "SEND_EMAILS")
	adminB := app.NewAdmin("Account B", "b@example.com")
	app.CreateKey(adminB, "B's key", "READ_LEADS")
	vars := map[string]any{"id": keyA.ID}
	ops := map[string]string{
		"apiKey":          `query($id:ID!){apiKey(id:$id){id}}`,
		"apiKeyUsage":     `query($id:ID!){apiKeyUsage(id:$id,days:7){day}}`,
		"updateApiKey":    `mutation($id:ID!){updateApiKey(id:$id,input:{name:"stolen"}){id}}`,
		"setApiKeyActive": `mutation($id:ID!){setApiKeyActive(id:$id,active:false){id}}`,
		"revealApiKey":    `mutation($id:ID!){revealApiKey(id:$id,password:"` + apptest.OwnerPassword + `"){secret}}`,
		"rollApiKey":      `mutation($id:ID!){rollApiKey(id:$id,oldSecretValidFor:0){secret}}`,
		"deleteApiKey":    `mutation($id:ID!){deleteApiKey(id:$id){deletedId}}`,
	}
	for name, op := range ops {
		t.Run(name, func(t *testing.T) {
			before := snapshot(t, app)
			wantError(t, app.GQL(adminB, op, vars), "NOT_FOUND", "")
			if after := snapshot(t, app); after != before {
				t.Fatalf("database changed:\n%s\n%s", before, after)
			}
		})
	}
	t.Run("node", func(t *testing.T) {
		resp := app.GQL(adminB, `query($id:ID!){node(id:$id){id ... on ApiKey{name}}}`, vars)
		if strings.Contains(string(resp.Data), "A's key") || !strings.Contains(string(resp.Data), `"node":null`) {
			t.Fatalf("node leaked: %s %+v", resp.Data, resp.Errors)
		}
	})
	t.Run("lists", func(t *testing.T) {
		resp := app.GQL(adminB, `{apiKeys{edges{node{name}}} auditEvents{edges{node{apiKeyName}}} me{account{name}}}`, nil)
		if len(resp.Errors) > 0 || strings.Contains(string(resp.Data), "A's key") || !strings.Contains(string(resp.Data), "B's key") {
			t.Fatalf("lists = %s %+v", resp.Data, resp.Errors)
		}
	})
	// The owner still sees and uses the key.
	if resp := app.REST("GET", "/v1/me", keyA.Secret, nil); resp.StatusCode != 200 {
		t.Fatalf("A's key stopped working: %d", resp.StatusCode)
	}
}

// Ensure ids of deleted keys answer NOT_FOUND.
func TestDeletedKeyNotFound(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	k := app.CreateKey(token, "Doomed", "SEND_EMAILS")
	var del struct{ DeleteApiKey struct{ DeletedID string } }
	app.GQL(token, `mutation($id:ID!){deleteApiKey(id:$id){deletedId}}`, map[string]any{"id": k.ID}).Decode(t, &del)
	if del.DeleteApiKey.DeletedID != k.ID {
		t.Fatalf("deletedId = %q, want %s", del.DeleteApiKey.DeletedID, k.ID)
	}
	for _, op := range []string{
		`query($id:ID!){apiKey(id:$id){id}}`,
		`mutation($id:ID!){setApiKeyActive(id:$id,active:true){id}}`,
		`mutation($id:ID!){deleteApiKey(id:$id){deletedId}}`,
	} {
		before := snapshot(t, app)
		wantError(t, app.GQL(token, op, map[string]any{"id": k.ID}), "NOT_FOUND", "")
		if snapshot(t, app) != before {
			t.Fatal("database changed")
		}
	}
	// The audit trail outlives the key.
	var data struct {
		AuditEvents struct {
			Edges []struct {
				Node struct{ Action, ApiKeyName string }
			}
		}
	}
	app.GQL(token, `query($id:ID!){auditEvents(where:{apiKeyID:$id}){edges{node{action apiKeyName}}}}`,
		map[string]any{"id": k.ID}).Decode(t, &data)
	if len(data.AuditEvents.Edges) != 2 || data.AuditEvents.Edges[0].Node.Action != "DELETED" || data.AuditEvents.Edges[0].Node.ApiKeyName != "Doomed" {
		t.Fatalf("audit trail = %+v", data.AuditEvents.Edges)
	}
	if resp := app.REST("GET", "/v1/me", k.Secret, nil); resp.StatusCode != 401 {
		t.Fatalf("deleted key got %d, want 401", resp.StatusCode)
	}
}

// Ensure node(id) and nodes(ids) resolve the admin's own keys.
func TestNode(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	k := app.CreateKey(token, "Mine", "SEND_EMAILS")
	var data struct {
		Node  struct{ ID, Name string }
		Nodes []struct{ ID string }
	}
	app.GQL(token, `query($id:ID!){node(id:$id){id ... on ApiKey{name}} nodes(ids:[$id]){id}}`, map[string]any{"id": k.ID}).Decode(t, &data)
	if data.Node.ID != k.ID || data.Node.Name != "Mine" || len(data.Nodes) != 1 {
		t.Fatalf("node = %+v", data)
	}
}
