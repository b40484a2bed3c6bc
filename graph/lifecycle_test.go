package graph_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"businesstools/internal/apptest"
	"businesstools/internal/tenant"
)

type keyNode struct {
	ID, Name, MaskedKey, Status string
	ExpiresAt                   *time.Time
	IpAllowlist                 []string
	Permissions                 []struct{ Key string }
	CreatedBy                   struct{ Email string }
}

const keyFields = `id name maskedKey status expiresAt ipAllowlist permissions{key} createdBy{email}`

func getKey(t *testing.T, app *apptest.App, token, id string) keyNode {
	t.Helper()
	var data struct{ ApiKey keyNode }
	app.GQL(token, `query($id:ID!){apiKey(id:$id){`+keyFields+`}}`, map[string]any{"id": id}).Decode(t, &data)
	return data.ApiKey
}

func auditActions(t *testing.T, app *apptest.App, token, id string) []string {
	t.Helper()
	var data struct {
		AuditEvents struct {
			Edges []struct{ Node struct{ Action string } }
		}
	}
	app.GQL(token, `query($id:ID!){auditEvents(where:{apiKeyID:$id},orderBy:{field:CREATED_AT,direction:ASC}){edges{node{action}}}}`,
		map[string]any{"id": id}).Decode(t, &data)
	var out []string
	for _, e := range data.AuditEvents.Edges {
		out = append(out, e.Node.Action)
	}
	return out
}

// Ensure the full lifecycle works and each step is audited.
func TestLifecycle(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	k := app.CreateKey(token, "Billing", "SEND_EMAILS")

	t.Run("OK_Create", func(t *testing.T) {
		n := getKey(t, app, token, k.ID)
		if n.Name != "Billing" || n.Status != "ACTIVE" || n.CreatedBy.Email != apptest.OwnerEmail || n.ExpiresAt != nil {
			t.Fatalf("created key = %+v", n)
		}
		if len(k.Secret) != 52 || k.Secret[:3] != "bt_" {
			t.Fatalf("secret has the wrong shape (len %d)", len(k.Secret))
		}
	})
	t.Run("OK_Update", func(t *testing.T) {
		exp := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
		var data struct{ UpdateApiKey keyNode }
		app.GQL(token, `mutation($id:ID!,$in:UpdateApiKeyInput!){updateApiKey(id:$id,input:$in){`+keyFields+`}}`,
			map[string]any{"id": k.ID, "in": map[string]any{"name": "Billing v2", "permissions": []string{"READ_LEADS", "WRITE_LEADS"},
				"expiresAt": exp.Format(time.RFC3339), "ipAllowlist": []string{"127.0.0.1", "10.0.0.0/8"}}}).Decode(t, &data)
		n := data.UpdateApiKey
		if n.Name != "Billing v2" || len(n.Permissions) != 2 || n.ExpiresAt == nil || !n.ExpiresAt.Equal(exp) ||
			!slices.Equal(n.IpAllowlist, []string{"127.0.0.1/32", "10.0.0.0/8"}) {
			t.Fatalf("updated key = %+v", n)
		}
		// null removes the expiry and the allow-list; absent fields stay.
		app.GQL(token, `mutation($id:ID!){updateApiKey(id:$id,input:{expiresAt:null,ipAllowlist:null}){id}}`,
			map[string]any{"id": k.ID}).Decode(t, &struct{}{})
		n = getKey(t, app, token, k.ID)
		if n.ExpiresAt != nil || len(n.IpAllowlist) != 0 || n.Name != "Billing v2" || len(n.Permissions) != 2 {
			t.Fatalf("after clearing = %+v", n)
		}
	})
	t.Run("OK_Deactivate", func(t *testing.T) {
		var data struct{ SetApiKeyActive keyNode }
		app.GQL(token, `mutation($id:ID!){setApiKeyActive(id:$id,active:false){`+keyFields+`}}`, map[string]any{"id": k.ID}).Decode(t, &data)
		if data.SetApiKeyActive.Status != "INACTIVE" {
			t.Fatalf("status = %s", data.SetApiKeyActive.Status)
		}
		if resp := app.REST("GET", "/v1/me", k.Secret, nil); resp.StatusCode != 401 {
			t.Fatalf("inactive key: %d, want 401", resp.StatusCode)
		}
		app.GQL(token, `mutation($id:ID!){setApiKeyActive(id:$id,active:true){id}}`, map[string]any{"id": k.ID}).Decode(t, &data)
		if resp := app.REST("GET", "/v1/me", k.Secret, nil); resp.StatusCode != 200 {
			t.Fatalf("reactivated key: %d, want 200", resp.StatusCode)
		}
	})
	t.Run("OK_Reveal", func(t *testing.T) {
		var data struct{ RevealApiKey struct{ Secret string } }
		app.GQL(token, `mutation($id:ID!,$p:String!){revealApiKey(id:$id,password:$p){secret}}`,
			map[string]any{"id": k.ID, "p": apptest.OwnerPassword}).Decode(t, &data)
		if data.RevealApiKey.Secret != k.Secret {
			t.Fatal("revealed secret differs from the created one")
		}
	})
	t.Run("OK_RollWithGrace", func(t *testing.T) {
		var data struct {
			RollApiKey struct {
				Secret string
				ApiKey struct {
					MaskedKey                string
					PreviousSecretValidUntil *time.Time
				}
			}
		}
		app.GQL(token, `mutation($id:ID!){rollApiKey(id:$id,oldSecretValidFor:3600){secret apiKey{maskedKey previousSecretValidUntil}}}`,
			map[string]any{"id": k.ID}).Decode(t, &data)
		roll := data.RollApiKey
		if roll.Secret == k.Secret || roll.ApiKey.PreviousSecretValidUntil == nil {
			t.Fatalf("roll = %+v", roll.ApiKey)
		}
		for _, secret := range []string{k.Secret, roll.Secret} {
			if resp := app.REST("GET", "/v1/me", secret, nil); resp.StatusCode != 200 {
				t.Fatalf("during grace: %d, want 200", resp.StatusCode)
			}
		}
		// Rolling again with no grace ends both older secrets at once.
		app.GQL(token, `mutation($id:ID!){rollApiKey(id:$id,oldSecretValidFor:0){secret}}`, map[string]any{"id": k.ID}).Decode(t, &data)
		for _, secret := range []string{k.Secret, roll.Secret} {
			if resp := app.REST("GET", "/v1/me", secret, nil); resp.StatusCode != 401 {
				t.Fatalf("rolled-away secret: %d, want 401", resp.StatusCode)
			}
		}
		if resp := app.REST("GET", "/v1/me", data.RollApiKey.Secret, nil); resp.StatusCode != 200 {
			t.Fatalf("new secret: %d", resp.StatusCode)
		}
	})
	t.Run("OK_Audited", func(t *testing.T) {
		want := []string{"CREATED", "RENAMED", "PERMISSIONS_CHANGED", "UPDATED", "UPDATED", "UPDATED", "UPDATED",
			"DEACTIVATED", "ACTIVATED", "REVEALED", "ROLLED", "ROLLED"}
		if got := auditActions(t, app, token, k.ID); !slices.Equal(got, want) {
			t.Fatalf("audit trail = %v\nwant %v", got, want)
		}
	})
}

