package graph_test

import (
	"testing"

	"businesstools/internal/apptest"
)

// Ensure an admin can create a key and see it, masked, in the list.
func TestCreateAndList(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	k := app.CreateKey(token, "Production Email API", "SEND_EMAILS", "READ_LEADS")
	var data struct {
		ApiKeys struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					ID, Name, MaskedKey, Status string
					Permissions                 []struct{ Key, Scope string }
				}
			}
		}
	}
	app.GQL(token, `{apiKeys(first:10){totalCount edges{node{id name maskedKey status permissions{key scope}}}}}`, nil).Decode(t, &data)
	if data.ApiKeys.TotalCount != 1 || data.ApiKeys.Edges[0].Node.ID != k.ID {
		t.Fatalf("list = %+v, want the one key %s", data.ApiKeys, k.ID)
	}
	n := data.ApiKeys.Edges[0].Node
	if n.MaskedKey != k.Secret[:7]+"…"+k.Secret[len(k.Secret)-4:] || n.Status != "ACTIVE" || len(n.Permissions) != 2 {
		t.Fatalf("node = %+v", n)
	}
	resp := app.REST("GET", "/v1/me", k.Secret, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("GET /v1/me = %d", resp.StatusCode)
	}
}
