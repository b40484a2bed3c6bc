package graph_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"businesstools/ent/auditevent"
	"businesstools/internal/apptest"
	"businesstools/internal/notify/notifytest"
	"businesstools/internal/tenant"
)

const secSettingsFields = `maxKeyLifetimeDays unusedKeyDays deactivateUnusedKeys leakedKeyAction notifyOnKeyChanges`

type secSettings struct {
	MaxKeyLifetimeDays   *int
	UnusedKeyDays        *int
	DeactivateUnusedKeys bool
	LeakedKeyAction      string
	NotifyOnKeyChanges   bool
}

func secGetSettings(t *testing.T, app *apptest.App, token string) secSettings {
	t.Helper()
	var data struct{ AccountSettings secSettings }
	app.GQL(token, `{accountSettings{`+secSettingsFields+`}}`, nil).Decode(t, &data)
	return data.AccountSettings
}

func secUpdate(app *apptest.App, token string, in map[string]any) apptest.GQLResponse {
	return app.GQL(token, `mutation($in:UpdateAccountSettingsInput!){updateAccountSettings(input:$in){`+secSettingsFields+`}}`,
		map[string]any{"in": in})
}

func secAudit(t *testing.T, app *apptest.App, action auditevent.Action) []string {
	t.Helper()
	evs, err := app.DB.Client.AuditEvent.Query().Where(auditevent.ActionEQ(action)).Order(auditevent.ByID()).
		All(tenant.Unscoped(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, e.Detail)
	}
	return out
}

// Ensure the settings start at their defaults, change as a patch (left-out
// fields stay, null clears a day limit), are audited SETTINGS_CHANGED with
// what changed (and not when nothing did), and that out-of-range values are
// BAD_USER_INPUT naming the field with nothing changed.
func TestAccountSettings(t *testing.T) {
	app := apptest.New(t)
	owner := app.LoginOwner()
	if s := secGetSettings(t, app, owner); s.MaxKeyLifetimeDays != nil || s.UnusedKeyDays != nil || s.DeactivateUnusedKeys ||
		s.LeakedKeyAction != "DEACTIVATE" || s.NotifyOnKeyChanges {
		t.Fatalf("defaults: %+v", s)
	}
	var data struct{ UpdateAccountSettings secSettings }
	secUpdate(app, owner, map[string]any{"maxKeyLifetimeDays": 90, "leakedKeyAction": "NOTIFY"}).Decode(t, &data)
	secUpdate(app, owner, map[string]any{"unusedKeyDays": 45, "notifyOnKeyChanges": true}).Decode(t, &data)
	if s := data.UpdateAccountSettings; s.MaxKeyLifetimeDays == nil || *s.MaxKeyLifetimeDays != 90 || s.UnusedKeyDays == nil ||
		*s.UnusedKeyDays != 45 || s.LeakedKeyAction != "NOTIFY" || !s.NotifyOnKeyChanges {
		t.Fatalf("after two patches: %+v", s)
	}
	secUpdate(app, owner, map[string]any{"maxKeyLifetimeDays": nil}).Decode(t, &data)
	if s := data.UpdateAccountSettings; s.MaxKeyLifetimeDays != nil || s.UnusedKeyDays == nil {
		t.Fatalf("null cleared the wrong field: %+v", s)
	}
	secUpdate(app, owner, map[string]any{"unusedKeyDays": 45}).Decode(t, &data) // no change
	want := []string{"maxKeyLifetimeDays: none → 90 days; leakedKeyAction: DEACTIVATE → NOTIFY",
		"unusedKeyDays: none → 45 days; notifyOnKeyChanges: false → true", "maxKeyLifetimeDays: 90 days → none"}
	if got := secAudit(t, app, auditevent.ActionSETTINGS_CHANGED); !slices.Equal(got, want) {
		t.Fatalf("SETTINGS_CHANGED details %q, want %q", got, want)
	}

	before := secGetSettings(t, app, owner)
	for _, field := range []string{"maxKeyLifetimeDays", "unusedKeyDays"} {
		for _, v := range []any{0, -1, 3651, 100000} {
			resp := secUpdate(app, owner, map[string]any{field: v, "deactivateUnusedKeys": true})
			wantError(t, resp, "BAD_USER_INPUT", field)
		}
	}
	wantError(t, secUpdate(app, owner, map[string]any{"leakedKeyAction": "EXPLODE"}), "BAD_USER_INPUT", "")
	if after := secGetSettings(t, app, owner); after.DeactivateUnusedKeys != before.DeactivateUnusedKeys {
		t.Fatalf("a refused patch changed the settings: %+v → %+v", before, after)
	}
	if n := len(secAudit(t, app, auditevent.ActionSETTINGS_CHANGED)); n != 3 {
		t.Fatalf("%d SETTINGS_CHANGED events after refused patches", n)
	}
}

