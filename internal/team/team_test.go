package team_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"entgo.io/ent/dialect/sql"

	"businesstools/ent/admin"
	"businesstools/ent/auditevent"
	"businesstools/ent/email"
	"businesstools/internal/apptest"
	"businesstools/internal/config"
	"businesstools/internal/tenant"
)

var unscoped = tenant.Unscoped(context.Background())

const inviteMutation = `mutation($in:InviteAdminInput!){inviteAdmin(input:$in){admin{id email role invitePending}}}`

type invited struct{ ID, Email, Role string }

func invite(t *testing.T, app *apptest.App, session, addr, role string) invited {
	t.Helper()
	var data struct {
		InviteAdmin struct {
			Admin struct {
				invited
				InvitePending bool
			}
		}
	}
	app.GQL(session, inviteMutation, map[string]any{"in": map[string]any{"email": addr, "role": role}}).Decode(t, &data)
	if !data.InviteAdmin.Admin.InvitePending {
		t.Fatalf("invited admin not pending: %+v", data)
	}
	return data.InviteAdmin.Admin.invited
}

var linkRE = regexp.MustCompile(`https://keys\.example\.com/invite/([A-Za-z0-9_-]{43})\b`)

// inviteToken reads the token from the last invite email to addr.
func inviteToken(t *testing.T, app *apptest.App, addr string) string {
	t.Helper()
	e, err := app.DB.Client.Email.Query().Order(email.ByID(sql.OrderDesc())).First(unscoped)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.To) != 1 || e.To[0] != addr {
		t.Fatalf("last email went to %v, want %s", e.To, addr)
	}
	m := linkRE.FindStringSubmatch(e.Text)
	if m == nil || !strings.Contains(e.HTML, m[0]) {
		t.Fatalf("no invite link in the email:\n%s\n%s", e.Text, e.HTML)
	}
	return m[1]
}

// accept posts acceptInvite and returns the answer and its session cookie.
func accept(t *testing.T, app *apptest.App, token, password string) (apptest.GQLResponse, *http.Cookie) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{
		"query":     `mutation($in:AcceptInviteInput!){acceptInvite(input:$in){token admin{email role invitePending}}}`,
		"variables": map[string]any{"in": map[string]any{"token": token, "password": password}}})
	resp, err := http.Post(app.HTTP.URL+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out apptest.GQLResponse
	apptest.ReadJSON(t, resp, &out)
	for _, c := range resp.Cookies() {
		if c.Name == "bt_session" {
			return out, c
		}
	}
	return out, nil
}

func wantCode(t *testing.T, resp apptest.GQLResponse, code, field string) apptest.GQLError {
	t.Helper()
	e := resp.Err(t)
	if e.Code() != code || e.Field() != field {
		t.Fatalf("got %s (field %q): %s; want %s (field %q)", e.Code(), e.Field(), e.Message, code, field)
	}
	return e
}

func lastEvent(t *testing.T, app *apptest.App) string {
	t.Helper()
	e, err := app.DB.Client.AuditEvent.Query().Order(auditevent.ByID(sql.OrderDesc())).First(unscoped)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%s by %s: %s", e.Action, e.ActorEmail, e.Detail)
}

func withPublicURL(c *config.Config) { c.PublicURL = "https://keys.example.com" }