// Ensure a key with an expiry in the past shows EXPIRED and is refused.
func TestExpiredKey(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	k := app.CreateKey(token, "Short-lived", "SEND_EMAILS")
	// Expiry cannot be set in the past through the API; age the row instead.
	id := 0
	fmt.Sscan(k.ID, &id)
	app.DB.Client.ApiKey.UpdateOneID(id).SetExpiresAt(time.Now().Add(-time.Minute)).ExecX(tenant.Unscoped(t.Context()))
	if n := getKey(t, app, token, k.ID); n.Status != "EXPIRED" {
		t.Fatalf("status = %s, want EXPIRED", n.Status)
	}
	var data struct{ ApiKeys struct{ TotalCount int } }
	app.GQL(token, `{apiKeys(where:{status:EXPIRED}){totalCount}}`, nil).Decode(t, &data)
	if data.ApiKeys.TotalCount != 1 {
		t.Fatalf("EXPIRED filter found %d", data.ApiKeys.TotalCount)
	}
}

// Ensure the list pages with cursors, sorts and filters.
func TestApiKeys_PaginateSortFilter(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	for i := range 25 {
		perm := "SEND_EMAILS"
		if i%5 == 0 {
			perm = "DELETE_LEADS"
		}
		app.CreateKey(token, fmt.Sprintf("key-%02d", i), perm)
	}
	type page struct {
		ApiKeys struct {
			TotalCount int
			PageInfo   struct {
				HasNextPage bool
				EndCursor   string
			}
			Edges []struct{ Node struct{ Name string } }
		}
	}
	var names []string
	after := any(nil)
	for {
		var p page
		app.GQL(token, `query($after:Cursor){apiKeys(first:10,after:$after,orderBy:{field:NAME,direction:DESC}){totalCount pageInfo{hasNextPage endCursor} edges{node{name}}}}`,
			map[string]any{"after": after}).Decode(t, &p)
		for _, e := range p.ApiKeys.Edges {
			names = append(names, e.Node.Name)
		}
		if !p.ApiKeys.PageInfo.HasNextPage {
			break
		}
		after = p.ApiKeys.PageInfo.EndCursor
	}
	if len(names) != 25 || names[0] != "key-24" || names[24] != "key-00" || !slices.IsSortedFunc(names, func(a, b string) int { return -compare(a, b) }) {
		t.Fatalf("pages = %v", names)
	}
	var f page
	app.GQL(token, `{apiKeys(where:{nameContainsFold:"KEY-1",permission:DELETE_LEADS,status:ACTIVE}){totalCount edges{node{name}}}}`, nil).Decode(t, &f)
	if f.ApiKeys.TotalCount != 2 { // key-10 and key-15
		t.Fatalf("filtered = %+v", f.ApiKeys)
	}
	var def page
	app.GQL(token, `{apiKeys(first:1){edges{node{name}}}}`, nil).Decode(t, &def)
	if def.ApiKeys.Edges[0].Node.Name != "key-24" {
		t.Fatalf("default order starts with %s, want the newest", def.ApiKeys.Edges[0].Node.Name)
	}
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Ensure the permissions query lists all five with descriptions.
func TestPermissions(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	var data struct {
		Permissions []struct{ Key, Scope, Name, Description string }
	}
	app.GQL(token, `{permissions{key scope name description}}`, nil).Decode(t, &data)
	want := []string{"SEND_EMAILS", "MANAGE_EMAIL_TEMPLATES", "READ_LEADS", "WRITE_LEADS", "DELETE_LEADS"}
	var got []string
	for _, p := range data.Permissions {
		got = append(got, p.Key)
		if p.Description == "" || p.Name == "" || p.Scope == "" {
			t.Fatalf("permission %+v lacks a field", p)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("permissions = %v", got)
	}
}

// Ensure apiKeyUsage answers a zero-filled series of the asked length.
func TestApiKeyUsage_Empty(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	k := app.CreateKey(token, "Quiet", "SEND_EMAILS")
	var data struct {
		ApiKeyUsage []struct {
			Day   string
			Count int
		}
	}
	app.GQL(token, `query($id:ID!){apiKeyUsage(id:$id,days:30){day count}}`, map[string]any{"id": k.ID}).Decode(t, &data)
	if len(data.ApiKeyUsage) != 30 || data.ApiKeyUsage[29].Day != time.Now().UTC().Format("2006-01-02") {
		t.Fatalf("usage = %+v", data.ApiKeyUsage)
	}
	wantError(t, app.GQL(token, `query($id:ID!){apiKeyUsage(id:$id,days:0){day}}`, map[string]any{"id": k.ID}), "BAD_USER_INPUT", "days")
}

// Ensure a key's own rate limit is set, applied by the REST API at once,
// and returned to the server default with 0.
func TestRateLimitOverride(t *testing.T) {
	app := apptest.New(t)
	token := app.LoginOwner()
	var created struct {
		CreateApiKey struct {
			Secret string
			ApiKey struct {
				ID        string
				RateLimit int
			}
		}
	}
	app.GQL(token, `mutation{createApiKey(input:{name:"slow",permissions:[READ_LEADS],rateLimit:5}){secret apiKey{id rateLimit}}}`, nil).Decode(t, &created)
	k := created.CreateApiKey
	if k.ApiKey.RateLimit != 5 {
		t.Fatalf("rateLimit = %d", k.ApiKey.RateLimit)
	}
	limit := func() string {
		return app.REST("GET", "/v1/me", k.Secret, nil).Header.Get("RateLimit-Limit")
	}
	if got := limit(); got != "10" { // the bucket holds two seconds' worth
		t.Fatalf("RateLimit-Limit = %q, want 10", got)
	}
	var updated struct{ UpdateApiKey struct{ RateLimit int } }
	app.GQL(token, `mutation($id:ID!){updateApiKey(id:$id,input:{rateLimit:0}){rateLimit}}`, map[string]any{"id": k.ApiKey.ID}).Decode(t, &updated)
	if updated.UpdateApiKey.RateLimit != app.Config.RateLimit {
		t.Fatalf("rateLimit after reset = %d, want the default %d", updated.UpdateApiKey.RateLimit, app.Config.RateLimit)
	}
	if got := limit(); got != fmt.Sprint(2*app.Config.RateLimit) {
		t.Fatalf("RateLimit-Limit after reset = %q", got)
	}
	if got := auditActions(t, app, token, k.ApiKey.ID); got[len(got)-1] != "UPDATED" {
		t.Fatalf("audit trail = %v", got)
	}
}