// Ensure maxKeyLifetimeDays binds createApiKey, updateApiKey and
// rollApiKey's grace; a key without expiry made before the policy keeps
// working, shows OUT_OF_POLICY, and is fixed by an edit within the limit.
func TestKeyLifetimePolicy(t *testing.T) {
	app := apptest.New(t)
	owner := app.LoginOwner()
	legacy := app.CreateKey(owner, "Legacy", "SEND_EMAILS")
	secUpdate(app, owner, map[string]any{"maxKeyLifetimeDays": 1}).Decode(t, &struct{}{})
	day := func(d float64) string {
		return time.Now().Add(time.Duration(d * float64(24*time.Hour))).UTC().Format(time.RFC3339)
	}
	create := func(expires any) apptest.GQLResponse {
		in := map[string]any{"name": "New " + strconv.Itoa(int(time.Now().UnixNano())), "permissions": []string{"SEND_EMAILS"}}
		if expires != nil {
			in["expiresAt"] = expires
		}
		return app.GQL(owner, `mutation($in:CreateApiKeyInput!){createApiKey(input:$in){apiKey{id}}}`, map[string]any{"in": in})
	}
	before := snapshot(t, app)
	wantError(t, create(nil), "BAD_USER_INPUT", "expiresAt")
	wantError(t, create(day(1.5)), "BAD_USER_INPUT", "expiresAt")
	if snapshot(t, app) != before {
		t.Fatal("a refused create changed something")
	}
	create(day(0.5)).Decode(t, &struct{}{})

	if resp := app.REST("GET", "/v1/me", legacy.Secret, nil); resp.StatusCode != 200 {
		t.Fatalf("the legacy key stopped working: %d", resp.StatusCode)
	}
	warnings := func() []string {
		var data struct{ ApiKey struct{ Warnings []string } }
		app.GQL(owner, `query($id:ID!){apiKey(id:$id){warnings}}`, map[string]any{"id": legacy.ID}).Decode(t, &data)
		return data.ApiKey.Warnings
	}
	if w := warnings(); !slices.Equal(w, []string{"OUT_OF_POLICY"}) {
		t.Fatalf("legacy key warnings %v", w)
	}
	update := func(in map[string]any) apptest.GQLResponse {
		return app.GQL(owner, `mutation($id:ID!,$in:UpdateApiKeyInput!){updateApiKey(id:$id,input:$in){id}}`,
			map[string]any{"id": legacy.ID, "in": in})
	}
	before = snapshot(t, app)
	wantError(t, update(map[string]any{"name": "Renamed"}), "BAD_USER_INPUT", "expiresAt")
	wantError(t, update(map[string]any{"expiresAt": day(3)}), "BAD_USER_INPUT", "expiresAt")
	wantError(t, app.GQL(owner, `mutation($id:ID!){rollApiKey(id:$id,oldSecretValidFor:172800){secret}}`,
		map[string]any{"id": legacy.ID}), "BAD_USER_INPUT", "oldSecretValidFor")
	if snapshot(t, app) != before {
		t.Fatal("a refused update or roll changed something")
	}
	update(map[string]any{"name": "Renamed", "expiresAt": day(0.9)}).Decode(t, &struct{}{})
	if w := warnings(); !slices.Equal(w, []string{"EXPIRING_SOON"}) {
		t.Fatalf("after the edit: %v", w)
	}
	app.GQL(owner, `mutation($id:ID!){rollApiKey(id:$id,oldSecretValidFor:3600){secret}}`, map[string]any{"id": legacy.ID}).Decode(t, &struct{}{})
}