// Ensure an owner's invite becomes an email with a one-time link; the
// invited admin cannot sign in until accepting, and accepting sets the
// password, signs in with a cookie and uses the link up.
func TestInviteAndAccept(t *testing.T) {
	app := apptest.New(t, withPublicURL)
	owner := app.LoginOwner()
	a := invite(t, app, owner, " New.Person@Example.com ", "VIEWER")
	if a.Email != "new.person@example.com" || a.Role != "VIEWER" {
		t.Fatalf("invited %+v", a)
	}
	if got, want := lastEvent(t, app), "ADMIN_INVITED by owner@example.com: new.person@example.com as VIEWER"; got != want {
		t.Fatalf("audit %q, want %q", got, want)
	}
	token := inviteToken(t, app, "new.person@example.com")
	row := app.DB.Client.Admin.Query().Where(admin.Email("new.person@example.com")).OnlyX(unscoped)
	hash := sha256.Sum256([]byte(token))
	if row.InviteTokenHash == nil || !bytes.Equal(*row.InviteTokenHash, hash[:]) || strings.Contains(fmt.Sprintf("%#v", row), token) {
		t.Fatal("the invite token is not stored as its SHA-256 only")
	}
	// Pending: no password works, and the failure is on the log.
	if r := app.GQL("", `mutation{login(input:{email:"new.person@example.com",password:"!invite-pending"}){token}}`, nil); len(r.Errors) == 0 {
		t.Fatal("a pending admin signed in")
	}
	if got := lastEvent(t, app); !strings.HasPrefix(got, "LOGIN_FAILED by new.person@example.com") {
		t.Fatalf("audit %q", got)
	}

	resp, cookie := accept(t, app, token, "short")
	wantCode(t, resp, "BAD_USER_INPUT", "password")
	if cookie != nil || !app.DB.Client.Admin.GetX(unscoped, row.ID).InvitePending {
		t.Fatal("a refused accept changed the invite")
	}
	resp, cookie = accept(t, app, token, "a long enough password")
	var data struct {
		AcceptInvite struct {
			Token string
			Admin struct {
				Email, Role   string
				InvitePending bool
			}
		}
	}
	resp.Decode(t, &data)
	if got := data.AcceptInvite; got.Token == "" || got.Admin.Role != "VIEWER" || got.Admin.InvitePending || got.Admin.Email != a.Email {
		t.Fatalf("accepted: %+v", got)
	}
	if cookie == nil || cookie.Value != data.AcceptInvite.Token || !cookie.HttpOnly {
		t.Fatalf("session cookie %+v", cookie)
	}
	var me struct{ Me struct{ Email, Role string } }
	app.GQL(data.AcceptInvite.Token, `{me{email role}}`, nil).Decode(t, &me)
	if me.Me.Role != "VIEWER" {
		t.Fatalf("me %+v", me)
	}
	if app.Login(a.Email, "a long enough password") == "" {
		t.Fatal("the new password does not sign in")
	}
	events := app.DB.Client.AuditEvent.Query().Where(auditevent.ActorEmail(a.Email)).Order(auditevent.ByID()).AllX(unscoped)
	var actions []string
	for _, e := range events {
		actions = append(actions, string(e.Action))
	}
	if got := strings.Join(actions, " "); got != "LOGIN_FAILED ADMIN_JOINED LOGIN LOGIN" {
		t.Fatalf("the new admin's events: %s", got)
	}

	// The link works once.
	resp, _ = accept(t, app, token, "another good password")
	wantCode(t, resp, "BAD_USER_INPUT", "token")
	if app.Login(a.Email, "a long enough password") == "" {
		t.Fatal("a reused link changed the password")
	}
}

// Ensure an invite for an email that already has an admin in any account,
// or a pending invite of another account, is refused in the same words
// (naming no account), as are oneself, bad addresses and unknown roles;
// nothing is created or sent.
func TestInvite_BadInput(t *testing.T) {
	app := apptest.New(t, withPublicURL)
	owner := app.LoginOwner()
	other := app.NewAdmin("Other Corp", "other@example.org")
	invite(t, app, other, "pending@example.org", "ADMIN")
	admins, emails := app.DB.Client.Admin.Query().CountX(unscoped), app.DB.Client.Email.Query().CountX(unscoped)
	send := func(addr, role string) apptest.GQLResponse {
		return app.GQL(owner, inviteMutation, map[string]any{"in": map[string]any{"email": addr, "role": role}})
	}
	taken := wantCode(t, send("other@example.org", "VIEWER"), "BAD_USER_INPUT", "email").Message
	if strings.Contains(taken, "Other") {
		t.Fatalf("the refusal names the account: %q", taken)
	}
	for _, addr := range []string{"OTHER@example.org", "pending@example.org"} {
		if got := wantCode(t, send(addr, "VIEWER"), "BAD_USER_INPUT", "email").Message; got != taken {
			t.Fatalf("%s: %q, want the same words as %q", addr, got, taken)
		}
	}
	wantCode(t, send(apptest.OwnerEmail, "OWNER"), "BAD_USER_INPUT", "email")
	for _, addr := range []string{"nope", "a@b", "a@example.com\r\nBcc: x@example.com", "", "Ann <ann@example.com>"} {
		wantCode(t, send(addr, "VIEWER"), "BAD_USER_INPUT", "email")
	}
	wantCode(t, send("new@example.com", "BOSS"), "BAD_USER_INPUT", "role")
	if a, e := app.DB.Client.Admin.Query().CountX(unscoped), app.DB.Client.Email.Query().CountX(unscoped); a != admins || e != emails {
		t.Fatalf("refused invites created %d admins and %d emails", a-admins, e-emails)
	}
	wantCode(t, app.GQL(owner, `mutation{acceptInvite(input:{token:"no-such-invite",password:"a long enough password"}){token}}`, nil),
		"BAD_USER_INPUT", "token")
}