// Ensure warnings, lastUsedIp/lastUsedRoute and the needsAttention filter:
// leaked, expiring within 7 days and unused keys need attention, the rest
// do not.
func TestWarningsAndNeedsAttention(t *testing.T) {
	app := apptest.New(t)
	owner := app.LoginOwner()
	ctx := tenant.Unscoped(context.Background())
	soon := time.Now().Add(3 * 24 * time.Hour).UTC().Format(time.RFC3339)
	var created struct {
		CreateApiKey struct{ ApiKey struct{ ID string } }
	}
	app.GQL(owner, `mutation($e:Time){createApiKey(input:{name:"Expiring",permissions:[SEND_EMAILS],expiresAt:$e}){apiKey{id}}}`,
		map[string]any{"e": soon}).Decode(t, &created)
	leaked := app.CreateKey(owner, "Leaked", "SEND_EMAILS")
	used := app.CreateKey(owner, "Used", "SEND_EMAILS")
	idle := app.CreateKey(owner, "Idle", "SEND_EMAILS")
	id := func(s string) int { n, _ := strconv.Atoi(s); return n }
	app.DB.Client.ApiKey.UpdateOneID(id(leaked.ID)).SetLeakedAt(time.Now()).ExecX(ctx)
	app.DB.Client.ApiKey.UpdateOneID(id(used.ID)).SetLastUsedAt(time.Now()).SetLastUsedIP("192.0.2.7").
		SetLastUsedRoute("POST /v1/emails").ExecX(ctx)
	// unusedKeyDays counts from creation for a key never used: "Idle" turns
	// UNUSED once it is older than the limit, which we reach by moving its
	// creation back (as time would).
	if _, err := app.DB.SQL.Exec(rebind(app, "UPDATE api_keys SET created_at = ? WHERE id = ?"), time.Now().Add(-3*24*time.Hour).UTC(), id(idle.ID)); err != nil {
		t.Fatal(err)
	}
	secUpdate(app, owner, map[string]any{"unusedKeyDays": 2}).Decode(t, &struct{}{})

	type node struct {
		Name          string
		Warnings      []string
		LastUsedIp    *string
		LastUsedRoute *string
	}
	list := func(where map[string]any) map[string]node {
		var data struct {
			ApiKeys struct{ Edges []struct{ Node node } }
		}
		app.GQL(owner, `query($w:ApiKeyWhereInput){apiKeys(first:50,where:$w){edges{node{name warnings lastUsedIp lastUsedRoute}}}}`,
			map[string]any{"w": where}).Decode(t, &data)
		out := map[string]node{}
		for _, e := range data.ApiKeys.Edges {
			out[e.Node.Name] = e.Node
		}
		return out
	}
	all := list(nil)
	for name, want := range map[string][]string{"Expiring": {"EXPIRING_SOON"}, "Leaked": {"LEAKED"}, "Used": {}, "Idle": {"UNUSED"}} {
		if got := all[name].Warnings; !slices.Equal(got, want) {
			t.Errorf("%s warnings %v, want %v", name, got, want)
		}
	}
	if u := all["Used"]; u.LastUsedIp == nil || *u.LastUsedIp != "192.0.2.7" || u.LastUsedRoute == nil || *u.LastUsedRoute != "POST /v1/emails" {
		t.Errorf("Used: %+v", u)
	}
	if i := all["Idle"]; i.LastUsedIp != nil || i.LastUsedRoute != nil {
		t.Errorf("never used, yet %+v", i)
	}
	names := func(m map[string]node) []string {
		var out []string
		for n := range m {
			out = append(out, n)
		}
		slices.Sort(out)
		return out
	}
	if got := names(list(map[string]any{"needsAttention": true})); !slices.Equal(got, []string{"Expiring", "Idle", "Leaked"}) {
		t.Errorf("needsAttention: true → %v", got)
	}
	if got := names(list(map[string]any{"needsAttention": false})); !slices.Equal(got, []string{"Used"}) {
		t.Errorf("needsAttention: false → %v", got)
	}
	if got := names(list(map[string]any{"needsAttention": true, "status": "ACTIVE", "nameContains": "Lea"})); !slices.Equal(got, []string{"Leaked"}) {
		t.Errorf("needsAttention with other filters → %v", got)
	}
}

// rebind turns ? placeholders into PostgreSQL's $n when needed.
func rebind(app *apptest.App, q string) string {
	if !app.DB.IsPostgres() {
		return q
	}
	for n := 1; strings.Contains(q, "?"); n++ {
		q = strings.Replace(q, "?", "$"+strconv.Itoa(n), 1)
	}
	return q
}