// Ensure the last owner can be neither demoted nor removed, while with a
// second owner either works; unknown ids and roles are refused.
func TestLastOwner(t *testing.T) {
	app := apptest.New(t)
	owner := app.LoginOwner()
	var me struct{ Me struct{ ID string } }
	app.GQL(owner, `{me{id}}`, nil).Decode(t, &me)
	setRole := func(id, role string) apptest.GQLResponse {
		return app.GQL(owner, `mutation($id:ID!,$role:AdminRole!){updateAdminRole(id:$id,role:$role){id role}}`,
			map[string]any{"id": id, "role": role})
	}
	remove := func(session, id string) apptest.GQLResponse {
		return app.GQL(session, `mutation($id:ID!){removeAdmin(id:$id){removedId}}`, map[string]any{"id": id})
	}
	other := app.NewAdmin("Other Corp", "other@example.org")
	var otherMe struct{ Me struct{ ID string } }
	app.GQL(other, `{me{id}}`, nil).Decode(t, &otherMe)
	events := app.DB.Client.AuditEvent.Query().CountX(unscoped)
	wantCode(t, setRole(me.Me.ID, "ADMIN"), "BAD_USER_INPUT", "role")
	wantCode(t, remove(owner, me.Me.ID), "BAD_USER_INPUT", "id")
	wantCode(t, setRole(me.Me.ID, "BOSS"), "BAD_USER_INPUT", "role")
	wantCode(t, setRole("4294967295", "ADMIN"), "NOT_FOUND", "")
	wantCode(t, setRole(otherMe.Me.ID, "VIEWER"), "NOT_FOUND", "")
	wantCode(t, remove(owner, otherMe.Me.ID), "NOT_FOUND", "")
	if n := app.DB.Client.AuditEvent.Query().CountX(unscoped); n != events {
		t.Fatalf("refused changes wrote %d audit events", n-events)
	}

	second := app.NewAdminAs(apptest.DefaultAccount, "second@example.com", "ADMIN")
	var secondMe struct{ Me struct{ ID string } }
	app.GQL(second, `{me{id}}`, nil).Decode(t, &secondMe)
	setRole(secondMe.Me.ID, "OWNER").Decode(t, &struct{}{})
	if got := lastEvent(t, app); got != "ADMIN_ROLE_CHANGED by owner@example.com: second@example.com: ADMIN → OWNER" {
		t.Fatalf("audit %q", got)
	}
	setRole(me.Me.ID, "VIEWER").Decode(t, &struct{}{})
	// Now the second is the last owner; the first, a viewer, may not act.
	wantCode(t, remove(owner, secondMe.Me.ID), "FORBIDDEN", "")
	wantCode(t, remove(second, secondMe.Me.ID), "BAD_USER_INPUT", "id")
	remove(second, me.Me.ID).Decode(t, &struct{}{})
	if got := lastEvent(t, app); got != "ADMIN_REMOVED by second@example.com: owner@example.com (VIEWER)" {
		t.Fatalf("audit %q", got)
	}
}

// Ensure two owners demoting each other at once leave one owner.
func TestLastOwner_Race(t *testing.T) {
	app := apptest.New(t)
	sessions := []string{app.LoginOwner(), app.NewAdminAs(apptest.DefaultAccount, "second@example.com", "OWNER")}
	ids := make([]string, 2)
	for i, s := range sessions {
		var me struct{ Me struct{ ID string } }
		app.GQL(s, `{me{id}}`, nil).Decode(t, &me)
		ids[i] = me.Me.ID
	}
	var wg sync.WaitGroup
	results := make([]apptest.GQLResponse, 2)
	for i := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = app.GQL(sessions[i], `mutation($id:ID!){updateAdminRole(id:$id,role:VIEWER){role}}`,
				map[string]any{"id": ids[1-i]})
		}()
	}
	wg.Wait()
	owners := app.DB.Client.Admin.Query().Where(admin.RoleEQ(admin.RoleOWNER)).CountX(unscoped)
	if owners != 1 {
		t.Fatalf("%d owners left (%+v, %+v)", owners, results[0].Errors, results[1].Errors)
	}
}