// Ensure auditEvents without a key filter is the account's security log:
// events of deleted keys and settings changes included, each with its
// actor, newest first, filterable by action, key and actor, paginated.
func TestSecurityLog(t *testing.T) {
	app := apptest.New(t)
	owner := app.LoginOwner()
	gone := app.CreateKey(owner, "Gone", "SEND_EMAILS")
	kept := app.CreateKey(owner, "Kept", "SEND_EMAILS")
	app.GQL(owner, `mutation($id:ID!){deleteApiKey(id:$id){deletedId}}`, map[string]any{"id": gone.ID}).Decode(t, &struct{}{})
	secUpdate(app, owner, map[string]any{"notifyOnKeyChanges": true}).Decode(t, &struct{}{})
	app.DB.Client.AuditEvent.Create().SetAccountID(app.DB.Client.ApiKey.Query().FirstX(tenant.Unscoped(context.Background())).AccountID).
		SetAction(auditevent.ActionDEACTIVATED_UNUSED).SetActorEmail("system").SetAPIKeyID(func() int { n, _ := strconv.Atoi(kept.ID); return n }()).
		SetAPIKeyName("Kept").ExecX(tenant.Unscoped(context.Background()))

	type event struct {
		Action, Actor, APIKeyName string
	}
	type page struct {
		AuditEvents struct {
			Edges    []struct{ Node event }
			PageInfo struct {
				HasNextPage bool
				EndCursor   string
			}
		}
	}
	query := func(vars map[string]any) page {
		var p page
		app.GQL(owner, `query($w:AuditEventWhereInput,$first:Int,$after:Cursor){auditEvents(where:$w,first:$first,after:$after){
			edges{node{action actor apiKeyName}} pageInfo{hasNextPage endCursor}}}`, vars).Decode(t, &p)
		return p
	}
	actions := func(p page) []string {
		var out []string
		for _, e := range p.AuditEvents.Edges {
			out = append(out, e.Node.Action)
		}
		return out
	}
	all := query(nil)
	if got := actions(all); !slices.Equal(got, []string{"DEACTIVATED_UNUSED", "SETTINGS_CHANGED", "DELETED", "CREATED", "CREATED"}) {
		t.Fatalf("security log %v", got)
	}
	if e := all.AuditEvents.Edges[0].Node; e.Actor != "system" {
		t.Errorf("system event actor %q", e.Actor)
	}
	if e := all.AuditEvents.Edges[1].Node; e.Actor != apptest.OwnerEmail {
		t.Errorf("settings event actor %q", e.Actor)
	}
	first := query(map[string]any{"first": 2})
	rest := query(map[string]any{"first": 10, "after": first.AuditEvents.PageInfo.EndCursor})
	if !first.AuditEvents.PageInfo.HasNextPage || !slices.Equal(append(actions(first), actions(rest)...), actions(all)) {
		t.Fatalf("pages %v + %v", actions(first), actions(rest))
	}
	if got := actions(query(map[string]any{"w": map[string]any{"action": "DELETED"}})); !slices.Equal(got, []string{"DELETED"}) {
		t.Errorf("by action: %v", got)
	}
	if got := actions(query(map[string]any{"w": map[string]any{"apiKeyID": gone.ID}})); !slices.Equal(got, []string{"DELETED", "CREATED"}) {
		t.Errorf("by deleted key: %v", got)
	}
	if got := actions(query(map[string]any{"w": map[string]any{"actorEmail": "system"}})); !slices.Equal(got, []string{"DEACTIVATED_UNUSED"}) {
		t.Errorf("by actor: %v", got)
	}
}

// Ensure that with notifyOnKeyChanges on, creating, rolling and deleting
// a key emails every admin once, naming the actor and the client IP; and
// that with it off nothing is sent.
func TestKeyChangeNotifications(t *testing.T) {
	env := notifytest.Start(t)
	owner := env.LoginOwner()
	env.CreateKey(owner, "Quiet", "SEND_EMAILS")
	if n := len(env.Outbox("Quiet")); n != 0 {
		t.Fatalf("%d emails with notifyOnKeyChanges off", n)
	}
	secUpdate(env.App, owner, map[string]any{"notifyOnKeyChanges": true}).Decode(t, &struct{}{})
	key := env.CreateKey(owner, "Watched", "SEND_EMAILS")
	ms := env.ExpectOnePerAdmin("API key “Watched” was created by " + apptest.OwnerEmail)
	if !strings.Contains(ms[0].Text, "127.0.0.1") || !strings.Contains(ms[0].HTML, notifytest.PublicURL+"/keys/"+key.ID) {
		t.Fatalf("created email:\n%s", ms[0].Text)
	}
	var rolled struct{ RollApiKey struct{ Secret string } }
	env.GQL(owner, `mutation($id:ID!){rollApiKey(id:$id,oldSecretValidFor:0){secret}}`, map[string]any{"id": key.ID}).Decode(t, &rolled)
	env.ExpectOnePerAdmin("API key “Watched” was rolled by " + apptest.OwnerEmail)
	env.GQL(owner, `mutation($id:ID!){deleteApiKey(id:$id){deletedId}}`, map[string]any{"id": key.ID}).Decode(t, &struct{}{})
	for _, m := range env.ExpectOnePerAdmin("API key “Watched” was deleted by " + apptest.OwnerEmail) {
		if strings.Contains(m.Text, rolled.RollApiKey.Secret) || strings.Contains(m.Text, key.Secret) {
			t.Fatal("an email holds a secret")
		}
	}
}