// Ensure removing an admin ends their sessions and access tokens at once,
// and a demotion deletes the tokens the new role does not allow.
func TestRemoveAndDemote_EndAccess(t *testing.T) {
	app := apptest.New(t)
	owner := app.LoginOwner()
	dev := app.NewAdminAs(apptest.DefaultAccount, "dev@example.com", "ADMIN")
	ops := app.NewAdminAs(apptest.DefaultAccount, "ops@example.com", "ADMIN")
	devToken := app.CreateToken(dev, "dev ci", "KEYS_READ").Secret
	opsWrite := app.CreateToken(ops, "ops write", "KEYS_READ", "KEYS_WRITE").Secret
	opsRead := app.CreateToken(ops, "ops read", "KEYS_READ").Secret
	for _, c := range []string{dev, devToken, opsWrite, opsRead} {
		if r := app.GQL(c, `{me{email}}`, nil); len(r.Errors) > 0 {
			t.Fatalf("before: %+v", r.Errors)
		}
	}
	id := func(addr string) string {
		return apptest.ID(app.DB.Client.Admin.Query().Where(admin.Email(addr)).OnlyIDX(unscoped))
	}
	devID := id("dev@example.com")
	app.GQL(owner, `mutation($id:ID!){removeAdmin(id:$id){removedId}}`, map[string]any{"id": devID}).Decode(t, &struct{}{})
	wantCode(t, app.GQL(dev, `{me{email}}`, nil), "UNAUTHENTICATED", "")
	if r := app.GQL(devToken, `{me{email}}`, nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("a removed admin's token: %d %+v", r.Status, r.Errors)
	}
	if n := app.DB.Client.Session.Query().Where().CountX(unscoped); n != 2 { // the owner's and ops'
		t.Fatalf("%d sessions left", n)
	}

	app.GQL(owner, `mutation($id:ID!){updateAdminRole(id:$id,role:VIEWER){role}}`, map[string]any{"id": id("ops@example.com")}).Decode(t, &struct{}{})
	if r := app.GQL(opsWrite, `{me{email}}`, nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("a KEYS_WRITE token of a demoted viewer: %d", r.Status)
	}
	if r := app.GQL(opsRead, `{apiKeys{totalCount}}`, nil); len(r.Errors) > 0 {
		t.Fatalf("a KEYS_READ token of a viewer: %+v", r.Errors)
	}
	if got := lastEvent(t, app); got != "ADMIN_ROLE_CHANGED by owner@example.com: ops@example.com: ADMIN → VIEWER; access tokens revoked: ops write" {
		t.Fatalf("audit %q", got)
	}
}

// Ensure an owner can cancel an invite by removing the pending admin; the
// link stops working.
func TestRemovePendingInvite(t *testing.T) {
	app := apptest.New(t, withPublicURL)
	owner := app.LoginOwner()
	a := invite(t, app, owner, "late@example.com", "ADMIN")
	token := inviteToken(t, app, "late@example.com")
	app.GQL(owner, `mutation($id:ID!){removeAdmin(id:$id){removedId}}`, map[string]any{"id": a.ID}).Decode(t, &struct{}{})
	resp, _ := accept(t, app, token, "a long enough password")
	wantCode(t, resp, "BAD_USER_INPUT", "token")
	var list struct{ Admins []struct{ Email string } }
	app.GQL(owner, `{admins{email}}`, nil).Decode(t, &list)
	if len(list.Admins) != 1 || list.Admins[0].Email != apptest.OwnerEmail {
		t.Fatalf("admins %+v", list.Admins)
	}
}

// Ensure an invite is accepted from a browser still signed in to another
// account: the new admin's session replaces it.
func TestAccept_WhileSignedInElsewhere(t *testing.T) {
	app := apptest.New(t, withPublicURL)
	owner := app.LoginOwner()
	other := app.NewAdmin("Other Corp", "other@example.org")
	invite(t, app, owner, "new@example.com", "ADMIN")
	token := inviteToken(t, app, "new@example.com")
	var data struct{ AcceptInvite struct{ Token string } }
	app.GQL(other, `mutation($in:AcceptInviteInput!){acceptInvite(input:$in){token}}`,
		map[string]any{"in": map[string]any{"token": token, "password": "a long enough password"}}).Decode(t, &data)
	var me struct{ Me struct{ Email, Role string } }
	app.GQL(data.AcceptInvite.Token, `{me{email role}}`, nil).Decode(t, &me)
	if me.Me.Email != "new@example.com" || me.Me.Role != "ADMIN" {
		t.Fatalf("signed in as %+v", me.Me)
	}
}
